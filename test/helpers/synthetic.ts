/**
 * A model of a correct primary -> standby link that writes the history and final state a drill would
 * record, so the checkers can be tested against many seeds: writes with ok/fail/info outcomes applied
 * on a primary, a CDC that replicates each channel in order with delay and stops while killed, a monitor
 * that reads the standby, heartbeats, checkpoint samples and write probes. An optional anomaly breaks
 * exactly one guarantee, the way a real fault would.
 */
import type {
  CollectionFinal,
  FinalState,
  SearchParityResult,
  Thresholds,
} from "../../src/checkers/types.js";
import { mulberry32 } from "../../src/generator/prng.js";
import type { HistoryEvent, ObservationEvent, Pk, WriteKind } from "../../src/history/types.js";

export type Anomaly =
  | "drop-ack"
  | "replay-insert"
  | "delete-before-insert"
  | "lower-version"
  | "skip-after-restart"
  | "stall"
  | "checkpoint-backward"
  | "probe-accepted"
  | "search-differs"
  | "catchup-timeout";

export interface SyntheticOptions {
  seed: number;
  ops?: number;
  collections?: number;
  kills?: number;
  anomaly?: Anomaly;
}

export interface SyntheticRun {
  history: HistoryEvent[];
  final: FinalState;
  thresholds: Thresholds;
  /** False when this seed offered no place to inject the anomaly (the run is then clean). */
  injected: boolean;
}

/** The generator's own seeded PRNG: test cases spread the same way the drill's workload does. */
const rng = mulberry32;

export const T0 = 1_700_000_000_000;
const HB_INTERVAL = 25;
const POLL = 20;
const MAX_DELAY = 30;
const MAX_DOWNTIME = 200;
export const PROBE_ERROR = "replicate violation: non-replicate message cannot be received in secondary role";

/** Bounds a correct link of this model always meets, so a clean run can never trip them. */
export const THRESHOLDS: Thresholds = {
  lagSloMs: 1000,
  recoveryTimeoutMs: 500,
  catchUpTimeoutMs: 5000,
  minRecall: 0.8,
  distanceEpsilon: 1e-5,
  rpoMs: 1000,
  rtoMs: 1000,
  lagMetricToleranceMs: 300,
  lagMetricGraceMs: 400,
};

/** One applied change on a channel: a key write, or a heartbeat row on the heartbeat channel. */
interface Entry {
  applyTime: number;
  opId: number;
  pk: Pk;
  ver: number;
  kind: WriteKind;
  ok: boolean;
  ackTime: number;
  invokeTime: number;
  hbSeq?: number;
  wallMs?: number;
}

interface Replicated {
  entry: Entry;
  at: number;
}

export interface KeyState {
  ver: number;
  copies: number;
}

/** The run's first event, as the drill writes it, for a synthetic run over these collections. */
export function headerEvent(seed: number, colls: readonly string[]): HistoryEvent {
  return {
    type: "header",
    version: 1,
    seed,
    startedAt: T0,
    backend: "synthetic",
    collections: Object.fromEntries(colls.map((c) => [c, { shards: 1 }])),
    config: {},
  };
}

