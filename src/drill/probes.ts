import { setTimeout as sleep } from "node:timers/promises";
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { type CollectionSpec, PK_FIELD } from "../generator/rows.js";
import { STANDBY_PROBE_KEY, type WorkloadPlanner } from "../generator/workload.js";
import type { HistoryWriter } from "../history/writer.js";
import { notSent, statusClass } from "../milvus/status.js";

/**
 * How long a probe call is sent again while the client's channel has no connection (a standby the
 * nemesis restarted may be back before the client's reconnect backoff expires), and how often.
 */
export const PROBE_RECONNECT_MS = 15_000;
const PROBE_RECONNECT_EVERY_MS = 500;

/**
 * Runs a call, sending it again while grpc-js fails it unsent (notSent), until PROBE_RECONNECT_MS has
 * passed. Returns the call's value, or throws its last error; `unsent` counts the attempts never sent.
 */
async function whenConnected<T>(
  call: () => Promise<T>,
  signal: AbortSignal | undefined,
  counter: { unsent: number },
): Promise<T> {
  const deadline = Date.now() + PROBE_RECONNECT_MS;
  for (;;) {
    try {
      return await call();
    } catch (e) {
      if (!notSent(e) || Date.now() + PROBE_RECONNECT_EVERY_MS > deadline) throw e;
      counter.unsent += 1;
      await sleep(PROBE_RECONNECT_EVERY_MS, undefined, { signal });
    }
  }
}

/**
 * Standby read-only: a client insert on the standby must be refused with the replicate-violation error
 * (and leave no trace, which the final parity scan proves: the key must not be there). Reads must work.
 * A call that never reached the standby (no connection) is sent again for a while; one that still got
 * no answer is recorded as such: the write as an unknown outcome, the read without `readOk`.
 */
export async function probeStandbyWrite(
  target: MilvusClient,
  history: HistoryWriter,
  spec: CollectionSpec,
  planner: WorkloadPlanner,
  id: number,
  /** After a role change: which cluster is probed, and why ("demoted": the one that lost the primary role). */
  about: { cluster?: string; purpose?: "demoted" } = {},
  signal?: AbortSignal,
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
  const writeTries = { unsent: 0 };
  const readTries = { unsent: 0 };
  try {
    const res = await whenConnected(
      () =>
        target.insert({
          collection_name: spec.name,
          data: [factory?.row(pk, 1) ?? {}],
          timeout: 10_000,
        }),
      signal,
      writeTries,
    );
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
    signal?.throwIfAborted();
    type = "info";
    error = e instanceof Error ? e.message : String(e);
  }
  // readOk: true (served), false (the standby answered with a failure), absent (no answer: unknown).
  let readOk: boolean | undefined;
  let readError: string | undefined;
  try {
    const q = await whenConnected(
      () =>
        target.query({
          collection_name: spec.name,
          filter: `${PK_FIELD} >= 0`,
          output_fields: [PK_FIELD],
          limit: 1,
          timeout: 10_000,
        }),
      signal,
      readTries,
    );
    const cls = statusClass(q.status);
    if (cls === "success") readOk = true;
    else if (cls === "failure") {
      readOk = false;
      readError = q.status?.reason || `code ${q.status?.code}`;
    } else readError = `unrecognised response status: ${JSON.stringify(q.status)}`;
  } catch (e) {
    signal?.throwIfAborted();
    readError = e instanceof Error ? e.message : String(e);
  }
  history.append({
    type,
    id,
    process: -2,
    time: Date.now(),
    ...(error ? { error } : {}),
    detail: {
      code,
      ...(readOk !== undefined ? { readOk } : {}),
      ...(readError ? { readError } : {}),
      ...(writeTries.unsent ? { unsentWrites: writeTries.unsent } : {}),
      ...(readTries.unsent ? { unsentReads: readTries.unsent } : {}),
    },
  });
}
