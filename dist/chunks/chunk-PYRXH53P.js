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
  kubectl,
  listPods,
  stageAndImport,
  tail,
  waitUntil
} from "./chunk-P5P5CDIZ.js";
import {
  DEFAULT_FAULT_PARAMS,
  KIND_CHAOS_TYPES,
  chaosFile,
  chaosMeshInstallArgs,
  chaosMeshUninstallArgs,
  chaosName,
  chaosResource,
  needsChaosMesh
} from "./chunk-XKCU5RX7.js";
import {
  ImportJobError,
  METRICS_PORT,
  MILVUS_PORT,
  OPERATOR_NAMESPACE,
  OPERATOR_RELEASE,
  RUNNER_DISK_HOGS,
  cdcSelector,
  compareVersions,
  endpointFor,
  formatCommand,
  helmInstallArgs,
  imagePatch,
  initialMilvusVersion,
  instanceSelector,
  kindConfigPath,
  kindCreateArgs,
  maskedReplicateConfig,
  milvusImage,
  namespaceManifest,
  operatorValues,
  operatorWaitArgs,
  parseVersion,
  pchannelsFor,
  renderMilvusCr,
  starTargetNames,
  toYaml,
  usedImages,
  validateKindOptions
} from "./chunk-2QI2MH3L.js";
import {
  freePort
} from "./chunk-ATWVWLQA.js";
import {
  milvusClient
} from "./chunk-3II6UGC6.js";
import {
  protoRoot
} from "./chunk-75SGTU5M.js";
import {
  EnvironmentError,
  UsageError,
  cacheRoot
} from "./chunk-TEO4V65Y.js";

// src/backends/kind/backend.ts
import { mkdir as mkdir3, mkdtemp as mkdtemp2, rm as rm4, writeFile as writeFile3 } from "node:fs/promises";
import { arch as osArch2, tmpdir as tmpdir2 } from "node:os";
import { join as join5 } from "node:path";

// src/backends/kind/metrics.ts
var METRICS_SELECTOR = "app.kubernetes.io/name=milvus,app.kubernetes.io/component in (cdc,standalone,streamingnode)";
var KUBE_METRICS_INTERVAL_MS = 1e3;
function podMetricsPath(namespace, pod) {
  return `/api/v1/namespaces/${namespace}/pods/${pod}:${METRICS_PORT}/proxy/metrics`;
}
function podMetricsScraper(k, namespace, o = {}) {
  const refreshMs = o.refreshMs ?? 1e4;
  const now = o.now ?? Date.now;
  let pods = null;
  let listedAt = 0;
  return async (timeoutMs) => {
    if (pods === null || now() - listedAt > refreshMs) {
      pods = (await listPods({ ...k, callTimeoutMs: timeoutMs }, namespace, METRICS_SELECTOR)).filter(
        (p) => p.phase === "Running" && p.ready && !p.deleting
      );
      listedAt = now();
    }
    const current = pods;
    if (current.length === 0) {
      pods = null;
      throw new Error(`no ready Milvus pod labelled ${METRICS_SELECTOR} in namespace ${namespace}`);
    }
    try {
      return await Promise.all(
        current.map(async (p) => {
          const r = await kubectl(
            k,
            ["get", "--raw", podMetricsPath(namespace, p.name)],
            `metrics of ${p.name}`,
            {
              timeoutMs
            }
          );
          return r.stdout;
        })
      );
    } catch (e) {
      pods = null;
      throw e;
    }
  };
}

// src/backends/kind/milvus-backup.ts
var MILVUS_BACKUP_PIN = {
  module: "github.com/zilliztech/milvus-backup",
  version: "v0.5.16",
  commit: "719e9acbb5430ad04a2bdc7cb9c14f298846f8ba",
  sum: "h1:zkKFh8ddUi32gG5V8h+GvEsc2hWfxcrZ5ziOxSA7iCg=",
  toolchain: "go1.25.5",
  sha256: "5a711e621d0eab4c5dfe0add7d151c78de5ac9277f978643335d51e8d99e13ba"
};
var BACKUP_JOB_TIMEOUT_MS = 15 * 6e4;
var BUCKET_TRAP_FIXED_IN = "0.5.17";
function checkPin(pin = MILVUS_BACKUP_PIN) {
  const bad = (field, want) => new UsageError(
    `milvus-backup pin: ${field} '${pin[field]}' is not ${want} (MILVUS_BACKUP_PIN in src/backends/kind/milvus-backup.ts)`
  );
  if (!/^v\d+\.\d+\.\d+$/.test(pin.version)) throw bad("version", "a release tag vX.Y.Z");
  if (!/^h1:[A-Za-z0-9+/]{43}=$/.test(pin.sum)) throw bad("sum", "a go.sum hash h1:<base64 of 32 bytes>");
  if (!/^go\d+\.\d+\.\d+$/.test(pin.toolchain)) throw bad("toolchain", "a Go release goX.Y.Z");
  if (!/^[a-f0-9]{64}$/.test(pin.sha256)) throw bad("sha256", "64 hex digits");
  if (!/^[a-f0-9]{40}$/.test(pin.commit)) throw bad("commit", "a 40-hex commit");
}
function milvusBackupImage(pin = MILVUS_BACKUP_PIN) {
  checkPin(pin);
  return `milvus-cdc-drill/milvus-backup:${pin.version}-${pin.sha256.slice(0, 12)}`;
}
var MILVUS_BACKUP_DOCKERFILE = [
  "FROM scratch",
  "COPY milvus-backup /app/milvus-backup",
  "WORKDIR /app",
  'ENTRYPOINT ["/app/milvus-backup"]',
  ""
].join("\n");
function clusterStorage(o, name) {
  const svc = (s) => `${name}-${s}.${o.namespace}.svc.cluster.local`;
  return {
    cluster: name,
    milvus: svc("milvus"),
    etcd: `${svc("etcd")}:2379`,
    minio: svc("minio"),
    bucket: name,
    rootPath: "files",
    secret: `${name}-minio`
  };
}
var BACKUP_ROOT = "backup";
function layoutFor(o, talkTo, standby) {
  const s = clusterStorage(o, standby);
  return {
    talkTo: clusterStorage(o, talkTo),
    backup: { minio: s.minio, bucket: s.bucket, rootPath: BACKUP_ROOT, secret: s.secret }
  };
}
function refuseBucketTrap(pin, restoreLayout) {
  const v = parseVersion(pin.version);
  const fixed = parseVersion(BUCKET_TRAP_FIXED_IN);
  if (v && compareVersions(v, fixed) >= 0) return;
  const t = restoreLayout.talkTo;
  const b = restoreLayout.backup;
  if (b.minio !== t.minio || b.bucket !== t.bucket)
    throw new UsageError(
      `milvus-backup ${pin.version}: the backup is in ${b.minio}/${b.bucket}, not the standby's own ${t.minio}/${t.bucket}; restore secondary of this version retries its imports forever then (zilliztech/milvus-backup#1166, fixed after v0.5.16 by #1168); refused`
    );
}
function backupYaml(l, c) {
  const cross = l.backup.minio !== l.talkTo.minio;
  return [
    "log:",
    "  level: info",
    "  console: true",
    "milvus:",
    `  address: ${l.talkTo.milvus}`,
    `  port: ${MILVUS_PORT}`,
    '  user: ""',
    '  password: ""',
    "  tlsMode: 0",
    "  etcd:",
    `    endpoints: ${l.talkTo.etcd}`,
    `    rootPath: ${l.talkTo.cluster}`,
    "minio:",
    "  storageType: minio",
    `  address: ${l.talkTo.minio}`,
    "  port: 9000",
    "  useSSL: false",
    `  bucketName: ${l.talkTo.bucket}`,
    `  rootPath: ${l.talkTo.rootPath}`,
    "  backupStorageType: minio",
    `  backupAddress: ${l.backup.minio}`,
    "  backupPort: 9000",
    "  backupUseSSL: false",
    `  backupBucketName: ${l.backup.bucket}`,
    `  backupRootPath: ${l.backup.rootPath}`,
    `  crossStorage: ${cross}`,
    "backup:",
    "  gcPause:",
    // Only create reads data that GC could remove under it; the management API is on the metrics port.
    `    enable: ${c.kind === "create"}`,
    `    address: http://${l.talkTo.milvus}:${METRICS_PORT}`,
    ""
  ].join("\n");
}
function jobEnv(l) {
  const fromSecret = (name, secret, key) => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key } }
  });
  return [
    fromSecret("MINIO_ACCESS_KEY", l.talkTo.secret, "accesskey"),
    fromSecret("MINIO_SECRET_KEY", l.talkTo.secret, "secretkey"),
    fromSecret("MINIO_BACKUP_ACCESS_KEY", l.backup.secret, "accesskey"),
    fromSecret("MINIO_BACKUP_SECRET_KEY", l.backup.secret, "secretkey")
  ];
}
function backupArgs(c) {
  const config = ["--config", "/config/backup.yaml"];
  return c.kind === "create" ? (
    // --backup_index_extra always: without it restore secondary hangs (zilliztech/milvus-backup#1167).
    ["create", "-n", c.name, "--backup_index_extra", ...config]
  ) : [
    "restore",
    "secondary",
    "-n",
    c.name,
    "--source_cluster_id",
    c.sourceClusterId,
    "--target_cluster_id",
    c.targetClusterId,
    ...config
  ];
}
var META_FILES = ["backup_meta.json", "collection_meta.json", "segment_meta.json"];
var metaBegin = (file) => `---- milvus-cdc-drill ${file} ----`;
var META_END = "---- milvus-cdc-drill end ----";
function backupCommand(c) {
  return ["/app/milvus-backup", ...backupArgs(c)];
}
var CREATE_CONTAINER = "milvus-backup";
var META_CONTAINER = "meta";
function metaScript(l, c) {
  const lines = ["set -e"];
  for (const f of META_FILES) {
    const url = `http://${l.backup.minio}:9000/${l.backup.bucket}/${l.backup.rootPath}/${c.name}/meta/${f}`;
    lines.push(
      formatCommand("echo", [metaBegin(f)]),
      `curl -sSf --max-time 60 --aws-sigv4 aws:amz:us-east-1:s3 --user "$MINIO_BACKUP_ACCESS_KEY:$MINIO_BACKUP_SECRET_KEY" ${formatCommand(url, [])}`,
      "echo",
      formatCommand("echo", [META_END])
    );
  }
  return `${lines.join("\n")}
`;
}
function jobName(c) {
  const base = `mb-${c.kind === "create" ? "create" : "restore"}-${c.name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  return base.slice(0, 52).replace(/-+$/, "");
}
function logContainer(c) {
  return c.kind === "create" ? META_CONTAINER : CREATE_CONTAINER;
}
function backupJobManifests(o, c, l, image, readerImage, deadlineSeconds) {
  const name = jobName(c);
  const labels = {
    "app.kubernetes.io/name": "milvus-backup",
    "app.kubernetes.io/part-of": "milvus-cdc-drill"
  };
  const backup = {
    name: CREATE_CONTAINER,
    image,
    // Built and loaded into the node by the drill: a pull could only fetch something else.
    imagePullPolicy: "Never",
    workingDir: "/app",
    command: backupCommand(c),
    env: jobEnv(l),
    volumeMounts: [{ name: "config", mountPath: "/config" }]
  };
  const pod = c.kind === "create" ? {
    restartPolicy: "Never",
    // create first; the reader runs only when it exited 0.
    initContainers: [backup],
    containers: [
      {
        name: META_CONTAINER,
        image: readerImage,
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/sh", "-c", metaScript(l, c)],
        env: jobEnv(l).slice(2)
      }
    ],
    volumes: [{ name: "config", configMap: { name } }]
  } : {
    restartPolicy: "Never",
    containers: [backup],
    volumes: [{ name: "config", configMap: { name } }]
  };
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: o.namespace, labels },
      data: { "backup.yaml": backupYaml(l, c) }
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name, namespace: o.namespace, labels },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: deadlineSeconds,
        template: { metadata: { labels }, spec: pod }
      }
    }
  ];
}
var HOPELESS_WAITING = [
  "ErrImageNeverPull",
  "InvalidImageName",
  "ErrImagePull",
  "ImagePullBackOff",
  "CreateContainerConfigError",
  "CreateContainerError"
];
function jobState(jobJson, podsJson) {
  const job = JSON.parse(jobJson);
  const conds = job.status?.conditions ?? [];
  const failed = conds.find((x) => x.type === "Failed" && x.status === "True");
  if (failed)
    return {
      done: false,
      failed: `${failed.reason ?? "Failed"}: ${failed.message ?? ""}`.trim(),
      pending: ""
    };
  if ((job.status?.succeeded ?? 0) > 0 || conds.some((x) => x.type === "Complete" && x.status === "True"))
    return { done: true, failed: null, pending: "" };
  let why = "";
  if (podsJson) {
    const pods = JSON.parse(podsJson);
    const parts = [];
    for (const p of pods.items ?? []) {
      const statuses = [...p.status?.initContainerStatuses ?? [], ...p.status?.containerStatuses ?? []];
      const waiting = statuses.find((s) => s.state?.waiting?.reason);
      const w = waiting?.state?.waiting;
      const shown = `${p.metadata?.name ?? "?"} ${p.status?.phase ?? "?"}${w?.reason ? ` (${w.reason}${w.message ? `: ${w.message}` : ""})` : ""}`;
      if (w?.reason && HOPELESS_WAITING.includes(w.reason))
        return {
          done: false,
          failed: `container ${waiting?.name ?? "?"} of pod ${shown}`,
          pending: ""
        };
      parts.push(shown);
    }
    why = parts.join(", ");
  }
  return { done: false, failed: null, pending: why || "job not finished" };
}
function flushAllPoint(pchannel, base64) {
  const type = protoRoot().lookupType("milvus.proto.common.ImmutableMessage");
  const msg = type.toObject(type.decode(Buffer.from(base64, "base64")), {
    longs: String
  });
  const tt = msg.properties?._tt;
  if (!tt || !/^[0-9a-z]+$/.test(tt))
    throw new Error(`the FlushAll message of ${pchannel} has no time tick (_tt)`);
  let v = 0n;
  for (const ch of tt) v = v * 36n + BigInt(Number.parseInt(ch, 36));
  return { pchannel, timeTick: v.toString(), messageId: msg.id?.id ?? "" };
}
function metaSection(log, file, name) {
  const begin = metaBegin(file);
  const from = log.indexOf(begin);
  const to = log.indexOf(META_END, from + 1);
  if (from < 0 || to < 0)
    throw new Error(`milvus-backup create ${name}: its log holds no ${file} (the Job printed no '${begin}')`);
  return JSON.parse(log.slice(from + begin.length, to));
}
function pchannelOf(name) {
  return name.replace(/_\d+v\d+$/, "");
}
function parseBackupMeta(log, name, clusterId, pchannels) {
  const meta = metaSection(log, "backup_meta.json", name);
  const colls = metaSection(log, "collection_meta.json", name);
  const segs = metaSection(log, "segment_meta.json", name);
  const msgs = meta.flush_all_msgs_base64 ?? {};
  const missing = pchannels.filter((p) => !msgs[p]);
  if (missing.length)
    throw new Error(
      `backup ${name} of ${clusterId} has no FlushAll point on ${missing.join(", ")}: it cannot seed a standby (zilliztech/milvus-backup#1185); refused before the restore`
    );
  const rowsOf = /* @__PURE__ */ new Map();
  for (const s of segs.infos ?? [])
    if (!s.is_l0 && s.collection_id !== void 0)
      rowsOf.set(s.collection_id, (rowsOf.get(s.collection_id) ?? 0) + Number(s.num_of_rows ?? 0));
  const collections = (colls.infos ?? []).map((c) => {
    const ch = c.physical_channel_names?.[0] ?? c.virtual_channel_names?.[0] ?? Object.keys(c.channel_checkpoints ?? {})[0] ?? "";
    return {
      name: c.collection_name ?? "",
      pchannel: pchannelOf(ch),
      rows: c.collection_id === void 0 ? 0 : rowsOf.get(c.collection_id) ?? 0
    };
  });
  return {
    name,
    clusterId,
    points: pchannels.map((p) => flushAllPoint(p, msgs[p])),
    collections,
    rows: collections.reduce((n, c) => n + c.rows, 0)
  };
}