export function synthesize(opts: SyntheticOptions): SyntheticRun {
  const rand = rng(opts.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const anomaly = opts.anomaly;
  const needsKill =
    anomaly === "skip-after-restart" || anomaly === "stall" || anomaly === "checkpoint-backward";
  const nOps = opts.ops ?? 300;
  const nColl = opts.collections ?? 2;
  const colls = Array.from({ length: nColl }, (_, i) => `c${i}`);
  const events: HistoryEvent[] = [];
  let opId = 0;

  events.push(headerEvent(opts.seed, colls));
  events.push({ type: "phase", name: "setup", time: T0 });
  const workStart = T0 + 10;
  events.push({ type: "phase", name: "workload", time: workStart });

  // --- workload on the primary: 3 workers, no two in-flight ops on one key, versions in invoke order.
  const logs = new Map<string, Entry[]>(colls.map((c) => [c, []]));
  const pools = new Map<string, Pk[]>(colls.map((c) => [c, []]));
  const nextVer = new Map<string, number>();
  const belief = new Map<string, "absent" | "present" | "unknown">();
  const busyUntil = new Map<string, number>();
  let nextPk = 1;
  const free = [workStart, workStart + 1, workStart + 2];
  for (let n = 0; n < nOps; n++) {
    const w = free.indexOf(Math.min(...free));
    const t = free[w] as number;
    const c = pick(colls);
    const pool = pools.get(c) as Pk[];
    const idle = pool.filter((pk) => (busyUntil.get(`${c}/${pk}`) ?? 0) < t);
    let kind: WriteKind;
    let keys: Pk[];
    if (idle.length === 0 || rand() < 0.3) {
      kind = "insert";
      keys = Array.from({ length: int(1, 3) }, () => String(nextPk++));
      for (const pk of keys) pool.push(pk);
    } else {
      const pk = pick(idle);
      const b = belief.get(`${c}/${pk}`) ?? "absent";
      // Inserting a key that may exist would duplicate it, so an uncertain key is only upserted or deleted.
      kind = b === "absent" ? "insert" : rand() < 0.3 ? "delete" : "upsert";
      keys = [pk];
    }
    const dur = int(2, 15);
    const done = t + dur;
    const r = rand();
    const outcome = r < 0.1 ? "fail" : r < 0.2 ? "info" : "ok";
    const applied = outcome === "ok" || (outcome === "info" && rand() < 0.5);
    const applyTime = int(t + 1, done);
    const id = ++opId;
    const kv = keys.map((pk) => {
      const k = `${c}/${pk}`;
      const ver = (nextVer.get(k) ?? 0) + 1;
      nextVer.set(k, ver);
      busyUntil.set(k, done);
      const b = belief.get(k) ?? "absent";
      if (outcome === "ok") belief.set(k, kind === "delete" ? "absent" : "present");
      else if (outcome === "info" && !(kind === "delete" && b === "absent")) belief.set(k, "unknown");
      else if (!belief.has(k)) belief.set(k, "absent");
      return { pk, ver };
    });
    events.push({
      type: "invoke",
      id,
      process: w,
      time: t,
      value: { f: "write", kind, collection: c, keys: kv },
    });
    events.push({
      type: outcome,
      id,
      process: w,
      time: done,
      ...(outcome === "ok" ? {} : { error: `${outcome} by model` }),
    });
    if (applied) {
      for (const { pk, ver } of kv) {
        (logs.get(c) as Entry[]).push({
          applyTime,
          opId: id,
          pk,
          ver,
          kind,
          ok: outcome === "ok",
          ackTime: done,
          invokeTime: t,
        });
      }
    }
    free[w] = done + int(0, 5);
  }
  const workEnd = Math.max(...free) + 1;

  // --- probes: client writes sent to the standby, refused (or timing out) as Milvus does.
  const probes: Array<{ id: number; pk: Pk; collection: string }> = [];
  for (let i = 0; i < 3; i++) {
    const t = int(workStart, workEnd);
    const id = ++opId;
    const pk = String(900_000_000 + i);
    const collection = colls[0] as string;
    probes.push({ id, pk, collection });
    events.push({
      type: "invoke",
      id,
      process: 99,
      time: t,
      value: { f: "probe-standby-write", collection, pk },
    });
    const accepted = anomaly === "probe-accepted" && i === 0;
    if (accepted) events.push({ type: "ok", id, process: 99, time: t + 3 });
    else if (i === 2 && rand() < 0.5)
      events.push({ type: "info", id, process: 99, time: t + 50, error: "deadline exceeded" });
    else if (rand() < 0.5)
      events.push({
        type: "fail",
        id,
        process: 99,
        time: t + 3,
        error: PROBE_ERROR,
        detail: { readOk: true },
      });
    else
      events.push({
        type: "fail",
        id,
        process: 99,
        time: t + 3,
        error: "code 65535",
        detail: { code: 65535, readOk: true },
      });
  }

  // --- CDC kills during the workload.
  const kills: Array<{ id: number; start: number; end: number }> = [];
  const nKills = Math.max(needsKill ? 1 : 0, opts.kills ?? int(0, 2));
  const span = workEnd - workStart;
  for (let i = 0; i < nKills; i++) {
    const start = workStart + Math.floor(((i + 0.2 + rand() * 0.5) * span) / (nKills + 0.5));
    kills.push({ id: 1000 + i, start, end: start + int(50, MAX_DOWNTIME) });
  }
  const stallFrom = anomaly === "stall" ? kills[0]?.start : undefined;

  // --- heartbeats on the primary until the run ends (decided after replication; written generously).
  const hbLog: Entry[] = [];
  const horizon = workEnd + THRESHOLDS.catchUpTimeoutMs;
  const hbEvents: Array<{ hbSeq: number; wallMs: number; time: number; outcome: "ok" | "fail" | "info" }> =
    [];
  for (let s = 1, t = workStart; t < horizon; s++, t += HB_INTERVAL) {
    const r = rand();
    const outcome = r < 0.03 ? "fail" : r < 0.06 ? "info" : "ok";
    hbEvents.push({ hbSeq: s, wallMs: t, time: t + int(1, 3), outcome });
    if (outcome === "ok" || (outcome === "info" && rand() < 0.5)) {
      hbLog.push({
        applyTime: t,
        opId: 0,
        pk: "hb",
        ver: s,
        kind: "upsert",
        ok: true,
        ackTime: t,
        invokeTime: t,
        hbSeq: s,
        wallMs: t,
      });
    }
  }

  // --- injections into what the CDC sends.
  let injected = anomaly === undefined || anomaly === "stall" || anomaly === "probe-accepted";
  injected ||= anomaly === "search-differs" || anomaly === "catchup-timeout";
  const dropped = new Set<Entry>();
  // Injections change what the CDC sends, never the primary's own log.
  const sent = new Map(colls.map((c) => [c, [...(logs.get(c) as Entry[])]]));
  const outcomeOf = new Map<number, string>();
  for (const e of events)
    if (e.type === "ok" || e.type === "fail" || e.type === "info") outcomeOf.set(e.id, e.type);
  const finalInsert = (c: string, e: Entry) =>
    e.kind === "insert" && e.ok && laterWrites(events, outcomeOf, c, e.pk, e.ver) === 0;
  if (anomaly === "drop-ack") {
    for (const c of colls) {
      const e = (sent.get(c) as Entry[]).find((x) => finalInsert(c, x));
      if (e) {
        dropped.add(e);
        injected = true;
        break;
      }
    }
  }
  if (anomaly === "replay-insert") {
    for (const c of colls) {
      const log = sent.get(c) as Entry[];
      const i = log.findIndex((x) => finalInsert(c, x));
      if (i >= 0) {
        log.splice(i + 1, 0, { ...(log[i] as Entry) });
        injected = true;
        break;
      }
    }
  }
  if (anomaly === "delete-before-insert") {
    outer: for (const c of colls) {
      const log = sent.get(c) as Entry[];
      for (let i = 0; i < log.length; i++) {
        const ins = log[i] as Entry;
        if (ins.kind !== "insert" || !ins.ok) continue;
        const j = log.findIndex((x) => x.pk === ins.pk && x.ver === ins.ver + 1);
        const del = log[j];
        if (
          !del ||
          del.kind !== "delete" ||
          !del.ok ||
          laterWrites(events, outcomeOf, c, ins.pk, del.ver) > 0
        )
          continue;
        log[i] = { ...del, applyTime: ins.applyTime };
        log[j] = { ...ins, applyTime: del.applyTime };
        injected = true;
        break outer;
      }
    }
  }
  let skipFrom = Number.POSITIVE_INFINITY;
  let skipTo = Number.NEGATIVE_INFINITY;
  if (anomaly === "skip-after-restart" && kills[0]) {
    skipFrom = kills[0].start;
    skipTo = kills[0].end;
    injected = colls.some((c) =>
      (logs.get(c) as Entry[]).some(
        (x) => x.applyTime >= skipFrom && x.applyTime < skipTo && finalInsert(c, x),
      ),
    );
  }

  // --- replication: per channel in order, delayed, nothing moves while the CDC is down.
  const replicate = (log: readonly Entry[]): Replicated[] => {
    const out: Replicated[] = [];
    let prev = 0;
    for (const entry of [...log].sort((a, b) => a.applyTime - b.applyTime)) {
      if (dropped.has(entry)) continue;
      let at = Math.max(entry.applyTime + int(3, MAX_DELAY), prev);
      if (stallFrom !== undefined && at >= stallFrom) break;
      for (const k of kills) if (at >= k.start && at < k.end) at = k.end + int(1, 10);
      // A restart that resumes past where it stopped loses what was written while it was down.
      if (entry.applyTime >= skipFrom && entry.applyTime < skipTo && entry.hbSeq === undefined) continue;
      prev = at;
      out.push({ entry, at });
    }
    return out;
  };
  const standby = new Map(colls.map((c) => [c, replicate(sent.get(c) as Entry[])]));
  const hbStandby = replicate(hbLog);

  // --- settle: the standby has caught up when every channel applied its last entry.
  const caughtUpAt = Math.max(workEnd, ...[...standby.values()].map((r) => r[r.length - 1]?.at ?? 0));
  const stuck = colls.some(
    (c) => (standby.get(c) as Replicated[]).length < (logs.get(c) as Entry[]).length - dropped.size,
  );
  const caughtUp = anomaly !== "stall" || !stuck;
  if (anomaly === "stall") injected = stuck;
  const runEnd = caughtUp ? caughtUpAt + 2 * POLL : workEnd + THRESHOLDS.catchUpTimeoutMs;
  events.push({ type: "phase", name: "settle", time: workEnd });
  for (const h of hbEvents) if (h.wallMs < runEnd) events.push({ type: "heartbeat", ...h });

  // --- the monitor: standby snapshots at one instant inside each read's interval.
  const stateAt = (c: string, r: number) => {
    const m = new Map<Pk, KeyState>();
    for (const { entry, at } of standby.get(c) as Replicated[]) {
      if (at > r) break;
      applyTo(m, entry);
    }
    return m;
  };
  const obs: ObservationEvent[] = [];
  let turn = 0;
  for (let t = workStart; t < runEnd; t += POLL) {
    const r = t + 1;
    const hb = [...hbStandby].reverse().find((x) => x.at <= r)?.entry;
    obs.push({
      type: "obs",
      kind: "heartbeat",
      side: "target",
      invokeTime: t,
      time: t + 2,
      hbSeq: hb?.hbSeq ?? null,
      wallMs: hb?.wallMs ?? null,
    });
    // Milvus's lag metric, as a faithful CDC reports it: the age of what the standby shows.
    obs.push({
      type: "obs",
      kind: "lag-metric",
      side: "target",
      invokeTime: t + 1,
      time: t + 2,
      lagMs: hb?.wallMs !== undefined ? Math.max(0, r - hb.wallMs) : null,
      channels: hb?.wallMs !== undefined ? 1 : 0,
    });
    const c = colls[turn++ % colls.length] as string;
    const st = stateAt(c, r);
    const reads = (pools.get(c) as Pk[]).map((pk) => ({ pk, ver: st.get(pk)?.ver ?? null }));
    obs.push({
      type: "obs",
      kind: "keys",
      side: "target",
      collection: c,
      invokeTime: t + 3,
      time: t + 6,
      reads,
    });
    if (turn % 3 === 0) {
      colls.forEach((cc, i) => {
        const applied = (standby.get(cc) as Replicated[]).filter((x) => x.at <= r + 7);
        const last = applied[applied.length - 1];
        const tt = last ? ((BigInt(last.entry.applyTime) << 18n) + BigInt(applied.length)).toString() : null;
        obs.push({
          type: "obs",
          kind: "checkpoint",
          side: "target",
          invokeTime: t + 7,
          time: t + 9,
          pchannel: `src-rootcoord-dml_${i}`,
          timeTick: tt,
          messageId: tt,
        });
      });
    }
  }
  if (anomaly === "lower-version") injected = lowerVersion(obs, events);
  if (anomaly === "checkpoint-backward" && kills[0]) {
    const after = obs.filter(
      (o): o is Extract<ObservationEvent, { kind: "checkpoint" }> =>
        o.kind === "checkpoint" && o.invokeTime > (kills[0]?.end ?? 0) && o.timeTick !== null,
    );
    const s = after[after.length - 1];
    if (s?.timeTick) {
      s.timeTick = (BigInt(s.timeTick) - (1n << 30n)).toString();
      injected = true;
    }
  }
  events.push(...obs);
  for (const k of kills) {
    events.push({ type: "fault", id: k.id, name: "kill-cdc", phase: "start", time: k.start });
    events.push({
      type: "fault",
      id: k.id,
      name: "kill-cdc",
      phase: "end",
      time: k.end,
      evidence: { injectedAt: k.start, restoredAt: k.end },
    });
  }
  events.push({ type: "phase", name: "verify", time: runEnd });
  events.push({ type: "phase", name: "done", time: runEnd + 10 });
  const header = events[0] as HistoryEvent;
  const rest = events.slice(1).sort((a, b) => ("time" in a ? a.time : 0) - ("time" in b ? b.time : 0));
  const history = [header, ...rest];

  // --- final state: full scans of both sides.
  const collections = colls.map((c) => {
    const src = new Map<Pk, KeyState>();
    for (const e of [...(logs.get(c) as Entry[])].sort((a, b) => a.applyTime - b.applyTime)) applyTo(src, e);
    const tgt = stateAt(c, Number.POSITIVE_INFINITY);
    if (anomaly === "probe-accepted" && c === probes[0]?.collection)
      tgt.set(probes[0].pk, { ver: 1, copies: 1 });
    return compare(c, src, tgt);
  });
  const catchUp =
    anomaly === "catchup-timeout" || !caughtUp
      ? {
          caughtUp: false,
          catchUpMs: null,
          waitingFor: "c0: standby count behind the primary",
          timeoutMs: THRESHOLDS.catchUpTimeoutMs,
          standbyReads: Math.floor(THRESHOLDS.catchUpTimeoutMs / POLL),
        }
      : {
          caughtUp: true,
          catchUpMs: caughtUpAt - workEnd,
          timeoutMs: THRESHOLDS.catchUpTimeoutMs,
          standbyReads: Math.max(1, Math.ceil((caughtUpAt - workEnd) / POLL)),
        };
  const final: FinalState = {
    collections,
    search: searches(rand, anomaly === "search-differs"),
    catchUp,
    sourceReachable: true,
    targetReachable: true,
  };
  return { history, final, thresholds: THRESHOLDS, injected };
}

function laterWrites(
  events: readonly HistoryEvent[],
  outcomes: Map<number, string>,
  c: string,
  pk: Pk,
  ver: number,
): number {
  let n = 0;
  for (const e of events) {
    if (
      e.type !== "invoke" ||
      e.value.f !== "write" ||
      e.value.collection !== c ||
      outcomes.get(e.id) === "fail"
    )
      continue;
    for (const k of e.value.keys) if (k.pk === pk && k.ver > ver) n += 1;
  }
  return n;
}

/** Milvus semantics: a second insert of a live key adds a row (count(*) sees it), upsert replaces, delete removes. */
function applyTo(m: Map<Pk, KeyState>, e: Entry): void {
  const cur = m.get(e.pk);
  if (e.kind === "delete") m.delete(e.pk);
  else if (e.kind === "insert" && cur) m.set(e.pk, { ver: e.ver, copies: cur.copies + 1 });
  else m.set(e.pk, { ver: e.ver, copies: 1 });
}

/** One collection as the final read compares it: both sides' rows, and what is only on one or differs. */
export function compare(name: string, src: Map<Pk, KeyState>, tgt: Map<Pk, KeyState>): CollectionFinal {
  const side = (m: Map<Pk, KeyState>) => ({
    reachable: true,
    count: [...m.values()].reduce((n, s) => n + s.copies, 0),
    distinctKeys: m.size,
    versions: Object.fromEntries([...m].map(([pk, s]) => [pk, s.ver])),
    schema: {
      fields: [
        { name: "pk", type: "Int64", primary: true },
        { name: "ver", type: "Int64" },
        { name: "vec", type: "FloatVector", dim: 8 },
      ],
      dynamicField: false,
    },
    indexes: [{ field: "vec", name: "vec_idx", type: "FLAT", metric: "L2" }],
    partitions: ["_default"],
    aliases: [],
  });
  const onlySource = [...src.keys()].filter((pk) => !tgt.has(pk));
  const onlyTarget = [...tgt.keys()].filter((pk) => !src.has(pk));
  const mismatched = [...src]
    .filter(([pk, s]) => tgt.has(pk) && tgt.get(pk)?.ver !== s.ver)
    .map(([pk]) => ({ pk, fields: ["ver", "vec"] }));
  return {
    name,
    source: side(src),
    target: side(tgt),
    onlySource,
    onlySourceTotal: onlySource.length,
    onlyTarget,
    onlyTargetTotal: onlyTarget.length,
    mismatched,
    mismatchedTotal: mismatched.length,
    rowsCompared: [...src.keys()].filter((pk) => tgt.has(pk)).length,
  };
}

/** Lower one key's version in a later standby read than one that already showed a newer version. */
export function lowerVersion(obs: ObservationEvent[], events: readonly HistoryEvent[]): boolean {
  const keyObs = obs.filter((o): o is Extract<ObservationEvent, { kind: "keys" }> => o.kind === "keys");
  for (let i = 0; i < keyObs.length; i++) {
    const o1 = keyObs[i] as Extract<ObservationEvent, { kind: "keys" }>;
    for (const r1 of o1.reads) {
      if (r1.ver === null || r1.ver < 2) continue;
      const older = writtenVersions(events, o1.collection, r1.pk).filter(
        (v) => v.ver < (r1.ver as number) && v.kind !== "delete",
      );
      const lower = older[older.length - 1];
      if (!lower) continue;
      const o2 = keyObs.slice(i + 1).find((o) => o.collection === o1.collection && o.invokeTime > o1.time);
      if (!o2) continue;
      o2.reads = o2.reads.map((r) => (r.pk === r1.pk ? { pk: r.pk, ver: lower.ver } : r));
      return true;
    }
  }
  return false;
}

function writtenVersions(
  events: readonly HistoryEvent[],
  c: string,
  pk: Pk,
): Array<{ ver: number; kind: WriteKind }> {
  const out: Array<{ ver: number; kind: WriteKind }> = [];
  for (const e of events) {
    if (e.type !== "invoke" || e.value.f !== "write" || e.value.collection !== c) continue;
    for (const k of e.value.keys) if (k.pk === pk) out.push({ ver: k.ver, kind: e.value.kind });
  }
  return out.sort((a, b) => a.ver - b.ver);
}

/**
 * Two searched fields: FLAT (exact, with ties at the k-th distance that the standby may break another
 * way, plus float noise under epsilon) and HNSW (approximate, recall >= 0.8 per query).
 */
function searches(rand: () => number, differ: boolean): SearchParityResult[] {
  const k = 5;
  const flat: SearchParityResult = {
    collection: "c0",
    field: "vec",
    metric: "L2",
    indexType: "FLAT",
    k,
    queries: [],
  };
  const ann: SearchParityResult = {
    collection: "c1",
    field: "vec",
    metric: "IP",
    indexType: "HNSW",
    k,
    queries: [],
  };
  for (let q = 0; q < 5; q++) {
    const cands = Array.from({ length: 8 }, (_, i) => ({
      pk: String(q * 100 + i),
      distance: 0.1 * (i + 1) + rand() * 0.01,
    }));
    // Candidates 3..6 tie with each other, so the 4th and 5th hits are any two of them.
    for (let i = 4; i < 7; i++)
      (cands[i] as { distance: number }).distance = (cands[3] as { distance: number }).distance;
    const source = cands.slice(0, k);
    const tieOrder = [3, 4, 5, 6].sort(() => rand() - 0.5).slice(0, 2);
    const target = [
      ...cands.slice(0, 3),
      ...tieOrder.map((i) => cands[i] as { pk: string; distance: number }),
    ].map((h) => ({
      pk: h.pk,
      distance: h.distance + (rand() - 0.5) * 1e-7,
    }));
    if (differ && q === 0) (target[0] as { pk: string }).pk = "999999";
    flat.queries.push({ source, target });
    const annSource = cands.slice(0, k).map((h) => ({ pk: h.pk, distance: 1 - h.distance }));
    const annTarget = annSource.map((h, i) =>
      i === k - 1 && rand() < 0.5 ? { pk: "777", distance: h.distance } : h,
    );
    ann.queries.push({ source: annSource, target: annTarget });
  }
  return [flat, ann];
}
