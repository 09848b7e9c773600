/**
 * The steps of a role change (scenarios switchover and failover), each timed into the history as a
 * `step` event: what the article calls "measure how long each step takes". The drill calls them in
 * order; each throws (after recording its failure) when the drill cannot go on.
 *
 * switchover (milvus.io docs cdc_switchover.md): stop writes, wait until the standby caught up, apply the
 *   reversed topology to both, first write on the new primary, its writes reach the old one, back.
 * failover (cdc_failover.md): the primary is lost mid-stream, the standby is force-promoted, first write,
 *   the old primary is rebuilt empty as the new one's standby, its data flows back, optionally back.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { Backend, ClusterEndpoint, ClusterPair, Logger } from "../backends/types.js";
import type { CollectionFinal } from "../checkers/types.js";
import { connect } from "../client/connect.js";
import { DrillExecutor, HEARTBEAT_COLLECTION } from "../client/executor.js";
import type { DrillConfig } from "../config/schema.js";
import { type CollectionSpec, PK_FIELD, VER_FIELD } from "../generator/rows.js";
import type { WorkloadPlanner } from "../generator/workload.js";
import type { Pk, StepName } from "../history/types.js";
import type { HistoryWriter } from "../history/writer.js";
import { configureReplication, forcePromote, switchoverReplication } from "../milvus/replicate.js";
import { isSuccess } from "../milvus/status.js";
import { verifyClusters } from "../verify/verify.js";
import { probeStandbyWrite } from "./probes.js";
import { restoreInto } from "./restore.js";
import { seedStandby } from "./seed.js";
import { countOf, exists, hasCollection, markerSeen, type SettleMarker } from "./settle.js";
import { runStarRoleChange } from "./star-role-change.js";
import type { WorkloadRunner } from "./workload.js";

export interface StepResult {
  primary?: string;
  detail?: Record<string, unknown>;
}

export class StepError extends Error {
  constructor(
    readonly step: StepName,
    message: string,
  ) {
    super(message);
  }
}

/** Runs one step, records it (ok or failed) with its start and end, and returns what it returned. */
export async function timedStep<T extends StepResult>(
  history: HistoryWriter,
  log: Logger,
  name: StepName,
  fn: () => Promise<T>,
): Promise<T> {
  const startedAt = Date.now();
  try {
    const r = await fn();
    const time = Date.now();
    history.append({
      type: "step",
      name,
      startedAt,
      time,
      ok: true,
      ...(r?.primary ? { primary: r.primary } : {}),
      ...(r?.detail ? { detail: r.detail } : {}),
    });
    log.info(`step ${name}: ${time - startedAt} ms${r?.primary ? `, primary ${r.primary}` : ""}`);
    return r;
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    history.append({ type: "step", name, startedAt, time: Date.now(), ok: false, error });
    throw e instanceof StepError ? e : new StepError(name, error);
  }
}

const SNAPSHOT_BATCH = 500;
type Reads = Array<{ pk: Pk; ver: number | null }>;

/**
 * What the new primary inherited: every written key's version and count(*) per collection, read
 * before any write reaches it. One `snapshot` event per collection (an error is recorded, not thrown:
 * the rpo check then says unknown for that collection).
 */
