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
  /**
   * Apply the configuration to one cluster only: Milvus Backup's `restore secondary` order applies it to
   * the standby first, restores, then applies it to the primary (its CI job test-backup-restore-secondary).
   */
  only?: "primary" | "standby";
}

export class ReplicationConfigError extends Error {
  override name = "ReplicationConfigError";
}

/**
 * The full configuration for a primary -> standby pair: both clusters, one edge. A star (the pair's
 * extraStandbys): every cluster, one edge from the primary to each standby, the one shape Milvus
 * accepts for several clusters (a single center; milvus.io cdc overview, pkg/util/replicateutil).
 */
export function buildReplicateConfiguration(pair: ClusterPair): ReplicateConfiguration {
  const cluster = (c: ClusterEndpoint): ReplicateClusterConfig => ({
    cluster_id: c.clusterId,
    connection_param: { uri: c.replicateUri, token: c.token ?? "" },
    pchannels: [...c.pchannels],
  });
  const standbys = [pair.target, ...(pair.extraStandbys ?? [])];
  return {
    clusters: [cluster(pair.source), ...standbys.map(cluster)],
    cross_cluster_topology: standbys.map((s) => ({
      source_cluster_id: pair.source.clusterId,
      target_cluster_id: s.clusterId,
    })),
  };
}

/** Replication calls are idempotent (the same full configuration, reads), so the SDK may retry them. */
export function clientFor(endpoint: { uri: string; token?: string }, timeoutMs = 30_000): MilvusClient {
  return milvusClient(endpoint, { timeoutMs, retries: 3 });
}

/** How the drill knows each cluster holds the configuration it applied (recorded in the report). */
export interface ConfiguredReplication {
  configuration: ReplicateConfiguration;
  /** One line, e.g. "GetReplicateConfiguration on both clusters". */
  confirmedBy: string;
}

/** gRPC status UNIMPLEMENTED: the server has no such method. */
const GRPC_UNIMPLEMENTED = 12;

/**
 * The Node SDK's retry interceptor turns an UNIMPLEMENTED status into OK with an empty message
 * (@zilliz/milvus2-sdk-node dist/milvus/utils/Grpc.js, for every method but AlterCollectionSchema
 * and ClientHeartbeat), so a server without the RPC answers `{}`: no status at all, which no real
 * Milvus response lacks.
 */
export function isUnimplementedAnswer(read: { status?: unknown; configuration?: unknown } | null): boolean {
  return !read || (read.status === undefined && read.configuration === undefined);
}

export function isUnimplemented(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return (
    err?.code === GRPC_UNIMPLEMENTED ||
    (typeof err?.message === "string" && /\bUNIMPLEMENTED\b/.test(err.message))
  );
}

/**
 * One GetReplicateConfiguration call: the configuration held (possibly none), or "unimplemented" when
 * the release lacks the RPC (see readBack); a refusal throws with the caller's wording.
 */
async function fetchConfiguration(
  client: MilvusClient,
  timeoutMs: number,
  failure: (reason: string | undefined) => string,
): Promise<Partial<ReplicateConfiguration> | undefined | "unimplemented"> {
  let read: { status?: MilvusStatus; configuration?: Partial<ReplicateConfiguration> };
  try {
    read = (await client.getReplicateConfiguration({ timeout: timeoutMs })) as typeof read;
  } catch (e) {
    if (isUnimplemented(e)) return "unimplemented";
    throw e;
  }
  if (isUnimplementedAnswer(read)) return "unimplemented";
  if (!isSuccess(read.status)) throw new ReplicationConfigError(failure(read.status?.reason));
  return read.configuration;
}

/**
 * Reads the configuration back from one cluster; "unimplemented" when the server lacks the RPC.
 * Milvus 2.6 gained GetReplicateConfiguration in milvus-io/milvus#47543, but its distributed proxy
 * did not forward it until milvus-io/milvus#49809 (backported to 2.6 by #49810), so 2.6.6 up to the
 * release before that backport (including v2.6.11, the operator's default image) answer UNIMPLEMENTED.
 */
async function readBack(
  client: MilvusClient,
  role: string,
  clusterId: string,
  want: string[],
): Promise<"ok" | "unimplemented"> {
  const read = await fetchConfiguration(
    client,
    30_000,
    (reason) => `${role} ${clusterId}: GetReplicateConfiguration failed: ${reason}`,
  );
  if (read === "unimplemented") return "unimplemented";
  const ids = (read?.clusters ?? []).map((c) => c.cluster_id).sort();
  if (JSON.stringify(ids) !== JSON.stringify(want)) {
    throw new ReplicationConfigError(
      `${role} ${clusterId}: the configuration read back names clusters ${JSON.stringify(ids)}, expected ${JSON.stringify(want)}`,
    );
  }
  return "ok";
}

/**
 * Applies the full configuration to the primary, then the standby, and confirms both hold it:
 * by reading it back, or, where the server lacks GetReplicateConfiguration, by asking the standby
 * for its replication checkpoint (GetReplicateInfo answers only for a source it replicates from;
 * the standby's UpdateReplicateConfiguration itself returns only once the configuration arrived
 * through CDC). Throws ReplicationConfigError naming the cluster and Milvus's reason if either
 * refuses.
 */