// src/backends/kind/milvus-backup-build.ts
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
var MilvusBackupBuildError = class extends EnvironmentError {
  name = "MilvusBackupBuildError";
};
var GO_MINIMUM = "1.21.0";
var GO_HINT = "install Go >= 1.21 (on GitHub runners it is preinstalled, or use actions/setup-go); it fetches the pinned toolchain itself";
function cachedBinary(cacheDir, pin) {
  return join(cacheDir, `${pin.version}-${pin.sha256}`, "milvus-backup");
}
async function sha256File(path) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk);
  return h.digest("hex");
}
function goBuildArgs(pin, dir, out) {
  const ldflags = `-X "${pin.module}/version.Version=${pin.version}" -X "${pin.module}/version.Commit=${pin.commit}"`;
  return ["build", "-C", dir, "-trimpath", "-ldflags", ldflags, "-o", out, "."];
}
function goEnv(pin) {
  return { GOTOOLCHAIN: pin.toolchain, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" };
}
async function cachedAndChecked(cacheDir, pin) {
  const bin = cachedBinary(cacheDir, pin);
  if (!existsSync(bin)) return null;
  return await sha256File(bin) === pin.sha256 ? bin : null;
}
async function preflightGo(ops, pin) {
  if (await cachedAndChecked(ops.cacheDir, pin)) return null;
  const r = await ops.runner.run("go", ["version"], {
    timeoutMs: ops.timeoutMs,
    purpose: "go to print its version",
    env: { GOTOOLCHAIN: "local" },
    allowFailure: true,
    signal: ops.signal
  }).catch((e) => ({ code: 127, stdout: "", stderr: e instanceof Error ? e.message : String(e) }));
  const m = /go(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout);
  const v = m?.[1] ? parseVersion(m[1].split(".").length === 2 ? `${m[1]}.0` : m[1]) : null;
  if (r.code !== 0 || !v)
    throw new MilvusBackupBuildError(
      `go: not found on PATH ('go version' failed: ${tail(r.stderr || r.stdout, 1) || `exit ${r.code}`}); the kind backend builds the pinned milvus-backup ${pin.version} from source for scenario seed and the failover's way back: ${GO_HINT}; nothing was created`
    );
  if (compareVersions(v, parseVersion(GO_MINIMUM)) < 0)
    throw new MilvusBackupBuildError(
      `go: ${m?.[1]} is older than ${GO_MINIMUM} and cannot fetch the pinned toolchain ${pin.toolchain} (GOTOOLCHAIN); ${GO_HINT}; nothing was created`
    );
  return m?.[1] ?? null;
}
async function buildMilvusBackup(ops, pin) {
  const cached = await cachedAndChecked(ops.cacheDir, pin);
  if (cached) {
    ops.log(`milvus-backup ${pin.version}: the checked binary is cached (${cached}), sha256 ${pin.sha256}`);
    return cached;
  }
  const mod = `${pin.module}@${pin.version}`;
  const dl = await ops.runner.run("go", ["mod", "download", "-json", mod], {
    timeoutMs: ops.timeoutMs,
    purpose: `go mod download ${mod}`,
    env: goEnv(pin),
    allowFailure: true,
    signal: ops.signal
  });
  let info = {};
  try {
    info = JSON.parse(dl.stdout || "{}");
  } catch {
  }
  if (dl.code !== 0 || info.Error || !info.Dir)
    throw new MilvusBackupBuildError(
      `go mod download ${mod} failed: ${(info.Error ?? tail(dl.stderr || dl.stdout, 2)).replace(/\n/g, " ") || `exit ${dl.code}`}; nothing was created`
    );
  if (info.Sum !== pin.sum)
    throw new MilvusBackupBuildError(
      `go mod download ${mod}: its Sum is ${info.Sum ?? "missing"}, not the pinned ${pin.sum}; refused (MILVUS_BACKUP_PIN in src/backends/kind/milvus-backup.ts); nothing was created`
    );
  const bin = resolve(cachedBinary(ops.cacheDir, pin));
  await mkdir(join(bin, ".."), { recursive: true });
  const partial = `${bin}.${process.pid}.partial`;
  try {
    ops.log(`milvus-backup ${pin.version}: Sum ${info.Sum} as pinned; building it with ${pin.toolchain}`);
    await ops.runner.run("go", goBuildArgs(pin, info.Dir, partial), {
      timeoutMs: ops.timeoutMs,
      purpose: `go build of ${mod} with ${pin.toolchain}`,
      env: goEnv(pin),
      signal: ops.signal
    });
    if (!existsSync(partial))
      throw new MilvusBackupBuildError(
        `go build of ${mod} wrote no binary at ${partial}; nothing was created`
      );
    const got = await sha256File(partial);
    if (got !== pin.sha256)
      throw new MilvusBackupBuildError(
        `go build of ${mod} with ${pin.toolchain}: the binary's sha256 is ${got}, not the pinned ${pin.sha256}; refused (a different toolchain, platform or source makes another binary); nothing was created`
      );
    await rename(partial, bin);
  } finally {
    await rm(partial, { force: true }).catch(() => {
    });
  }
  ops.log(`milvus-backup ${pin.version}: built, sha256 ${pin.sha256} as pinned (${bin})`);
  return bin;
}
async function buildMilvusBackupImage(ops, pin, binary) {
  const image = milvusBackupImage(pin);
  const ctx = join(ops.workDir, "milvus-backup-image");
  await rm(ctx, { recursive: true, force: true });
  await mkdir(ctx, { recursive: true });
  await link(binary, join(ctx, "milvus-backup")).catch(() => copyFile(binary, join(ctx, "milvus-backup")));
  await writeFile(join(ctx, "Dockerfile"), MILVUS_BACKUP_DOCKERFILE);
  try {
    await ops.runner.run("docker", ["build", "-t", image, ctx], {
      timeoutMs: ops.timeoutMs,
      purpose: `docker build of ${image}`,
      signal: ops.signal
    });
  } finally {
    await rm(ctx, { recursive: true, force: true }).catch(() => {
    });
  }
  return image;
}

// src/backends/kind/plan.ts
import { readFileSync } from "node:fs";
import { join as join2 } from "node:path";
var PLAN_FILES = {
  kindConfig: "kind-config.yaml",
  operatorValues: "operator-values.yaml",
  source: "source.yaml",
  target: "target.yaml",
  replicateConfig: "replicate-config.json",
  commands: "commands.sh",
  seedBackup: "milvus-backup-create.yaml",
  seedRestore: "milvus-backup-restore-secondary.yaml",
  seedDockerfile: "milvus-backup.Dockerfile"
};
function targetFile(k) {
  return k === 1 ? PLAN_FILES.target : `target-${k}.yaml`;
}
function planStandbys(o, standbys = 1) {
  return starTargetNames(o, standbys).map((name, i) => ({ name, file: targetFile(i + 1) }));
}
function runUniqueClusterName(now = Date.now(), rand = Math.random()) {
  return `mcd-${now.toString(36)}-${Math.floor(rand * 36 ** 4).toString(36).padStart(4, "0")}`;
}
function chaosTypes(nemesis) {
  const out = [];
  for (const t of nemesis?.types ?? []) if (KIND_CHAOS_TYPES.includes(t) && !out.includes(t)) out.push(t);
  return out;
}
function renderPlanFiles(o, cr = {}) {
  const source = renderMilvusCr(o, "source");
  const extra = planStandbys(o, cr.standbys).slice(1);
  const target = renderMilvusCr(o, "target", { cdc: cr.cdcOnTarget === true });
  const pair = {
    source: endpointFor(o, "source", "(port-forward)"),
    target: endpointFor(o, "target", "(port-forward)"),
    extraStandbys: extra.map((s) => endpointFor(o, "target", "(port-forward)", s.name))
  };
  return {
    [PLAN_FILES.kindConfig]: readFileSync(kindConfigPath(), "utf8"),
    [PLAN_FILES.operatorValues]: toYaml(operatorValues(o)),
    // The namespace travels with the source CR so one apply creates both, in order.
    [PLAN_FILES.source]: `${toYaml(namespaceManifest(o.namespace))}---
${toYaml(source)}`,
    [PLAN_FILES.target]: toYaml(target),
    ...Object.fromEntries(
      extra.map((s) => [
        s.file,
        toYaml(renderMilvusCr(o, "target", { cdc: cr.cdcOnTarget === true, name: s.name }))
      ])
    ),
    [PLAN_FILES.replicateConfig]: `${JSON.stringify(maskedReplicateConfig(pair), null, 2)}
`,
    ...Object.fromEntries(
      chaosTypes(cr.nemesis).map((t) => [
        chaosFile(t),
        toYaml(chaosResource(o, t, cr.nemesis.params))
      ])
    )
  };
}
function kubeContext(clusterName) {
  return `kind-${clusterName}`;
}
function kubectlAccess(kubeconfig, clusterName) {
  return ["--kubeconfig", kubeconfig, "--context", kubeContext(clusterName)];
}
function helmAccess(kubeconfig, clusterName) {
  return ["--kubeconfig", kubeconfig, "--kube-context", kubeContext(clusterName)];
}
function provisionSteps(o, clusterName, dir, env = { githubActions: process.env.GITHUB_ACTIONS === "true" }, nemesis = [], standbys = 1) {
  const kubeconfig = join2(dir, "kubeconfig");
  const kube = kubectlAccess(kubeconfig, clusterName);
  const steps = [{ phase: "docker", tool: "docker", args: ["info"] }];
  if (o.freeDisk) {
    steps.push({
      phase: "free-disk",
      tool: "sudo",
      args: ["rm", "-rf", ...RUNNER_DISK_HOGS],
      when: env.githubActions ? "freeDisk" : "freeDisk, on GitHub runners only (skipped here)"
    });
  }
  steps.push({
    phase: "create",
    tool: "kind",
    args: [...kindCreateArgs(o, clusterName, join2(dir, PLAN_FILES.kindConfig)), "--kubeconfig", kubeconfig]
  });
  steps.push({
    phase: "operator",
    tool: "helm",
    args: [...helmInstallArgs(o), ...helmAccess(kubeconfig, clusterName)]
  });
  steps.push({ phase: "operator-wait", tool: "kubectl", args: [...kube, ...operatorWaitArgs()] });
  if (needsChaosMesh(nemesis)) {
    steps.push({
      phase: "chaos-mesh",
      tool: "helm",
      args: [...chaosMeshInstallArgs(), ...helmAccess(kubeconfig, clusterName)],
      when: `the nemesis brings ${nemesis.filter((t) => KIND_CHAOS_TYPES.includes(t)).join(", ")} (Chaos Mesh, for kind's containerd)`
    });
  }
  steps.push({
    phase: "apply",
    tool: "kubectl",
    args: [...kube, "apply", "-f", join2(dir, PLAN_FILES.source)]
  });
  for (const s of planStandbys(o, standbys))
    steps.push({ phase: "apply", tool: "kubectl", args: [...kube, "apply", "-f", join2(dir, s.file)] });
  return steps;
}
var BUILD_TIMEOUT_S = 20 * 60;

// src/backends/kind/portforward.ts
var PortForward = class {
  constructor(o) {
    this.o = o;
  }
  child = null;
  stopped = false;
  failedInARow = 0;
  restarts = 0;
  localPort = 0;
  get target() {
    return `svc/${this.o.service} in namespace ${this.o.namespace}`;
  }
  /** Starts the forward and resolves with the local port once kubectl says it is forwarding. */
  async start() {
    this.localPort = await freePort();
    await this.launch();
    return this.localPort;
  }
  args() {
    return [
      ...this.o.baseArgs ?? [],
      "port-forward",
      "--address",
      "127.0.0.1",
      "-n",
      this.o.namespace,
      `svc/${this.o.service}`,
      `${this.localPort}:${this.o.remotePort}`
    ];
  }
  async launch() {
    const child = this.o.runner.start(this.o.kubectl, this.args(), { env: this.o.env });
    this.child = child;
    const timeoutMs = this.o.readyTimeoutMs ?? 3e4;
    let seen = "";
    const ready = new Promise((resolve2) => {
      child.onStdout((t) => {
        seen += t;
        if (/Forwarding from/.test(seen)) resolve2("ready");
      });
    });
    let timer;
    const expired = new Promise((resolve2) => {
      timer = setTimeout(() => resolve2("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([ready, child.exited.then(() => "exited"), expired]);
    clearTimeout(timer);
    if (outcome !== "ready") {
      await child.stop();
      const why = outcome === "timeout" ? `timed out after ${fmtMs(timeoutMs)} waiting for 'Forwarding from' on port ${this.localPort}` : `kubectl exited before forwarding: ${child.stderrTail() || "no output"}`;
      throw new Error(`port-forward to ${this.target}: ${why}`);
    }
    this.failedInARow = 0;
    void child.exited.then(({ code, signal }) => this.onExit(child, code, signal));
  }
  async onExit(child, code, signal) {
    if (this.stopped || this.child !== child) return;
    this.o.warn(
      `port-forward to ${this.target} exited (${code ?? signal}): ${child.stderrTail() || "no output"}; restarting on port ${this.localPort}`
    );
    while (!this.stopped) {
      await new Promise((r) => setTimeout(r, this.o.restartDelayMs ?? 1e3));
      if (this.stopped) return;
      try {
        await this.launch();
        this.restarts++;
        return;
      } catch (e) {
        this.failedInARow++;
        const max = this.o.maxFailedRestarts ?? 30;
        this.o.warn(`${e instanceof Error ? e.message : String(e)} (attempt ${this.failedInARow}/${max})`);
        if (this.failedInARow >= max) {
          this.o.warn(`port-forward to ${this.target}: giving up after ${max} failed restarts`);
          return;
        }
      }
    }
  }
  async stop() {
    this.stopped = true;
    await this.child?.stop();
  }
};

// src/backends/kind/preload.ts
import { rm as rm2 } from "node:fs/promises";
import { join as join3 } from "node:path";
async function localDigest(ops, ref) {
  const r = await ops.runner.run("docker", ["image", "inspect", "--format", "{{json .RepoDigests}}", ref], {
    timeoutMs: ops.timeoutMs,
    purpose: `docker image inspect ${ref}`,
    allowFailure: true,
    signal: ops.signal
  });
  if (r.code !== 0) return { present: false, digest: null };
  try {
    const digests = JSON.parse(r.stdout.trim() || "[]");
    return { present: true, digest: digests[0] ?? null };
  } catch {
    return { present: true, digest: null };
  }
}
async function preflightImages(ops, images) {
  const results = await Promise.all(
    images.map(async (img) => {
      const local = await localDigest(ops, img.ref).catch(() => ({ present: false, digest: null }));
      if (local.present) return { ...img, ...local };
      try {
        await ops.runner.run("docker", ["manifest", "inspect", img.ref], {
          timeoutMs: ops.timeoutMs,
          purpose: `the registry to describe ${img.ref}`,
          signal: ops.signal
        });
        return { ...img, present: false, digest: null };
      } catch (e) {
        return { img, problem: e instanceof Error ? e.message : String(e) };
      }
    })
  );
  const missing = results.filter((r) => "problem" in r);
  if (missing.length > 0) {
    const first = missing[0];
    const names = missing.map((m) => `${m.img.name} ${m.img.ref}`).join(", ");
    throw new EnvironmentError(
      `image preflight: cannot pull ${names} (set kind.images.${first.img.name} or --image ${first.img.name}=REF to a registry that serves it); nothing was created. ${tail(first.problem, 2).replace(/\n/g, " ")}`
    );
  }
  return results;
}
async function preloadImages(o, images) {
  const out = { images: [], pulled: [], viaArchive: [], removed: [] };
  for (const img of images) {
    if (!img.preload) {
      out.images.push(img);
      continue;
    }
    let digest = img.digest;
    if (!img.present) {
      await o.runner.run("docker", ["pull", img.ref], {
        timeoutMs: o.timeoutMs,
        purpose: `docker pull ${img.ref}`,
        signal: o.signal
      });
      out.pulled.push(img.ref);
      digest = (await localDigest(o, img.ref).catch(() => ({ digest: null }))).digest;
    }
    out.images.push({ ...img, digest });
    try {
      await o.runner.run(o.kind, ["load", "docker-image", img.ref, "--name", o.clusterName], {
        timeoutMs: o.timeoutMs,
        purpose: `kind load docker-image ${img.ref}`,
        signal: o.signal
      });
    } catch (e) {
      o.warn(
        `kind load docker-image ${img.ref} failed (${tail(e instanceof Error ? e.message : String(e), 1)}); loading it as an image archive instead`
      );
      const archive = join3(o.workDir, `image-${out.viaArchive.length}.tar`);
      try {
        const save = (platform2) => o.runner.run("docker", ["save", ...platform2, "-o", archive, img.ref], {
          timeoutMs: o.timeoutMs,
          purpose: `docker save ${img.ref}`,
          signal: o.signal
        });
        await save(["--platform", o.platform]).catch((e2) => {
          if (!/unknown flag: --platform/.test(e2 instanceof Error ? e2.message : String(e2))) throw e2;
          return save([]);
        });
        await o.runner.run(o.kind, ["load", "image-archive", archive, "--name", o.clusterName], {
          timeoutMs: o.timeoutMs,
          purpose: `kind load image-archive ${img.ref}`,
          signal: o.signal
        });
      } finally {
        await rm2(archive, { force: true }).catch(() => {
        });
      }
      out.viaArchive.push(img.ref);
    }
  }
  if (o.removePulled && out.pulled.length > 0) {
    const r = await o.runner.run("docker", ["rmi", ...out.pulled], {
      timeoutMs: o.timeoutMs,
      purpose: "docker rmi of the images this run pulled",
      allowFailure: true
    }).catch((e) => ({ code: 1, stdout: "", stderr: e instanceof Error ? e.message : String(e) }));
    if (r.code === 0) out.removed.push(...out.pulled);
    else o.warn(`docker rmi of pulled images failed (ignored): ${tail(r.stderr || r.stdout, 2)}`);
  } else if (out.pulled.length > 0) {
    o.info(`kept the ${out.pulled.length} image(s) this run pulled (removed only on CI runners)`);
  }
  return out;
}

// src/backends/kind/tools.ts
import { createHash as createHash2 } from "node:crypto";
import { existsSync as existsSync2 } from "node:fs";
import { chmod, mkdir as mkdir2, mkdtemp, rename as rename2, rm as rm3, writeFile as writeFile2 } from "node:fs/promises";
import { arch as osArch, platform, tmpdir } from "node:os";
import { join as join4 } from "node:path";
var TOOL_PINS = {
  kind: {
    version: "0.30.0",
    minimum: "0.24.0",
    url: (a) => `https://github.com/kubernetes-sigs/kind/releases/download/v0.30.0/kind-linux-${a}`,
    sha256: {
      amd64: "517ab7fc89ddeed5fa65abf71530d90648d9638ef0c4cde22c2c11f8097b8889",
      arm64: "7ea2de9d2d190022ed4a8a4e3ac0636c8a455e460b9a13ccf19f15d07f4f00eb"
    }
  },
  kubectl: {
    version: "1.34.1",
    // Server-side strict field validation by default (unknown CR fields are errors) from 1.27.
    minimum: "1.27.0",
    url: (a) => `https://dl.k8s.io/release/v1.34.1/bin/linux/${a}/kubectl`,
    sha256: {
      amd64: "7721f265e18709862655affba5343e85e1980639395d5754473dafaadcaa69e3",
      arm64: "420e6110e3ba7ee5a3927b5af868d18df17aae36b720529ffa4e9e945aa95450"
    }
  },
  helm: {
    version: "3.18.4",
    minimum: "3.12.0",
    url: (a) => `https://get.helm.sh/helm-v3.18.4-linux-${a}.tar.gz`,
    sha256: {
      amd64: "f8180838c23d7c7d797b208861fecb591d9ce1690d8704ed1e4cb8e2add966c1",
      arm64: "c0a45e67eef0c7416a8a8c9e9d5d2d30d70e4f4d3f7bea5de28241fffa8f3b89"
    },
    member: (a) => `linux-${a}/helm`
  }
};
var ToolError = class extends EnvironmentError {
  name = "ToolError";
};
var VERSION_ARGS = {
  kind: ["version"],
  kubectl: ["version", "--client", "-o", "json"],
  helm: ["version", "--template", "{{.Version}}"]
};
async function installedVersion(runner, tool, timeoutMs = 2e4) {
  try {
    const r = await runner.run(tool, VERSION_ARGS[tool], {
      timeoutMs,
      purpose: `${tool} to print its version`
    });
    if (tool === "kubectl") {
      const parsed = JSON.parse(r.stdout);
      return parsed.clientVersion?.gitVersion?.replace(/^v/, "") ?? null;
    }
    const m = /v?(\d+\.\d+\.\d+)/.exec(r.stdout);
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}
function hostArch() {
  if (platform() !== "linux") {
    throw new ToolError(
      `the kind backend downloads Linux tools only (this is ${platform()}); install kind, kubectl and helm yourself`
    );
  }
  const a = osArch();
  if (a === "x64") return "amd64";
  if (a === "arm64") return "arm64";
  throw new ToolError(
    `the kind backend has no pinned tools for CPU architecture '${a}' (allowed: x64, arm64)`
  );
}
async function defaultDownload(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5 * 6e4), redirect: "follow" });
  if (!res.ok) throw new ToolError(`download of ${url} failed: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
function sha256(data) {
  return createHash2("sha256").update(data).digest("hex");
}
async function installPinned(tool, pin, arch, dir, runner, download) {
  const url = pin.url(arch);
  const data = await download(url);
  const actual = sha256(data);
  const expected = pin.sha256[arch];
  if (actual !== expected) {
    throw new ToolError(
      `${tool} ${pin.version} from ${url}: sha256 ${actual} does not match the pinned ${expected}; refusing to run it`
    );
  }
  await mkdir2(dir, { recursive: true });
  const target = join4(dir, tool);
  const staging = await mkdtemp(join4(tmpdir(), `mcd-${tool}-`));
  try {
    if (pin.member) {
      const archive = join4(staging, "archive.tar.gz");
      await writeFile2(archive, data);
      await runner.run("tar", ["-xzf", archive, "-C", staging, pin.member(arch)], {
        timeoutMs: 6e4,
        purpose: `tar to unpack ${tool}`
      });
      await rename2(join4(staging, pin.member(arch)), `${target}.tmp`);
    } else {
      await writeFile2(`${target}.tmp`, data);
    }
    await chmod(`${target}.tmp`, 493);
    await rename2(`${target}.tmp`, target);
  } finally {
    await rm3(staging, { recursive: true, force: true });
  }
  return target;
}
async function viaActionsToolCache(tool, pin, arch, runner, download) {
  const tc = await import("./tool-cache-YFW36YJP.js");
  const found = tc.find(tool, pin.version, arch);
  if (found) return join4(found, tool);
  const staging = await mkdtemp(join4(tmpdir(), `mcd-tc-${tool}-`));
  try {
    const exe = await installPinned(tool, pin, arch, staging, runner, download);
    const cached = await tc.cacheFile(exe, tool, tool, pin.version, arch);
    return join4(cached, tool);
  } finally {
    await rm3(staging, { recursive: true, force: true });
  }
}
async function resolveToolsDetailed(opts) {
  const pins = opts.pins ?? TOOL_PINS;
  const download = opts.download ?? defaultDownload;
  const out = {};
  const used = {};
  for (const tool of ["kind", "kubectl", "helm"]) {
    const pin = pins[tool];
    if (opts.preinstalled) {
      const have = await installedVersion(opts.runner, tool, opts.timeoutMs);
      const haveV = have ? parseVersion(have) : null;
      const minV = parseVersion(pin.minimum);
      if (have && haveV && minV && compareVersions(haveV, minV) >= 0) {
        opts.log(`${tool} ${have} found on PATH (>= ${pin.minimum}; usePreinstalledTools)`);
        out[tool] = tool;
        used[tool] = { version: have, source: "preinstalled" };
        continue;
      }
      opts.log(
        have ? `${tool} ${have} on PATH is older than ${pin.minimum}; using pinned ${pin.version}` : `${tool} not found on PATH; using pinned ${pin.version}`
      );
    } else {
      opts.log(`${tool}: pinned ${pin.version} (sha256-checked; usePreinstalledTools: true uses PATH)`);
    }
    used[tool] = { version: pin.version, source: "pinned" };
    const arch = opts.arch ?? hostArch();
    if (process.env.GITHUB_ACTIONS === "true" && !opts.cacheDir) {
      out[tool] = await viaActionsToolCache(tool, pin, arch, opts.runner, download);
      continue;
    }
    const dir = join4(opts.cacheDir ?? join4(cacheRoot(), "tools"), `${tool}-${pin.version}-${arch}`);
    const exe = join4(dir, tool);
    out[tool] = existsSync2(exe) ? exe : await installPinned(tool, pin, arch, dir, opts.runner, download);
  }
  return { paths: out, used };
}

// src/backends/kind/backend.ts
var DEFAULT_KIND_TIMING = {
  pollMs: 1e4,
  callTimeoutMs: 6e4,
  dockerTimeoutMs: 3e4,
  freeDiskTimeoutMs: 10 * 6e4,
  createTimeoutMs: 5 * 6e4,
  imagePreflightTimeoutMs: 5e4,
  imageTimeoutMs: 10 * 6e4,
  // helm waits up to 5m itself (--timeout 5m); the outer budget adds the chart download.
  operatorTimeoutMs: 7 * 6e4,
  // kubectl wait --timeout=3m plus start-up.
  operatorWaitTimeoutMs: 4 * 6e4,
  applyTimeoutMs: 6e4,
  cdcRestartTimeoutMs: 5 * 6e4,
  standbyRestartTimeoutMs: 10 * 6e4,
  portForwardReadyMs: 3e4,
  portForwardRestartDelayMs: 1e3,
  deleteTimeoutMs: 3 * 6e4,
  diagnosticsCallTimeoutMs: 6e4,
  backupJobTimeoutMs: BACKUP_JOB_TIMEOUT_MS,
  importTimeoutMs: 5 * 6e4,
  milvusBackupBuildTimeoutMs: 20 * 6e4
};
var KIND_FAULTS = ["kill-cdc", "kill-standby"];
function milvusReadiness(item) {
  const name = item.metadata?.name ?? "?";
  const st = item.status?.status ?? "no status yet";
  const notTrue = (item.status?.conditions ?? []).filter((c) => c.status !== "True").map((c) => c.type ?? "?");
  const gen = item.metadata?.generation;
  const seen = item.status?.observedGeneration;
  const current = gen === void 0 || seen === void 0 || seen >= gen;
  const ready = st === "Healthy" && current && !notTrue.includes("MilvusUpdated");
  const parts = [st];
  if (notTrue.length) parts.push(`not ready: ${notTrue.join(", ")}`);
  if (!current) parts.push(`spec generation ${gen} not yet observed (at ${seen})`);
  return { ready, summary: `${name} ${parts.join("; ")}` };
}
var KindBackend = class {
  constructor(options, deps) {
    this.options = options;
    this.deps = deps;
    this.t = { ...DEFAULT_KIND_TIMING, ...deps.timing };
    this.log = deps.log;
    this.runner = deps.runner ?? new ProcessRunner({ trace: (l) => deps.log.debug(l) });
    this.workDir = deps.workDir ?? null;
    this.clusterName = options.clusterName ?? runUniqueClusterName();
    this.chaosMesh = needsChaosMesh(deps.nemesis ?? []);
    this.faults = this.chaosMesh ? [...KIND_FAULTS, ...KIND_CHAOS_TYPES] : KIND_FAULTS;
    this.info = {
      name: "kind",
      details: {
        milvusVersion: initialMilvusVersion(options),
        operatorVersion: options.operatorVersion,
        mode: options.mode,
        kindCluster: this.clusterName,
        namespace: options.namespace,
        ...options.upgradeTo ? { upgradeTo: options.upgradeTo } : {}
      }
    };
    this.pin = deps.milvusBackup ?? MILVUS_BACKUP_PIN;
    this.usesBackup = deps.seeding === true || deps.wayBack === true;
    if (this.usesBackup) {
      const p = this.pin;
      this.info.details.milvusBackup = `${p.module}@${p.version} (${p.sum}), built with ${p.toolchain}, sha256 ${p.sha256}`;
      this.backup = (side, name, signal) => this.createBackup(side, name, signal);
      this.restoreSecondary = (backup, side, signal) => this.restoreBackup(backup, side, signal);
    }
  }
  faults;
  info;
  clusterName;
  t;
  runner;
  log;
  tools = { kind: "kind", kubectl: "kubectl", helm: "helm" };
  workDir;
  ownsWorkDir = false;
  created = false;
  forwards = [];
  /** The client port-forward of each Milvus CR, by name (a lost cluster's is stopped, a rebuilt one gets a new one). */
  forwardOf = /* @__PURE__ */ new Map();
  teardownPromise = null;
  diagnostics = null;
  /** Whether this run installs Chaos Mesh (a nemesis type needs it). */
  chaosMesh;
  pin;
  /** Whether provision builds and loads the pinned milvus-backup (scenario seed, failover). */
  usesBackup;
  /**
   * Milvus Backup's create and restore secondary (scenario seed; the failover's way back), offered when
   * provision builds and loads milvus-backup (seeding or wayBack); a switchover needs neither.
   */
  backup;
  restoreSecondary;
  get kubeconfig() {
    return join5(this.workDir ?? tmpdir2(), "kubeconfig");
  }
  /**
   * The drill's own kubeconfig and context on every kubectl call (see kubectlAccess): the user's
   * kubeconfig stays untouched and nothing can fall back to ambient credentials.
   */
  get access() {
    return kubectlAccess(this.kubeconfig, this.clusterName);
  }
  get kube() {
    return {
      runner: this.runner,
      kubectl: this.tools.kubectl,
      baseArgs: this.access,
      callTimeoutMs: this.t.callTimeoutMs
    };
  }
  budget(step) {
    switch (step.phase) {
      case "docker":
        return this.t.dockerTimeoutMs;
      case "free-disk":
        return this.t.freeDiskTimeoutMs;
      case "create":
        return this.t.createTimeoutMs;
      case "images":
        return this.t.imageTimeoutMs;
      case "operator":
        return this.t.operatorTimeoutMs;
      case "operator-wait":
        return this.t.operatorWaitTimeoutMs;
      case "chaos-mesh":
        return this.t.operatorTimeoutMs;
      case "apply":
        return this.t.applyTimeoutMs;
    }
  }
  exe(step) {
    return step.tool === "docker" || step.tool === "sudo" ? step.tool : this.tools[step.tool];
  }
  async runStep(step, signal) {
    await this.runner.run(this.exe(step), step.args, {
      timeoutMs: this.budget(step),
      purpose: `${step.tool} ${step.args.filter((a) => !a.startsWith("-") && !this.access.includes(a)).slice(0, 2).join(" ")}`,
      signal
    });
  }
  async provision(signal) {
    const o = this.options;
    validateKindOptions(o);
    if (this.usesBackup) checkPin(this.pin);
    try {
      return await this.provisionSteps(signal);
    } catch (e) {
      if (this.created && this.deps.diagnosticsDir) {
        this.log.warn(`provision failed; collecting diagnostics into ${this.deps.diagnosticsDir}`);
        await this.collectDiagnostics(this.deps.diagnosticsDir);
      }
      await this.teardown();
      throw e;
    }
  }
  async provisionSteps(signal) {
    const o = this.options;
    const githubActions = this.deps.env?.githubActions ?? process.env.GITHUB_ACTIONS === "true";
    const ci = this.deps.env?.ci ?? (githubActions || process.env.CI === "true");
    if (!this.workDir) {
      this.workDir = await mkdtemp2(join5(tmpdir2(), "milvus-cdc-drill-kind-"));
      this.ownsWorkDir = true;
    }
    const dir = this.workDir;
    await mkdir3(dir, { recursive: true });
    const nemesis = { types: this.deps.nemesis ?? [], params: DEFAULT_FAULT_PARAMS };
    const standbys = this.deps.standbys ?? 1;
    const files = renderPlanFiles(o, { cdcOnTarget: this.deps.cdcOnTarget === true, nemesis, standbys });
    for (const [name, content] of Object.entries(files)) await writeFile3(join5(dir, name), content);
    const steps = provisionSteps(o, this.clusterName, dir, { githubActions }, nemesis.types, standbys);
    const [dockerStep, ...rest] = steps;
    await this.log.group("Check Docker", async () => {
      try {
        if (dockerStep) await this.runStep(dockerStep, signal);
      } catch (e) {
        throw new EnvironmentError(
          `Docker is required for the kind backend and is not available ('docker info' failed): ${e instanceof Error ? e.message : String(e)}`
        );
      }
    });
    const build = {
      runner: this.runner,
      timeoutMs: this.t.milvusBackupBuildTimeoutMs,
      cacheDir: this.deps.milvusBackupCacheDir ?? join5(cacheRoot(), "milvus-backup"),
      signal,
      log: (m) => this.log.info(m)
    };
    if (this.usesBackup)
      await this.log.group("Preflight: go, to build the pinned milvus-backup", async () => {
        const v = await preflightGo(build, this.pin);
        this.log.info(v ? `go ${v} on PATH` : "the checked milvus-backup binary is cached: go is not needed");
      });
    await this.log.group("Resolve kind, kubectl, helm", async () => {
      const t = this.deps.tools;
      if (typeof t === "function") this.tools = await t();
      else if (t) this.tools = t;
      else {
        const r = await resolveToolsDetailed({
          runner: this.runner,
          log: (m) => this.log.info(m),
          timeoutMs: this.t.callTimeoutMs,
          preinstalled: o.usePreinstalledTools
        });
        this.tools = r.paths;
        this.recordTools(r.used);
      }
    });
    const resolved = await this.log.group("Preflight: every image can be pulled", async () => {
      const r = await preflightImages(
        { runner: this.runner, timeoutMs: this.t.imagePreflightTimeoutMs, signal },
        usedImages(o)
      );
      this.recordImages(r);
      return r;
    });
    const backupImage = this.usesBackup ? await this.log.group(`Build milvus-backup ${this.pin.version} from its pinned source`, async () => {
      const bin = await buildMilvusBackup(build, this.pin);
      const image = await buildMilvusBackupImage({ ...build, workDir: dir }, this.pin, bin);
      this.info.details["image.milvus-backup"] = image;
      return image;
    }) : null;
    const preloadOps = (removePulled) => ({
      runner: this.runner,
      timeoutMs: this.t.imageTimeoutMs,
      signal,
      kind: this.tools.kind,
      clusterName: this.clusterName,
      workDir: dir,
      removePulled,
      platform: `linux/${osArch2() === "arm64" ? "arm64" : "amd64"}`,
      warn: (m) => this.log.warn(m),
      info: (m) => this.log.info(m)
    });
    for (const step of rest) {
      if (step.phase === "free-disk" && !githubActions) {
        this.log.info("freeDisk: skipped (only on GitHub-hosted runners, GITHUB_ACTIONS=true)");
        continue;
      }
      if (step.phase === "create") {
        this.created = true;
        this.deps.onCreated?.({ backend: "kind", kindClusterName: this.clusterName, keep: o.keepCluster });
        await this.log.group(`Create kind cluster ${this.clusterName}`, () => this.runStep(step, signal));
        if (o.preloadImages) {
          await this.log.group("Preload images into the kind node", async () => {
            const r = await preloadImages(preloadOps(ci), resolved);
            this.recordImages(r.images);
            if (r.viaArchive.length) this.info.details["images.loadedViaArchive"] = r.viaArchive.join(", ");
          });
        }
        if (backupImage) {
          await this.log.group(`Load ${backupImage} into the kind node`, async () => {
            await preloadImages(preloadOps(false), [
              { name: "milvus-backup", ref: backupImage, preload: true, present: true, digest: null }
            ]);
          });
        }
        continue;
      }
      await this.runStep(step, signal);
    }
    const targets = starTargetNames(o, standbys);
    if (targets.length > 1) this.info.details.standbys = targets.join(", ");
    await this.log.group(
      targets.length === 1 ? "Wait for both Milvus clusters to be Healthy" : `Wait for all ${targets.length + 1} Milvus clusters to be Healthy`,
      () => this.waitHealthy([o.sourceName, ...targets], o.readyTimeoutMs, signal)
    );
    const pair = await this.log.group("Port-forward client access", async () => {
      const [src, tgt, ...more] = await Promise.all([o.sourceName, ...targets].map((n) => this.forward(n)));
      const extraStandbys = more.map(
        (port, i) => endpointFor(o, "target", `http://127.0.0.1:${port}`, targets[i + 1])
      );
      return {
        source: endpointFor(o, "source", `http://127.0.0.1:${src}`),
        target: endpointFor(o, "target", `http://127.0.0.1:${tgt}`),
        ...extraStandbys.length > 0 ? { extraStandbys } : {},
        // Milvus's lag metric for lag-metric: the CDC and WAL pods' metrics port of every cluster in the
        // namespace (found by label), through the API server.
        scrapeMetrics: podMetricsScraper(this.kube, o.namespace),
        metricsIntervalMs: KUBE_METRICS_INTERVAL_MS
      };
    });
    this.log.info(
      `kind: ${o.sourceName} at ${pair.source.uri}, ${[pair.target, ...pair.extraStandbys ?? []].map((s) => `${s.clusterId} at ${s.uri}`).join(", ")} (${milvusImage(initialMilvusVersion(o), o.images.milvus)})`
    );
    this.uriOf.set("source", pair.source.uri);
    this.uriOf.set("target", pair.target.uri);
    return pair;
  }
  /** Tool versions into the report (backend details): `tool.kind = 0.30.0 (pinned)`. */
  recordTools(used) {
    for (const [tool, u] of Object.entries(used))
      this.info.details[`tool.${tool}`] = `${u.version} (${u.source})`;
  }
  /** Image references into the report, with the digest when Docker knows it. */
  recordImages(images) {
    const seen = /* @__PURE__ */ new Map();
    for (const i of images) {
      const shown = i.digest ? `${i.ref} (${i.digest.slice(i.digest.indexOf("@") + 1)})` : i.ref;
      seen.set(i.name, [...seen.get(i.name) ?? [], shown]);
    }
    for (const [name, refs] of seen) this.info.details[`image.${name}`] = refs.join(", ");
  }
  async forward(name) {
    const pf = new PortForward({
      runner: this.runner,
      kubectl: this.tools.kubectl,
      namespace: this.options.namespace,
      service: `${name}-milvus`,
      remotePort: MILVUS_PORT,
      baseArgs: this.access,
      warn: (m) => this.log.warn(m),
      readyTimeoutMs: this.t.portForwardReadyMs,
      restartDelayMs: this.t.portForwardRestartDelayMs
    });
    this.forwards.push(pf);
    this.forwardOf.set(name, pf);
    return pf.start();
  }
  /** How often each port-forward was restarted (for the report). */
  portForwardRestarts() {
    return Object.fromEntries(this.forwards.map((f) => [f.target, f.restarts]));
  }
  async waitHealthy(names, timeoutMs, signal) {
    const ns = this.options.namespace;
    await waitUntil(
      `Milvus ${names.join(", ")} in namespace ${ns} to be Healthy`,
      async () => {
        const r = await kubectl(
          this.kube,
          ["get", "milvus", ...names, "-n", ns, "-o", "json"],
          `the status of Milvus ${names.join(", ")}`
        );
        const parsed = JSON.parse(r.stdout);
        const items = parsed.items ?? [parsed];
        const states = names.map((n) => {
          const item = items.find((i) => i.metadata?.name === n);
          return item ? milvusReadiness(item) : { ready: false, summary: `${n} not found` };
        });
        if (states.every((s) => s.ready)) return { done: true };
        return { pending: states.map((s) => s.summary).join("; ") };
      },
      { timeoutMs, pollMs: this.t.pollMs, signal },
      (state) => this.log.info(`waiting for Healthy: ${state}`)
    );
  }
  async inject(fault, signal, params) {
    const o = this.options;
    if (this.chaosMesh && KIND_CHAOS_TYPES.includes(fault)) {
      return this.injectChaos(fault, params ?? DEFAULT_FAULT_PARAMS, signal);
    }
    if (fault === "kill-cdc") {
      return killCdcPod(this.kube, o.namespace, o.sourceName, {
        timeoutMs: this.t.cdcRestartTimeoutMs,
        pollMs: this.t.pollMs,
        signal,
        log: (m) => this.log.info(m)
      });
    }
    if (fault === "kill-standby") return this.killStandby(signal);
    throw new Error(`kind backend cannot inject '${fault}' (allowed: ${this.faults.join(", ")})`);
  }
  /**
   * A Chaos Mesh fault: the resource `plan` writes (chaos.ts), applied, held for its duration (or, for
   * a restart, until the killed pods are replaced, Ready and the cluster Healthy again), then deleted,
   * which heals it. The resource is deleted even when the wait fails or is aborted.
   */
  async injectChaos(type, p, signal) {
    const o = this.options;
    const file = join5(this.workDir ?? tmpdir2(), chaosFile(type));
    const resource = chaosResource(o, type, p);
    await writeFile3(file, toYaml(resource));
    const restart = type === "restart-standby" || type === "restart-primary";
    const name = type === "restart-primary" ? o.sourceName : o.targetName;
    const selector = type === "restart-primary" ? `${instanceSelector(name)},app.kubernetes.io/component!=cdc` : instanceSelector(name);
    const oldPods = restart ? (await listPods(this.kube, o.namespace, selector)).map((x) => x.name) : [];
    const injectedAt = Date.now();
    await kubectl(this.kube, ["apply", "-f", file], `${resource.kind} ${chaosName(type)}`);
    this.log.info(`${type}: ${resource.kind} ${chaosName(type)} applied`);
    let restoredAt;
    let newPods = [];
    try {
      if (restart) {
        newPods = await this.waitReplaced(name, selector, oldPods, signal);
        await this.waitHealthy([name], this.t.standbyRestartTimeoutMs, signal);
      } else {
        await new Promise((resolve2, reject) => {
          const t = setTimeout(resolve2, p.durationMs);
          signal?.addEventListener(
            "abort",
            () => {
              clearTimeout(t);
              reject(signal.reason);
            },
            { once: true }
          );
        });
      }
    } finally {
      await kubectl(
        this.kube,
        [
          "delete",
          "-f",
          file,
          "--ignore-not-found",
          "--wait=true",
          `--timeout=${Math.round(this.t.deleteTimeoutMs / 1e3)}s`
        ],
        `deletion of ${resource.kind} ${chaosName(type)}`
      );
      restoredAt = Date.now();
    }
    this.log.info(`${type}: ${resource.kind} ${chaosName(type)} deleted`);
    return {
      injectedAt,
      restoredAt,
      resource: `${resource.kind}/${chaosName(type)}`,
      how: restart ? "Chaos Mesh pod-kill, grace period 0" : `Chaos Mesh, for ${p.durationMs} ms`,
      ...restart ? { oldPods, newPods } : {}
    };
  }
  /** Waits until the pods `selector` picks are all new (none of oldPods left) and Ready. */
  waitReplaced(name, selector, oldPods, signal) {
    const o = this.options;
    return waitUntil(
      `${name} pods (${selector}) replaced and Ready`,
      async () => {
        const pods = await listPods(this.kube, o.namespace, selector);
        const fresh = pods.filter((x) => !oldPods.includes(x.name));
        const allReady = fresh.length > 0 && fresh.every((x) => x.ready) && pods.every((x) => !x.deleting);
        if (allReady && !pods.some((x) => oldPods.includes(x.name)))
          return { done: fresh.map((x) => x.name) };
        return { pending: pods.map((x) => `${x.name} ${x.phase}${x.ready ? " ready" : ""}`).join(", ") };
      },
      { timeoutMs: this.t.standbyRestartTimeoutMs, pollMs: this.t.pollMs, signal }
    );
  }
  /** Deletes every Milvus pod of the standby at once (not etcd/MinIO) and waits until it is Healthy again. */
  async killStandby(signal) {
    const o = this.options;
    const selector = instanceSelector(o.targetName);
    const oldPods = (await listPods(this.kube, o.namespace, selector)).map((p) => p.name);
    const injectedAt = Date.now();
    await kubectl(
      this.kube,
      ["delete", "pod", "-n", o.namespace, "-l", selector, "--grace-period=0", "--force", "--wait=false"],
      `deletion of the standby's pods`
    );
    const newPods = await waitUntil(
      `standby ${o.targetName} pods replaced and Ready`,
      async () => {
        const pods = await listPods(this.kube, o.namespace, selector);
        const fresh = pods.filter((p) => !oldPods.includes(p.name));
        const allReady = fresh.length > 0 && fresh.every((p) => p.ready) && pods.every((p) => !p.deleting);
        if (allReady && !pods.some((p) => oldPods.includes(p.name)))
          return { done: fresh.map((p) => p.name) };
        return { pending: pods.map((p) => `${p.name} ${p.phase}${p.ready ? " ready" : ""}`).join(", ") };
      },
      { timeoutMs: this.t.standbyRestartTimeoutMs, pollMs: this.t.pollMs, signal }
    );
    await this.waitHealthy([o.targetName], this.t.standbyRestartTimeoutMs, signal);
    return { injectedAt, restoredAt: Date.now(), oldPods, newPods };
  }
  nameOf(side) {
    return side === "source" ? this.options.sourceName : this.options.targetName;
  }
  /**
   * Failover's primary loss: the cluster is completely unavailable at once and stays so, as
   * milvus.io/docs/cdc_failover.md assumes of the original primary (it must never take writes again).
   * The Milvus CR is deleted first, so the operator brings nothing back; its etcd and MinIO go with it
   * (the CRs set deletionPolicy Delete and pvcDeletion true: operator docs, milvus.md, dependencies).
   * Then every Milvus pod of the cluster (CDC included) is force-deleted, no graceful shutdown, as a
   * lost site would be; a pod its Deployment starts again before the operator removes the Deployment
   * is force-deleted too, until none is left.
   */
  async loseCluster(side, signal) {
    const o = this.options;
    const name = this.nameOf(side);
    const selector = instanceSelector(name);
    const oldPods = (await listPods(this.kube, o.namespace, selector)).map((p) => p.name);
    const injectedAt = Date.now();
    await kubectl(
      this.kube,
      ["delete", "milvus", name, "-n", o.namespace, "--wait=false"],
      `deletion of Milvus ${name}`
    );
    const forceDelete = () => kubectl(
      this.kube,
      ["delete", "pod", "-n", o.namespace, "-l", selector, "--grace-period=0", "--force", "--wait=false"],
      `deletion of the pods of Milvus ${name}`
    );
    await forceDelete();
    await this.forwardOf.get(name)?.stop();
    this.forwardOf.delete(name);
    await waitUntil(
      `every Milvus pod of ${name} (${selector}) gone`,
      async () => {
        const pods = await listPods(this.kube, o.namespace, selector);
        if (pods.length === 0) return { done: true };
        if (pods.some((p) => !p.deleting)) await forceDelete();
        return {
          pending: pods.map((p) => `${p.name} ${p.phase}${p.deleting ? " deleting" : ""}`).join(", ")
        };
      },
      { timeoutMs: this.t.deleteTimeoutMs, pollMs: this.t.pollMs, signal }
    );
    return { injectedAt, cluster: name, how: "Milvus CR deleted, its pods force-deleted", oldPods };
  }
  /**
   * The way back after a failover: the lost cluster comes back empty as a new Milvus CR of the same
   * name (so the same cluster id and channels), with fresh storage and a CDC component (it may become
   * primary again on a switch back). Waits until the old CR and its dependencies' volumes are gone, so
   * nothing of the old cluster is reused, then applies the CR, waits until it is Healthy and forwards
   * a client port to it.
   */
  async rebuildCluster(side, signal) {
    const o = this.options;
    const name = this.nameOf(side);
    const ns = o.namespace;
    await waitUntil(
      `Milvus ${name} and the volumes of its etcd and MinIO deleted`,
      async () => {
        const cr = await kubectl(
          this.kube,
          ["get", "milvus", name, "-n", ns, "--ignore-not-found", "-o", "name"],
          `whether Milvus ${name} still exists`
        );
        const pvcs = await kubectl(this.kube, ["get", "pvc", "-n", ns, "-o", "name"], `the volumes in ${ns}`);
        const left = [
          ...cr.stdout.split("\n").filter(Boolean),
          ...pvcs.stdout.split("\n").filter((l) => l.includes(`${name}-etcd`) || l.includes(`${name}-minio`))
        ];
        return left.length === 0 ? { done: true } : { pending: left.join(", ") };
      },
      { timeoutMs: this.t.deleteTimeoutMs, pollMs: this.t.pollMs, signal }
    );
    const dir = this.workDir ?? tmpdir2();
    const file = join5(dir, `rebuilt-${side}.yaml`);
    await writeFile3(file, toYaml(renderMilvusCr(o, side, { cdc: true })));
    await kubectl(this.kube, ["apply", "-f", file], `the new Milvus ${name}`, {
      timeoutMs: this.t.applyTimeoutMs
    });
    await this.log.group(
      `Wait for the rebuilt ${name} to be Healthy`,
      () => this.waitHealthy([name], o.readyTimeoutMs, signal)
    );
    const port = await this.forward(name);
    this.uriOf.set(side, `http://127.0.0.1:${port}`);
    return endpointFor(o, side, `http://127.0.0.1:${port}`);
  }
  /** The drill's client address of each cluster (its port-forward), for the import's client. */
  uriOf = /* @__PURE__ */ new Map();
  /**
   * Workload trigger bulkImport: the file into the primary's own MinIO bucket (bulk-import.ts says why
   * by `kubectl exec`), then Milvus's import of it through the drill's client, bounded by
   * importTimeoutMs and naming the job it waited for. Upstream: import under two-phase commit lost or
   * diverged rows on the secondary (milvus-io/milvus#50499, #51667, #51070); the drill checks the
   * imported rows through the row model, parity and prefix like any insert.
   */
  async bulkImport(req, signal) {
    const name = this.nameOf("source");
    const uri = this.uriOf.get("source");
    if (!uri) throw new ImportJobError(`no client address of ${name}: the pair is not provisioned`, "fail");
    const client = (this.deps.importClient ?? ((u) => milvusClient({ uri: u })))(uri);
    return stageAndImport(
      this.kube,
      this.options.namespace,
      clusterStorage(this.options, name),
      req,
      client,
      {
        stageTimeoutMs: this.t.applyTimeoutMs,
        importTimeoutMs: this.t.importTimeoutMs,
        pollMs: this.t.pollMs,
        signal
      },
      (m) => this.log.info(m)
    );
  }
  otherSide(side) {
    return side === "source" ? "target" : "source";
  }
  /**
   * Milvus Backup's `create -n NAME --backup_index_extra` on `side`, written into the other cluster's
   * MinIO and bucket (the one it will seed: see milvus-backup.ts for the v0.5.16 bucket trap); the
   * points and collections come from the backup's own meta.
   */
  async createBackup(side, name, signal) {
    const from = this.nameOf(side);
    const layout = layoutFor(this.options, from, this.nameOf(this.otherSide(side)));
    const log = await this.runBackupJob({ kind: "create", name }, layout, signal);
    const b = parseBackupMeta(log, name, from, pchannelsFor(from));
    this.log.info(
      `milvus-backup create ${name} on ${from}: ${b.collections.length} collection(s), ${b.rows} row(s), FlushAll points on ${b.points.length} channel(s)`
    );
    return b;
  }
  /** Milvus Backup's `restore secondary` of `backup` into `side`, from the backup kept in its own bucket. */
  async restoreBackup(backup, side, signal) {
    const into = this.nameOf(side);
    const layout = layoutFor(this.options, into, into);
    refuseBucketTrap(this.pin, layout);
    const c = {
      kind: "restore-secondary",
      name: backup.name,
      sourceClusterId: backup.clusterId,
      targetClusterId: into
    };
    await this.runBackupJob(c, layout, signal);
    return { rows: backup.rows, detail: { job: jobName(c), image: milvusBackupImage(this.pin) } };
  }
  /**
   * Applies one command's ConfigMap and Job, waits (bounded, naming the Job) until it completed or
   * failed, and returns the log of the container the drill reads (logContainer: create's meta reader,
   * restore's milvus-backup). A failed Job throws with the tail of each container's log; a pod that
   * waits for a reason that never resolves (ErrImageNeverPull: the image is not in the node) fails the
   * wait at once with it.
   */
  async runBackupJob(c, layout, signal) {
    const o = this.options;
    const image = milvusBackupImage(this.pin);
    const reader = milvusImage(initialMilvusVersion(o), o.images.milvus);
    const name = jobName(c);
    const dir = this.workDir ?? tmpdir2();
    const file = join5(dir, `${name}.yaml`);
    const deadline = Math.ceil(this.t.backupJobTimeoutMs / 1e3);
    await writeFile3(
      file,
      backupJobManifests(o, c, layout, image, reader, deadline).map(toYaml).join("---\n")
    );
    const what = `milvus-backup ${c.kind === "create" ? "create" : "restore secondary"} ${c.name} (Job ${name} in ${o.namespace})`;
    await kubectl(this.kube, ["apply", "-f", file], `the ${what}`, { timeoutMs: this.t.applyTimeoutMs });
    const outcome = await waitUntil(
      `${what} to complete`,
      async () => {
        const job = await kubectl(
          this.kube,
          ["get", "job", name, "-n", o.namespace, "-o", "json"],
          `the status of Job ${name}`
        );
        const pods = await kubectl(
          this.kube,
          ["get", "pods", "-n", o.namespace, "-l", `job-name=${name}`, "-o", "json"],
          `the pod of Job ${name}`
        );
        const st = jobState(job.stdout, pods.stdout);
        if (st.done) return { done: { failed: null } };
        if (st.failed) return { done: { failed: st.failed } };
        return { pending: st.pending };
      },
      { timeoutMs: this.t.backupJobTimeoutMs, pollMs: this.t.pollMs, signal },
      (state) => this.log.info(`waiting for ${what}: ${state}`)
    );
    const logOf = async (container) => this.runner.redact(
      (await kubectl(
        this.kube,
        ["logs", "-n", o.namespace, `job/${name}`, "-c", container, "--tail=-1"],
        `the log of container ${container} of Job ${name}`,
        { allowFailure: true }
      )).stdout
    );
    if (outcome.failed) {
      const containers = c.kind === "create" ? [CREATE_CONTAINER, META_CONTAINER] : [CREATE_CONTAINER];
      const ends = [];
      for (const k of containers) {
        const text = await logOf(k);
        if (text.trim()) ends.push(`${k}: ${tail(text)}`);
      }
      throw new Error(`${what} failed: ${outcome.failed}; its log ends: ${ends.join(" | ") || "(empty)"}`);
    }
    return logOf(logContainer(c));
  }
  /**
   * Rolling upgrade of every cluster: the standbys first, in order (a newer standby can take an older
   * primary's stream; the reverse is not promised), then the primary, each waited Healthy.
   */
  async upgrade(from, to, signal) {
    const o = this.options;
    const injectedAt = Date.now();
    const steps = [];
    for (const name of [...starTargetNames(o, this.deps.standbys ?? 1), o.sourceName]) {
      const r = await kubectl(
        this.kube,
        ["get", "milvus", name, "-n", o.namespace, "-o", "jsonpath={.spec.components.image}"],
        `the image of Milvus ${name}`
      );
      const current = r.stdout.trim();
      const repo = o.images.milvus;
      if (current && current !== milvusImage(from, repo) && current !== milvusImage(to, repo)) {
        throw new Error(
          `upgrade: Milvus ${name} runs ${current}, not ${milvusImage(from, repo)}; refusing to upgrade from an unexpected version`
        );
      }
      const startedAt = Date.now();
      await this.log.group(`Upgrade ${name} to ${milvusImage(to, repo)}`, async () => {
        await kubectl(
          this.kube,
          ["patch", "milvus", name, "-n", o.namespace, "--type", "merge", "-p", imagePatch(to, repo)],
          `the image patch of Milvus ${name}`
        );
        await this.waitHealthy([name], o.readyTimeoutMs, signal);
      });
      steps.push({ name, startedAt, healthyAt: Date.now() });
    }
    return {
      injectedAt,
      restoredAt: Date.now(),
      from: milvusImage(from, o.images.milvus),
      to: milvusImage(to, o.images.milvus),
      steps
    };
  }
  /**
   * Logs and state for a post-mortem, collected once: the first call (provision's failure path, or
   * the drill before teardown) does the work, later calls get its files. After teardown there is no
   * cluster left to ask, so nothing runs.
   */
  collectDiagnostics(dir) {
    if (this.diagnostics) return this.diagnostics;
    if (this.teardownPromise && this.created) {
      this.log.warn("diagnostics: the kind cluster is already torn down; nothing to collect");
      return Promise.resolve([]);
    }
    this.diagnostics = this.doCollectDiagnostics(dir);
    return this.diagnostics;
  }
  async doCollectDiagnostics(dir) {
    const written = [];
    const problems = [];
    const o = this.options;
    const to = this.t.diagnosticsCallTimeoutMs;
    try {
      await mkdir3(dir, { recursive: true });
    } catch (e) {
      this.log.warn(`diagnostics: cannot create ${dir}: ${String(e)}`);
      return [];
    }
    const save = async (file, args, tool = "kubectl") => {
      try {
        const r = await this.runner.run(
          this.tools[tool],
          tool === "kubectl" ? [...this.access, ...args] : args,
          {
            timeoutMs: to,
            purpose: `diagnostics ${file}`
          }
        );
        const path = join5(dir, file);
        await writeFile3(path, this.runner.redact(r.stdout + (r.stderr ? `
# stderr
${r.stderr}` : "")));
        written.push(path);
      } catch (e) {
        problems.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    if (!this.created) {
      problems.push("no kind cluster was created; nothing to collect");
    } else {
      const ns = o.namespace;
      await save("milvus.yaml", ["get", "milvus", "-n", ns, "-o", "yaml"]);
      await save("milvus-describe.txt", ["describe", "milvus", "-n", ns]);
      await save("pods.txt", ["get", "pods", "-A", "-o", "wide"]);
      await save("pods-describe.txt", ["describe", "pods", "-n", ns]);
      await save("events.txt", ["get", "events", "-A", "--sort-by=.lastTimestamp"]);
      await save("operator.log", [
        "logs",
        "-n",
        OPERATOR_NAMESPACE,
        `deployment/${OPERATOR_RELEASE}`,
        "--tail=5000"
      ]);
      let pods = [];
      try {
        const cdc = (await listPods(this.kube, ns, cdcSelector(o.sourceName))).map((p) => p.name);
        const all = (await listPods(this.kube, ns, "app.kubernetes.io/name=milvus")).map((p) => p.name);
        pods = [...cdc, ...all.filter((p) => !cdc.includes(p))];
        for (const p of cdc) {
          await save(`${p}.metrics.txt`, ["get", "--raw", podMetricsPath(ns, p)]);
        }
      } catch (e) {
        problems.push(`pod list: ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const p of pods) {
        await save(`${p}.log`, ["logs", "-n", ns, p, "--all-containers", "--tail=20000"]);
        try {
          const r = await this.runner.run(
            this.tools.kubectl,
            [...this.access, "logs", "-n", ns, p, "--all-containers", "--previous", "--tail=20000"],
            { timeoutMs: to, purpose: `previous logs of ${p}`, allowFailure: true }
          );
          if (r.code === 0 && r.stdout) {
            const path = join5(dir, `${p}.previous.log`);
            await writeFile3(path, this.runner.redact(r.stdout));
            written.push(path);
          }
        } catch (e) {
          problems.push(`${p}.previous.log: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      try {
        await this.runner.run(
          this.tools.kind,
          ["export", "logs", join5(dir, "kind-logs"), "--name", this.clusterName],
          { timeoutMs: to * 3, purpose: "kind export logs" }
        );
        written.push(join5(dir, "kind-logs"));
      } catch (e) {
        problems.push(`kind export logs: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (problems.length) {
      const path = join5(dir, "diagnostics-errors.txt");
      await writeFile3(path, `${problems.map((p) => tail(p, 4)).join("\n")}
`).catch(() => {
      });
      written.push(path);
    }
    return written;
  }
  /** Stops port-forwards and deletes the kind cluster (unless keepCluster). Idempotent; never throws. */
  teardown() {
    this.teardownPromise ??= this.doTeardown();
    return this.teardownPromise;
  }
  async doTeardown() {
    await Promise.all(this.forwards.map((f) => f.stop().catch(() => {
    })));
    if (this.created) {
      if (this.options.keepCluster) {
        if (this.chaosMesh) {
          await this.runner.run(
            this.tools.helm,
            [...chaosMeshUninstallArgs(), ...helmAccess(this.kubeconfig, this.clusterName)],
            {
              timeoutMs: this.t.deleteTimeoutMs
            }
          ).catch(
            (e) => this.log.warn(
              `teardown: could not uninstall Chaos Mesh (helm uninstall chaos-mesh -n chaos-mesh): ${e instanceof Error ? e.message : String(e)}`
            )
          );
        }
        this.log.info(
          `keepCluster: kind cluster ${this.clusterName} kept (KUBECONFIG=${this.kubeconfig}); delete it with: kind delete cluster --name ${this.clusterName}`
        );
        return;
      }
      await deleteKindCluster(this.clusterName, {
        runner: this.runner,
        log: this.log,
        kind: this.tools.kind,
        timeoutMs: this.t.deleteTimeoutMs,
        kubeconfig: this.kubeconfig
      });
    }
    if (this.ownsWorkDir && this.workDir)
      await rm4(this.workDir, { recursive: true, force: true }).catch(() => {
      });
  }
};
async function deleteKindCluster(name, o) {
  const runner = o.runner ?? new ProcessRunner();
  try {
    await runner.run(
      o.kind ?? "kind",
      ["delete", "cluster", "--name", name, ...o.kubeconfig ? ["--kubeconfig", o.kubeconfig] : []],
      {
        timeoutMs: o.timeoutMs ?? DEFAULT_KIND_TIMING.deleteTimeoutMs,
        purpose: `deletion of kind cluster ${name}`
      }
    );
    o.log.info(`kind cluster ${name} deleted`);
    return true;
  } catch (e) {
    o.log.warn(
      `teardown: could not delete kind cluster ${name} (delete it with: kind delete cluster --name ${name}): ${e instanceof Error ? e.message : String(e)}`
    );
    return false;
  }
}

export {
  TOOL_PINS,
  DEFAULT_KIND_TIMING,
  KIND_FAULTS,
  milvusReadiness,
  KindBackend,
  deleteKindCluster
};