export async function snapshotPromoted(
  client: MilvusClient,
  clusterId: string,
  history: HistoryWriter,
  onRead?: (collection: string, reads: Reads) => void,
  label: "promoted" | "repointed" = "promoted",
): Promise<void> {
  for (const [collection, keys] of history.facts.writtenKeys()) {
    const invokeTime = Date.now();
    const record = (snap: { count: number | null; reads: Reads; exists?: false; error?: string }) =>
      history.append({
        type: "snapshot",
        label,
        cluster: clusterId,
        collection,
        invokeTime,
        time: Date.now(),
        ...snap,
      });
    // A collection the new primary never received (its creation was lost with the old primary) is
    // seen, not skipped: every key reads absent, and the checks judge that against the drill's drops.
    const present = await hasCollection(client, collection);
    if (present !== true) {
      if (present !== false) {
        record({ count: null, reads: [], error: `has_collection failed: ${present.error}` });
        continue;
      }
      const reads = [...keys].map((pk) => ({ pk, ver: null }));
      onRead?.(collection, reads);
      record({ count: 0, reads, exists: false });
      continue;
    }
    const reads: Reads = [];
    let error: string | undefined;
    const all = [...keys];
    try {
      for (let i = 0; i < all.length; i += SNAPSHOT_BATCH) {
        const batch = all.slice(i, i + SNAPSHOT_BATCH);
        const res = await client.query({
          collection_name: collection,
          filter: `${PK_FIELD} in [${batch.join(",")}]`,
          output_fields: [PK_FIELD, VER_FIELD],
          consistency_level: "Strong" as never,
          limit: batch.length * 2,
          timeout: 30_000,
        });
        if (!isSuccess(res.status)) throw new Error(res.status.reason || "query failed");
        const seen = new Map<string, number>();
        for (const row of res.data) {
          const pk = String(row[PK_FIELD]);
          const ver = Number(row[VER_FIELD]);
          seen.set(pk, Math.max(seen.get(pk) ?? 0, ver));
        }
        for (const pk of batch) reads.push({ pk, ver: seen.get(pk) ?? null });
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (!error) onRead?.(collection, reads);
    const count = await countOf(client, collection);
    record({
      count: typeof count === "number" ? count : null,
      reads: error ? [] : reads,
      ...(error ? { error } : {}),
    });
  }
}

/**
 * The first write on the new primary: a marker row, retried (each attempt is a recorded op) until one
 * is acknowledged or `timeoutMs` passes, as Milvus's own suite probes a promoted cluster until it is
 * writable (test_force_promote.py promote_call_until_writable).
 */
export async function firstWrite(
  runner: WorkloadRunner,
  planner: WorkloadPlanner,
  collection: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ opId: number; attempts: number; marker: SettleMarker }> {
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let last = "";
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    attempts += 1;
    const op = planner.settleMarker(collection);
    const { id, outcome } = await runner.runWithId(op, -3);
    if (outcome.type === "ok")
      return {
        opId: id,
        attempts,
        marker: {
          collection,
          pk: outcome.assigned?.[0] ?? (op.keys[0]?.pk as string),
          ver: op.keys[0]?.ver as number,
        },
      };
    last = outcome.error;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `no write acknowledged by the new primary within ${timeoutMs} ms (${attempts} attempt(s)): ${last}`,
  );
}

/**
 * One marker per collection written on `source`, then wait until `target` shows each marker and the same
 * count(*) per collection: replication in that direction has caught up. Past the markers, counts that
 * differ but stay unchanged for `stableMs` mean replication settled on a different state (rows lost or
 * kept on one side): the wait ends there and says so, and reverse-parity reports the difference, as the
 * first leg's catch-up wait does (settle.ts).
 */
export async function waitReplicated(o: {
  runner: WorkloadRunner;
  planner: WorkloadPlanner;
  source: MilvusClient;
  target: MilvusClient;
  collections: string[];
  timeoutMs: number;
  stableMs?: number;
  signal?: AbortSignal;
}): Promise<{ markers: number; elapsedMs: number; settledWith?: string }> {
  const started = Date.now();
  const stableMs = o.stableMs ?? 3_000;
  let lastCounts = "";
  let stableSince = 0;
  const markers: SettleMarker[] = [];
  const live: string[] = [];
  for (const name of o.collections) {
    if (!(await exists(o.source, name))) continue;
    live.push(name);
    const op = o.planner.settleMarker(name);
    const out = await o.runner.run(op, -3);
    if (out.type !== "ok") throw new Error(`marker write to ${name} on the new primary failed: ${out.error}`);
    markers.push({ collection: name, pk: op.keys[0]?.pk as string, ver: op.keys[0]?.ver as number });
  }
  const deadline = started + o.timeoutMs;
  let waitingFor = "";
  while (Date.now() < deadline) {
    o.signal?.throwIfAborted();
    waitingFor = "";
    for (const m of markers) {
      if (!(await markerSeen(o.target, m))) {
        waitingFor = `marker ${m.pk} ver ${m.ver} in ${m.collection}`;
        break;
      }
    }
    if (!waitingFor) {
      const counts: string[] = [];
      const differ: string[] = [];
      for (const name of live) {
        const [a, b] = [await countOf(o.source, name), await countOf(o.target, name)];
        counts.push(`${name}:${a}:${b}`);
        if (a !== b) differ.push(`${name}: count(*) ${a} on the source, ${b} on the target`);
      }
      if (differ.length === 0) return { markers: markers.length, elapsedMs: Date.now() - started };
      waitingFor = differ.join("; ");
      const key = counts.join(",");
      if (key !== lastCounts) {
        lastCounts = key;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= stableMs) {
        return { markers: markers.length, elapsedMs: stableSince - started, settledWith: waitingFor };
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`replication did not catch up within ${o.timeoutMs} ms: still waiting for ${waitingFor}`);
}

/** Force promote, retried until the standby answers (promoted, or already primary) or the bound passes. */
export async function promoteUntilAnswered(
  standby: ClusterEndpoint,
  timeoutMs: number,
  log: Logger,
): Promise<StepResult> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const r = await forcePromote(standby, {
        timeoutMs: Math.max(1_000, Math.min(60_000, deadline - Date.now())),
        log: (m) => log.info(m),
      });
      return {
        primary: standby.clusterId,
        detail: { shape: r.shape, alreadyPrimary: r.alreadyPrimary, attempts: r.attempts },
      };
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  throw new Error(`force promote of ${standby.clusterId} did not succeed within ${timeoutMs} ms: ${last}`);
}

/** The reversed topology on both clusters (planned switchover); `current` is the pair as it replicates now. */
export async function switchRoles(current: ClusterPair, log: Logger): Promise<StepResult> {
  const { answeredMs } = await switchoverReplication(current, {
    timeoutMs: 120_000,
    log: (m) => log.info(m),
  });
  return { primary: current.target.clusterId, detail: { answeredMs } };
}

/** Compares the new primary (source) with the cluster that replicates from it, every row. */
export async function verifyReverse(
  pair: ClusterPair,
  collections: string[],
): Promise<{ source: string; target: string; collections: CollectionFinal[] }> {
  const v = await verifyClusters({
    source: pair.source,
    target: pair.target,
    collections,
    versionField: VER_FIELD,
    searchQueries: 0,
    k: 10,
  });
  return { source: pair.source.clusterId, target: pair.target.clusterId, collections: v.final.collections };
}

/**
 * Failover's way back: the lost primary (the lab's `source`) rebuilt empty, seeded from the new primary
 * B and joined as its standby (beside a star's other standbys, `extraStandbys`, which already follow B).
 */
export async function rebuildFromNewPrimary(
  i: RoleChangeInput,
  B: ClusterEndpoint,
  bClient: MilvusClient,
  extraStandbys: ClusterEndpoint[] = [],
): Promise<ClusterEndpoint> {
  const { config, history, log, runner, planner, specs, signal } = i;
  const collections = [...specs.keys()];
  const firstCollection = (config.workload.collections[0] as CollectionSpec).name;
  const catchUpMs = config.thresholds.catchUpTimeoutMs;
  const b = { client: bClient };
  const extra = extraStandbys.length > 0 ? { extraStandbys } : {};
  const backend = i.backend;
  if (!backend.rebuildCluster)
    throw new StepError("rebuild", `backend ${backend.info.name} cannot rebuild a cluster`);
  const rebuild = backend.rebuildCluster.bind(backend);
  return timedStep(history, log, "rebuild", async () => {
    const ep = await rebuild("source", signal);
    // Restored from the new primary while nothing writes to it, then joined as its standby: CDC
    // carries what comes after the configuration change.
    const fresh = clusterClients(ep, specs);
    try {
      // The operator's way (milvus-io/milvus#53512): a backup of B restored into the fresh A with
      // Milvus Backup's restore secondary, the same seeding path as scenario seed (./seed.ts); its
      // steps are timed into this one's detail. A backend without it gets the drill's own copy.
      if (backend.backup && backend.restoreSecondary) {
        const timings: Record<string, number> = {};
        const seeded = await seedStandby({
          backend,
          pair: { source: B, target: ep, ...extra },
          sides: { source: "target", target: "source" },
          source: b.client,
          target: fresh.client,
          collections: [...collections, HEARTBEAT_COLLECTION],
          writeMarker: async () => {
            const op = planner.settleMarker(firstCollection);
            const out = await runner.run(op, -3);
            return out.type === "ok"
              ? {
                  collection: firstCollection,
                  pk: out.assigned?.[0] ?? (op.keys[0]?.pk as string),
                  ver: op.keys[0]?.ver as number,
                }
              : undefined;
          },
          timeoutMs: catchUpMs,
          log,
          step: async (name, fn) => {
            const t0 = Date.now();
            const r = await fn();
            timings[`${name}Ms`] = Date.now() - t0;
            return r;
          },
          name: `drill-rebuild-${config.seed}`,
          signal,
        });
        return {
          primary: B.clusterId,
          detail: {
            cluster: ep.clusterId,
            uri: ep.uri,
            via: "restore secondary",
            backup: seeded.backup.name,
            rows: seeded.rowsSeeded,
            ...timings,
          },
          ep,
        };
      }
      log.info(
        `backend ${backend.info.name} offers no restore secondary; the drill copies ${B.clusterId}'s data into ${ep.clusterId} itself`,
      );
      const restored = await restoreInto({
        from: b.client,
        to: fresh.client,
        toExec: fresh.exec,
        collections: [...collections, HEARTBEAT_COLLECTION],
        keys: history.facts.writtenKeys(),
      });
      await configureReplication(
        { source: B, target: ep, ...extra },
        { timeoutMs: catchUpMs, log: (m) => log.info(m) },
      );
      return { primary: B.clusterId, detail: { cluster: ep.clusterId, uri: ep.uri, ...restored }, ep };
    } finally {
      await fresh.close().catch(() => {});
    }
  }).then((r) => r.ep);
}

/** Clients and an executor on one cluster, closed together. */
export function clusterClients(endpoint: ClusterEndpoint, specs: Map<string, CollectionSpec>) {
  const client = connect(endpoint, { timeoutMs: 30_000 });
  return { client, exec: new DrillExecutor(client, specs, 30_000), close: () => client.closeConnection() };
}

/** Progress of the first leg at which a failover loses its primary (writes still in flight). */
export const LOSS_AT = 0.7;

/**
 * Resolves when the primary should be lost: the workload is past LOSS_AT, and every CDC kill so far
 * has ended and been followed by a heartbeat the standby showed (so checkpoint recovery was observed
 * before the loss). A workload that ended first waits for that too, up to `healWaitMs`.
 */
export async function watchForLoss(o: {
  runner: WorkloadRunner;
  history: HistoryWriter;
  workloadEnded: { ended: boolean };
  /**
   * How long a workload that ended first still waits for a CDC kill to heal (thresholds'
   * recoveryTimeoutMs): on a slow machine the workload can end while the replicator restarts, and a
   * loss then would stop it before its recovery was seen (checkpoint-recovery unknown).
   */
  healWaitMs: number;
  /** A star: the further standbys' cluster ids, each of whose recovery is waited for too. */
  standbys?: readonly string[];
  signal?: AbortSignal;
}): Promise<void> {
  const startedAt = Date.now();
  const facts = o.history.facts;
  let endedAt: number | undefined;
  for (;;) {
    if (o.signal?.aborted) return;
    const healed =
      facts.openFaults.size === 0 &&
      facts.lastSeenWall > facts.lastFaultEnd &&
      (o.standbys ?? []).every((id) => (facts.lastSeenWallOf.get(id) ?? 0) > facts.lastFaultEnd);
    if (o.workloadEnded.ended) {
      endedAt ??= Date.now();
      if (healed || Date.now() - endedAt >= o.healWaitMs) return;
    } else if (o.runner.progress(startedAt) >= LOSS_AT && healed) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The primary is gone: stop handing out writes, lose the cluster, stop what watched it. */
export async function losePrimary(
  backend: Backend,
  o: {
    runner: WorkloadRunner;
    nemesis: { stop(): Promise<void> };
    monitor: { stop(): Promise<void> };
    history: HistoryWriter;
    log: Logger;
  },
): Promise<void> {
  if (!backend.loseCluster)
    throw new StepError("primary-lost", `backend ${backend.info.name} cannot lose a cluster`);
  const lose = backend.loseCluster.bind(backend);
  // Lost first, while ops are in flight (their outcome is unknown); then nothing new is sent to it.
  await timedStep(o.history, o.log, "primary-lost", async () => ({ detail: await lose("source") }));
  o.runner.stop();
  await o.nemesis.stop();
  await o.monitor.stop();
}

export interface RoleChangeInput {
  config: DrillConfig;
  backend: Backend;
  /** The pair as provisioned: source = A, the original primary. */
  pair: ClusterPair;
  runner: WorkloadRunner;
  planner: WorkloadPlanner;
  specs: Map<string, CollectionSpec>;
  history: HistoryWriter;
  log: Logger;
  signal?: AbortSignal;
  /** The executor on the original primary, for writes after a switch back. */
  oldPrimaryExec: DrillExecutor;
}

/** How many ops the new primary takes in its own leg: half the first leg, at least 20. */
function secondLegOps(config: DrillConfig): number {
  return Math.max(20, Math.round((config.workload.ops ?? 200) / 2));
}

/**
 * Everything after the first leg: role change, first write, a leg on the new primary, the way back
 * (rebuild for a failover), the reverse comparison and the optional switch back. Returns the pair as
 * it replicates at the end and the reverse comparison for the reverse-parity check.
 */
export interface RoleChangeResult {
  current: ClusterPair;
  reverse: ReverseComparison;
  /** A star: each re-pointed standby compared with the new primary once it replicated from it. */
  standbyReverse?: ReverseComparison[];
}

export type ReverseComparison = { source: string; target: string; collections: CollectionFinal[] };

export async function runRoleChange(i: RoleChangeInput): Promise<RoleChangeResult> {
  // A star: one standby promoted, the others re-pointed at it (star-role-change.ts).
  if ((i.pair.extraStandbys ?? []).length > 0) return runStarRoleChange(i);
  const { config, history, log, runner, planner, specs, signal } = i;
  const A = i.pair.source;
  const B = i.pair.target;
  const collections = [...specs.keys()];
  const firstCollection = (config.workload.collections[0] as CollectionSpec).name;
  const catchUpMs = config.thresholds.catchUpTimeoutMs;
  const b = clusterClients(B, specs);
  const opened: Array<{ close: () => Promise<unknown> }> = [b];
  try {
    // 1. The role change itself.
    if (config.scenario === "switchover") {
      await timedStep(history, log, "role-change", () => switchRoles(i.pair, log));
    } else {
      await timedStep(history, log, "force-promote", () =>
        promoteUntilAnswered(B, config.thresholds.rtoMs, log),
      );
    }
    // 2. B takes writes: RTO ends at the first one acknowledged.
    runner.retarget(b.exec);
    await timedStep(history, log, "first-write", async () => ({
      primary: B.clusterId,
      detail: await firstWrite(runner, planner, firstCollection, config.thresholds.rtoMs, signal),
    }));
    // 3. What B inherited, read before the workload reaches it (the first write only moved the marker
    // key forward, which a snapshot may show: a newer version holds every older one).
    let distrusted = 0;
    await snapshotPromoted(b.client, B.clusterId, history, (c, reads) => {
      distrusted += planner.distrust(c, reads);
    });
    if (distrusted > 0)
      log.info(`${distrusted} key(s) are not as the old primary left them: written as uncertain from now on`);
    const leg = await runner.runMore(secondLegOps(config));
    log.info(
      `${runner.opsDone} ops on the new primary ${B.clusterId} in ${((leg.endedAt - leg.startedAt) / 1000).toFixed(1)} s`,
    );

    // 4. The way back: A replicates from B (a failover first rebuilds A empty as B's standby).
    let a2 = A;
    if (config.scenario === "failover") a2 = await rebuildFromNewPrimary(i, B, b.client);
    const a = clusterClients(a2, specs);
    opened.push(a);
    await timedStep(history, log, "reverse-replication", async () => ({
      primary: B.clusterId,
      detail: await waitReplicated({
        runner,
        planner,
        source: b.client,
        target: a.client,
        collections,
        timeoutMs: catchUpMs,
        signal,
      }),
    }));
    const reverse = await verifyReverse({ source: B, target: a2 }, [...collections, HEARTBEAT_COLLECTION]);
    // No split brain: the demoted (or rebuilt) cluster refuses client writes.
    await probeStandbyWrite(
      a.client,
      history,
      config.workload.collections[0] as CollectionSpec,
      planner,
      runner.allocateId(),
      { cluster: a2.clusterId, purpose: "demoted" },
      signal,
    );

    // 5. Optionally back to A, proven by a write on A reaching B.
    if (!config.switchBack) return { current: { source: B, target: a2 }, reverse };
    await timedStep(history, log, "switch-back", async () => {
      const r = await switchRoles({ source: B, target: a2 }, log);
      runner.retarget(config.scenario === "failover" ? a.exec : i.oldPrimaryExec);
      const back = await waitReplicated({
        runner,
        planner,
        source: a.client,
        target: b.client,
        collections,
        timeoutMs: catchUpMs,
        signal,
      });
      return { primary: a2.clusterId, detail: { ...r.detail, ...back } };
    });
    return { current: { source: a2, target: B }, reverse };
  } finally {
    for (const c of opened) await c.close().catch(() => {});
  }
}
