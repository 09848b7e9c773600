/**
 * One number per fact: every format (CLI table, summary.md, junit.xml, the Action's outputs) reads
 * the run's headline figures from here, computed once from report.metrics, and prints them with the
 * same text. A figure that does not apply (a `verify` has no lag, kills or ops) is absent, not zero.
 */
import { join } from "node:path";
import { fmtInt, fmtMs } from "./format.js";
import type { CapacityStats, DrillReport, LagMetricStats, LagStats } from "./model.js";

export interface Figures {
  lag: (Omit<LagStats, "sloMs"> & { sloMs: number | null }) | null;
  /** Per CDC kill as checkpoint-recovery judged it; worstMs only when every kill recovered. */
  recovery: { total: number; recovered: number; worstMs: number | null } | null;
  catchUpMs: number | null | undefined;
  opsPerSec: number | null | undefined;
  ops: { ok: number; fail: number; info: number; total: number } | null;
  faults: number | null;
  rowsCompared: number;
  collectionsCompared: number;
  /** Role changes only (absent in a replication drill). */
  rpo: { lostWrites: number; windowMs: number | null } | null;
  rtoMs: number | null | undefined;
  /** When the backend offered a metrics endpoint: Milvus's lag metric against the heartbeat. */
  lagMetric: LagMetricStats | null;
  /** Scenario capacity only. */
  capacity: CapacityStats | null;
}

export function figures(report: DrillReport): Figures {
  const m = report.metrics;
  // A star: a fault aimed at another standby than the first was not injected there: no recovery to count.
  const rs = m.recoveries?.filter((r) => r.aimedAt === undefined);
  const recovered = rs?.filter((r) => r.status === "recovered") ?? [];
  return {
    lag: m.lag ? { ...m.lag, sloMs: m.lag.sloMs ?? null } : null,
    recovery: rs
      ? {
          total: rs.length,
          recovered: recovered.length,
          // A kill that did not recover makes "the worst recovery" unknown: no smaller number stands in.
          worstMs:
            rs.length > 0 && recovered.length === rs.length
              ? Math.max(...recovered.map((r) => r.recoveryMs ?? 0))
              : null,
        }
      : null,
    catchUpMs: m.catchUpMs,
    opsPerSec: m.opsPerSec,
    ops: m.ops ? { ...m.ops, total: m.ops.ok + m.ops.fail + m.ops.info } : null,
    faults: m.faults ? m.faults.length : null,
    rowsCompared: m.rowsCompared,
    collectionsCompared: m.collectionsCompared,
    rpo: m.rpo ?? null,
    rtoMs: m.rtoMs,
    lagMetric: m.lagMetric ?? null,
    capacity: m.capacity ?? null,
  };
}

