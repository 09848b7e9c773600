/**
 * Milvus Backup on the kind backend: `create` and `restore secondary` (zilliztech/milvus-backup, since
 * v0.5.10), for scenario seed and the failover's way back, as Jobs inside the kind cluster.
 *
 * Why a Job and not the binary run on the runner: both commands need each cluster's proxy (gRPC and
 * REST; restore secondary holds a replicate stream open for the whole restore), both clusters' MinIO
 * (create copies the primary's binlogs into the standby's bucket) and, for --backup_index_extra, the
 * primary's etcd. Inside the cluster all of them are Services; from the runner that would be five more
 * port-forwards, every byte of the backup through them, and a kubectl port-forward drops long streams
 * under load. A failed Job's error carries the tail of its log; the Job stays in the namespace (kubectl
 * logs job/NAME) until the kind cluster is deleted.
 *
 * Why the binary is built from its pinned source and not pulled as milvusdb/milvus-backup: an image
 * is pinned by its registry digest, and that digest could not be read where this was built (no registry
 * access), so a tag would have run unchecked. A Go module version is pinned by its go.sum hash (h1:,
 * SHA-256 over the source tree, also checked by the Go checksum database), and the build below is
 * reproducible (same toolchain, -trimpath, CGO off, fixed ldflags: two builds gave one sha256), so the
 * pin is the module's Sum, the toolchain and the binary's sha256, each checked before anything runs
 * (milvus-backup-build.ts). The binary goes into a `FROM scratch` image loaded into the kind node
 * (imagePullPolicy Never): nothing is pulled.
 *
 * Known traps of the version are handled or refused by name:
 * - a backup in another bucket than the standby's makes v0.5.16 loop forever (zilliztech/milvus-backup
 *   #1166, fixed after v0.5.16 by #1168): the backup is written into the standby's own MinIO and bucket,
 *   and refuseBucketTrap refuses any other layout on a version without the fix;
 * - without --backup_index_extra the restore hangs (#1167): backupArgs always passes it;
 * - a standby that already holds the collections or a checkpoint is refused before the restore (a second
 *   restore into one standby is dropped silently, #1176): src/drill/seed.ts refuseOccupied;
 * - a backup without a flush point cannot seed (#1185): parseBackupMeta refuses a backup whose meta holds
 *   no FlushAll message on some channel, before the restore.
 */
import { UsageError } from "../../errors.js";
import { protoRoot } from "../../milvus/proto.js";
import type { BackupPoint, ClusterBackup } from "../types.js";
import { formatCommand } from "./exec.js";
import { METRICS_PORT, MILVUS_PORT } from "./manifests.js";
import { compareVersions, type KindOptions, parseVersion, type SemVer } from "./options.js";

/** milvus-backup pinned as source, toolchain and result (re-derive with scripts/pin-milvus-backup.ts). */
export interface MilvusBackupPin {
  /** The Go module path. */
  module: string;
  /** The release tag, a module version. */
  version: string;
  /** The tag's commit (the Origin `go mod download -json` prints), stamped into the binary. */
  commit: string;
  /** The module's go.sum hash (`h1:`, SHA-256 over its files): Sum of `go mod download -json`. */
  sum: string;
  /** GOTOOLCHAIN of the build (its go.mod asks for at least `go 1.25.0`). */
  toolchain: string;
  /** sha256 of the binary the build makes (static, linux/amd64). */
  sha256: string;
}

/**
 * v0.5.16: the latest tag when scenario seed was written (zilliztech/milvus-backup, tag v0.5.16, commit
 * 719e9acb). Sum as `go mod download -json github.com/zilliztech/milvus-backup@v0.5.16` prints it; the
 * sha256 of two builds with go1.25.5 on linux/amd64 (scripts/pin-milvus-backup.ts).
 */
export const MILVUS_BACKUP_PIN: MilvusBackupPin = {
  module: "github.com/zilliztech/milvus-backup",
  version: "v0.5.16",
  commit: "719e9acbb5430ad04a2bdc7cb9c14f298846f8ba",
  sum: "h1:zkKFh8ddUi32gG5V8h+GvEsc2hWfxcrZ5ziOxSA7iCg=",
  toolchain: "go1.25.5",
  sha256: "5a711e621d0eab4c5dfe0add7d151c78de5ac9277f978643335d51e8d99e13ba",
};

/** One milvus-backup Job's bound (also its activeDeadlineSeconds). */
export const BACKUP_JOB_TIMEOUT_MS = 15 * 60_000;

