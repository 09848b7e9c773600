/**
 * Milvus Backup on the kind backend: `create` and `restore secondary` (zilliztech/milvus-backup, since
 * v0.5.10), for scenario seed and the failover's way back, as Jobs inside the kind cluster.
 *
 * Why its image in a Job and not the release binary on the runner (milvus-backup_<v>_Linux_x86_64.tar.gz
 * with milvus-backup_<v>_checksums.txt, goreleaser in its .goreleaser.yaml): both commands need each
 * cluster's proxy (gRPC and REST; restore secondary holds a replicate stream open for the whole
 * restore), both clusters' MinIO (create copies the primary's binlogs into the standby's bucket) and,
 * for --backup_index_extra, the primary's etcd. Inside the cluster all of them are Services; from the
 * runner that would be five more port-forwards, every byte of the backup through them, and a kubectl
 * port-forward drops long streams under load. A failed Job's error carries the tail of its log; the Job
 * stays in the namespace (kubectl logs job/NAME) until the kind cluster is deleted.
 *
 * Pinned like kind/kubectl/helm: the image by version AND sha256 digest (content-addressed: the node's
 * runtime checks every byte against it); a tag alone is never run. Known traps of the version are
 * handled or refused by name:
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

export interface MilvusBackupPin {
  /** The release tag (the image tag: release.yaml tags `milvusdb/milvus-backup:$(git describe --tags)`). */
  version: string;
  repository: string;
  /**
   * The image's sha256 digest for `version` (the multi-arch index: `docker buildx imagetools inspect
   * milvusdb/milvus-backup:<version>` prints it as Digest). null: not pinned in this build; the kind
   * backend then refuses scenario seed and `plan` for it, and the failover's way back uses the drill's
   * own copy.
   */
  digest: string | null;
}

/**
 * v0.5.16: the latest tag when scenario seed was written (zilliztech/milvus-backup, tag v0.5.16). Its
 * digest could not be read where this was written (no registry access): set it from
 * `docker buildx imagetools inspect milvusdb/milvus-backup:v0.5.16` after checking the image.
 */
export const MILVUS_BACKUP_PIN: MilvusBackupPin = {
  version: "v0.5.16",
  repository: "milvusdb/milvus-backup",
  digest: null,
};

/** One milvus-backup Job's bound, image pull included (also its activeDeadlineSeconds). */
export const BACKUP_JOB_TIMEOUT_MS = 15 * 60_000;

/** The first release with the cross-bucket staging of restore secondary (#1168 landed after v0.5.16). */
export const BUCKET_TRAP_FIXED_IN = "0.5.17";

export function milvusBackupPinned(pin: MilvusBackupPin = MILVUS_BACKUP_PIN): boolean {
  return pin.digest !== null && /^sha256:[a-f0-9]{64}$/.test(pin.digest);
}

/** The image reference the Jobs run; throws the one-line refusal when no digest is pinned. */
export function milvusBackupImage(pin: MilvusBackupPin = MILVUS_BACKUP_PIN): string {
  if (!milvusBackupPinned(pin))
    throw new UsageError(
      `milvus-backup ${pin.version}: no sha256 digest of ${pin.repository}:${pin.version} is pinned in this build (MILVUS_BACKUP_PIN in src/backends/kind/milvus-backup.ts); an unchecked tag is not run, so scenario seed cannot run on kind`,
    );
  return `${pin.repository}:${pin.version}@${pin.digest}`;
}

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

/**
 * The container's shell script. create then prints the backup's meta (mpath.MetaKey: <backupRoot>/<name>/
 * meta/*.json, encoding/json of core/proto/backup.proto): backup_meta.json keeps each channel's FlushAll
 * message (BackupInfo.flush_all_msgs_base64), collection_meta.json each collection's physical channels,
 * segment_meta.json the rows. They are read from the standby's MinIO with the image's curl (S3 SigV4,
 * the keys from the environment), so the drill takes each channel's backup point from the backup
 * itself, not from where the restore left the standby.
 */
export function jobScript(l: BackupLayout, c: BackupCommand): string {
  const run = formatCommand("/app/milvus-backup", backupArgs(c));
  if (c.kind !== "create") return `set -e\n${run}\n`;
  const lines = ["set -e", run];
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

/**
 * The ConfigMap and the Job of one command. No retries (backoffLimit 0: a failed command is reported,
 * not run again, since a second restore into one standby is dropped silently, #1176), and a deadline
 * of its own so the cluster stops it even when the drill is gone.
 */
export function backupJobManifests(
  o: KindOptions,
  c: BackupCommand,
  l: BackupLayout,
  image: string,
  deadlineSeconds: number,
): unknown[] {
  const name = jobName(c);
  const labels = {
    "app.kubernetes.io/name": "milvus-backup",
    "app.kubernetes.io/part-of": "milvus-cdc-drill",
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
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            containers: [
              {
                name: "milvus-backup",
                image,
                imagePullPolicy: "IfNotPresent",
                workingDir: "/app",
                // The image's entrypoint is `milvus-backup server`: the command is given whole.
                command: ["/bin/sh", "-c", jobScript(l, c)],
                env: jobEnv(l),
                volumeMounts: [{ name: "config", mountPath: "/config" }],
              },
            ],
            volumes: [{ name: "config", configMap: { name } }],
          },
        },
      },
    },
  ];
}

/** The Job's state from `kubectl get job -o json`, and why its pod waits when it does. */
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
          containerStatuses?: Array<{ state?: { waiting?: { reason?: string; message?: string } } }>;
        };
      }>;
    };
    why = (pods.items ?? [])
      .map((p) => {
        const w = p.status?.containerStatuses?.[0]?.state?.waiting;
        return `${p.metadata?.name ?? "?"} ${p.status?.phase ?? "?"}${w?.reason ? ` (${w.reason}${w.message ? `: ${w.message}` : ""})` : ""}`;
      })
      .join(", ");
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
