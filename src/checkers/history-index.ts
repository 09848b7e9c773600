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

const KINDS: readonly WriteKind[] = ["insert", "upsert", "delete"];
const OUTCOMES: readonly Outcome[] = ["ok", "fail", "info"];
const LOST = 1 << 4;
const ABS_INVOKE = 1 << 5;
const ABS_COMPLETE = 1 << 6;
/** Not completed yet (completeTime reads NaN): a flag, so no instance ever holds a boxed NaN. */
const OPEN = 1 << 7;
/** A time kept as an offset from the index's base when it fits a small integer (no boxed double). */
const SMALL = 2 ** 30;

/** Where a history's times are counted from: its first op's invoke time. */
interface Clock {
  base: number;
}

/**
 * A KeyWrite packed into small integers: kind, outcome and the failover mark share one field, and the
 * two times are offsets from the history's first op, so a record is a few words and no boxed numbers.
 * There is one per key-version written, which is what a soak's index is made of.
 */
class PackedKeyWrite implements KeyWrite {
  private flags: number;
  private t0: number;
  private t1: number;

  constructor(
    private readonly clock: Clock,
    readonly opId: number,
    readonly collection: string,
    readonly pk: Pk,
    readonly ver: number,
    kind: WriteKind,
    outcome: Outcome,
    invokeTime: number,
    completeTime: number,
  ) {
    this.flags = KINDS.indexOf(kind) | (OUTCOMES.indexOf(outcome) << 2);
    this.t0 = 0;
    this.t1 = 0;
    this.invokeTime = invokeTime;
    this.completeTime = completeTime;
  }

