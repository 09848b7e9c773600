/**
 * The local lab: two local clusters (Milvus Lite + front each, in a per-run temp dir on free ports) and,
 * once replication is configured, the reference replicator between them. Everything it starts dies with
 * it: stop() is idempotent, also runs when the caller's AbortSignal fires (the lab never listens to
 * process signals: the process's one signal owner does), and Milvus Lite is watched by a watchdog child
 * that kills it if this process is killed outright.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureReplication } from "../../milvus/replicate.js";
import { freePort } from "../../util/net.js";
import type { ClusterEndpoint } from "../types.js";
import type { LocalFaultMode as LabFaultMode } from "./faults/fault-modes.js";
import { faultMarkerFile } from "./faults/faults.js";
import { LinkProxy } from "./faults/link-proxy.js";
import { Front } from "./front/front.js";
import { ensureMilvusLite } from "./processes/milvus-lite-install.js";
import { MilvusLiteProcess } from "./processes/milvus-lite-process.js";
import type { ForcePromoteShapes } from "./replication/force-promote.js";
import { type MetricsRelay, serveMetricsRelay } from "./replication/metrics-relay.js";
import { ReplicationLinks } from "./replication/replication-links.js";
import {
  type ClusterSnapshot,
  type RestoreSecondaryResult,
  restoreSecondary,
} from "./replication/restore-secondary.js";

export {
  LOCAL_FAULT_MODES as LAB_FAULT_MODES,
  type LocalFaultMode as LabFaultMode,
} from "./faults/fault-modes.js";

export const DEFAULT_PCHANNELS = 16;

export interface LabOptions {
  faultMode?: LabFaultMode;
  /** drop: skip 1 in N messages; stall: stop after N messages. */
  faultEvery?: number;
  restartDelayMs?: number;
  /** Number of pchannels per cluster (Milvus default 16). */
  pchannels?: number;
  /** Token both fronts require (and the replicator sends). Never logged. */
  token?: string;
  /** Configure replication source -> target before returning (the same SDK call the kind backend makes). */
  replicate?: boolean;
  /** Keep the temp dirs after stop() (for post-mortems). */
  keep?: boolean;
  log?: (message: string) => void;
  readyTimeoutMs?: number;
  /** Stops the lab (also while it is starting): the caller's cancellation. */
  signal?: AbortSignal;
  /** "empty-only": both fronts answer force promote as the later Milvus validation alone does. */
  forcePromoteShapes?: ForcePromoteShapes;
  /** Standbys (a star, 1..4; default 1): standbys 2..N are `extraStandbys`, the first stays `target`. */
  standbys?: number;
  /** A star: faultMode goes to the replicator of the edge into this standby only (1-based). */
  faultStandby?: number;
}

export interface LabDirs {
  root: string;
  source: ClusterDirs;
  target: ClusterDirs;
  replicatorLog: string;
  /** A star: standbys 2..N by cluster id, and the log of each one's replicator. */
  extra: Array<{ clusterId: string; dirs: ClusterDirs; replicatorLog: string }>;
}

export interface ClusterDirs {
  root: string;
  data: string;
  state: string;
  wal: string;
  milvusLog: string;
}

export type LabSide = "source" | "target";

