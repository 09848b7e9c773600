/**
 * A star (topology.standbys > 1, issue 25): one primary, several standbys, each its own failure domain.
 * Every check that judges a standby runs once per standby, on that standby's final state and on what the
 * monitor read there (heartbeats, key probes, checkpoints, write probes); its verdict is the worst of
 * the standbys', and `standbys` keeps each one's verdict and evidence. A fault aimed at one standby (the
 * nemesis' restart-standby, partition, delay) counts for that standby only: elsewhere it was never
 * injected and proves no recovery. lag-metric judges each standby on its own edge's series of the
 * primary's CDC metrics (target_channel_name names the standby; src/monitor/prom.ts metricLag).
 */

import type { HistoryIndex } from "./history-index.js";
import { roleChangeFacts } from "./role-change.js";
import {
  type CheckName,
  type CheckResult,
  type Evidence,
  type FinalState,
  MAX_EVIDENCE,
  type StandbyFinal,
  type StandbyVerdict,
  type Verdict,
} from "./types.js";

/** Judged on every standby's final state. */
export const PER_STANDBY_CHECKS: readonly CheckName[] = ["parity", "duplicates", "search-parity", "catch-up"];

/**
 * Judged on every standby's own monitor reads (heartbeats, checkpoints, key probes, write probes: the
 * monitor and the probe phase read each standby) and its own final state.
 */
export const HEARTBEAT_PER_STANDBY_CHECKS: readonly CheckName[] = [
  "lag",
  "checkpoint-recovery",
  "monotonic-reads",
  "prefix",
  "standby-read-only",
  "lag-metric",
];

/**
 * The history as one standby's checks read it: standby k (1-based) of the star, whose cluster id is
 * `clusterId`. A further standby's heartbeat reads, checkpoint samples, key reads and write probes take
 * the first's place (the faults and the writes are the primary's); the first keeps its own (obs without
 * `cluster`). Faults aimed at another standby are marked as not injected here (`standby`).
 */
export function standbyHistory(idx: HistoryIndex, clusterId: string, k: number): HistoryIndex {
  const probes = idx.probes.filter((p) => {
    const v = p.invoke.value;
    const on = v.f === "probe-standby-write" ? v.cluster : undefined;
    return k === 1 ? on === undefined || on === clusterId : on === clusterId;
  });
  if (k === 1) return { ...idx, probes, standby: 1 };
  return {
    ...idx,
    heartbeatObs: idx.standbyHeartbeatObs[clusterId] ?? [],
    lagMetricObs: idx.standbyLagMetricObs[clusterId] ?? [],
    checkpointObs: idx.standbyCheckpointObs[clusterId] ?? [],
    targetKeyObs: idx.standbyKeyObs[clusterId] ?? [],
    probes,
    standby: k,
  };
}

/**
 * A star's role change, judged per standby (issue 25): failover-prefix on what each re-pointed standby
 * held when the primary was lost (its "repointed" snapshots), reverse-parity on each one compared with the
 * new primary once it replicated from it. The pair's own result names the new primary (failover-prefix)
 * or the old primary (reverse-parity).
 */
export const ROLE_CHANGE_PER_STANDBY_CHECKS: readonly CheckName[] = ["failover-prefix", "reverse-parity"];

/** The history as failover-prefix reads it, with a re-pointed standby's snapshots in the new primary's place. */
export function repointedHistory(idx: HistoryIndex, clusterId: string): HistoryIndex {
  const snaps = idx.snapshots
    .filter((s) => s.label === "repointed" && s.cluster === clusterId)
    .map((s) => ({ ...s, label: "promoted" as const }));
  const rc = roleChangeFacts(idx.writes, idx.steps, snaps, idx.dropped);
  return { ...idx, roleChange: rc ? { ...rc, subject: "the re-pointed standby" } : rc };
}

/** The final state as the pair's checkers read it, with a further standby in the target's place. */
export function standbyFinal(final: FinalState, other: StandbyFinal): FinalState {
  const { star: _star, reverse: _reverse, seed: _seed, ...rest } = final;
  return {
    ...rest,
    ...(other.reverse ? { reverse: other.reverse } : {}),
    collections: other.collections,
    search: other.search,
    targetReachable: other.targetReachable,
    catchUp: other.catchUp,
  };
}

export function standbyVerdict(r: CheckResult): StandbyVerdict {
  return {
    verdict: r.verdict,
    summary: r.summary,
    evidence: r.evidence,
    evidenceTotal: r.evidenceTotal,
    observed: r.observed,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.stats !== undefined ? { stats: r.stats } : {}),
  };
}

const RANK: Record<Verdict, number> = { skipped: 0, pass: 1, unknown: 2, fail: 3 };

/** fail > unknown > pass, skipped only when every standby's was. */
function worst(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((w, v) => (RANK[v] > RANK[w] ? v : w), "skipped");
}

/**
 * A standby on which a check observed nothing while it judged another (no probe, no read there): unknown
 * on that standby, never a skip that lets the others' pass stand for it.
 */
function unwatched(r: CheckResult): CheckResult {
  const reason = `nothing observed on this standby while the others were judged (${r.reason ?? r.summary})`;
  return { ...r, verdict: "unknown", reason, summary: reason };
}

/** One check's results, one per standby (cluster id, result; the first standby first), as one result. */
export function mergeStandbys(given: ReadonlyArray<readonly [string, CheckResult]>): CheckResult {
  const judged = given.some(([, r]) => r.verdict !== "skipped");
  const parts = given.map(([id, r]) => [id, judged && r.verdict === "skipped" ? unwatched(r) : r] as const);
  const first = parts[0]?.[1];
  if (!first) throw new Error("mergeStandbys: no standby to merge");
  const verdict = worst(parts.map(([, r]) => r.verdict));
  // The standbys that decided the verdict first, each summary named after its standby.
  const ordered = [...parts].sort(([, a], [, b]) => RANK[b.verdict] - RANK[a.verdict]);
  const evidence: Evidence[] = [];
  for (const [id, r] of ordered)
    for (const e of r.evidence) if (evidence.length < MAX_EVIDENCE) evidence.push({ ...e, standby: id });
  // Each figure at its worst standby (the last to catch up, the most rows lost); each standby's own in `standbys`.
  const stats: Record<string, number> = {};
  for (const [, r] of parts)
    for (const [k, v] of Object.entries(r.stats ?? {})) stats[k] = Math.max(stats[k] ?? v, v);
  const reasons = ordered
    .filter(([, r]) => r.verdict === "unknown" && r.reason)
    .map(([id, r]) => `${id}: ${r.reason}`);
  return {
    name: first.name,
    verdict,
    summary: ordered.map(([id, r]) => `${id} ${r.verdict}: ${r.summary}`).join("; "),
    evidence,
    evidenceTotal: parts.reduce((n, [, r]) => n + r.evidenceTotal, 0),
    observed: parts.reduce((n, [, r]) => n + r.observed, 0),
    ...(verdict === "unknown" && reasons.length > 0 ? { reason: reasons.join("; ") } : {}),
    ...(Object.keys(stats).length > 0 ? { stats } : {}),
    standbys: Object.fromEntries(parts.map(([id, r]) => [id, standbyVerdict(r)])),
  };
}
