/**
 * A model of a correct role change (switchover or failover) that writes the history and final state a
 * drill would record, so the role-change checks (rpo, rto, promotion, failover-prefix, reverse-parity)
 * can be judged over many seeds: a workload on the old primary (one channel per collection, writes in
 * order, some refused), the cut, the new primary's snapshot of every key, its first write, a write
 * probe refused by the demoted (or rebuilt) cluster, and the comparison after replication ran back.
 * In a failover the promoted standby may miss a young tail of each channel, as Milvus allows.
 */
import type { CollectionFinal, FinalState, Thresholds } from "../../src/checkers/types.js";
import { mulberry32 } from "../../src/generator/prng.js";
import type { HistoryEvent, Pk, StepEvent, StepName, WriteKind } from "../../src/history/types.js";
import { compare, headerEvent, type KeyState, PROBE_ERROR, T0, THRESHOLDS } from "./synthetic.js";

export type Scenario = "switchover" | "failover";

/** One broken guarantee, the way a faulty CDC or a faulty promotion would break it. */
export type RoleChangeAnomaly =
  | "lose-acked-tail" // switchover: the last acknowledged write of a channel never reached b (rpo)
  | "hole" // failover: one acknowledged write in the middle of a channel is missing on b (failover-prefix)
  | "split-brain" // the demoted cluster accepts the client write probe (promotion)
  | "slow-first-write" // b takes its first write after the RTO bound (rto)
  | "reverse-missing"; // a row of b never reached a on the way back (reverse-parity)

export interface RoleChangeRun {
  scenario: Scenario;
  history: HistoryEvent[];
  final: FinalState;
  thresholds: Thresholds;
  /** False when this seed offered no place for the anomaly (the run is then clean). */
  injected: boolean;
}

/** A failover may lose writes acknowledged at most this long before the primary was lost. */
const TAIL_MS = 40;

interface Write {
  opId: number;
  pk: Pk;
  ver: number;
  kind: WriteKind;
  ok: boolean;
  ackTime: number;
}