/** The first release with the cross-bucket staging of restore secondary (#1168 landed after v0.5.16). */
export const BUCKET_TRAP_FIXED_IN = "0.5.17";

/** A pin that cannot be checked is refused in one line naming the field. */
export function checkPin(pin: MilvusBackupPin = MILVUS_BACKUP_PIN): void {
  const bad = (field: string, want: string) =>
    new UsageError(
      `milvus-backup pin: ${field} '${(pin as unknown as Record<string, string>)[field]}' is not ${want} (MILVUS_BACKUP_PIN in src/backends/kind/milvus-backup.ts)`,
    );
  if (!/^v\d+\.\d+\.\d+$/.test(pin.version)) throw bad("version", "a release tag vX.Y.Z");
  if (!/^h1:[A-Za-z0-9+/]{43}=$/.test(pin.sum)) throw bad("sum", "a go.sum hash h1:<base64 of 32 bytes>");
  if (!/^go\d+\.\d+\.\d+$/.test(pin.toolchain)) throw bad("toolchain", "a Go release goX.Y.Z");
  if (!/^[a-f0-9]{64}$/.test(pin.sha256)) throw bad("sha256", "64 hex digits");
  if (!/^[a-f0-9]{40}$/.test(pin.commit)) throw bad("commit", "a 40-hex commit");
}

/**
 * The image the Jobs run: built here from the checked binary, never pulled, so its tag carries the
 * binary's sha256 (a different binary is a different tag).
 */
export function milvusBackupImage(pin: MilvusBackupPin = MILVUS_BACKUP_PIN): string {
  checkPin(pin);
  return `milvus-cdc-drill/milvus-backup:${pin.version}-${pin.sha256.slice(0, 12)}`;
}

/** The Dockerfile of that image: the binary alone (no shell, no curl: the Jobs run it in exec form). */
export const MILVUS_BACKUP_DOCKERFILE = [
  "FROM scratch",
  "COPY milvus-backup /app/milvus-backup",
  "WORKDIR /app",
  'ENTRYPOINT ["/app/milvus-backup"]',
  "",
].join("\n");

/**
 * Where a Milvus CR the operator deployed keeps its data (zilliztech/milvus-operator: the config
 * template sets etcd.rootPath and minio.bucketName to the CR name; minio.rootPath stays Milvus's default
 * "files"; the in-cluster MinIO is `<name>-minio:9000`, its keys in Secret `<name>-minio`, accesskey /
 * secretkey; etcd is `<name>-etcd:2379`).
 */
export interface ClusterStorage {
  cluster: string;
  milvus: string;
  etcd: string;
  minio: string;
  bucket: string;
  rootPath: string;
  secret: string;
}

export function clusterStorage(o: KindOptions, name: string): ClusterStorage {
  const svc = (s: string) => `${name}-${s}.${o.namespace}.svc.cluster.local`;
  return {
    cluster: name,
    milvus: svc("milvus"),
    etcd: `${svc("etcd")}:2379`,
    minio: svc("minio"),
    bucket: name,
    rootPath: "files",
    secret: `${name}-minio`,
  };
}

/** Where every backup goes: the standby's own MinIO and bucket, under this prefix. */
export const BACKUP_ROOT = "backup";

export interface BackupLayout {
  /** The cluster the command talks to (create: the one backed up; restore secondary: the standby). */
  talkTo: ClusterStorage;
  /** Where the backup is kept: always the standby's storage. */
  backup: { minio: string; bucket: string; rootPath: string; secret: string };
}

export function layoutFor(o: KindOptions, talkTo: string, standby: string): BackupLayout {
  const s = clusterStorage(o, standby);
  return {
    talkTo: clusterStorage(o, talkTo),
    backup: { minio: s.minio, bucket: s.bucket, rootPath: BACKUP_ROOT, secret: s.secret },
  };
}

/**
 * The v0.5.16 bucket trap, refused by name: restore secondary sends import paths in the backup bucket,
 * DataCoord resolves them against its own storage, and when the two differ every import fails with
 * "no binlog to import" and is retried forever (zilliztech/milvus-backup#1166; fixed by #1168, after
 * v0.5.16). `restoreLayout` is the layout of the restore secondary (talkTo = the standby).
 */
