import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistorySource, indexHistory } from "./history-index.js";
import type { CheckContext, CheckResult, FinalState } from "./types.js";

/** Recovery time: from writes stopped (switchover) or primary lost (failover) to the first write the new primary acknowledged. */
export function checkRto(history: HistorySource, _final: FinalState, ctx: CheckContext): CheckResult {
  const rc = indexHistory(history).roleChange;
  if (!rc) return skipped("rto", "no role change in this run");
  const bound = ctx.thresholds.rtoMs;
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  const first = rc.steps.get("first-write");
  const opId = typeof first?.detail?.opId === "number" ? first.detail.opId : undefined;
  if (rc.rtoMs !== null) {
    if (rc.rtoMs > bound) {
      failures.add({
        time: rc.firstWriteAt ?? undefined,
        ...(opId !== undefined ? { opId } : {}),
        message: `the new primary acknowledged its first write ${rc.rtoMs} ms after the ${rc.kind === "failover" ? "primary was lost" : "writes stopped"}, over the ${bound} ms bound`,
      });
    }
  } else if (first && first.time - rc.rtoFrom > bound) {
    // It never took a write, and the drill waited past the bound: a definite miss.
    failures.add({
      time: first.time,
      message: `no write was acknowledged by the new primary within ${first.time - rc.rtoFrom} ms (bound ${bound} ms): ${first.error ?? "no answer"}`,
    });
  } else {
    unknowns.add({
      message: first
        ? `the first write on the new primary was not acknowledged (${first.error ?? "no answer"}), and the drill gave up before the bound`
        : "no write was sent to the new primary",
    });
  }
  return judge("rto", {
    failures,
    blind: unknowns,
    // One observation: the first write's acknowledgement (or the bound passing without one).
    observed: rc.rtoMs !== null || failures.total > 0 ? 1 : 0,
    tooFew: "no write was acknowledged by the new primary",
    passSummary: `first write on the new primary acknowledged ${rc.rtoMs} ms after the ${rc.kind === "failover" ? "primary was lost" : "writes stopped"} (bound ${bound} ms)`,
    stats: rc.rtoMs !== null ? { rtoMs: rc.rtoMs, boundMs: bound } : { boundMs: bound },
  });
}
