/**
 * A backend provides two Milvus clusters joined by CDC and the faults that can be injected into them.
 * Nothing above this interface knows which backend runs.
 */

export interface ClusterEndpoint {
  /** Cluster id as Milvus knows it (msgChannel.chanNamePrefix.cluster; the CR name on kind). */
  clusterId: string;
  /** Where the drill's clients connect (a port-forward on kind, the front endpoint locally). */
  uri: string;
  token?: string;
  /** Where the CDC node dials this cluster (in-cluster DNS on kind). Goes into the replicate configuration. */
  replicateUri: string;
  /** Physical channel names, `<clusterId>-rootcoord-dml_<i>`. */
  pchannels: string[];
}

export interface ClusterPair {
  source: ClusterEndpoint;
  target: ClusterEndpoint;
  /**
   * Set when the clusters already replicate source -> target and the drill must not apply its own
   * configuration (existing clusters): how the backend confirmed it, for the report.
   */
  replication?: { confirmedBy: string };
  /**
   * Prometheus endpoints serving Milvus's replication metrics (`milvus_wal_last_confirmed_time_tick`,
   * `milvus_cdc_last_replicated_time_tick`; see src/monitor/prom.ts), scraped by the monitor for the
   * whole drill. Absent: the backend has none to offer, and the lag-metric check is skipped.
   */
  metricsUrls?: string[];
  /**
   * Instead of fixed URLs, for a backend whose endpoints move (kind: a CDC kill replaces the pod):
   * the metrics text of every endpoint now, each read within timeoutMs; throws when one cannot be read.
   */
  scrapeMetrics?: (timeoutMs: number) => Promise<string[]>;
  /** The shortest interval between two scrapes this backend affords (kind: a kubectl process per pod). */
  metricsIntervalMs?: number;
  /**
   * A star (topology.standbys > 1): standbys 2..N, replicating from `source` as `target` (the first
   * standby) does. Absent or empty: a pair.
   */
  extraStandbys?: ClusterEndpoint[];
}

import type { FaultParams, NemesisType } from "../nemesis/names.js";

export type { FaultParams, NemesisType } from "../nemesis/names.js";

/** Fault names; backends list the ones they support (the nemesis' types, and kind's kill-standby). */
export type FaultName = NemesisType | "kill-standby";

/** What the backend observed while injecting a fault (recorded in the history as evidence). */
export interface FaultEvidence {
  /** When the fault took effect (ms). */
  injectedAt: number;
  /** When the faulted component was running again, if the backend waited for it. */
  restoredAt?: number;
  [detail: string]: unknown;
}

/** One physical channel's backup point: the FlushAll message Milvus Backup's `create` recorded there. */
export interface BackupPoint {
  /** The backed-up cluster's physical channel. */
  pchannel: string;
  /** The FlushAll message's time tick (hybrid timestamp, decimal; wall ms = tt >> 18). */
  timeTick: string;
  messageId: string;
}

/** A backup made for seeding a standby (Milvus Backup `create -n NAME --backup_index_extra`). */
export interface ClusterBackup {
  name: string;
  /** The cluster it was taken from (the restore's --source_cluster_id). */
  clusterId: string;
  points: BackupPoint[];
  /** What it holds, per collection: the channel the collection lives on and its rows at the point. */
  collections: Array<{ name: string; pchannel: string; rows: number }>;
  rows: number;
}

/** What a `restore secondary` sent. */
export interface SeedRestore {
  rows: number;
  /**
   * The backup points as the restore left them, for a backend that cannot read the backup's meta
   * (existing: the standby's checkpoint per channel, read after the restore); the backup's own are empty.
   */
  points?: BackupPoint[];
  /** Backend facts for the report (messages sent, the tool's version, ...). */
  detail?: Record<string, unknown>;
}

