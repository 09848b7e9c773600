/**
 * Which replicator runs, following the topology: whichever cluster the configuration names as a source
 * has a replicator reading its WAL towards the target, through every switchover and back, as Milvus
 * runs CDC on the current primary. A cluster that stops being a source keeps its replicator until the
 * target has taken the new configuration (its announcement is the last message it delivers), then
 * stops it.
 *
 * A star (one primary, several standbys, issue 25) runs one replicator per edge, as Milvus's CDC keeps
 * one replicator per (source channel, target channel) of the topology and starts only those whose source
 * channel is its own cluster's (milvus-io/milvus internal/cdc/replication/replicatemanager/
 * replicate_manager.go@3b2f747b, CreateReplicator / RemoveOutOfTargetReplicators). Each standby keeps its
 * checkpoint per channel for one source cluster: a configuration naming another source (a re-pointed
 * standby) replaces that state with a fresh one for the new source, and a replicated message from any
 * other cluster is a replicate violation (internal/streamingnode/server/wal/interceptors/replicate/
 * replicates/impl.go@1336db9f, SwitchReplicateMode / beginReplicateMessage). So the edges share nothing
 * but the primary's WAL, and a fault on one edge touches only its standby.
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
  /**
   * Where the replicator of the edge into `target` serves Milvus's replication metrics: a pair's every
   * edge on the lab's one port; a star's each on its own (metrics-relay.ts serves them together).
   */
  metricsPortFor?: (target: string) => number | undefined;
  log: (message: string) => void;
  /** How long a retiring replicator may take to deliver the configuration change. */
  retireTimeoutMs?: number;
  /**
   * A star: the fault mode goes to the replicator of the edge into this cluster only (`--fault-standby`);
   * the others run clean. Absent: every replicator gets it.
   */
  faultTarget?: string;
  /** A star: each edge's replicator logs to its own file (its fault markers live next to it). Absent: logFile. */
  logFileFor?: (target: string) => string;
}

interface Link {
  source: string;
  target: string;
  supervisor: ReplicatorSupervisor;
  /** The configuration the link was started from (a paused link starts again from it). */
  config: ReplicateConfiguration;
}

/** One replicator per edge: a pair has one edge per source, a star several from one source. */
const edgeKey = (source: string, target: string) => `${source}->${target}`;

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
    const edges = change.config.cross_cluster_topology.filter((t) => t.source_cluster_id === clusterId);
    const wanted = new Set(edges.map((e) => e.target_cluster_id));
    const links = [...this.active.values()].filter((l) => l.source === clusterId);
    for (const link of links) {
      if (wanted.has(link.target)) continue;
      this.active.delete(edgeKey(link.source, link.target));
      // A source that still replicates elsewhere was re-pointed: its old edge stops at once.
      if (edges.length > 0) await this.stopLink(link);
      else this.retire(link, change.config);
    }
    for (const edge of edges) {
      if (this.active.has(edgeKey(clusterId, edge.target_cluster_id))) continue;
      await this.start(clusterId, edge.target_cluster_id, change.config);
    }
  }

  private async start(source: string, target: string, config: ReplicateConfiguration): Promise<void> {
    const src = config.clusters.find((c) => c.cluster_id === source);
    const tgt = config.clusters.find((c) => c.cluster_id === target);
    const cluster = this.opts.cluster(source);
    if (!src || !tgt || !cluster) throw new Error(`replicate configuration names no target for ${source}`);
    const faulted = this.opts.faultTarget === undefined || this.opts.faultTarget === target;
    const metricsPort = this.opts.metricsPortFor?.(target);
    const supervisor = new ReplicatorSupervisor({
      walDir: cluster.walDir,
      source: { clusterId: source, pchannels: src.pchannels },
      target: {
        clusterId: target,
        uri: tgt.connection_param.uri,
        token: tgt.connection_param.token || undefined,
        pchannels: tgt.pchannels,
      },
      faultMode: faulted ? this.opts.faultMode : "none",
      faultEvery: this.opts.faultEvery,
      restartDelayMs: this.opts.restartDelayMs,
      logFile: this.opts.logFileFor?.(target) ?? this.opts.logFile,
      ...(metricsPort !== undefined ? { metricsPort } : {}),
    });
    await supervisor.start();
    this.active.set(edgeKey(source, target), { source, target, supervisor, config });
    this.opts.log(
      `Replicator ${source} -> ${target} started (pid ${supervisor.pid}, fault mode ${faulted ? this.opts.faultMode : "none"})`,
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
    for (const link of [...this.active.values()].filter((l) => l.source === clusterId)) {
      this.active.delete(edgeKey(link.source, link.target));
      await this.stopLink(link);
    }
  }

  /** The link paused by pause(), until resume(). */
  private paused: Link | undefined;

  /** Stops the running replicator without a restart (CDC paused); resume() starts it again. */
  async pause(): Promise<{ source: string; target: string }> {
    const link = this.current();
    if (!link) throw new Error("pause: no replicator is running (replication not configured)");
    if (this.active.size > 1)
      throw new Error("pause: a star's CDC cannot be paused yet (one edge at a time)");
    this.active.delete(edgeKey(link.source, link.target));
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

  /** The running replicator (the lab has at most one source at a time; in a star, its first edge). */
  current(): Link | undefined {
    return [...this.active.values()][0];
  }

  /** Every running replicator: one per edge of the topology (a star has several). */
  all(): Link[] {
    return [...this.active.values()];
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
