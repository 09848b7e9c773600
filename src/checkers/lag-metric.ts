import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistoryIndex, type HistorySource, indexHistory, since } from "./history-index.js";
import { type LagPoint, percentile } from "./stats.js";
import type { CheckContext, CheckResult, Thresholds } from "./types.js";

/** Fewer paired samples than this say nothing about whether an alert would have fired. */
export const MIN_LAG_METRIC_SAMPLES = 3;
/** Defaults for runs recorded before the thresholds existed. */
export const DEFAULT_LAG_METRIC_TOLERANCE_MS = 2_000;
export const DEFAULT_LAG_METRIC_GRACE_MS = 3_000;

/**
 * The alert rule the drill checks, as the README states it: Milvus's documented lag query over the SLO
 * for the grace period.
 */
export function alertRule(sloMs: number, graceMs: number): string {
  return `clamp_min(max by (channel_name)(milvus_wal_last_confirmed_time_tick) - min by (channel_name)(milvus_cdc_last_replicated_time_tick), 0) > ${sloMs / 1000} for ${graceMs / 1000}s`;
}

type Kind = "missed alert" | "false page" | "disagrees";

interface Episode {
  kind: Kind;
  from: number;
  to: number;
  samples: number;
  metricMs: number | null;
  heartbeatMs: number;
}

/** What the check judged and the report draws: one computation for both (figures.ts prints it). */
export interface LagMetricFacts {
  /** Scrapes that answered / failed. */
  samples: number;
  failedScrapes: number;
  firstError?: string;
  /** Answered scrapes with a lag series and a heartbeat read close enough to compare. */
  paired: number;
  withinTolerance: number;
  /** The metric's lag over time (answered scrapes with a series). */
  series: LagPoint[];
  episodes: Episode[];
  toleranceMs: number;
  graceMs: number;
  sloMs: number;
}

/** Heartbeat reads as lag bounds: the standby showed wall_ms somewhere between invoke and return. */
interface HbBound {
  t: number;
  lo: number;
  hi: number;
}

