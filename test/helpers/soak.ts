/**
 * A long, correct primary -> standby run written straight to history.jsonl, for the checkers' bench:
 * the same model as synthetic.ts (writes with ok/fail/info outcomes applied on a primary, a CDC that
 * replicates each collection's channel in order with a delay and stops while killed, a monitor reading
 * standby keys, heartbeats, checkpoint samples and write probes), but generated in one pass with state
 * bounded by the key space, so millions of events cost no more memory than a few thousand. Every event
 * is written in the order a drill would append it (by time).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { CollectionFinal, FinalState, Thresholds } from "../../src/checkers/types.js";
import { mulberry32 } from "../../src/generator/prng.js";
import type { HistoryEvent, Pk, WriteKind } from "../../src/history/types.js";
import { PROBE_ERROR } from "./synthetic.js";

export interface SoakOptions {
  /** Stop once at least this many events were written. */
  events: number;
  seed?: number;
  collections?: number;
  /** Distinct keys per collection at most. */
  keySpace?: number;
  /** Keys per insert: 1..maxBatch. Upserts and deletes take one key (or a few of the hot ones). */
  maxBatch?: number;
  /** Keys the monitor reads on the standby every probe interval. */
  probeKeys?: number;
}

export interface SoakRun {
  events: number;
  keyVersions: number;
  distinctKeys: number;
  simulatedMs: number;
  final: FinalState;
  thresholds: Thresholds;
}

const T0 = 1_700_000_000_000;
const OP_GAP = 2;
const DELAY = 40;
const HB_INTERVAL = 1_000;
const PROBE_INTERVAL = 1_000;
const CHECKPOINT_INTERVAL = 10_000;
const KILL_EVERY = 300_000;
const KILL_DOWNTIME = 5_000;
const PROBE_WRITE_EVERY = 60_000;

export const SOAK_THRESHOLDS: Thresholds = {
  lagSloMs: 10_000,
  recoveryTimeoutMs: 120_000,
  catchUpTimeoutMs: 600_000,
  minRecall: 0.8,
  distanceEpsilon: 1e-5,
  rpoMs: 1000,
  rtoMs: 1000,
};

interface Applied {
  at: number;
  pk: Pk;
  ver: number;
  kind: WriteKind;
}

/** One collection's primary, its channel to the standby, and the standby. */
interface Channel {
  name: string;
  nextVer: Map<Pk, number>;
  /** Keys that exist or may exist on the primary (upserts and deletes pick from these). */
  live: Pk[];
  /** Where each live key sits in `live` (a delete swaps the last key into its place). */
  livePos: Map<Pk, number>;
  /** Keys deleted for sure: inserted again once the key space is used up. */
  dead: Pk[];
  nextPk: number;
  primary: Map<Pk, { ver: number; copies: number }>;
  standby: Map<Pk, { ver: number; copies: number }>;
  /** Applied on the primary, not yet on the standby (bounded by the delay and the kill's downtime). */
  queue: Applied[];
  head: number;
  applied: number;
  lastAppliedAt: number;
}

function apply(m: Map<Pk, { ver: number; copies: number }>, a: Applied): void {
  const cur = m.get(a.pk);
  if (a.kind === "delete") m.delete(a.pk);
  else if (a.kind === "insert" && cur) m.set(a.pk, { ver: a.ver, copies: cur.copies + 1 });
  else m.set(a.pk, { ver: a.ver, copies: 1 });
}

