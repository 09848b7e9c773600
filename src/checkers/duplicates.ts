import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistorySource, indexHistory } from "./history-index.js";
import type { CheckResult, FinalState, SideFinal } from "./types.js";

/**
 * A replayed insert is invisible to a key-set comparison (a query returns the key once) but count(*)
 * counts both rows, so count(*) - distinct keys must be 0 on each side of each collection.
 */
export function checkDuplicates(history: HistorySource, final: FinalState): CheckResult {
  // The drill wrote data and then compared nothing: blindness (unknown), not a check that does not apply.
  if (final.collections.length === 0 && indexHistory(history).writes.size === 0)
    return skipped("duplicates", "no collections were compared");
  const failures = new EvidenceSample();
  const blind = new EvidenceSample();
  let duplicateRows = 0;
  let sides = 0;
  for (const c of final.collections) {
    for (const [side, s] of [
      ["primary", c.source],
      ["standby", c.target],
    ] as Array<[string, SideFinal]>) {
      if (!s.reachable || s.count === null || s.distinctKeys === null) {
        blind.add({
          collection: c.name,
          side,
          message: `${c.name}: count(*) or the distinct keys were not read on the ${side}${s.error ? ` (${s.error})` : ""}`,
        });
        continue;
      }
      sides += 1;
      const extra = s.count - s.distinctKeys;
      if (extra > 0) {
        duplicateRows += extra;
        failures.add({
          collection: c.name,
          side,
          kind: "duplicated",
          count: s.count,
          distinctKeys: s.distinctKeys,
          message: `${c.name}: ${extra} duplicate row(s) on the ${side} (count(*) ${s.count}, distinct keys ${s.distinctKeys})`,
        });
      } else if (extra < 0) {
        // Fewer rows than keys cannot be a duplicate: the count and the scan saw different data.
        blind.add({
          collection: c.name,
          side,
          message: `${c.name}: count(*) ${s.count} is below the ${s.distinctKeys} distinct keys scanned on the ${side}`,
        });
      }
    }
  }
  return judge("duplicates", {
    failures,
    blind,
    observed: sides,
    tooFew: "count(*) and the distinct keys were read on no side",
    passSummary: `no duplicate rows on ${sides} side(s)`,
    stats: { duplicateRows, sides },
  });
}