export interface Lab {
  /** The clusters as the lab started them (roles change with the topology; these names do not). */
  source: ClusterEndpoint;
  target: ClusterEndpoint;
  /** A star: standbys 2..N (the first is `target`); empty for a pair. */
  extraStandbys: ClusterEndpoint[];
  dirs: LabDirs;
  /** The replicator's Prometheus endpoint (Milvus's metric names), whichever replicator runs. */
  metricsUrl: string;
  /** Stop the replicator without a restart (CDC paused) / start it again. */
  pauseReplicator(): Promise<{ source: string; target: string }>;
  resumeReplicator(): Promise<{ source: string; target: string; pid: number | undefined }>;
  /** SIGKILL the running replicator now (in a star, every edge's: the primary's CDC); resolves once each replacement is up. */
  killReplicator(): Promise<{ killedAt: number; restartedAt: number; pid: number | undefined }>;
  readonly restarts: ReadonlyArray<{ killedAt: number; restartedAt: number }>;
  readonly replicatorPid: number | undefined;
  /** The cluster ids of the running replicator's edge, if one runs. */
  readonly replicating: { source: string; target: string } | undefined;
  /** Pids of every process this lab started (Milvus Lite servers, watchdogs, replicators). */
  pids(): number[];
  /** Ports the lab listens on (fronts and Milvus Lite servers). */
  ports(): number[];
  /** The pid of a cluster's Milvus Lite server, while it is up (tests freeze it). */
  enginePid(side: LabSide): number | undefined;
  fronts: { source: Front; target: Front };
  /** WAL sizes of the cluster(s) that are up. */
  walSizes(): Record<string, number>;
  /**
   * Takes a cluster down at once (its front, its Milvus Lite, the replicator it is the source of), as a
   * lost cluster: a failover drill then force-promotes the other one.
   */
  killCluster(side: LabSide): Promise<void>;
  /**
   * Brings a killed cluster back empty (no data, no configuration, no WAL) at the same URI, with the
   * same cluster id and pchannels, ready to join as the new standby.
   */
  rebuildCluster(side: LabSide): Promise<ClusterEndpoint>;
  /**
   * A crash and restart of one cluster: SIGKILL of its Milvus Lite and its front closed at once, then
   * both started again on the same data, state and WAL, at the same URI. The replicator keeps running.
   */
  restartCluster(side: LabSide): Promise<{ killedAt: number; restartedAt: number }>;
  /** The replication link into a cluster: the relay its replicateUri names (only replicators dial it). */
  /** A star: wipe a further standby (by cluster id) and start it again empty, same id, channels and URI. */
  rebuildStandby(clusterId: string): Promise<ClusterEndpoint>;
  link(side: LabSide): LinkProxy;
  /** A star: restartCluster of standby k (1-based; 1 is `target`), its cluster id with the times. */
  restartStandby(k: number): Promise<{ killedAt: number; restartedAt: number; clusterId: string }>;
  /** A star: the replication link into standby k (1-based; 1 is `target`), and its cluster id. */
  standbyLink(k: number): { link: LinkProxy; clusterId: string };
  /** The side the running replicator writes to, if one runs. */
  readonly replicationTarget: LabSide | undefined;
  /** Freezes the running replicator (SIGSTOP; in a star every edge's, the primary's CDC) without killing it; resume() sends SIGCONT. */
  freezeReplicator(): { pid: number; resume: () => void };
  /**
   * A nemesis fault starts now: the replicator's self-test fault wedge-channel acts on the first
   * message after it (a marker file next to the replicator's log, so a restarted replicator sees it too).
   */
  noteFault(name: string): void;
  /** Milvus Backup `create` on a cluster (front/seed-backup.ts); the lab keeps it under its name. */
  backup(side: LabSide, name: string): Promise<ClusterSnapshot>;
  /** Milvus Backup `restore secondary` of a kept backup into a cluster (replication/restore-secondary.ts). */
  restoreSecondary(name: string, side: LabSide, signal?: AbortSignal): Promise<RestoreSecondaryResult>;
  stop(): Promise<void>;
}

/** Per cluster: the pair's two sides always, a star's extra standbys by key (standby2..). */
type ByKey<T> = { source: T; target: T; [key: string]: T };

