import type {
  CompletionEvent,
  FaultEvent,
  HeaderEvent,
  HeartbeatEvent,
  HistoryEvent,
  InvokeEvent,
  ObservationEvent,
  PhaseEvent,
  Pk,
  SnapshotEvent,
  StepEvent,
  WriteKind,
} from "../history/types.js";
import { type RoleChangeFacts, roleChangeFacts } from "./role-change.js";

/** An op whose completion never arrived counts as info: it may or may not have been applied. */
export type Outcome = "ok" | "fail" | "info";

/** One key's part of one write op. */
export interface KeyWrite {
  opId: number;
  collection: string;
  pk: Pk;
  ver: number;
  kind: WriteKind;
  outcome: Outcome;
  invokeTime: number;
  /** Completion time; for a missing completion, the last time in the history (the op was still open). */
  completeTime: number;
  /**
   * Acknowledged by the old primary but not on the force-promoted standby: lost in a failover, which the
   * rpo check judges. Its outcome reads "info" for every other check, since the history forked there.
   */
  lostInFailover?: true;
}

export interface OpRecord {
  invoke: InvokeEvent;
  completion: CompletionEvent | undefined;
}

export type KeysObservation = Extract<ObservationEvent, { kind: "keys" }>;
export type HeartbeatObservation = Extract<ObservationEvent, { kind: "heartbeat" }>;
export type CheckpointObservation = Extract<ObservationEvent, { kind: "checkpoint" }>;

export interface FaultSpan {
  id: number;
  name: string;
  start: FaultEvent;
  end: FaultEvent | undefined;
}

/**
 * Everything the checkers need from a history, indexed once: writes per collection per key (sorted by
 * version), observations sorted by completion time, faults paired. Memory is one record per key-version
 * written plus the observations themselves; no checker builds pairwise structures over the history.
 */
export interface HistoryIndex {
  header: HeaderEvent | undefined;
  ops: Map<number, OpRecord>;
  /** collection -> pk -> writes sorted by ver. */
  writes: Map<string, Map<Pk, KeyWrite[]>>;
  /** Standby key reads, sorted by completion time. */
  targetKeyObs: KeysObservation[];
  heartbeatObs: HeartbeatObservation[];
  checkpointObs: CheckpointObservation[];
  /** Heartbeats written on the source, in hbSeq order. */
  heartbeats: HeartbeatEvent[];
  faults: FaultSpan[];
  phases: PhaseEvent[];
  /**
   * Collections the drill dropped on purpose (a drop-collection op not reported failed and not followed
   * by a re-create): collection -> when the drop was invoked. From then on their rows are gone by design.
   */
  dropped: Map<string, number>;
  /** Earliest time in the history (the origin of `since` when there is no header). */
  firstTime: number;
  /** Role-change steps and the new primary's snapshots, in history order. */
  steps: StepEvent[];
  snapshots: SnapshotEvent[];
  /** null when the run changed no roles (scenario replication). */
  roleChange: RoleChangeFacts | null;
  lastTime: number;
}

const cache = new WeakMap<readonly HistoryEvent[], HistoryIndex>();

/** Memoised per history array, so runCheckers indexes a history once however many checkers read it. */
export function indexHistory(history: readonly HistoryEvent[]): HistoryIndex {
  const hit = cache.get(history);
  if (hit) return hit;
  const idx = buildIndex(history);
  cache.set(history, idx);
  return idx;
}

function byTime<T extends { time: number }>(a: T, b: T): number {
  return a.time - b.time;
}

