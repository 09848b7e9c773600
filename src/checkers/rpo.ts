import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistorySource, indexHistory } from "./history-index.js";
import type { CheckContext, CheckResult, FinalState } from "./types.js";

/**
 * Recovery point: what the new primary inherited against what the old one acknowledged before the cut.
 * Switchover: nothing may be lost (RPO 0 is what a planned role change promises). Failover: a loss is
 * allowed only from the last `thresholds.rpoMs` before the primary was lost, and every lost write is
 * named either way.
 */
export function checkRpo(history: HistorySource, _final: FinalState, ctx: CheckContext): CheckResult {
  const rc = indexHistory(history).roleChange;
  if (!rc) return skipped("rpo", "no role change in this run");
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  const named = new EvidenceSample();
  const bound = rc.kind === "switchover" ? 0 : ctx.thresholds.rpoMs;
  for (const { write, shown } of rc.lost) {
    const ageMs = rc.cutAt - write.completeTime;
    const e = {
      collection: write.collection,
      pk: write.pk,
      opId: write.opId,
      time: write.completeTime,
      ageMs,
      message: `${write.collection}: acknowledged ${write.kind} op ${write.opId} (key ${write.pk} ver ${write.ver}, acknowledged ${ageMs} ms before the ${rc.kind === "failover" ? "primary was lost" : "writes stopped"}) is not on the new primary (${shown === null ? "key absent" : `ver ${shown}`})`,
    };
    named.add(e);
    if (rc.kind === "switchover" || ageMs > bound) failures.add(e);
  }
  for (const what of rc.unobserved) {
    unknowns.add({ message: `${what}: the new primary was not read right after the role change` });
  }
  const stats = {
    lostWrites: rc.lost.length,
    keysRead: rc.keysRead,
    ...(rc.windowMs !== null ? { windowMs: rc.windowMs } : {}),
    boundMs: bound,
  };
  const passSummary =
    rc.lost.length === 0
      ? `no acknowledged write lost (${rc.keysRead} key(s) read on the new primary)`
      : `${rc.lost.length} acknowledged write(s) lost, all from the last ${bound} ms before the primary was lost`;
  const result = judge("rpo", {
    failures,
    blind: unknowns,
    observed: rc.keysRead + rc.lost.length,
    tooFew: "no acknowledged write before the role change was read on the new primary",
    passSummary,
    stats,
  });
  // A tolerated loss is still a loss: name every lost write.
  if (result.verdict === "pass" && named.total > 0) {
    result.evidence = named.items;
    result.evidenceTotal = named.total;
  }
  return result;
}
