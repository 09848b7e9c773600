/**
 * The streamed path (history.jsonl read line by line and folded into the index, as `run` and
 * `check RUN_DIR` do) must give exactly the report the in-memory path gives for the same history:
 * every verdict, summary, evidence item, stat and metric.
 */
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexHistoryFile } from "../src/checkers/history-file.js";
import { computeMetrics, runCheckers } from "../src/checkers/index.js";
import { computeSteps } from "../src/checkers/metrics.js";
import { readHistory } from "../src/history/reader.js";
import type { HistoryEvent } from "../src/history/types.js";
import { HistoryWriter } from "../src/history/writer.js";
import { writeSoakHistory } from "./helpers/soak.js";
import { type Anomaly, type SyntheticRun, synthesize } from "./helpers/synthetic.js";
import { type RoleChangeAnomaly, synthesizeRoleChange } from "./helpers/synthetic-role-change.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "checkers-stream-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** Writes the history the way a drill does (HistoryWriter, flushed), then returns its path. */
async function save(history: readonly HistoryEvent[]): Promise<string> {
  const w = new HistoryWriter(join(dir, `history-${++n}.jsonl`));
  for (const e of history) w.append(e);
  await w.flush();
  await w.close();
  return w.path;
}

async function bothPaths(run: Pick<SyntheticRun, "history" | "final" | "thresholds">) {
  const ctx = { thresholds: run.thresholds };
  // A fresh copy: the in-memory index is memoised per array, and must not be shared with the stream's.
  const inMemory = structuredClone(run.history);
  const streamed = await indexHistoryFile(await save(run.history));
  return {
    memory: {
      checks: runCheckers(inMemory, run.final, ctx),
      metrics: computeMetrics(inMemory, run.final, run.thresholds),
      steps: computeSteps(inMemory),
    },
    stream: {
      checks: runCheckers(streamed, run.final, ctx),
      metrics: computeMetrics(streamed, run.final, run.thresholds),
      steps: computeSteps(streamed),
    },
  };
}

const ANOMALIES: Array<Anomaly | undefined> = [
  undefined,
  "drop-ack",
  "replay-insert",
  "delete-before-insert",
  "lower-version",
  "skip-after-restart",
  "stall",
  "checkpoint-backward",
  "probe-accepted",
  "search-differs",
  "catchup-timeout",
];

