import { describe, expect, it } from "vitest";
import { lagChart, renderMermaidLagChart } from "../src/report/chart.js";
import { figureRows } from "../src/report/figures.js";
import type { DrillReport } from "../src/report/model.js";
import { renderSummary } from "../src/report/summary.js";
import { renderLagSvg } from "../src/report/svg.js";
import { baseReport, T0 } from "./report-helpers.js";

function withMetric(): DrillReport {
  const r = baseReport();
  return {
    ...r,
    metrics: {
      ...r.metrics,
      lagMetric: {
        samples: 40,
        failedScrapes: 3,
        p50: 100,
        p99: 900,
        max: 950,
        paired: 38,
        withinTolerance: 38,
        toleranceMs: 2_000,
        graceMs: 3_000,
        sloMs: 5_000,
        missedAlerts: 0,
        falsePages: 0,
        alertRule:
          "clamp_min(max by (channel_name)(milvus_wal_last_confirmed_time_tick) - min by (channel_name)(milvus_cdc_last_replicated_time_tick), 0) > 5 for 3s",
      },
      lagMetricSeries: Array.from({ length: 20 }, (_, i) => ({
        t: T0 + i * 500,
        lagMs: i === 10 ? 7_777 : 100,
      })),
    },
  };
}

describe("Milvus's lag metric in the report", () => {
  it("draws both series on the lag chart (Mermaid and SVG)", () => {
    const r = withMetric();
    const chart = lagChart(r);
    expect(chart?.metricLag).not.toBeNull();
    expect(Math.max(...(chart?.metricLag ?? []))).toBe(7_777);
    const mermaid = renderMermaidLagChart(r) ?? "";
    const lines = (m: string) => m.match(/^ {2}line \[/gm)?.length ?? 0;
    expect(lines(mermaid)).toBe(lines(renderMermaidLagChart(baseReport()) ?? "") + 1);
    expect(mermaid).toContain("7777");
    expect(renderLagSvg(r)).toContain('class="lag-metric"');
  });

  it("draws one line only without a metric", () => {
    const r = baseReport();
    expect(lagChart(r)?.metricLag ?? null).toBeNull();
    expect(renderLagSvg(r)).not.toContain('class="lag-metric"');
  });

  it("prints the figure and the alert rule checked", () => {
    const r = withMetric();
    expect(figureRows(r).find(([l]) => l === "Milvus lag metric p50/p99/max")?.[1]).toContain("38/38");
    expect(renderSummary(r)).toContain("> 5 for 3s`");
  });
});
