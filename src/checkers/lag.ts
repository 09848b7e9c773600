import type { HistoryEvent } from "../history/types.js";
import { EvidenceSample, resultOf } from "./evidence.js";
import { indexHistory, lastCompletedBefore } from "./history-index.js";
import { lagSeries, percentile } from "./stats.js";
import type { CheckContext, CheckResult } from "./types.js";

/** Fewer samples than this say nothing about a p99. */
export const MIN_LAG_SAMPLES = 3;

/**
 * Heartbeat lag (pt-heartbeat) must keep its p99 under the SLO, and the heartbeat sequence seen on the
 * standby must never go back: the heartbeat stream is itself a prefix check on its channel.
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
  const series = lagSeries(idx);
  const lags = series.map((p) => p.lagMs);
  const p99 = percentile(lags, 99);
  const slo = ctx.thresholds.lagSloMs;
  if (p99 === null || lags.length < MIN_LAG_SAMPLES) {
    unknowns.add({
      message: `only ${lags.length} heartbeat lag sample(s) on the standby; at least ${MIN_LAG_SAMPLES} are needed`,
    });
  } else if (p99 > slo) {
    const worst = series.reduce((a, b) => (b.lagMs > a.lagMs ? b : a));
    failures.add({
      time: worst.t,
      p99,
      message: `heartbeat lag p99 ${p99} ms is over the ${slo} ms SLO (worst ${worst.lagMs} ms at ${worst.t})`,
    });
  }
  const stats: Record<string, number> = { samples: lags.length, sloMs: slo };
  if (p99 !== null) stats.p99 = p99;
  return resultOf("lag", failures, unknowns, `heartbeat lag p99 ${p99} ms within the ${slo} ms SLO`, stats);
}
