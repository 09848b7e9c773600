/**
 * The report's closing note on workload triggers (issue 23): which triggers ran, with their outcomes,
 * and what each left on the primary and on the standby, read from the history and the final state.
 */
import { describe, expect, it } from "vitest";
import { computeMetrics } from "../src/checkers/metrics.js";
import type {
  CollectionFinal,
  FinalState,
  LoadStateInfo,
  SideFinal,
  Thresholds,
} from "../src/checkers/types.js";
import type { HistoryEvent } from "../src/history/types.js";
import { renderCliTable } from "../src/report/cli-table.js";
import { triggerRows } from "../src/report/figures.js";
import type { DrillReport } from "../src/report/model.js";
import { renderSummary } from "../src/report/summary.js";
import { baseReport } from "./report-helpers.js";

const THRESHOLDS: Thresholds = {
  lagSloMs: 5000,
  recoveryTimeoutMs: 20_000,
  catchUpTimeoutMs: 30_000,
  minRecall: 0.8,
  distanceEpsilon: 1e-6,
  rpoMs: 1000,
  rtoMs: 1000,
};

function header(triggers: Record<string, boolean>): HistoryEvent {
  return {
    type: "header",
    version: 1,
    seed: 1,
    startedAt: 1000,
    backend: "local",
    collections: {},
    config: {
      workload: {
        triggers,
        collections: [
          { name: "items", dynamicField: false },
          { name: "auto", autoId: true, dynamicField: true },
          { name: "pkey", partitionKey: true, shards: 2 },
        ],
      },
    },
  };
}

let id = 0;
function ddl(
  action: string,
  collection: string,
  detail: Record<string, unknown>,
  outcome = "ok",
  error?: string,
) {
  id++;
  return [
    { type: "invoke", id, process: 9, time: 1000 + id, value: { f: "ddl", action, collection, detail } },
    { type: outcome, id, process: 9, time: 1001 + id, ...(error ? { error } : {}) },
  ] as HistoryEvent[];
}

function side(fields: string[], load?: LoadStateInfo, count = 3): SideFinal {
  return {
    reachable: true,
    count,
    distinctKeys: count,
    versions: {},
    schema: { fields: fields.map((name) => ({ name, type: "VarChar" })), dynamicField: false },
    indexes: [],
    partitions: ["_default", "p1"],
    aliases: [],
    ...(load ? { load } : {}),
  };
}

function coll(name: string, source: SideFinal, target: SideFinal): CollectionFinal {
  return {
    name,
    source,
    target,
    onlySource: [],
    onlySourceTotal: 0,
    onlyTarget: [],
    onlyTargetTotal: 0,
    mismatched: [],
    mismatchedTotal: 0,
    rowsCompared: 3,
  };
}

function finalState(collections: CollectionFinal[]): FinalState {
  return { collections, search: [], catchUp: null, sourceReachable: true, targetReachable: true };
}

const LOADED_P1_RELEASED: LoadStateInfo = {
  collection: "loaded",
  partitions: { _default: "loaded", p1: "released" },
};
const ALL_LOADED: LoadStateInfo = { collection: "loaded", partitions: { _default: "loaded", p1: "loaded" } };

function history(): HistoryEvent[] {
  id = 0;
  return [
    header({ loadRelease: true, addField: true, autoIdUpserts: true, bulkImport: false }),
    ...ddl("release-partitions", "auto", { trigger: "load-release", partitions: ["p1"] }),
    ...ddl("add-field", "pkey", { trigger: "add-field", field: "trig_a" }),
    ...ddl("add-field", "pkey", { trigger: "add-field", field: "trig_b" }, "info", "deadline exceeded"),
    ...ddl("release", "auto", { trigger: "load-release" }),
    ...ddl("load", "auto", { trigger: "load-release" }),
    // A setup DDL is not a trigger.
    ...ddl("create-index", "items", { field: "vec" }),
    // An auto-id upsert of two keys: Milvus answered with one it kept and one new key.
    {
      type: "invoke",
      id: 100,
      process: 1,
      time: 2000,
      value: {
        f: "write",
        kind: "upsert",
        collection: "auto",
        keys: [
          { pk: "7", ver: 2 },
          { pk: "8", ver: 2 },
        ],
      },
    },
    {
      type: "ok",
      id: 100,
      process: 1,
      time: 2001,
      keys: [
        { pk: "7", ver: 2 },
        { pk: "9", ver: 2 },
      ],
    },
    {
      type: "invoke",
      id: 101,
      process: 1,
      time: 2002,
      value: { f: "write", kind: "delete", collection: "auto", keys: [{ pk: "7", ver: 3 }] },
    },
    { type: "fail", id: 101, process: 1, time: 2003, error: "refused" },
  ];
}

