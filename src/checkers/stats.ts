import type { HistoryIndex } from "./history-index.js";

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export interface LagPoint {
  t: number;
  lagMs: number;
}

/**
 * pt-heartbeat lag: at each standby heartbeat read completing at t, lag = t - wall_ms of the newest
 * heartbeat the standby shows. Reads that saw no heartbeat yet give no sample (there is nothing to age).
 */
export function lagSeries(idx: HistoryIndex): LagPoint[] {
  const out: LagPoint[] = [];
  for (const o of idx.heartbeatObs) {
    if (o.wallMs === null || o.hbSeq === null || o.error !== undefined) continue;
    out.push({ t: o.time, lagMs: Math.max(0, o.time - o.wallMs) });
  }
  return out;
}

/**
 * Cuts a series to at most maxPoints by keeping the worst lag of each bucket: a chart of a drill
 * exists to show spikes, and averaging would hide the very stall it should show.
 */
export function downsample(series: readonly LagPoint[], maxPoints: number): LagPoint[] {
  if (series.length <= maxPoints) return [...series];
  const out: LagPoint[] = [];
  const bucket = series.length / maxPoints;
  for (let b = 0; b < maxPoints; b++) {
    const from = Math.floor(b * bucket);
    const to = Math.floor((b + 1) * bucket);
    let worst = series[from] as LagPoint;
    for (let i = from + 1; i < to; i++) {
      const p = series[i] as LagPoint;
      if (p.lagMs > worst.lagMs) worst = p;
    }
    out.push(worst);
  }
  return out;
}

/**
 * The lag samples split the one way every report uses them. The SLO is about steady state: from a
 * fault's start until the standby shows a heartbeat written after the fault ended, with the lag back
 * under the SLO, the standby is recovering, and checkpoint-recovery owns that window. (A heartbeat
 * from before the end does not close it: right after a standby restart its last heartbeat reads as a
 * small lag that is still growing, since nothing has been applied yet.) Percentiles anywhere (check, metrics table, summary, Action outputs) are over
 * `steady`; the chart draws `all`.
 */
export function splitLag(
  idx: HistoryIndex,
  sloMs: number,
): {
  all: LagPoint[];
  steady: LagPoint[];
  neverBack: Array<{ faultId: number; name: string; after: number; samples: number }>;
} {
  const all = lagSeries(idx);
  const windows = idx.faults.map((f) => {
    const after = f.end?.time ?? f.start.time;
    const back = all.find((p) => p.t > after && p.lagMs <= sloMs && p.t - p.lagMs >= after);
    return { from: f.start.time, to: back ? back.t : Number.POSITIVE_INFINITY };
  });
  const steady = all.filter((p) => !windows.some((w) => p.t >= w.from && p.t < w.to));
  // A window that never closed while the monitor kept reading: the lag never came back under the SLO.
  const neverBack = idx.faults.flatMap((f, i) => {
    if ((windows[i] as { to: number }).to !== Number.POSITIVE_INFINITY) return [];
    const after = f.end?.time ?? f.start.time;
    const samples = all.filter((p) => p.t > after).length;
    return samples > 0 ? [{ faultId: f.id, name: f.name, after, samples }] : [];
  });
  return { all, steady, neverBack };
}
