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
}

/** Fault names; backends list the ones they support. */
export type FaultName = "kill-cdc" | "kill-standby" | "pause-cdc";

/** What the backend observed while injecting a fault (recorded in the history as evidence). */
export interface FaultEvidence {
  /** When the fault took effect (ms). */
  injectedAt: number;
  /** When the faulted component was running again, if the backend waited for it. */
  restoredAt?: number;
  [detail: string]: unknown;
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
  /** Inject a fault; resolves once the fault happened (and, where the backend waits, once it healed). */
  inject(fault: FaultName, signal?: AbortSignal): Promise<FaultEvidence>;
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
   * Optional (scenario capacity): stop CDC without a restart, so the primary can be timed without it
   * (local: the replicator stopped); resumeCdc starts it again from the standby's checkpoint.
   */
  pauseCdc?(signal?: AbortSignal): Promise<FaultEvidence>;
  resumeCdc?(signal?: AbortSignal): Promise<FaultEvidence>;
}
