/**
 * What a role change did to the data, worked out once from the history so the checks (rpo, rto,
 * promotion, failover-prefix) and the report's metrics read the same numbers.
 *
 * The cut is the moment the old primary stopped being the writer: the end of "stop-writes" in a
 * switchover, the start of "primary-lost" in a failover. Every write acknowledged before the cut should
 * be on the new primary when it takes over; the "promoted" snapshots say what it actually had.
 */
import type { Pk, SnapshotEvent, StepEvent, StepName } from "../history/types.js";
import type { KeyWrite } from "./history-index.js";

export interface RoleChangeFacts {
  kind: "switchover" | "failover";
  /** Writes stopped (switchover) or the primary was lost (failover). */
  cutAt: number;
  /** Cluster id of the new primary, when a step named it. */
  newPrimary: string | null;
  snapshots: SnapshotEvent[];
  /** Collections with writes acknowledged before the cut but no usable snapshot. */
  unobserved: string[];
  /** Acknowledged before the cut, not (or at an older version) on the new primary. */
  lost: Array<{ write: KeyWrite; shown: number | null }>;
  /** Keys the snapshots compared. */
  keysRead: number;
  /** Newest acknowledgement (before the cut) of a write the new primary had. */
  lastReplicatedAckAt: number | null;
  /**
   * The recovery point, as a time before the cut: every write acknowledged earlier than that is on the
   * new primary. cut - (oldest lost write's acknowledgement) when something was lost, else cut - the
   * newest acknowledgement it has.
   */
  windowMs: number | null;
  /** First write acknowledged by the new primary, and RTO = that - cutAt. */
  firstWriteAt: number | null;
  rtoMs: number | null;
  /** Primary lost (failover) or writes stopped (switchover). */
  rtoFrom: number;
  steps: Map<StepName, StepEvent>;
  /**
   * Whose snapshots these are, as evidence names it: the promoted standby (default), or in a star's
   * failover a re-pointed standby judged in its place (star.ts repointedHistory).
   */
  subject?: string;
}

/** The first step of each name (a drill runs each step at most once per direction; the first counts). */
export function firstSteps(steps: readonly StepEvent[]): Map<StepName, StepEvent> {
  const out = new Map<StepName, StepEvent>();
  for (const s of steps) if (!out.has(s.name)) out.set(s.name, s);
  return out;
}

/** The acknowledged write a key should show after the cut: the newest ok write completed before it. */
function expectedAt(writes: readonly KeyWrite[], cutAt: number): KeyWrite | undefined {
  let best: KeyWrite | undefined;
  for (const w of writes) {
    if (w.outcome === "ok" && w.completeTime <= cutAt && (!best || w.ver > best.ver)) best = w;
  }
  return best;
}

/**
 * Whether `shown` (a version, or null = absent) holds `need`: the same or a later version, or absent
 * because `need` was a delete or a later not-failed delete may have removed it.
 */
export function holds(writes: readonly KeyWrite[], need: KeyWrite, shown: number | null): boolean {
  if (shown !== null) return shown >= need.ver;
  if (need.kind === "delete") return true;
  return writes.some((w) => w.kind === "delete" && w.outcome !== "fail" && w.ver > need.ver);
}

export function roleChangeFacts(
  writes: ReadonlyMap<string, ReadonlyMap<Pk, readonly KeyWrite[]>>,
  stepList: readonly StepEvent[],
  snapshotList: readonly SnapshotEvent[],
  /** Collections the drill dropped, with the drop's invoke time (history-index's `dropped`). */
  dropped: ReadonlyMap<string, number> = new Map(),
): RoleChangeFacts | null {
  const steps = firstSteps(stepList);
  const lostStep = steps.get("primary-lost");
  const stopStep = steps.get("stop-writes");
  let kind: RoleChangeFacts["kind"];
  let cutAt: number;
  if (lostStep) {
    kind = "failover";
    // A write acknowledged while the kill was under way was still the old primary's: it counts.
    cutAt = lostStep.time;
  } else if (stopStep) {
    kind = "switchover";
    // Everything acknowledged before the role change began must be there (settle markers included).
    cutAt = steps.get("role-change")?.startedAt ?? stopStep.time;
  } else return null;
  // RTO runs from the loss, or from the moment writes had stopped.
  const rtoFrom = lostStep ? lostStep.startedAt : (stopStep as StepEvent).time;
  const change = steps.get(kind === "failover" ? "force-promote" : "role-change");
  const snapshots = snapshotList.filter((s) => s.label === "promoted");
  const byCollection = new Map(snapshots.map((s) => [s.collection, s]));
  const unobserved: string[] = [];
  const lost: RoleChangeFacts["lost"] = [];
  let keysRead = 0;
  let lastReplicatedAckAt: number | null = null;
  for (const [collection, perKey] of writes) {
    const acked = [...perKey.values()].some((ws) => expectedAt(ws, cutAt) !== undefined);
    if (!acked) continue;
    const snap = byCollection.get(collection);
    // Dropped by the drill before the cut and gone from the new primary: its rows are gone by design.
    const dropAt = dropped.get(collection);
    if (snap?.exists === false && dropAt !== undefined && dropAt <= cutAt) continue;
    if (!snap || snap.error !== undefined) {
      unobserved.push(collection);
      continue;
    }
    const shownOf = new Map(snap.reads.map((r) => [r.pk, r.ver]));
    for (const [pk, ws] of perKey) {
      const need = expectedAt(ws, cutAt);
      if (!need) continue;
      if (!shownOf.has(pk)) {
        unobserved.push(`${collection} key ${pk}`);
        continue;
      }
      keysRead += 1;
      const shown = shownOf.get(pk) ?? null;
      if (holds(ws, need, shown)) {
        if (lastReplicatedAckAt === null || need.completeTime > lastReplicatedAckAt)
          lastReplicatedAckAt = need.completeTime;
        continue;
      }
      // Every acknowledged version the new primary lacks is lost, not only the newest.
      for (const w of ws) {
        if (w.outcome === "ok" && w.completeTime <= cutAt && !holds(ws, w, shown))
          lost.push({ write: w, shown });
      }
    }
  }
  lost.sort((a, b) => a.write.completeTime - b.write.completeTime || a.write.opId - b.write.opId);
  // How far back the loss reaches: every write acknowledged before (cut - windowMs) is on the new
  // primary. With nothing lost, the age of the newest acknowledged write it has (a bound, not a loss).
  const oldestLost = lost[0]?.write.completeTime;
  const windowMs =
    oldestLost !== undefined
      ? Math.max(0, cutAt - oldestLost)
      : lastReplicatedAckAt === null
        ? null
        : Math.max(0, cutAt - lastReplicatedAckAt);
  const first = steps.get("first-write");
  const firstWriteAt = first?.ok ? first.time : null;
  return {
    kind,
    cutAt,
    newPrimary: change?.primary ?? null,
    snapshots,
    unobserved,
    lost,
    keysRead,
    lastReplicatedAckAt,
    windowMs,
    firstWriteAt,
    rtoMs: firstWriteAt === null ? null : firstWriteAt - rtoFrom,
    rtoFrom,
    steps,
  };
}
