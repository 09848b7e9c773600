import type { HistoryEvent } from "../history/types.js";
import { EvidenceSample, resultOf, skipped } from "./evidence.js";
import {
  type CheckpointObservation,
  type FaultSpan,
  type HistoryIndex,
  indexHistory,
  lastCompletedBefore,
} from "./history-index.js";
import type { CheckContext, CheckResult } from "./types.js";

export const RECOVERY_FAULTS: ReadonlySet<string> = new Set(["kill-cdc"]);

interface Recovered {
  at: number;
  hbSeq: number;
}

/**
 * After a CDC kill ends, the standby must show a heartbeat written after the restart within the bound.
 * The clock starts when such a heartbeat was acknowledged on the primary (no heartbeat written, nothing
 * to replicate), and a heartbeat written before the kill does not count: it may have been in flight.
 * Without writer events the rule falls back to "moves past what the standby showed at the kill".
 */
function judgeFault(
  idx: HistoryIndex,
  f: FaultSpan,
  timeoutMs: number,
  failures: EvidenceSample,
  unknowns: EvidenceSample,
): number | null {
  if (!f.end) {
    unknowns.add({
      opId: f.id,
      time: f.start.time,
      message: `${f.name} #${f.id} started at ${f.start.time} but never ended`,
    });
    return null;
  }
  const end = f.end.time;
  let baseline = Number.NEGATIVE_INFINITY;
  let clockFrom = end;
  if (idx.heartbeats.length > 0) {
    for (const h of idx.heartbeats) if (h.wallMs < end && h.hbSeq > baseline) baseline = h.hbSeq;
    const firstAck = idx.heartbeats.find((h) => h.hbSeq > baseline && h.outcome === "ok");
    if (!firstAck) {
      unknowns.add({
        opId: f.id,
        time: end,
        message: `${f.name} #${f.id}: no heartbeat was acknowledged after it ended at ${end}`,
      });
      return null;
    }
    clockFrom = Math.max(end, firstAck.time);
  } else {
    for (const o of idx.heartbeatObs) {
      if (o.time <= f.start.time && o.hbSeq !== null && o.hbSeq > baseline) baseline = o.hbSeq;
    }
  }
  const deadline = clockFrom + timeoutMs;
  let recovered: Recovered | undefined;
  let watchedPastDeadline = false;
  for (const o of idx.heartbeatObs) {
    if (o.invokeTime < end) continue;
    if (o.hbSeq !== null && o.hbSeq > baseline) {
      recovered = { at: o.time, hbSeq: o.hbSeq };
      break;
    }
    if (o.invokeTime > deadline) watchedPastDeadline = true;
  }
  const base = Number.isFinite(baseline) ? String(baseline) : "none";
  if (recovered && recovered.at <= deadline) return recovered.at - end;
  if (recovered || watchedPastDeadline) {
    failures.add({
      opId: f.id,
      time: end,
      deadline,
      message: `${f.name} #${f.id} ended at ${end}; the standby heartbeat did not move past ${base} by ${deadline} (${timeoutMs} ms)${recovered ? `, only at ${recovered.at}` : ""}`,
    });
    return null;
  }
  unknowns.add({
    opId: f.id,
    time: end,
    message: `${f.name} #${f.id}: the monitor stopped before the recovery deadline ${deadline} and the heartbeat had not moved past ${base}`,
  });
  return null;
}

/** Checkpoint samples are ordered only when they do not overlap; each must not go below any earlier one. */
function judgeCheckpoints(samples: readonly CheckpointObservation[], failures: EvidenceSample): number {
  // Per channel: completion times (ascending) and the highest time tick read by then, with when it was read.
  const byChannel = new Map<string, { times: number[]; best: Array<{ tt: bigint; time: number } | null> }>();
  let compared = 0;
  for (const s of samples) {
    if (s.error) continue;
    let ch = byChannel.get(s.pchannel);
    if (!ch) {
      ch = { times: [], best: [] };
      byChannel.set(s.pchannel, ch);
    }
    const i = lastCompletedBefore(ch.times, s.invokeTime);
    const prior = i >= 0 ? ch.best[i] : null;
    const tt = s.timeTick === null ? null : BigInt(s.timeTick);
    if (prior) {
      compared += 1;
      if (tt === null || tt < prior.tt) {
        failures.add({
          time: s.time,
          pchannel: s.pchannel,
          faultId: s.faultId,
          message: `${s.pchannel}: checkpoint went back from ${prior.tt} (read by ${prior.time}) to ${tt ?? "none"} (read at ${s.time})`,
        });
      }
    }
    const last = ch.best[ch.best.length - 1] ?? null;
    ch.times.push(s.time);
    ch.best.push(tt !== null && (!last || tt > last.tt) ? { tt, time: s.time } : last);
  }
  return compared;
}

export function checkCheckpointRecovery(
  history: readonly HistoryEvent[],
  _final: unknown,
  ctx: CheckContext,
): CheckResult {
  const idx = indexHistory(history);
  const kills = idx.faults.filter((f) => RECOVERY_FAULTS.has(f.name));
  if (kills.length === 0 && idx.checkpointObs.length === 0) {
    return skipped("checkpoint-recovery", "no CDC kills and no checkpoint samples in the history");
  }
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  let worst = 0;
  let recovered = 0;
  for (const f of kills) {
    const ms = judgeFault(idx, f, ctx.thresholds.recoveryTimeoutMs, failures, unknowns);
    if (ms !== null) {
      recovered += 1;
      worst = Math.max(worst, ms);
    }
  }
  const compared = judgeCheckpoints(idx.checkpointObs, failures);
  return resultOf(
    "checkpoint-recovery",
    failures,
    unknowns,
    `${recovered}/${kills.length} CDC kill(s) recovered (worst ${worst} ms); checkpoints never moved back`,
    { kills: kills.length, recovered, worstRecoveryMs: worst, checkpointComparisons: compared },
  );
}