function buildIndex(history: readonly HistoryEvent[]): HistoryIndex {
  const idx: HistoryIndex = {
    header: undefined,
    ops: new Map(),
    writes: new Map(),
    targetKeyObs: [],
    heartbeatObs: [],
    checkpointObs: [],
    heartbeats: [],
    faults: [],
    phases: [],
    dropped: new Map(),
    firstTime: Number.POSITIVE_INFINITY,
    steps: [],
    snapshots: [],
    roleChange: null,
    lastTime: 0,
  };
  const faults = new Map<number, FaultSpan>();
  for (const e of history) {
    if ("time" in e && e.time > idx.lastTime) idx.lastTime = e.time;
    if ("time" in e && e.time < idx.firstTime) idx.firstTime = e.time;
    switch (e.type) {
      case "header":
        idx.header = e;
        if (e.startedAt > idx.lastTime) idx.lastTime = e.startedAt;
        break;
      case "invoke":
        idx.ops.set(e.id, { invoke: e, completion: idx.ops.get(e.id)?.completion });
        break;
      case "ok":
      case "fail":
      case "info": {
        const rec = idx.ops.get(e.id);
        if (rec) rec.completion = e;
        break;
      }
      case "fault": {
        const span = faults.get(e.id);
        if (e.phase === "start") faults.set(e.id, { id: e.id, name: e.name, start: e, end: span?.end });
        else if (span) span.end = e;
        break;
      }
      case "obs":
        if (e.kind === "keys") {
          if (e.side === "target") idx.targetKeyObs.push(e);
        } else if (e.kind === "heartbeat") idx.heartbeatObs.push(e);
        else idx.checkpointObs.push(e);
        break;
      case "heartbeat":
        idx.heartbeats.push(e);
        break;
      case "phase":
        idx.phases.push(e);
        break;
      case "step":
        idx.steps.push(e);
        break;
      case "snapshot":
        idx.snapshots.push(e);
        break;
    }
  }
  const ddl = [...idx.ops.values()]
    .filter((o) => o.invoke.value.f === "ddl" && o.completion?.type !== "fail")
    .sort((a, b) => a.invoke.time - b.invoke.time);
  for (const { invoke } of ddl) {
    const v = invoke.value;
    if (v.f !== "ddl") continue;
    if (v.action === "drop-collection") idx.dropped.set(v.collection, invoke.time);
    else if (v.action === "create-collection") idx.dropped.delete(v.collection);
  }
  for (const { invoke, completion } of idx.ops.values()) {
    const v = invoke.value;
    if (v.f !== "write") continue;
    let perKey = idx.writes.get(v.collection);
    if (!perKey) {
      perKey = new Map();
      idx.writes.set(v.collection, perKey);
    }
    // An auto-id insert's keys exist only once Milvus assigned them: its completion carries them.
    for (const kv of completion?.keys ?? v.keys) {
      let list = perKey.get(kv.pk);
      if (!list) {
        list = [];
        perKey.set(kv.pk, list);
      }
      list.push({
        opId: invoke.id,
        collection: v.collection,
        pk: kv.pk,
        ver: kv.ver,
        kind: v.kind,
        outcome: completion?.type ?? "info",
        invokeTime: invoke.time,
        completeTime: completion?.time ?? idx.lastTime,
      });
    }
  }
  for (const perKey of idx.writes.values()) {
    for (const list of perKey.values()) list.sort((a, b) => a.ver - b.ver || a.opId - b.opId);
  }
  idx.targetKeyObs.sort(byTime);
  idx.heartbeatObs.sort(byTime);
  idx.checkpointObs.sort(byTime);
  idx.heartbeats.sort((a, b) => a.hbSeq - b.hbSeq);
  idx.phases.sort(byTime);
  idx.faults = [...faults.values()].sort((a, b) => a.start.time - b.start.time);
  idx.roleChange = roleChangeFacts(idx.writes, idx.steps, idx.snapshots);
  // After a failover the history forks: what the old primary acknowledged and the new one never had is
  // the rpo check's to judge. For every other check such a write may or may not exist.
  if (idx.roleChange?.kind === "failover") {
    for (const { write } of idx.roleChange.lost) {
      write.outcome = "info";
      write.lostInFailover = true;
    }
  }
  return idx;
}

/**
 * A time as evidence messages print it: seconds since the run started ("t+12.3s"), never epoch ms.
 * The evidence's `time` field keeps the epoch ms for machines.
 */
export function since(idx: HistoryIndex, t: number): string {
  const origin = idx.header?.startedAt ?? idx.firstTime;
  return `t+${((t - origin) / 1000).toFixed(1)}s`;
}

/** Whether a read of `collection` sent at `invokeTime` came after the drill dropped it (nothing left to judge). */
export function afterDrop(idx: HistoryIndex, collection: string, invokeTime: number): boolean {
  const at = idx.dropped.get(collection);
  return at !== undefined && invokeTime >= at;
}

export function keyWrites(idx: HistoryIndex, collection: string, pk: Pk): readonly KeyWrite[] {
  return idx.writes.get(collection)?.get(pk) ?? [];
}

/** The write that produced version `ver` of a key; a non-failed one wins if a version was handed out twice. */
export function writeAt(writes: readonly KeyWrite[], ver: number): KeyWrite | undefined {
  let found: KeyWrite | undefined;
  for (const w of writes) {
    if (w.ver !== ver) continue;
    if (w.outcome !== "fail") return w;
    found ??= w;
  }
  return found;
}

/** Whether some write after `ver` may have deleted the key (a non-failed delete at a higher version). */
export function mayBeDeletedAfter(writes: readonly KeyWrite[], ver: number): boolean {
  return writes.some((w) => w.kind === "delete" && w.outcome !== "fail" && w.ver > ver);
}

/** Index of the last element whose completion time is strictly before t (observations sorted by time). */
export function lastCompletedBefore(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
