/**
 * The bulk-import trigger's glue (issue 23): a planned insert's rows written into an import file and
 * handed to the backend's bulkImport; the import job's end is the op's outcome in the history. Import
 * under two-phase commit lost or diverged rows on the secondary upstream (milvus-io/milvus#50499,
 * #51667, #51070): the imported keys are an insert like any other, so the row model, parity and prefix
 * see every row the standby lacks.
 */
import type { Backend } from "../backends/types.js";
import type { WriteOutcome } from "../client/executor.js";
import type { PlannedWrite } from "../generator/workload.js";
import { ImportJobError, importJson } from "../milvus/import.js";

export function bulkImporter(
  backend: Backend,
  seed: number,
  signal: AbortSignal | undefined,
  log: (m: string) => void,
): (op: PlannedWrite, id: number) => Promise<WriteOutcome> {
  return async (op, id) => {
    if (!backend.bulkImport)
      return { type: "fail", error: `backend ${backend.info.name} has no bulk import` };
    try {
      const done = await backend.bulkImport(
        {
          collection: op.collection,
          partition: op.partition,
          fileName: `drill-${seed}-op${id}.json`,
          content: importJson(op.rows),
        },
        signal,
      );
      log(
        `bulk import into ${op.collection}: job ${done.jobId}, ${done.rows} of ${op.rows.length} row(s), from ${done.object}`,
      );
      return { type: "ok" };
    } catch (e) {
      if (e instanceof ImportJobError) return { type: e.outcome, error: e.message };
      // Anything else (a lost answer, a tool that died): the job may have run.
      return { type: "info", error: e instanceof Error ? e.message : String(e) };
    }
  };
}
