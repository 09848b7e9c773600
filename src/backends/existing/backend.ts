/**
 * The "existing" backend: two Milvus clusters the user already runs, joined (or to be joined) by CDC.
 * Provision only connects; teardown deletes nothing, because nothing here was created by the drill.
 */
import { EnvironmentError } from "../../errors.js";
import { clientFor, getReplicateConfiguration, withDeadline } from "../../milvus/replicate.js";
import { type CommandRunner, fmtMs, ProcessRunner, tail } from "../kind/exec.js";
import { type Kube, killCdcPod } from "../kind/kube.js";
import { pchannelsFor } from "../kind/manifests.js";
import type {
  Backend,
  BackendInfo,
  ClusterEndpoint,
  ClusterPair,
  FaultEvidence,
  FaultName,
  Logger,
} from "../types.js";

export interface ExistingCluster {
  uri: string;
  token?: string;
  /** msgChannel.chanNamePrefix.cluster; null = read it from the replicate configuration. */
  clusterId: string | null;
  /** Where the CDC node dials this cluster; null = same as uri. */
  replicateUri: string | null;
}

/** Exactly DrillConfig["backend"]["existing"]. */
export interface ExistingOptions {
  source: ExistingCluster;
  target: ExistingCluster;
  pchannels: number;
  configureReplication: boolean;
  kube: { context: string | null; namespace: string; sourceInstance: string } | null;
  killCdcCommand: string | null;
}

export interface ExistingTiming {
  connectTimeoutMs: number;
  killCommandTimeoutMs: number;
  kubectlTimeoutMs: number;
  cdcRestartTimeoutMs: number;
  pollMs: number;
}

export const DEFAULT_EXISTING_TIMING: ExistingTiming = {
  connectTimeoutMs: 30_000,
  killCommandTimeoutMs: 120_000,
  kubectlTimeoutMs: 60_000,
  cdcRestartTimeoutMs: 5 * 60_000,
  pollMs: 5_000,
};

export interface ExistingBackendDeps {
  log: Logger;
  runner?: CommandRunner;
  timing?: Partial<ExistingTiming>;
}

/** The given clusters cannot be used as they are (unreachable, ids unknown): exit 3. */
export class ExistingSetupError extends EnvironmentError {
  override name = "ExistingSetupError";
}

/** A URI fit for logs: any password in it masked. */
function shownUri(uri: string): string {
  try {
    const u = new URL(uri);
    if (!u.password) return uri;
    u.password = "***";
    return u.href;
  } catch {
    return uri;
  }
}

export class ExistingBackend implements Backend {
  readonly info: BackendInfo;
  readonly faults: readonly FaultName[];
  private readonly t: ExistingTiming;
  private readonly runner: CommandRunner;

  constructor(
    readonly options: ExistingOptions,
    private readonly deps: ExistingBackendDeps,
  ) {
    this.t = { ...DEFAULT_EXISTING_TIMING, ...deps.timing };
    this.runner = deps.runner ?? new ProcessRunner({ trace: (l) => deps.log.debug(l) });
    for (const side of [options.source, options.target]) if (side.token) this.runner.addSecret(side.token);
    this.faults = options.kube || options.killCdcCommand ? ["kill-cdc"] : [];
    this.info = {
      name: "existing",
      details: {
        source: shownUri(options.source.uri),
        target: shownUri(options.target.uri),
        killCdc: options.kube ? "kubectl" : options.killCdcCommand ? "command" : "unavailable",
      },
    };
  }

  private async ping(side: "source" | "target", c: ExistingCluster): Promise<string> {
    const client = clientFor({ uri: c.uri, token: c.token }, this.t.connectTimeoutMs);
    try {
      const v = await withDeadline(
        client.getVersion(),
        this.t.connectTimeoutMs,
        `the ${side} cluster at ${shownUri(c.uri)} to answer GetVersion`,
      );
      return v.version ?? "unknown";
    } catch (e) {
      throw new ExistingSetupError(
        `${side} cluster at ${shownUri(c.uri)} is not reachable: ${this.runner.redact(e instanceof Error ? e.message : String(e))}`,
      );
    } finally {
      await client.closeConnection().catch(() => {});
    }
  }

