/**
 * The reference replicator's fault modes: deliberate CDC bugs chosen when a lab starts (see faults.ts
 * for what each does). A module of its own, without imports, so the config schema, the lab and the
 * replicator share one list without the config loading the protocol.
 */
export const LOCAL_FAULT_MODES = [
  "none",
  "drop",
  "duplicate-on-restart",
  "reorder",
  "skip-on-restart",
  "stale-checkpoint",
  "drop-ddl",
  "stall",
  "corrupt-vector",
  // Role-change faults (scenarios switchover and failover): each must fail its own check.
  "lose-tail-on-switchover",
  "promote-with-hole",
  "stale-primary",
  // Lag metric (issue 26): after a CDC restart the exported lag stays at its last value (~0) while the
  // replacement sits on a backlog, as milvus-io/milvus#51048 did: lag-metric must fail (missed alert).
  "frozen-lag-metric",
] as const;

/** The fault modes that only mean something in a role-change scenario, and the scenario each needs. */
export const ROLE_CHANGE_FAULT_SCENARIO: Partial<
  Record<LocalFaultMode, readonly ("switchover" | "failover")[]>
> = {
  "lose-tail-on-switchover": ["switchover"],
  "promote-with-hole": ["failover"],
  // The demoted (or rebuilt) original primary keeps taking client writes: both scenarios have one.
  "stale-primary": ["switchover", "failover"],
};

export type LocalFaultMode = (typeof LOCAL_FAULT_MODES)[number];
