import { checkCapacity } from "./capacity.js";
import { checkCatchUp } from "./catch-up.js";
import { checkCheckpointRecovery } from "./checkpoint-recovery.js";
import { checkDuplicates } from "./duplicates.js";
import { checkFailoverPrefix } from "./failover-prefix.js";
import { type HistorySource, indexHistory } from "./history-index.js";
import { checkLag } from "./lag.js";
import { checkLagMetric } from "./lag-metric.js";
import { checkMonotonicReads } from "./monotonic-reads.js";
import { checkParity } from "./parity.js";
import { checkPrefix } from "./prefix.js";
import { checkPrimarySanity } from "./primary-sanity.js";
import { checkPromotion } from "./promotion.js";
import { checkReverseParity } from "./reverse-parity.js";
import { checkRpo } from "./rpo.js";
import { checkRto } from "./rto.js";
import { checkSearchParity } from "./search-parity.js";
import { checkSeedAlignment } from "./seed-alignment.js";
import { checkStandbyReadOnly } from "./standby-read-only.js";
import {
  HEARTBEAT_PER_STANDBY_CHECKS,
  mergeStandbys,
  PER_STANDBY_CHECKS,
  ROLE_CHANGE_PER_STANDBY_CHECKS,
  repointedHistory,
  standbyFinal,
  standbyHistory,
} from "./star.js";
import type { CheckContext, Checker, CheckName, CheckResult, FinalState, Verdict } from "./types.js";

export { computeMetrics, MAX_LAG_POINTS } from "./metrics.js";
export { percentile } from "./stats.js";

/** In report order: state first (what is wrong now), then history (how it went wrong), then timing. */
export const CHECKERS: ReadonlyArray<readonly [CheckName, Checker]> = [
  ["parity", checkParity],
  ["duplicates", checkDuplicates],
  ["primary-sanity", checkPrimarySanity],
  ["monotonic-reads", checkMonotonicReads],
  ["prefix", checkPrefix],
  ["checkpoint-recovery", checkCheckpointRecovery],
  ["standby-read-only", checkStandbyReadOnly],
  ["search-parity", checkSearchParity],
  ["lag", checkLag],
  ["catch-up", checkCatchUp],
  // Milvus's own lag metric against the heartbeat; skipped when the backend offers no metrics endpoint.
  ["lag-metric", checkLagMetric],
  // Role changes (scenarios switchover and failover); skipped in a plain replication drill.
  ["rpo", checkRpo],
  ["rto", checkRto],
  ["promotion", checkPromotion],
  ["failover-prefix", checkFailoverPrefix],
  ["reverse-parity", checkReverseParity],
  // Scenario seed: the standby seeded from a backup; skipped otherwise.
  ["seed-alignment", checkSeedAlignment],
  // Scenario capacity: the ramp found a rate the standby sustains; skipped in other scenarios.
  ["capacity", checkCapacity],
];

/** Runs every checker (or only those named in `only`), in the fixed order of CHECKERS. */
export function runCheckers(
  history: HistorySource,
  final: FinalState,
  ctx: CheckContext,
  only?: readonly CheckName[],
): CheckResult[] {
  return CHECKERS.filter(([name]) => !only || only.includes(name)).map(([name, check]) => {
    const result = runOne(name, check, history, final, ctx);
    const star = final.star;
    if (!star) return result;
    // A star: every check that judges a standby judges each one.
    if (PER_STANDBY_CHECKS.includes(name))
      return mergeStandbys([
        [star.first, result],
        ...star.others.map(
          (o) => [o.clusterId, runOne(name, check, history, standbyFinal(final, o), ctx)] as const,
        ),
      ]);
    if (HEARTBEAT_PER_STANDBY_CHECKS.includes(name)) {
      // Each standby on its own reads and final state, the first included (faults aimed elsewhere marked).
      const idx = indexHistory(history);
      return mergeStandbys([
        [star.first, runOne(name, check, standbyHistory(idx, star.first, 1), final, ctx)],
        ...star.others.map(
          (o, i) =>
            [
              o.clusterId,
              runOne(name, check, standbyHistory(idx, o.clusterId, i + 2), standbyFinal(final, o), ctx),
            ] as const,
        ),
      ]);
    }
    // A star's role change: the new primary (failover-prefix) or the old primary (reverse-parity) as the
    // pair judges it, and each re-pointed standby on its own.
    const repointed = star.others.filter((o) => o.reverse);
    if (
      ROLE_CHANGE_PER_STANDBY_CHECKS.includes(name) &&
      repointed.length > 0 &&
      result.verdict !== "skipped"
    ) {
      const idx = indexHistory(history);
      const own = name === "failover-prefix" ? idx.roleChange?.newPrimary : final.reverse?.target;
      return mergeStandbys([
        [own ?? star.first, result],
        ...repointed.map(
          (o) =>
            [
              o.clusterId,
              name === "failover-prefix"
                ? runOne(name, check, repointedHistory(idx, o.clusterId), final, ctx)
                : runOne(name, check, history, standbyFinal(final, o), ctx),
            ] as const,
        ),
      ]);
    }
    return result;
  });
}

function runOne(
  name: CheckName,
  check: Checker,
  history: HistorySource,
  final: FinalState,
  ctx: CheckContext,
): CheckResult {
  try {
    return check(history, final, ctx);
  } catch (e) {
    // A checker that crashed proved nothing; say so instead of losing the other verdicts.
    const message = e instanceof Error ? e.message : String(e);
    return {
      name,
      verdict: "unknown",
      reason: `checker crashed: ${message}`,
      summary: `checker crashed: ${message}`,
      evidence: [{ message }],
      evidenceTotal: 1,
      observed: 0,
    };
  }
}

/** fail > unknown > pass; skipped never counts, and a run where every check was skipped proved nothing. */
export function combineVerdicts(results: readonly CheckResult[]): Verdict {
  const verdicts = results.map((r) => r.verdict).filter((v) => v !== "skipped");
  if (verdicts.length === 0) return "unknown";
  if (verdicts.includes("fail")) return "fail";
  if (verdicts.includes("unknown")) return "unknown";
  return "pass";
}