  /** Cluster ids the user did not give come from the topology the clusters already hold. */
  private async clusterIds(): Promise<{ source: string; target: string }> {
    const { source, target } = this.options;
    if (source.clusterId && target.clusterId) return { source: source.clusterId, target: target.clusterId };
    const config = await getReplicateConfiguration(
      { uri: source.uri, token: source.token },
      this.t.connectTimeoutMs,
    ).catch((e: unknown) => {
      throw new ExistingSetupError(
        `cannot read the replicate configuration of ${shownUri(source.uri)} to learn the cluster ids: ${this.runner.redact(e instanceof Error ? e.message : String(e))} (set backend.existing.source.clusterId and target.clusterId)`,
      );
    });
    const edges = (config?.cross_cluster_topology ?? []).filter(
      (e) =>
        (!source.clusterId || e.source_cluster_id === source.clusterId) &&
        (!target.clusterId || e.target_cluster_id === target.clusterId),
    );
    if (edges.length !== 1 || !edges[0]) {
      const found = edges.length === 0 ? "no matching replication edge" : `${edges.length} matching edges`;
      throw new ExistingSetupError(
        `backend.existing: clusterId not set and ${shownUri(source.uri)} holds ${found} to read it from (set source.clusterId and target.clusterId to each cluster's msgChannel.chanNamePrefix.cluster)`,
      );
    }
    return { source: edges[0].source_cluster_id, target: edges[0].target_cluster_id };
  }

  async provision(): Promise<ClusterPair> {
    const o = this.options;
    const [sv, tv] = await Promise.all([this.ping("source", o.source), this.ping("target", o.target)]);
    const ids = await this.clusterIds();
    if (ids.source.includes(ids.target) || ids.target.includes(ids.source)) {
      throw new ExistingSetupError(
        `backend.existing: cluster ids '${ids.source}' and '${ids.target}' contain each other; CDC matches channels by substring and would replicate the wrong ones`,
      );
    }
    const endpoint = (c: ExistingCluster, id: string): ClusterEndpoint => ({
      clusterId: id,
      uri: c.uri,
      ...(c.token ? { token: c.token } : {}),
      replicateUri: c.replicateUri ?? c.uri,
      pchannels: pchannelsFor(id, o.pchannels),
    });
    this.info.details.sourceVersion = sv;
    this.info.details.targetVersion = tv;
    this.deps.log.info(
      `existing: source ${ids.source} (${sv}) at ${shownUri(o.source.uri)}, target ${ids.target} (${tv}) at ${shownUri(o.target.uri)}`,
    );
    return { source: endpoint(o.source, ids.source), target: endpoint(o.target, ids.target) };
  }

  async inject(fault: FaultName, signal?: AbortSignal): Promise<FaultEvidence> {
    if (fault !== "kill-cdc" || this.faults.length === 0) {
      throw new Error(
        `existing backend cannot inject '${fault}' (allowed: ${this.faults.join(", ") || "none: set backend.existing.kube or killCdcCommand for kill-cdc"})`,
      );
    }
    const o = this.options;
    if (o.kube) {
      const kube: Kube = {
        runner: this.runner,
        kubectl: "kubectl",
        baseArgs: o.kube.context ? ["--context", o.kube.context] : [],
        callTimeoutMs: this.t.kubectlTimeoutMs,
      };
      return killCdcPod(kube, o.kube.namespace, o.kube.sourceInstance, {
        timeoutMs: this.t.cdcRestartTimeoutMs,
        pollMs: this.t.pollMs,
        signal,
        log: (m) => this.deps.log.info(m),
      });
    }
    const injectedAt = Date.now();
    // The user's own command: run through a shell, bounded, its output kept (redacted) as evidence.
    const r = await this.runner.run(o.killCdcCommand as string, [], {
      shell: true,
      timeoutMs: this.t.killCommandTimeoutMs,
      purpose: "killCdcCommand to finish",
      signal,
    });
    const doneAt = Date.now();
    this.deps.log.info(`kill-cdc: killCdcCommand finished in ${fmtMs(doneAt - injectedAt)}`);
    return { injectedAt, commandDoneAt: doneAt, output: this.runner.redact(tail(r.stdout + r.stderr, 5)) };
  }

  async collectDiagnostics(): Promise<string[]> {
    // The clusters belong to the user; their logs are not ours to copy.
    return [];
  }

  async teardown(): Promise<void> {
    // Nothing was created: connections are opened per call and already closed.
  }
}
