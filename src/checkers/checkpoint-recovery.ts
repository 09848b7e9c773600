import { NEMESIS_TYPES } from "../nemesis/names.js";
import { EvidenceSample, judge, skipped } from "./evidence.js";
import {
  type CheckpointObservation,
  type FaultSpan,
  type HistoryIndex,
  type HistorySource,
  indexHistory,
  lastCompletedBefore,
  since,
} from "./history-index.js";
import type { CheckContext, CheckResult } from "./types.js";

/** Every nemesis fault must be followed by replication resuming within the bound (not only kill-cdc). */
export const RECOVERY_FAULTS: ReadonlySet<string> = new Set<string>(NEMESIS_TYPES);

/** How one fault went, as the checker judged it: the one source of "recovery" in every report format. */
export interface KillRecovery {
  faultId: number;
  fault: string;
  startedAt: number;
  /** When the fault ended: the restart done, the partition / delay / pause healed. */
  endedAt: number | null;
  /** recovered: in time; late: resumed after the bound or never while watched; unknown: not observable. */
  status: "recovered" | "late" | "unknown";
  /** When the standby heartbeat moved past what it showed before the fault; null if not seen. */
  recoveredAt: number | null;
  /** From the end of the fault (restarted, healed) until then; null unless recovered or late-but-seen. */
  recoveryMs: number | null;
  /** For late and unknown: why, in one line. */
  why?: string;
  /**
   * A star: the fault was aimed at another standby (`standby`, 1-based) and never injected into this
   * one, so it proves no recovery here (status unknown), and the checker does not judge it here.
   */
  aimedAt?: number;
}

export type FaultRecovery = KillRecovery;

/**
 * After a fault ends (a CDC kill or a cluster restart done, a partition, delay or pause healed), the
 * standby must show a heartbeat written after that end within the bound. The clock starts when such a
 * heartbeat was acknowledged on the primary (no heartbeat written, nothing to replicate: a restarted
 * primary acknowledges nothing while it is down), and a heartbeat written before the end does not
 * count: it may have been in flight. Without writer events the rule falls back to "moves past what the
 * standby showed at the fault". A fault whose injection failed (its end carries an error) proves no
 * recovery: unknown.
 */
function judgeKill(idx: HistoryIndex, f: FaultSpan, timeoutMs: number): KillRecovery {
  const rec: KillRecovery = {
    faultId: f.id,
    fault: f.name,
    startedAt: f.start.time,
    endedAt: f.end?.time ?? null,
    status: "unknown",
    recoveredAt: null,
    recoveryMs: null,
  };
  const aimedAt = f.start.standby;
  if (idx.standby !== undefined && aimedAt !== undefined && aimedAt !== idx.standby)
    return {
      ...rec,
      aimedAt,
      why: `${f.name} #${f.id} was aimed at standby ${aimedAt}, not injected into this one (standby ${idx.standby}): it proves no recovery here`,
    };
  const injectionError = f.start.error ?? f.end?.error;
  if (injectionError) return { ...rec, why: `${f.name} #${f.id} was not injected: ${injectionError}` };
  if (!f.end) return { ...rec, why: `${f.name} #${f.id} started but never ended` };
  const end = f.end.time;
  let baseline = Number.NEGATIVE_INFINITY;
  let clockFrom = end;
  if (idx.heartbeats.length > 0) {
    for (const h of idx.heartbeats) if (h.wallMs < end && h.hbSeq > baseline) baseline = h.hbSeq;
    const firstAck = idx.heartbeats.find((h) => h.hbSeq > baseline && h.outcome === "ok");
    if (!firstAck) return { ...rec, why: `${f.name} #${f.id}: no heartbeat was acknowledged after it ended` };
    clockFrom = Math.max(end, firstAck.time);
  } else {
    for (const o of idx.heartbeatObs) {
      if (o.time <= f.start.time && o.hbSeq !== null && o.hbSeq > baseline) baseline = o.hbSeq;
    }
  }
  const deadline = clockFrom + timeoutMs;
  let recoveredAt: number | undefined;
  let watchedPastDeadline = false;
  for (const o of idx.heartbeatObs) {
    if (o.invokeTime < end || o.error !== undefined) continue;
    if (o.hbSeq !== null && o.hbSeq > baseline) {
      recoveredAt = o.time;
      break;
    }
    if (o.invokeTime > deadline) watchedPastDeadline = true;
  }
  const base = Number.isFinite(baseline) ? String(baseline) : "none";
  if (recoveredAt !== undefined && recoveredAt <= deadline)
    return { ...rec, status: "recovered", recoveredAt, recoveryMs: recoveredAt - end };
  if (recoveredAt !== undefined || watchedPastDeadline) {
    return {
      ...rec,
      status: "late",
      recoveredAt: recoveredAt ?? null,
      recoveryMs: recoveredAt !== undefined ? recoveredAt - end : null,
      why: `${f.name} #${f.id}: the standby heartbeat did not move past ${base} within ${timeoutMs} ms of its end${recoveredAt !== undefined ? `, only after ${recoveredAt - end} ms` : ""}`,
    };
  }
  return {
    ...rec,
    why: `${f.name} #${f.id}: the standby was not read past the recovery deadline and its heartbeat had not moved past ${base}`,
  };
}

