import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  ProcessRunner,
  fmtMs,
  killCdcPod,
  pchannelsFor,
  tail
} from "./chunk-2VNOICNP.js";
import "./chunk-7ZTY3T2F.js";
import {
  clientFor,
  getReplicateConfiguration,
  withDeadline
} from "./chunk-IYM5XVOV.js";
import "./chunk-FE5CAR44.js";
import "./chunk-TY4HBTWS.js";
import "./chunk-HVPKY5OD.js";
import "./chunk-TXPUYXQ7.js";
import "./chunk-XXWGZQIE.js";

// src/backends/existing/backend.ts
var DEFAULT_EXISTING_TIMING = {
  connectTimeoutMs: 3e4,
  killCommandTimeoutMs: 12e4,
  kubectlTimeoutMs: 6e4,
  cdcRestartTimeoutMs: 5 * 6e4,
  pollMs: 5e3
};
var ExistingSetupError = class extends Error {
  name = "ExistingSetupError";
};
function shownUri(uri) {
  try {
    const u = new URL(uri);
    if (!u.password) return uri;
    u.password = "***";
    return u.href;
  } catch {
    return uri;
  }
}
var ExistingBackend = class {
  constructor(options, deps) {
    this.options = options;
    this.deps = deps;
    this.t = { ...DEFAULT_EXISTING_TIMING, ...deps.timing };
    this.runner = deps.runner ?? new ProcessRunner({ trace: (l) => deps.log.debug(l) });
    for (const side of [options.source, options.target]) if (side.token) this.runner.addSecret(side.token);
    this.faults = options.kube || options.killCdcCommand ? ["kill-cdc"] : [];
    this.info = {
      name: "existing",
      details: {
        source: shownUri(options.source.uri),
        target: shownUri(options.target.uri),
        killCdc: options.kube ? "kubectl" : options.killCdcCommand ? "command" : "unavailable"
      }
    };
  }
  info;
  faults;
  t;
  runner;
  async ping(side, c) {
    const client = clientFor({ uri: c.uri, token: c.token }, this.t.connectTimeoutMs);
    try {
      const v = await withDeadline(
        client.getVersion(),
        this.t.connectTimeoutMs,
        `the ${side} cluster at ${shownUri(c.uri)} to answer GetVersion`
      );
      return v.version ?? "unknown";
    } catch (e) {
      throw new ExistingSetupError(
        `${side} cluster at ${shownUri(c.uri)} is not reachable: ${this.runner.redact(e instanceof Error ? e.message : String(e))}`
      );
    } finally {
      await client.closeConnection().catch(() => {
      });
    }
  }
  /** Cluster ids the user did not give come from the topology the clusters already hold. */
  async clusterIds() {
    const { source, target } = this.options;
    if (source.clusterId && target.clusterId) return { source: source.clusterId, target: target.clusterId };
    const config = await getReplicateConfiguration(
      { uri: source.uri, token: source.token },
      this.t.connectTimeoutMs
    ).catch((e) => {
      throw new ExistingSetupError(
        `cannot read the replicate configuration of ${shownUri(source.uri)} to learn the cluster ids: ${this.runner.redact(e instanceof Error ? e.message : String(e))} (set backend.existing.source.clusterId and target.clusterId)`
      );
    });
    const edges = (config?.cross_cluster_topology ?? []).filter(
      (e) => (!source.clusterId || e.source_cluster_id === source.clusterId) && (!target.clusterId || e.target_cluster_id === target.clusterId)
    );
    if (edges.length !== 1 || !edges[0]) {
      const found = edges.length === 0 ? "no matching replication edge" : `${edges.length} matching edges`;
      throw new ExistingSetupError(
        `backend.existing: clusterId not set and ${shownUri(source.uri)} holds ${found} to read it from (set source.clusterId and target.clusterId to each cluster's msgChannel.chanNamePrefix.cluster)`
      );
    }
    return { source: edges[0].source_cluster_id, target: edges[0].target_cluster_id };
  }
  async provision() {
    const o = this.options;
    const [sv, tv] = await Promise.all([this.ping("source", o.source), this.ping("target", o.target)]);
    const ids = await this.clusterIds();
    if (ids.source.includes(ids.target) || ids.target.includes(ids.source)) {
      throw new ExistingSetupError(
        `backend.existing: cluster ids '${ids.source}' and '${ids.target}' contain each other; CDC matches channels by substring and would replicate the wrong ones`
      );
    }
    const endpoint = (c, id) => ({
      clusterId: id,
      uri: c.uri,
      ...c.token ? { token: c.token } : {},
      replicateUri: c.replicateUri ?? c.uri,
      pchannels: pchannelsFor(id, o.pchannels)
    });
    this.info.details.sourceVersion = sv;
    this.info.details.targetVersion = tv;
    this.deps.log.info(
      `existing: source ${ids.source} (${sv}) at ${shownUri(o.source.uri)}, target ${ids.target} (${tv}) at ${shownUri(o.target.uri)}`
    );
    return { source: endpoint(o.source, ids.source), target: endpoint(o.target, ids.target) };
  }
  async inject(fault, signal) {
    if (fault !== "kill-cdc" || this.faults.length === 0) {
      throw new Error(
        `existing backend cannot inject '${fault}' (allowed: ${this.faults.join(", ") || "none: set backend.existing.kube or killCdcCommand for kill-cdc"})`
      );
    }
    const o = this.options;
    if (o.kube) {
      const kube = {
        runner: this.runner,
        kubectl: "kubectl",
        baseArgs: o.kube.context ? ["--context", o.kube.context] : [],
        callTimeoutMs: this.t.kubectlTimeoutMs
      };
      return killCdcPod(kube, o.kube.namespace, o.kube.sourceInstance, {
        timeoutMs: this.t.cdcRestartTimeoutMs,
        pollMs: this.t.pollMs,
        signal,
        log: (m) => this.deps.log.info(m)
      });
    }
    const injectedAt = Date.now();
    const r = await this.runner.run(o.killCdcCommand, [], {
      shell: true,
      timeoutMs: this.t.killCommandTimeoutMs,
      purpose: "killCdcCommand to finish",
      signal
    });
    const doneAt = Date.now();
    this.deps.log.info(`kill-cdc: killCdcCommand finished in ${fmtMs(doneAt - injectedAt)}`);
    return { injectedAt, commandDoneAt: doneAt, output: this.runner.redact(tail(r.stdout + r.stderr, 5)) };
  }
  async collectDiagnostics() {
    return [];
  }
  async teardown() {
  }
};
export {
  DEFAULT_EXISTING_TIMING,
  ExistingBackend,
  ExistingSetupError
};
