import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistorySource, indexHistory, type KeyWrite, keyWrites, writeAt } from "./history-index.js";
import { holds } from "./role-change.js";
import type { CheckResult } from "./types.js";

/**
 * After a failover the promoted standby must hold, per channel (a collection lives on one channel), a
 * prefix of what the old primary acknowledged: no holes (a write missing while a later one shows), no
 * zombies (a version no write produced, or one reported failed), no duplicates (count(*) above the keys
 * present). Losing the tail is allowed here; how much tail is the rpo check's business.
 */
export function checkFailoverPrefix(history: HistorySource): CheckResult {
  const idx = indexHistory(history);
  const rc = idx.roleChange;
  if (!rc || rc.kind !== "failover") return skipped("failover-prefix", "no failover in this run");
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  const who = rc.subject ?? "the promoted standby";
  for (const what of rc.unobserved) {
    if (!what.includes(" key ")) unknowns.add({ collection: what, message: `${what}: not read on ${who}` });
  }
  let channels = 0;
  let keys = 0;
  for (const snap of rc.snapshots) {
    if (snap.error !== undefined) {
      unknowns.add({
        collection: snap.collection,
        message: `${snap.collection}: snapshot failed: ${snap.error}`,
      });
      continue;
    }
    channels += 1;
    // The shown write invoked last: every write acknowledged before it was sent must show too.
    let anchor: KeyWrite | undefined;
    let present = 0;
    for (const r of snap.reads) {
      if (r.ver === null) continue;
      present += 1;
      const ws = keyWrites(idx, snap.collection, r.pk);
      const w = writeAt(ws, r.ver);
      if (!w) {
        failures.add({
          collection: snap.collection,
          pk: r.pk,
          time: snap.time,
          message: `${snap.collection}: zombie: key ${r.pk} shows ver ${r.ver}, which no write produced`,
        });
        continue;
      }
      if (w.outcome === "fail" || w.kind === "delete") {
        failures.add({
          collection: snap.collection,
          pk: r.pk,
          opId: w.opId,
          time: snap.time,
          message: `${snap.collection}: zombie: key ${r.pk} shows ver ${r.ver} of ${w.outcome === "fail" ? "failed" : "delete"} op ${w.opId}`,
        });
        continue;
      }
      if (w.invokeTime <= rc.cutAt && (!anchor || w.invokeTime > anchor.invokeTime)) anchor = w;
    }
    if (snap.count !== null && snap.count > present) {
      failures.add({
        collection: snap.collection,
        time: snap.time,
        message: `${snap.collection}: duplicates: count(*) is ${snap.count} but ${present} key(s) are present`,
      });
    }
    if (!anchor) continue;
    for (const r of snap.reads) {
      keys += 1;
      const ws = keyWrites(idx, snap.collection, r.pk);
      for (const w of ws) {
        // Judged on what the client was told: a write the old primary acknowledged before the anchor was sent.
        const acked = w.outcome === "ok" || w.lostInFailover === true;
        if (!acked || w.completeTime >= anchor.invokeTime || holds(ws, w, r.ver)) continue;
        failures.add({
          collection: snap.collection,
          pk: r.pk,
          opId: w.opId,
          time: snap.time,
          shownOpId: anchor.opId,
          message: `${snap.collection}: hole: ${who} shows op ${anchor.opId} (key ${anchor.pk} ver ${anchor.ver}) but not op ${w.opId} (key ${r.pk} ver ${w.ver}), acknowledged before op ${anchor.opId} was sent; it has ${r.ver === null ? "the key absent" : `ver ${r.ver}`}`,
        });
      }
    }
  }
  return judge("failover-prefix", {
    failures,
    blind: unknowns,
    observed: channels,
    tooFew: `${who} was not read`,
    passSummary: `${channels} channel(s) on ${who} are prefixes of the old primary's acknowledged history (${keys} key(s))`,
    stats: { channels, keys, violations: failures.total },
  });
}
