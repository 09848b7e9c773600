import { describe, expect, it } from "vitest";
import type { CheckResult } from "../src/checkers/types.js";
import { lagChart, renderMermaidLagChart } from "../src/report/chart.js";
import { actionOutputs, figureRows } from "../src/report/figures.js";
import { renderSummary } from "../src/report/summary.js";
import { renderLagSvg } from "../src/report/svg.js";
import { baseReport, check } from "./report-helpers.js";

const part = (verdict: CheckResult["verdict"]) => ({
  verdict,
  summary: verdict,
  evidence: [],
  evidenceTotal: 0,
  observed: 1,
});

describe("summary.md in a star", () => {
  it("names each standby's verdict per check, and — where a check did not watch that standby", () => {
    const parity = {
      ...check("parity", "fail"),
      standbys: { "standby-a": part("pass"), "standby2-a": part("fail") },
    };
    const lag = { ...check("lag", "pass"), standbys: { "standby-a": part("pass") } };
    const md = renderSummary(baseReport({ verdict: "fail", checks: [parity, lag] }));
    expect(md).toContain("## Standbys");
    expect(md).toContain("| Check | standby-a | standby2-a |");
    expect(md).toContain("| parity | ✅ pass | ❌ fail |");
    expect(md).toContain("| lag | ✅ pass | — |");
  });

  it("a pair's summary has no standbys section", () => {
    expect(renderSummary(baseReport())).not.toContain("## Standbys");
  });
});

/** A star's report: standby 2 lags more, caught up later and recovered from the kill later. */
function starReport() {
  const base = baseReport();
  const m = base.metrics;
  const lag = m.lag as NonNullable<typeof m.lag>;
  const first = {
    lag,
    lagSeries: m.lagSeries ?? [],
    recoveries: m.recoveries ?? [],
    catchUpMs: m.catchUpMs ?? null,
  };
  const second = {
    lag: { ...lag, p50: 900, p95: 1500, p99: 2500, max: 6000 },
    lagSeries: (m.lagSeries ?? []).map((p) => ({ t: p.t, lagMs: p.lagMs + 1500 })),
    recoveries: (m.recoveries ?? []).map((r) =>
      r.faultId === 1 ? { ...r, recoveryMs: 7000, recoveredAt: r.startedAt + 7000 } : r,
    ),
    catchUpMs: 5100,
  };
  return baseReport({
    metrics: { ...m, standbys: { "standby-a": first, "standby2-a": second } },
  });
}

