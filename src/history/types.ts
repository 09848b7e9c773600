/**
 * The history is the one record every role writes to and every checker reads from.
 * It is plain data (one JSON object per line in history.jsonl) so a run can be saved,
 * re-checked and drawn later. Nothing in here knows which backend produced it.
 *
 * Times are wall-clock milliseconds (Date.now()) of the drill process. All roles run in
 * one process on one machine, so there is no clock skew between them.
 */

/** A primary key as the drill writes it: int64 keys are kept as decimal strings to survive JSON. */
export type Pk = string;

/** One row's identity in the model: content is a pure function of (seed, collection, pk, ver). */
export interface KeyVer {
  pk: Pk;
  /** Per-key version: 1, 2, 3 ... Deletes take a version too (a tombstone at ver v). */
  ver: number;
}

export type WriteKind = "insert" | "upsert" | "delete";

/** What the client was asked to do. */
export type OpValue =
  | {
      f: "write";
      kind: WriteKind;
      collection: string;
      partition?: string;
      keys: KeyVer[];
      /** How the rows were sent, when not by an insert/upsert/delete call: "import", a bulk import job. */
      via?: "import";
    }
  | { f: "ddl"; action: DdlAction; collection: string; detail?: Record<string, unknown> }
  | {
      f: "probe-standby-write";
      collection: string;
      pk: Pk;
      /** The cluster probed, when the run changed roles or a star's further standby (else: the standby of the original pair). */
      cluster?: string;
      /** "demoted": the probe of the cluster that lost the primary role (no split brain). */
      purpose?: "demoted";
    };

export type DdlAction =
  | "create-collection"
  | "drop-collection"
  | "create-partition"
  | "drop-partition"
  | "create-index"
  | "drop-index"
  | "create-alias"
  | "drop-alias"
  | "load"
  | "release"
  | "flush"
  // Workload triggers (issue 23): partition-level load state and schema evolution mid-stream.
  | "load-partitions"
  | "release-partitions"
  | "add-field";

/** Jepsen-style: every op is an invoke followed by exactly one completion with the same id. */
export interface InvokeEvent {
  type: "invoke";
  /** Global op id (`seq`), increasing in invoke order. */
  id: number;
  /** Logical client (worker) that ran the op. */
  process: number;
  time: number;
  value: OpValue;
}

export interface CompletionEvent {
  /** ok: definitely applied; fail: definitely not applied; info: unknown outcome (may or may not be applied). */
  type: "ok" | "fail" | "info";
  id: number;
  process: number;
  time: number;
  error?: string;
  /** For standby-write probes: what the standby answered. */
  detail?: Record<string, unknown>;
  /**
   * For an insert into an auto-id collection: the keys Milvus assigned, learned from the answer (its
   * invoke lists none: they did not exist yet). They replace the invoke's keys.
   */
  keys?: KeyVer[];
}

/** A fault injected by the nemesis. `start` then `end` share an id. */
export interface FaultEvent {
  type: "fault";
  id: number;
  name: string;
  phase: "start" | "end";
  time: number;
  /** The backend's own evidence (e.g. replicator restart time, new pod name). */
  evidence?: Record<string, unknown>;
  error?: string;
  /**
   * A star: the standby (1-based) a fault on one standby or the link into it was aimed at (start only);
   * absent: the fault reached every standby (a CDC kill or pause, a primary restart) or the run is a pair.
   */
  standby?: number;
}

/** A monitor read of the standby (and sometimes the primary). */
export type ObservationEvent =
  | {
      type: "obs";
      kind: "keys";
      side: "target" | "source";
      /** A star: the further standby (cluster id) this read was made on; absent: the first standby. */
      cluster?: string;
      collection: string;
      /** When the read was sent and when it returned: the read happened somewhere in between. */
      invokeTime: number;
      time: number;
      /** Version seen per key; null = key absent. Keys not read are not listed (none when `error`). */
      reads: Array<{ pk: Pk; ver: number | null }>;
      /** The read failed: it observed nothing, and says so (an unreadable standby is not a quiet one). */
      error?: string;
    }
  | {
      type: "obs";
      kind: "heartbeat";
      side: "target";
      /** A star: the further standby (cluster id) this read was made on; absent: the first standby. */
      cluster?: string;
      invokeTime: number;
      time: number;
      /** Newest heartbeat visible on the standby, or null if none yet (or the read failed). */
      hbSeq: number | null;
      wallMs: number | null;
      /** The read failed: null above means "not seen", not "no heartbeat yet". */
      error?: string;
    }
  | {
      type: "obs";
      kind: "checkpoint";
      side: "target";
      /** A star: the further standby (cluster id) this checkpoint was read on; absent: the first standby. */
      cluster?: string;
      invokeTime: number;
      time: number;
      pchannel: string;
      /** Hybrid timestamp as decimal string (uint64); wall ms = tt >> 18. null = no checkpoint yet. */
      timeTick: string | null;
      messageId: string | null;
      /** Set when the fault this sample was taken around is known. */
      faultId?: number;
      error?: string;
    }
  | {
      /**
       * One scrape of Milvus's own replication metrics (Prometheus text, every URL the backend named):
       * the lag they give, computed as the docs' alert query does (see src/monitor/prom.ts).
       */
      type: "obs";
      kind: "lag-metric";
      side: "target";
      /** A star: the further standby (cluster id) whose edge's series gave this lag; absent: the first standby. */
      cluster?: string;
      invokeTime: number;
      time: number;
      /** Lag the metrics give (ms, worst channel); null = the scrape answered but held no lag series. */
      lagMs: number | null;
      /** Channels with both series (the WAL's confirmed tick and CDC's replicated tick). */
      channels: number;
      /** The scrape failed (no answer, not Prometheus text): it observed nothing. */
      error?: string;
    };

