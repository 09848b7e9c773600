/**
 * The bulk-import trigger (issue 23) end to end without a cluster: the seeded rows planned mid-stream,
 * written into an import file, handed to the backend's bulkImport, and recorded in the history as an
 * insert (via "import") whose outcome is the import job's: ok, fail (no row of it can be there) or info
 * (not seen to finish: the row model keeps its keys uncertain). The closing note names it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Backend, BulkImportRequest } from "../src/backends/types.js";
import { indexHistory } from "../src/checkers/history-index.js";
import { runCheckers } from "../src/checkers/index.js";
import { computeTriggers } from "../src/checkers/triggers.js";
import type { CheckResult, CollectionFinal, FinalState, SideFinal } from "../src/checkers/types.js";
import type { DrillExecutor, WriteOutcome } from "../src/client/executor.js";
import { loadConfig } from "../src/config/load.js";
import { bulkImporter } from "../src/drill/bulk-import.js";
import { WorkloadRunner } from "../src/drill/workload.js";
import { IMPORT_BASE, type PlannedWrite, WorkloadPlanner } from "../src/generator/workload.js";
import { readHistory } from "../src/history/reader.js";
import type { HistoryEvent } from "../src/history/types.js";
import { HistoryWriter } from "../src/history/writer.js";
import { ImportJobError, importJson } from "../src/milvus/import.js";

const dir = mkdtempSync(join(tmpdir(), "bulk-import-trigger-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(bulkImport = true) {
  return loadConfig({
    profile: "triggers-smoke",
    overrides: {
      seed: 2323,
      backend: { type: "kind" },
      workload: { ops: 120, concurrency: 2, targetRate: 0, triggers: { bulkImport } },
    },
  });
}

// Each write takes a little while, as on a cluster, so the workload has a middle to import in.
const exec = {
  write: async (): Promise<WriteOutcome> => {
    await new Promise((r) => setTimeout(r, 3));
    return { type: "ok" };
  },
  ddl: async (): Promise<WriteOutcome> => ({ type: "ok" }),
} as unknown as DrillExecutor;

let n = 0;
async function run(outcome: WriteOutcome, bulkImport = true) {
  const cfg = config(bulkImport);
  const planner = new WorkloadPlanner(cfg.seed, cfg.workload, cfg.workload.concurrency);
  const path = join(dir, `h${++n}.jsonl`);
  const history = new HistoryWriter(path);
  const runner = new WorkloadRunner(planner, exec, history, {
    ops: cfg.workload.ops,
    durationMs: null,
    targetRate: 0,
    concurrency: cfg.workload.concurrency,
  });
  const imported: Array<{ op: PlannedWrite; progress: number }> = [];
  runner.importer = async (op) => {
    imported.push({ op, progress: runner.opsDone / (cfg.workload.ops ?? 1) });
    return outcome;
  };
  await runner.runWorkload();
  await history.close();
  const events = await readHistory(path);
  return { cfg, planner, runner, imported, events };
}

const importInvokes = (events: HistoryEvent[]) =>
  events.filter((e) => e.type === "invoke" && e.value.f === "write" && e.value.via === "import");

describe("the bulk-import trigger in the workload", () => {
  it("imports the seeded rows once, mid-stream, as an insert of fresh keys recorded with via import", async () => {
    const { imported, events, runner, planner } = await run({ type: "ok" });
    expect(imported).toHaveLength(1);
    const op = imported[0]?.op as PlannedWrite;
    // One shard, no partition key: the prefix check covers it (drill_auto is auto-id, drill_pkey has 2 shards).
    expect(op.collection).toBe("drill_items");
    expect(op.kind).toBe("insert");
    expect(op.keys[0]).toEqual({ pk: String(IMPORT_BASE), ver: 1 });
    expect(op.keys).toHaveLength(planner.importPlan?.rows ?? 0);
    // Mid-stream: at half the workload, with worker writes before and after it in the history.
    expect(imported[0]?.progress).toBeGreaterThanOrEqual(0.5);
    const at = events.findIndex(
      (e) => e.type === "invoke" && e.value.f === "write" && e.value.via === "import",
    );
    const workerWrite = (e: HistoryEvent) =>
      e.type === "invoke" &&
      e.value.f === "write" &&
      e.value.via === undefined &&
      e.process >= 0 &&
      e.process < 2;
    expect(events.slice(0, at).some(workerWrite)).toBe(true);
    expect(events.slice(at + 1).some(workerWrite)).toBe(true);
    // The same seed renders the same rows: the import file is a function of the seed (bar the fields
    // the add-field trigger may have added on this collection before the import).
    const again = new WorkloadPlanner(2323, config().workload, 2).importBatch() as PlannedWrite;
    const base = (rows: PlannedWrite["rows"]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("trig_"))));
    expect(importJson(base(again.rows))).toBe(importJson(base(op.rows)));
    const inv = importInvokes(events);
    expect(inv).toHaveLength(1);
    const id = inv[0]?.type === "invoke" ? inv[0].id : -1;
    const done = events.find((e) => e.type !== "invoke" && "id" in e && e.id === id);
    expect(done?.type).toBe("ok");
    expect(runner.importResults.map((r) => r.outcome)).toEqual(["ok"]);
    expect(planner.importModel.get(IMPORT_BASE)?.state).toBe("present");
  });

  it("an import not seen to finish is info in the history, and its keys are uncertain in the model", async () => {
    const { events, planner, runner } = await run({
      type: "info",
      error: "timed out after 300000 ms waiting for import job 7",
    });
    const inv = importInvokes(events);
    const id = inv[0]?.type === "invoke" ? inv[0].id : -1;
    const done = events.find((e) => e.type !== "invoke" && "id" in e && e.id === id);
    expect(done).toMatchObject({ type: "info", error: /import job 7/ });
    expect(planner.importModel.get(IMPORT_BASE)?.state).toBe("uncertain");
    expect(runner.importResults[0]?.error).toMatch(/timed out/);
  });

  it("a failed import is fail: the model holds none of its keys", async () => {
    const { events, planner } = await run({ type: "fail", error: "import job 7 failed" });
    const inv = importInvokes(events);
    const id = inv[0]?.type === "invoke" ? inv[0].id : -1;
    expect(events.find((e) => e.type === "fail" && e.id === id)).toBeDefined();
    expect(planner.importModel.get(IMPORT_BASE)?.state).not.toBe("present");
  });

  it("without the trigger nothing is imported", async () => {
    const { imported, events } = await run({ type: "ok" }, false);
    expect(imported).toEqual([]);
    expect(importInvokes(events)).toEqual([]);
  });

  it("the closing note names each import and its outcome", async () => {
    const { events, planner } = await run({ type: "info", error: "timed out waiting for import job 7" });
    const idx = indexHistory(events);
    expect(idx.importWrites).toHaveLength(1);
    const rows = computeTriggers(idx, { collections: [] } as never).filter(
      (r) => r.trigger === "bulk-import",
    );
    expect(rows).toEqual([
      {
        trigger: "bulk-import",
        collection: "drill_items",
        ran: `import of ${planner.importPlan?.rows} rows (info: timed out waiting for import job 7)`,
        ok: 0,
        fail: 0,
        info: 1,
        produced: "not read at the end",
      },
    ]);
  });
});

describe("bulkImporter: the backend's import as the op's outcome", () => {
  const op = (() => {
    const cfg = config();
    return new WorkloadPlanner(cfg.seed, cfg.workload, 2).importBatch() as PlannedWrite;
  })();
  const backend = (
    impl: (r: BulkImportRequest) => Promise<never> | ReturnType<NonNullable<Backend["bulkImport"]>>,
  ) => ({ info: { name: "kind", details: {} }, bulkImport: impl }) as unknown as Backend;

  it("hands the rows over as a JSON import file named after the seed and op; a completed job is ok", async () => {
    const got: BulkImportRequest[] = [];
    const lines: string[] = [];
    const imp = bulkImporter(
      backend(async (r) => {
        got.push(r);
        return { jobId: "9", rows: op.rows.length, object: "alpha/drill-import/x.json", waitedFor: "job 9" };
      }),
      2323,
      undefined,
      (m) => lines.push(m),
    );
    expect(await imp(op, 41)).toEqual({ type: "ok" });
    expect(got).toEqual([
      {
        collection: "drill_items",
        partition: undefined,
        fileName: "drill-2323-op41.json",
        content: importJson(op.rows),
      },
    ]);
    expect(lines[0]).toContain(`job 9, ${op.rows.length} of ${op.rows.length} row(s)`);
  });

  it("ImportJobError keeps its outcome (fail / info); any other error is info, never fail", async () => {
    const fail = bulkImporter(
      backend(async () => {
        throw new ImportJobError("job 9 failed", "fail");
      }),
      1,
      undefined,
      () => {},
    );
    expect(await fail(op, 1)).toEqual({ type: "fail", error: "job 9 failed" });
    const info = bulkImporter(
      backend(async () => {
        throw new ImportJobError("timed out", "info");
      }),
      1,
      undefined,
      () => {},
    );
    expect(await info(op, 1)).toEqual({ type: "info", error: "timed out" });
    const other = bulkImporter(
      backend(async () => {
        throw new Error("socket hang up");
      }),
      1,
      undefined,
      () => {},
    );
    expect(await other(op, 1)).toEqual({ type: "info", error: "socket hang up" });
  });
});

describe("parity over imported rows (the imported keys are in the row model like any insert)", () => {
  /** The final state a faithful pair would show for this history (every write acknowledged), minus `lose` on the standby. */
  function final(events: HistoryEvent[], lose: (pk: string) => boolean): FinalState {
    const idx = indexHistory(events);
    const collections: CollectionFinal[] = [];
    for (const [name, keys] of idx.writes) {
      const versions: Record<string, number> = {};
      for (const [pk, writes] of keys) {
        const last = [...writes]
          .filter((w) => w.outcome !== "fail")
          .sort((a, b) => a.ver - b.ver)
          .at(-1);
        if (last && last.kind !== "delete") versions[pk] = last.ver;
      }
      const target = Object.fromEntries(Object.entries(versions).filter(([pk]) => !lose(pk)));
      const side = (v: Record<string, number>): SideFinal => ({
        reachable: true,
        exists: true,
        count: Object.keys(v).length,
        distinctKeys: Object.keys(v).length,
        versions: v,
        indexes: [],
        partitions: [],
        aliases: [],
      });
      const onlySource = Object.keys(versions).filter((pk) => !(pk in target));
      collections.push({
        name,
        source: side(versions),
        target: side(target),
        onlySource,
        onlySourceTotal: onlySource.length,
        onlyTarget: [],
        onlyTargetTotal: 0,
        mismatched: [],
        mismatchedTotal: 0,
        rowsCompared: Object.keys(target).length,
      });
    }
    return { collections, search: [], catchUp: null, sourceReachable: true, targetReachable: true };
  }
  const thresholds = {
    lagSloMs: 5000,
    recoveryTimeoutMs: 20_000,
    catchUpTimeoutMs: 30_000,
    minRecall: 0.8,
    distanceEpsilon: 1e-6,
    rpoMs: 1000,
    rtoMs: 1000,
  };
  const parity = (events: HistoryEvent[], f: FinalState) =>
    runCheckers(events, f, { thresholds }, ["parity"])[0] as CheckResult;
  const imported = (pk: string) => Number(pk) >= IMPORT_BASE && Number(pk) < IMPORT_BASE + 1_000_000;

  it("fails when the standby lacks the rows of a completed import (what #50499 did), and passes when it has them", async () => {
    const { events } = await run({ type: "ok" });
    expect(
      parity(
        events,
        final(events, () => false),
      ).verdict,
    ).toBe("pass");
    const lost = parity(events, final(events, imported));
    expect(lost.verdict).toBe("fail");
    expect(JSON.stringify(lost.evidence)).toContain(String(IMPORT_BASE));
  });

  it("an import not seen to finish may have landed or not: absent on both sides is no alarm", async () => {
    const { events } = await run({ type: "info", error: "timed out waiting for import job 7" });
    const f = final(events, () => false);
    for (const c of f.collections) {
      for (const side of [c.source, c.target])
        for (const pk of Object.keys(side.versions)) if (imported(pk)) delete side.versions[pk];
      c.source.count = c.source.distinctKeys = Object.keys(c.source.versions).length;
      c.target.count = c.target.distinctKeys = Object.keys(c.target.versions).length;
      c.rowsCompared = Object.keys(c.target.versions).length;
    }
    expect(parity(events, f).verdict).toBe("pass");
  });
});
