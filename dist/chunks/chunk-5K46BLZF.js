import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  DEFAULT_KIND_IMAGES,
  IMAGE_NAMES,
  ImportJobError,
  OPERATOR_IMAGE_REPOSITORY,
  checkImage,
  etcdImageValues,
  minioImageValues,
  operatorImageValues,
  require_dist,
  runImportJob
} from "./chunk-3IKSNKQA.js";
import {
  UsageError,
  packageRoot
} from "./chunk-TEO4V65Y.js";
import {
  __toESM
} from "./chunk-XXWGZQIE.js";

// src/backends/kind/exec.ts
import { spawn } from "node:child_process";
var CommandError = class extends Error {
  constructor(message, command, code, stderrTail, timedOut) {
    super(message);
    this.command = command;
    this.code = code;
    this.stderrTail = stderrTail;
    this.timedOut = timedOut;
  }
  name = "CommandError";
};
var TAIL_LINES = 8;
var TAIL_CHARS = 1500;
function tail(text, lines = TAIL_LINES) {
  const t = text.trimEnd().split("\n").slice(-lines).join("\n");
  return t.length > TAIL_CHARS ? `...${t.slice(-TAIL_CHARS)}` : t;
}
function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
function formatCommand(command, args) {
  return [command, ...args].map(quote).join(" ");
}
var liveGroups = /* @__PURE__ */ new Set();
var exitHookInstalled = false;
function trackGroup(pid) {
  if (pid === void 0) return;
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const p of liveGroups) killGroup(p, "SIGKILL");
    });
  }
}
function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
    }
  }
}
var ProcessRunner = class {
  constructor(options = {}) {
    this.options = options;
    for (const s of options.secrets ?? []) this.addSecret(s);
  }
  secrets = [];
  addSecret(value) {
    if (value && value.length >= 3 && !this.secrets.includes(value)) this.secrets.push(value);
  }
  redact(text) {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join("***");
    return out;
  }
  env(extra) {
    return { ...process.env, ...this.options.env, ...extra };
  }
  spawnChild(command, args, env, shell) {
    const child = shell ? spawn("sh", ["-c", command], { env, detached: true, stdio: ["pipe", "pipe", "pipe"] }) : spawn(command, [...args], { env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    trackGroup(child.pid);
    return child;
  }
  run(command, args, opts) {
    const shown = this.redact(opts.shell ? command : formatCommand(command, args));
    this.options.trace?.(`$ ${shown}`);
    return new Promise((resolve, reject) => {
      const child = this.spawnChild(command, args, this.env(opts.env), opts.shell === true);
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      let aborted = false;
      child.stdout?.setEncoding("utf8").on("data", (d) => {
        stdout += d;
      });
      child.stderr?.setEncoding("utf8").on("data", (d) => {
        stderr += d;
      });
      const stopTree = () => {
        if (child.pid !== void 0) killGroup(child.pid, "SIGKILL");
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stopTree();
      }, opts.timeoutMs);
      const onAbort = () => {
        aborted = true;
        stopTree();
      };
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      const finish = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        if (child.pid !== void 0) liveGroups.delete(child.pid);
      };
      child.on("error", (e) => {
        finish();
        const why = e.code === "ENOENT" ? "not found on PATH" : e.message;
        reject(new CommandError(`${shown}: ${why}`, shown, null, "", false));
      });
      child.on("close", (code, signal) => {
        finish();
        const errTail = this.redact(tail(stderr || stdout));
        if (timedOut) {
          const waiting = opts.purpose ? ` waiting for ${opts.purpose}` : "";
          reject(
            new CommandError(
              `${shown}: timed out after ${fmtMs(opts.timeoutMs)}${waiting}${errTail ? `; last output: ${errTail}` : ""}`,
              shown,
              null,
              errTail,
              true
            )
          );
          return;
        }
        if (aborted) {
          reject(new CommandError(`${shown}: aborted`, shown, null, errTail, false));
          return;
        }
        const exit = code ?? (signal ? 128 : 1);
        if (exit !== 0 && !opts.allowFailure) {
          reject(
            new CommandError(
              `${shown} failed (exit ${code ?? signal}): ${errTail || "no output"}`,
              shown,
              exit,
              errTail,
              false
            )
          );
          return;
        }
        resolve({ code: exit, stdout, stderr });
      });
      if (opts.input !== void 0) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }
  start(command, args, opts = {}) {
    this.options.trace?.(`$ ${this.redact(formatCommand(command, args))} &`);
    const child = this.spawnChild(command, args, this.env(opts.env), false);
    let stderr = "";
    const listeners = [];
    child.stdout?.setEncoding("utf8").on("data", (d) => {
      for (const l of listeners) l(d);
    });
    child.stderr?.setEncoding("utf8").on("data", (d) => {
      stderr = (stderr + d).slice(-8e3);
    });
    child.stdin?.end();
    const exited = new Promise((resolve) => {
      child.on("error", (e) => {
        stderr += e.message;
        if (child.pid !== void 0) liveGroups.delete(child.pid);
        resolve({ code: null, signal: null });
      });
      child.on("close", (code, signal) => {
        if (child.pid !== void 0) liveGroups.delete(child.pid);
        resolve({ code, signal });
      });
    });
    return {
      pid: child.pid,
      exited,
      onStdout: (cb) => listeners.push(cb),
      stderrTail: () => this.redact(tail(stderr)),
      stop: async () => {
        if (child.pid === void 0 || child.exitCode !== null || child.signalCode !== null) return;
        killGroup(child.pid, "SIGTERM");
        const t = setTimeout(() => child.pid !== void 0 && killGroup(child.pid, "SIGKILL"), 3e3);
        await exited;
        clearTimeout(t);
      }
    };
  }
};
function fmtMs(ms) {
  return ms >= 1e3 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

// src/backends/kind/options.ts
var MIN_MILVUS_VERSION = "2.6.6";
var MIN_OPERATOR_VERSION = "1.3.4";
var DEFAULT_OPERATOR_VERSION = "1.3.8";
var VERSION_RE = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?$/;
function parseVersion(text) {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), suffix: m[4] ?? "" };
}
function compareVersions(a, b) {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
function parseMilvusVersion(text, what = "milvusVersion") {
  const v = parseVersion(String(text));
  if (!v || v.suffix) {
    throw new UsageError(
      `${what}: '${text}' is not a Milvus release (allowed: MAJOR.MINOR.PATCH with optional leading v, e.g. v2.6.22; no -gpu/-rc suffix)`
    );
  }
  const min = parseVersion(MIN_MILVUS_VERSION);
  if (compareVersions(v, min) < 0) {
    throw new UsageError(
      `${what}: '${text}' has no built-in CDC (allowed: v${MIN_MILVUS_VERSION} or newer; the CDC setup docs recommend v2.6.16+)`
    );
  }
  return v;
}
function milvusImageTag(version) {
  const v = parseMilvusVersion(version);
  return `v${v.major}.${v.minor}.${v.patch}`;
}
function milvusImage(version, repository = DEFAULT_KIND_IMAGES.milvus) {
  return `${repository}:${milvusImageTag(version)}`;
}
function operatorChartVersion(version) {
  const v = parseVersion(version);
  if (!v || v.suffix) {
    throw new UsageError(
      `operatorVersion: '${version}' is not a Milvus Operator chart version (allowed: MAJOR.MINOR.PATCH, e.g. ${DEFAULT_OPERATOR_VERSION})`
    );
  }
  const min = parseVersion(MIN_OPERATOR_VERSION);
  if (compareVersions(v, min) < 0) {
    throw new UsageError(
      `operatorVersion: '${version}' does not know the CDC component (allowed: ${MIN_OPERATOR_VERSION} or newer)`
    );
  }
  return `${v.major}.${v.minor}.${v.patch}`;
}
var CR_NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
var CR_NAME_MAX = 40;
var NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
var KIND_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
function checkName(what, value, re, max, rule) {
  if (typeof value !== "string" || !re.test(value) || value.length > max) {
    throw new UsageError(
      `${what}: '${value}' is not a valid name (allowed: ${rule}, at most ${max} characters)`
    );
  }
}
function validateKindOptions(o) {
  if (o.mode !== "standalone" && o.mode !== "cluster") {
    throw new UsageError(`mode: '${String(o.mode)}' is not a Milvus mode (allowed: standalone, cluster)`);
  }
  parseMilvusVersion(o.milvusVersion, "milvusVersion");
  operatorChartVersion(o.operatorVersion);
  const crRule = "lowercase letters, digits and '-', starting with a letter";
  checkName("sourceName", o.sourceName, CR_NAME_RE, CR_NAME_MAX, crRule);
  checkName("targetName", o.targetName, CR_NAME_RE, CR_NAME_MAX, crRule);
  if (o.sourceName.includes(o.targetName) || o.targetName.includes(o.sourceName)) {
    throw new UsageError(
      `sourceName/targetName: '${o.sourceName}' and '${o.targetName}' contain each other (allowed: two names where neither contains the other, because CDC matches channels by substring)`
    );
  }
  checkName("namespace", o.namespace, NAMESPACE_RE, 63, "lowercase letters, digits and '-'");
  if (o.namespace === "milvus-operator") {
    throw new UsageError(
      "namespace: 'milvus-operator' is the operator's own namespace (allowed: any other namespace)"
    );
  }
  if (o.clusterName !== null) {
    checkName("clusterName", o.clusterName, KIND_NAME_RE, 40, "lowercase letters, digits and '-'");
  }
  for (const name of IMAGE_NAMES) checkImage(name, o.images?.[name] ?? null);
  if (o.upgradeFrom === null !== (o.upgradeTo === null)) {
    throw new UsageError(
      `upgradeFrom/upgradeTo: '${o.upgradeFrom ?? ""}' -> '${o.upgradeTo ?? ""}' (allowed: both set or both empty)`
    );
  }
  if (o.upgradeFrom !== null && o.upgradeTo !== null) {
    parseMilvusVersion(o.upgradeFrom, "upgradeFrom");
    parseMilvusVersion(o.upgradeTo, "upgradeTo");
  }
  if (!Number.isInteger(o.readyTimeoutMs) || o.readyTimeoutMs <= 0) {
    throw new UsageError(
      `readyTimeoutMs: '${String(o.readyTimeoutMs)}' is not a timeout (allowed: a positive whole number of milliseconds)`
    );
  }
}
function initialMilvusVersion(o) {
  return o.upgradeFrom ?? o.milvusVersion;
}

// src/backends/kind/manifests.ts
var import_yaml = __toESM(require_dist(), 1);
import { join } from "node:path";
var OPERATOR_NAMESPACE = "milvus-operator";
var OPERATOR_RELEASE = "milvus-operator";
var OPERATOR_CHART = "milvus-operator";
var OPERATOR_REPO = "https://zilliztech.github.io/milvus-operator/";
var DML_CHANNELS = 16;
var MILVUS_PORT = 19530;
var METRICS_PORT = 9091;
var KIND_CONFIG_FILE = "single-node.yaml";
function kindConfigPath() {
  return join(packageRoot(), "fixtures", "kind", KIND_CONFIG_FILE);
}
function instanceSelector(name) {
  return `app.kubernetes.io/instance=${name},app.kubernetes.io/name=milvus`;
}
function cdcSelector(name) {
  return `app.kubernetes.io/instance=${name},app.kubernetes.io/component=cdc`;
}
function pchannelsFor(clusterId, n = DML_CHANNELS) {
  return Array.from({ length: n }, (_, i) => `${clusterId}-rootcoord-dml_${i}`);
}
function replicateUriFor(name, namespace) {
  return `http://${name}-milvus.${namespace}.svc.cluster.local:${MILVUS_PORT}`;
}
var req = (cpu, memory) => ({ requests: { cpu, memory } });
var SIZING = {
  standalone: req("250m", "1Gi"),
  clusterComponent: req("50m", "256Mi"),
  cdc: req("50m", "128Mi"),
  etcd: req("50m", "128Mi"),
  minio: req("50m", "100Mi")
};
function renderMilvusCr(o, role, cr = {}) {
  const name = role === "source" ? o.sourceName : o.targetName;
  const image = cr.image ?? milvusImage(initialMilvusVersion(o), o.images.milvus);
  const cdc = cr.cdc ?? role === "source";
  const components = { image };
  if (o.mode === "standalone") {
    components.standalone = { replicas: 1, resources: SIZING.standalone };
  } else {
    components.resources = SIZING.clusterComponent;
    components.mixCoord = { replicas: 1 };
    components.proxy = { replicas: 1 };
    components.queryNode = { replicas: 1 };
    components.dataNode = { replicas: 1 };
    components.streamingNode = { replicas: 1 };
    components.indexNode = { replicas: 0 };
  }
  if (cdc) components.cdc = { replicas: 1, resources: SIZING.cdc };
  return {
    apiVersion: "milvus.io/v1beta1",
    kind: "Milvus",
    metadata: {
      name,
      namespace: o.namespace,
      labels: {
        app: "milvus",
        "app.kubernetes.io/part-of": "milvus-cdc-drill",
        "milvus-cdc-drill/role": role
      }
    },
    spec: {
      mode: o.mode,
      components,
      dependencies: {
        // Cluster mode defaults to Pulsar; CDC drills here always use the WAL the docs set up.
        msgStreamType: "woodpecker",
        etcd: {
          inCluster: {
            deletionPolicy: "Delete",
            pvcDeletion: true,
            values: { replicaCount: 1, resources: SIZING.etcd, image: etcdImageValues(o.images.etcd) }
          }
        },
        storage: {
          inCluster: {
            deletionPolicy: "Delete",
            pvcDeletion: true,
            values: {
              mode: "standalone",
              resources: SIZING.minio,
              persistence: { size: "5Gi" },
              image: minioImageValues(o.images.minio)
            }
          }
        }
      },
      config: { rootCoord: { dmlChannelNum: DML_CHANNELS } }
    }
  };
}
function operatorImage(o) {
  return o.images.operator ?? `${OPERATOR_IMAGE_REPOSITORY}:v${operatorChartVersion(o.operatorVersion)}`;
}
function operatorValues(o) {
  return {
    image: operatorImageValues(operatorImage(o)),
    resources: { requests: { cpu: "10m", memory: "64Mi" } }
  };
}
function flattenValues(values, prefix = "") {
  const out = [];
  for (const [k, v] of Object.entries(values)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) out.push(...flattenValues(v, key));
    else out.push(`${key}=${String(v)}`);
  }
  return out;
}
function helmInstallArgs(o) {
  const sets = flattenValues(operatorValues(o)).flatMap((s) => ["--set-string", s]);
  return [
    "upgrade",
    "--install",
    OPERATOR_RELEASE,
    OPERATOR_CHART,
    "--repo",
    OPERATOR_REPO,
    "--version",
    operatorChartVersion(o.operatorVersion),
    "-n",
    OPERATOR_NAMESPACE,
    "--create-namespace",
    ...sets,
    "--wait",
    "--timeout",
    "5m"
  ];
}
function operatorWaitArgs() {
  return [
    "-n",
    OPERATOR_NAMESPACE,
    "wait",
    "--timeout=3m",
    "--for=condition=available",
    `deployments/${OPERATOR_RELEASE}`
  ];
}
function kindCreateArgs(o, clusterName, configPath) {
  return [
    "create",
    "cluster",
    "--name",
    clusterName,
    "--config",
    configPath,
    ...o.images.node ? ["--image", o.images.node] : [],
    "--wait",
    "120s"
  ];
}
function usedImages(o) {
  const out = [
    { name: "milvus", ref: milvusImage(initialMilvusVersion(o), o.images.milvus), preload: true }
  ];
  if (o.upgradeTo)
    out.push({ name: "milvus", ref: milvusImage(o.upgradeTo, o.images.milvus), preload: true });
  out.push(
    { name: "etcd", ref: o.images.etcd, preload: true },
    { name: "minio", ref: o.images.minio, preload: true },
    { name: "operator", ref: operatorImage(o), preload: true }
  );
  if (o.images.node) out.push({ name: "node", ref: o.images.node, preload: false });
  const seen = /* @__PURE__ */ new Set();
  return out.filter((i) => !seen.has(i.ref) && seen.add(i.ref));
}
var RUNNER_DISK_HOGS = [
  "/usr/share/dotnet",
  "/usr/local/lib/android",
  "/opt/ghc",
  "/usr/local/share/boost"
];
function namespaceManifest(namespace) {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };
}
function toYaml(doc) {
  return (0, import_yaml.stringify)(doc, { lineWidth: 0 });
}
function endpointFor(o, role, localUri) {
  const name = role === "source" ? o.sourceName : o.targetName;
  return {
    clusterId: name,
    uri: localUri,
    replicateUri: replicateUriFor(name, o.namespace),
    pchannels: pchannelsFor(name)
  };
}
function maskedReplicateConfig(pair) {
  const cluster = (e) => ({
    cluster_id: e.clusterId,
    connection_param: { uri: e.replicateUri, ...e.token ? { token: "***" } : {} },
    pchannels: e.pchannels
  });
  return {
    clusters: [cluster(pair.source), cluster(pair.target)],
    cross_cluster_topology: [
      { source_cluster_id: pair.source.clusterId, target_cluster_id: pair.target.clusterId }
    ]
  };
}
function imagePatch(version, repository) {
  return JSON.stringify({ spec: { components: { image: milvusImage(version, repository) } } });
}

