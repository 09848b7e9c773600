import { EvidenceSample, judge } from "./evidence.js";
import {
  afterDrop,
  type HistorySource,
  indexHistory,
  keyWrites,
  lastCompletedBefore,
  since,
} from "./history-index.js";
import { standbyUnreadable } from "./reads.js";
import type { CheckResult } from "./types.js";

/**
 * The least state a key must be in, as a version: present at ver n gives floor n; absent after having
 * been seen at ver p gives the first delete above p (the only way it could vanish). Absence before any
 * sighting says nothing, since the key may simply not be inserted yet.
 */
interface Floor {
  ver: number;
  deleted: boolean;
  time: number;
}

interface KeyTrail {
  /** Completion times of this key's reads, ascending, with the running maximum floor after each. */
  times: number[];
  floors: Floor[];
}

const NONE: Floor = { ver: 0, deleted: false, time: 0 };

function above(a: Floor, b: Floor): boolean {
  return a.ver > b.ver || (a.ver === b.ver && a.deleted && !b.deleted);
}

/**
 * Successive standby reads of a key never go back. Two reads are ordered only when they do not overlap
 * (the later one was sent after the earlier one returned); overlapping reads may legitimately disagree.
 */
export function checkMonotonicReads(history: HistorySource): CheckResult {
  const idx = indexHistory(history);
  const failures = new EvidenceSample();
  const trails = new Map<string, KeyTrail>();
  let reads = 0;
  /** Reads ordered after an earlier sighting of the same key: the only ones that can show a regression. */
  let ordered = 0;
  let failedReads = 0;
  for (const obs of idx.targetKeyObs) {
    if (obs.error !== undefined) {
      failedReads += 1;
      continue;
    }
    if (afterDrop(idx, obs.collection, obs.invokeTime)) continue;
    for (const r of obs.reads) {
      reads += 1;
      const key = `${obs.collection}\u0000${r.pk}`;
      let trail = trails.get(key);
      if (!trail) {
        trail = { times: [], floors: [] };
        trails.set(key, trail);
      }
      const i = lastCompletedBefore(trail.times, obs.invokeTime);
      const prior = i >= 0 ? (trail.floors[i] as Floor) : NONE;
      if (prior.ver > 0) ordered += 1;
      let seen: Floor;
      if (r.ver !== null) {
        seen = { ver: r.ver, deleted: false, time: obs.time };
        if (above(prior, seen)) {
          failures.add({
            collection: obs.collection,
            pk: r.pk,
            time: obs.time,
            kind: "went back",
            message: `${obs.collection}: key ${r.pk} read at ver ${r.ver} at ${since(idx, obs.time)} after a read that returned by ${since(idx, prior.time)} showed ${prior.deleted ? `it deleted at ver ${prior.ver}` : `ver ${prior.ver}`}`,
          });
        }
      } else if (prior.ver === 0) {
        seen = NONE;
      } else {
        const del = keyWrites(idx, obs.collection, r.pk).find(
          (w) => w.kind === "delete" && (w.ver > prior.ver || (prior.deleted && w.ver === prior.ver)),
        );
        if (del) {
          seen = { ver: del.ver, deleted: true, time: obs.time };
        } else {
          seen = prior;
          failures.add({
            collection: obs.collection,
            pk: r.pk,
            time: obs.time,
            kind: "vanished",
            message: `${obs.collection}: key ${r.pk} read absent at ${since(idx, obs.time)} after being seen at ver ${prior.ver} (by ${since(idx, prior.time)}), and no later delete exists`,
          });
        }
      }
      const last = trail.floors[trail.floors.length - 1] ?? NONE;
      // Keeping the running maximum makes "everything that returned before t" a single lookup.
      trail.times.push(obs.time);
      trail.floors.push(above(seen, last) ? seen : last);
    }
  }
  return judge("monotonic-reads", {
    failures,
    blind: ordered === 0 ? standbyUnreadable(idx.targetKeyObs) : undefined,
    observed: ordered,
    tooFew: "no key was read on the standby after an earlier read had seen it",
    passSummary: `${reads} standby reads of ${trails.size} key(s) never went back (${ordered} ordered after an earlier sighting)`,
    stats: { reads, ordered, failedReads, keys: trails.size, violations: failures.total },
  });
}