export function refuseBucketTrap(pin: MilvusBackupPin, restoreLayout: BackupLayout): void {
  const v = parseVersion(pin.version);
  const fixed = parseVersion(BUCKET_TRAP_FIXED_IN) as SemVer;
  if (v && compareVersions(v, fixed) >= 0) return;
  const t = restoreLayout.talkTo;
  const b = restoreLayout.backup;
  if (b.minio !== t.minio || b.bucket !== t.bucket)
    throw new UsageError(
      `milvus-backup ${pin.version}: the backup is in ${b.minio}/${b.bucket}, not the standby's own ${t.minio}/${t.bucket}; restore secondary of this version retries its imports forever then (zilliztech/milvus-backup#1166, fixed after v0.5.16 by #1168); refused`,
    );
}

export type BackupCommand =
  | { kind: "create"; name: string }
  | { kind: "restore-secondary"; name: string; sourceClusterId: string; targetClusterId: string };

/**
 * backup.yaml for one command (keys as zilliztech/milvus-backup v0.5.16 internal/cfg/cfg.go reads
 * them). No credential is in it: the MinIO keys come from the clusters' Secrets as environment
 * variables (jobEnv). crossStorage: create copies between two MinIO services of one storage type, which
 * milvus-backup only does through itself when told (configs/backup.yaml, minio.crossStorage).
 */
export function backupYaml(l: BackupLayout, c: BackupCommand): string {
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
    "",
  ].join("\n");
}

/** The MinIO keys, from the Secrets the operator made, never written into a file or a log. */
export function jobEnv(l: BackupLayout): unknown[] {
  const fromSecret = (name: string, secret: string, key: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key } },
  });
  return [
    fromSecret("MINIO_ACCESS_KEY", l.talkTo.secret, "accesskey"),
    fromSecret("MINIO_SECRET_KEY", l.talkTo.secret, "secretkey"),
    fromSecret("MINIO_BACKUP_ACCESS_KEY", l.backup.secret, "accesskey"),
    fromSecret("MINIO_BACKUP_SECRET_KEY", l.backup.secret, "secretkey"),
  ];
}

/** The milvus-backup arguments of a command (the config file is mounted at /config/backup.yaml). */
export function backupArgs(c: BackupCommand): string[] {
  const config = ["--config", "/config/backup.yaml"];
  return c.kind === "create"
    ? // --backup_index_extra always: without it restore secondary hangs (zilliztech/milvus-backup#1167).
      ["create", "-n", c.name, "--backup_index_extra", ...config]
    : [
        "restore",
        "secondary",
        "-n",
        c.name,
        "--source_cluster_id",
        c.sourceClusterId,
        "--target_cluster_id",
        c.targetClusterId,
        ...config,
      ];
}

/** The meta files a create Job prints, each between a begin line and META_END. */
export const META_FILES = ["backup_meta.json", "collection_meta.json", "segment_meta.json"] as const;
export const metaBegin = (file: string) => `---- milvus-cdc-drill ${file} ----`;
export const META_END = "---- milvus-cdc-drill end ----";

/** The milvus-backup container's command, exec form (the image has no shell). */
export function backupCommand(c: BackupCommand): string[] {
  return ["/app/milvus-backup", ...backupArgs(c)];
}

/** Containers of a create Job: milvus-backup (an initContainer), then the meta reader. */
export const CREATE_CONTAINER = "milvus-backup";
export const META_CONTAINER = "meta";

/**
 * The meta reader's shell script, run after create succeeded: it prints the backup's meta (mpath.MetaKey:
 * <backupRoot>/<name>/meta/*.json, encoding/json of core/proto/backup.proto): backup_meta.json keeps each
 * channel's FlushAll message (BackupInfo.flush_all_msgs_base64), collection_meta.json each collection's
 * physical channels, segment_meta.json the rows. They are read from the standby's MinIO with curl (S3
 * SigV4, the keys from the environment) in the Milvus image already on the nodes (ubuntu jammy, curl
 * 7.81 with --aws-sigv4: milvus-io/milvus build/docker/milvus/ubuntu22.04/Dockerfile), since the
 * milvus-backup image holds the binary alone. So the drill takes each channel's backup point from the
 * backup itself, not from where the restore left the standby.
 */
