/**
 * The nemesis' fault types: what a config (`faults.nemesis.types`), the CLI (`--nemesis`) and the
 * Action (`nemesis`) may name. A module without imports, so the config schema, the backends and the
 * checkers share one list. Each names the upstream CDC bug it is there to set off (docs/upstream-bugs.md).
 */
export const NEMESIS_TYPES = [
  // The CDC node killed mid-stream (SIGKILL / pod kill) and restarted.
  "kill-cdc",
  // milvus-io/milvus#45086: a restarted standby kept a wrong checkpoint and rejected what followed.
  "restart-standby",
  // milvus-io/milvus#44902, #49712: pod chaos / an evicted node on the source lost rows on the target.
  "restart-primary",
  // milvus-io/milvus#53368: a takeover on the target dropped replicated rows that were in flight.
  "partition",
  // milvus-io/milvus#45639: 200 ms of latency between the clusters hung a switchover.
  "delay",
  // milvus-io/milvus#48779, #53581: a CDC outage (here a frozen one) lost data or stalled silently.
  "pause-cdc",
  // milvus-io/milvus#44599: CDC ran out of memory under load; a starved standby is the other side of it.
  "stress-standby",
] as const;

export type NemesisType = (typeof NEMESIS_TYPES)[number];

/** Faults that last `faults.nemesis.durationMs` and are then healed (the others are a crash and a restart). */
export const LASTING_FAULTS: ReadonlySet<string> = new Set([
  "partition",
  "delay",
  "pause-cdc",
  "stress-standby",
]);

/**
 * Faults that act on one standby or on the replication link into it (the others act on the CDC or the
 * primary, and so on every edge of a star). In a star each is aimed at one standby: `topology.faultStandby`
 * when set, else the standbys in turn (the first such fault at standby 1, the next at 2, ...).
 */
export const STANDBY_FAULTS: ReadonlySet<string> = new Set([
  "restart-standby",
  "partition",
  "delay",
  "stress-standby",
]);

/** What a lasting fault needs from the config, handed to the backend with each injection. */
export interface FaultParams {
  /** How long a lasting fault lasts before it is healed. */
  durationMs: number;
  /** delay: the added latency, each way. */
  delayMs: number;
  /** delay: +- this much at random around delayMs. */
  jitterMs: number;
  /** A star: the standby (1-based) a STANDBY_FAULTS fault acts on; absent: the (first) standby. */
  standby?: number;
}
