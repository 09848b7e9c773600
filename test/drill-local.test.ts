import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import type { HistoryEvent } from "../src/history/types.js";
import { drill, failing } from "./helpers/drill.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("a healthy drill on the local backend", () => {
  it("passes the smoke profile with the CDC killed mid-stream, and says so in every file", async () => {
    const config = loadConfig({ profile: "smoke", overrides: { seed: 424242 } });
    const { report, dir, cleanup } = await drill(config);
    cleanups.push(cleanup);
    expect(report.error).toBeUndefined();
    expect(failing(report)).toEqual([]);
    expect(report.verdict).toBe("pass");
    // Every check really looked at something; only the role-change, seed and capacity ones have
    // nothing to judge in a replication drill.
    expect(report.checks.filter((c) => c.verdict === "skipped").map((c) => c.name)).toEqual([
      "rpo",
      "rto",
      "promotion",
      "failover-prefix",
      "reverse-parity",
      "seed-alignment",
      "capacity",
    ]);
    expect((report.metrics.faults ?? []).length).toBe(1);
    expect(report.metrics.recoveries?.[0]?.recoveryMs).not.toBeNull();
    expect(report.metrics.rowsCompared).toBeGreaterThan(config.workload.initialRows);
    for (const f of [
      "history.jsonl",
      "final-state.json",
      "report.json",
      "junit.xml",
      "summary.md",
      "lag.svg",
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const history = (await readFile(join(dir, "history.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as HistoryEvent);
    expect(history[0]?.type).toBe("header");
    const kinds = new Set(
      history.flatMap((e) => (e.type === "invoke" && e.value.f === "write" ? [e.value.kind] : [])),
    );
    expect([...kinds].sort()).toEqual(["delete", "insert", "upsert"]);
    expect(
      history.some(
        (e) => e.type === "invoke" && e.value.f === "ddl" && e.value.action === "create-partition",
      ),
    ).toBe(true);
    expect(history.filter((e) => e.type === "fault" && e.phase === "end").length).toBe(1);
  });
});
