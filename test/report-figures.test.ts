/**
 * One number per fact: a run's figures (lag percentiles, recovery per kill, ops, collections and rows
 * compared) are computed once and every format — checks, metrics, CLI table, summary.md, junit.xml,
 * report.json and the Action's outputs — shows the same ones.
 */
import { describe, expect, it } from "vitest";
import { combineVerdicts, computeMetrics, runCheckers } from "../src/checkers/index.js";
import { renderCliTable } from "../src/report/cli-table.js";
import { actionOutputs, figureRows, figures } from "../src/report/figures.js";
import { type DrillReport, REPORT_SCHEMA_VERSION } from "../src/report/model.js";
import { renderAll } from "../src/report/write.js";
import { xmlAttr } from "../src/report/xml.js";
import { synthesize } from "./helpers/synthetic.js";

function reportOf(seed: number, kills: number): DrillReport {
  const run = synthesize({ seed, kills });
  const checks = runCheckers(run.history, run.final, { thresholds: run.thresholds });
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "milvus-cdc-drill", version: "0.0.0-test" },
    verdict: combineVerdicts(checks),
    startedAt: run.history[0]?.type === "header" ? run.history[0].startedAt : 0,
    finishedAt: 1_700_000_100_000,
    mode: "drill",
    seed,
    profile: "smoke",
    backend: { name: "local", details: {} },
    checks,
    metrics: computeMetrics(run.history, run.final, run.thresholds),
    files: [],
  };
}

describe("one number per fact", () => {
  for (const [seed, kills] of [
    [11, 2],
    [12, 0],
    [13, 3],
  ] as const) {
    it(`seed ${seed}, ${kills} kill(s): every format shows the same figures`, () => {
      const report = reportOf(seed, kills);
      const f = figures(report);
      const rows = figureRows(report);
      const files = renderAll(report);
      const cli = renderCliTable(report, { color: false, width: 400 });
      const md = files["summary.md"];
      const junit = files["junit.xml"];
      const json = JSON.parse(files["report.json"]) as DrillReport;

      expect(rows.map(([k]) => k)).toEqual(
        expect.arrayContaining([
          "lag p50/p95/p99/max",
          "ops ok / fail / info",
          "collections compared",
          "rows compared",
        ]),
      );
      for (const [label, text] of rows) {
        expect(cli, label).toContain(text);
        expect(md, label).toContain(text);
        expect(junit, label).toContain(`value="${xmlAttr(text)}"`);
      }
      expect(json.metrics).toEqual(report.metrics);

      // The checks' own numbers are the metrics' numbers.
      const by = (n: string) => report.checks.find((c) => c.name === n);
      expect(by("lag")?.stats?.samples).toBe(f.lag?.samples);
      expect(by("lag")?.stats?.p99).toBe(f.lag?.p99 ?? undefined);
      expect(by("lag")?.stats?.faultWindowSamples).toBe(f.lag?.faultWindowSamples);
      expect(by("checkpoint-recovery")?.stats?.kills ?? 0).toBe(f.recovery?.total);
      expect(by("checkpoint-recovery")?.stats?.recovered ?? 0).toBe(f.recovery?.recovered);
      if (f.recovery && f.recovery.total > 0 && f.recovery.worstMs !== null)
        expect(by("checkpoint-recovery")?.stats?.worstRecoveryMs).toBe(f.recovery.worstMs);
      expect(by("parity")?.stats?.collections).toBe(f.collectionsCompared);
      expect(by("parity")?.stats?.rowsCompared).toBe(f.rowsCompared);

      const out = actionOutputs(report, "/run");
      expect(out["lag-p99-ms"]).toBe(f.lag?.p99 === null || !f.lag ? "" : String(Math.round(f.lag.p99)));
      expect(out["recovery-seconds"]).toBe(
        f.recovery?.worstMs == null ? "" : String(f.recovery.worstMs / 1000),
      );
      expect(out["catch-up-seconds"]).toBe(f.catchUpMs == null ? "" : String(Math.round(f.catchUpMs) / 1000));
    });
  }

  it("a verify report carries no seed, lag, faults, recoveries or ops, and no format invents them", () => {
    const drill = reportOf(11, 1);
    const { seed: _seed, ...rest } = drill;
    const verify: DrillReport = {
      ...rest,
      mode: "verify",
      checks: drill.checks.filter((c) => ["parity", "duplicates", "search-parity"].includes(c.name)),
      replayCommand: "milvus-cdc-drill verify --source-uri http://a:19530 --target-uri http://b:19530",
      metrics: {
        rowsCompared: drill.metrics.rowsCompared,
        collectionsCompared: drill.metrics.collectionsCompared,
      },
    };
    const files = renderAll(verify);
    const json = JSON.parse(files["report.json"]) as Record<string, unknown>;
    expect(json).not.toHaveProperty("seed");
    expect(Object.keys(json.metrics as object).sort()).toEqual(["collectionsCompared", "rowsCompared"]);
    const cli = renderCliTable(verify, { color: false, width: 200 });
    for (const text of [cli, files["summary.md"], files["junit.xml"]]) {
      expect(text).not.toMatch(/lag p50|seed|ops ok|catch-up after|recovery after/i);
      expect(text).toContain(drill.metrics.rowsCompared.toLocaleString("en-US"));
    }
  });
});