export function synthesizeRoleChange(opts: {
  seed: number;
  scenario: Scenario;
  anomaly?: RoleChangeAnomaly;
}): RoleChangeRun {
  const anomaly = opts.anomaly;
  const rand = mulberry32(opts.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const colls = Array.from({ length: int(1, 3) }, (_, i) => `c${i}`);
  const events: HistoryEvent[] = [headerEvent(opts.seed, colls)];
  let opId = 0;
  let t = T0 + 10;
  const logs = new Map<string, Write[]>(colls.map((c) => [c, []]));
  // The workload on the old primary: one writer, so a channel's order is the invoke order.
  const nOps = int(20, 120);
  // The hole and the lost tail need a channel with applied writes: the first ops go to c0.
  const ver = new Map<string, number>();
  const live = new Map<string, Set<Pk>>(colls.map((c) => [c, new Set()]));
  for (let i = 0; i < nOps; i++) {
    const c = (i < 3 ? colls[0] : colls[int(0, colls.length - 1)]) as string;
    const keys = [...(live.get(c) as Set<Pk>)];
    const r = rand();
    const kind: WriteKind = keys.length === 0 || r < 0.5 ? "insert" : r < 0.8 ? "upsert" : "delete";
    const pk = kind === "insert" ? String(1000 + i) : (keys[int(0, keys.length - 1)] as Pk);
    const v = (ver.get(`${c}/${pk}`) ?? 0) + 1;
    ver.set(`${c}/${pk}`, v);
    const ok = rand() > 0.05;
    const id = ++opId;
    t += int(1, 8);
    events.push({
      type: "invoke",
      id,
      process: 0,
      time: t,
      value: { f: "write", kind, collection: c, keys: [{ pk, ver: v }] },
    });
    t += int(1, 4);
    events.push(
      ok
        ? { type: "ok", id, process: 0, time: t }
        : { type: "fail", id, process: 0, time: t, error: "rate limited" },
    );
    (logs.get(c) as Write[]).push({ opId: id, pk, ver: v, kind, ok, ackTime: t });
    if (ok) {
      if (kind === "delete") live.get(c)?.delete(pk);
      else live.get(c)?.add(pk);
    }
  }

  const steps: StepEvent[] = [];
  const step = (name: StepName, ms: number, over: Partial<StepEvent> = {}) => {
    const startedAt = t;
    t += ms;
    const s: StepEvent = { type: "step", name, startedAt, time: t, ok: true, ...over };
    steps.push(s);
    events.push(s);
  };
  let cutAt: number;
  if (opts.scenario === "switchover") {
    step("stop-writes", int(1, 20));
    step("caught-up", int(5, 200));
    cutAt = t;
    step("role-change", int(5, 100), { primary: "b" });
  } else {
    t += 1;
    cutAt = t;
    step("primary-lost", int(1, 10));
    step("force-promote", int(5, 200), { primary: "b" });
  }

  // What the new primary holds: every applied write of a channel up to a point (the whole channel in a
  // switchover; in a failover, all but a tail acknowledged within TAIL_MS of the loss).
  const held = new Map<string, Map<Pk, number | null>>();
  let injected = anomaly === undefined || anomaly === "split-brain" || anomaly === "slow-first-write";
  for (const c of colls) {
    let log = (logs.get(c) as Write[]).filter((w) => w.ok);
    let upTo = log.length;
    if (opts.scenario === "failover") {
      const young = log.findIndex((w) => w.ackTime > cutAt - TAIL_MS);
      upTo = young === -1 ? log.length : int(young, log.length);
    }
    if (c === colls[0] && anomaly === "lose-acked-tail" && log.length > 0) {
      upTo = log.length - 1;
      injected = true;
    }
    if (c === colls[0] && anomaly === "hole" && upTo >= 2) {
      // Skip the first applied write whose key a later applied write does not overwrite.
      const applied = log.slice(0, upTo);
      const gap = applied.findIndex(
        (w, i) => i < upTo - 1 && !applied.slice(i + 1).some((x) => x.pk === w.pk),
      );
      if (gap !== -1) {
        log = log.filter((_, i) => i !== gap);
        upTo -= 1;
        injected = true;
      }
    }
    const state = new Map<Pk, number | null>();
    for (const w of logs.get(c) as Write[]) if (!state.has(w.pk)) state.set(w.pk, null);
    for (const w of log.slice(0, upTo)) state.set(w.pk, w.kind === "delete" ? null : w.ver);
    held.set(c, state);
    const reads = [...state].map(([pk, v]) => ({ pk, ver: v }));
    events.push({
      type: "snapshot",
      label: "promoted",
      cluster: "b",
      collection: c,
      invokeTime: t,
      time: t + 3,
      count: reads.filter((r) => r.ver !== null).length,
      reads,
    });
    t += 4;
  }
  step("first-write", anomaly === "slow-first-write" ? THRESHOLDS.rtoMs + 1 : int(2, 50), {
    primary: "b",
    detail: { opId: opId + 1 },
  });
  if (opts.scenario === "failover") step("rebuild", int(50, 300));
  step("reverse-replication", int(10, 200));
  // The demoted (or rebuilt) cluster is now b's standby: a client write to it must be refused.
  const probe = ++opId;
  events.push({
    type: "invoke",
    id: probe,
    process: -2,
    time: t,
    value: {
      f: "probe-standby-write",
      collection: colls[0] as string,
      pk: "-1",
      cluster: "a",
      purpose: "demoted",
    },
  });
  t += 3;
  events.push(
    anomaly === "split-brain"
      ? { type: "ok", id: probe, process: -2, time: t }
      : { type: "fail", id: probe, process: -2, time: t, error: PROBE_ERROR },
  );

  // After the way back both clusters hold what b holds (one row per key).
  const reverse: CollectionFinal[] = colls.map((c) => {
    const rows = new Map<Pk, KeyState>();
    for (const [pk, ver] of held.get(c) as Map<Pk, number | null>)
      if (ver !== null) rows.set(pk, { ver, copies: 1 });
    const onA = new Map(rows);
    if (anomaly === "reverse-missing" && c === colls[0]) {
      const first = [...rows.keys()][0];
      if (first !== undefined) {
        onA.delete(first);
        injected = true;
      }
    }
    return compare(c, rows, onA);
  });
  return {
    scenario: opts.scenario,
    history: events,
    final: {
      collections: [],
      search: [],
      catchUp: null,
      sourceReachable: true,
      targetReachable: true,
      reverse: { source: "b", target: "a", collections: reverse },
    },
    thresholds: THRESHOLDS,
    injected,
  };
}
