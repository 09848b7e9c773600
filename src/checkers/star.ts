/**
 * A star (topology.standbys > 1, issue 25): one primary, several standbys, each its own failure domain.
 * The checks that judge a standby's final state run once per standby; their verdict is the worst of the
 * standbys', and `standbys` keeps each one's verdict and evidence. The checks that judge a standby
 * through the drill's monitor (heartbeat reads, probes, checkpoints) watch the first standby only: they
 * name that one standby, so a report never claims a standby it did not watch.
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

/** Judged on every standby's own heartbeat reads and checkpoints (the monitor reads each standby's). */
export const HEARTBEAT_PER_STANDBY_CHECKS: readonly CheckName[] = ["lag", "checkpoint-recovery"];

/** Judged through what the monitor reads on the first standby only (so they name only that one). */
export const FIRST_STANDBY_CHECKS: readonly CheckName[] = [
  "monotonic-reads",
  "prefix",
  "standby-read-only",
  "lag-metric",
];

/**
 * The history as lag and checkpoint-recovery read it, with a further standby's heartbeat reads and
 * checkpoint samples in the first's place (the faults and the heartbeats written are the primary's).
 */
export function standbyHistory(idx: HistoryIndex, clusterId: string): HistoryIndex {
  return {
    ...idx,
    heartbeatObs: idx.standbyHeartbeatObs[clusterId] ?? [],
    checkpointObs: idx.standbyCheckpointObs[clusterId] ?? [],
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
  return { ...idx, roleChange: roleChangeFacts(idx.writes, idx.steps, snaps, idx.dropped) };
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

/** One check's results, one per standby (cluster id, result; the first standby first), as one result. */
export function mergeStandbys(parts: ReadonlyArray<readonly [string, CheckResult]>): CheckResult {
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
