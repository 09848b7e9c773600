/**
 * The role-change checks (rpo, rto, promotion, failover-prefix, reverse-parity) on small hand-built
 * histories: each must pass, fail with the keys/op ids that show it, and say unknown when it saw nothing.
 */
import { describe, expect, it } from "vitest";
import { checkFailoverPrefix } from "../src/checkers/failover-prefix.js";
import { computeMetrics } from "../src/checkers/metrics.js";
import { checkPrimarySanity } from "../src/checkers/primary-sanity.js";
import { checkPromotion } from "../src/checkers/promotion.js";
import { checkReverseParity } from "../src/checkers/reverse-parity.js";
import { checkRpo } from "../src/checkers/rpo.js";
import { checkRto } from "../src/checkers/rto.js";
import { REPLICATE_VIOLATION } from "../src/checkers/standby-read-only.js";
import type { CollectionFinal, FinalState } from "../src/checkers/types.js";
import type { HistoryEvent, Pk } from "../src/history/types.js";
import { coll, nextOpId, ROLE_CHANGE_THRESHOLDS, side, step, write } from "./helpers/events.js";

const thresholds = ROLE_CHANGE_THRESHOLDS;
const ctx = { thresholds };

function snapshot(time: number, reads: Array<[Pk, number | null]>, count?: number): HistoryEvent {
  const present = reads.filter(([, v]) => v !== null).length;
  return {
    type: "snapshot",
    label: "promoted",
    cluster: "b",
    collection: "c",
    invokeTime: time - 5,
    time,
    count: count ?? present,
    reads: reads.map(([pk, ver]) => ({ pk, ver })),
  };
}
function probe(t: number, outcome: "ok" | "fail" | "info", error?: string): HistoryEvent[] {
  const id = nextOpId();
  return [
    {
      type: "invoke",
      id,
      process: -2,
      time: t,
      value: { f: "probe-standby-write", collection: "c", pk: "-1", cluster: "a", purpose: "demoted" },
    },
    { type: outcome, id, process: -2, time: t + 3, ...(error ? { error } : {}) },
  ];
}

/** Keys 1..3 written at 0, 20, 40 (acked at +5); key 1 upserted at 60 (acked 65). */
function workload(): HistoryEvent[] {
  return [
    ...write(0, "insert", "1", 1),
    ...write(20, "insert", "2", 1),
    ...write(40, "insert", "3", 1),
    ...write(60, "upsert", "1", 2),
  ];
}

const switchover = (snap: HistoryEvent[], extra: HistoryEvent[] = []): HistoryEvent[] => [
  ...workload(),
  step("stop-writes", 70, 80),
  step("caught-up", 80, 90),
  step("role-change", 90, 100, { primary: "b" }),
  ...snap,
  step("first-write", 110, 130, { primary: "b", detail: { opId: 99 } }),
  ...extra,
];
const failover = (snap: HistoryEvent[], extra: HistoryEvent[] = []): HistoryEvent[] => [
  ...workload(),
  step("primary-lost", 70, 72),
  step("force-promote", 72, 90, { primary: "b" }),
  ...snap,
  step("first-write", 100, 120, { primary: "b" }),
  ...extra,
];

const final = (over: Partial<FinalState> = {}): FinalState => ({
  collections: [],
  search: [],
  catchUp: null,
  sourceReachable: true,
  targetReachable: true,
  ...over,
});
const plain = workload();

describe("rpo", () => {
  it("switchover: every acknowledged write on the new primary passes", () => {
    const r = checkRpo(
      switchover([
        snapshot(105, [
          ["1", 2],
          ["2", 1],
          ["3", 1],
        ]),
      ]),
      final(),
      ctx,
    );
    expect(r.verdict).toBe("pass");
    expect(r.stats).toMatchObject({ lostWrites: 0, keysRead: 3, windowMs: 90 - 65 });
  });
  it("switchover: one lost write fails, naming key and op", () => {
    const r = checkRpo(
      switchover([
        snapshot(105, [
          ["1", 1],
          ["2", 1],
          ["3", 1],
        ]),
      ]),
      final(),
      ctx,
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]).toMatchObject({ collection: "c", pk: "1" });
    expect(r.evidence[0]?.opId).toBeTypeOf("number");
    expect(r.evidence[0]?.message).toMatch(/upsert op \d+ \(key 1 ver 2/);
  });
  it("failover: a loss inside the bound passes but names the write; an older one fails", () => {
    // Key 1 ver 2 acked at 65, primary gone at 72: 7 ms old, inside the 100 ms bound.
    const young = checkRpo(
      failover([
        snapshot(95, [
          ["1", 1],
          ["2", 1],
          ["3", 1],
        ]),
      ]),
      final(),
      ctx,
    );
    expect(young.verdict).toBe("pass");
    expect(young.evidenceTotal).toBe(1);
    expect(young.evidence[0]).toMatchObject({ pk: "1", ageMs: 7 });
    const old = checkRpo(
      failover([
        snapshot(95, [
          ["1", 1],
          ["2", 1],
          ["3", 1],
        ]),
      ]),
      final(),
      {
        thresholds: { ...thresholds, rpoMs: 2 },
      },
    );
    expect(old.verdict).toBe("fail");
  });
  it("unknown when the new primary was not read; skipped without a role change", () => {
    const r = checkRpo(switchover([]), final(), ctx);
    expect(r.verdict).toBe("unknown");
    expect(r.summary).toMatch(/not read right after the role change/);
    expect(checkRpo(plain, final(), ctx).verdict).toBe("skipped");
  });
});

