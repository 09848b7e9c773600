/**
 * Replication configuration and checkpoints, through the Milvus Node SDK. Backend-agnostic: the local
 * backend's fronts and real Milvus (kind, existing clusters) answer the same calls.
 */
import { MilvusClient, promisify } from "@zilliz/milvus2-sdk-node";
import type { ClusterEndpoint, ClusterPair } from "../backends/types.js";
import { OWN_SUBCHANNELS } from "../client/connect.js";
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

export function clientFor(endpoint: { uri: string; token?: string }, timeoutMs = 30_000): MilvusClient {
  const client = new MilvusClient({
    address: endpoint.uri,
    token: endpoint.token,
    timeout: timeoutMs,
    logLevel: "error",
    channelOptions: OWN_SUBCHANNELS,
  });
  // An unanswered handshake resurfaces on the first call; it must not crash the process before that.
  client.connectPromise.catch(() => {});
  return client;
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

/** The pair with its roles swapped: the standby becomes the source. */
export function reversedPair(pair: ClusterPair): ClusterPair {
  return { source: pair.target, target: pair.source };
}

/**
 * Planned switchover (milvus.io docs cdc_switchover.md): the full configuration with the roles
 * swapped, applied to both clusters. The current primary broadcasts it through CDC, the current
 * standby's call returns once it has arrived there (streamingcoord assignment.go,
 * waitUntilPrimaryChangeOrConfigurationSame), so the two calls go out together, as Milvus's own
 * suite does (tests/python_client/cdc/conftest.py switchover_helper -> apply_replicate_configuration
 * over both clients, milvus-io/milvus PR 50373). RPO is 0 by construction: the old primary fences its
 * writes before the new role takes effect; the drill still proves it (check `rpo`).
 *
 * `current` is the pair as it replicates now; returns the configuration now in force and how long
 * each cluster took to answer.
 */
export async function switchoverReplication(
  current: ClusterPair,
  opts: ConfigureReplicationOptions = {},
): Promise<{ config: ReplicateConfiguration; answeredMs: Record<string, number> }> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const next = reversedPair(current);
  const config = buildReplicateConfiguration(next);
  const started = Date.now();
  const answeredMs: Record<string, number> = {};
  await Promise.all(
    [current.source, current.target].map(async (side) => {
      const role = side === current.source ? "old primary" : "new primary";
      opts.log?.(`Applying the reversed topology to the ${role} ${side.clusterId} (${side.uri})`);
      const client = clientFor(side, timeoutMs);
      try {
        const status = (await withDeadline(
          client.updateReplicateConfiguration({ ...config, timeout: timeoutMs }),
          timeoutMs,
          `UpdateReplicateConfiguration (switchover) on the ${role} ${side.clusterId} (${side.uri})`,
        )) as MilvusStatus;
        if (!isSuccess(status)) {
          throw new ReplicationConfigError(
            `${role} ${side.clusterId} refused the reversed topology: ${status.reason || JSON.stringify(status)}`,
          );
        }
        answeredMs[side.clusterId] = Date.now() - started;
      } finally {
        await client.closeConnection().catch(() => {});
      }
    }),
  );
  return { config, answeredMs };
}

/**
 * The two request shapes Milvus has accepted for force_promote (UpdateReplicateConfigurationRequest
 * field 2, added by milvus-io/milvus PR 47352, in 2.6 by PR 48452, first released in v2.6.14):
 * - "current-cluster": a configuration holding only the current cluster and no topology. The first cut
 *   of PR 47352 validated exactly that (validateForcePromoteConfiguration: "force promote requires
 *   configuration with exactly one cluster (current cluster only), got N clusters"), and it is what the
 *   docs (cdc_failover.md) and Milvus's own suite (tests/python_client/cdc/testcases/
 *   test_force_promote.py do_force_promote) send.
 * - "empty": the merged design (milvus-design-docs 20260202-force_promote_failover.md) builds the
 *   standalone configuration from the cluster's own meta and refuses anything else with
 *   FORCE_PROMOTE_NEEDS_EMPTY (streamingcoord assignment.go handleForcePromote).
 */
