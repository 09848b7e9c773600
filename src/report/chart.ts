/**
 * Lag over time as a GitHub-native Mermaid `xychart-beta`: a line for the standby's heartbeat lag (in a
 * star one per standby, in the order of report.metrics.standbys) and a bar series that is non-zero only
 * where a fault started, so each fault shows as a marker on the line.
 */
import { fmtOffset, timeOrigin } from "./format.js";
import type { DrillReport } from "./model.js";

/** GitHub renders long series poorly; a fixed grid of at most this many points keeps the chart legible. */
export const MAX_CHART_POINTS = 100;

export interface FaultMark {
  id: number;
  name: string;
  /** Milliseconds since the chart's origin. */
  offsetMs: number;
  bucket: number;
}

/** A role-change step (stop writes, role change, first write on the new primary, ...). */
export interface StepMark {
  name: string;
  offsetMs: number;
  bucket: number;
}

export interface LagChart {
  originMs: number;
  spanMs: number;
  bucketMs: number;
  /** Max lag (ms) seen in each time bucket; a bucket without samples repeats the previous value (0 before the first). */
  lag: number[];
  /** A star: every standby's lag on the same grid, the first standby first (its values are `lag`); null for a pair. */
  standbyLags: Array<{ clusterId: string; lag: number[] }> | null;
  /** Milvus's own lag metric on the same grid (when the drill scraped one), else null. */
  metricLag: number[] | null;
  /** yTop in buckets where at least one fault started, 0 elsewhere. */
  faultBars: number[];
  faults: FaultMark[];
  /** yTop / 2 in buckets where a role-change step started, 0 elsewhere (shorter than fault bars). */
  stepBars: number[];
  steps: StepMark[];
  yTop: number;
  /** The lag SLO, drawn as a flat line; null when the report has none. */
  sloMs: number | null;
}

/** Round up to a "nice" axis top (1, 2 or 5 times a power of ten). */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Bucket the lag series onto a uniform time grid so the Mermaid x axis (a numeric range) is truthful. */
export function lagChart(report: DrillReport, maxPoints = MAX_CHART_POINTS): LagChart | null {
  const series = report.metrics.lagSeries ?? [];
  const metricSeries = report.metrics.lagMetricSeries ?? [];
  const star = Object.entries(report.metrics.standbys ?? {});
  const faults = report.metrics.faults ?? [];
  const slo = report.metrics.lag?.sloMs;
  const steps = report.steps ?? [];
  if (series.length === 0 && faults.length === 0 && steps.length === 0) return null;
  const originMs = timeOrigin(report);
  let end = originMs;
  for (const p of series) end = Math.max(end, p.t);
  for (const p of metricSeries) end = Math.max(end, p.t);
  for (const [, s] of star) for (const p of s.lagSeries) end = Math.max(end, p.t);
  for (const f of faults) end = Math.max(end, f.startedAt, f.endedAt ?? f.startedAt);
  for (const s of steps) end = Math.max(end, s.startedAt + s.durationMs);
  const spanMs = Math.max(1, end - originMs);
  const n = Math.max(2, Math.min(maxPoints, Math.max(series.length, faults.length * 4, 20)));
  const bucketMs = spanMs / (n - 1);
  const bucketOf = (t: number) => Math.min(n - 1, Math.max(0, Math.round((t - originMs) / bucketMs)));

  const grid = (points: ReadonlyArray<{ t: number; lagMs: number }>): number[] => {
    const raw: Array<number | null> = new Array(n).fill(null);
    for (const p of points) {
      const b = bucketOf(p.t);
      raw[b] = Math.max(raw[b] ?? 0, p.lagMs);
    }
    const out: number[] = [];
    let last = 0;
    for (const v of raw) {
      if (v !== null) last = v;
      out.push(Math.round(last));
    }
    return out;
  };
  const lag = grid(series);
  const standbyLags =
    star.length > 0 ? star.map(([clusterId, s]) => ({ clusterId, lag: grid(s.lagSeries) })) : null;
  const metricLag = metricSeries.length > 0 ? grid(metricSeries) : null;
  // Scaled to the data, and to the SLO line so it is always on the chart.
  const yTop = niceCeil(
    Math.max(1, ...lag, ...(standbyLags ?? []).flatMap((s) => s.lag), ...(metricLag ?? []), slo ?? 0),
  );
  const marks = faults.map((f) => ({
    id: f.id,
    name: f.name,
    offsetMs: f.startedAt - originMs,
    bucket: bucketOf(f.startedAt),
  }));
  const faultBars = new Array<number>(n).fill(0);
  for (const m of marks) faultBars[m.bucket] = yTop;
  const stepMarks = steps.map((s) => ({
    name: s.name,
    offsetMs: s.startedAt - originMs,
    bucket: bucketOf(s.startedAt),
  }));
  const stepBars = new Array<number>(n).fill(0);
  for (const m of stepMarks) stepBars[m.bucket] = yTop / 2;
  return {
    originMs,
    spanMs,
    bucketMs,
    lag,
    standbyLags,
    metricLag,
    faultBars,
    faults: marks,
    stepBars,
    steps: stepMarks,
    yTop,
    sloMs: slo ?? null,
  };
}

/** The ```mermaid fenced block, or null when there is nothing to draw. */
export function renderMermaidLagChart(report: DrillReport): string | null {
  const chart = lagChart(report);
  if (!chart) return null;
  const xEnd = Math.max(1, Math.ceil(chart.spanMs / 1000));
  const lagLines = chart.standbyLags ?? [{ clusterId: "", lag: chart.lag }];
  // Mermaid's xychart has no legend: the title names the lines in the order they are drawn.
  const named = chart.standbyLags
    ? `: lines ${lagLines.map((s) => s.clusterId).join(", ")}${chart.metricLag ? ", then Milvus's lag metric" : ""}`
    : chart.metricLag
      ? ": first line heartbeat, second Milvus's lag metric"
      : "";
  const lines = [
    "```mermaid",
    "xychart-beta",
    `  title "Standby lag (ms)${named}; ${chart.steps.length ? "tall bars: fault starts, short bars: role-change steps" : "bars mark fault starts"}${chart.sloMs !== null ? `; flat line = SLO ${chart.sloMs} ms` : ""}"`,
    `  x-axis "time (s)" 0 --> ${xEnd}`,
    `  y-axis "lag (ms)" 0 --> ${chart.yTop}`,
    `  bar [${chart.faultBars.join(", ")}]`,
    ...(chart.steps.length ? [`  bar [${chart.stepBars.join(", ")}]`] : []),
    ...lagLines.map((s) => `  line [${s.lag.join(", ")}]`),
    ...(chart.metricLag ? [`  line [${chart.metricLag.join(", ")}]`] : []),
    ...(chart.sloMs !== null ? [`  line [${chart.lag.map(() => chart.sloMs).join(", ")}]`] : []),
    "```",
  ];
  return lines.join("\n");
}

/** "role-change at 8.1 s" per role-change step, in time order. */
export function stepLegend(chart: LagChart): string[] {
  return [...chart.steps]
    .sort((a, b) => a.offsetMs - b.offsetMs)
    .map((s) => `${s.name} at ${fmtOffset(s.offsetMs)}`);
}

/** "kill-cdc at 12.3 s" per fault, in time order: the chart's legend. */
export function faultLegend(chart: LagChart): string[] {
  return [...chart.faults]
    .sort((a, b) => a.offsetMs - b.offsetMs)
    .map((f) => `${f.name} at ${fmtOffset(f.offsetMs)}`);
}
