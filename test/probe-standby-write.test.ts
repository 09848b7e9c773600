/**
 * The standby write probe against a stubbed client: a call grpc-js failed unsent (no connection yet,
 * e.g. a standby the nemesis restarted, still in the client's reconnect backoff) is sent again; a call
 * that failed otherwise is recorded as it failed, a read without an answer as unknown (no readOk).
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { describe, expect, it } from "vitest";
import { REPLICATE_VIOLATION } from "../src/checkers/standby-read-only.js";
import { probeStandbyWrite } from "../src/drill/probes.js";
import type { CollectionSpec } from "../src/generator/rows.js";
import type { WorkloadPlanner } from "../src/generator/workload.js";
import type { HistoryEvent } from "../src/history/types.js";
import type { HistoryWriter } from "../src/history/writer.js";
import { notSent } from "../src/milvus/status.js";

/** What grpc-js throws for a call it could not send (seen from the SDK against a closed port). */
const unsentError = () =>
  Object.assign(
    new Error(
      "14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ",
    ),
    { code: 14 },
  );
const unsent = () => {
  throw unsentError();
};
const refusedStatus = { error_code: "UnexpectedError", code: 65535, reason: REPLICATE_VIOLATION };
const ok = { error_code: "Success", code: 0, reason: "" };

function stub(insert: Array<() => unknown>, query: Array<() => unknown>) {
  const calls = { insert: 0, query: 0 };
  const next = (list: Array<() => unknown>, i: number) => {
    const f = list[Math.min(i, list.length - 1)] as () => unknown;
    return Promise.resolve().then(f);
  };
  const client = {
    insert: () => next(insert, calls.insert++),
    query: () => next(query, calls.query++),
  } as unknown as MilvusClient;
  return { client, calls };
}

async function probe(client: MilvusClient) {
  const events: HistoryEvent[] = [];
  const history = { append: (e: HistoryEvent) => events.push(e) } as unknown as HistoryWriter;
  const planner = { factories: new Map() } as unknown as WorkloadPlanner;
  await probeStandbyWrite(client, history, { name: "c" } as CollectionSpec, planner, 7);
  return events;
}

describe("notSent", () => {
  it("is grpc-js's unsent UNAVAILABLE only, not a timeout or a server's UNAVAILABLE", () => {
    expect(notSent(unsentError())).toBe(true);
    expect(notSent(Object.assign(new Error("14 UNAVAILABLE: Connection dropped"), { code: 14 }))).toBe(false);
    expect(notSent(Object.assign(new Error("4 DEADLINE_EXCEEDED: Deadline exceeded"), { code: 4 }))).toBe(
      false,
    );
    expect(notSent("No connection established")).toBe(false);
  });
});

describe("probeStandbyWrite", () => {
  it("sends the write and the read again while they were never sent, and records what the standby said", async () => {
    const { client, calls } = stub(
      [unsent, unsent, () => ({ status: refusedStatus })],
      [unsent, () => ({ status: ok, data: [] })],
    );
    const events = await probe(client);
    expect(calls).toEqual({ insert: 3, query: 2 });
    expect(events.map((e) => e.type)).toEqual(["invoke", "fail"]);
    expect(events[1]).toMatchObject({
      id: 7,
      error: REPLICATE_VIOLATION,
      detail: { code: 65535, readOk: true, unsentWrites: 2, unsentReads: 1 },
    });
  });
  it("does not send again a call that may have reached the standby: a timeout is an unknown outcome", async () => {
    const timeout = () => {
      throw Object.assign(new Error("4 DEADLINE_EXCEEDED: Deadline exceeded"), { code: 4 });
    };
    const { client, calls } = stub([timeout], [timeout]);
    const events = await probe(client);
    expect(calls).toEqual({ insert: 1, query: 1 });
    expect(events[1]?.type).toBe("info");
    const detail = (events[1] as { detail: Record<string, unknown> }).detail;
    expect(detail).not.toHaveProperty("readOk");
    expect(detail.readError).toMatch(/DEADLINE_EXCEEDED/);
  });
  it("records a read the standby refused as a failed read", async () => {
    const { client } = stub(
      [() => ({ status: refusedStatus })],
      [() => ({ status: { error_code: "UnexpectedError", code: 100, reason: "collection not loaded" } })],
    );
    const events = await probe(client);
    expect(events[1]).toMatchObject({ detail: { readOk: false, readError: "collection not loaded" } });
  });
});