describe("workload triggers in the report", () => {
  it("in a star, name what each standby holds when they differ, and say every standby when they agree", () => {
    const pkeyOn = (fields: string[]) => coll("pkey", side(["pk", "trig_a", "trig_b"]), side(fields));
    const auto = coll("auto", side(["pk"], LOADED_P1_RELEASED), side(["pk"], LOADED_P1_RELEASED));
    const first = finalState([auto, pkeyOn(["pk", "trig_a", "trig_b"])]);
    const final: FinalState = {
      ...first,
      star: {
        first: "standby-x",
        others: [
          {
            clusterId: "standby2-x",
            collections: [auto, pkeyOn(["pk", "trig_a"])],
            search: [],
            targetReachable: true,
            catchUp: null,
          },
        ],
      },
    };
    const by = (t: string) =>
      computeMetrics(history(), final, THRESHOLDS).triggers?.find((r) => r.trigger === t);
    expect(by("add-field")?.produced).toBe(
      "standby-x: trig_a, trig_b on both sides; standby2-x: trig_a on both sides; trig_b on the primary only",
    );
    expect(by("load-release")?.produced).toBe("collection loaded, p1 released on both sides (every standby)");
  });

  it("name each trigger's steps, their outcomes and what they left on both sides", () => {
    const final = finalState([
      coll("auto", side(["pk"], LOADED_P1_RELEASED), side(["pk"], LOADED_P1_RELEASED)),
      coll("pkey", side(["pk", "trig_a", "trig_b"]), side(["pk", "trig_a", "trig_b"])),
    ]);
    const m = computeMetrics(history(), final, THRESHOLDS);
    expect(m.triggers).toEqual([
      {
        trigger: "load-release",
        collection: "auto",
        ran: "release-partitions p1, release, load",
        ok: 3,
        fail: 0,
        info: 0,
        produced: "collection loaded, p1 released on both sides",
      },
      {
        trigger: "add-field",
        collection: "pkey",
        ran: "add-field trig_a, add-field trig_b (info: deadline exceeded)",
        ok: 1,
        fail: 0,
        info: 1,
        produced: "trig_a, trig_b on both sides",
      },
      {
        trigger: "auto-id-upserts",
        collection: "auto",
        ran: "0 inserts, 1 upserts, 1 deletes",
        ok: 1,
        fail: 1,
        info: 0,
        produced:
          "1 keys replaced by Milvus's answer; 3 rows compared (count 3 on the primary, 3 on the standby)",
      },
      {
        trigger: "partition-key",
        collection: "pkey",
        ran: "no writes",
        ok: 0,
        fail: 0,
        info: 0,
        produced: "3 rows compared (count 3 on the primary, 3 on the standby)",
      },
      {
        trigger: "dynamic-field",
        collection: "auto",
        ran: "0 inserts, 1 upserts, 1 deletes",
        ok: 1,
        fail: 1,
        info: 0,
        produced: "3 rows compared (count 3 on the primary, 3 on the standby)",
      },
    ]);
    const rows = triggerRows({ metrics: m } as DrillReport);
    expect(rows[1]).toEqual([
      "add-field",
      "pkey",
      "add-field trig_a, add-field trig_b (info: deadline exceeded) [1 unknown]",
      "trig_a, trig_b on both sides",
    ]);
  });

  it("show a lost release and a lost add-field as what the standby was left with", () => {
    const final = finalState([
      coll("auto", side(["pk"], LOADED_P1_RELEASED), side(["pk"], ALL_LOADED)),
      coll("pkey", side(["pk", "trig_a", "trig_b"]), side(["pk", "trig_a"])),
    ]);
    const m = computeMetrics(history(), final, THRESHOLDS);
    const by = (t: string) => m.triggers?.find((r) => r.trigger === t)?.produced;
    expect(by("load-release")).toBe(
      "primary: collection loaded, p1 released; standby: collection loaded, p1 loaded",
    );
    expect(by("add-field")).toBe("trig_a on both sides; trig_b on the primary only");
  });

  it("are absent from a run without triggers", () => {
    id = 0;
    const h = [
      header({ loadRelease: false, addField: false, autoIdUpserts: false, bulkImport: false }),
      ...ddl("create-index", "items", { field: "vec" }),
    ];
    const m = computeMetrics(h, finalState([]), THRESHOLDS);
    expect(m.triggers).toBeUndefined();
  });
});

describe("the closing note renders every trigger step", () => {
  const final = finalState([
    coll("auto", side(["pk"], LOADED_P1_RELEASED), side(["pk"], LOADED_P1_RELEASED)),
    coll("pkey", side(["pk", "trig_a", "trig_b"]), side(["pk", "trig_a"])),
  ]);
  const report = baseReport();
  report.metrics = { ...report.metrics, triggers: computeMetrics(history(), final, THRESHOLDS).triggers };

  it("in the CLI table, wrapped at the list's commas on a narrow terminal, no step cut", () => {
    const out = renderCliTable(report, { width: 60 });
    const note = out.slice(out.indexOf("TRIGGER"), out.indexOf("replay:"));
    for (const l of note.split("\n")) expect(l.length).toBeLessThanOrEqual(60);
    const flat = note.replace(/\s+/g, " ");
    expect(flat).toContain("load-release auto release-partitions p1, release, load");
    expect(flat).toContain("add-field trig_b (info: deadline exceeded) [1 unknown]");
    expect(flat).toContain("-> trig_a on both sides; trig_b on the primary only");
  });

  it("in summary.md, a table row per trigger", () => {
    const md = renderSummary(report);
    expect(md).toContain("### Workload triggers");
    // Markdown's table and emphasis syntax escaped, as in every cell (mdCell).
    expect(md).toContain(
      "| add-field | pkey | add-field trig\\_a, add-field trig\\_b (info: deadline exceeded) \\[1 unknown\\] | trig\\_a on both sides; trig\\_b on the primary only |",
    );
  });
});