export interface BackendInfo {
  name: string;
  /** Versions and other facts for the report (milvus version, operator version, ...). */
  details: Record<string, string>;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** Run fn inside a folded log section (core.group in the Action). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface Backend {
  readonly info: BackendInfo;
  readonly faults: readonly FaultName[];
  /** Create (or connect to) both clusters. Must leave nothing behind if it throws: call teardown. */
  provision(signal?: AbortSignal): Promise<ClusterPair>;
  /**
   * Inject a fault; resolves once the fault happened (and, where the backend waits, once it healed).
   * A lasting fault (partition, delay, pause-cdc, stress-standby) lasts params.durationMs and is healed
   * before this resolves; evidence.restoredAt is then when it was healed.
   */
  inject(fault: FaultName, signal?: AbortSignal, params?: FaultParams): Promise<FaultEvidence>;
  /** Copy logs and state into dir; returns the files written. Never throws. */
  collectDiagnostics(dir: string): Promise<string[]>;
  /** Delete what provision created. Idempotent; never throws. */
  teardown(): Promise<void>;
  /**
   * Optional: upgrade both clusters' Milvus from one version to another (standby first, then primary),
   * resolving once both are healthy on the new version. Only backends that run real Milvus offer it.
   */
  upgrade?(from: string, to: string, signal?: AbortSignal): Promise<FaultEvidence>;
  /**
   * Optional (scenario failover): make one cluster of the pair completely unavailable at once, no clean
   * shutdown, and keep it down (local: SIGKILL of its Milvus Lite and its front; kind: its Milvus pods
   * gone and kept gone). `side` names the cluster as provision() returned it.
   */
  loseCluster?(side: "source" | "target", signal?: AbortSignal): Promise<FaultEvidence>;
  /**
   * Optional (scenario failover, the way back): bring a lost cluster back empty, with the same cluster
   * id and channels, ready to join as the new primary's standby (what the docs prescribe for a forked
   * old primary: wipe it and replicate back). Resolves with its endpoint once it answers.
   */
  rebuildCluster?(side: "source" | "target", signal?: AbortSignal): Promise<ClusterEndpoint>;
  /**
   * Optional (a star's failover): wipe one of the star's further standbys (`extraStandbys`, by cluster id)
   * and bring it back empty with the same id and channels, as rebuildCluster does for the lost primary:
   * a survivor that diverged from the promoted standby cannot be re-pointed as it is.
   */
  rebuildStandby?(clusterId: string, signal?: AbortSignal): Promise<ClusterEndpoint>;
  /**
   * Optional (scenario seed; the failover's way back): Milvus Backup's `create` on one cluster of the
   * pair, with a FlushAll point on each physical channel and every index's extras, while writes go on.
   */
  backup?(side: "source" | "target", name: string, signal?: AbortSignal): Promise<ClusterBackup>;
  /**
   * Optional (with backup): Milvus Backup's `restore secondary` of `backup` into the cluster `side`, which
   * already holds the replicate configuration naming the backup's cluster as its source: the data goes
   * through a replicate stream and the standby's checkpoint is left at the backup point on each channel,
   * so CDC configured on the source afterwards resumes strictly after it.
   */
  restoreSecondary?(
    backup: ClusterBackup,
    side: "source" | "target",
    signal?: AbortSignal,
  ): Promise<SeedRestore>;
  /**
   * Optional (scenario capacity): stop CDC without a restart, so the primary can be timed without it
   * (local: the replicator stopped); resumeCdc starts it again from the standby's checkpoint.
   */
  pauseCdc?(signal?: AbortSignal): Promise<FaultEvidence>;
  resumeCdc?(signal?: AbortSignal): Promise<FaultEvidence>;
  /**
   * Optional (workload trigger bulkImport, issue 23): only backends whose primary has object storage.
   * Puts `file` into the primary's own bucket and runs Milvus's import of it into `collection`,
   * resolving once the import job completed. Throws ImportJobError (src/milvus/import.ts): outcome fail
   * when no row of it can be in the collection, info when it was not seen to finish.
   */
  bulkImport?(req: BulkImportRequest, signal?: AbortSignal): Promise<BulkImportDone>;
}

/** One import: the file's name (unique in the run) and content, and where its rows go. */
export interface BulkImportRequest {
  collection: string;
  partition?: string;
  /** A file name, no directory: the backend chooses where in the bucket it goes. */
  fileName: string;
  content: string;
}

export interface BulkImportDone {
  jobId: string;
  rows: number;
  /** Where the file was put (bucket and key) and what the drill waited for. */
  object: string;
  waitedFor: string;
}
