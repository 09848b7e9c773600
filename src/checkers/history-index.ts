import type {
  CapacityStepEvent,
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

/**
 * Every key-version written, in columns: a soak's index is mostly these, so they live in typed arrays
 * (about 30 bytes a row, nothing for the garbage collector to trace) instead of one object each.
 * Kind, outcome and the failover mark share one byte; an op still open has a NaN completion time.
 */
class WriteTable {
  private n = 0;
  opId = new Float64Array(1024);
  ver = new Float64Array(1024);
  invokeTime = new Float64Array(1024);
  completeTime = new Float64Array(1024);
  flags = new Uint8Array(1024);

  add(
    opId: number,
    ver: number,
    kind: WriteKind,
    outcome: Outcome,
    invokeTime: number,
    completeTime: number,
  ) {
    if (this.n === this.opId.length) this.grow();
    const i = this.n++;
    this.opId[i] = opId;
    this.ver[i] = ver;
    this.invokeTime[i] = invokeTime;
    this.completeTime[i] = completeTime;
    this.flags[i] = KINDS.indexOf(kind) | (OUTCOMES.indexOf(outcome) << 2);
    return i;
  }

  private grow(): void {
    const size = Math.ceil(this.opId.length * 1.5);
    const grown = <T extends Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.opId = grown(this.opId);
    this.ver = grown(this.ver);
    this.invokeTime = grown(this.invokeTime);
    this.completeTime = grown(this.completeTime);
    this.flags = grown(this.flags);
  }
}

/** A KeyWrite read from (and written back to) its row of the table: made on demand, never stored. */
class KeyWriteRow implements KeyWrite {
  constructor(
    private readonly table: WriteTable,
    private readonly row: number,
    readonly collection: string,
    readonly pk: Pk,
  ) {}
  get opId(): number {
    return this.table.opId[this.row] as number;
  }
  get ver(): number {
    return this.table.ver[this.row] as number;
  }
  get kind(): WriteKind {
    return KINDS[(this.table.flags[this.row] as number) & 3] as WriteKind;
  }
  get outcome(): Outcome {
    return OUTCOMES[((this.table.flags[this.row] as number) >> 2) & 3] as Outcome;
  }
  set outcome(o: Outcome) {
    const f = this.table.flags[this.row] as number;
    this.table.flags[this.row] = (f & ~(3 << 2)) | (OUTCOMES.indexOf(o) << 2);
  }
  get lostInFailover(): true | undefined {
    return (this.table.flags[this.row] as number) & LOST ? true : undefined;
  }
  set lostInFailover(v: true | undefined) {
    const f = this.table.flags[this.row] as number;
    this.table.flags[this.row] = v ? f | LOST : f & ~LOST;
  }
  get invokeTime(): number {
    return this.table.invokeTime[this.row] as number;
  }
  get completeTime(): number {
    return this.table.completeTime[this.row] as number;
  }
}

/** One collection's writes per key: row numbers per key, read as KeyWrite lists (sorted by ver). */
class KeyWrites implements ReadonlyMap<Pk, readonly KeyWrite[]> {
  readonly rows = new Map<Pk, number[]>();
  constructor(
    private readonly table: WriteTable,
    private readonly collection: string,
  ) {}
  get size(): number {
    return this.rows.size;
  }
  has(pk: Pk): boolean {
    return this.rows.has(pk);
  }
  get(pk: Pk): readonly KeyWrite[] | undefined {
    const rows = this.rows.get(pk);
    return rows && this.list(pk, rows);
  }
  private list(pk: Pk, rows: readonly number[]): KeyWrite[] {
    return rows.map((r) => new KeyWriteRow(this.table, r, this.collection, pk));
  }
  *entries(): MapIterator<[Pk, readonly KeyWrite[]]> {
    for (const [pk, rows] of this.rows) yield [pk, this.list(pk, rows)];
  }
  keys(): MapIterator<Pk> {
    return this.rows.keys();
  }
  *values(): MapIterator<readonly KeyWrite[]> {
    for (const [pk, rows] of this.rows) yield this.list(pk, rows);
  }
  [Symbol.iterator](): MapIterator<[Pk, readonly KeyWrite[]]> {
    return this.entries();
  }
  forEach(
    fn: (value: readonly KeyWrite[], key: Pk, map: ReadonlyMap<Pk, readonly KeyWrite[]>) => void,
  ): void {
    for (const [pk, list] of this.entries()) fn(list, pk, this);
  }
}

export interface OpRecord {
  invoke: InvokeEvent;
  completion: CompletionEvent | undefined;
}

export type KeysObservation = Extract<ObservationEvent, { kind: "keys" }>;
export type HeartbeatObservation = Extract<ObservationEvent, { kind: "heartbeat" }>;
export type CheckpointObservation = Extract<ObservationEvent, { kind: "checkpoint" }>;
export type LagMetricObservation = Extract<ObservationEvent, { kind: "lag-metric" }>;

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
  writes: Map<string, ReadonlyMap<Pk, readonly KeyWrite[]>>;
  /** Standby key reads, sorted by completion time. */
  targetKeyObs: KeysObservation[];
  /** A star: key reads on each further standby (by cluster id), sorted by completion time. */
  standbyKeyObs: Record<string, KeysObservation[]>;
  /**
   * A star: the standby (1-based) this index is read for (checkers/star.ts standbyHistory): a fault
   * aimed at another standby was not injected into this one. Absent: every fault counts (a pair).
   */
  standby?: number;
  heartbeatObs: HeartbeatObservation[];
  /** A star: heartbeat reads on each further standby (by cluster id), sorted by completion time. */
  standbyHeartbeatObs: Record<string, HeartbeatObservation[]>;
  checkpointObs: CheckpointObservation[];
  /** A star: checkpoint samples of each further standby (by cluster id), sorted by completion time. */
  standbyCheckpointObs: Record<string, CheckpointObservation[]>;
  /** Scenario capacity: its windows in history order. */
  capacitySteps: CapacityStepEvent[];
  /** Scrapes of Milvus's lag metrics, sorted by completion time. */
  lagMetricObs: LagMetricObservation[];
  /** A star: each further standby's lag-metric samples (from its own edge's series), by cluster id. */
  standbyLagMetricObs: Record<string, LagMetricObservation[]>;
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
  /** Workload triggers (issue 23): the trigger DDLs (detail.trigger), whole, in invoke order. */
  triggerDdl: OpRecord[];
  /** Trigger bulkImport: the writes sent as an import job (via "import"), whole, in invoke order. */
  importWrites: OpRecord[];
  /** Writes per collection, counted by kind and outcome, with the keys auto-id upserts had replaced. */
  writeTally: Map<string, WriteTally>;
}

