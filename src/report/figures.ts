/**
 * One number per fact: every format (CLI table, summary.md, junit.xml, the Action's outputs) reads
 * the run's headline figures from here, computed once from report.metrics, and prints them with the
 * same text. A figure that does not apply (a `verify` has no lag, kills or ops) is absent, not zero.
 */
import { join } from "node:path";
import { fmtInt, fmtMs } from "./format.js";
import type { CapacityStats, DrillReport, LagMetricStats, LagStats, Recovery } from "./model.js";

type LagFigure = Omit<LagStats, "sloMs"> & { sloMs: number | null };
/** Per fault as checkpoint-recovery judged it; worstMs only when every fault recovered. */
type RecoveryFigure = { total: number; recovered: number; worstMs: number | null };

/** A star: one standby's figures, by cluster id (the first standby first). */
export interface StandbyFigures {
  clusterId: string;
  lag: LagFigure;
  recovery: RecoveryFigure;
  catchUpMs: number | null;
  /** Milvus's lag metric from this standby's edge's series; absent: never scraped. */
  lagMetric?: LagMetricStats;
}

export interface Figures {
  /** The first standby's in a star (each standby's in `standbys`). */
  lag: LagFigure | null;
  recovery: RecoveryFigure | null;
  catchUpMs: number | null | undefined;
  /** A star (topology.standbys > 1): every standby's lag, recovery and catch-up; null for a pair. */
  standbys: StandbyFigures[] | null;
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

/** A star: a fault aimed at another standby was not injected on this one: no recovery to count. */
function recoveryFigure(recoveries: readonly Recovery[]): RecoveryFigure {
  const rs = recoveries.filter((r) => r.aimedAt === undefined);
  const recovered = rs.filter((r) => r.status === "recovered");
  return {
    total: rs.length,
    recovered: recovered.length,
    // A fault that did not recover makes "the worst recovery" unknown: no smaller number stands in.
    worstMs:
      rs.length > 0 && recovered.length === rs.length
        ? Math.max(...recovered.map((r) => r.recoveryMs ?? 0))
        : null,
  };
}

export function figures(report: DrillReport): Figures {
  const m = report.metrics;
  return {
    lag: m.lag ? { ...m.lag, sloMs: m.lag.sloMs ?? null } : null,
    recovery: m.recoveries ? recoveryFigure(m.recoveries) : null,
    catchUpMs: m.catchUpMs,
    standbys: m.standbys
      ? Object.entries(m.standbys).map(([clusterId, s]) => ({
          clusterId,
          lag: { ...s.lag, sloMs: s.lag.sloMs ?? null },
          recovery: recoveryFigure(s.recoveries),
          catchUpMs: s.catchUpMs,
          ...(s.lagMetric ? { lagMetric: s.lagMetric } : {}),
        }))
      : null,
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

const lagText = (l: LagFigure) =>
  `${fmtMs(l.p50)} / ${fmtMs(l.p95)} / ${fmtMs(l.p99)} / ${fmtMs(l.max)} (${fmtInt(l.samples)} samples${l.faultWindowSamples ? `, +${fmtInt(l.faultWindowSamples)} in fault windows` : ""}${l.sloMs !== null ? `; SLO ${fmtMs(l.sloMs)}` : ""})`;

const recoveryText = (r: RecoveryFigure) =>
  r.total === 0
    ? "n/a (no fault)"
    : `${fmtMs(r.worstMs)} (${fmtInt(r.recovered)}/${fmtInt(r.total)} recovered)`;

/** The figures as every format prints them, in display order, labelled; figures that do not apply are left out. */
export function figureRows(report: DrillReport): Array<[label: string, text: string]> {
  const f = figures(report);
  const rows: Array<[string, string]> = [];
  // A star: lag, catch-up and recovery once per standby, each row naming its standby.
  const each = f.standbys ?? [];
  if (each.length > 0)
    for (const s of each) rows.push([`lag p50/p95/p99/max (${s.clusterId})`, lagText(s.lag)]);
  else if (f.lag) rows.push(["lag p50/p95/p99/max", lagText(f.lag)]);
  // A star: the lag metric once per standby, from its own edge's series.
  const lagMetricText = (l: LagMetricStats) =>
    `${fmtMs(l.p50)} / ${fmtMs(l.p99)} / ${fmtMs(l.max)} (${fmtInt(l.samples)} scrapes${l.failedScrapes ? `, ${fmtInt(l.failedScrapes)} failed` : ""}; within ${fmtMs(l.toleranceMs)} of the heartbeat on ${fmtInt(l.withinTolerance)}/${fmtInt(l.paired)}; missed alerts ${fmtInt(l.missedAlerts)}, false pages ${fmtInt(l.falsePages)})`;
  if (each.length > 0) {
    for (const s of each)
      if (s.lagMetric)
        rows.push([`Milvus lag metric p50/p99/max (${s.clusterId})`, lagMetricText(s.lagMetric)]);
  } else if (f.lagMetric) rows.push(["Milvus lag metric p50/p99/max", lagMetricText(f.lagMetric)]);
  if (each.length > 0) {
    for (const s of each) rows.push([`catch-up after writes stopped (${s.clusterId})`, fmtMs(s.catchUpMs)]);
    for (const s of each)
      rows.push([`recovery after faults (worst) (${s.clusterId})`, recoveryText(s.recovery)]);
  } else {
    if (f.catchUpMs !== undefined) rows.push(["catch-up after writes stopped", fmtMs(f.catchUpMs)]);
    if (f.recovery) rows.push(["recovery after faults (worst)", recoveryText(f.recovery)]);
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
  // The same figures every other format prints (one number per fact). A star: the worst standby's,
  // as the verdict is the worst of theirs; one standby's unknown makes the worst unknown.
  const f = figures(report);
  const worst = (vals: ReadonlyArray<number | null | undefined>) =>
    vals.length > 0 && vals.every((v) => typeof v === "number") ? Math.max(...(vals as number[])) : null;
  const s = f.standbys;
  const p99 = s ? worst(s.map((x) => x.lag.p99)) : f.lag?.p99;
  return {
    verdict: report.verdict,
    "lag-p99-ms": typeof p99 === "number" ? String(Math.round(p99)) : "",
    // One kill that never recovered makes the worst case unknown: say nothing rather than a low number.
    // A star: standbys no fault reached have no recovery to count.
    "recovery-seconds": seconds(
      s ? worst(s.filter((x) => x.recovery.total > 0).map((x) => x.recovery.worstMs)) : f.recovery?.worstMs,
    ),
    "catch-up-seconds": seconds(s ? worst(s.map((x) => x.catchUpMs)) : f.catchUpMs),
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
