/**
 * Milvus bulk import (workload trigger bulkImport, issue 23): the import file and the import job, run
 * through the SDK client of src/milvus/client.ts. Backends with object storage put the file into the
 * cluster's own bucket (Milvus reads import files only from there: milvus.io/docs/import-data.md,
 * "Before you start": the data must already be in the Milvus bucket) and call runImportJob.
 *
 * The SDK (@zilliz/milvus2-sdk-node 3.0.6, dist/milvus/grpc/Data.d.ts) offers the import as
 * bulkInsert({collection_name, partition_name?, files}) -> tasks and getImportState({task}) -> state
 * (ImportPending / ImportStarted / ImportPersisted / ImportCompleted / ImportFailed, const/milvus.d.ts),
 * the gRPC twins of REST /v2/vectordb/jobs/import/create and /get_progress. Milvus Backup drives
 * Milvus 2.6's import through the same two calls (zilliztech/milvus-backup@f81df44f21a287073d0c6fb375bb215bbc5a1888
 * internal/client/milvus/grpc.go BulkInsert -> Import, GetBulkInsertState -> GetImportState; core/restore/
 * coll_task.go waits for ImportCompleted / ImportFailed and reads the "failed_reason" info). An import job is atomic:
 * its segments become visible when the job completes, none when it fails (milvus.io/docs/v2.1.x/
 * import_data.md: bulk load "endow[s] atomicity to a whole batch of entities"). So a failed job wrote
 * nothing (outcome fail), and a job not seen to finish may yet land (outcome info, never ok).
 */
import type { RowValue } from "../generator/rows.js";

/** The part of the SDK client an import needs (MilvusClient has it; tests stand one in). */
export interface ImportClient {
  bulkInsert(req: {
    collection_name: string;
    partition_name?: string;
    files: string[];
    timeout?: number;
  }): Promise<{ status?: { error_code?: string | number; reason?: string }; tasks?: unknown[] }>;
  getImportState(req: { task: number; timeout?: number }): Promise<{
    status?: { error_code?: string | number; reason?: string };
    state?: string;
    row_count?: number | string;
    infos?: Array<{ key?: string; value?: string | number }>;
  }>;
}

/**
 * One import file, JSON rows: `{"rows": [...]}`, one object per row, field name to value (milvus.io/docs/
 * prepare-source-data.md: the entities of a JSON source are a `rows` list; JSON, Parquet and Numpy are
 * the formats Milvus imports). JSON because the drill's rows are already field maps and need no
 * library to write; float vectors become plain number lists (what the SDK's insert sends too).
 */
export function importJson(rows: readonly RowValue[]): string {
  const plain = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = v instanceof Float32Array ? Array.from(v) : v;
    return out;
  });
  return JSON.stringify({ rows: plain });
}

/** What a finished import did. */
export interface ImportDone {
  jobId: string;
  rows: number;
  /** What the drill waited for, for the log and the history's evidence. */
  waitedFor: string;
}

/**
 * An import that did not complete. outcome fail: Milvus said the job failed (or refused to create it),
 * so no row of it is in the collection; info: it was not seen to finish (a timeout, an answer lost),
 * and its rows may or may not be there.
 */
export class ImportJobError extends Error {
  override name = "ImportJobError";
  constructor(
    message: string,
    readonly outcome: "fail" | "info",
    readonly jobId?: string,
  ) {
    super(message);
  }
}

const ok = (s?: { error_code?: string | number }) =>
  s === undefined || s.error_code === undefined || s.error_code === 0 || s.error_code === "Success";

export interface ImportJobOptions {
  collection: string;
  partition?: string;
  /** Object keys inside the cluster's bucket (relative to the bucket, as the import API takes them). */
  files: string[];
  /** Bound of the whole job: creation and every progress read. */
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
}

/** Creates the import job and waits (bounded, naming the job) until it completed or failed. */
export async function runImportJob(client: ImportClient, o: ImportJobOptions): Promise<ImportDone> {
  const deadline = Date.now() + o.timeoutMs;
  const what = `the import of ${o.files.join(", ")} into ${o.collection}`;
  let created: Awaited<ReturnType<ImportClient["bulkInsert"]>>;
  try {
    created = await client.bulkInsert({
      collection_name: o.collection,
      ...(o.partition ? { partition_name: o.partition } : {}),
      files: o.files,
      timeout: o.timeoutMs,
    });
  } catch (e) {
    // The request may have reached Milvus and created a job the drill never heard of.
    throw new ImportJobError(`${what}: the create call failed: ${msg(e)}`, "info");
  }
  if (!ok(created.status))
    throw new ImportJobError(`${what}: Milvus refused it: ${created.status?.reason ?? "no reason"}`, "fail");
  const task = created.tasks?.[0];
  if (task === undefined || task === null)
    throw new ImportJobError(`${what}: Milvus answered with no job id`, "info");
  const jobId = String(task);
  const waitedFor = `import job ${jobId} (${what}) to complete`;
  let last = "no progress read yet";
  for (;;) {
    if (o.signal?.aborted) throw new ImportJobError(`aborted while waiting for ${waitedFor}`, "info", jobId);
    try {
      // The job id is an int64: sent back exactly as it came (protobufjs may hand it over as a string).
      const st = await client.getImportState({
        task: task as number,
        timeout: Math.max(1, deadline - Date.now()),
      });
      if (!ok(st.status)) last = `progress read failed: ${st.status?.reason ?? "no reason"}`;
      else {
        const reason = String(st.infos?.find((i) => i.key === "failed_reason")?.value ?? "");
        if (st.state === "ImportCompleted") return { jobId, rows: Number(st.row_count ?? 0), waitedFor };
        if (st.state === "ImportFailed" || st.state === "ImportFailedAndCleaned")
          throw new ImportJobError(
            `import job ${jobId} (${what}) failed: ${reason || st.state}`,
            "fail",
            jobId,
          );
        last = `${st.state ?? "no state"}, ${st.row_count ?? 0} rows`;
      }
    } catch (e) {
      if (e instanceof ImportJobError) throw e;
      last = `progress read failed: ${msg(e)}`;
    }
    if (Date.now() + o.pollMs > deadline)
      throw new ImportJobError(
        `timed out after ${o.timeoutMs} ms waiting for ${waitedFor}; last seen: ${last}`,
        "info",
        jobId,
      );
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
