import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it, vi } from "vitest";
import type { CheckName, CheckResult } from "../src/checkers/types.js";
import { lagChart, MAX_CHART_POINTS, renderMermaidLagChart } from "../src/report/chart.js";
import { renderCliTable } from "../src/report/cli-table.js";
import type { DrillReport, FaultRecord } from "../src/report/model.js";
import { mdCell, renderSummary, SUMMARY_MAX_BYTES } from "../src/report/summary.js";
import { MAX_SVG_FAULTS, renderLagSvg } from "../src/report/svg.js";
import { baseReport, errorReport, failingReport, T0 } from "./report-helpers.js";

/** The numbers of one series line of the Mermaid chart (`bar [..]` or `line [..]`). */
function series(mermaid: string, kind: "bar" | "line"): number[] {
  const m = mermaid.match(new RegExp(`^\\s*${kind} \\[([^\\]]*)\\]`, "m"));
  expect(m, `${kind} series`).not.toBeNull();
  return (m?.[1] ?? "").split(",").map((s) => Number(s.trim()));
}

function mermaidBlock(md: string): string {
  const m = md.match(/```mermaid\n([\s\S]*?)```/);
  expect(m, "mermaid block").not.toBeNull();
  return m?.[1] ?? "";
}

function svgFaults(svg: string): Array<{ id: string; name: string; label: string }> {
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    isArray: (n) => n === "g",
  }).parse(svg);
  return (doc.svg.g as Array<Record<string, unknown>>)
    .filter((g) => g.class === "fault")
    .map((g) => ({
      id: String(g["data-fault-id"]),
      name: String(g["data-fault"]),
      label: String((g.text as { "#text": string })["#text"]),
    }));
}

