import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistorySource, indexHistory } from "./history-index.js";
import type { CheckResult, FinalState } from "./types.js";

/**
 * The way back: once replication ran from the new primary to the demoted (or rebuilt) cluster, both
 * held the same rows, every one, field by field. Compared before any switch back, so a fault in the
 * reverse direction cannot hide behind the forward one.
 */
export function checkReverseParity(history: HistorySource, final: FinalState): CheckResult {
  const rc = indexHistory(history).roleChange;
  if (!rc) return skipped("reverse-parity", "no role change in this run");
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  const rev = final.reverse;
  if (!rev) {
    unknowns.add({ message: "the clusters were not compared after replication ran the other way" });
    return judge("reverse-parity", {
      failures,
      blind: unknowns,
      observed: 0,
      tooFew: "no collection was compared on the way back",
      passSummary: "",
    });
  }
  let rows = 0;
  let compared = 0;
  for (const c of rev.collections) {
    if (!c.source.reachable || !c.target.reachable) {
      unknowns.add({
        collection: c.name,
        message: `${c.name}: could not be read on ${c.source.reachable ? rev.target : rev.source} (${(c.source.reachable ? c.target.error : c.source.error) ?? "unreachable"})`,
      });
      continue;
    }
    rows += c.rowsCompared;
    compared += 1;
    for (const pk of c.onlySource)
      failures.add({
        collection: c.name,
        pk,
        message: `${c.name}: key ${pk} is on ${rev.source} but not on ${rev.target}`,
      });
    for (const pk of c.onlyTarget)
      failures.add({
        collection: c.name,
        pk,
        message: `${c.name}: key ${pk} is on ${rev.target} but not on ${rev.source}`,
      });
    for (const m of c.mismatched)
      failures.add({
        collection: c.name,
        pk: m.pk,
        message: `${c.name}: key ${m.pk} differs between ${rev.source} and ${rev.target} in ${m.fields.join(", ")}`,
      });
    // Beyond the compared sample the totals still count.
    failures.total +=
      c.onlySourceTotal -
      c.onlySource.length +
      (c.onlyTargetTotal - c.onlyTarget.length) +
      (c.mismatchedTotal - c.mismatched.length);
    if (c.source.count !== c.target.count) {
      failures.add({
        collection: c.name,
        message: `${c.name}: count(*) is ${c.source.count} on ${rev.source} and ${c.target.count} on ${rev.target}`,
      });
    }
  }
  return judge("reverse-parity", {
    failures,
    blind: unknowns,
    observed: compared,
    tooFew: "no collection was compared on the way back",
    passSummary: `${rev.source} -> ${rev.target}: ${rev.collections.length} collection(s), ${rows} row(s) equal`,
    stats: { collections: rev.collections.length, rowsCompared: rows },
  });
}
