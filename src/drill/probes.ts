import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { type CollectionSpec, PK_FIELD } from "../generator/rows.js";
import { STANDBY_PROBE_KEY, type WorkloadPlanner } from "../generator/workload.js";
import type { HistoryWriter } from "../history/writer.js";
import { statusClass } from "../milvus/status.js";

/**
 * Standby read-only: a client insert on the standby must be refused with the replicate-violation error
 * (and leave no trace, which the final parity scan proves: the key must not be there). Reads must work.
 */
export async function probeStandbyWrite(
  target: MilvusClient,
  history: HistoryWriter,
  spec: CollectionSpec,
  planner: WorkloadPlanner,
  id: number,
  /** After a role change: which cluster is probed, and why ("demoted": the one that lost the primary role). */
  about: { cluster?: string; purpose?: "demoted" } = {},
): Promise<void> {
  const pk = STANDBY_PROBE_KEY;
  const factory = planner.factories.get(spec.name);
  history.append({
    type: "invoke",
    id,
    process: -2,
    time: Date.now(),
    value: { f: "probe-standby-write", collection: spec.name, pk: String(pk), ...about },
  });
  let type: "ok" | "fail" | "info";
  let error: string | undefined;
  let code: number | undefined;
  try {
    const res = await target.insert({
      collection_name: spec.name,
      data: [factory?.row(pk, 1) ?? {}],
      timeout: 10_000,
    });
    const status = res.status;
    const cls = statusClass(status);
    if (cls === "success") type = "ok";
    else if (cls === "failure") {
      type = "fail";
      error = status.reason;
      code = status.code;
    } else {
      // Not recognisable: the write may or may not have landed, so it proves nothing either way.
      type = "info";
      error = `unrecognised response status: ${JSON.stringify(status)}`;
    }
  } catch (e) {
    type = "info";
    error = e instanceof Error ? e.message : String(e);
  }
  let readOk = false;
  let readError: string | undefined;
  try {
    const q = await target.query({
      collection_name: spec.name,
      filter: `${PK_FIELD} >= 0`,
      output_fields: [PK_FIELD],
      limit: 1,
      timeout: 10_000,
    });
    readOk = statusClass(q.status) === "success";
    if (!readOk) readError = q.status?.reason || `code ${q.status?.code}`;
  } catch (e) {
    readOk = false;
    readError = e instanceof Error ? e.message : String(e);
  }
  history.append({
    type,
    id,
    process: -2,
    time: Date.now(),
    ...(error ? { error } : {}),
    detail: { code, readOk, ...(readError ? { readError } : {}) },
  });
}
