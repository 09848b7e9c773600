/**
 * Role-change steps of the drill, with stand-in clients.
 *
 * snapshotPromoted: what the new primary inherited is recorded for every written collection, including
 * one the new primary never received (its creation was lost with the old primary): that is an
 * observation (every key absent), not a gap. A has_collection that fails is an error, never "absent".
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, describe, expect, it } from "vitest";
import { snapshotPromoted, watchForLoss } from "../src/drill/role-change.js";
import type { WorkloadRunner } from "../src/drill/workload.js";
import type { HistoryEvent, SnapshotEvent } from "../src/history/types.js";
import { HistoryWriter } from "../src/history/writer.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const OK = { error_code: "Success", code: 0, reason: "" };

/** A client that knows collection "kept" (key 1 at ver 2) and answers has_collection per `has`. */
function fakeClient(has: Record<string, boolean | Error>): MilvusClient {
  return {
    hasCollection: async ({ collection_name }: { collection_name: string }) => {
      const v = has[collection_name];
      if (v instanceof Error) throw v;
      return { status: OK, value: v === true };
    },
    query: async ({ output_fields }: { output_fields: string[] }) =>
      output_fields.includes("count(*)")
        ? { status: OK, data: [{ "count(*)": 1 }] }
        : { status: OK, data: [{ pk: 1, ver: 2 }] },
  } as unknown as MilvusClient;
}

async function snapshots(has: Record<string, boolean | Error>): Promise<SnapshotEvent[]> {
  const dir = await mkdtemp(join(tmpdir(), "snap-"));
  dirs.push(dir);
  const w = new HistoryWriter(join(dir, "history.jsonl"));
  for (const collection of Object.keys(has)) {
    w.append({
      type: "invoke",
      id: 1,
      process: 0,
      time: 1,
      value: {
        f: "write",
        kind: "insert",
        collection,
        keys: [
          { pk: "1", ver: 1 },
          { pk: "2", ver: 1 },
        ],
      },
    });
  }
  await snapshotPromoted(fakeClient(has), "b", w);
  await w.close();
  const text = await readFile(w.path, "utf8");
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as HistoryEvent)
    .filter((e): e is SnapshotEvent => e.type === "snapshot");
}

describe("snapshotPromoted", () => {
  it("records a collection missing on the new primary as every key absent, and a present one as read", async () => {
    const snaps = await snapshots({ kept: true, lost: false });
    const lost = snaps.find((s) => s.collection === "lost");
    expect(lost).toMatchObject({
      exists: false,
      count: 0,
      reads: [
        { pk: "1", ver: null },
        { pk: "2", ver: null },
      ],
    });
    expect(lost?.error).toBeUndefined();
    const kept = snaps.find((s) => s.collection === "kept");
    expect(kept?.exists).toBeUndefined();
    expect(kept?.reads).toEqual([
      { pk: "1", ver: 2 },
      { pk: "2", ver: null },
    ]);
  });

  it("records a has_collection that failed as an error, never as an absent collection", async () => {
    const snaps = await snapshots({ flaky: new Error("connect ECONNREFUSED") });
    expect(snaps).toHaveLength(1);
    expect(snaps[0]?.error).toMatch(/has_collection failed: connect ECONNREFUSED/);
    expect(snaps[0]?.reads).toEqual([]);
    expect(snaps[0]?.exists).toBeUndefined();
  });
});

describe("watchForLoss", () => {
  async function setup() {
    const dir = await mkdtemp(join(tmpdir(), "loss-"));
    dirs.push(dir);
    const history = new HistoryWriter(join(dir, "history.jsonl"));
    let progress = 0;
    const runner = { progress: () => progress } as unknown as WorkloadRunner;
    const ended = { ended: false };
    let lost = false;
    const watching = (healWaitMs: number) =>
      watchForLoss({ runner, history, workloadEnded: ended, healWaitMs }).then(() => {
        lost = true;
      });
    const tick = () => new Promise((r) => setTimeout(r, 80));
    return {
      history,
      ended,
      watching,
      tick,
      lost: () => lost,
      setProgress: (p: number) => {
        progress = p;
      },
    };
  }
  const kill = (id: number, phase: "start" | "end", time: number): HistoryEvent => ({
    type: "fault",
    id,
    name: "kill-cdc",
    phase,
    time,
  });
  const heartbeatSeen = (wallMs: number): HistoryEvent => ({
    type: "obs",
    kind: "heartbeat",
    side: "target",
    invokeTime: wallMs,
    time: wallMs,
    hbSeq: 1,
    wallMs,
  });

  it("a workload that ended during a CDC kill waits for the kill to heal before the primary is lost", async () => {
    const t = await setup();
    t.history.append(kill(1, "start", 1000));
    const w = t.watching(60_000);
    t.setProgress(1);
    t.ended.ended = true;
    await t.tick();
    expect(t.lost()).toBe(false);
    t.history.append(kill(1, "end", 2000));
    await t.tick();
    // Ended, but no heartbeat seen on the standby since: recovery not yet observed.
    expect(t.lost()).toBe(false);
    t.history.append(heartbeatSeen(2500));
    await w;
    expect(t.lost()).toBe(true);
    await t.history.close();
  });

  it("the wait after the workload is bounded: a kill that never heals does not hold the failover forever", async () => {
    const t = await setup();
    t.history.append(kill(1, "start", 1000));
    t.ended.ended = true;
    const startedAt = Date.now();
    await t.watching(150);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    await t.history.close();
  });

  it("mid-stream, the loss waits for LOSS_AT progress and a healed kill", async () => {
    const t = await setup();
    const w = t.watching(60_000);
    t.setProgress(0.5);
    await t.tick();
    expect(t.lost()).toBe(false);
    t.history.append(kill(1, "start", 1000));
    t.setProgress(0.9);
    await t.tick();
    expect(t.lost()).toBe(false);
    t.history.append(kill(1, "end", 2000));
    t.history.append(heartbeatSeen(2100));
    await w;
    expect(t.lost()).toBe(true);
    await t.history.close();
  });
});