describe("rto", () => {
  it("passes under the bound, fails over it", () => {
    expect(checkRto(switchover([]), final(), ctx)).toMatchObject({ verdict: "pass", stats: { rtoMs: 50 } });
    const slow = checkRto(switchover([]), final(), { thresholds: { ...thresholds, rtoMs: 10 } });
    expect(slow.verdict).toBe("fail");
    expect(slow.evidence[0]).toMatchObject({ opId: 99 });
  });
  it("a first write never acknowledged: fail past the bound, unknown before it", () => {
    const h = [
      ...workload(),
      step("stop-writes", 70, 80),
      step("first-write", 90, 2000, { ok: false, error: "timeout" }),
    ];
    expect(checkRto(h, final(), ctx).verdict).toBe("fail");
    const early = [
      ...workload(),
      step("stop-writes", 70, 80),
      step("first-write", 90, 95, { ok: false, error: "x" }),
    ];
    expect(checkRto(early, final(), ctx).verdict).toBe("unknown");
    expect(checkRto([...workload(), step("stop-writes", 70, 80)], final(), ctx).verdict).toBe("unknown");
  });
});

describe("promotion", () => {
  it("passes when the demoted cluster refuses with the replicate violation", () => {
    const r = checkPromotion(switchover([], probe(140, "fail", REPLICATE_VIOLATION)));
    expect(r).toMatchObject({ verdict: "pass", stats: { probes: 1, refused: 1 } });
  });
  it("fails on split brain: the demoted cluster accepted a write (op id as evidence)", () => {
    const h = switchover([], probe(140, "ok"));
    const r = checkPromotion(h);
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]?.message).toMatch(/split brain: the demoted cluster a ACCEPTED client write op \d+/);
    expect(r.evidence[0]?.opId).toBeTypeOf("number");
  });
  it("fails when the new primary refused its first write", () => {
    const h = [
      ...workload(),
      step("stop-writes", 70, 80),
      step("first-write", 90, 95, { ok: false, error: "denied" }),
    ];
    expect(checkPromotion([...h, ...probe(140, "fail", REPLICATE_VIOLATION)]).verdict).toBe("fail");
  });
  it("unknown when the demoted cluster was never probed, or answered something else", () => {
    expect(checkPromotion(switchover([])).verdict).toBe("unknown");
    expect(checkPromotion(switchover([], probe(140, "info"))).verdict).toBe("unknown");
    expect(checkPromotion(switchover([], probe(140, "fail", "rate limited"))).verdict).toBe("unknown");
  });
});

describe("failover-prefix", () => {
  it("a lost tail is a prefix", () => {
    const r = checkFailoverPrefix(
      failover([
        snapshot(95, [
          ["1", 1],
          ["2", 1],
          ["3", 1],
        ]),
      ]),
    );
    expect(r.verdict).toBe("pass");
  });
  it("a hole fails: key 2 missing while the later key 3 shows", () => {
    const r = checkFailoverPrefix(
      failover([
        snapshot(95, [
          ["1", 1],
          ["2", null],
          ["3", 1],
        ]),
      ]),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]).toMatchObject({ pk: "2" });
    expect(r.evidence[0]?.message).toMatch(
      /hole: .* shows op \d+ \(key 3 ver 1\) but not op \d+ \(key 2 ver 1\)/,
    );
  });
  it("a zombie (a version no write produced) and duplicates fail", () => {
    expect(
      checkFailoverPrefix(
        failover([
          snapshot(95, [
            ["1", 7],
            ["2", 1],
            ["3", 1],
          ]),
        ]),
      ).evidence[0]?.message,
    ).toMatch(/zombie: key 1 shows ver 7/);
    expect(
      checkFailoverPrefix(
        failover([
          snapshot(
            95,
            [
              ["1", 2],
              ["2", 1],
              ["3", 1],
            ],
            4,
          ),
        ]),
      ).evidence[0]?.message,
    ).toMatch(/duplicates: count\(\*\) is 4 but 3 key\(s\) are present/);
  });
  it("unknown without a snapshot; skipped for a switchover", () => {
    expect(checkFailoverPrefix(failover([])).verdict).toBe("unknown");
    expect(checkFailoverPrefix(switchover([])).verdict).toBe("skipped");
  });
});

