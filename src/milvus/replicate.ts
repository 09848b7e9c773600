/**
 * Replication configuration and checkpoints, through the Milvus Node SDK. Backend-agnostic: the local
 * backend's fronts and real Milvus (kind, existing clusters) answer the same calls.
 */
import { MilvusClient, promisify } from "@zilliz/milvus2-sdk-node";
import type { ClusterEndpoint, ClusterPair } from "../backends/types.js";
import { milvusClient } from "./client.js";
import { isSuccess, type MilvusStatus } from "./status.js";

export interface ReplicateClusterConfig {
  cluster_id: string;
  connection_param: { uri: string; token: string };
  pchannels: string[];
}

export interface ReplicateConfiguration {
  clusters: ReplicateClusterConfig[];
  cross_cluster_topology: Array<{ source_cluster_id: string; target_cluster_id: string }>;
}

export interface ConfigureReplicationOptions {
  /** Per call. The standby's call may block on real Milvus until the config arrives through CDC. */
  timeoutMs?: number;
  log?: (message: string) => void;
  /** Stops waiting (the standby's call can block for minutes on real Milvus) once it fires. */
  signal?: AbortSignal;
}

export class ReplicationConfigError extends Error {
  override name = "ReplicationConfigError";
}

/** The full configuration for a primary -> standby pair: both clusters, one edge. */
export function buildReplicateConfiguration(pair: ClusterPair): ReplicateConfiguration {
  const cluster = (c: ClusterEndpoint): ReplicateClusterConfig => ({
    cluster_id: c.clusterId,
    connection_param: { uri: c.replicateUri, token: c.token ?? "" },
    pchannels: [...c.pchannels],
  });
  return {
    clusters: [cluster(pair.source), cluster(pair.target)],
    cross_cluster_topology: [
      { source_cluster_id: pair.source.clusterId, target_cluster_id: pair.target.clusterId },
    ],
  };
}

/** Replication calls are idempotent (the same full configuration, reads), so the SDK may retry them. */
export function clientFor(endpoint: { uri: string; token?: string }, timeoutMs = 30_000): MilvusClient {
  return milvusClient(endpoint, { timeoutMs, retries: 3 });
}

/**
 * Applies the full configuration to the primary, then the standby, and reads it back from both.
 * Throws ReplicationConfigError naming the cluster and Milvus's reason if either refuses.
 */
export async function configureReplication(
  pair: ClusterPair,
  opts: ConfigureReplicationOptions = {},
): Promise<ReplicateConfiguration> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const config = buildReplicateConfiguration(pair);
  for (const side of [pair.source, pair.target]) {
    const role = side === pair.source ? "primary" : "standby";
    opts.log?.(`Applying the replicate configuration to the ${role} ${side.clusterId} (${side.uri})`);
    const client = clientFor(side, timeoutMs);
    try {
      const status = (await withDeadline(
        client.updateReplicateConfiguration({ ...config, timeout: timeoutMs }),
        timeoutMs,
        `UpdateReplicateConfiguration on the ${role} ${side.clusterId} (${side.uri})`,
        opts.signal,
      )) as MilvusStatus;
      if (!isSuccess(status)) {
        throw new ReplicationConfigError(
          `${role} ${side.clusterId} refused the replicate configuration: ${status.reason || JSON.stringify(status)}`,
        );
      }
      const read = (await client.getReplicateConfiguration({ timeout: 30_000 })) as {
        status?: MilvusStatus;
        configuration?: Partial<ReplicateConfiguration>;
      };
      if (!isSuccess(read.status)) {
        throw new ReplicationConfigError(
          `${role} ${side.clusterId}: GetReplicateConfiguration failed: ${read.status?.reason}`,
        );
      }
      const got = read.configuration;
      const ids = (got?.clusters ?? []).map((c) => c.cluster_id).sort();
      const want = config.clusters.map((c) => c.cluster_id).sort();
      if (JSON.stringify(ids) !== JSON.stringify(want)) {
        throw new ReplicationConfigError(
          `${role} ${side.clusterId}: the configuration read back names clusters ${JSON.stringify(ids)}, expected ${JSON.stringify(want)}`,
        );
      }
    } finally {
      await client.closeConnection().catch(() => {});
    }
  }
  return config;
}

/** Reads the replicate configuration a cluster holds (tokens are blanked by Milvus). */
export async function getReplicateConfiguration(
  endpoint: { uri: string; token?: string },
  timeoutMs = 30_000,
): Promise<ReplicateConfiguration | null> {
  const client = clientFor(endpoint, timeoutMs);
  try {
    const read = (await client.getReplicateConfiguration({ timeout: timeoutMs })) as {
      status?: MilvusStatus;
      configuration?: Partial<ReplicateConfiguration>;
    };
    if (!isSuccess(read.status)) {
      throw new ReplicationConfigError(
        `GetReplicateConfiguration on ${endpoint.uri}: ${read.status?.reason}`,
      );
    }
    const c = read.configuration;
    if (!c || !c.clusters || c.clusters.length === 0) return null;
    return { clusters: c.clusters, cross_cluster_topology: c.cross_cluster_topology ?? [] };
  } finally {
    await client.closeConnection().catch(() => {});
  }
}

export interface ReplicateInfo {
  /** Source hybrid timestamp (uint64, decimal string) of the last message the standby confirmed; null = none yet. */
  timeTick: string | null;
  messageId: string | null;
}

/**
 * The standby's replication checkpoint for one of its own pchannels. There is no SDK wrapper, so this
 * goes through the SDK's raw helper. Milvus blocks on an unknown channel, so a deadline is mandatory.
 */
export async function getReplicateInfo(
  target: MilvusClient | { uri: string; token?: string },
  sourceClusterId: string,
  targetPchannel: string,
  timeoutMs: number,
): Promise<ReplicateInfo> {
  const own = !(target instanceof MilvusClient);
  const client = target instanceof MilvusClient ? target : clientFor(target, timeoutMs);
  try {
    const res = (await withDeadline(
      promisify(
        client.channelPool,
        "GetReplicateInfo",
        { source_cluster_id: sourceClusterId, target_pchannel: targetPchannel },
        timeoutMs,
      ),
      timeoutMs + 1_000,
      `GetReplicateInfo(${sourceClusterId}, ${targetPchannel})`,
    )) as { checkpoint?: { time_tick?: string | number; message_id?: { id?: string } } | null };
    const cp = res?.checkpoint;
    if (!cp) return { timeTick: null, messageId: null };
    const tt = cp.time_tick;
    return {
      timeTick: tt === undefined || tt === null || String(tt) === "0" ? null : String(tt),
      messageId: cp.message_id?.id ?? null,
    };
  } finally {
    if (own) await client.closeConnection().catch(() => {});
  }
}

/**
 * Rejects with a message naming what was awaited if the promise does not settle in time, or at once
 * when the signal fires.
 */
export async function withDeadline<T>(
  p: Promise<T>,
  ms: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    onAbort = () => reject(new Error(`cancelled while waiting for ${what}`));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
  p.catch(() => {});
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