function lastAtOrBefore(ts: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((ts[mid] as { t: number }).t <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** For each point, since when `cond` has held without a break (sample-and-hold), or null. */
function runStarts<T extends { t: number }>(
  points: readonly T[],
  cond: (p: T) => boolean,
): Array<number | null> {
  const out: Array<number | null> = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as T;
    out.push(cond(p) ? (i > 0 && out[i - 1] !== null ? (out[i - 1] as number) : p.t) : null);
  }
  return out;
}

export function lagMetricFacts(idx: HistoryIndex, thresholds: Thresholds): LagMetricFacts {
  const slo = thresholds.lagSloMs;
  const tol = thresholds.lagMetricToleranceMs ?? DEFAULT_LAG_METRIC_TOLERANCE_MS;
  const grace = thresholds.lagMetricGraceMs ?? DEFAULT_LAG_METRIC_GRACE_MS;
  const answered = idx.lagMetricObs.filter((o) => o.error === undefined);
  const failed = idx.lagMetricObs.filter((o) => o.error !== undefined);
  // The lag's lower bound at a read is how long ago the primary acknowledged the first heartbeat the
  // standby did not show yet: while the writer is stopped (the primary down, a restart-primary fault)
  // the standby misses nothing acknowledged, and the age of its newest heartbeat is no replication lag.
  // Histories without the writer's events keep the age of the newest heartbeat seen.
  const acked = idx.heartbeats.filter((w) => w.outcome === "ok");
  const firstAckedAfter = (seq: number) => {
    let lo = 0;
    let hi = acked.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((acked[mid] as { hbSeq: number }).hbSeq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return acked[lo];
  };
  const hb: HbBound[] = [];
  for (const o of idx.heartbeatObs) {
    if (o.error !== undefined || o.wallMs === null || o.hbSeq === null) continue;
    let lo = Math.max(0, o.invokeTime - o.wallMs);
    if (idx.heartbeats.length > 0) {
      const missed = firstAckedAfter(o.hbSeq);
      lo = missed && missed.time <= o.invokeTime ? o.invokeTime - missed.time : 0;
    }
    hb.push({ t: o.time, lo, hi: Math.max(0, o.time - o.wallMs) });
  }
  // A heartbeat read older than this says nothing about the lag at a scrape.
  const maxStale = Math.max(1_000, tol);
  const hbClearlyOver = runStarts(hb, (h) => h.lo > slo + tol);
  const hbNearZero = runStarts(hb, (h) => h.hi <= tol);
  const m = answered.map((o) => ({ t: o.time, lagMs: o.lagMs }));
  // After a fault the worst channel may still replay its backlog while the heartbeat's channel has
  // caught up: the metric (worst channel) may then read higher than the heartbeat. Until it is back
  // under the SLO (at most recoveryTimeoutMs after the fault healed) a high reading is no false page;
  // a low one is judged everywhere (#51048 lies right after a restart). "Back" is read once the
  // heartbeat has recovered: right after the heal the metric can still be under the SLO only because
  // the lag it shows is still growing (every channel still reconnecting).
  const hbRecoveredAt = (t: number) => {
    const j = lastAtOrBefore(hb, t);
    return j >= 0 && t - (hb[j] as HbBound).t <= maxStale && (hb[j] as HbBound).hi <= tol;
  };
  const recovering = idx.faults.map((f) => {
    const healed = f.end?.time ?? f.start.time;
    const back = m.find((p) => p.t > healed && p.lagMs !== null && p.lagMs <= slo && hbRecoveredAt(p.t));
    return {
      from: f.start.time,
      to: Math.min(back ? back.t : Number.POSITIVE_INFINITY, healed + thresholds.recoveryTimeoutMs),
    };
  });
  const inRecovery = (t: number) => recovering.some((w) => t >= w.from && t < w.to);
  // A reading above the heartbeat while a fault's backlog may still replay on another channel is no
  // disagreement either, even under the SLO: the whole recovery bound after the fault healed.
  const mayReplay = (t: number) =>
    idx.faults.some(
      (f) => t >= f.start.time && t < (f.end?.time ?? f.start.time) + thresholds.recoveryTimeoutMs,
    );
  const mOver = runStarts(m, (p) => p.lagMs !== null && p.lagMs > slo);
  const episodes: Episode[] = [];
  const open = new Map<Kind, Episode>();
  let paired = 0;
  let within = 0;
  const disagreeSince: Array<number | null> = [];
  for (let k = 0; k < m.length; k++) {
    const p = m[k] as { t: number; lagMs: number | null };
    const j = lastAtOrBefore(hb, p.t);
    const h = j >= 0 && p.t - (hb[j] as HbBound).t <= maxStale ? (hb[j] as HbBound) : undefined;
    const hits = new Set<Kind>();
    let disagree = false;
    if (h && p.lagMs !== null) {
      paired += 1;
      const low = p.lagMs < h.lo - tol;
      const high = p.lagMs > h.hi + tol;
      if (!low && !high) within += 1;
      disagree = low || (high && !mayReplay(p.t));
    }
    disagreeSince.push(
      disagree ? (k > 0 && disagreeSince[k - 1] != null ? (disagreeSince[k - 1] as number) : p.t) : null,
    );
    if (h) {
      const over = hbClearlyOver[j];
      // The metric reads healthy (or gives nothing to fire on) while the true lag has been clearly over
      // the SLO for the whole grace period: the alert would not have fired.
      if ((p.lagMs === null || p.lagMs <= slo) && over != null && over <= p.t - grace)
        hits.add("missed alert");
      const near = hbNearZero[j];
      const mo = mOver[k];
      if (mo != null && mo <= p.t - grace && near != null && near <= p.t - grace && !inRecovery(p.t))
        hits.add("false page");
      const d = disagreeSince[k];
      if (d != null && d <= p.t - grace) hits.add("disagrees");
    }
    for (const kind of ["missed alert", "false page", "disagrees"] as const) {
      const e = open.get(kind);
      if (!hits.has(kind)) {
        open.delete(kind);
        continue;
      }
      const hbMs = h ? Math.round((h.lo + h.hi) / 2) : 0;
      if (e) {
        e.to = p.t;
        e.samples += 1;
        e.heartbeatMs = Math.max(e.heartbeatMs, hbMs);
      } else {
        const ne: Episode = { kind, from: p.t, to: p.t, samples: 1, metricMs: p.lagMs, heartbeatMs: hbMs };
        episodes.push(ne);
        open.set(kind, ne);
      }
    }
  }
  return {
    samples: answered.length,
    failedScrapes: failed.length,
    ...(failed[0]?.error ? { firstError: failed[0].error } : {}),
    paired,
    withinTolerance: within,
    series: m.filter((p): p is LagPoint => p.lagMs !== null),
    episodes,
    toleranceMs: tol,
    graceMs: grace,
    sloMs: slo,
  };
}

const WHAT: Record<Kind, string> = {
  "missed alert": "read healthy (under the SLO) while the heartbeat lag stayed over it",
  "false page": "read over the SLO while the heartbeat lag stayed near zero",
  disagrees: "disagreed with the heartbeat lag beyond the tolerance",
};

/**
 * Milvus's own lag metric, judged against the heartbeat lag (the truth): it must agree within the
 * tolerance, and above all it must never read healthy while the true lag stays over the SLO past the
 * grace period (a missed alert), nor over the SLO that long while the true lag is near zero (a false
 * page). Skipped when the backend offered no metrics endpoint; unknown when every scrape failed.
 */
export function checkLagMetric(history: HistorySource, _final: unknown, ctx: CheckContext): CheckResult {
  const idx = indexHistory(history);
  if (idx.lagMetricObs.length === 0)
    return skipped("lag-metric", "no metrics endpoint to scrape (the backend named none)");
  const f = lagMetricFacts(idx, ctx.thresholds);
  const failures = new EvidenceSample();
  // The two lies an on-call engineer pays for first, then plain disagreement.
  const order: Kind[] = ["missed alert", "false page", "disagrees"];
  const episodes = [...f.episodes].sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.from - b.from,
  );
  for (const e of episodes) {
    const dur = e.to - e.from;
    failures.add({
      time: e.from,
      kind: e.kind,
      message: `${e.kind}: from ${since(idx, e.from)} for ${dur} ms past the ${f.graceMs} ms grace (${e.samples} scrape(s)) the metric ${WHAT[e.kind]}: metric ${e.metricMs === null ? "no series" : `${e.metricMs} ms`}, heartbeat ~${e.heartbeatMs} ms (SLO ${f.sloMs} ms, tolerance ${f.toleranceMs} ms)`,
    });
  }
  const blind = new EvidenceSample();
  if (f.samples === 0)
    blind.add({
      message: `every scrape of the metrics endpoint failed (${f.failedScrapes}; first: ${f.firstError})`,
    });
  const diffs = f.series.length;
  const stats: Record<string, number> = {
    samples: f.samples,
    failedScrapes: f.failedScrapes,
    paired: f.paired,
    withinTolerance: f.withinTolerance,
    toleranceMs: f.toleranceMs,
    graceMs: f.graceMs,
    sloMs: f.sloMs,
  };
  const p99 = percentile(
    f.series.map((p) => p.lagMs),
    99,
  );
  if (p99 !== null) stats.metricP99 = p99;
  return judge("lag-metric", {
    failures,
    blind,
    observed: f.paired,
    minObserved: MIN_LAG_METRIC_SAMPLES,
    tooFew:
      diffs === 0
        ? "the metrics endpoint served no lag series (milvus_wal_last_confirmed_time_tick and milvus_cdc_last_replicated_time_tick per channel)"
        : "too few lag-metric scrapes with a heartbeat read to compare",
    passSummary: `Milvus's lag metric agreed with the heartbeat lag within ${f.toleranceMs} ms on ${f.withinTolerance}/${f.paired} scrape(s); no missed alert or false page (SLO ${f.sloMs} ms, grace ${f.graceMs} ms)`,
    stats,
  });
}
