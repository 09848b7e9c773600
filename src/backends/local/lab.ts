/**
 * The local lab: two local clusters (Milvus Lite + front each, in a per-run temp dir on free ports) and,
 * once replication is configured, the reference replicator between them. Everything it starts dies with
 * it: stop() is idempotent, also runs when the caller's AbortSignal fires (the lab never listens to
 * process signals: the process's one signal owner does), and Milvus Lite is watched by a watchdog child
 * that kills it if this process is killed outright.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureReplication } from "../../milvus/replicate.js";
import type { ClusterEndpoint } from "../types.js";
import type { LocalFaultMode as LabFaultMode } from "./fault-modes.js";
import { Front } from "./front.js";
import { ensureMilvusLite } from "./milvus-lite-install.js";
import { MilvusLiteProcess } from "./milvus-lite-process.js";
import type { ReplicateConfiguration } from "./replicate-config.js";
import { ReplicatorSupervisor } from "./supervisor.js";

export { LOCAL_FAULT_MODES as LAB_FAULT_MODES, type LocalFaultMode as LabFaultMode } from "./fault-modes.js";

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
}

export interface LabDirs {
  root: string;
  source: ClusterDirs;
  target: ClusterDirs;
  replicatorLog: string;
}

export interface ClusterDirs {
  root: string;
  data: string;
  state: string;
  wal: string;
  milvusLog: string;
}

export interface Lab {
  source: ClusterEndpoint;
  target: ClusterEndpoint;
  dirs: LabDirs;
  /** SIGKILL the replicator now; resolves once its replacement is up. */
  killReplicator(): Promise<{ killedAt: number; restartedAt: number; pid: number | undefined }>;
  readonly restarts: ReadonlyArray<{ killedAt: number; restartedAt: number }>;
  readonly replicatorPid: number | undefined;
  /** Pids of every process this lab started (Milvus Lite servers, watchdogs, replicator). */
  pids(): number[];
  /** Ports the lab listens on (fronts and Milvus Lite servers). */
  ports(): number[];
  fronts: { source: Front; target: Front };
  walSizes(): Record<string, number>;
  stop(): Promise<void>;
}

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
  const bin = await ensureMilvusLite(log);
  // Neither id may contain the other: Milvus CDC matches channels to clusters by substring.
  const rand = randomBytes(3).toString("hex");
  const ids = { source: `primary-${rand}`, target: `standby-${rand}` };
  const root = await mkdtemp(join(tmpdir(), "milvus-cdc-lab-"));
  const dirs: LabDirs = {
    root,
    source: clusterDirs(root, ids.source),
    target: clusterDirs(root, ids.target),
    replicatorLog: join(root, "replicator.log"),
  };
  const processes: MilvusLiteProcess[] = [];
  const fronts: Front[] = [];
  let supervisor: ReplicatorSupervisor | null = null;
  let stopping: Promise<void> | null = null;

  // Idempotent per part, so it can run again for parts that appeared while a stop was under way.
  const cleanup = async () => {
    opts.signal?.removeEventListener("abort", onAbort);
    await supervisor?.stop().catch((e) => log(`replicator stop: ${(e as Error).message}`));
    await Promise.all(fronts.map((f) => f.stop().catch(() => {})));
    await Promise.all(processes.map((p) => p.stop().catch(() => {})));
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

  try {
    const started = await Promise.all(
      (["source", "target"] as const).map((side) =>
        MilvusLiteProcess.start({
          bin,
          dataDir: dirs[side].data,
          logFile: dirs[side].milvusLog,
          readyTimeoutMs: opts.readyTimeoutMs,
          signal: opts.signal,
        }).then((p) => {
          processes.push(p);
          return p;
        }),
      ),
    );
    checkStopped();
    const [srcLite, tgtLite] = started as [MilvusLiteProcess, MilvusLiteProcess];

    const startSupervisor = async (config: ReplicateConfiguration) => {
      const src = config.clusters.find((c) => c.cluster_id === ids.source);
      const edge = config.cross_cluster_topology.find((t) => t.source_cluster_id === ids.source);
      const tgt = config.clusters.find((c) => c.cluster_id === edge?.target_cluster_id);
      if (!src || !tgt) throw new Error("replicate configuration names no target for the source");
      await supervisor?.stop();
      supervisor = new ReplicatorSupervisor({
        walDir: dirs.source.wal,
        source: { clusterId: src.cluster_id, pchannels: src.pchannels },
        target: {
          clusterId: tgt.cluster_id,
          uri: tgt.connection_param.uri,
          token: tgt.connection_param.token || undefined,
          pchannels: tgt.pchannels,
        },
        faultMode: opts.faultMode ?? "none",
        faultEvery: opts.faultEvery ?? 0,
        restartDelayMs: opts.restartDelayMs ?? 0,
        logFile: dirs.replicatorLog,
      });
      await supervisor.start();
      log(`Replicator started (pid ${supervisor.pid}, fault mode ${opts.faultMode ?? "none"})`);
    };

    const frontOf = (side: "source" | "target", lite: MilvusLiteProcess) =>
      Front.start({
        clusterId: ids[side],
        pchannels: pchannelNames(ids[side], n),
        backendAddress: lite.address,
        stateDir: dirs[side].state,
        walDir: dirs[side].wal,
        token: opts.token,
        log,
        onSourceConfigured: side === "source" ? startSupervisor : undefined,
      }).then((f) => {
        fronts.push(f);
        return f;
      });
    const srcFront = await frontOf("source", srcLite);
    const tgtFront = await frontOf("target", tgtLite);
    const endpoint = (f: Front): ClusterEndpoint => ({
      clusterId: f.clusterId,
      uri: f.uri,
      token: opts.token,
      replicateUri: f.uri,
      pchannels: [...f.pchannels],
    });
    checkStopped();
    const source = endpoint(srcFront);
    const target = endpoint(tgtFront);
    log(`Lab up: source ${source.clusterId} at ${source.uri}, target ${target.clusterId} at ${target.uri}`);
    if (opts.replicate) await configureReplication({ source, target }, { timeoutMs: 60_000, log });

    const lab: Lab = {
      source,
      target,
      dirs,
      fronts: { source: srcFront, target: tgtFront },
      async killReplicator() {
        if (!supervisor)
          throw new Error("killReplicator: no replicator is running (replication not configured)");
        const r = await supervisor.kill();
        return { ...r, pid: supervisor.pid };
      },
      get restarts() {
        return supervisor?.restarts ?? [];
      },
      get replicatorPid() {
        return supervisor?.pid;
      },
      pids() {
        const out: number[] = [];
        for (const p of processes) {
          if (p.pid !== undefined) out.push(p.pid);
          if (p.watchdogPid !== undefined) out.push(p.watchdogPid);
        }
        if (supervisor?.pid !== undefined) out.push(supervisor.pid);
        return out;
      },
      ports() {
        const port = (u: string) => Number(u.split(":").pop());
        return [port(srcFront.uri), port(tgtFront.uri), ...processes.map((p) => port(p.address))];
      },
      walSizes: () => srcFront.walSizes(),
      stop,
    };
    return lab;
  } catch (e) {
    await stop();
    await cleanup();
    throw e;
  }
}