/** Every nemesis fault of the history, judged: shared by the checker and the report's recovery table. */
export function killRecoveries(history: HistorySource, timeoutMs: number): KillRecovery[] {
  const idx = indexHistory(history);
  return idx.faults.filter((f) => RECOVERY_FAULTS.has(f.name)).map((f) => judgeKill(idx, f, timeoutMs));
}

/** Checkpoint samples are ordered only when they do not overlap; each must not go below any earlier one. */
function judgeCheckpoints(
  idx: HistoryIndex,
  samples: readonly CheckpointObservation[],
  failures: EvidenceSample,
): number {
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
          kind: "checkpoint went back",
          pchannel: s.pchannel,
          faultId: s.faultId,
          message: `${s.pchannel}: checkpoint went back from ${prior.tt} (read by ${since(idx, prior.time)}) to ${tt ?? "none"} (read at ${since(idx, s.time)})`,
        });
      }
    }
    const last = ch.best[ch.best.length - 1] ?? null;
    ch.times.push(s.time);
    ch.best.push(tt !== null && (!last || tt > last.tt) ? { tt, time: s.time } : last);
  }
  return compared;
}

/** "kill-cdc 850 ms, partition 1.2 s" : the worst recovery per fault type, for the pass line. */
function recoverySummary(kills: readonly KillRecovery[]): string {
  const worst = new Map<string, number>();
  for (const k of kills)
    if (k.status === "recovered") worst.set(k.fault, Math.max(worst.get(k.fault) ?? 0, k.recoveryMs ?? 0));
  if (worst.size === 0) return "none recovered";
  return `worst after the end: ${[...worst].map(([f, ms]) => `${f} ${ms} ms`).join(", ")}`;
}

export function checkCheckpointRecovery(
  history: HistorySource,
  _final: unknown,
  ctx: CheckContext,
): CheckResult {
  const idx = indexHistory(history);
  const all = killRecoveries(history, ctx.thresholds.recoveryTimeoutMs);
  // A star: a fault aimed at another standby is listed in the report as unknown here, and judged there.
  const kills = all.filter((k) => k.aimedAt === undefined);
  const elsewhere = all.length - kills.length;
  const notHere = elsewhere > 0 ? `; ${elsewhere} fault(s) aimed at other standbys, none injected here` : "";
  if (kills.length === 0 && idx.checkpointObs.length === 0) {
    return skipped("checkpoint-recovery", "no faults and no checkpoint samples in the history");
  }
  const failures = new EvidenceSample();
  const blind = new EvidenceSample();
  let worst = 0;
  let recovered = 0;
  for (const k of kills) {
    const at = { opId: k.faultId, time: k.endedAt ?? k.startedAt, message: k.why ?? "" };
    if (k.status === "recovered") {
      recovered += 1;
      worst = Math.max(worst, k.recoveryMs ?? 0);
    } else if (k.status === "late") failures.add({ ...at, kind: "late recovery" });
    else blind.add(at);
  }
  const compared = judgeCheckpoints(idx, idx.checkpointObs, failures);
  const sampleErrors = idx.checkpointObs.filter((s) => s.error !== undefined);
  if (compared === 0) {
    blind.add({
      message:
        sampleErrors.length > 0
          ? `no two checkpoint samples could be compared (${sampleErrors.length} sample(s) failed, first: ${sampleErrors[0]?.error})`
          : "no two checkpoint samples could be compared",
    });
  }
  return judge("checkpoint-recovery", {
    failures,
    blind,
    observed: recovered + compared,
    tooFew: "no fault recovered and no checkpoint could be compared",
    // With no fault in the run the pass rests on the checkpoint comparisons alone: say so, not "0/0 recovered".
    passSummary:
      kills.length === 0
        ? `no fault ${elsewhere > 0 ? "reached this standby" : "in this run"} (nothing to recover from); ${compared} checkpoint comparison(s), none moved back${notHere}`
        : `${recovered}/${kills.length} fault(s) recovered (${recoverySummary(kills)}); ${compared} checkpoint comparison(s), none moved back${notHere}`,
    stats: {
      kills: kills.length,
      recovered,
      worstRecoveryMs: worst,
      checkpointComparisons: compared,
      checkpointSampleErrors: sampleErrors.length,
      ...(elsewhere > 0 ? { aimedElsewhere: elsewhere } : {}),
    },
  });
}