/** Writes a soak history to `path` and returns the final state a drill would read at its end. */
export function writeSoakHistory(path: string, o: SoakOptions): SoakRun {
  const rand = mulberry32(o.seed ?? 1);
  const nColl = o.collections ?? 4;
  const keySpace = o.keySpace ?? 25_000;
  const maxBatch = o.maxBatch ?? 3;
  const probeKeys = o.probeKeys ?? 128;
  const fd = openSync(path, "w");
  let buf = "";
  let events = 0;
  let keyVersions = 0;
  const emit = (e: HistoryEvent): void => {
    buf += `${JSON.stringify(e)}\n`;
    events += 1;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = "";
    }
  };
  const chans: Channel[] = Array.from({ length: nColl }, (_, i) => ({
    name: `c${i}`,
    nextVer: new Map(),
    live: [],
    livePos: new Map(),
    dead: [],
    nextPk: 1,
    primary: new Map(),
    standby: new Map(),
    queue: [],
    head: 0,
    applied: 0,
    lastAppliedAt: 0,
  }));
  emit({
    type: "header",
    version: 1,
    seed: o.seed ?? 1,
    startedAt: T0,
    backend: "synthetic",
    collections: Object.fromEntries(chans.map((c) => [c.name, { shards: 1 }])),
    config: { thresholds: SOAK_THRESHOLDS },
  });
  emit({ type: "phase", name: "workload", time: T0 });

  let t = T0 + 1;
  let opId = 0;
  let hbSeq = 0;
  let faultId = 0;
  let killedUntil = 0;
  let nextHb = t;
  let nextProbe = t + 3;
  let nextCheckpoint = t + 7;
  let nextKill = t + KILL_EVERY / 2;
  let nextProbeWrite = t + PROBE_WRITE_EVERY / 3;
  const hb: Channel = {
    name: "heartbeat",
    nextVer: new Map(),
    live: [],
    livePos: new Map(),
    dead: [],
    nextPk: 0,
    primary: new Map(),
    standby: new Map(),
    queue: [],
    head: 0,
    applied: 0,
    lastAppliedAt: 0,
  };
  let seenHb: { hbSeq: number; wallMs: number } | null = null;
  const hbWall = new Map<number, number>();

  /** The CDC moves everything due by `now` to the standby, unless it is down. */
  const replicate = (now: number): void => {
    if (now < killedUntil) return;
    for (const c of [...chans, hb]) {
      while (c.head < c.queue.length) {
        const a = c.queue[c.head] as Applied;
        if (a.at + DELAY > now) break;
        if (c === hb) {
          seenHb = { hbSeq: a.ver, wallMs: hbWall.get(a.ver) as number };
          hbWall.delete(a.ver);
        } else apply(c.standby, a);
        c.applied += 1;
        c.lastAppliedAt = a.at;
        c.head += 1;
      }
      if (c.head > 4096) {
        c.queue = c.queue.slice(c.head);
        c.head = 0;
      }
    }
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

  while (events < o.events) {
    // --- the monitor and the nemesis, when they are due.
    if (t >= nextHb) {
      const s = ++hbSeq;
      const r = rand();
      const outcome = r < 0.01 ? "info" : "ok";
      emit({ type: "heartbeat", hbSeq: s, wallMs: t, time: t + 1, outcome });
      hbWall.set(s, t);
      hb.queue.push({ at: t, pk: "hb", ver: s, kind: "upsert" });
      replicate(t + 2);
      const seen = seenHb as { hbSeq: number; wallMs: number } | null;
      emit({
        type: "obs",
        kind: "heartbeat",
        side: "target",
        invokeTime: t + 2,
        time: t + 4,
        hbSeq: seen?.hbSeq ?? null,
        wallMs: seen?.wallMs ?? null,
      });
      nextHb += HB_INTERVAL;
    }
    if (t >= nextProbe) {
      const c = pick(chans);
      replicate(t + 1);
      const reads: Array<{ pk: Pk; ver: number | null }> = [];
      for (let i = 0; i < probeKeys && c.live.length > 0; i++) {
        const pk = pick(c.live);
        reads.push({ pk, ver: c.standby.get(pk)?.ver ?? null });
      }
      emit({
        type: "obs",
        kind: "keys",
        side: "target",
        collection: c.name,
        invokeTime: t,
        time: t + 3,
        reads,
      });
      nextProbe += PROBE_INTERVAL;
    }
    if (t >= nextCheckpoint) {
      replicate(t);
      chans.forEach((c, i) => {
        const tt = c.applied ? ((BigInt(c.lastAppliedAt) << 18n) + BigInt(c.applied)).toString() : null;
        emit({
          type: "obs",
          kind: "checkpoint",
          side: "target",
          invokeTime: t,
          time: t + 2,
          pchannel: `src-rootcoord-dml_${i}`,
          timeTick: tt,
          messageId: tt,
          ...(killedUntil > t - KILL_DOWNTIME * 2 ? { faultId } : {}),
        });
      });
      nextCheckpoint += CHECKPOINT_INTERVAL;
    }
    if (t >= nextKill) {
      faultId += 1;
      killedUntil = t + KILL_DOWNTIME;
      emit({ type: "fault", id: faultId, name: "kill-cdc", phase: "start", time: t });
      emit({
        type: "fault",
        id: faultId,
        name: "kill-cdc",
        phase: "end",
        time: killedUntil,
        evidence: { injectedAt: t, restoredAt: killedUntil },
      });
      nextKill += KILL_EVERY;
    }
    if (t >= nextProbeWrite) {
      const id = ++opId;
      const c = chans[0] as Channel;
      emit({
        type: "invoke",
        id,
        process: 99,
        time: t,
        value: { f: "probe-standby-write", collection: c.name, pk: String(900_000_000 + id) },
      });
      emit({ type: "fail", id, process: 99, time: t + 3, error: PROBE_ERROR, detail: { readOk: true } });
      nextProbeWrite += PROBE_WRITE_EVERY;
    }

    // --- one write op on the primary.
    const c = pick(chans);
    let kind: WriteKind;
    let keys: Pk[];
    if (c.live.length === 0 || rand() < 0.3) {
      kind = "insert";
      const n = 1 + Math.floor(rand() * maxBatch);
      keys = [];
      for (let i = 0; i < n; i++) {
        if (c.nextPk <= keySpace) keys.push(String(c.nextPk++));
        else if (c.dead.length > 0) keys.push(c.dead.pop() as Pk);
      }
    } else {
      kind = rand() < 0.15 ? "delete" : "upsert";
      keys = [pick(c.live)];
    }
    if (keys.length === 0) {
      kind = "upsert";
      keys = [pick(c.live)];
    }
    const r = rand();
    const outcome = r < 0.02 ? "fail" : r < 0.04 ? "info" : "ok";
    const applied = outcome === "ok" || (outcome === "info" && rand() < 0.5);
    const id = ++opId;
    const kv = keys.map((pk) => {
      const ver = (c.nextVer.get(pk) ?? 0) + 1;
      c.nextVer.set(pk, ver);
      return { pk, ver };
    });
    keyVersions += kv.length;
    emit({
      type: "invoke",
      id,
      process: id % 4,
      time: t,
      value: { f: "write", kind, collection: c.name, keys: kv },
    });
    emit({
      type: outcome,
      id,
      process: id % 4,
      time: t + 1,
      ...(outcome === "ok" ? {} : { error: `${outcome} by model` }),
    });
    for (const { pk, ver } of kv) {
      // An insert that may have happened is never retried as an insert (it would duplicate the key).
      if (kind === "insert" && outcome !== "fail") {
        c.livePos.set(pk, c.live.length);
        c.live.push(pk);
      }
      const i = c.livePos.get(pk);
      if (kind === "delete" && outcome === "ok" && i !== undefined) {
        const last = c.live.pop() as Pk;
        c.livePos.delete(pk);
        c.dead.push(pk);
        if (last !== pk) {
          c.live[i] = last;
          c.livePos.set(last, i);
        }
      }
      if (applied) {
        const a: Applied = { at: t, pk, ver, kind };
        apply(c.primary, a);
        c.queue.push(a);
      }
    }
    t += OP_GAP;
  }

  // --- settle: the CDC catches up; the drill reads both sides.
  const workEnd = t;
  emit({ type: "phase", name: "settle", time: workEnd });
  // A kill still running at the end heals first; then the channel drains.
  const caughtUpAt = Math.max(workEnd, killedUntil) + DELAY + 1;
  replicate(caughtUpAt);
  emit({ type: "phase", name: "verify", time: caughtUpAt + 5 });
  writeSync(fd, buf);
  closeSync(fd);

  const collections: CollectionFinal[] = chans.map((c) => {
    const side = (m: Map<Pk, { ver: number; copies: number }>) => ({
      reachable: true,
      count: [...m.values()].reduce((n, s) => n + s.copies, 0),
      distinctKeys: m.size,
      versions: Object.fromEntries([...m].map(([pk, s]) => [pk, s.ver])),
      indexes: [],
      partitions: ["_default"],
      aliases: [],
    });
    return {
      name: c.name,
      source: side(c.primary),
      target: side(c.standby),
      onlySource: [],
      onlySourceTotal: 0,
      onlyTarget: [],
      onlyTargetTotal: 0,
      mismatched: [],
      mismatchedTotal: 0,
      rowsCompared: c.primary.size,
    };
  });
  return {
    events,
    keyVersions,
    distinctKeys: chans.reduce((n, c) => n + c.nextVer.size, 0),
    simulatedMs: workEnd - T0,
    final: {
      collections,
      search: [],
      catchUp: { caughtUp: true, catchUpMs: caughtUpAt - workEnd, timeoutMs: 600_000, standbyReads: 1 },
      sourceReachable: true,
      targetReachable: true,
    },
    thresholds: SOAK_THRESHOLDS,
  };
}
