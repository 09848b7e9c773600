import { EvidenceSample, judge, skipped } from "./evidence.js";
import {
  type HistorySource,
  indexHistory,
  type KeyWrite,
  mayBeDeletedAfter,
  writeAt,
} from "./history-index.js";
import type { CheckResult, FinalState } from "./types.js";

/**
 * Judges one key's final state on the primary against its writes. Returns the violation or undefined.
 * Only acknowledged (ok) writes constrain the state; an info write widens what is allowed and a fail
 * write must never show.
 */
export function judgeSourceKey(writes: readonly KeyWrite[], actual: number | undefined): string | undefined {
  let lastOk: KeyWrite | undefined;
  for (const w of writes) if (w.outcome === "ok" && (!lastOk || w.ver > lastOk.ver)) lastOk = w;
  if (actual === undefined) {
    if (!lastOk || lastOk.kind === "delete") return undefined;
    if (mayBeDeletedAfter(writes, lastOk.ver)) return undefined;
    return `acknowledged ${lastOk.kind} op ${lastOk.opId} (ver ${lastOk.ver}) is missing: the key is absent`;
  }
  const shown = writeAt(writes, actual);
  if (!shown) return `the key is at ver ${actual}, which no write in the history produced`;
  if (shown.outcome === "fail")
    return `the key is at ver ${actual}, written by op ${shown.opId} that was reported failed`;
  if (shown.kind === "delete")
    return `the key is present at ver ${actual}, the version of delete op ${shown.opId}`;
  if (lastOk && actual < lastOk.ver) {
    return `acknowledged ${lastOk.kind} op ${lastOk.opId} (ver ${lastOk.ver}) is missing: the key is at older ver ${actual}`;
  }
  return undefined;
}

/**
 * Every acknowledged write must be on the primary. A failure here means the primary lost data, which is
 * not a replication fault: the summary says so, so nobody chases the CDC for it. A collection the drill
 * itself dropped (and that is gone from the primary at the end) lost its rows by design: not judged.
 */
export function checkPrimarySanity(history: HistorySource, final: FinalState): CheckResult {
  const idx = indexHistory(history);
  if (idx.writes.size === 0) return skipped("primary-sanity", "the history holds no writes");
  const failures = new EvidenceSample();
  const blind = new EvidenceSample();
  let keysChecked = 0;
  let droppedCollections = 0;
  if (!final.sourceReachable) blind.add({ message: "the primary could not be read at the end" });
  for (const [collection, perKey] of idx.writes) {
    const cf = final.collections.find((c) => c.name === collection);
    const goneOnPrimary = !cf || (cf.source.reachable && cf.source.exists === false);
    if (idx.dropped.has(collection) && goneOnPrimary) {
      droppedCollections += 1;
      continue;
    }
    if (!cf) {
      blind.add({ collection, message: `${collection}: written by the drill but not in the final state` });
      continue;
    }
    if (!cf.source.reachable) {
      blind.add({
        collection,
        message: `${collection}: the primary could not be scanned (${cf.source.error ?? "unreachable"})`,
      });
      continue;
    }
    if (cf.source.rowsUnread !== undefined) {
      blind.add({
        collection,
        message: `${collection}: the primary's rows were not read (${cf.source.rowsUnread})`,
      });
      continue;
    }
    if (Object.keys(cf.source.versions).length === 0 && (cf.source.distinctKeys ?? 0) > 0) {
      blind.add({ collection, message: `${collection}: the primary scan did not record versions` });
      continue;
    }
    for (const [pk, writes] of perKey) {
      keysChecked += 1;
      const problem = judgeSourceKey(writes, cf.source.versions[pk]);
      if (problem) {
        failures.add({
          collection,
          pk,
          opId: writes[writes.length - 1]?.opId,
          kind: "lost on the primary",
          message: `${collection}: key ${pk}: ${problem}`,
        });
      }
    }
  }
  const dropNote =
    droppedCollections > 0 ? ` (${droppedCollections} collection(s) dropped by the drill not judged)` : "";
  const result = judge("primary-sanity", {
    failures,
    blind,
    observed: keysChecked,
    tooFew: "no written key could be looked up on the primary",
    passSummary: `all acknowledged writes of ${keysChecked} key(s) are on the primary${dropNote}`,
    stats: { keysChecked, droppedCollections, violations: failures.total },
  });
  if (result.verdict === "fail")
    result.summary = `the PRIMARY lost data (not a replication fault): ${result.summary}`;
  return result;
}