describe("summary.md", () => {
  it("puts the verdict first, big and with an emoji", () => {
    const first = renderSummary(failingReport()).split("\n")[0];
    expect(first).toBe("# ❌ FAIL: the standby cannot be trusted");
    expect(renderSummary(baseReport()).split("\n")[0]).toMatch(/^# ✅ PASS/);
    expect(renderSummary(errorReport()).split("\n")[0]).toMatch(/^# 💥 ERROR/);
    expect(renderSummary(failingReport({ verdict: "unknown" })).split("\n")[0]).toMatch(/^# ❓ UNKNOWN/);
  });

  it("a failing run names the failing checks and shows their evidence in collapsed sections", () => {
    const md = renderSummary(failingReport());
    expect(md).toContain("2 of 6 checks failed: **parity**, **prefix**");
    expect(md).toMatch(/\| ❌ \| parity \| fail \| 3 keys lost on the standby/);
    const details = md.split("<details>").slice(1);
    expect(details).toHaveLength(2);
    expect(details[0]).toMatch(/^<summary>❌ <b>parity<\/b>: 3 keys lost/);
    expect(details[0]).toContain("| drill\\_a | 1017 | 311 |");
    expect(details[0]).toContain("lost: acknowledged upsert ver 3");
    expect(details[1]).toContain("<b>prefix</b>");
    expect(details[1]).toContain("visible while op 311");
    // Passing checks get no evidence section.
    expect(md).not.toMatch(/<b>duplicates<\/b>/);
  });

  it("lists failing checks before passing ones whatever the report order", () => {
    const md = renderSummary(failingReport());
    const rows = md.split("\n").filter((l) => /^\| (❌|✅|❓|⏭️) \|/.test(l));
    expect(rows.map((r) => r.split(" | ")[2])).toEqual([
      "fail",
      "fail",
      "unknown",
      "pass",
      "pass",
      "skipped",
    ]);
  });

  it("has the metrics: lag percentiles, catch-up, recovery per fault, ops, rows, seed and replay command", () => {
    const md = renderSummary(
      failingReport({ replayCommand: "milvus-cdc-drill run --config drill.yaml --seed 42" }),
    );
    expect(md).toContain(
      "| Lag p50/p95/p99/max | 130 ms / 180 ms / 300 ms / 4.0 s (60 samples, +4 in fault windows) |",
    );
    expect(md).toContain("| Catch-up after writes stopped | 2.3 s |");
    expect(md).toContain("| Throughput | 85.4 ops/s |");
    expect(md).toContain("| Ops ok / fail / info | 5,000 / 3 / 7 (5,010 ops) |");
    // One kill did not recover: no "worst" figure stands in for it.
    expect(md).toContain("| Recovery after faults (worst) | n/a (1/2 recovered) |");
    expect(md).toContain("| Rows compared | 1,000 |");
    expect(md).toContain("| kill-cdc #1 | 15.0 s | 4.0 s |");
    expect(md).toContain("| pause-cdc #2 | 40.0 s | **late** (never seen) |");
    expect(md).toContain("```sh\nmilvus-cdc-drill run --config drill.yaml --seed 42\n```");
    expect(md).toContain("| milvus | milvus-lite 3.0.1 |");
  });

  it("shows the harness error and the phase it happened in", () => {
    const md = renderSummary(errorReport());
    expect(md).toContain(
      "**Harness error in phase `provision`:** milvus-lite did not listen on 127.0.0.1:19531 within 60 s",
    );
    expect(md).toContain("No lag samples or faults were recorded.");
  });

  it("links the artifact only when given one", () => {
    expect(renderSummary(failingReport())).not.toContain("Run artifact");
    expect(renderSummary(failingReport(), { artifactUrl: "https://example.test/a/1" })).toContain(
      "[Run artifact (history, report, diagnostics)](https://example.test/a/1)",
    );
    expect(renderSummary(failingReport(), { artifactUrl: "https://example.test/a (1)" })).toContain(
      "(https://example.test/a%20%281%29)",
    );
  });

  it("table cells cannot break the table or inject HTML", () => {
    expect(mdCell("a|b\nc <script>*x*</script>")).toBe("a\\|b c &lt;script&gt;\\*x\\*&lt;/script&gt;");
    const md = renderSummary(
      failingReport({
        checks: [
          {
            name: "parity",
            verdict: "fail",
            summary: "x | y\n<img src=x>",
            evidence: [{ message: "m|n\r\no" }],
            evidenceTotal: 1,
            observed: 1,
          },
        ],
      }),
    );
    expect(md).not.toContain("<img");
    const row = md.split("\n").find((l) => l.startsWith("| ❌ | parity"));
    expect(row?.split(/(?<!\\)\|/)).toHaveLength(7);
  });
});

describe("lag chart", () => {
  it("Mermaid: one bar per fault, at the fault's time, and at most 100 points", () => {
    const report = failingReport();
    const mermaid = mermaidBlock(renderSummary(report));
    expect(mermaid).toMatch(/^xychart-beta$/m);
    const bars = series(mermaid, "bar");
    const line = series(mermaid, "line");
    expect(bars.length).toBe(line.length);
    expect(line.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    const marked = bars.flatMap((v, i) => (v > 0 ? [i] : []));
    expect(marked).toHaveLength(report.metrics.faults?.length ?? 0);
    // 60 one-second buckets starting at the first sample (T0 + 5 s): faults at +20 s and +45 s.
    expect(marked).toEqual([15, 40]);
    expect(Math.max(...line)).toBe(4000);
    expect(renderSummary(report)).toContain("**Faults:** kill-cdc at 15.0 s · pause-cdc at 40.0 s");
  });

  it("Mermaid: no faults, no bars; never more than 100 points for a long series", () => {
    const lagSeries = Array.from({ length: 5000 }, (_, i) => ({
      t: T0 + i * 100,
      lagMs: i === 2500 ? 9000 : 50,
    }));
    const report = baseReport({
      metrics: { ...baseReport().metrics, lagSeries, faults: [], recoveries: [] },
    });
    const mermaid = renderMermaidLagChart(report) ?? "";
    expect(series(mermaid, "bar").every((v) => v === 0)).toBe(true);
    const line = series(mermaid, "line");
    expect(line).toHaveLength(MAX_CHART_POINTS);
    // Downsampling keeps the spike.
    expect(Math.max(...line)).toBe(9000);
  });

  it("bucketing keeps every fault distinct when faults are spread out", () => {
    const faults: FaultRecord[] = Array.from({ length: 12 }, (_, i) => ({
      id: i + 1,
      name: i % 2 ? "kill-cdc" : "kill-standby",
      startedAt: T0 + 10_000 + i * 4000,
      endedAt: T0 + 11_000 + i * 4000,
    }));
    const chart = lagChart(baseReport({ metrics: { ...baseReport().metrics, faults } }));
    expect(chart?.faultBars.filter((v) => v > 0)).toHaveLength(12);
  });

  it("SVG: one named vertical marker per fault, a lag line, and well-formed XML", () => {
    const report = failingReport();
    const svg = renderLagSvg(report);
    expect(XMLValidator.validate(svg)).toBe(true);
    const marks = svgFaults(svg);
    expect(marks).toEqual([
      { id: "1", name: "kill-cdc", label: "kill-cdc #1" },
      { id: "2", name: "pause-cdc", label: "pause-cdc #2" },
    ]);
    const points = svg.match(/<polyline class="lag"[^>]* points="([^"]+)"/)?.[1]?.split(" ") ?? [];
    expect(points).toHaveLength(report.metrics.lagSeries?.length ?? 0);
    // Each marker is a vertical line (x1 == x2) inside the plot.
    const lines = [
      ...svg.matchAll(
        /<g class="fault"[^>]*>(?:<rect[^>]*\/>)?<line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"/g,
      ),
    ];
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l[1]).toBe(l[2]);
  });

  it("SVG: fault names are escaped; no samples says so instead of drawing nothing", () => {
    const report = errorReport({
      metrics: {
        ...errorReport().metrics,
        faults: [{ id: 7, name: `kill<"&>`, startedAt: T0 + 1000, endedAt: null }],
      },
    });
    const svg = renderLagSvg(report);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svgFaults(svg)).toEqual([{ id: "7", name: `kill<"&>`, label: `kill<"&> #7` }]);
    expect(svg).toContain("no heartbeat lag samples were recorded");
  });

  it("SVG: caps the markers drawn and counts the rest", () => {
    const faults: FaultRecord[] = Array.from({ length: MAX_SVG_FAULTS + 25 }, (_, i) => ({
      id: i,
      name: "kill-cdc",
      startedAt: T0 + i * 100,
      endedAt: null,
    }));
    const svg = renderLagSvg(baseReport({ metrics: { ...baseReport().metrics, faults } }));
    expect(svgFaults(svg)).toHaveLength(MAX_SVG_FAULTS);
    expect(svg).toContain("25 more faults not drawn");
  });
});

describe("summary size", () => {
  it("a run with 1M evidence items, thousands of checks and faults stays under 1 MiB and says what was left out", () => {
    const names: CheckName[] = ["parity", "duplicates", "prefix", "lag", "monotonic-reads"];
    const bigMessage = "x".repeat(2000);
    const evidence = Array.from({ length: 50_000 }, (_, i) => ({
      collection: "drill_a",
      pk: String(i),
      opId: i,
      time: T0 + i,
      message: `lost ${i} ${bigMessage}`,
      fields: ["ver", "vec"],
    }));
    const checks: CheckResult[] = Array.from({ length: 3000 }, (_, i) => ({
      name: names[i % names.length] as CheckName,
      verdict: i % 3 === 0 ? "fail" : "pass",
      summary: `check ${i}: ${"s".repeat(1000)}`,
      evidence: i % 3 === 0 ? evidence : [],
      evidenceTotal: i % 3 === 0 ? 1_000_000 : 0,
      observed: 1,
      stats: { lost: 1_000_000 },
    }));
    const faults: FaultRecord[] = Array.from({ length: 20_000 }, (_, i) => ({
      id: i,
      name: `kill-cdc-${"n".repeat(100)}`,
      startedAt: T0 + i * 50,
      endedAt: T0 + i * 50 + 20,
    }));
    const base = baseReport();
    const report: DrillReport = failingReport({
      checks,
      backend: {
        name: "kind",
        details: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`detail${i}`, "v".repeat(500)])),
      },
      metrics: {
        ...base.metrics,
        faults,
        recoveries: faults.map((f) => ({
          faultId: f.id,
          fault: f.name,
          startedAt: f.startedAt,
          status: "unknown" as const,
          recoveredAt: null,
          recoveryMs: null,
        })),
        lagSeries: Array.from({ length: 200_000 }, (_, i) => ({ t: T0 + i * 5, lagMs: i % 1000 })),
      },
    });
    const md = renderSummary(report);
    expect(Buffer.byteLength(md, "utf8")).toBeLessThan(SUMMARY_MAX_BYTES);
    expect(md.split("\n")[0]).toMatch(/^# ❌ FAIL/);
    expect(md).toContain("999,980 more evidence items not shown (1,000,000 in total)");
    expect(md).toContain("2,900 more checks not shown");
    expect(md).toContain("more faults not listed");
    expect(md).toContain("19,950 more recoveries not shown");
    expect(md).toContain("4,950 more details in report.json");
    expect(md).toMatch(/Evidence of [\d,]+ more checks not shown/);
  });

  it("when even the capped sections do not fit, the summary is cut at a section and says so", () => {
    const md = renderSummary(failingReport(), { maxBytes: 2500 });
    expect(Buffer.byteLength(md, "utf8")).toBeLessThanOrEqual(2500);
    expect(md.split("\n")[0]).toMatch(/^# ❌ FAIL/);
    expect(md).toMatch(/Summary cut to stay under 2,500 bytes: \d+ sections left out \(.*evidence of parity/);
  });
});

describe("CLI table", () => {
  it("is plain text without colour codes when colour is off, with the checks and metrics", () => {
    const text = renderCliTable(failingReport(), { color: false, width: 100 });
    expect(text).not.toContain("\u001b[");
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^verdict: FAIL {2}\(backend local, seed 42/);
    expect(lines.find((l) => l.startsWith("parity "))).toMatch(/^parity\s+FAIL\s+3 keys lost/);
    expect(lines.find((l) => l.startsWith("checkpoint-recovery"))).toMatch(/UNKNOWN/);
    // The label column is as wide as the longest label of the run, so only "two spaces or more" is fixed.
    expect(text).toMatch(
      /^lag p50\/p95\/p99\/max {2,}130 ms \/ 180 ms \/ 300 ms \/ 4\.0 s \(60 samples, \+4 in fault windows\)$/m,
    );
    expect(text).toContain("replay: milvus-cdc-drill run --seed 42 --profile smoke --backend local");
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
  });

  it("by default colours only a terminal, and never with NO_COLOR", () => {
    const desc = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
    try {
      vi.stubEnv("NO_COLOR", "");
      Object.defineProperty(process.stdout, "isTTY", { value: false, configurable: true });
      expect(renderCliTable(failingReport())).not.toContain("\u001b[");
      Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
      expect(renderCliTable(failingReport())).toContain("\u001b[31mFAIL");
      vi.stubEnv("NO_COLOR", "1");
      expect(renderCliTable(failingReport())).not.toContain("\u001b[");
    } finally {
      vi.unstubAllEnvs();
      if (desc) Object.defineProperty(process.stdout, "isTTY", desc);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
  });

  it("colours verdicts when asked (a TTY)", () => {
    const text = renderCliTable(failingReport(), { color: true, width: 100 });
    expect(text).toContain("\u001b[31mFAIL");
  });

  it("shows a harness error", () => {
    expect(renderCliTable(errorReport(), { color: false })).toContain(
      "harness error in provision: milvus-lite did not listen",
    );
  });
});

describe("role change in the report", () => {
  const steps = [
    { name: "stop-writes", startedAt: T0 + 30_000, durationMs: 120, ok: true },
    { name: "caught-up", startedAt: T0 + 30_120, durationMs: 900, ok: true },
    { name: "role-change", startedAt: T0 + 31_020, durationMs: 400, ok: true, primary: "drill-standby" },
    { name: "first-write", startedAt: T0 + 31_420, durationMs: 35, ok: true, primary: "drill-standby" },
    { name: "switch-back", startedAt: T0 + 50_000, durationMs: 2_000, ok: false, error: "refused" },
  ];
  const report = baseReport({
    scenario: "switchover",
    steps,
    metrics: { ...baseReport().metrics, rpo: { lostWrites: 0, windowMs: 140 }, rtoMs: 1_455 },
  });

  it("summary.md: RPO and RTO rows, and the step timeline with durations and the failed step", () => {
    const md = renderSummary(report);
    expect(md).toContain("| RPO (lost acknowledged writes / window) | 0 / 140 ms |");
    expect(md).toMatch(/\| RTO \(to the first write on the new primary\) \| 1\.5 s \|/);
    expect(md).toContain("### Role change (switchover): step timeline");
    expect(md).toMatch(/\| role-change \| 26\.0 s \| 400 ms \| drill-standby \| ok \|/);
    expect(md).toMatch(/\| switch-back \| .* \| \*\*failed\*\*: refused \|/);
    expect(md).toContain("**Steps:** stop-writes at");
  });

  it("both lag charts mark every step", () => {
    const mermaid = renderMermaidLagChart(report) ?? "";
    const bars = mermaid.split("\n").filter((l) => l.trim().startsWith("bar ["));
    expect(bars).toHaveLength(2);
    expect((bars[1]?.match(/[1-9]\d*/g) ?? []).length).toBeGreaterThanOrEqual(3);
    const svg = renderLagSvg(report);
    expect(svg.match(/<g class="step"/g)).toHaveLength(steps.length);
    expect(svg).toContain('data-step="role-change"');
  });

  it("the CLI prints RPO, RTO and the steps; a plain run prints none of it", () => {
    const out = renderCliTable(report, { color: false, width: 120 });
    expect(out).toMatch(/RPO \(lost acknowledged writes \/ window\)\s+0 \/ 140 ms/);
    expect(out).toMatch(/RTO \(to the first write on the new primary\)\s+1\.5 s/);
    expect(out).toMatch(/role-change\s+31(\.0)? s\s+400 ms\s+ok, primary drill-standby/);
    expect(out).toMatch(/switch-back .* FAILED: refused/);
    const plain = renderCliTable(baseReport(), { color: false, width: 120 });
    expect(plain).not.toMatch(/RPO|STEP/);
    expect(renderSummary(baseReport())).not.toContain("step timeline");
  });
});