describe("streamed history vs in-memory history", () => {
  for (const anomaly of ANOMALIES) {
    it(`same report for ${anomaly ?? "clean"} runs`, async () => {
      for (const seed of [3, 11, 29]) {
        const run = synthesize({ seed, anomaly, kills: 2 });
        const { memory, stream } = await bothPaths(run);
        expect(stream).toEqual(memory);
        // Not vacuous: these runs have something to judge.
        expect(memory.checks.some((c) => c.verdict === "pass" || c.verdict === "fail")).toBe(true);
        if (anomaly && run.injected) expect(memory.checks.some((c) => c.verdict === "fail")).toBe(true);
      }
    });
  }

  const ROLE_CHANGES: Array<["switchover" | "failover", RoleChangeAnomaly | undefined]> = [
    ["switchover", undefined],
    ["failover", undefined],
    ["switchover", "lose-acked-tail"],
    ["failover", "hole"],
    ["failover", "split-brain"],
    ["switchover", "slow-first-write"],
    ["failover", "reverse-missing"],
  ];
  for (const [scenario, anomaly] of ROLE_CHANGES) {
    it(`same report for a ${scenario}${anomaly ? ` with ${anomaly}` : ""}`, async () => {
      for (const seed of [2, 13, 31]) {
        const run = synthesizeRoleChange({ seed, scenario, anomaly });
        const { memory, stream } = await bothPaths(run);
        expect(stream).toEqual(memory);
        const roleChecks = memory.checks.filter((c) => ["rpo", "rto", "promotion"].includes(c.name));
        expect(roleChecks.every((c) => c.verdict !== "skipped")).toBe(true);
        if (anomaly && run.injected) expect(memory.checks.some((c) => c.verdict === "fail")).toBe(true);
      }
    });
  }

  it("same report when ops are still open at the end and an auto-id insert learns its keys", async () => {
    const run = synthesize({ seed: 5, kills: 1 });
    const history = [...run.history];
    // An op whose completion never arrived (the run was killed): info, open until the last event.
    const last = history.findLastIndex((e) => e.type === "ok");
    const dropped = history.splice(last, 1)[0] as HistoryEvent & { time: number };
    // An auto-id insert: the invoke lists no keys, the completion carries the ones Milvus assigned.
    const t = dropped.time;
    history.push(
      {
        type: "invoke",
        id: 77_777,
        process: 0,
        time: t,
        value: { f: "write", kind: "insert", collection: "c0", keys: [] },
      },
      { type: "ok", id: 77_777, process: 0, time: t + 2, keys: [{ pk: "42424242", ver: 1 }] },
    );
    const { memory, stream } = await bothPaths({ ...run, history });
    expect(stream).toEqual(memory);
    expect(memory.metrics.ops.info).toBeGreaterThan(0);
  });

  it("a torn last line is ignored, a bad line inside the history is an error naming it", async () => {
    const run = synthesize({ seed: 9 });
    const path = await save(run.history);
    await appendFile(path, '{"type":"inv');
    const { memory, stream } = await bothPaths(run);
    const torn = await indexHistoryFile(path);
    expect(runCheckers(torn, run.final, { thresholds: run.thresholds })).toEqual(memory.checks);
    expect(stream.checks).toEqual(memory.checks);
    expect(await readHistory(path)).toEqual(run.history);

    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, `${JSON.stringify(run.history[0])}\nnot json\n${JSON.stringify(run.history[1])}\n`);
    await expect(indexHistoryFile(bad)).rejects.toThrow(`${bad}:2: not a JSON history event`);
  });

  it("the bench's soak history: a correct link judged pass, the same through the stream as in memory", async () => {
    const path = join(dir, "soak.jsonl");
    const soak = writeSoakHistory(path, { events: 200_000, seed: 3 });
    const history = await readHistory(path);
    expect(history).toHaveLength(soak.events);
    expect(history.filter((e) => e.type === "fault")).not.toHaveLength(0);
    const { memory, stream } = await bothPaths({ history, final: soak.final, thresholds: soak.thresholds });
    expect(stream).toEqual(memory);
    const judged = memory.checks.filter((c) => c.verdict !== "skipped");
    expect(judged.map((c) => [c.name, c.verdict])).toEqual(judged.map((c) => [c.name, "pass"]));
    expect(judged.map((c) => c.name)).toEqual(
      expect.arrayContaining(["parity", "monotonic-reads", "prefix", "checkpoint-recovery", "lag"]),
    );
  });

  it("the writer keeps no events: the live roles read facts folded as events are appended", async () => {
    const w = new HistoryWriter(join(dir, "live.jsonl"));
    const write = (id: number, collection: string, pks: string[]): HistoryEvent => ({
      type: "invoke",
      id,
      process: 0,
      time: id,
      value: { f: "write", kind: "insert", collection, keys: pks.map((pk) => ({ pk, ver: 1 })) },
    });
    w.append(write(1, "a", ["1", "2"]));
    w.append(write(2, "b", ["9"]));
    w.append({ type: "fault", id: 7, name: "kill-cdc", phase: "start", time: 10 });
    const before = w.facts.writtenKeys();
    w.append(write(3, "a", ["2", "3"]));
    expect(before.get("a")).toEqual(new Set(["1", "2"]));
    expect(w.facts.writtenKeys()).toEqual(
      new Map([
        ["a", new Set(["1", "2", "3"])],
        ["b", new Set(["9"])],
      ]),
    );
    expect(w.facts.openFaults).toEqual(new Set([7]));
    w.append({ type: "fault", id: 7, name: "kill-cdc", phase: "end", time: 20 });
    w.append({
      type: "obs",
      kind: "heartbeat",
      side: "target",
      invokeTime: 21,
      time: 22,
      hbSeq: 3,
      wallMs: 19,
    });
    w.append({
      type: "obs",
      kind: "heartbeat",
      side: "target",
      invokeTime: 23,
      time: 24,
      hbSeq: null,
      wallMs: null,
    });
    expect(w.facts.openFaults.size).toBe(0);
    expect([w.facts.lastFaultEnd, w.facts.lastSeenWall]).toEqual([20, 19]);
    expect("events" in w).toBe(false);
    await w.close();
    expect(await readHistory(w.path)).toHaveLength(7);
  });
});
