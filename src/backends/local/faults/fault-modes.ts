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
  // Seeding faults (scenario seed): the standby's checkpoint left past / before the backup point.
  "seed-gap",
  "seed-overlap",
] as const;

/** The fault modes that only mean something in a role-change scenario, and the scenario each needs. */
export const ROLE_CHANGE_FAULT_SCENARIO: Partial<
  Record<LocalFaultMode, readonly ("switchover" | "failover" | "seed")[]>
> = {
  "lose-tail-on-switchover": ["switchover"],
  "promote-with-hole": ["failover"],
  // The demoted (or rebuilt) original primary keeps taking client writes: both scenarios have one.
  "stale-primary": ["switchover", "failover"],
  // The emulated restore secondary is where these act: only scenario seed runs one.
  "seed-gap": ["seed"],
  "seed-overlap": ["seed"],
};

export type LocalFaultMode = (typeof LOCAL_FAULT_MODES)[number];
