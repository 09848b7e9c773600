import type { HistoryEvent } from "../history/types.js";
import { EvidenceSample, resultOf, skipped } from "./evidence.js";
import type { CheckResult, FinalState } from "./types.js";

/** A standby that never catches up is a failed drill, not an unknown one (checks.md). */
export function checkCatchUp(_history: readonly HistoryEvent[], final: FinalState): CheckResult {
  const cu = final.catchUp;
  if (!cu) return skipped("catch-up", "no catch-up phase ran");
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  if (!cu.caughtUp) {
    failures.add({
      message: `the standby did not catch up within ${cu.timeoutMs} ms; still waiting for ${cu.waitingFor ?? "(not recorded)"}`,
      timeoutMs: cu.timeoutMs,
    });
  } else if (cu.catchUpMs !== null && cu.catchUpMs > cu.timeoutMs) {
    failures.add({ message: `catch-up took ${cu.catchUpMs} ms, over the ${cu.timeoutMs} ms timeout` });
  }
  const stats: Record<string, number> = { timeoutMs: cu.timeoutMs };
  if (cu.catchUpMs !== null) stats.catchUpMs = cu.catchUpMs;
  return resultOf("catch-up", failures, unknowns, `caught up in ${cu.catchUpMs ?? "?"} ms`, stats);
}
