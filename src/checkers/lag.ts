import type { HistoryEvent } from "../history/types.js";
import { EvidenceSample, resultOf } from "./evidence.js";
import { indexHistory, lastCompletedBefore } from "./history-index.js";
import { lagSeries, percentile } from "./stats.js";
import type { CheckContext, CheckResult } from "./types.js";

/** Fewer samples than this say nothing about a p99. */
export const MIN_LAG_SAMPLES = 3;

/**
 * Heartbeat lag (pt-heartbeat) must keep its steady-state p99 under the SLO, and the heartbeat sequence
 * seen on the standby must never go back: the heartbeat stream is itself a prefix check on its channel.
 */
export function checkLag(history: readonly HistoryEvent[], _final: unknown, ctx: CheckContext): CheckResult {
  const idx = indexHistory(history);
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  const times: number[] = [];
  const best: Array<{ hbSeq: number; time: number } | null> = [];
  for (const o of idx.heartbeatObs) {
    const i = lastCompletedBefore(times, o.invokeTime);
    const prior = i >= 0 ? best[i] : null;
    // A read that saw nothing is also what an unreachable standby records, so it proves no regression.
    if (prior && o.hbSeq !== null && o.hbSeq < prior.hbSeq) {
      failures.add({
        time: o.time,
        message: `the standby heartbeat went back from hb_seq ${prior.hbSeq} (read by ${prior.time}) to ${o.hbSeq} (read at ${o.time})`,
      });
    }
    const last = best[best.length - 1] ?? null;
    times.push(o.time);
    best.push(o.hbSeq !== null && (!last || o.hbSeq > last.hbSeq) ? { hbSeq: o.hbSeq, time: o.time } : last);
  }
  const slo = ctx.thresholds.lagSloMs;
  const all = lagSeries(idx);
  // The SLO is about steady state. From a fault's start until the lag is back under the SLO, the
  // standby is recovering: checkpoint-recovery owns that window (and fails if it never ends).
  const windows = idx.faults.map((f) => {
    const after = f.end?.time ?? f.start.time;
    const back = all.find((p) => p.t > after && p.lagMs <= slo);
    return { from: f.start.time, to: back ? back.t : Number.POSITIVE_INFINITY };
  });
  const series = all.filter((p) => !windows.some((w) => p.t >= w.from && p.t < w.to));
  const lags = series.map((p) => p.lagMs);
  const p99 = percentile(lags, 99);
  if (p99 === null || lags.length < MIN_LAG_SAMPLES) {
    unknowns.add({
      message: `only ${lags.length} heartbeat lag sample(s) on the standby; at least ${MIN_LAG_SAMPLES} are needed`,
    });
  } else if (p99 > slo) {
    const worst = series.reduce((a, b) => (b.lagMs > a.lagMs ? b : a));
    failures.add({
      time: worst.t,
      p99,
      message: `steady-state heartbeat lag p99 ${p99} ms is over the ${slo} ms SLO (worst ${worst.lagMs} ms at ${worst.t})`,
    });
  }
  const stats: Record<string, number> = {
    samples: lags.length,
    sloMs: slo,
    faultWindowSamples: all.length - lags.length,
  };
  if (p99 !== null) stats.p99 = p99;
  const excluded = all.length - lags.length;
  const note =
    excluded > 0 ? ` (${excluded} sample(s) inside fault recovery windows left to checkpoint-recovery)` : "";
  return resultOf(
    "lag",
    failures,
    unknowns,
    `steady-state heartbeat lag p99 ${p99} ms within the ${slo} ms SLO${note}`,
    stats,
  );
}