  get kind(): WriteKind {
    return KINDS[this.flags & 3] as WriteKind;
  }
  get outcome(): Outcome {
    return OUTCOMES[(this.flags >> 2) & 3] as Outcome;
  }
  set outcome(o: Outcome) {
    this.flags = (this.flags & ~(3 << 2)) | (OUTCOMES.indexOf(o) << 2);
  }
  get lostInFailover(): true | undefined {
    return this.flags & LOST ? true : undefined;
  }
  set lostInFailover(v: true | undefined) {
    this.flags = v ? this.flags | LOST : this.flags & ~LOST;
  }
  get invokeTime(): number {
    return this.flags & ABS_INVOKE ? this.t0 : this.clock.base + this.t0;
  }
  set invokeTime(t: number) {
    const d = t - this.clock.base;
    const small = Number.isInteger(t) && Math.abs(d) < SMALL;
    this.flags = small ? this.flags & ~ABS_INVOKE : this.flags | ABS_INVOKE;
    this.t0 = small ? d : t;
  }
  get completeTime(): number {
    if (this.flags & OPEN) return Number.NaN;
    return this.flags & ABS_COMPLETE ? this.t1 : this.clock.base + this.t1;
  }
  set completeTime(t: number) {
    if (Number.isNaN(t)) {
      this.flags |= OPEN;
      this.t1 = 0;
      return;
    }
    this.flags &= ~OPEN;
    const d = t - this.clock.base;
    const small = Number.isInteger(t) && Math.abs(d) < SMALL;
    this.flags = small ? this.flags & ~ABS_COMPLETE : this.flags | ABS_COMPLETE;
    this.t1 = small ? d : t;
  }
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
 * written plus the observations themselves; no checker builds pairwise structures over the history, and
 * no op is kept whole except the few the checks quote (write probes, DDL): a write op is folded into its
 * key records as soon as it completes, so a soak history can be indexed from a stream (HistoryIndexer)
 * without ever holding its events.
 */
export interface HistoryIndex {
  header: HeaderEvent | undefined;
  /** Write probes sent to a standby (or a demoted cluster), whole, in invoke order. */
  probes: OpRecord[];
  /** Completions of every op but the write probes (an op never completed counts as info). */
  opOutcomes: Record<Outcome, number>;
  /** When each op (probes included) was invoked, in no particular order: what ops/s is counted from. */
  invokeTimes: number[];
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

/** What a checker reads: a history in memory, or the index a stream of one was folded into. */
export type HistorySource = readonly HistoryEvent[] | HistoryIndex;

const cache = new WeakMap<readonly HistoryEvent[], HistoryIndex>();

/**
 * The index of a history: built once per history array (memoised, so runCheckers indexes it once
 * however many checkers read it), or the index itself when the history was streamed.
 */
export function indexHistory(history: HistorySource): HistoryIndex {
  if (!Array.isArray(history)) return history as HistoryIndex;
  const events = history as readonly HistoryEvent[];
  const hit = cache.get(events);
  if (hit) return hit;
  const indexer = new HistoryIndexer();
  for (const e of events) indexer.add(e);
  const idx = indexer.finish();
  cache.set(events, idx);
  return idx;
}

function byTime<T extends { time: number }>(a: T, b: T): number {
  return a.time - b.time;
}

/** An op seen invoked, with its place among the invokes (the order the checks quote ops in). */
interface OpenOp {
  invoke: InvokeEvent;
  completion: CompletionEvent | undefined;
  seq: number;
}

/**
 * Folds a history, one event at a time and in history order, into its HistoryIndex. The in-memory
 * path (indexHistory) and the streamed one (a saved history.jsonl, read line by line) are this same
 * fold, so both give the same verdicts and evidence. Only ops still in flight are held whole.
 */
export class HistoryIndexer {
  private readonly idx: HistoryIndex = {
    header: undefined,
    probes: [],
    opOutcomes: { ok: 0, fail: 0, info: 0 },
    invokeTimes: [],
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
  private readonly faults = new Map<number, FaultSpan>();
  private readonly clock: Clock = { base: Number.NaN };
  private readonly open = new Map<number, OpenOp>();
  /** Ops quoted whole (probes) or replayed in order (DDL), with their invoke order. */
  private readonly kept: OpenOp[] = [];
  private readonly ddl: OpenOp[] = [];
  private invokes = 0;
  private finished = false;
  events = 0;

  add(e: HistoryEvent): void {
    if (this.finished) throw new Error("HistoryIndexer: add after finish");
    this.events += 1;
    const idx = this.idx;
    if ("time" in e && e.time > idx.lastTime) idx.lastTime = e.time;
    if ("time" in e && e.time < idx.firstTime) idx.firstTime = e.time;
    switch (e.type) {
      case "header":
        idx.header = e;
        if (e.startedAt > idx.lastTime) idx.lastTime = e.startedAt;
        break;
      case "invoke": {
        // An id invoked twice keeps its first invoke's completion, if any (as a single op record would).
        const earlier = this.open.get(e.id);
        this.open.set(e.id, {
          invoke: e,
          completion: earlier?.completion,
          seq: earlier?.seq ?? this.invokes++,
        });
        idx.invokeTimes.push(e.time);
        break;
      }
      case "ok":
      case "fail":
      case "info": {
        const op = this.open.get(e.id);
        if (!op) break;
        op.completion = e;
        // Writes are done with as soon as they complete: their keys are all the checks need.
        if (op.invoke.value.f === "write") {
          this.open.delete(e.id);
          this.close(op);
        }
        break;
      }
      case "fault": {
        const span = this.faults.get(e.id);
        if (e.phase === "start") this.faults.set(e.id, { id: e.id, name: e.name, start: e, end: span?.end });
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

  /** The op is complete (or the history ended with it open): fold it in. */
  private close(op: OpenOp): void {
    const { invoke, completion } = op;
    const v = invoke.value;
    if (v.f !== "probe-standby-write") this.idx.opOutcomes[completion?.type ?? "info"] += 1;
    if (v.f === "probe-standby-write") this.kept.push(op);
    else if (v.f === "ddl") this.ddl.push(op);
    if (v.f !== "write") return;
    let perKey = this.idx.writes.get(v.collection);
    if (!perKey) {
      perKey = new Map();
      this.idx.writes.set(v.collection, perKey);
    }
    // An auto-id insert's keys exist only once Milvus assigned them: its completion carries them.
    for (const kv of completion?.keys ?? v.keys) {
      let list = perKey.get(kv.pk);
      if (!list) {
        list = [];
        perKey.set(kv.pk, list);
      }
      if (Number.isNaN(this.clock.base)) this.clock.base = Number.isInteger(invoke.time) ? invoke.time : 0;
      list.push(
        new PackedKeyWrite(
          this.clock,
          invoke.id,
          v.collection,
          kv.pk,
          kv.ver,
          v.kind,
          completion?.type ?? "info",
          invoke.time,
          // An op still open at the end: NaN until finish() knows the last time of the history.
          completion?.time ?? Number.NaN,
        ),
      );
    }
  }

  finish(): HistoryIndex {
    if (this.finished) return this.idx;
    this.finished = true;
    const idx = this.idx;
    // Ops completed or not, in invoke order: what is left open ends with the history.
    const rest = [...this.open.values()].sort((a, b) => a.seq - b.seq);
    this.open.clear();
    for (const op of rest) this.close(op);
    for (const perKey of idx.writes.values()) {
      for (const list of perKey.values()) {
        for (const w of list) if (Number.isNaN(w.completeTime)) w.completeTime = idx.lastTime;
        list.sort((a, b) => a.ver - b.ver || a.opId - b.opId);
      }
    }
    idx.probes = this.kept
      .sort((a, b) => a.seq - b.seq)
      .map(({ invoke, completion }) => ({ invoke, completion }));
    const ddl = this.ddl
      .filter((o) => o.completion?.type !== "fail")
      .sort((a, b) => a.invoke.time - b.invoke.time || a.seq - b.seq);
    for (const { invoke } of ddl) {
      const v = invoke.value;
      if (v.f !== "ddl") continue;
      if (v.action === "drop-collection") idx.dropped.set(v.collection, invoke.time);
      else if (v.action === "create-collection") idx.dropped.delete(v.collection);
    }
    idx.targetKeyObs.sort(byTime);
    idx.heartbeatObs.sort(byTime);
    idx.checkpointObs.sort(byTime);
    idx.heartbeats.sort((a, b) => a.hbSeq - b.hbSeq);
    idx.phases.sort(byTime);
    idx.faults = [...this.faults.values()].sort((a, b) => a.start.time - b.start.time);
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
