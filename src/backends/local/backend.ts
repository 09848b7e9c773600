/** The local backend: a lab of two Milvus Lite clusters and the reference replicator, on this machine. */
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  Backend,
  BackendInfo,
  ClusterBackup,
  ClusterEndpoint,
  ClusterPair,
  FaultEvidence,
  FaultName,
  FaultParams,
  Logger,
  NemesisType,
  SeedRestore,
} from "../types.js";
import { LOCAL_NEMESIS_REFUSALS, LOCAL_NEMESIS_TYPES } from "./faults/fault-modes.js";
import { type Lab, type LabOptions, startLab } from "./lab.js";
import { MILVUS_LITE_VERSION, PYMILVUS_VERSION } from "./processes/milvus-lite-install.js";

export interface LocalBackendOptions extends Omit<LabOptions, "log" | "replicate"> {
  log: Logger;
}

/** What the local lab can bring, as one list with the config's check (faults/fault-modes.ts). */
export const LOCAL_FAULTS: readonly FaultName[] = LOCAL_NEMESIS_TYPES;

function sleepOrAbort(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export class LocalBackend implements Backend {
  readonly info: BackendInfo = {
    name: "local",
    details: {
      engine: `milvus-lite ${MILVUS_LITE_VERSION} (pymilvus ${PYMILVUS_VERSION})`,
      replicator: "reference replicator (milvus-cdc-drill)",
    },
  };
  readonly faults: readonly FaultName[] = LOCAL_FAULTS;
  private lab: Lab | undefined;
  /** A provision under way: teardown waits for it, so a lab that was still starting is stopped too. */
  private starting: Promise<unknown> | undefined;

  constructor(private readonly opts: LocalBackendOptions) {
    this.info.details.faultMode = opts.faultMode ?? "none";
  }

  async provision(signal?: AbortSignal): Promise<ClusterPair> {
    signal?.throwIfAborted();
    const { log, ...rest } = this.opts;
    // Replication is configured by the drill, through the same SDK call every backend gets (as on
    // Milvus, the source starts its CDC when it accepts the configuration).
    const starting = startLab({ ...rest, replicate: false, log: (m) => log.info(m), signal });
    this.starting = starting.catch(() => {});
    this.lab = await starting;
    if (signal?.aborted) {
      await this.teardown();
      signal.throwIfAborted();
    }
    return {
      source: this.lab.source,
      target: this.lab.target,
      metricsUrls: [this.lab.metricsUrl],
      ...(this.lab.extraStandbys.length > 0 ? { extraStandbys: this.lab.extraStandbys } : {}),
    };
  }

  async inject(fault: FaultName, signal?: AbortSignal, params?: FaultParams): Promise<FaultEvidence> {
    const lab = this.lab;
    if (!lab) throw new Error(`inject(${fault}): the local backend is not provisioned`);
    if (!this.faults.includes(fault)) {
      throw new Error(
        `inject: fault '${fault}' is not supported by the local backend (allowed: ${this.faults.join(", ")})${fault in LOCAL_NEMESIS_REFUSALS ? `: ${LOCAL_NEMESIS_REFUSALS[fault as NemesisType]}` : ""}`,
      );
    }
    const durationMs = params?.durationMs ?? 5_000;
    lab.noteFault(fault);
    switch (fault) {
      case "kill-cdc": {
        const r = await lab.killReplicator();
        return {
          injectedAt: r.killedAt,
          restoredAt: r.restartedAt,
          killedAt: r.killedAt,
          restartedAt: r.restartedAt,
          pid: r.pid,
        };
      }
      case "restart-standby":
      case "restart-primary": {
        const side = fault === "restart-standby" ? "target" : "source";
        // A star: the standby the nemesis aimed it at (params.standby); a pair: its one standby.
        const r =
          side === "target" && params?.standby !== undefined
            ? await lab.restartStandby(params.standby)
            : { ...(await lab.restartCluster(side)), clusterId: lab[side].clusterId };
        return {
          injectedAt: r.killedAt,
          restoredAt: r.restartedAt,
          cluster: r.clusterId,
          how: "SIGKILL of Milvus Lite between two writes, front closed at once; both started again on the same data, state and WAL",
          downMs: r.restartedAt - r.killedAt,
        };
      }
      case "partition":
      case "delay": {
        const side = lab.replicationTarget;
        if (!side) throw new Error(`inject(${fault}): no replicator is running (replication not configured)`);
        // A star: the link into the standby the nemesis aimed it at; a pair: the running replicator's.
        const { link, clusterId } =
          params?.standby !== undefined
            ? lab.standbyLink(params.standby)
            : { link: lab.link(side), clusterId: lab[side].clusterId };
        const injectedAt = Date.now();
        let cut = 0;
        const refusedBefore = link.stats.refused;
        const delayedBefore = link.stats.delayed;
        if (fault === "partition") cut = link.cut();
        else link.delay(params?.delayMs ?? 200, params?.jitterMs ?? 50);
        try {
          await sleepOrAbort(durationMs, signal);
        } finally {
          link.heal();
        }
        return {
          injectedAt,
          restoredAt: Date.now(),
          link: `replicator -> ${clusterId}`,
          ...(fault === "partition"
            ? { connectionsCut: cut, connectionsRefused: link.stats.refused - refusedBefore }
            : {
                delayMs: params?.delayMs ?? 200,
                jitterMs: params?.jitterMs ?? 50,
                chunksDelayed: link.stats.delayed - delayedBefore,
              }),
        };
      }
      case "pause-cdc": {
        const injectedAt = Date.now();
        const p = lab.freezeReplicator();
        try {
          await sleepOrAbort(durationMs, signal);
        } finally {
          p.resume();
        }
        return { injectedAt, restoredAt: Date.now(), pid: p.pid, how: "SIGSTOP, then SIGCONT" };
      }
      default:
        throw new Error(`inject: fault '${fault}' is not supported by the local backend`);
    }
  }

  async pauseCdc(): Promise<FaultEvidence> {
    if (!this.lab) throw new Error("pauseCdc: the local backend is not provisioned");
    const injectedAt = Date.now();
    const r = await this.lab.pauseReplicator();
    return { injectedAt, stoppedAt: Date.now(), how: "replicator stopped, no restart", ...r };
  }

  async resumeCdc(): Promise<FaultEvidence> {
    if (!this.lab) throw new Error("resumeCdc: the local backend is not provisioned");
    const injectedAt = Date.now();
    const r = await this.lab.resumeReplicator();
    return { injectedAt, restoredAt: Date.now(), ...r };
  }

  async loseCluster(side: "source" | "target"): Promise<FaultEvidence> {
    if (!this.lab) throw new Error(`loseCluster(${side}): the local backend is not provisioned`);
    const injectedAt = Date.now();
    await this.lab.killCluster(side);
    return {
      injectedAt,
      cluster: this.lab[side].clusterId,
      how: "SIGKILL of Milvus Lite, front closed at once",
    };
  }

  async rebuildCluster(side: "source" | "target"): Promise<ClusterEndpoint> {
    if (!this.lab) throw new Error(`rebuildCluster(${side}): the local backend is not provisioned`);
    return this.lab.rebuildCluster(side);
  }

  async rebuildStandby(clusterId: string): Promise<ClusterEndpoint> {
    if (!this.lab) throw new Error(`rebuildStandby(${clusterId}): the local backend is not provisioned`);
    return this.lab.rebuildStandby(clusterId);
  }

  /** Milvus Backup `create`, emulated: a FlushAll point per channel and the data at it (front/seed-backup.ts). */
  async backup(side: "source" | "target", name: string): Promise<ClusterBackup> {
    if (!this.lab) throw new Error(`backup(${side}): the local backend is not provisioned`);
    const snap = await this.lab.backup(side, name);
    return {
      name,
      clusterId: snap.clusterId,
      points: snap.points.map((p) => ({ ...p })),
      collections: snap.collections,
      rows: snap.collections.reduce((n, c) => n + c.rows, 0),
    };
  }

  /** Milvus Backup `restore secondary`, emulated (replication/restore-secondary.ts). */
  async restoreSecondary(
    backup: ClusterBackup,
    side: "source" | "target",
    signal?: AbortSignal,
  ): Promise<SeedRestore> {
    if (!this.lab) throw new Error(`restoreSecondary(${side}): the local backend is not provisioned`);
    const r = await this.lab.restoreSecondary(backup.name, side, signal);
    return {
      rows: r.rows,
      detail: {
        messages: r.messages,
        tool: "emulated restore secondary (milvus-cdc-drill)",
        ...(r.checkpoints.some((c) => c.planted) ? { planted: r.checkpoints.filter((c) => c.planted) } : {}),
      },
    };
  }

  async collectDiagnostics(dir: string): Promise<string[]> {
    const lab = this.lab;
    if (!lab) return [];
    const written: string[] = [];
    try {
      await mkdir(dir, { recursive: true });
      const copies: Array<[string, string]> = [
        [lab.dirs.source.milvusLog, "source-milvus-lite.log"],
        [lab.dirs.target.milvusLog, "target-milvus-lite.log"],
        [lab.dirs.replicatorLog, "replicator.log"],
        [join(lab.dirs.source.state, "replicate-config.json"), "source-replicate-config.json"],
        [join(lab.dirs.target.state, "replicate-config.json"), "target-replicate-config.json"],
        [join(lab.dirs.source.state, "channels.json"), "source-channels.json"],
        [join(lab.dirs.target.state, "channels.json"), "target-channels.json"],
        // A star: each extra standby's Milvus Lite log, configuration and replicator log.
        ...lab.dirs.extra.flatMap(
          (e): Array<[string, string]> => [
            [e.dirs.milvusLog, `${e.clusterId}-milvus-lite.log`],
            [join(e.dirs.state, "replicate-config.json"), `${e.clusterId}-replicate-config.json`],
            [e.replicatorLog, `replicator-${e.clusterId}.log`],
          ],
        ),
      ];
      for (const [from, name] of copies) {
        const to = join(dir, name);
        if (
          await copyFile(from, to).then(
            () => true,
            () => false,
          )
        )
          written.push(to);
      }
      const state = {
        source: lab.source.clusterId,
        target: lab.target.clusterId,
        walSizes: lab.walSizes(),
        walFiles: await readdir(lab.dirs.source.wal).catch(() => []),
        checkpoints: lab.fronts.target.checkpointList(),
        replicatorPid: lab.replicatorPid ?? null,
        restarts: lab.restarts,
      };
      const stateFile = join(dir, "local-lab-state.json");
      await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`);
      written.push(stateFile);
    } catch (e) {
      this.opts.log.warn(`collecting local diagnostics: ${(e as Error).message}`);
    }
    return written;
  }

  async teardown(): Promise<void> {
    await this.starting;
    const lab = this.lab;
    this.lab = undefined;
    await lab?.stop().catch((e) => this.opts.log.warn(`local teardown: ${(e as Error).message}`));
  }
}
