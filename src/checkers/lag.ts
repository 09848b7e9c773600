import { EvidenceSample, judge } from "./evidence.js";
import { type HistorySource, indexHistory, lastCompletedBefore, since } from "./history-index.js";
import { percentile, splitLag } from "./stats.js";
import type { CheckContext, CheckResult } from "./types.js";

/** Fewer samples than this say nothing about a p99. */
export const MIN_LAG_SAMPLES = 3;

/**
 * Heartbeat lag (pt-heartbeat) must keep its steady-state p99 under the SLO, and the heartbeat sequence
 * seen on the standby must never go back: the heartbeat stream is itself a prefix check on its channel.
 */
export function checkLag(history: HistorySource, _final: unknown, ctx: CheckContext): CheckResult {
  const idx = indexHistory(history);
  const failures = new EvidenceSample();
  const times: number[] = [];
  const best: Array<{ hbSeq: number; time: number } | null> = [];
  for (const o of idx.heartbeatObs) {
    if (o.error !== undefined) continue;
    const i = lastCompletedBefore(times, o.invokeTime);
    const prior = i >= 0 ? best[i] : null;
    // A read that saw nothing is also what an unreachable standby records, so it proves no regression.
    if (prior && o.hbSeq !== null && o.hbSeq < prior.hbSeq) {
      failures.add({
        time: o.time,
        kind: "heartbeat went back",
        message: `the standby heartbeat went back from hb_seq ${prior.hbSeq} (read by ${since(idx, prior.time)}) to ${o.hbSeq} (read at ${since(idx, o.time)})`,
      });
    }
    const last = best[best.length - 1] ?? null;
    times.push(o.time);
    best.push(o.hbSeq !== null && (!last || o.hbSeq > last.hbSeq) ? { hbSeq: o.hbSeq, time: o.time } : last);
  }
  const slo = ctx.thresholds.lagSloMs;
  const { all, steady: series, neverBack } = splitLag(idx, slo);
  for (const w of neverBack) {
    if (w.samples < MIN_LAG_SAMPLES) continue;
    failures.add({
      opId: w.faultId,
      kind: "never back under the SLO",
      message: `after ${w.name} #${w.faultId} the lag never got back under ${slo} ms in ${w.samples} sample(s)`,
    });
  }
  const lags = series.map((p) => p.lagMs);
  const p99 = percentile(lags, 99);
  if (p99 !== null && lags.length >= MIN_LAG_SAMPLES && p99 > slo) {
    const worst = series.reduce((a, b) => (b.lagMs > a.lagMs ? b : a));
    failures.add({
      time: worst.t,
      p99,
      kind: "over the SLO",
      message: `steady-state heartbeat lag p99 ${p99} ms is over the ${slo} ms SLO (worst ${worst.lagMs} ms)`,
    });
  }
  const failedReads = idx.heartbeatObs.filter((o) => o.error !== undefined).length;
  const blind = new EvidenceSample();
  if (lags.length < MIN_LAG_SAMPLES && failedReads > 0 && failedReads === idx.heartbeatObs.length)
    blind.add({
      message: `standby unreadable: all ${failedReads} heartbeat read(s) failed (first: ${idx.heartbeatObs[0]?.error})`,
    });
  const excluded = all.length - lags.length;
  const stats: Record<string, number> = {
    samples: lags.length,
    sloMs: slo,
    faultWindowSamples: excluded,
    failedReads,
  };
  if (p99 !== null) stats.p99 = p99;
  const note =
    excluded > 0 ? ` (${excluded} sample(s) inside fault recovery windows left to checkpoint-recovery)` : "";
  return judge("lag", {
    failures,
    blind,
    observed: lags.length,
    minObserved: MIN_LAG_SAMPLES,
    tooFew:
      excluded > 0
        ? `too few steady-state heartbeat lag samples: the other ${excluded} fell inside fault recovery windows (the lag never got back under ${slo} ms)`
        : "too few heartbeat lag samples on the standby",
    passSummary: `steady-state heartbeat lag p99 ${p99} ms within the ${slo} ms SLO over ${lags.length} sample(s)${note}`,
    stats,
  });
}