// src/backends/kind/kube.ts
async function kubectl(k, args, purpose, extra = {}) {
  return k.runner.run(k.kubectl, [...k.baseArgs, ...args], {
    timeoutMs: extra.timeoutMs ?? k.callTimeoutMs,
    purpose,
    env: k.env,
    input: extra.input,
    allowFailure: extra.allowFailure
  });
}
function parsePods(json) {
  const list = JSON.parse(json);
  return (list.items ?? []).map((p) => ({
    name: p.metadata?.name ?? "",
    phase: p.status?.phase ?? "Unknown",
    ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    deleting: Boolean(p.metadata?.deletionTimestamp)
  }));
}
async function listPods(k, namespace, selector) {
  const r = await kubectl(
    k,
    ["get", "pods", "-n", namespace, "-l", selector, "-o", "json"],
    `the pods labelled ${selector}`
  );
  return parsePods(r.stdout);
}
var WaitTimeoutError = class extends Error {
  name = "WaitTimeoutError";
};
async function waitUntil(what, check, o, progress) {
  const deadline = Date.now() + o.timeoutMs;
  let last = "nothing observed yet";
  for (; ; ) {
    if (o.signal?.aborted) throw new Error(`aborted while waiting for ${what}`);
    try {
      const r = await check();
      if ("done" in r) return r.done;
      last = r.pending;
      progress?.(last);
    } catch (e) {
      last = `check failed: ${e instanceof Error ? e.message : String(e)}`;
      progress?.(last);
    }
    if (Date.now() + o.pollMs > deadline) {
      throw new WaitTimeoutError(
        `timed out after ${fmtMs(o.timeoutMs)} waiting for ${what}; last seen: ${last}`
      );
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}
async function killCdcPod(k, namespace, instance, o) {
  const selector = cdcSelector(instance);
  const before = (await listPods(k, namespace, selector)).filter((p) => !p.deleting);
  if (before.length === 0) {
    throw new Error(`kill-cdc: no CDC pod labelled ${selector} in namespace ${namespace}`);
  }
  const oldPods = before.map((p) => p.name);
  const killedAt = Date.now();
  await kubectl(
    k,
    ["delete", "pod", "-n", namespace, "-l", selector, "--grace-period=0", "--force", "--wait=false"],
    `deletion of the CDC pod ${oldPods.join(", ")}`
  );
  o.log(`kill-cdc: deleted ${oldPods.join(", ")}; waiting for a new Ready CDC pod`);
  const newPod = await waitUntil(
    `a new Ready CDC pod (${selector}) to replace ${oldPods.join(", ")}`,
    async () => {
      const pods = await listPods(k, namespace, selector);
      const fresh = pods.find((p) => !oldPods.includes(p.name) && p.ready && !p.deleting);
      if (fresh) return { done: fresh.name };
      const seen = pods.map((p) => `${p.name} ${p.phase}${p.ready ? " ready" : " not-ready"}`).join(", ");
      return { pending: seen || "no CDC pod" };
    },
    o
  );
  const restoredAt = Date.now();
  o.log(`kill-cdc: ${newPod} Ready after ${fmtMs(restoredAt - killedAt)}`);
  return { injectedAt: killedAt, killedAt, restoredAt, oldPod: oldPods[0], oldPods, newPod };
}

// src/backends/kind/bulk-import.ts
var IMPORT_PREFIX = "drill-import";
function importKey(fileName) {
  if (!/^[A-Za-z0-9._-]+\.json$/.test(fileName))
    throw new Error(`import file name '${fileName}' is not a plain name ending in .json`);
  return `${IMPORT_PREFIX}/${fileName}`;
}
function stageScript(s, key, bytes) {
  const target = `drill/${s.bucket}/${key}`;
  const mc = "mc --config-dir /tmp/.mc-drill --quiet";
  return [
    "set -e",
    'u="$MINIO_ROOT_USER"; [ -n "$u" ] || u="$MINIO_ACCESS_KEY"',
    'p="$MINIO_ROOT_PASSWORD"; [ -n "$p" ] || p="$MINIO_SECRET_KEY"',
    'if [ -z "$u" ] || [ -z "$p" ]; then echo "no MinIO keys in the container environment" >&2; exit 3; fi',
    `${mc} alias set drill http://127.0.0.1:9000 "$u" "$p" >/dev/null`,
    `${mc} pipe ${target}`,
    // Shell only (no sed or grep: the MinIO image is a minimal one): the stat's JSON must hold the size.
    `stat=$(${mc} stat --json ${target})`,
    `case "$stat" in *'"size":${bytes},'*|*'"size":${bytes}}'*) ;; *) echo "staged object is not ${bytes} bytes: $stat" >&2; exit 4;; esac`,
    `echo "staged ${bytes} bytes at ${s.bucket}/${key}"`,
    ""
  ].join("\n");
}
function stageArgs(namespace, s, script) {
  return ["exec", "-i", "-n", namespace, `svc/${s.cluster}-minio`, "--", "sh", "-c", script];
}
async function stageAndImport(k, namespace, storage, req2, client, o, log) {
  const key = importKey(req2.fileName);
  const object = `${storage.bucket}/${key}`;
  const bytes = Buffer.byteLength(req2.content);
  try {
    try {
      await kubectl(
        k,
        stageArgs(namespace, storage, stageScript(storage, key, bytes)),
        `staging the import file ${object} in ${storage.cluster}'s MinIO`,
        { input: req2.content, timeoutMs: o.stageTimeoutMs }
      );
    } catch (e) {
      throw new ImportJobError(
        `staging the import file ${object} in ${storage.cluster}'s MinIO failed: ${e instanceof Error ? e.message : String(e)}`,
        "fail"
      );
    }
    const done = await runImportJob(client, {
      collection: req2.collection,
      partition: req2.partition,
      files: [key],
      timeoutMs: o.importTimeoutMs,
      pollMs: o.pollMs,
      signal: o.signal
    });
    log(`bulk import: job ${done.jobId} put ${done.rows} row(s) of ${object} into ${req2.collection}`);
    return { ...done, object };
  } finally {
    await Promise.resolve(client.closeConnection?.()).catch(() => {
    });
  }
}

export {
  tail,
  formatCommand,
  ProcessRunner,
  fmtMs,
  parseVersion,
  compareVersions,
  milvusImage,
  validateKindOptions,
  initialMilvusVersion,
  OPERATOR_NAMESPACE,
  OPERATOR_RELEASE,
  MILVUS_PORT,
  METRICS_PORT,
  kindConfigPath,
  instanceSelector,
  cdcSelector,
  pchannelsFor,
  renderMilvusCr,
  operatorValues,
  helmInstallArgs,
  operatorWaitArgs,
  kindCreateArgs,
  usedImages,
  RUNNER_DISK_HOGS,
  namespaceManifest,
  toYaml,
  endpointFor,
  maskedReplicateConfig,
  imagePatch,
  kubectl,
  listPods,
  waitUntil,
  killCdcPod,
  stageAndImport
};
