import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  milvusClient,
  require_milvus
} from "./chunk-3II6UGC6.js";
import {
  isSuccess
} from "./chunk-5QY7ERFD.js";
import {
  __toESM
} from "./chunk-XXWGZQIE.js";

// src/milvus/replicate.ts
var import_milvus2_sdk_node = __toESM(require_milvus(), 1);
var ReplicationConfigError = class extends Error {
  name = "ReplicationConfigError";
};
function buildReplicateConfiguration(pair) {
  const cluster = (c) => ({
    cluster_id: c.clusterId,
    connection_param: { uri: c.replicateUri, token: c.token ?? "" },
    pchannels: [...c.pchannels]
  });
  const standbys = [pair.target, ...pair.extraStandbys ?? []];
  return {
    clusters: [cluster(pair.source), ...standbys.map(cluster)],
    cross_cluster_topology: standbys.map((s) => ({
      source_cluster_id: pair.source.clusterId,
      target_cluster_id: s.clusterId
    }))
  };
}
function clientFor(endpoint, timeoutMs = 3e4) {
  return milvusClient(endpoint, { timeoutMs, retries: 3 });
}
var GRPC_UNIMPLEMENTED = 12;
function isUnimplementedAnswer(read) {
  return !read || read.status === void 0 && read.configuration === void 0;
}
function isUnimplemented(e) {
  const err = e;
  return err?.code === GRPC_UNIMPLEMENTED || typeof err?.message === "string" && /\bUNIMPLEMENTED\b/.test(err.message);
}
async function fetchConfiguration(client, timeoutMs, failure) {
  let read;
  try {
    read = await client.getReplicateConfiguration({ timeout: timeoutMs });
  } catch (e) {
    if (isUnimplemented(e)) return "unimplemented";
    throw e;
  }
  if (isUnimplementedAnswer(read)) return "unimplemented";
  if (!isSuccess(read.status)) throw new ReplicationConfigError(failure(read.status?.reason));
  return read.configuration;
}
async function readBack(client, role, clusterId, want) {
  const read = await fetchConfiguration(
    client,
    3e4,
    (reason) => `${role} ${clusterId}: GetReplicateConfiguration failed: ${reason}`
  );
  if (read === "unimplemented") return "unimplemented";
  const ids = (read?.clusters ?? []).map((c) => c.cluster_id).sort();
  if (JSON.stringify(ids) !== JSON.stringify(want)) {
    throw new ReplicationConfigError(
      `${role} ${clusterId}: the configuration read back names clusters ${JSON.stringify(ids)}, expected ${JSON.stringify(want)}`
    );
  }
  return "ok";
}
async function configureReplication(pair, opts = {}) {
  const timeoutMs = opts.timeoutMs ?? 6e5;
  const config = buildReplicateConfiguration(pair);
  const want = config.clusters.map((c) => c.cluster_id).sort();
  const unimplemented = [];
  const sides = [pair.source, pair.target, ...pair.extraStandbys ?? []].filter(
    (side) => !opts.only || (opts.only === "primary" ? side === pair.source : side === pair.target)
  );
  for (const side of sides) {
    const role = side === pair.source ? "primary" : "standby";
    opts.log?.(`Applying the replicate configuration to the ${role} ${side.clusterId} (${side.uri})`);
    const client = clientFor(side, timeoutMs);
    try {
      const status = await withDeadline(
        client.updateReplicateConfiguration({ ...config, timeout: timeoutMs }),
        timeoutMs,
        `UpdateReplicateConfiguration on the ${role} ${side.clusterId} (${side.uri})`,
        opts.signal
      );
      if (!isSuccess(status)) {
        throw new ReplicationConfigError(
          `${role} ${side.clusterId} refused the replicate configuration: ${status.reason || JSON.stringify(status)}`
        );
      }
      if (await readBack(client, role, side.clusterId, want) === "unimplemented") unimplemented.push(role);
    } finally {
      await client.closeConnection().catch(() => {
      });
    }
  }
  if (unimplemented.length === 0) {
    return {
      configuration: config,
      confirmedBy: `GetReplicateConfiguration on ${opts.only ? `the ${opts.only}` : pair.extraStandbys?.length ? "every cluster" : "both clusters"}`
    };
  }
  opts.log?.(
    `GetReplicateConfiguration is UNIMPLEMENTED on the ${unimplemented.join(" and ")} (Milvus 2.6 before milvus-io/milvus#49810); confirming with GetReplicateInfo on the standby`
  );
  const channel = pair.target.pchannels[0];
  try {
    await getReplicateInfo(pair.target, pair.source.clusterId, channel, Math.min(timeoutMs, 3e4));
  } catch (e) {
    throw new ReplicationConfigError(
      `standby ${pair.target.clusterId}: the configuration cannot be read back (GetReplicateConfiguration UNIMPLEMENTED) and GetReplicateInfo(${pair.source.clusterId}, ${channel}) did not answer: ${e instanceof Error ? e.message : String(e)}`
    );
  }
  return {
    configuration: config,
    confirmedBy: `GetReplicateInfo on the standby (GetReplicateConfiguration UNIMPLEMENTED on the ${unimplemented.join(" and ")})`
  };
}
function reversedPair(pair) {
  return { source: pair.target, target: pair.source };
}
async function switchoverReplication(current, opts = {}) {
  const timeoutMs = opts.timeoutMs ?? 6e5;
  const next = reversedPair(current);
  const config = buildReplicateConfiguration(next);
  const started = Date.now();
  const answeredMs = {};
  await Promise.all(
    [current.source, current.target].map(async (side) => {
      const role = side === current.source ? "old primary" : "new primary";
      opts.log?.(`Applying the reversed topology to the ${role} ${side.clusterId} (${side.uri})`);
      const client = clientFor(side, timeoutMs);
      try {
        const status = await withDeadline(
          client.updateReplicateConfiguration({ ...config, timeout: timeoutMs }),
          timeoutMs,
          `UpdateReplicateConfiguration (switchover) on the ${role} ${side.clusterId} (${side.uri})`
        );
        if (!isSuccess(status)) {
          throw new ReplicationConfigError(
            `${role} ${side.clusterId} refused the reversed topology: ${status.reason || JSON.stringify(status)}`
          );
        }
        answeredMs[side.clusterId] = Date.now() - started;
      } finally {
        await client.closeConnection().catch(() => {
        });
      }
    })
  );
  return { config, answeredMs };
}
async function applyTopology(next, clusters, opts) {
  const timeoutMs = opts.timeoutMs ?? 6e5;
  const config = buildReplicateConfiguration(next);
  const started = Date.now();
  const answeredMs = {};
  const apply = async (side) => {
    const role = side === next.source ? "new primary" : "standby";
    opts.log?.(
      `Applying the new topology (primary ${next.source.clusterId}) to the ${role} ${side.clusterId}`
    );
    const client = clientFor(side, timeoutMs);
    try {
      const status = await withDeadline(
        client.updateReplicateConfiguration({ ...config, timeout: timeoutMs }),
        timeoutMs,
        `UpdateReplicateConfiguration (primary ${next.source.clusterId}) on the ${role} ${side.clusterId} (${side.uri})`,
        opts.signal
      );
      if (!isSuccess(status))
        throw new ReplicationConfigError(
          `${role} ${side.clusterId} refused the new topology: ${status.reason || JSON.stringify(status)}`
        );
      answeredMs[side.clusterId] = Date.now() - started;
    } finally {
      await client.closeConnection().catch(() => {
      });
    }
  };
  if (opts.together) await Promise.all(clusters.map(apply));
  else for (const c of clusters) await apply(c);
  return { config, answeredMs };
}
var FORCE_PROMOTE_NEEDS_EMPTY = "force promote requires empty cluster and topology fields";
var FORCE_PROMOTE_ALREADY_PRIMARY = "force promote can only be used on secondary clusters, current cluster is primary";
function forcePromoteRequest(standby, shape) {
  const clusters = shape === "empty" ? [] : [
    {
      cluster_id: standby.clusterId,
      connection_param: { uri: standby.replicateUri, token: standby.token ?? "" },
      pchannels: [...standby.pchannels]
    }
  ];
  return { clusters, cross_cluster_topology: [], force_promote: true };
}
async function forcePromote(standby, opts = {}) {
  const timeoutMs = opts.timeoutMs ?? 6e4;
  const attempts = [];
  const client = clientFor(standby, timeoutMs);
  try {
    for (const shape of ["current-cluster", "empty"]) {
      opts.log?.(`Force-promoting ${standby.clusterId} (${standby.uri}), request shape ${shape}`);
      const status = await withDeadline(
        client.updateReplicateConfiguration({ ...forcePromoteRequest(standby, shape), timeout: timeoutMs }),
        timeoutMs,
        `UpdateReplicateConfiguration (force_promote) on ${standby.clusterId} (${standby.uri})`
      );
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
      `${standby.clusterId} refused both force-promote request shapes: ${attempts.map((a) => `${a.shape}: ${a.reason}`).join("; ")}`
    );
  } finally {
    await client.closeConnection().catch(() => {
    });
  }
}
async function readReplicateConfiguration(endpoint, timeoutMs = 3e4) {
  const client = clientFor(endpoint, timeoutMs);
  try {
    const c = await fetchConfiguration(
      client,
      timeoutMs,
      (reason) => `GetReplicateConfiguration on ${endpoint.uri}: ${reason}`
    );
    if (c === "unimplemented") return "unimplemented";
    if (!c || !c.clusters || c.clusters.length === 0) return null;
    return { clusters: c.clusters, cross_cluster_topology: c.cross_cluster_topology ?? [] };
  } finally {
    await client.closeConnection().catch(() => {
    });
  }
}
async function getReplicateInfo(target, sourceClusterId, targetPchannel, timeoutMs) {
  const own = !(target instanceof import_milvus2_sdk_node.MilvusClient);
  const client = target instanceof import_milvus2_sdk_node.MilvusClient ? target : clientFor(target, timeoutMs);
  try {
    const res = await withDeadline(
      (0, import_milvus2_sdk_node.promisify)(
        client.channelPool,
        "GetReplicateInfo",
        { source_cluster_id: sourceClusterId, target_pchannel: targetPchannel },
        timeoutMs
      ),
      timeoutMs + 1e3,
      `GetReplicateInfo(${sourceClusterId}, ${targetPchannel})`
    );
    const cp = res?.checkpoint;
    if (!cp) return { timeTick: null, messageId: null };
    const tt = cp.time_tick;
    return {
      timeTick: tt === void 0 || tt === null || String(tt) === "0" ? null : String(tt),
      messageId: cp.message_id?.id ?? null
    };
  } finally {
    if (own) await client.closeConnection().catch(() => {
    });
  }
}
async function withDeadline(p, ms, what, signal) {
  let timer;
  let onAbort;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    onAbort = () => reject(new Error(`cancelled while waiting for ${what}`));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
  p.catch(() => {
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

export {
  clientFor,
  configureReplication,
  switchoverReplication,
  applyTopology,
  forcePromote,
  readReplicateConfiguration,
  getReplicateInfo,
  withDeadline
};
