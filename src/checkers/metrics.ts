import type {
  DrillMetrics,
  FaultRecord,
  LagMetricStats,
  StandbyMetrics,
  StepTiming,
} from "../report/model.js";
import { capacityStats } from "./capacity.js";
import { killRecoveries } from "./checkpoint-recovery.js";
import { type HistoryIndex, type HistorySource, indexHistory } from "./history-index.js";
import { alertRule, lagMetricFacts } from "./lag-metric.js";
import { standbyHistory } from "./star.js";
import { downsample, percentile, splitLag } from "./stats.js";
import { computeTriggers } from "./triggers.js";
import type { FinalState, Thresholds } from "./types.js";

export const MAX_LAG_POINTS = 300;

/** The numbers the report draws and tabulates, all derived from the history and the final state. */
export function computeMetrics(
  history: HistorySource,
  final: FinalState,
  thresholds: Thresholds,
): DrillMetrics {
  const idx = indexHistory(history);
  const faults: FaultRecord[] = idx.faults.map((f) => {
    const rec: FaultRecord = {
      id: f.id,
      name: f.name,
      startedAt: f.start.time,
      endedAt: f.end?.time ?? null,
    };
    const error = f.end?.error ?? f.start.error;
    if (error) rec.error = error;
    return rec;
  });

  // A star: the top-level lag, recoveries and catch-up are the first standby's; every standby's own
  // are in `standbys`, read from the history as that standby's checks read it (star.ts standbyHistory).
  const firstView = final.star ? standbyHistory(idx, final.star.first, 1) : idx;
  // Milvus's lag metric exactly as lag-metric judged it (one computation for check and report); the
  // top-level figures and series are the first standby's.
  const lm = lagMetricFigures(firstView, thresholds);
  const first = standbyFigures(firstView, final.catchUp, thresholds, lm);
  const standbys: Record<string, StandbyMetrics> | undefined = final.star
    ? {
        [final.star.first]: first,
        ...Object.fromEntries(
          final.star.others.map((o, i) => [
            o.clusterId,
            standbyFigures(standbyHistory(idx, o.clusterId, i + 2), o.catchUp, thresholds),
          ]),
        ),
      }
    : undefined;

  // Workload ops only: the standby-write probe is meant to fail and says so in its own check.
  const ops = { ...idx.opOutcomes };
  const triggers = computeTriggers(idx, final);

  const capacity = capacityStats(idx);

  return {
    lag: first.lag,
    lagSeries: first.lagSeries,
    faults,
    recoveries: first.recoveries,
    catchUpMs: first.catchUpMs,
    opsPerSec: opsPerSec(idx.phases, idx.invokeTimes, idx.lastTime),
    ops,
    rowsCompared: final.collections.reduce((n, c) => n + c.rowsCompared, 0),
    collectionsCompared: final.collections.filter((c) => c.source.reachable && c.target.reachable).length,
    ...(triggers.length ? { triggers } : {}),
    ...(idx.roleChange
      ? {
          rpo: { lostWrites: idx.roleChange.lost.length, windowMs: idx.roleChange.windowMs },
          rtoMs: idx.roleChange.rtoMs,
        }
      : {}),
    ...(lm ? { lagMetric: lm.stats, lagMetricSeries: lm.series } : {}),
    ...(capacity ? { capacity } : {}),
    ...(standbys ? { standbys } : {}),
  };
}

/** Milvus's lag metric as lag-metric judged it on one standby's view (its edge's series), or null if never scraped. */
function lagMetricFigures(
  view: HistoryIndex,
  thresholds: Thresholds,
): { stats: LagMetricStats; series: Array<{ t: number; lagMs: number }> } | null {
  if (view.lagMetricObs.length === 0) return null;
  const lm = lagMetricFacts(view, thresholds);
  const lags = lm.series.map((p) => p.lagMs);
  return {
    stats: {
      samples: lm.samples,
      failedScrapes: lm.failedScrapes,
      p50: percentile(lags, 50),
      p99: percentile(lags, 99),
      max: lags.length ? Math.max(...lags) : null,
      paired: lm.paired,
      withinTolerance: lm.withinTolerance,
      toleranceMs: lm.toleranceMs,
      graceMs: lm.graceMs,
      sloMs: lm.sloMs,
      missedAlerts: lm.episodes.filter((e) => e.kind === "missed alert").length,
      falsePages: lm.episodes.filter((e) => e.kind === "false page").length,
      alertRule: alertRule(lm.sloMs, lm.graceMs),
    },
    series: downsample(lm.series, MAX_LAG_POINTS),
  };
}

/**
 * One standby's lag, lag series, recoveries and catch-up, from the history as its checks read it.
 * Percentiles over the steady-state samples the lag check judges; the chart draws every sample.
 * Recovery per fault exactly as checkpoint-recovery judged it: one number per fault in every format
 * (in a star, a fault aimed at another standby is marked `aimedAt` and counts for none here).
 */
function standbyFigures(
  view: HistoryIndex,
  catchUp: FinalState["catchUp"],
  thresholds: Thresholds,
  lm = lagMetricFigures(view, thresholds),
): StandbyMetrics {
  const { all: series, steady } = splitLag(view, thresholds.lagSloMs);
  const lags = steady.map((p) => p.lagMs);
  return {
    lag: {
      p50: percentile(lags, 50),
      p95: percentile(lags, 95),
      p99: percentile(lags, 99),
      max: lags.length ? Math.max(...lags) : null,
      samples: lags.length,
      faultWindowSamples: series.length - lags.length,
      sloMs: thresholds.lagSloMs,
    },
    lagSeries: downsample(series, MAX_LAG_POINTS),
    recoveries: killRecoveries(view, thresholds.recoveryTimeoutMs).map((k) => ({
      faultId: k.faultId,
      fault: k.fault,
      startedAt: k.startedAt,
      endedAt: k.endedAt,
      status: k.status,
      recoveredAt: k.recoveredAt,
      recoveryMs: k.recoveryMs,
      ...(k.why ? { why: k.why } : {}),
      ...(k.aimedAt !== undefined ? { aimedAt: k.aimedAt } : {}),
    })),
    catchUpMs: catchUp?.catchUpMs ?? null,
    ...(lm ? { lagMetric: lm.stats } : {}),
  };
}

/** The role-change steps in the order they ran, timed: the report's step timeline. */
export function computeSteps(history: HistorySource): StepTiming[] {
  return indexHistory(history)
    .steps.slice()
    .sort((a, b) => a.startedAt - b.startedAt)
    .map((s) => ({
      name: s.name,
      startedAt: s.startedAt,
      durationMs: s.time - s.startedAt,
      ok: s.ok,
      ...(s.primary ? { primary: s.primary } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(typeof s.detail?.standby === "string" ? { standby: s.detail.standby } : {}),
    }));
}

/** Ops invoked during the workload phase per second of that phase; null without a workload phase. */
function opsPerSec(
  phases: ReturnType<typeof indexHistory>["phases"],
  invokeTimes: readonly number[],
  lastTime: number,
): number | null {
  const i = phases.findIndex((p) => p.name === "workload");
  const start = phases[i];
  if (!start) return null;
  const end = phases[i + 1]?.time ?? lastTime;
  if (end <= start.time) return null;
  let n = 0;
  for (const t of invokeTimes) if (t >= start.time && t < end) n += 1;
  return n / ((end - start.time) / 1000);
}