export async function configureReplication(
  pair: ClusterPair,
  opts: ConfigureReplicationOptions = {},
): Promise<ConfiguredReplication> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const config = buildReplicateConfiguration(pair);
  const want = config.clusters.map((c) => c.cluster_id).sort();
  const unimplemented: string[] = [];
  // A star: the configuration goes to every cluster, the primary first, as for a pair.
  // `only: "standby"` is the pair's target alone: a star's other standbys are secondaries that take a new
  // configuration only from their primary (applied to them after it, they wait for its broadcast).
  const sides = [pair.source, pair.target, ...(pair.extraStandbys ?? [])].filter(
    (side) => !opts.only || (opts.only === "primary" ? side === pair.source : side === pair.target),
  );
  for (const side of sides) {
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
      if ((await readBack(client, role, side.clusterId, want)) === "unimplemented") unimplemented.push(role);
    } finally {
      await client.closeConnection().catch(() => {});
    }
  }
  if (unimplemented.length === 0) {
    return {
      configuration: config,
      confirmedBy: `GetReplicateConfiguration on ${opts.only ? `the ${opts.only}` : pair.extraStandbys?.length ? "every cluster" : "both clusters"}`,
    };
  }
  opts.log?.(
    `GetReplicateConfiguration is UNIMPLEMENTED on the ${unimplemented.join(" and ")} (Milvus 2.6 before milvus-io/milvus#49810); confirming with GetReplicateInfo on the standby`,
  );
  const channel = pair.target.pchannels[0] as string;
  try {
    await getReplicateInfo(pair.target, pair.source.clusterId, channel, Math.min(timeoutMs, 30_000));
  } catch (e) {
    throw new ReplicationConfigError(
      `standby ${pair.target.clusterId}: the configuration cannot be read back (GetReplicateConfiguration UNIMPLEMENTED) and GetReplicateInfo(${pair.source.clusterId}, ${channel}) did not answer: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return {
    configuration: config,
    confirmedBy: `GetReplicateInfo on the standby (GetReplicateConfiguration UNIMPLEMENTED on the ${unimplemented.join(" and ")})`,
  };
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
 * A new topology applied to every cluster named (a star's role change): `together` sends every call at
 * once, as a switchover must (each secondary's call waits for its current primary's broadcast);
 * otherwise one after another in the order given (the new primary first). Resolves with how long each
 * cluster took to answer, from the start.
 */
export async function applyTopology(
  next: ClusterPair,
  clusters: readonly ClusterEndpoint[],
  opts: ConfigureReplicationOptions & { together: boolean },
): Promise<{ config: ReplicateConfiguration; answeredMs: Record<string, number> }> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const config = buildReplicateConfiguration(next);
  const started = Date.now();
  const answeredMs: Record<string, number> = {};
  const apply = async (side: ClusterEndpoint) => {
    const role = side === next.source ? "new primary" : "standby";
    opts.log?.(
      `Applying the new topology (primary ${next.source.clusterId}) to the ${role} ${side.clusterId}`,
    );
    const client = clientFor(side, timeoutMs);
    try {
      const status = (await withDeadline(
        client.updateReplicateConfiguration({ ...config, timeout: timeoutMs }),
        timeoutMs,
        `UpdateReplicateConfiguration (primary ${next.source.clusterId}) on the ${role} ${side.clusterId} (${side.uri})`,
        opts.signal,
      )) as MilvusStatus;
      if (!isSuccess(status))
        throw new ReplicationConfigError(
          `${role} ${side.clusterId} refused the new topology: ${status.reason || JSON.stringify(status)}`,
        );
      answeredMs[side.clusterId] = Date.now() - started;
    } finally {
      await client.closeConnection().catch(() => {});
    }
  };
  if (opts.together) await Promise.all(clusters.map(apply));
  else for (const c of clusters) await apply(c);
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

/**
 * Reads the replicate configuration a cluster holds (tokens are blanked by Milvus): null when it holds
 * none, "unimplemented" when the release lacks the RPC (2.6.x before milvus-io/milvus#49810).
 */
export async function readReplicateConfiguration(
  endpoint: { uri: string; token?: string },
  timeoutMs = 30_000,
): Promise<ReplicateConfiguration | null | "unimplemented"> {
  const client = clientFor(endpoint, timeoutMs);
  try {
    const c = await fetchConfiguration(
      client,
      timeoutMs,
      (reason) => `GetReplicateConfiguration on ${endpoint.uri}: ${reason}`,
    );
    if (c === "unimplemented") return "unimplemented";
    if (!c || !c.clusters || c.clusters.length === 0) return null;
    return { clusters: c.clusters, cross_cluster_topology: c.cross_cluster_topology ?? [] };
  } finally {
    await client.closeConnection().catch(() => {});
  }
}

/** Reads the replicate configuration a cluster holds; null when none (an error where the RPC is missing). */
export async function getReplicateConfiguration(
  endpoint: { uri: string; token?: string },
  timeoutMs = 30_000,
): Promise<ReplicateConfiguration | null> {
  const r = await readReplicateConfiguration(endpoint, timeoutMs);
  if (r === "unimplemented") {
    throw new ReplicationConfigError(
      `GetReplicateConfiguration on ${endpoint.uri}: UNIMPLEMENTED by this release`,
    );
  }
  return r;
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
