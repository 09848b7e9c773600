/**
 * Which replicator runs, following the topology: whichever cluster the configuration names as a source
 * has a replicator reading its WAL towards the target, through every switchover and back, as Milvus
 * runs CDC on the current primary. A cluster that stops being a source keeps its replicator until the
 * target has taken the new configuration (its announcement is the last message it delivers), then
 * stops it.
 */

import type { LocalFaultMode } from "../faults/fault-modes.js";
import type { ConfigChange } from "./config-store.js";
import { type ReplicateConfiguration, sameConfig, sanitizeConfig } from "./replicate-config.js";
import { ReplicatorSupervisor } from "./supervisor.js";

export interface LinkCluster {
  walDir: string;
  /** The configuration the cluster holds now (undefined while it is down). */
  config(): ReplicateConfiguration | null | undefined;
}

export interface ReplicationLinksOptions {
  cluster: (clusterId: string) => LinkCluster | undefined;
  faultMode: LocalFaultMode;
  faultEvery: number;
  restartDelayMs: number;
  logFile: string;
  /** Every replicator serves Milvus's replication metrics on this port (one lab, one endpoint). */
  metricsPort?: number;
  log: (message: string) => void;
  /** How long a retiring replicator may take to deliver the configuration change. */
  retireTimeoutMs?: number;
}

interface Link {
  source: string;
  target: string;
  supervisor: ReplicatorSupervisor;
  /** The configuration the link was started from (a paused link starts again from it). */
  config: ReplicateConfiguration;
}

export class ReplicationLinks {
  private readonly active = new Map<string, Link>();
  private readonly retiring = new Set<Promise<void>>();
  private readonly retiringLinks = new Set<Link>();
  /** Restarts of every replicator this lab ran, in order. */
  private readonly pastRestarts: Array<{ killedAt: number; restartedAt: number }> = [];
  private closed = false;

  constructor(private readonly opts: ReplicationLinksOptions) {}

  /** A cluster accepted a configuration change: start, keep or retire the replicator it is the source of. */
  async configured(clusterId: string, change: ConfigChange): Promise<void> {
    if (this.closed) return;
    const edge = change.config.cross_cluster_topology.find((t) => t.source_cluster_id === clusterId);
    const link = this.active.get(clusterId);
    if (edge && link?.target === edge.target_cluster_id) return;
    if (link) {
      this.active.delete(clusterId);
      if (edge) await this.stopLink(link);
      else this.retire(link, change.config);
    }
    if (edge) await this.start(clusterId, edge.target_cluster_id, change.config);
  }

  private async start(source: string, target: string, config: ReplicateConfiguration): Promise<void> {
    const src = config.clusters.find((c) => c.cluster_id === source);
    const tgt = config.clusters.find((c) => c.cluster_id === target);
    const cluster = this.opts.cluster(source);
    if (!src || !tgt || !cluster) throw new Error(`replicate configuration names no target for ${source}`);
    const supervisor = new ReplicatorSupervisor({
      walDir: cluster.walDir,
      source: { clusterId: source, pchannels: src.pchannels },
      target: {
        clusterId: target,
        uri: tgt.connection_param.uri,
        token: tgt.connection_param.token || undefined,
        pchannels: tgt.pchannels,
      },
      faultMode: this.opts.faultMode,
      faultEvery: this.opts.faultEvery,
      restartDelayMs: this.opts.restartDelayMs,
      logFile: this.opts.logFile,
      ...(this.opts.metricsPort !== undefined ? { metricsPort: this.opts.metricsPort } : {}),
    });
    await supervisor.start();
    this.active.set(source, { source, target, supervisor, config });
    this.opts.log(
      `Replicator ${source} -> ${target} started (pid ${supervisor.pid}, fault mode ${this.opts.faultMode})`,
    );
  }

  private retire(link: Link, config: ReplicateConfiguration): void {
    const timeoutMs = this.opts.retireTimeoutMs ?? 60_000;
    const want = sanitizeConfig(config);
    this.retiringLinks.add(link);
    const done = (async () => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !this.closed) {
        const got = this.opts.cluster(link.target)?.config();
        if (got === undefined) break;
        if (got && sameConfig(sanitizeConfig(got), want)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (Date.now() >= deadline)
        this.opts.log(
          `Replicator ${link.source} -> ${link.target}: the target did not take the new configuration within ${timeoutMs} ms; stopping it anyway`,
        );
      await this.stopLink(link);
      this.retiringLinks.delete(link);
    })();
    this.retiring.add(done);
    void done.finally(() => this.retiring.delete(done));
  }

  private async stopLink(link: Link): Promise<void> {
    await link.supervisor
      .stop()
      .catch((e) => this.opts.log(`replicator ${link.source} stop: ${(e as Error).message}`));
    this.pastRestarts.push(...link.supervisor.restarts);
    this.opts.log(`Replicator ${link.source} -> ${link.target} stopped`);
  }

  /** Stops the replicator whose source is `clusterId`, if any (its cluster is going down). */
  async stopSource(clusterId: string): Promise<void> {
    const link = this.active.get(clusterId);
    if (!link) return;
    this.active.delete(clusterId);
    await this.stopLink(link);
  }

  /** The link paused by pause(), until resume(). */
  private paused: Link | undefined;

  /** Stops the running replicator without a restart (CDC paused); resume() starts it again. */
  async pause(): Promise<{ source: string; target: string }> {
    const link = this.current();
    if (!link) throw new Error("pause: no replicator is running (replication not configured)");
    this.active.delete(link.source);
    await this.stopLink(link);
    this.paused = link;
    return { source: link.source, target: link.target };
  }

  /** Starts the paused replicator again; it resumes from the target's checkpoint, as after a restart. */
  async resume(): Promise<{ source: string; target: string; pid: number | undefined }> {
    const link = this.paused;
    if (!link) throw new Error("resume: no replicator is paused");
    this.paused = undefined;
    await this.start(link.source, link.target, link.config);
    return { source: link.source, target: link.target, pid: this.current()?.supervisor.pid };
  }

  /** The running replicator (the lab has at most one source at a time). */
  current(): Link | undefined {
    return [...this.active.values()][0];
  }

  get restarts(): Array<{ killedAt: number; restartedAt: number }> {
    return [...this.pastRestarts, ...(this.current()?.supervisor.restarts ?? [])];
  }

  pids(): number[] {
    return [...this.active.values(), ...this.retiringLinks]
      .map((l) => l.supervisor.pid)
      .filter((p): p is number => p !== undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const links = [...this.active.values()];
    this.active.clear();
    await Promise.all([...links.map((l) => this.stopLink(l)), ...this.retiring]);
  }
}
