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
] as const;

export type LocalFaultMode = (typeof LOCAL_FAULT_MODES)[number];