function pchannelNames(clusterId: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${clusterId}-rootcoord-dml_${i}`);
}

function clusterDirs(root: string, id: string): ClusterDirs {
  const base = join(root, id);
  const d = {
    root: base,
    data: join(base, "data"),
    state: join(base, "state"),
    wal: join(base, "wal"),
    milvusLog: join(base, "milvus-lite.log"),
  };
  for (const p of [d.data, d.state, d.wal]) mkdirSync(p, { recursive: true });
  return d;
}

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const log = opts.log ?? (() => {});
  const n = opts.pchannels ?? DEFAULT_PCHANNELS;
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new Error(`startLab: pchannels=${n} is not allowed (an integer from 1 to 256)`);
  }
  const standbys = opts.standbys ?? 1;
  if (!Number.isInteger(standbys) || standbys < 1 || standbys > 4)
    throw new Error(`startLab: standbys=${standbys} is not allowed (an integer from 1 to 4)`);
  const fs = opts.faultStandby;
  if (fs !== undefined && (!Number.isInteger(fs) || fs < 1 || fs > standbys))
    throw new Error(`startLab: faultStandby=${fs} is not allowed (a standby from 1 to ${standbys})`);
  const bin = await ensureMilvusLite(log);
  // Neither id may contain the other: Milvus CDC matches channels to clusters by substring.
  const rand = randomBytes(3).toString("hex");
  /** Standbys 2..N of a star: keys standby2.., ids `standby2-<rand>` (no id contains another). */
  const extraKeys = Array.from({ length: standbys - 1 }, (_, i) => `standby${i + 2}`);
  const ids: ByKey<string> = { source: `primary-${rand}`, target: `standby-${rand}` };
  for (const k of extraKeys) ids[k] = `${k}-${rand}`;
  const root = await mkdtemp(join(tmpdir(), "milvus-cdc-lab-"));
  const dirs: LabDirs = {
    root,
    source: clusterDirs(root, ids.source),
    target: clusterDirs(root, ids.target),
    replicatorLog: join(root, "replicator.log"),
    extra: extraKeys.map((k) => ({
      clusterId: ids[k] as string,
      dirs: clusterDirs(root, ids[k] as string),
      replicatorLog: join(root, `replicator-${ids[k]}.log`),
    })),
  };
  /** Every cluster's key: the pair's sides, then a star's extra standbys. */
  type Key = string;
  const keys: Key[] = ["source", "target", ...extraKeys];
  const dirsOf = (k: Key): ClusterDirs =>
    k === "source" || k === "target"
      ? dirs[k]
      : (dirs.extra.find((e) => e.clusterId === ids[k])?.dirs as ClusterDirs);
  interface Cluster {
    lite?: MilvusLiteProcess;
    front?: Front;
    /** The front's port, kept when the cluster is rebuilt so its URI stays the same. */
    port?: number;
  }
  const clusters: ByKey<Cluster> = { source: {}, target: {} };
  for (const k of extraKeys) clusters[k] = {};
  const metricsPort = await freePort();
  /** A star: the metrics port of the edge into each cluster (any cluster may become a target). */
  const edgeMetricsPorts = new Map<string, number>();
  if (standbys > 1) for (const k of keys) edgeMetricsPorts.set(ids[k] as string, await freePort());
  let relay: MetricsRelay | undefined;
  /** Every process ever started, so a stop during a rebuild still finds it. */
  const processes = new Set<MilvusLiteProcess>();
  /** A star's standby k (1-based): the first is `target`, the others standby2... */
  const standbyKey = (k: number): Key => {
    if (!Number.isInteger(k) || k < 1 || k > standbys)
      throw new Error(`standby ${k} is not in this lab (a standby from 1 to ${standbys})`);
    return k === 1 ? "target" : `standby${k}`;
  };
  /** The standby the self-test faults of a cluster act on (stall-after-standby-restart). */
  const faultKey = standbyKey(opts.faultStandby ?? 1);
  const sideOf = (clusterId: string): LabSide | undefined =>
    clusterId === ids.source ? "source" : clusterId === ids.target ? "target" : undefined;
  const keyOf = (clusterId: string): Key | undefined => keys.find((k) => ids[k] === clusterId);
  // The replication link into each cluster, kept for the lab's life so a rebuilt or restarted cluster
  // keeps its replicateUri.
  const proxies = {} as ByKey<LinkProxy>;
  /** Replicators frozen by freezeReplicator(): thawed before anything stops them. */
  const paused = new Set<number>();
  const thaw = (pid: number) => {
    if (!paused.delete(pid)) return;
    try {
      process.kill(pid, "SIGCONT");
    } catch {
      // gone already
    }
  };
  const links = new ReplicationLinks({
    cluster: (id) => {
      const key = keyOf(id);
      if (!key) return undefined;
      const front = clusters[key]?.front;
      return { walDir: dirsOf(key).wal, config: () => (front ? front.replicateConfiguration : undefined) };
    },
    faultMode: opts.faultMode ?? "none",
    faultEvery: opts.faultEvery ?? 0,
    restartDelayMs: opts.restartDelayMs ?? 0,
    logFile: dirs.replicatorLog,
    // A pair: whichever edge runs serves the lab's one port. A star: each edge its own (edgeMetricsPorts),
    // and the relay serves them together on the lab's port, as Milvus's one CDC node serves every edge.
    metricsPortFor: (t) => (standbys > 1 ? edgeMetricsPorts.get(t) : metricsPort),
    log,
    // A star: the fault on one standby's edge, each edge's replicator.log next to its standby's files.
    ...(standbys > 1
      ? {
          logFileFor: (t: string) =>
            dirs.extra.find((e) => e.clusterId === t)?.replicatorLog ?? dirs.replicatorLog,
          ...(opts.faultStandby !== undefined
            ? { faultTarget: ids[opts.faultStandby === 1 ? "target" : `standby${opts.faultStandby}`] }
            : {}),
        }
      : {}),
  });
  let stopping: Promise<void> | null = null;
  /** Backups by name: the bucket Milvus Backup would write them to. */
  const backups = new Map<string, ClusterSnapshot>();

  const stopCluster = async (c: Cluster) => {
    await c.front?.stop().catch(() => {});
    await c.lite?.stop().catch(() => {});
    if (c.lite) processes.delete(c.lite);
    c.front = undefined;
    c.lite = undefined;
  };
  // Idempotent per part, so it can run again for parts that appeared while a stop was under way.
  const cleanup = async () => {
    opts.signal?.removeEventListener("abort", onAbort);
    for (const pid of [...paused]) thaw(pid);
    await links.close().catch((e) => log(`replicator stop: ${(e as Error).message}`));
    await relay?.close();
    await Promise.all(Object.values(clusters).map(stopCluster));
    await Promise.all([...processes].map((p) => p.stop().catch(() => {})));
    await Promise.all(Object.values(proxies).map((p) => p.close().catch(() => {})));
    if (!opts.keep) await rm(root, { recursive: true, force: true }).catch(() => {});
  };
  const stop = (): Promise<void> => {
    stopping ??= cleanup().then(() => {
      if (opts.keep) log(`Lab files kept in ${root}`);
    });
    return stopping;
  };
  const checkStopped = () => {
    if (stopping) throw new Error("the lab was stopped while it was starting");
  };

  const onAbort = () => void stop();
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  const startLite = async (side: Key) => {
    const p = await MilvusLiteProcess.start({
      bin,
      dataDir: dirsOf(side).data,
      logFile: dirsOf(side).milvusLog,
      readyTimeoutMs: opts.readyTimeoutMs,
      signal: opts.signal,
    });
    processes.add(p);
    (clusters[side] as Cluster).lite = p;
    return p;
  };
  const startFront = async (side: Key, lite: MilvusLiteProcess, restarted = false) => {
    const id = ids[side] as string;
    const c = clusters[side] as Cluster;
    const f = await Front.start({
      clusterId: id,
      pchannels: pchannelNames(id, n),
      backendAddress: lite.address,
      stateDir: dirsOf(side).state,
      walDir: dirsOf(side).wal,
      token: opts.token,
      port: c.port,
      log,
      onConfigured: (change) => links.configured(id, change),
      // The original primary is the one a role change demotes: the planted split brain lives there.
      staleWhenDemoted: opts.faultMode === "stale-primary" && side === "source",
      forcePromoteShapes: opts.forcePromoteShapes,
      // The self-test fault: once restarted, the standby rejects what it is sent (milvus-io/milvus#45086).
      rejectReplicated:
        restarted && opts.faultMode === "stall-after-standby-restart" && side === faultKey
          ? `fault stall-after-standby-restart: the restarted standby ${id} rejects every replicated message after its checkpoint (milvus-io/milvus#45086)`
          : undefined,
    });
    c.front = f;
    c.port = Number(f.uri.split(":").pop());
    return f;
  };
  /**
   * One cluster lost at once (killCluster, rebuildStandby): the engine is SIGKILLed before anything else
   * notices, as a crashed host would be; its replication out stops and its front closes.
   */
  /** SIGKILL of a cluster's Milvus Lite, between two of its writes (Front.crash says why); when it fell. */
  const crash = async (c: Cluster): Promise<number> => {
    let killedAt = Date.now();
    const kill = async () => {
      killedAt = Date.now();
      await c.lite?.kill();
    };
    await (c.front ? c.front.crash(kill) : kill());
    return killedAt;
  };
  const lose = async (key: Key): Promise<void> => {
    const c = clusters[key] as Cluster;
    await crash(c);
    await links.stopSource(ids[key] as string);
    await stopCluster(c);
  };
  /** A crash and restart of one cluster on its data (restartCluster, restartStandby). */
  const restart = async (key: Key): Promise<{ killedAt: number; restartedAt: number }> => {
    const c = clusters[key] as Cluster;
    if (!c.front) throw new Error(`restartCluster: the ${key} cluster is down`);
    // A crash: the engine is SIGKILLed first, the front (this process) closes at once after it.
    const killedAt = await crash(c);
    await stopCluster(c);
    checkStopped();
    const f = await startFront(key, await startLite(key), true);
    const restartedAt = Date.now();
    log(`Cluster ${ids[key]} restarted on its data at ${f.uri} (down ${restartedAt - killedAt} ms)`);
    return { killedAt, restartedAt };
  };
  const sideOfFront = (f: Front): Key => keyOf(f.clusterId) as Key;
  const endpoint = (f: Front): ClusterEndpoint => ({
    clusterId: f.clusterId,
    uri: f.uri,
    token: opts.token,
    replicateUri: (proxies[sideOfFront(f)] as LinkProxy).uri,
    pchannels: [...f.pchannels],
  });
  const up = (side: LabSide): Front => {
    const f = clusters[side].front;
    if (!f) throw new Error(`the ${side} cluster ${ids[side]} is down (killCluster); rebuild it first`);
    return f;
  };

  try {
    if (standbys > 1)
      relay = await serveMetricsRelay(metricsPort, () =>
        links.all().flatMap((l) => {
          const port = edgeMetricsPorts.get(l.target);
          return port === undefined ? [] : [`http://127.0.0.1:${port}/metrics`];
        }),
      );
    for (const s of keys) proxies[s] = await LinkProxy.start(() => clusters[s]?.port);
    const lites = await Promise.all(keys.map((k) => startLite(k)));
    checkStopped();
    const fronts: Front[] = [];
    for (const [i, k] of keys.entries()) fronts.push(await startFront(k, lites[i] as MilvusLiteProcess));
    checkStopped();
    const [source, target, ...extraStandbys] = fronts.map(endpoint) as [
      ClusterEndpoint,
      ClusterEndpoint,
      ...ClusterEndpoint[],
    ];
    log(`Lab up: source ${source.clusterId} at ${source.uri}, target ${target.clusterId} at ${target.uri}`);
    for (const e of extraStandbys) log(`Lab up: standby ${e.clusterId} at ${e.uri} (a star)`);
    // A star: every edge, as the drill applies it (the lab's --replicate configured only the first).
    if (opts.replicate)
      await configureReplication(
        { source, target, ...(extraStandbys.length > 0 ? { extraStandbys } : {}) },
        { timeoutMs: 60_000, log },
      );

    const lab: Lab = {
      source,
      target,
      extraStandbys,
      dirs,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      fronts: {
        get source() {
          return up("source");
        },
        get target() {
          return up("target");
        },
      },
      pauseReplicator: () => links.pause(),
      resumeReplicator: () => links.resume(),
      async killReplicator() {
        const all = links.all();
        const link = all[0];
        if (!link) throw new Error("killReplicator: no replicator is running (replication not configured)");
        // A star: Milvus runs one CDC node per primary cluster for every edge; killing it stops them all.
        const rs = await Promise.all(all.map((l) => l.supervisor.kill()));
        return {
          killedAt: Math.min(...rs.map((r) => r.killedAt)),
          restartedAt: Math.max(...rs.map((r) => r.restartedAt)),
          pid: link.supervisor.pid,
        };
      },
      get restarts() {
        return links.restarts;
      },
      get replicatorPid() {
        return links.current()?.supervisor.pid;
      },
      get replicating() {
        const l = links.current();
        return l ? { source: l.source, target: l.target } : undefined;
      },
      pids() {
        const out: number[] = [];
        for (const p of processes) {
          if (p.pid !== undefined) out.push(p.pid);
          if (p.watchdogPid !== undefined) out.push(p.watchdogPid);
        }
        out.push(...links.pids());
        return out;
      },
      enginePid: (side) => clusters[side].lite?.pid,
      ports() {
        const port = (u: string) => Number(u.split(":").pop());
        return [
          ...Object.values(clusters).flatMap((c) => (c.front ? [port(c.front.uri)] : [])),
          ...[...processes].map((p) => port(p.address)),
        ];
      },
      walSizes: () =>
        Object.assign({}, ...Object.values(clusters).map((c) => c.front?.walSizes() ?? {})) as Record<
          string,
          number
        >,
      async killCluster(side) {
        await lose(side);
        log(`Cluster ${ids[side]} killed`);
      },
      async rebuildCluster(side) {
        if (clusters[side].front) throw new Error(`rebuildCluster: the ${side} cluster is up; kill it first`);
        await rm(dirs[side].root, { recursive: true, force: true });
        dirs[side] = clusterDirs(root, ids[side]);
        const f = await startFront(side, await startLite(side));
        log(`Cluster ${ids[side]} rebuilt empty at ${f.uri}`);
        return endpoint(f);
      },
      restartCluster: (side) => restart(side),
      async restartStandby(k) {
        const key = standbyKey(k);
        return { ...(await restart(key)), clusterId: ids[key] as string };
      },
      async rebuildStandby(clusterId) {
        const key = keyOf(clusterId);
        const entry = dirs.extra.find((e) => e.clusterId === clusterId);
        if (!key || !entry)
          throw new Error(`rebuildStandby: ${clusterId} is not one of the star's further standbys`);
        await lose(key);
        await rm(entry.dirs.root, { recursive: true, force: true });
        entry.dirs = clusterDirs(root, clusterId);
        const f = await startFront(key, await startLite(key));
        log(`Standby ${clusterId} wiped and started again empty at ${f.uri}`);
        return endpoint(f);
      },
      link: (side) => proxies[side],
      standbyLink(k) {
        const key = standbyKey(k);
        return { link: proxies[key] as LinkProxy, clusterId: ids[key] as string };
      },
      noteFault(name) {
        if (opts.faultMode !== "wedge-channel") return;
        // A star: next to every edge's log (only the faulted edge's replicator runs wedge-channel).
        for (const log of [dirs.replicatorLog, ...dirs.extra.map((e) => e.replicatorLog)])
          writeFileSync(faultMarkerFile(log), `${new Date().toISOString()} ${name}\n`, { flag: "a" });
      },
      get replicationTarget() {
        const l = links.current();
        return l ? sideOf(l.target) : undefined;
      },
      freezeReplicator() {
        // A star: Milvus runs one CDC node per primary for every edge; freezing it freezes them all.
        const pids = links
          .all()
          .map((l) => l.supervisor.pid)
          .filter((p): p is number => p !== undefined);
        const pid = pids[0];
        if (pid === undefined) throw new Error("freezeReplicator: no replicator is running");
        for (const p of pids) {
          process.kill(p, "SIGSTOP");
          paused.add(p);
        }
        return {
          pid,
          resume: () => {
            for (const p of pids) thaw(p);
          },
        };
      },
      async backup(side, name) {
        const snap = await up(side).backup(name);
        backups.set(name, snap);
        log(
          `Backup ${name} of ${snap.clusterId}: ${snap.messages.length} requests, points at tt ${snap.points[0]?.timeTick}`,
        );
        return snap;
      },
      async restoreSecondary(name, side, signal) {
        const snap = backups.get(name);
        if (!snap) throw new Error(`restoreSecondary: no backup named ${name} in this lab`);
        const f = up(side);
        const r = await restoreSecondary({
          snapshot: snap,
          target: { clusterId: f.clusterId, uri: f.uri, token: opts.token },
          faultMode: opts.faultMode ?? "none",
          timeoutMs: 120_000,
          signal,
          log,
        });
        // milvus-io/milvus#52727: CDC stopped itself right after seeding and the secondary became a
        // primary. The standby force-promotes itself as the restore ends: it drops the edge from the
        // source, takes client writes, and refuses the stream the source's CDC then opens.
        if (opts.faultMode === "seed-standby-promoted") {
          const u = await f.forcePromote({});
          if (!u.ok) throw new Error(`restoreSecondary: fault seed-standby-promoted: ${u.reason}`);
          log(`restore secondary ${name}: fault seed-standby-promoted: ${f.clusterId} is now a primary`);
        }
        return r;
      },
      stop,
    };
    return lab;
  } catch (e) {
    await stop();
    await cleanup();
    throw e;
  }
}
