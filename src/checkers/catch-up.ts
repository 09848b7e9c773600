import { EvidenceSample, judge, skipped } from "./evidence.js";
import type { HistorySource } from "./history-index.js";
import type { CheckResult, FinalState } from "./types.js";

/**
 * A standby that never catches up is a failed drill, not an unknown one (checks.md) — provided the
 * drill could read it: a standby that answered no read while the drill waited proves nothing either way.
 */
export function checkCatchUp(_history: HistorySource, final: FinalState): CheckResult {
  const cu = final.catchUp;
  if (!cu) return skipped("catch-up", "no catch-up phase ran");
  const failures = new EvidenceSample();
  const blind = new EvidenceSample();
  // Final states written before the read count existed: a catch-up is itself one successful read.
  const reads = cu.standbyReads ?? (cu.caughtUp ? 1 : 0);
  if (!cu.caughtUp && reads === 0) {
    blind.add({
      message: `standby unreadable: no read of the standby succeeded in ${cu.timeoutMs} ms of waiting (${cu.waitingFor ?? "nothing recorded"})`,
    });
  } else if (!cu.caughtUp) {
    failures.add({
      kind: "not caught up",
      message: `the standby did not catch up within ${cu.timeoutMs} ms; still waiting for ${cu.waitingFor ?? "(not recorded)"}`,
      timeoutMs: cu.timeoutMs,
    });
  } else if (cu.catchUpMs === null) {
    blind.add({ message: "the catch-up was not timed" });
  } else if (cu.catchUpMs > cu.timeoutMs) {
    failures.add({
      kind: "too slow",
      message: `catch-up took ${cu.catchUpMs} ms, over the ${cu.timeoutMs} ms timeout`,
    });
  }
  const stats: Record<string, number> = { timeoutMs: cu.timeoutMs, standbyReads: reads };
  if (cu.catchUpMs !== null) stats.catchUpMs = cu.catchUpMs;
  return judge("catch-up", {
    failures,
    blind,
    observed: reads,
    tooFew: "the standby was never read while waiting for it to catch up",
    passSummary: `caught up in ${cu.catchUpMs ?? "?"} ms`,
    stats,
  });
}