export type ForcePromoteShape = "current-cluster" | "empty";

/** Milvus's refusal of a non-empty force-promote request (assignment.go, handleForcePromote). */
export const FORCE_PROMOTE_NEEDS_EMPTY = "force promote requires empty cluster and topology fields";
/** Milvus's answer on a cluster that is already primary: a repeated promote lands here. */
export const FORCE_PROMOTE_ALREADY_PRIMARY =
  "force promote can only be used on secondary clusters, current cluster is primary";

export interface ForcePromoteResult {
  /** The shape the server accepted, or null when it answered "already primary" to both. */
  shape: ForcePromoteShape | null;
  /** Every answer, in order, for the report's evidence. */
  attempts: Array<{ shape: ForcePromoteShape; ok: boolean; reason?: string }>;
  alreadyPrimary: boolean;
}

/** The request body for one force-promote shape (the SDK always sends `clusters`, so "empty" is []). */
export function forcePromoteRequest(
  standby: ClusterEndpoint,
  shape: ForcePromoteShape,
): { clusters: ReplicateClusterConfig[]; cross_cluster_topology: []; force_promote: true } {
  const clusters =
    shape === "empty"
      ? []
      : [
          {
            cluster_id: standby.clusterId,
            connection_param: { uri: standby.replicateUri, token: standby.token ?? "" },
            pchannels: [...standby.pchannels],
          },
        ];
  return { clusters, cross_cluster_topology: [], force_promote: true };
}

/**
 * Unplanned failover (milvus.io docs cdc_failover.md): force-promote the standby to a standalone
 * primary while the primary is gone. Sent to the standby only. Tries the documented shape first and
 * falls back to the empty one when the server asks for it. "Already primary" counts as promoted (the
 * caller proves it with a write, as Milvus's promote_call_until_writable does). Any other refusal
 * throws ReplicationConfigError with Milvus's reason.
 */
export async function forcePromote(
  standby: ClusterEndpoint,
  opts: ConfigureReplicationOptions = {},
): Promise<ForcePromoteResult> {
  // Milvus's suite gives the promote RPC 60 s (FORCE_PROMOTE_RPC_TIMEOUT) and retries for 180 s.
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const attempts: ForcePromoteResult["attempts"] = [];
  const client = clientFor(standby, timeoutMs);
  try {
    for (const shape of ["current-cluster", "empty"] as const) {
      opts.log?.(`Force-promoting ${standby.clusterId} (${standby.uri}), request shape ${shape}`);
      const status = (await withDeadline(
        client.updateReplicateConfiguration({ ...forcePromoteRequest(standby, shape), timeout: timeoutMs }),
        timeoutMs,
        `UpdateReplicateConfiguration (force_promote) on ${standby.clusterId} (${standby.uri})`,
      )) as MilvusStatus;
      if (isSuccess(status)) {
        attempts.push({ shape, ok: true });
        return { shape, attempts, alreadyPrimary: false };
      }
      const reason = status.reason || JSON.stringify(status);
      attempts.push({ shape, ok: false, reason });
      if (reason.includes(FORCE_PROMOTE_ALREADY_PRIMARY))
        return { shape: null, attempts, alreadyPrimary: true };
      if (shape === "current-cluster" && reason.includes(FORCE_PROMOTE_NEEDS_EMPTY)) continue;
      throw new ReplicationConfigError(`${standby.clusterId} refused force promote: ${reason}`);
    }
    throw new ReplicationConfigError(
      `${standby.clusterId} refused both force-promote request shapes: ${attempts.map((a) => `${a.shape}: ${a.reason}`).join("; ")}`,
    );
  } finally {
    await client.closeConnection().catch(() => {});
  }
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

/** Rejects with a message naming what was awaited if the promise does not settle in time. */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