export function metaScript(l: BackupLayout, c: BackupCommand): string {
  const lines = ["set -e"];
  for (const f of META_FILES) {
    const url = `http://${l.backup.minio}:9000/${l.backup.bucket}/${l.backup.rootPath}/${c.name}/meta/${f}`;
    lines.push(
      formatCommand("echo", [metaBegin(f)]),
      `curl -sSf --max-time 60 --aws-sigv4 aws:amz:us-east-1:s3 --user "$MINIO_BACKUP_ACCESS_KEY:$MINIO_BACKUP_SECRET_KEY" ${formatCommand(url, [])}`,
      "echo",
      formatCommand("echo", [META_END]),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A Kubernetes-safe name for a command's ConfigMap and Job. */
export function jobName(c: BackupCommand): string {
  const base = `mb-${c.kind === "create" ? "create" : "restore"}-${c.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-");
  return base.slice(0, 52).replace(/-+$/, "");
}

/** The container whose log holds what the drill reads from a Job (create: the meta; restore: its own). */
export function logContainer(c: BackupCommand): string {
  return c.kind === "create" ? META_CONTAINER : CREATE_CONTAINER;
}

/**
 * The ConfigMap and the Job of one command. No retries (backoffLimit 0: a failed command is reported,
 * not run again, since a second restore into one standby is dropped silently, #1176), and a deadline
 * of its own so the cluster stops it even when the drill is gone. `image` is the milvus-backup image
 * loaded into the node (never pulled); `readerImage` the Milvus image the clusters run (create's meta
 * reader).
 */
export function backupJobManifests(
  o: KindOptions,
  c: BackupCommand,
  l: BackupLayout,
  image: string,
  readerImage: string,
  deadlineSeconds: number,
): unknown[] {
  const name = jobName(c);
  const labels = {
    "app.kubernetes.io/name": "milvus-backup",
    "app.kubernetes.io/part-of": "milvus-cdc-drill",
  };
  const backup = {
    name: CREATE_CONTAINER,
    image,
    // Built and loaded into the node by the drill: a pull could only fetch something else.
    imagePullPolicy: "Never",
    workingDir: "/app",
    command: backupCommand(c),
    env: jobEnv(l),
    volumeMounts: [{ name: "config", mountPath: "/config" }],
  };
  const pod =
    c.kind === "create"
      ? {
          restartPolicy: "Never",
          // create first; the reader runs only when it exited 0.
          initContainers: [backup],
          containers: [
            {
              name: META_CONTAINER,
              image: readerImage,
              imagePullPolicy: "IfNotPresent",
              command: ["/bin/sh", "-c", metaScript(l, c)],
              env: jobEnv(l).slice(2),
            },
          ],
          volumes: [{ name: "config", configMap: { name } }],
        }
      : {
          restartPolicy: "Never",
          containers: [backup],
          volumes: [{ name: "config", configMap: { name } }],
        };
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: o.namespace, labels },
      data: { "backup.yaml": backupYaml(l, c) },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name, namespace: o.namespace, labels },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: deadlineSeconds,
        template: { metadata: { labels }, spec: pod },
      },
    },
  ];
}

/**
 * Waiting reasons that never resolve by themselves: the Job fails at once with the reason instead of
 * waiting out its bound (an image the node does not hold under imagePullPolicy Never is
 * ErrImageNeverPull; a pull that failed repeatedly is ImagePullBackOff).
 */
export const HOPELESS_WAITING = [
  "ErrImageNeverPull",
  "InvalidImageName",
  "ErrImagePull",
  "ImagePullBackOff",
  "CreateContainerConfigError",
  "CreateContainerError",
];

type ContainerStatusJson = {
  name?: string;
  state?: { waiting?: { reason?: string; message?: string } };
};

/**
 * The Job's state from `kubectl get job -o json`, and why its pod waits when it does. A pod container
 * (init or main) waiting for a reason in HOPELESS_WAITING fails the Job's wait at once.
 */
export function jobState(
  jobJson: string,
  podsJson?: string,
): { done: boolean; failed: string | null; pending: string } {
  const job = JSON.parse(jobJson) as {
    status?: {
      succeeded?: number;
      failed?: number;
      conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    };
  };
  const conds = job.status?.conditions ?? [];
  const failed = conds.find((x) => x.type === "Failed" && x.status === "True");
  if (failed)
    return {
      done: false,
      failed: `${failed.reason ?? "Failed"}: ${failed.message ?? ""}`.trim(),
      pending: "",
    };
  if ((job.status?.succeeded ?? 0) > 0 || conds.some((x) => x.type === "Complete" && x.status === "True"))
    return { done: true, failed: null, pending: "" };
  let why = "";
  if (podsJson) {
    const pods = JSON.parse(podsJson) as {
      items?: Array<{
        metadata?: { name?: string };
        status?: {
          phase?: string;
          initContainerStatuses?: ContainerStatusJson[];
          containerStatuses?: ContainerStatusJson[];
        };
      }>;
    };
    const parts: string[] = [];
    for (const p of pods.items ?? []) {
      const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
      const waiting = statuses.find((s) => s.state?.waiting?.reason);
      const w = waiting?.state?.waiting;
      const shown = `${p.metadata?.name ?? "?"} ${p.status?.phase ?? "?"}${w?.reason ? ` (${w.reason}${w.message ? `: ${w.message}` : ""})` : ""}`;
      if (w?.reason && HOPELESS_WAITING.includes(w.reason))
        return {
          done: false,
          failed: `container ${waiting?.name ?? "?"} of pod ${shown}`,
          pending: "",
        };
      parts.push(shown);
    }
    why = parts.join(", ");
  }
  return { done: false, failed: null, pending: why || "job not finished" };
}

interface ImmutableMessageJson {
  id?: { id?: string };
  properties?: Record<string, string>;
}

/**
 * One FlushAll message (base64 of milvus.proto.common.ImmutableMessage) as a backup point. Its time
 * tick is the `_tt` property, base 36 (milvus pkg/streaming/util/message/encoder.go EncodeUint64; read
 * the same way by milvus-backup internal/client/milvus/func.go GetTT).
 */
export function flushAllPoint(pchannel: string, base64: string): BackupPoint {
  const type = protoRoot().lookupType("milvus.proto.common.ImmutableMessage");
  const msg = type.toObject(type.decode(Buffer.from(base64, "base64")), {
    longs: String,
  }) as ImmutableMessageJson;
  const tt = msg.properties?._tt;
  if (!tt || !/^[0-9a-z]+$/.test(tt))
    throw new Error(`the FlushAll message of ${pchannel} has no time tick (_tt)`);
  let v = 0n;
  for (const ch of tt) v = v * 36n + BigInt(Number.parseInt(ch, 36));
  return { pchannel, timeTick: v.toString(), messageId: msg.id?.id ?? "" };
}

function metaSection(log: string, file: string, name: string): unknown {
  const begin = metaBegin(file);
  const from = log.indexOf(begin);
  const to = log.indexOf(META_END, from + 1);
  if (from < 0 || to < 0)
    throw new Error(`milvus-backup create ${name}: its log holds no ${file} (the Job printed no '${begin}')`);
  return JSON.parse(log.slice(from + begin.length, to));
}

/** A collection's physical channel from its virtual or physical channel name (`<pch>_<id>v<n>`). */
function pchannelOf(name: string): string {
  return name.replace(/_\d+v\d+$/, "");
}

/**
 * The backup the drill seeds from, out of a create Job's log: the meta between the markers. A backup
 * whose meta holds no FlushAll point on one of the cluster's channels cannot seed (#1185): refused
 * here, before any restore.
 */
export function parseBackupMeta(
  log: string,
  name: string,
  clusterId: string,
  pchannels: string[],
): ClusterBackup {
  const meta = metaSection(log, "backup_meta.json", name) as {
    flush_all_msgs_base64?: Record<string, string>;
  };
  const colls = metaSection(log, "collection_meta.json", name) as {
    infos?: Array<{
      collection_id?: number;
      collection_name?: string;
      db_name?: string;
      physical_channel_names?: string[];
      virtual_channel_names?: string[];
      channel_checkpoints?: Record<string, string>;
    }>;
  };
  const segs = metaSection(log, "segment_meta.json", name) as {
    infos?: Array<{ collection_id?: number; num_of_rows?: number; is_l0?: boolean }>;
  };
  const msgs = meta.flush_all_msgs_base64 ?? {};
  const missing = pchannels.filter((p) => !msgs[p]);
  if (missing.length)
    throw new Error(
      `backup ${name} of ${clusterId} has no FlushAll point on ${missing.join(", ")}: it cannot seed a standby (zilliztech/milvus-backup#1185); refused before the restore`,
    );
  const rowsOf = new Map<number, number>();
  for (const s of segs.infos ?? [])
    if (!s.is_l0 && s.collection_id !== undefined)
      rowsOf.set(s.collection_id, (rowsOf.get(s.collection_id) ?? 0) + Number(s.num_of_rows ?? 0));
  const collections = (colls.infos ?? []).map((c) => {
    const ch =
      c.physical_channel_names?.[0] ??
      c.virtual_channel_names?.[0] ??
      Object.keys(c.channel_checkpoints ?? {})[0] ??
      "";
    return {
      name: c.collection_name ?? "",
      pchannel: pchannelOf(ch),
      rows: c.collection_id === undefined ? 0 : (rowsOf.get(c.collection_id) ?? 0),
    };
  });
  return {
    name,
    clusterId,
    points: pchannels.map((p) => flushAllPoint(p, msgs[p] as string)),
    collections,
    rows: collections.reduce((n, c) => n + c.rows, 0),
  };
}