export interface WriteTally {
  insert: number;
  upsert: number;
  delete: number;
  ok: number;
  fail: number;
  info: number;
  /** Keys an acknowledged auto-id upsert sent that Milvus's answer no longer names. */
  replaced: number;
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
    standbyKeyObs: {},
    heartbeatObs: [],
    standbyHeartbeatObs: {},
    checkpointObs: [],
    standbyCheckpointObs: {},
    lagMetricObs: [],
    standbyLagMetricObs: {},
    capacitySteps: [],
    heartbeats: [],
    faults: [],
    phases: [],
    dropped: new Map(),
    firstTime: Number.POSITIVE_INFINITY,
    steps: [],
    snapshots: [],
    roleChange: null,
    lastTime: 0,
    triggerDdl: [],
    importWrites: [],
    writeTally: new Map(),
  };
  private readonly faults = new Map<number, FaultSpan>();
  private readonly table = new WriteTable();
  private readonly byCollection = new Map<string, KeyWrites>();
  private readonly open = new Map<number, OpenOp>();
  /** Ops quoted whole (probes) or replayed in order (DDL), with their invoke order. */
  private readonly kept: OpenOp[] = [];
  private readonly ddl: OpenOp[] = [];
  private readonly triggers: OpenOp[] = [];
  private readonly imports: OpenOp[] = [];
  private invokes = 0;
  private finished = false;

  add(e: HistoryEvent): void {
    if (this.finished) throw new Error("HistoryIndexer: add after finish");
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
          if (e.side === "target" && e.cluster !== undefined) {
            idx.standbyKeyObs[e.cluster] ??= [];
            idx.standbyKeyObs[e.cluster]?.push(e);
          } else if (e.side === "target") idx.targetKeyObs.push(e);
        } else if (e.kind === "heartbeat" && e.cluster !== undefined) {
          idx.standbyHeartbeatObs[e.cluster] ??= [];
          idx.standbyHeartbeatObs[e.cluster]?.push(e);
        } else if (e.kind === "heartbeat") idx.heartbeatObs.push(e);
        else if (e.kind === "lag-metric" && e.cluster !== undefined) {
          idx.standbyLagMetricObs[e.cluster] ??= [];
          idx.standbyLagMetricObs[e.cluster]?.push(e);
        } else if (e.kind === "lag-metric") idx.lagMetricObs.push(e);
        else if (e.cluster !== undefined) {
          idx.standbyCheckpointObs[e.cluster] ??= [];
          idx.standbyCheckpointObs[e.cluster]?.push(e);
        } else idx.checkpointObs.push(e);
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
      case "capacity-step":
        idx.capacitySteps.push(e);
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
    if (v.f === "ddl" && v.detail?.trigger !== undefined) this.triggers.push(op);
    if (v.f === "write" && v.via === "import") this.imports.push(op);
    if (v.f !== "write") return;
    let tally = this.idx.writeTally.get(v.collection);
    if (!tally) {
      tally = { insert: 0, upsert: 0, delete: 0, ok: 0, fail: 0, info: 0, replaced: 0 };
      this.idx.writeTally.set(v.collection, tally);
    }
    tally[v.kind] += 1;
    tally[completion?.type ?? "info"] += 1;
    let perKey = this.byCollection.get(v.collection);
    if (!perKey) {
      perKey = new KeyWrites(this.table, v.collection);
      this.byCollection.set(v.collection, perKey);
      this.idx.writes.set(v.collection, perKey);
    }
    const rows = perKey.rows;
    /** One row of this op for a key; an op still open at the end has NaN until finish() knows the end. */
    const addRow = (pk: string, ver: number, kind: typeof v.kind): void => {
      const row = this.table.add(
        invoke.id,
        ver,
        kind,
        completion?.type ?? "info",
        invoke.time,
        completion?.time ?? Number.NaN,
      );
      const list = rows.get(pk);
      if (list) list.push(row);
      else rows.set(pk, [row]);
    };
    // An auto-id upsert whose answer names other keys than it sent replaced those keys: each one it
    // no longer holds is deleted by this op, at the version it was sent with.
    if (v.kind === "upsert" && completion?.keys) {
      const kept = new Set(completion.keys.map((k) => k.pk));
      for (const kv of v.keys) {
        if (kept.has(kv.pk)) continue;
        if (completion.type === "ok") tally.replaced += 1;
        addRow(kv.pk, kv.ver, "delete");
      }
    }
    // An auto-id insert's keys exist only once Milvus assigned them: its completion carries them.
    for (const kv of completion?.keys ?? v.keys) addRow(kv.pk, kv.ver, v.kind);
  }

  finish(): HistoryIndex {
    if (this.finished) return this.idx;
    this.finished = true;
    const idx = this.idx;
    // Ops completed or not, in invoke order: what is left open ends with the history.
    const rest = [...this.open.values()].sort((a, b) => a.seq - b.seq);
    this.open.clear();
    for (const op of rest) this.close(op);
    const t = this.table;
    for (let i = 0; i < t.completeTime.length; i++)
      if (Number.isNaN(t.completeTime[i])) t.completeTime[i] = idx.lastTime;
    for (const perKey of this.byCollection.values()) {
      for (const rows of perKey.rows.values()) {
        rows.sort(
          (a, b) =>
            (t.ver[a] as number) - (t.ver[b] as number) || (t.opId[a] as number) - (t.opId[b] as number),
        );
      }
    }
    idx.probes = this.kept
      .sort((a, b) => a.seq - b.seq)
      .map(({ invoke, completion }) => ({ invoke, completion }));
    idx.triggerDdl = this.triggers
      .sort((a, b) => a.seq - b.seq)
      .map(({ invoke, completion }) => ({ invoke, completion }));
    idx.importWrites = this.imports
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
    for (const obs of Object.values(idx.standbyKeyObs)) obs.sort(byTime);
    idx.heartbeatObs.sort(byTime);
    for (const obs of Object.values(idx.standbyHeartbeatObs)) obs.sort(byTime);
    idx.checkpointObs.sort(byTime);
    for (const obs of Object.values(idx.standbyCheckpointObs)) obs.sort(byTime);
    idx.lagMetricObs.sort(byTime);
    for (const obs of Object.values(idx.standbyLagMetricObs)) obs.sort(byTime);
    idx.heartbeats.sort((a, b) => a.hbSeq - b.hbSeq);
    idx.phases.sort(byTime);
    idx.faults = [...this.faults.values()].sort((a, b) => a.start.time - b.start.time);
    idx.roleChange = roleChangeFacts(idx.writes, idx.steps, idx.snapshots, idx.dropped);
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
