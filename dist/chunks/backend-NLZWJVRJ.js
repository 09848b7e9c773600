import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  milvusBackupCommand
} from "./chunk-NH6LYLXB.js";
import {
  ProcessRunner,
  fmtMs,
  killCdcPod,
  stageAndImport,
  tail
} from "./chunk-P5P5CDIZ.js";
import {
  ImportJobError,
  existingClusterKey,
  pchannelsFor
} from "./chunk-2QI2MH3L.js";
import {
  clientFor,
  getReplicateInfo,
  readReplicateConfiguration,
  withDeadline
} from "./chunk-FHZ3BUOL.js";
import {
  milvusClient
} from "./chunk-3II6UGC6.js";
import "./chunk-FE5CAR44.js";
import "./chunk-5QY7ERFD.js";
import {
  EnvironmentError
} from "./chunk-TEO4V65Y.js";
import "./chunk-TXPUYXQ7.js";
import "./chunk-XXWGZQIE.js";

// src/backends/existing/backend.ts
var DEFAULT_EXISTING_TIMING = {
  connectTimeoutMs: 3e4,
  killCommandTimeoutMs: 12e4,
  kubectlTimeoutMs: 6e4,
  cdcRestartTimeoutMs: 5 * 6e4,
  pollMs: 5e3,
  importTimeoutMs: 5 * 6e4,
  seedCommandTimeoutMs: 10 * 6e4
};
var ExistingSetupError = class extends EnvironmentError {
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
var ExistingBackend = class _ExistingBackend {
  constructor(options, deps) {
    this.options = options;
    this.deps = deps;
    this.t = { ...DEFAULT_EXISTING_TIMING, ...deps.timing };
    this.runner = deps.runner ?? new ProcessRunner({ trace: (l) => deps.log.debug(l) });
    const extra = options.extraTargets ?? [];
    for (const side of [options.source, options.target, ...extra])
      if (side.token) this.runner.addSecret(side.token);
    this.faults = options.kube || options.killCdcCommand ? ["kill-cdc"] : [];
    this.info = {
      name: "existing",
      details: {
        source: shownUri(options.source.uri),
        target: shownUri(options.target.uri),
        ...extra.length > 0 ? { extraTargets: extra.map((e) => shownUri(e.uri)).join(", ") } : {},
        killCdc: options.kube ? "kubectl" : options.killCdcCommand ? "command" : "unavailable"
      }
    };
  }
  info;
  faults;
  t;
  runner;
  /** The pair provision() returned: scenario seed names its clusters by side. */
  pair = null;
  /** Each backup's createCommand run (shown redacted), reported with its restore. */
  created = /* @__PURE__ */ new Map();
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
  /** A URI only this machine can reach: the CDC pod, inside the cluster, could never dial it. */
  static isLocalOnly(uri) {
    try {
      let h = new URL(uri).hostname.replace(/^\[|\]$/g, "");
      const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
      if (mapped) {
        const [hi, lo] = [Number.parseInt(mapped[1], 16), Number.parseInt(mapped[2], 16)];
        h = [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
      }
      return h === "localhost" || h === "::1" || h === "::" || h === "0.0.0.0" || /^127\./.test(h) || h.endsWith(".localhost");
    } catch {
      return false;
    }
  }
  fail(message) {
    throw new ExistingSetupError(`backend.existing: ${this.runner.redact(message)}`);
  }
  /** The configuration the source holds; "unimplemented" on releases without the read RPC. */
  async held() {
    const { source } = this.options;
    try {
      return await readReplicateConfiguration(
        { uri: source.uri, token: source.token },
        this.t.connectTimeoutMs
      );
    } catch (e) {
      return this.fail(
        `cannot read the replicate configuration of ${shownUri(source.uri)}: ${e instanceof Error ? e.message : String(e)}`
      );
    }
  }
  /**
   * Decides, reading only, whether the clusters already replicate source -> target. Refuses (one
   * line, nothing changed) a topology that differs, and an absent one unless configureReplication.
   */
  async provision() {
    const o = this.options;
    if (o.extraTargets?.length) return this.provisionStar(o.extraTargets);
    const [sv, tv] = await Promise.all([this.ping("source", o.source), this.ping("target", o.target)]);
    this.info.details.sourceVersion = sv;
    this.info.details.targetVersion = tv;
    if (o.source.clusterId && o.target.clusterId)
      this.checkIds({ source: o.source.clusterId, target: o.target.clusterId });
    const held = await this.held();
    let ids;
    let confirmedBy = null;
    if (held === "unimplemented") {
      ({ ids, confirmedBy } = await this.viaReplicateInfo());
    } else if (held === null) {
      if (!o.configureReplication) {
        this.fail(
          `${shownUri(o.source.uri)} holds no replicate configuration; the drill changes no topology it did not create (set configureReplication: true, or --configure-replication, to have it apply source -> target)`
        );
      }
      if (!o.source.clusterId || !o.target.clusterId) {
        this.fail(
          "configureReplication on clusters without a configuration needs source.clusterId and target.clusterId (each cluster's msgChannel.chanNamePrefix.cluster)"
        );
      }
      ids = { source: o.source.clusterId, target: o.target.clusterId };
    } else {
      ids = this.edgeIn(held);
      this.checkStoredUris(held, ids);
      confirmedBy = `already configured: ${ids.source} -> ${ids.target} read with GetReplicateConfiguration`;
    }
    this.checkIds(ids);
    if (!confirmedBy) {
      for (const [side, c] of [
        ["source", o.source],
        ["target", o.target]
      ]) {
        const dial = c.replicateUri ?? c.uri;
        if (_ExistingBackend.isLocalOnly(dial)) {
          this.fail(
            `${side} would be stored as ${shownUri(dial)}, which the CDC pod cannot reach and Milvus never lets change (set ${side}.replicateUri, or --${side}-cdc-uri, to the address it dials inside the cluster, e.g. http://<name>-milvus.<namespace>.svc.cluster.local:19530)`
          );
        }
      }
    }
    const endpoint = (c, id) => ({
      clusterId: id,
      uri: c.uri,
      ...c.token ? { token: c.token } : {},
      replicateUri: this.storedUri(held, id) ?? c.replicateUri ?? c.uri,
      pchannels: pchannelsFor(id, o.pchannels)
    });
    this.deps.log.info(
      `existing: source ${ids.source} (${sv}) at ${shownUri(o.source.uri)}, target ${ids.target} (${tv}) at ${shownUri(o.target.uri)}; ${confirmedBy ?? "replication to be configured by the drill"}`
    );
    const pair = {
      source: endpoint(o.source, ids.source),
      target: endpoint(o.target, ids.target)
    };
    if (confirmedBy) pair.replication = { confirmedBy };
    if (o.metricsUrls?.length) pair.metricsUrls = [...o.metricsUrls];
    this.pair = pair;
    return pair;
  }
  /**
   * A star (issue 25): the source and every target, each with its own cluster id (config validation
   * requires them: which held edge is which standby cannot be guessed). Reading only, as for a pair:
   * the held topology must be exactly source -> each target, or absent with configureReplication; on
   * releases without GetReplicateConfiguration every target's GetReplicateInfo must answer.
   */
  async provisionStar(extra) {
    const o = this.options;
    const clusters = [o.source, o.target, ...extra].map((c, i) => ({ label: existingClusterKey(i), c }));
    const versions = await Promise.all(clusters.map(({ label, c }) => this.ping(label, c)));
    clusters.forEach(({ label }, i) => {
      this.info.details[`${label}Version`] = versions[i];
    });
    const ids = clusters.map(({ label, c }) => {
      if (!c.clusterId) this.fail(`${label}.clusterId is not set; a star needs every cluster's id`);
      return c.clusterId;
    });
    for (const [i, a] of ids.entries())
      for (const [j, b] of ids.entries())
        if (i < j && (a.includes(b) || b.includes(a)))
          this.fail(
            `cluster ids '${a}' (${clusters[i]?.label}) and '${b}' (${clusters[j]?.label}) contain each other; CDC matches channels by substring and would replicate the wrong ones`
          );
    const [sourceId, ...targetIds] = ids;
    const want = targetIds.map((t) => `${sourceId} -> ${t}`);
    const held = await this.held();
    let confirmedBy = null;
    if (held === "unimplemented") {
      const answered = await Promise.all(
        clusters.slice(1).map(async ({ c }, k) => {
          const channel = pchannelsFor(targetIds[k], o.pchannels)[0];
          try {
            await getReplicateInfo(
              { uri: c.uri, token: c.token },
              sourceId,
              channel,
              this.t.connectTimeoutMs
            );
            return true;
          } catch {
            return false;
          }
        })
      );
      if (answered.every(Boolean)) {
        confirmedBy = `already configured: GetReplicateInfo(${sourceId}, ...) answered on every target (GetReplicateConfiguration UNIMPLEMENTED)`;
      } else if (answered.some(Boolean) || !o.configureReplication) {
        const not = clusters.slice(1).filter((_, k) => !answered[k]);
        this.fail(
          `${not.map((x) => `${x.label} ${shownUri(x.c.uri)}`).join(", ")} does not replicate from ${sourceId} (GetReplicateInfo did not answer); the drill changes no topology it did not create${answered.some(Boolean) ? ", and the other targets already replicate" : " (set configureReplication: true to have it apply the star)"}`
        );
      }
    } else if (held === null) {
      if (!o.configureReplication)
        this.fail(
          `${shownUri(o.source.uri)} holds no replicate configuration; the drill changes no topology it did not create (set configureReplication: true, or --configure-replication, to have it apply ${want.join(", ")})`
        );
    } else {
      const have = held.cross_cluster_topology.map((e) => `${e.source_cluster_id} -> ${e.target_cluster_id}`);
      if (JSON.stringify([...have].sort()) !== JSON.stringify([...want].sort()))
        this.fail(
          `${shownUri(o.source.uri)} already replicates with a different topology (it holds ${have.length ? have.join(", ") : "no edge"}, not ${want.join(", ")}); the drill changes no topology it did not create, and Milvus cannot change a stored cluster's uri`
        );
      clusters.forEach(({ label, c }, i) => {
        const stored = this.storedUri(held, ids[i]);
        if (c.replicateUri && stored && stored !== c.replicateUri)
          this.fail(
            `${label}.replicateUri is ${shownUri(c.replicateUri)} but ${ids[i]} is stored as ${shownUri(stored)}, and Milvus never lets a stored uri change (drop ${label}.replicateUri to use the stored one)`
          );
      });
      confirmedBy = `already configured: ${want.join(", ")} read with GetReplicateConfiguration`;
    }
    if (!confirmedBy) {
      for (const { label, c } of clusters) {
        const dial = c.replicateUri ?? c.uri;
        if (_ExistingBackend.isLocalOnly(dial))
          this.fail(
            `${label} would be stored as ${shownUri(dial)}, which the CDC pod cannot reach and Milvus never lets change (set ${label}.replicateUri to the address it dials inside the cluster, e.g. http://<name>-milvus.<namespace>.svc.cluster.local:19530)`
          );
      }
    }
    const [source, target, ...extraStandbys] = clusters.map(
      ({ c }, i) => ({
        clusterId: ids[i],
        uri: c.uri,
        ...c.token ? { token: c.token } : {},
        replicateUri: this.storedUri(held, ids[i]) ?? c.replicateUri ?? c.uri,
        pchannels: pchannelsFor(ids[i], o.pchannels)
      })
    );
    this.deps.log.info(
      `existing: a star, source ${sourceId} (${versions[0]}) at ${shownUri(o.source.uri)}, targets ${clusters.slice(1).map(({ c }, k) => `${targetIds[k]} (${versions[k + 1]}) at ${shownUri(c.uri)}`).join(", ")}; ${confirmedBy ?? "replication to be configured by the drill"}`
    );
    const pair = { source, target, extraStandbys };
    if (confirmedBy) pair.replication = { confirmedBy };
    if (o.metricsUrls?.length) pair.metricsUrls = [...o.metricsUrls];
    return pair;
  }
  checkIds(ids) {
    if (ids.source.includes(ids.target) || ids.target.includes(ids.source)) {
      this.fail(
        `cluster ids '${ids.source}' and '${ids.target}' contain each other; CDC matches channels by substring and would replicate the wrong ones`
      );
    }
  }
  storedUri(held, id) {
    if (!held || held === "unimplemented") return null;
    return held.clusters.find((c) => c.cluster_id === id)?.connection_param.uri ?? null;
  }
  /** The one edge source -> target in the held topology (ids the user gave must match it). */
  edgeIn(held) {
    const { source, target } = this.options;
    const edges = held.cross_cluster_topology.filter(
      (e) => (!source.clusterId || e.source_cluster_id === source.clusterId) && (!target.clusterId || e.target_cluster_id === target.clusterId)
    );
    if (edges.length === 1 && edges[0]) {
      return { source: edges[0].source_cluster_id, target: edges[0].target_cluster_id };
    }
    const found = held.cross_cluster_topology.map((e) => `${e.source_cluster_id} -> ${e.target_cluster_id}`);
    const want = `${source.clusterId ?? "?"} -> ${target.clusterId ?? "?"}`;
    const why = edges.length > 1 ? `${edges.length} edges match ${want}; set source.clusterId and target.clusterId` : `it holds ${found.length ? found.join(", ") : "no edge"}, not ${want}`;
    return this.fail(
      `${shownUri(source.uri)} already replicates with a different topology (${why}); the drill changes no topology it did not create, and Milvus cannot change a stored cluster's uri`
    );
  }
  /** A replicateUri the user gave must be the one the cluster already stores: it can never change. */
  checkStoredUris(held, ids) {
    for (const [side, c] of [
      ["source", this.options.source],
      ["target", this.options.target]
    ]) {
      const stored = this.storedUri(held, ids[side]);
      if (c.replicateUri && stored && stored !== c.replicateUri) {
        this.fail(
          `${side}.replicateUri is ${shownUri(c.replicateUri)} but ${ids[side]} is stored as ${shownUri(stored)}, and Milvus never lets a stored uri change (drop ${side}.replicateUri to use the stored one)`
        );
      }
    }
  }
  /**
   * Releases without GetReplicateConfiguration: the standby's GetReplicateInfo answers only for a
   * source it replicates from (Milvus blocks on an unknown channel until the deadline), so an answer
   * proves the edge exists; no answer means none does, or a different one, and nothing can be read.
   */
  async viaReplicateInfo() {
    const o = this.options;
    if (!o.source.clusterId || !o.target.clusterId) {
      this.fail(
        `${shownUri(o.source.uri)} cannot report its replicate configuration (GetReplicateConfiguration UNIMPLEMENTED before milvus-io/milvus#49810); set source.clusterId and target.clusterId`
      );
    }
    const ids = { source: o.source.clusterId, target: o.target.clusterId };
    const channel = pchannelsFor(ids.target, o.pchannels)[0];
    try {
      await getReplicateInfo(
        { uri: o.target.uri, token: o.target.token },
        ids.source,
        channel,
        this.t.connectTimeoutMs
      );
      return {
        ids,
        confirmedBy: `already configured: GetReplicateInfo(${ids.source}, ${channel}) answered on the target (GetReplicateConfiguration UNIMPLEMENTED)`
      };
    } catch {
      if (!o.configureReplication) {
        this.fail(
          `${shownUri(o.target.uri)} does not replicate from ${ids.source} (GetReplicateInfo(${ids.source}, ${channel}) did not answer); the drill changes no topology it did not create (set configureReplication: true to have it apply source -> target)`
        );
      }
      return { ids, confirmedBy: null };
    }
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
    const r = await this.runUserCommand(o.killCdcCommand, {
      field: "killCdcCommand",
      timeoutMs: this.t.killCommandTimeoutMs,
      logAs: "kill-cdc",
      signal
    });
    return { injectedAt: r.startedAt, commandDoneAt: r.doneAt, output: r.output };
  }
  /**
   * A command the user gave in `field` (killCdcCommand, milvusBackup.*): run through a shell, bounded,
   * timed, its output's tail kept as evidence with tokens masked.
   */
  async runUserCommand(command, o) {
    const startedAt = Date.now();
    const r = await this.runner.run(command, [], {
      shell: true,
      timeoutMs: o.timeoutMs,
      purpose: `${o.field} to finish${o.why ? ` (${o.why})` : ""}`,
      ...o.signal ? { signal: o.signal } : {}
    });
    const doneAt = Date.now();
    this.deps.log.info(`${o.logAs}: ${o.field} finished in ${fmtMs(doneAt - startedAt)}`);
    return { startedAt, doneAt, output: this.runner.redact(tail(r.stdout + r.stderr, 5)) };
  }
  /**
   * Workload trigger bulkImport, with storage configured (backend.existing.kube.importBucket): the file
   * into the primary's operator-deployed MinIO by `kubectl exec` (kind/bulk-import.ts says why), then
   * Milvus's import through the drill's client, bounded and naming the job. The client sends the
   * create once (no SDK retry: a retried create could start a second job).
   */
  async bulkImport(req, signal) {
    const kube = this.options.kube;
    if (!kube?.importBucket)
      throw new ImportJobError(
        "backend.existing.kube.importBucket is not set: the primary's object storage is not known",
        "fail"
      );
    const k = {
      runner: this.runner,
      kubectl: "kubectl",
      baseArgs: kube.context ? ["--context", kube.context] : [],
      callTimeoutMs: this.t.kubectlTimeoutMs
    };
    const ep = { uri: this.options.source.uri, token: this.options.source.token };
    const client = (this.deps.importClient ?? ((e) => milvusClient(e)))(ep);
    return stageAndImport(
      k,
      kube.namespace,
      { cluster: kube.sourceInstance, bucket: kube.importBucket },
      req,
      client,
      {
        stageTimeoutMs: this.t.kubectlTimeoutMs,
        importTimeoutMs: this.t.importTimeoutMs,
        pollMs: this.t.pollMs,
        signal
      },
      (m) => this.deps.log.info(m)
    );
  }
  /** The user's milvus-backup command, through a shell, bounded; its output's tail kept, tokens masked. */
  async runMilvusBackup(which, ids, purpose, signal) {
    const mb = this.options.milvusBackup;
    if (!mb)
      throw new Error(
        "backend.existing.milvusBackup is not set: scenario seed on existing clusters runs your own milvus-backup"
      );
    const command = milvusBackupCommand(mb[which], ids);
    const r = await this.runUserCommand(command, {
      field: `milvusBackup.${which}`,
      timeoutMs: this.t.seedCommandTimeoutMs,
      logAs: "seed",
      why: purpose,
      signal
    });
    return { command: this.runner.redact(command), ms: r.doneAt - r.startedAt, output: r.output };
  }
  sides(side) {
    if (!this.pair) throw new Error("existing backend: seeding before provision");
    return side === "source" ? { self: this.pair.source, other: this.pair.target } : { self: this.pair.target, other: this.pair.source };
  }
  /**
   * Milvus Backup `create` on `side`, run by the user's createCommand. The drill cannot read the backup's
   * meta (it knows neither cluster's storage), so the backup carries no points or collections: the
   * points are read after the restore (restoreSecondary).
   */
  async backup(side, name, signal) {
    const { self, other } = this.sides(side);
    const ids = { name, sourceClusterId: self.clusterId, targetClusterId: other.clusterId };
    const r = await this.runMilvusBackup("createCommand", ids, `backup ${name} of ${self.clusterId}`, signal);
    this.created.set(name, r);
    return { name, clusterId: self.clusterId, points: [], collections: [], rows: 0 };
  }
  /**
   * Milvus Backup `restore secondary` into `side`, run by the user's restoreSecondaryCommand; then the
   * standby's checkpoint for the backed-up cluster, per channel, read through the Milvus protocol
   * (GetReplicateInfo), stands in for the backup points: restore secondary leaves the checkpoint at the
   * point (zilliztech/milvus-backup's test-backup-restore-secondary). seed-alignment still catches a gap
   * or an overlap judged around that point: it fails on keys missing or held twice on the standby,
   * whichever side of the point they fall, so a checkpoint past the real point (writes never
   * replicated: missing) or before it (writes replayed: doubled) still shows; only which side a key is
   * labelled with leans on the point. A channel left without a checkpoint has no point: unknown there.
   */
  async restoreSecondary(backup, side, signal) {
    const { self, other } = this.sides(side);
    if (other.clusterId !== backup.clusterId)
      throw new Error(
        `backup ${backup.name} is of ${backup.clusterId}, not of ${other.clusterId}, the cluster ${self.clusterId} replicates from`
      );
    const ids = { name: backup.name, sourceClusterId: backup.clusterId, targetClusterId: self.clusterId };
    const r = await this.runMilvusBackup(
      "restoreSecondaryCommand",
      ids,
      `restore secondary of ${backup.name} into ${self.clusterId}`,
      signal
    );
    const points = [];
    const unset = [];
    for (const [k, pch] of self.pchannels.entries()) {
      const cp = await getReplicateInfo(
        { uri: self.uri, token: self.token },
        backup.clusterId,
        pch,
        Math.min(this.t.seedCommandTimeoutMs, this.t.connectTimeoutMs)
      );
      const source = other.pchannels[k];
      if (cp.timeTick === null) unset.push(source);
      else points.push({ pchannel: source, timeTick: cp.timeTick, messageId: cp.messageId ?? "" });
    }
    if (unset.length > 0)
      this.deps.log.warn(
        `seed: after the restore ${self.clusterId} holds no checkpoint from ${backup.clusterId} on ${unset.join(", ")}: no backup point there`
      );
    return {
      rows: 0,
      points,
      detail: {
        pointsFrom: "the standby's checkpoint per channel after the restore, not the backup's meta",
        ...unset.length > 0 ? { noCheckpoint: unset } : {},
        create: this.created.get(backup.name) ?? null,
        restoreCommand: r
      }
    };
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
