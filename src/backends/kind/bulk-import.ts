/**
 * Bulk import on the kind backend (workload trigger bulkImport, issue 23): the import file goes into
 * the primary's own MinIO bucket, where Milvus reads import files from (milvus.io/docs/import-data.md,
 * "Before you start"); bucket and root path as the operator lays them out (clusterStorage in
 * milvus-backup.ts: bucket = the CR's name, rootPath "files").
 *
 * Why `kubectl exec` into the primary's MinIO pod and not a Job: the MinIO server image the drill
 * already runs (kind.images.minio, quay.io/minio/minio by default: images.ts) ships the MinIO client `mc` (minio/minio
 * Dockerfile.release downloads it next to the server, e.g. at 58659f26f45f2c189f5fd1c7267da60c10024daa),
 * so no further image has to be pinned, pulled or preloaded; the file travels on the exec's stdin
 * through the API server (a few hundred KB at most), and the MinIO keys never leave the pod: the
 * script reads them from the container's own environment, set by the chart from the `<name>-minio`
 * Secret. The import itself goes through the drill's own client to the primary's proxy (runImportJob).
 */
import { type ImportClient, ImportJobError, runImportJob } from "../../milvus/import.js";
import type { BulkImportDone, BulkImportRequest } from "../types.js";
import { type Kube, kubectl } from "./kube.js";
import type { ClusterStorage } from "./milvus-backup.js";

/** The primary's operator-deployed MinIO: its Service is `<cluster>-minio`, its bucket `bucket`. */
export type ImportStorage = Pick<ClusterStorage, "cluster" | "bucket">;

/** An import client that may hold a connection to close. */
export type ClosableImportClient = ImportClient & { closeConnection?: () => unknown };

/** Where the drill's import files go inside the bucket (next to Milvus's own rootPath, not under it). */
export const IMPORT_PREFIX = "drill-import";

/** The object key (relative to the bucket, as the import API takes it) of one import file. */
export function importKey(fileName: string): string {
  if (!/^[A-Za-z0-9._-]+\.json$/.test(fileName))
    throw new Error(`import file name '${fileName}' is not a plain name ending in .json`);
  return `${IMPORT_PREFIX}/${fileName}`;
}

/**
 * The script run in the MinIO container: stdin into `bucket/key` with mc, then its size read back so a
 * short write is caught here and not by the import. The keys come from the container's environment
 * (MINIO_ROOT_USER/PASSWORD in current charts, MINIO_ACCESS_KEY/SECRET_KEY in older ones) and are never
 * on the drill's command line or in its log.
 */
export function stageScript(s: ImportStorage, key: string, bytes: number): string {
  const target = `drill/${s.bucket}/${key}`;
  // mc keeps its alias in a config dir: one under /tmp, since the container's user may have no home.
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
    "",
  ].join("\n");
}

/**
 * kubectl arguments of the staging exec: the first pod of the primary's MinIO Service (kubectl exec
 * takes `svc/NAME` and picks its first pod, as its --help example `kubectl exec svc/myservice -- date`
 * shows), whose one container is MinIO.
 */
export function stageArgs(namespace: string, s: ImportStorage, script: string): string[] {
  return ["exec", "-i", "-n", namespace, `svc/${s.cluster}-minio`, "--", "sh", "-c", script];
}

/**
 * Stages `req`'s file in the primary's MinIO (kubectl exec, bounded by stageTimeoutMs), then runs the
 * import through `client` (bounded by importTimeoutMs, naming the job). A staging that failed created
 * no import: whatever it left in the bucket, no row of it is in Milvus (ImportJobError fail).
 */
export async function stageAndImport(
  k: Kube,
  namespace: string,
  storage: ImportStorage,
  req: BulkImportRequest,
  client: ClosableImportClient,
  o: { stageTimeoutMs: number; importTimeoutMs: number; pollMs: number; signal?: AbortSignal },
  log: (m: string) => void,
): Promise<BulkImportDone> {
  const key = importKey(req.fileName);
  const object = `${storage.bucket}/${key}`;
  const bytes = Buffer.byteLength(req.content);
  try {
    try {
      await kubectl(
        k,
        stageArgs(namespace, storage, stageScript(storage, key, bytes)),
        `staging the import file ${object} in ${storage.cluster}'s MinIO`,
        { input: req.content, timeoutMs: o.stageTimeoutMs },
      );
    } catch (e) {
      throw new ImportJobError(
        `staging the import file ${object} in ${storage.cluster}'s MinIO failed: ${e instanceof Error ? e.message : String(e)}`,
        "fail",
      );
    }
    const done = await runImportJob(client, {
      collection: req.collection,
      partition: req.partition,
      files: [key],
      timeoutMs: o.importTimeoutMs,
      pollMs: o.pollMs,
      signal: o.signal,
    });
    log(`bulk import: job ${done.jobId} put ${done.rows} row(s) of ${object} into ${req.collection}`);
    return { ...done, object };
  } finally {
    await Promise.resolve(client.closeConnection?.()).catch(() => {});
  }
}
