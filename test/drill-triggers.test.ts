/**
 * The workload triggers end to end on the local backend (issue 23): triggers-smoke passes on a
 * faithful replicator, and each trigger fault of the reference replicator fails it through parity:
 * skip-release (a release never reaches the standby, milvus-io/milvus#44478) and skip-add-field (the
 * second of two add_collection_field in a row never does, milvus-io/milvus#50364, #51835).
 */
import { afterAll, describe, expect, it } from "vitest";
import { FaultFilter } from "../src/backends/local/faults/faults.js";
import type { WalEntry } from "../src/backends/local/wal/wal-reader.js";
import { loadConfig } from "../src/config/load.js";
import type { LocalFaultMode } from "../src/config/schema.js";
import { drill, failing } from "./helpers/drill.js";

function entry(method: string, collection = "c", kind: "dml" | "ddl" = "ddl"): WalEntry {
  return { offset: 0, tt: "1", ttNum: 1n, method, kind, db: "default", collection, payload: "" };
}

describe("trigger faults in the replicator's filter", () => {
  it("skip-release loses every release, collection or partition, and nothing else", () => {
    const f = new FaultFilter("skip-release", 1, { sent: 0, corrupted: false });
    const sent = (m: string) => f.push(entry(m)).length;
    expect(["ReleaseCollection", "ReleasePartitions"].map(sent)).toEqual([0, 0]);
    expect(["LoadCollection", "LoadPartitions", "CreatePartition"].map(sent)).toEqual([1, 1, 1]);
  });

  it("skip-add-field loses the second AddCollectionField of each collection only", () => {
    const f = new FaultFilter("skip-add-field", 1, { sent: 0, corrupted: false });
    const sent = (c: string) => f.push(entry("AddCollectionField", c)).length;
    expect(["a", "a", "b", "a", "b"].map(sent)).toEqual([1, 0, 1, 1, 0]);
  });
});

function triggersConfig(faultMode: LocalFaultMode, seed: number) {
  return loadConfig({
    profile: "triggers-smoke",
    overrides: {
      seed,
      backend: { type: "local", local: { faultMode, restartDelayMs: 300 } },
      workload: { initialRows: 200, ops: 160 },
      thresholds: { catchUpTimeoutMs: 30_000, recoveryTimeoutMs: 20_000 },
    },
  });
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("triggers-smoke on the local backend", () => {
  it("passes on a faithful replicator, every trigger recorded in the history and acknowledged", async () => {
    const { report, cleanup } = await drill(triggersConfig("none", 2301));
    cleanups.push(cleanup);
    expect(failing(report)).toEqual([]);
    expect(report.verdict).toBe("pass");
    // The closing note: every trigger the local backend can do ran, every step acknowledged.
    const t = report.metrics.triggers ?? [];
    expect(t.map((r) => `${r.trigger} ${r.collection}`)).toEqual([
      "load-release drill_auto",
      "add-field drill_pkey",
      "auto-id-upserts drill_auto",
      "partition-key drill_pkey",
      "dynamic-field drill_items",
      "dynamic-field drill_auto",
    ]);
    for (const r of t.filter((x) => x.trigger === "load-release" || x.trigger === "add-field")) {
      expect([r.fail, r.info]).toEqual([0, 0]);
    }
    const by = (name: string) => t.find((r) => r.trigger === name);
    expect(by("load-release")?.produced).toBe("collection loaded, p1 released on both sides");
    expect(by("add-field")?.produced).toBe("trig_a, trig_b on both sides");
    expect(by("auto-id-upserts")?.ran).toMatch(/[1-9]\d* upserts, [1-9]\d* deletes/);
  });

  it.each([
    ["skip-release", "load-state", /partition p1 is released on the primary and loaded on the standby/],
    ["skip-add-field", "schema", /trig_b/],
  ] as const)("%s fails parity (%s)", async (mode, kind, message) => {
    const { report, cleanup } = await drill(triggersConfig(mode, 2302));
    cleanups.push(cleanup);
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe("fail");
    const parity = report.checks.find((c) => c.name === "parity");
    expect(parity?.verdict).toBe("fail");
    const hit = parity?.evidence.find((e) => e.kind === kind);
    expect(hit?.message).toMatch(message);
    // The closing note says what the lost DDL left on the standby.
    const note = report.metrics.triggers?.find(
      (r) => r.trigger === (mode === "skip-release" ? "load-release" : "add-field"),
    );
    expect(note?.produced).toMatch(
      mode === "skip-release" ? /standby: collection loaded, p1 loaded/ : /trig_b on the primary only/,
    );
  });
});