describe("reverse-parity", () => {
  const rev = (c: CollectionFinal) => final({ reverse: { source: "b", target: "a", collections: [c] } });
  it("passes when both sides hold the same rows", () => {
    expect(checkReverseParity(switchover([]), rev(coll({ 1: 2, 2: 1 }, { 1: 2, 2: 1 }))).verdict).toBe(
      "pass",
    );
  });
  it("fails naming the key missing on the way back", () => {
    const r = checkReverseParity(switchover([]), rev(coll({ 1: 2, 2: 1 }, { 1: 2 })));
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]).toMatchObject({ pk: "2", message: "c: key 2 is on b but not on a" });
  });
  it("unknown when the way back was never compared; skipped without a role change", () => {
    expect(checkReverseParity(switchover([]), final()).verdict).toBe("unknown");
    expect(checkReverseParity(plain, final()).verdict).toBe("skipped");
  });
});

describe("after a failover the other checks accept the fork", () => {
  it("primary-sanity does not blame the new primary for a write lost in the failover", () => {
    const h = failover([
      snapshot(95, [
        ["1", 1],
        ["2", 1],
        ["3", 1],
      ]),
    ]);
    const f = final({ collections: [coll({ 1: 1, 2: 1, 3: 1 }, { 1: 1, 2: 1, 3: 1 })] });
    expect(checkPrimarySanity(h, f).verdict).toBe("pass");
    // The same loss in a switchover is no excuse.
    const s = switchover([
      snapshot(105, [
        ["1", 1],
        ["2", 1],
        ["3", 1],
      ]),
    ]);
    expect(checkPrimarySanity(s, f).verdict).toBe("fail");
  });
  it("a collection whose creation was lost with the old primary is a loss in the failover, not the new primary's", () => {
    // The promoted standby never received collection c: the snapshot says so (exists: false).
    const gone: HistoryEvent = {
      ...snapshot(95, [
        ["1", null],
        ["2", null],
        ["3", null],
      ]),
      exists: false,
      count: 0,
    } as HistoryEvent;
    const h = failover([gone]);
    // At the end c exists nowhere: the rebuilt old primary was restored from the new one.
    const goneEverywhere = final({
      collections: [
        {
          ...coll({}, {}),
          source: { ...side({}), exists: false },
          target: { ...side({}), exists: false },
        },
      ],
    });
    expect(checkPrimarySanity(h, goneEverywhere).verdict).toBe("pass");
    const rpo = checkRpo(h, goneEverywhere, { thresholds: { ...thresholds, rpoMs: 1000 } });
    expect(rpo.verdict).toBe("pass");
    expect(rpo.stats?.lostWrites).toBe(4);
    expect(rpo.evidence.map((e) => e.opId)).toHaveLength(4);
    // Without the snapshot nothing was seen: primary-sanity cannot excuse the loss and rpo cannot judge it.
    const unseen = failover([]);
    expect(checkRpo(unseen, goneEverywhere, ctx).verdict).toBe("unknown");
    expect(checkPrimarySanity(unseen, goneEverywhere).verdict).toBe("fail");
  });
  it("a collection the drill dropped before the primary was lost is gone by design from the new primary", () => {
    const id = nextOpId();
    const drop: HistoryEvent[] = [
      {
        type: "invoke",
        id,
        process: 0,
        time: 66,
        value: { f: "ddl", action: "drop-collection", collection: "c", detail: {} },
      },
      { type: "ok", id, process: 0, time: 68 },
    ];
    const gone = {
      ...snapshot(95, [
        ["1", null],
        ["2", null],
        ["3", null],
      ]),
      exists: false,
      count: 0,
    } as HistoryEvent;
    const h = [...workload(), ...drop, ...failover([gone]).slice(workload().length)];
    const rpo = checkRpo(h, final(), ctx);
    expect(rpo.stats?.lostWrites).toBe(0);
    // Nothing else was written before the cut: nothing to judge, so unknown, never a pass on nothing.
    expect(rpo.verdict).toBe("unknown");
    // The same absence without the drop is four lost writes (all older than rpoMs 100 before the cut: fail).
    const notDropped = failover([gone]);
    expect(checkRpo(notDropped, final(), ctx).stats?.lostWrites).toBe(4);
  });
  it("metrics carry the same RPO and RTO numbers as the checks", () => {
    const h = failover([
      snapshot(95, [
        ["1", 1],
        ["2", 1],
        ["3", 1],
      ]),
    ]);
    const m = computeMetrics(h, final(), thresholds);
    expect(m.rpo).toEqual({ lostWrites: 1, windowMs: 72 - 65 });
    expect(m.rtoMs).toBe(50);
  });
});
