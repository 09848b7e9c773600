import { EvidenceSample, judge, skipped } from "./evidence.js";
import {
  afterDrop,
  type HistorySource,
  indexHistory,
  type KeyWrite,
  keyWrites,
  mayBeDeletedAfter,
  since,
  writeAt,
} from "./history-index.js";
import { standbyUnreadable } from "./reads.js";
import type { CheckResult } from "./types.js";

/** The newest acknowledged write of a key that completed before t. */
function lastAckedBefore(writes: readonly KeyWrite[], t: number): KeyWrite | undefined {
  let best: KeyWrite | undefined;
  for (const w of writes) {
    if (w.outcome === "ok" && w.completeTime < t && (!best || w.ver > best.ver)) best = w;
  }
  return best;
}

/**
 * Jepsen's causal-reverse rule, per collection (a single-shard collection lives on one physical channel,
 * the only scope in which CDC keeps order): if a standby read shows write w, every write to the same
 * collection acknowledged before w was invoked must show too, for the keys that read looked at.
 * A keys observation is one query, so it is a snapshot of the standby; comparing keys across two
 * observations would not be sound.
 */
export function checkPrefix(history: HistorySource): CheckResult {
  const idx = indexHistory(history);
  const failures = new EvidenceSample();
  const multiShard = new Set<string>();
  let batches = 0;
  let failedReads = 0;
  for (const obs of idx.targetKeyObs) {
    if (obs.error !== undefined) {
      failedReads += 1;
      continue;
    }
    // Judged up to its drop: after the drill dropped a collection, absence is by design.
    if (afterDrop(idx, obs.collection, obs.invokeTime)) continue;
    const shards = idx.header?.collections[obs.collection]?.shards ?? 1;
    if (shards > 1) {
      multiShard.add(obs.collection);
      continue;
    }
    // Of the writes this read shows, the one invoked last demands the most: everything acked before it.
    let anchor: KeyWrite | undefined;
    for (const r of obs.reads) {
      if (r.ver === null) continue;
      const w = writeAt(keyWrites(idx, obs.collection, r.pk), r.ver);
      if (w && w.outcome !== "fail" && (!anchor || w.invokeTime > anchor.invokeTime)) anchor = w;
    }
    if (!anchor) continue;
    batches += 1;
    for (const r of obs.reads) {
      const writes = keyWrites(idx, obs.collection, r.pk);
      const need = lastAckedBefore(writes, anchor.invokeTime);
      if (!need) continue;
      const visible =
        r.ver !== null ? r.ver >= need.ver : need.kind === "delete" || mayBeDeletedAfter(writes, need.ver);
      if (visible) continue;
      failures.add({
        collection: obs.collection,
        pk: r.pk,
        opId: need.opId,
        time: obs.time,
        shownOpId: anchor.opId,
        kind: "hole",
        message: `${obs.collection}: the standby read at ${since(idx, obs.time)} shows op ${anchor.opId} (key ${anchor.pk} ver ${anchor.ver}, invoked at ${since(idx, anchor.invokeTime)}) but not op ${need.opId} (key ${r.pk} ver ${need.ver}, acknowledged at ${since(idx, need.completeTime)}); it read ${r.ver === null ? "the key absent" : `ver ${r.ver}`}`,
      });
    }
  }
  if (batches === 0 && multiShard.size > 0) {
    return skipped(
      "prefix",
      `only multi-shard collections were read (${[...multiShard].join(", ")}); order holds per channel only`,
    );
  }
  return judge("prefix", {
    failures,
    blind: batches === 0 ? standbyUnreadable(idx.targetKeyObs) : undefined,
    observed: batches,
    tooFew: "no standby snapshot showed a write to compare against the history",
    passSummary: `${batches} standby snapshot(s) were prefixes of the primary's history`,
    stats: { batches, failedReads, multiShardCollections: multiShard.size, violations: failures.total },
  });
}