/** The figures as every format prints them, in display order, labelled; figures that do not apply are left out. */
export function figureRows(report: DrillReport): Array<[label: string, text: string]> {
  const f = figures(report);
  const rows: Array<[string, string]> = [];
  if (f.lag) {
    const l = f.lag;
    rows.push([
      "lag p50/p95/p99/max",
      `${fmtMs(l.p50)} / ${fmtMs(l.p95)} / ${fmtMs(l.p99)} / ${fmtMs(l.max)} (${fmtInt(l.samples)} samples${l.faultWindowSamples ? `, +${fmtInt(l.faultWindowSamples)} in fault windows` : ""}${l.sloMs !== null ? `; SLO ${fmtMs(l.sloMs)}` : ""})`,
    ]);
  }
  if (f.lagMetric) {
    const l = f.lagMetric;
    rows.push([
      "Milvus lag metric p50/p99/max",
      `${fmtMs(l.p50)} / ${fmtMs(l.p99)} / ${fmtMs(l.max)} (${fmtInt(l.samples)} scrapes${l.failedScrapes ? `, ${fmtInt(l.failedScrapes)} failed` : ""}; within ${fmtMs(l.toleranceMs)} of the heartbeat on ${fmtInt(l.withinTolerance)}/${fmtInt(l.paired)}; missed alerts ${fmtInt(l.missedAlerts)}, false pages ${fmtInt(l.falsePages)})`,
    ]);
  }
  if (f.catchUpMs !== undefined) rows.push(["catch-up after writes stopped", fmtMs(f.catchUpMs)]);
  if (f.recovery) {
    const r = f.recovery;
    rows.push([
      "recovery after faults (worst)",
      r.total === 0
        ? "n/a (no fault)"
        : `${fmtMs(r.worstMs)} (${fmtInt(r.recovered)}/${fmtInt(r.total)} recovered)`,
    ]);
  }
  if (f.opsPerSec !== undefined)
    rows.push(["throughput", f.opsPerSec === null ? "n/a" : `${f.opsPerSec.toFixed(1)} ops/s`]);
  if (f.ops)
    rows.push([
      "ops ok / fail / info",
      `${fmtInt(f.ops.ok)} / ${fmtInt(f.ops.fail)} / ${fmtInt(f.ops.info)} (${fmtInt(f.ops.total)} ops)`,
    ]);
  rows.push(["collections compared", fmtInt(f.collectionsCompared)]);
  rows.push(["rows compared", fmtInt(f.rowsCompared)]);
  if (f.rpo)
    rows.push([
      "RPO (lost acknowledged writes / window)",
      `${fmtInt(f.rpo.lostWrites)} / ${fmtMs(f.rpo.windowMs)}`,
    ]);
  if (f.rtoMs !== undefined) rows.push(["RTO (to the first write on the new primary)", fmtMs(f.rtoMs)]);
  if (f.capacity) {
    const c = f.capacity;
    const ramp = c.steps.filter((s) => s.mode === "ramp");
    rows.push([
      "sustainable write rate (capacity)",
      `${c.sustainableRowsPerS === null ? "none (the lag grew from the first step)" : `${fmtInt(Math.round(c.sustainableRowsPerS))} rows/s`} (${fmtInt(ramp.length)} steps, stopped by ${c.stoppedBy})`,
    ]);
    const o = c.primaryLatencyOverhead;
    rows.push([
      "primary write latency, CDC running vs paused",
      o
        ? `p50 ${fmtMs(o.runningP50Ms)} vs ${fmtMs(o.pausedP50Ms)}, p99 ${fmtMs(o.runningP99Ms)} vs ${fmtMs(o.pausedP99Ms)} at ${o.targetOpsPerS} ops/s (overhead p50 ${fmtMs(o.p50Ms)}, p99 ${fmtMs(o.p99Ms)})`
        : "n/a (the backend cannot pause CDC)",
    ]);
  }
  if (f.faults !== null) rows.push(["faults injected", fmtInt(f.faults)]);
  return rows;
}

/**
 * The workload triggers (issue 23) as every format prints them: trigger, collection, what ran (with
 * its failed or unknown ops counted) and what it produced.
 */
export function triggerRows(
  report: DrillReport,
): Array<[trigger: string, collection: string, ran: string, produced: string]> {
  return (report.metrics.triggers ?? []).map((t) => {
    const bad = [t.fail ? `${fmtInt(t.fail)} failed` : "", t.info ? `${fmtInt(t.info)} unknown` : ""]
      .filter(Boolean)
      .join(", ");
    return [t.trigger, t.collection, `${t.ran}${bad ? ` [${bad}]` : ""}`, t.produced];
  });
}

const num = (v: number | null | undefined): string =>
  typeof v === "number" && Number.isFinite(v) ? String(Math.round(v)) : "";

const seconds = (ms: number | null | undefined): string =>
  typeof ms === "number" && Number.isFinite(ms) ? String(Math.round(ms) / 1000) : "";

/** The Action's outputs: the same figures, as machine values. */
export function actionOutputs(report: DrillReport, outDir: string): Record<string, string> {
  // The same figures every other format prints (one number per fact).
  const f = figures(report);
  const p99 = f.lag?.p99;
  return {
    verdict: report.verdict,
    "lag-p99-ms": typeof p99 === "number" ? String(Math.round(p99)) : "",
    // One kill that never recovered makes the worst case unknown: say nothing rather than a low number.
    "recovery-seconds": seconds(f.recovery?.worstMs),
    "catch-up-seconds": seconds(f.catchUpMs),
    "report-path": join(outDir, "report.json"),
    "failed-checks": report.checks
      .filter((c) => c.verdict === "fail")
      .map((c) => c.name)
      .join(","),
    "rpo-ms": num(f.rpo?.windowMs),
    "rto-ms": num(f.rtoMs),
    "lost-writes": num(f.rpo?.lostWrites),
  };
}
