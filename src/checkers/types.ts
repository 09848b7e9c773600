import type { Pk } from "../history/types.js";
import type { HistorySource } from "./history-index.js";

/**
 * pass: the property held over at least the minimum number of observations the check needs.
 * fail: it was violated (evidence says where).
 * unknown: the checker could not observe what it needs (e.g. the primary was unreachable, no standby
 * read succeeded, the fault was never injected); `reason` says what was missing.
 * skipped: the check does not apply to this run (e.g. `verify` has no history); it never changes the
 * combined verdict. A check that applies but saw nothing is unknown, never skipped or pass.
 * Combined: fail > unknown > pass (skipped is ignored).
 *
 * The contract of a checker: build an EvidenceSample of failures (and of what it could not observe),
 * count what it judged, and return `judge(name, {...})` (evidence.ts), which applies the rule above.
 */
export type Verdict = "pass" | "fail" | "unknown" | "skipped";

export type CheckName =
  | "parity"
  | "duplicates"
  | "primary-sanity"
  | "monotonic-reads"
  | "prefix"
  | "checkpoint-recovery"
  | "standby-read-only"
  | "search-parity"
  | "lag"
  | "catch-up"
  | "rpo"
  | "rto"
  | "promotion"
  | "failover-prefix"
  | "reverse-parity"
  | "seed-alignment"
  | "lag-metric"
  | "capacity";

/** One piece of proof: which keys, ops and times show the violation. */
export interface Evidence {
  collection?: string;
  pk?: Pk;
  opId?: number;
  time?: number;
  message: string;
  [extra: string]: unknown;
}

export interface CheckResult {
  name: CheckName;
  verdict: Verdict;
  /** One line a tired engineer can read. */
  summary: string;
  /** A bounded sample (see MAX_EVIDENCE). */
  evidence: Evidence[];
  /** How many evidence items existed before the sample was cut. */
  evidenceTotal: number;
  /** How many observations the check judged (keys, reads, snapshots, kills...): 0 never passes. */
  observed: number;
  /** Why the verdict is unknown: what the check could not observe. Set only when unknown. */
  reason?: string;
  /** Numbers the check measured (e.g. { lost: 3, compared: 1000 }). */
  stats?: Record<string, number>;
  /**
   * A star (topology.standbys > 1): per standby's cluster id, its own verdict and evidence; the check's
   * verdict is the worst of them. Only the standbys the check judged are named. Absent for a pair.
   */
  standbys?: Record<string, StandbyVerdict>;
}

/** One standby's part of a check in a star: the same fields as the check's own result, for that standby. */
export type StandbyVerdict = Pick<
  CheckResult,
  "verdict" | "summary" | "evidence" | "evidenceTotal" | "observed" | "reason" | "stats"
>;

export const MAX_EVIDENCE = 20;

export interface IndexInfo {
  field: string;
  name: string;
  type: string;
  metric?: string;
  params?: Record<string, string>;
}

/** A schema reduced to what must be equal on both sides (names, types, params), order-independent. */
export interface NormalizedSchema {
  fields: Array<{
    name: string;
    type: string;
    primary?: boolean;
    autoId?: boolean;
    dim?: number;
    maxLength?: number;
    elementType?: string;
    maxCapacity?: number;
    nullable?: boolean;
  }>;
  dynamicField: boolean;
}

/** What a full scan of one side of one collection found. */
export interface SideFinal {
  reachable: boolean;
  error?: string;
  /** false: the side was reachable but has no such collection (then count and distinctKeys are 0). */
  exists?: boolean;
  /** count(*) as the server reports it (counts duplicate inserts twice). */
  count: number | null;
  /** Distinct primary keys returned by the full scan. */
  distinctKeys: number | null;
  /** The `ver` field per key as scanned (only for collections the drill wrote; empty for verify-only runs). */
  versions: Record<Pk, number>;
  schema?: NormalizedSchema;
  indexes: IndexInfo[];
  partitions: string[];
  aliases: string[];
  /** Load state as the side reported it (absent: not read, e.g. a final state saved before it was). */
  load?: LoadStateInfo;
  /**
   * Why this side's rows were not read: a released collection that could not be loaded for the
   * comparison (a CDC standby refuses client DDL). The side was reachable; its rows are unknown.
   */
  rowsUnread?: string;
  /** A collection loaded for the comparison whose load state could not be put back as it was. */
  loadRestoreError?: string;
}

/** "loaded", "released" (Milvus: NotLoad) or "loading", for the collection and each partition. */
export type LoadStateName = "loaded" | "released" | "loading";