/** A heartbeat written on the source (the writer side of pt-heartbeat). */
export interface HeartbeatEvent {
  type: "heartbeat";
  hbSeq: number;
  wallMs: number;
  time: number;
  outcome: "ok" | "fail" | "info";
}

/**
 * A phase started (the drill's phase names: provision, configure-replication, setup, workload,
 * settle, ...). Checkers read them to know when the workload ran and when settle began.
 */
export interface PhaseEvent {
  type: "phase";
  name: string;
  time: number;
  detail?: Record<string, unknown>;
}

/** A phase ended: how long it took and how it ended (ok, failed, cancelled, skipped). */
export interface PhaseEndEvent {
  type: "phase-end";
  name: string;
  startedAt: number;
  durationMs: number;
  outcome: "ok" | "failed" | "cancelled" | "skipped";
  detail?: string;
  time: number;
}

/** First line of every history: what is needed to regenerate any row and replay the run. */
export interface HeaderEvent {
  type: "header";
  version: 1;
  seed: number;
  startedAt: number;
  backend: string;
  /** Per collection: the pk field, the version field and the vector fields, so checkers know the layout. */
  collections: Record<string, { shards: number }>;
  config: unknown;
}

/** The steps of a role change (scenarios switchover and failover) or a seeding (seed), each timed for the report. */
export type StepName =
  | "stop-writes"
  | "caught-up"
  | "role-change"
  | "primary-lost"
  | "force-promote"
  | "first-write"
  | "rebuild"
  | "reverse-replication"
  | "switch-back"
  // Scenario seed (src/drill/seed.ts), in Milvus Backup's restore secondary order.
  | "backup"
  | "configure-standby"
  | "restore"
  | "configure"
  | "first-replicated-write"
  // A star's role change (src/drill/star-role-change.ts): the other standbys re-pointed at the new
  // primary, and the new primary's first write shown on each (detail.standby).
  | "repoint"
  | "repointed-write";

/** One finished step of a role change: when it started, when it ended and whether it succeeded. */
export interface StepEvent {
  type: "step";
  name: StepName;
  startedAt: number;
  /** When the step ended (successfully or not). */
  time: number;
  ok: boolean;
  /** The primary's cluster id once the step is done (role-change, force-promote, switch-back). */
  primary?: string;
  error?: string;
  detail?: Record<string, unknown>;
}

/**
 * A read of every key the drill wrote to one collection, on one cluster, right after a role change and
 * before any write reached the new primary: what the new primary inherited.
 */
export interface SnapshotEvent {
  type: "snapshot";
  /** promoted: the new primary; repointed: a star's other standby, read before it was re-pointed. */
  label: "promoted" | "repointed";
  cluster: string;
  collection: string;
  invokeTime: number;
  time: number;
  /** count(*) as the cluster answered (duplicates count twice); null when it could not be read. */
  count: number | null;
  /** Version seen per key; null = absent. */
  reads: Array<{ pk: Pk; ver: number | null }>;
  /** The collection does not exist on the new primary (every key reads absent): an observation, not a gap. */
  exists?: false;
  error?: string;
}

/**
 * One window of scenario capacity: the primary written at a fixed rate for a while, with what was
 * measured in it. `ramp` windows step the rate up; `cdc-running` / `cdc-paused` time the primary at one
 * rate with CDC on and off (the overhead CDC puts on the primary).
 */
export interface CapacityStepEvent {
  type: "capacity-step";
  index: number;
  mode: "ramp" | "cdc-running" | "cdc-paused";
  targetOpsPerS: number;
  startedAt: number;
  time: number;
  /** Write ops completed in the window, and their rows (acknowledged only). */
  writes: number;
  rows: number;
  achievedRowsPerS: number;
  /** Write latency (invoke to acknowledgement) of the acknowledged writes, ms; null without any. */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Heartbeat lag in the window: first, last and worst sample, and its least-squares slope (ms per s). */
  lagSamples: number;
  lagStartMs: number | null;
  lagEndMs: number | null;
  lagMaxMs: number | null;
  lagGrowthMsPerS: number | null;
  /** Lag stayed bounded (growth within capacity.maxLagGrowthMsPerS and under the SLO); null: not judged. */
  bounded: boolean | null;
}

export type HistoryEvent =
  | CapacityStepEvent
  | HeaderEvent
  | StepEvent
  | SnapshotEvent
  | InvokeEvent
  | CompletionEvent
  | FaultEvent
  | ObservationEvent
  | HeartbeatEvent
  | PhaseEvent
  | PhaseEndEvent;
