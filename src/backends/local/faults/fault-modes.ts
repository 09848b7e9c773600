/**
 * The reference replicator's fault modes: deliberate CDC bugs chosen when a lab starts (see faults.ts
 * for what each does). A module of its own, without imports, so the config schema, the lab and the
 * replicator share one list without the config loading the protocol.
 */
/** The faults the replicator commits on its own, in any scenario and on any edge of a star. */
export const REPLICATOR_FAULT_MODES = [
  "none",
  "drop",
  "duplicate-on-restart",
  "reorder",
  "skip-on-restart",
  "stale-checkpoint",
  "drop-ddl",
  "stall",
  "corrupt-vector",
] as const;

export const LOCAL_FAULT_MODES = [
  ...REPLICATOR_FAULT_MODES,
  // Role-change faults (scenarios switchover and failover): each must fail its own check.
  "lose-tail-on-switchover",
  "promote-with-hole",
  "stale-primary",
  // Nemesis self-tests: each mimics an upstream bug set off by a nemesis fault, and must fail its check.
  // milvus-io/milvus#45086: after a standby restart, replication makes no more progress (checkpoint-recovery).
  "stall-after-standby-restart",
  // milvus-io/milvus#53382: after a fault, one channel stops for good while the others go on (catch-up).
  "wedge-channel",
  // milvus-io/milvus#53368: messages in flight when the link is cut are checkpointed, never applied (parity).
  "lose-on-partition",
  // Workload-trigger faults (issue 23): each must fail parity on triggers-smoke.
  "skip-release",
  "skip-add-field",
  // Seeding faults (scenario seed): the standby's checkpoint left past / before the backup point.
  "seed-gap",
  "seed-overlap",
  // milvus-io/milvus#52727: right after restore secondary, CDC stopped itself and the secondary became a
  // primary: the standby is force-promoted as the restore ends (seed-alignment: not a secondary).
  "seed-standby-promoted",
  // Lag metric (issue 26): after a CDC restart the exported lag stays at its last value (~0) while the
  // replacement sits on a backlog, as milvus-io/milvus#51048 did: lag-metric must fail (missed alert).
  "frozen-lag-metric",
  // A star's role change (issue 25): the replicator of an edge a re-point created starts past the new
  // primary's first writes (a hypothetical fault): reverse-parity fails on that standby.
  "repoint-skip",
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
  "seed-standby-promoted": ["seed"],
  // Acts on an edge a re-point created: the new primary's edge into another standby (or the old primary).
  "repoint-skip": ["switchover", "failover"],
};

export type LocalFaultMode = (typeof LOCAL_FAULT_MODES)[number];

import { NEMESIS_TYPES, type NemesisType } from "../../../nemesis/names.js";

/** The nemesis self-test faults, and the nemesis types that set each off ("any": every type does). */
export const NEMESIS_FAULT_TRIGGERS: Partial<Record<LocalFaultMode, readonly NemesisType[] | "any">> = {
  "stall-after-standby-restart": ["restart-standby"],
  "wedge-channel": "any",
  "lose-on-partition": ["partition"],
};

export const LOCAL_NEMESIS_REFUSALS: Partial<Record<NemesisType, string>> = {
  "stress-standby":
    "the local backend cannot put CPU pressure on the standby alone (Milvus Lite shares this machine's cores with the drill); use the kind backend",
};

/**
 * The nemesis types the local lab brings (crashes of CDC and of either cluster; partition, delay and
 * pause on the replication link, never on the drill's clients): every type it does not refuse above.
 */
export const LOCAL_NEMESIS_TYPES: readonly NemesisType[] = NEMESIS_TYPES.filter(
  (t) => !(t in LOCAL_NEMESIS_REFUSALS),
);