export interface LoadStateInfo {
  collection: LoadStateName;
  partitions: Record<string, LoadStateName>;
}

/** The comparison of one collection between the primary (source) and the standby (target). */
export interface CollectionFinal {
  name: string;
  source: SideFinal;
  target: SideFinal;
  /** Keys on the source, not on the target (bounded sample; total in onlySourceTotal). */
  onlySource: Pk[];
  onlySourceTotal: number;
  /** Keys on the target, not on the source. */
  onlyTarget: Pk[];
  onlyTargetTotal: number;
  /** Keys on both sides whose rows differ, with the differing fields. */
  mismatched: Array<{
    pk: Pk;
    fields: string[];
    /** Per differing field, a short human form of each side's value (vectors abbreviated, bits shown). */
    details?: Record<string, { source: string; target: string }>;
  }>;
  mismatchedTotal: number;
  rowsCompared: number;
}

export interface SearchParityResult {
  collection: string;
  field: string;
  metric: string;
  indexType: string;
  k: number;
  /** Per query vector: top-k hits on each side (distance as returned by Milvus). */
  queries: Array<{
    source: Array<{ pk: Pk; distance: number }>;
    target: Array<{ pk: Pk; distance: number }>;
  }>;
  error?: string;
}

export interface CatchUp {
  caughtUp: boolean;
  /** From the end of the workload until the standby showed the last heartbeat and counts converged. */
  catchUpMs: number | null;
  /** What was still missing when the timeout expired. */
  waitingFor?: string;
  /** Settled (nothing moved any more past the last heartbeat) but with these differences left for parity. */
  settledWith?: string;
  timeoutMs: number;
  /** Reads of the standby that succeeded while waiting: 0 means it was never seen (unknown, not slow). */
  standbyReads?: number;
}

/** Everything the checkers read besides the history. Saved as final-state.json in the run directory. */
export interface FinalState {
  collections: CollectionFinal[];
  search: SearchParityResult[];
  catchUp: CatchUp | null;
  /** Whether the source (primary) could be read at the end: if not, history checks that need it say unknown. */
  sourceReachable: boolean;
  targetReachable: boolean;
  /**
   * After a role change: the comparison made once replication ran the other way (new primary as source,
   * the demoted or rebuilt cluster as target), before any switch back. Absent: no role change, or the
   * drill stopped before it.
   */
  reverse?: { source: string; target: string; collections: CollectionFinal[] };
  /**
   * Scenario seed: per collection, the keys the standby holds more than once (count(*) over the key
   * above 1), probed where count(*) exceeds the distinct keys; `error` when the probe failed.
   */
  seed?: { doubled: Record<string, Pk[]>; error?: string };
  /**
   * A star (topology.standbys > 1): `first` is the cluster id of the standby the fields above compare
   * (the pair's target); `others` the same comparison for each further standby. Absent for a pair.
   */
  star?: { first: string; others: StandbyFinal[] };
}

/** The final state of one further standby of a star, compared with the primary as the pair's target is. */
export interface StandbyFinal {
  clusterId: string;
  collections: CollectionFinal[];
  search: SearchParityResult[];
  targetReachable: boolean;
  catchUp: CatchUp | null;
  /** A star's role change: this standby compared with the new primary once it replicated from it. */
  reverse?: FinalState["reverse"];
}

export interface Thresholds {
  /** Lag SLO: p99 of heartbeat lag must stay under this. */
  lagSloMs: number;
  /** After each CDC kill, the standby heartbeat must move again within this bound. */
  recoveryTimeoutMs: number;
  catchUpTimeoutMs: number;
  /** ANN search: minimum mean recall@k of the standby against the primary. */
  minRecall: number;
  /** FLAT search: hits within d_k + epsilon count as ties. */
  distanceEpsilon: number;
  /** Failover: lost acknowledged writes must all be younger than this at the moment the primary was lost. */
  rpoMs: number;
  /** Writes stopped / primary lost -> first write acknowledged by the new primary. */
  rtoMs: number;
  /** lag-metric: allowed distance between Milvus's lag metric and the heartbeat lag (absent in old runs). */
  lagMetricToleranceMs?: number;
  /** lag-metric: the alert's `for:` period (absent in old runs). */
  lagMetricGraceMs?: number;
}

export interface CheckContext {
  thresholds: Thresholds;
}

/** A checker is a pure function: no I/O, no clock. */
export type Checker = (history: HistorySource, final: FinalState, ctx: CheckContext) => CheckResult;