describe("figures in a star", () => {
  it("every format prints lag, catch-up and recovery once per standby, each row naming it", () => {
    const rows = new Map(figureRows(starReport()));
    expect(rows.get("lag p50/p95/p99/max (standby-a)")).toMatch(/^130 ms \/ 180 ms \/ 300 ms \/ 4.0 s/);
    expect(rows.get("lag p50/p95/p99/max (standby2-a)")).toMatch(/^900 ms \/ 1.5 s \/ 2.5 s \/ 6.0 s/);
    expect(rows.get("catch-up after writes stopped (standby-a)")).toBe("2.3 s");
    expect(rows.get("catch-up after writes stopped (standby2-a)")).toBe("5.1 s");
    expect(rows.has("lag p50/p95/p99/max")).toBe(false);
    expect(rows.has("catch-up after writes stopped")).toBe(false);
    // summary.md and junit.xml print the same rows.
    const md = renderSummary(starReport());
    expect(md).toContain("| Catch-up after writes stopped (standby2-a) | 5.1 s |");
  });

  it("Milvus's lag metric once per standby, from its own edge's series, and the alert counts per standby", () => {
    const stats = (p99: number, missedAlerts: number) => ({
      samples: 40,
      failedScrapes: 0,
      p50: 200,
      p99,
      max: p99,
      paired: 40,
      withinTolerance: 40 - missedAlerts,
      toleranceMs: 2_000,
      graceMs: 3_000,
      sloMs: 5_000,
      missedAlerts,
      falsePages: 0,
      alertRule: "rule > 5 for 3s",
    });
    const r = starReport();
    const s = r.metrics.standbys as NonNullable<typeof r.metrics.standbys>;
    (s["standby-a"] as NonNullable<(typeof s)[string]>).lagMetric = stats(400, 0);
    (s["standby2-a"] as NonNullable<(typeof s)[string]>).lagMetric = stats(9_000, 1);
    r.metrics.lagMetric = stats(400, 0);
    const rows = new Map(figureRows(r));
    expect(rows.get("Milvus lag metric p50/p99/max (standby-a)")).toMatch(
      /^200 ms \/ 400 ms \/ 400 ms .*missed alerts 0/,
    );
    expect(rows.get("Milvus lag metric p50/p99/max (standby2-a)")).toMatch(
      /^200 ms \/ 9.0 s \/ 9.0 s .*missed alerts 1/,
    );
    expect(rows.has("Milvus lag metric p50/p99/max")).toBe(false);
    expect(renderSummary(r)).toMatch(
      /standby-a: missed alerts 0, false pages 0; standby2-a: missed alerts 1, false pages 0/,
    );
  });

  it("the Action's outputs give the worst standby's, and nothing when one standby's is unknown", () => {
    const out = actionOutputs(starReport(), "/tmp/out");
    expect(out["lag-p99-ms"]).toBe("2500");
    expect(out["catch-up-seconds"]).toBe("5.1");
    // The pause (fault 2) was late on both standbys: the worst recovery is unknown.
    expect(out["recovery-seconds"]).toBe("");
    const r = starReport();
    for (const s of Object.values(r.metrics.standbys ?? {}))
      s.recoveries = s.recoveries.filter((x) => x.faultId === 1);
    expect(actionOutputs(r, "/tmp/out")["recovery-seconds"]).toBe("7");
    const never = starReport();
    const s2 = never.metrics.standbys?.["standby2-a"];
    if (s2) s2.catchUpMs = null;
    expect(actionOutputs(never, "/tmp/out")["catch-up-seconds"]).toBe("");
  });

  it("the recovery table has a column per standby; a fault aimed elsewhere was not injected there", () => {
    const r = starReport();
    const first = r.metrics.standbys?.["standby-a"];
    if (first) first.recoveries = first.recoveries.map((x) => (x.faultId === 2 ? { ...x, aimedAt: 2 } : x));
    const md = renderSummary(r);
    expect(md).toContain("| Fault | Started (s since start) | standby-a | standby2-a |");
    expect(md).toContain("| kill-cdc #1 | 15.0 s | 4.0 s | 7.0 s |");
    expect(md).toMatch(
      /\| pause-cdc #2 \| 40\.0 s \| — \(not injected here\) \| \*\*late\*\* \(never seen\) \|/,
    );
  });

  it("the charts draw one lag line per standby, named", () => {
    const r = starReport();
    const chart = lagChart(r);
    expect(chart?.standbyLags?.map((s) => s.clusterId)).toEqual(["standby-a", "standby2-a"]);
    const mermaid = renderMermaidLagChart(r) ?? "";
    expect(mermaid).toContain('title "Standby lag (ms): lines standby-a, standby2-a;');
    // Two lag lines (the report has no SLO line).
    expect(mermaid.match(/^ {2}line \[/gm)).toHaveLength(2);
    const svg = renderLagSvg(r);
    expect(svg.match(/<polyline class="lag" data-standby="[^"]+"/g)).toEqual([
      '<polyline class="lag" data-standby="standby-a"',
      '<polyline class="lag" data-standby="standby2-a"',
    ]);
    expect(svg).toContain(">standby2-a</text>");
    // A pair: one unnamed line, as before.
    expect(renderLagSvg(baseReport()).match(/<polyline class="lag"/g)).toHaveLength(1);
    expect(lagChart(baseReport())?.standbyLags).toBeNull();
  });
});
