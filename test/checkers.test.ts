import { describe, expect, it } from "vitest";
import { checkCatchUp } from "../src/checkers/catch-up.js";
import { checkCheckpointRecovery } from "../src/checkers/checkpoint-recovery.js";
import { checkDuplicates } from "../src/checkers/duplicates.js";
import { combineVerdicts, computeMetrics } from "../src/checkers/index.js";
import { checkLag } from "../src/checkers/lag.js";
import { checkMonotonicReads } from "../src/checkers/monotonic-reads.js";
import { checkParity } from "../src/checkers/parity.js";
import { checkPrefix } from "../src/checkers/prefix.js";
import { checkPrimarySanity } from "../src/checkers/primary-sanity.js";
import { checkSearchParity, compareExact } from "../src/checkers/search-parity.js";
import { checkStandbyReadOnly, REPLICATE_VIOLATION } from "../src/checkers/standby-read-only.js";
import { downsample, percentile } from "../src/checkers/stats.js";
import type {
  CheckResult,
  CollectionFinal,
  FinalState,
  SideFinal,
  Thresholds,
} from "../src/checkers/types.js";
import { MAX_EVIDENCE } from "../src/checkers/types.js";
import type { HistoryEvent, Pk } from "../src/history/types.js";
import { side as baseSide, nextOpId, write } from "./helpers/events.js";

const thresholds: Thresholds = {
  lagSloMs: 1000,
  recoveryTimeoutMs: 500,
  catchUpTimeoutMs: 5000,
  minRecall: 0.8,
  distanceEpsilon: 1e-6,
  rpoMs: 1000,
  rtoMs: 1000,
};
const ctx = { thresholds };

function keys(
  invokeTime: number,
  time: number,
  reads: Array<[Pk, number | null]>,
  collection = "c",
): HistoryEvent {
  return {
    type: "obs",
    kind: "keys",
    side: "target",
    collection,
    invokeTime,
    time,
    reads: reads.map(([pk, ver]) => ({ pk, ver })),
  };
}

function hbObs(invokeTime: number, time: number, hbSeq: number | null, wallMs: number | null): HistoryEvent {
  return { type: "obs", kind: "heartbeat", side: "target", invokeTime, time, hbSeq, wallMs };
}

/** A side with a schema and the default partition, as a real final read gives it. */
function side(versions: Record<Pk, number>, extra: Partial<SideFinal> = {}): SideFinal {
  return baseSide(versions, {
    schema: { fields: [{ name: "pk", type: "Int64", primary: true }], dynamicField: false },
    partitions: ["_default"],
    ...extra,
  });
}

function collection(src: Record<Pk, number>, tgt: Record<Pk, number>, name = "c"): CollectionFinal {
  const onlySource = Object.keys(src).filter((k) => !(k in tgt));
  const onlyTarget = Object.keys(tgt).filter((k) => !(k in src));
  return {
    name,
    source: side(src),
    target: side(tgt),
    onlySource,
    onlySourceTotal: onlySource.length,
    onlyTarget,
    onlyTargetTotal: onlyTarget.length,
    mismatched: [],
    mismatchedTotal: 0,
    rowsCompared: Object.keys(src).filter((k) => k in tgt).length,
  };
}

function final(collections: CollectionFinal[], over: Partial<FinalState> = {}): FinalState {
  return { collections, search: [], catchUp: null, sourceReachable: true, targetReachable: true, ...over };
}

const verdictOf = (r: CheckResult) => r.verdict;

describe("combineVerdicts", () => {
  const r = (verdict: CheckResult["verdict"]): CheckResult => ({
    name: "lag",
    verdict,
    summary: "",
    evidence: [],
    evidenceTotal: 0,
    observed: 1,
  });
  it("fail beats unknown beats pass, skipped is ignored", () => {
    expect(combineVerdicts([r("pass"), r("unknown"), r("fail"), r("skipped")])).toBe("fail");
    expect(combineVerdicts([r("pass"), r("unknown"), r("skipped")])).toBe("unknown");
    expect(combineVerdicts([r("pass"), r("skipped")])).toBe("pass");
  });
  it("a run where everything was skipped proved nothing", () => {
    expect(combineVerdicts([r("skipped"), r("skipped")])).toBe("unknown");
    expect(combineVerdicts([])).toBe("unknown");
  });
});

describe("primary-sanity", () => {
  it("a key whose last write is info may be at the previous or the info version", () => {
    const h = [...write(0, "insert", "1", 1), ...write(10, "upsert", "1", 2, "info")];
    expect(checkPrimarySanity(h, final([collection({ 1: 1 }, { 1: 1 })])).verdict).toBe("pass");
    expect(checkPrimarySanity(h, final([collection({ 1: 2 }, { 1: 2 })])).verdict).toBe("pass");
  });
  it("an info insert of a new key may leave it absent", () => {
    const h = write(0, "insert", "1", 1, "info");
    expect(checkPrimarySanity(h, final([collection({}, {})])).verdict).toBe("pass");
  });
  it("an info delete after an ok insert may have removed the key", () => {
    const h = [...write(0, "insert", "1", 1), ...write(10, "delete", "1", 2, "info")];
    expect(checkPrimarySanity(h, final([collection({}, {})])).verdict).toBe("pass");
  });
  it("fails, blaming the primary, when an acknowledged write is missing or older", () => {
    const h = [...write(0, "insert", "1", 1), ...write(10, "upsert", "1", 2)];
    const gone = checkPrimarySanity(h, final([collection({}, {})]));
    expect(gone.verdict).toBe("fail");
    expect(gone.summary).toMatch(/PRIMARY lost data/);
    expect(gone.evidence[0]?.pk).toBe("1");
    expect(checkPrimarySanity(h, final([collection({ 1: 1 }, { 1: 1 })])).verdict).toBe("fail");
  });
  it("fails when a write reported failed shows on the primary", () => {
    const h = [...write(0, "insert", "1", 1), ...write(10, "upsert", "1", 2, "fail")];
    expect(checkPrimarySanity(h, final([collection({ 1: 2 }, { 1: 2 })])).verdict).toBe("fail");
  });
  it("a deleted key may come back only through a later write", () => {
    const h = [
      ...write(0, "insert", "1", 1),
      ...write(10, "delete", "1", 2),
      ...write(20, "insert", "1", 3, "info"),
    ];
    expect(checkPrimarySanity(h, final([collection({}, {})])).verdict).toBe("pass");
    expect(checkPrimarySanity(h, final([collection({ 1: 3 }, { 1: 3 })])).verdict).toBe("pass");
    expect(checkPrimarySanity(h, final([collection({ 1: 1 }, { 1: 1 })])).verdict).toBe("fail");
  });
  it("is unknown when the primary could not be read", () => {
    const h = write(0, "insert", "1", 1);
    const c = collection({ 1: 1 }, { 1: 1 });
    c.source.reachable = false;
    expect(checkPrimarySanity(h, final([c])).verdict).toBe("unknown");
  });
});

describe("parity", () => {
  it("passes identical sides", () => {
    const r = checkParity(write(0, "insert", "1", 1), final([collection({ 1: 1 }, { 1: 1 })]));
    expect(r.verdict).toBe("pass");
    expect(r.stats?.rowsCompared).toBe(1);
  });
  it("names a lost key and the op that wrote it", () => {
    const h = write(0, "insert", "7", 1);
    const r = checkParity(h, final([collection({ 7: 1 }, {})]));
    expect(r.verdict).toBe("fail");
    expect(r.evidence.find((e) => e.kind === "lost")).toMatchObject({
      pk: "7",
      opId: (h[0] as { id: number }).id,
    });
  });
  it("tells a zombie (deleted on the primary) from an unexpected key", () => {
    const h = [...write(0, "insert", "1", 1), ...write(10, "delete", "1", 2)];
    const r = checkParity(h, final([collection({}, { 1: 1, 2: 1 })]));
    expect(r.verdict).toBe("fail");
    expect(r.evidence.find((e) => e.pk === "1")?.kind).toBe("zombie");
    expect(r.evidence.find((e) => e.pk === "2")?.kind).toBe("unexpected");
    expect(r.stats).toMatchObject({ zombie: 1, unexpected: 1 });
  });
  it("flags a count mismatch, a version mismatch and a schema difference", () => {
    const c = collection({ 1: 2 }, { 1: 1 });
    c.target.count = 2;
    c.target.schema = { fields: [{ name: "pk", type: "VarChar", primary: true }], dynamicField: false };
    const r = checkParity([], final([c]));
    expect(r.verdict).toBe("fail");
    const kinds = r.evidence.map((e) => e.kind ?? "count");
    expect(kinds).toEqual(expect.arrayContaining(["schema", "mismatched", "count"]));
  });
  it("does not care about field order in schemas or index lists", () => {
    const c = collection({}, {});
    c.source.schema = {
      fields: [
        { name: "a", type: "Int64", primary: true },
        { name: "b", dim: 4, type: "FloatVector" },
      ],
      dynamicField: false,
    };
    c.target.schema = {
      fields: [
        { name: "b", type: "FloatVector", dim: 4 },
        { name: "a", type: "Int64", primary: true },
      ],
      dynamicField: false,
    };
    expect(checkParity([], final([c])).verdict).toBe("pass");
  });
  it("is unknown when the primary is unreachable, but a proven loss elsewhere still fails", () => {
    const down = collection({}, {});
    down.source.reachable = false;
    expect(checkParity([], final([down], { sourceReachable: false })).verdict).toBe("unknown");
    expect(checkParity([], final([down, collection({ 1: 1 }, {}, "d")])).verdict).toBe("fail");
  });
  it("keeps the evidence bounded and counts everything", () => {
    const src = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [String(i), 1]));
    const r = checkParity([], final([collection(src, {})]));
    expect(r.evidence).toHaveLength(MAX_EVIDENCE);
    expect(r.evidenceTotal).toBe(101); // 100 lost keys + the count mismatch
  });
  it("is skipped when nothing was compared", () => {
    expect(checkParity([], final([])).verdict).toBe("skipped");
  });
});

describe("duplicates", () => {
  it("fails per side when count(*) exceeds the distinct keys", () => {
    const c = collection({ 1: 1 }, { 1: 1 });
    c.target.count = 2;
    const r = checkDuplicates([], final([c]));
    expect(r.verdict).toBe("fail");
    expect(r.evidence).toEqual([expect.objectContaining({ side: "standby", count: 2, distinctKeys: 1 })]);
    expect(checkDuplicates([], final([collection({ 1: 1 }, { 1: 1 })])).verdict).toBe("pass");
  });
  it("is unknown when a side was not counted", () => {
    const c = collection({ 1: 1 }, { 1: 1 });
    c.source.count = null;
    expect(checkDuplicates([], final([c])).verdict).toBe("unknown");
  });
});

describe("monotonic-reads", () => {
  const h = [
    ...write(0, "insert", "1", 1),
    ...write(10, "upsert", "1", 2),
    ...write(20, "delete", "1", 3),
    ...write(30, "insert", "1", 4),
  ];
  it("fails when a later read shows a lower version", () => {
    const r = checkMonotonicReads([...h, keys(40, 41, [["1", 2]]), keys(42, 43, [["1", 1]])]);
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]?.pk).toBe("1");
  });
  it("does not order overlapping reads", () => {
    const first = keys(35, 38, [["1", 1]]);
    expect(
      checkMonotonicReads([...h, first, keys(40, 50, [["1", 2]]), keys(45, 55, [["1", 1]])]).verdict,
    ).toBe("pass");
  });
  it("is unknown when no read is ordered after an earlier sighting of its key", () => {
    const r = checkMonotonicReads([...h, keys(40, 50, [["1", 2]]), keys(45, 55, [["1", 1]])]);
    expect(r.verdict).toBe("unknown");
    expect(r.observed).toBe(0);
    expect(checkMonotonicReads([]).verdict).toBe("unknown");
  });
  it("is unknown with 'standby unreadable' when every standby read failed", () => {
    const failed: HistoryEvent = {
      type: "obs",
      kind: "keys",
      side: "target",
      collection: "c",
      invokeTime: 40,
      time: 41,
      reads: [],
      error: "connection refused",
    };
    const r = checkMonotonicReads([...h, failed, { ...failed, invokeTime: 50, time: 51 }]);
    expect(r.verdict).toBe("unknown");
    expect(r.reason).toMatch(/standby unreadable.*connection refused/);
  });
  it("absence before the first insert says nothing; a delete then re-insert is progress", () => {
    const reads = [
      keys(1, 2, [["1", null]]),
      keys(3, 4, [["1", 1]]),
      keys(5, 6, [["1", null]]),
      keys(7, 8, [["1", 4]]),
    ];
    expect(checkMonotonicReads([...h, ...reads]).verdict).toBe("pass");
  });
  it("a key seen deleted is never seen again at a version before the delete", () => {
    const reads = [keys(1, 2, [["1", 2]]), keys(3, 4, [["1", null]]), keys(5, 6, [["1", 2]])];
    expect(checkMonotonicReads([...h, ...reads]).verdict).toBe("fail");
  });
  it("a key that vanishes with no delete to explain it fails", () => {
    const only = write(0, "insert", "9", 1);
    expect(checkMonotonicReads([...only, keys(6, 7, [["9", 1]]), keys(8, 9, [["9", null]])]).verdict).toBe(
      "fail",
    );
  });
});

describe("prefix", () => {
  // Key a acked at 5; key b invoked at 10. A snapshot showing b must show a.
  const h = [...write(0, "insert", "a", 1), ...write(10, "insert", "b", 1)];
  it("fails when the standby shows a write but not one acknowledged before it was invoked", () => {
    const r = checkPrefix([
      ...h,
      keys(20, 21, [
        ["a", null],
        ["b", 1],
      ]),
    ]);
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]).toMatchObject({ pk: "a", opId: (h[0] as { id: number }).id });
  });
  it("fails when the required key is present but at an older version", () => {
    const h4 = [...write(0, "insert", "a", 1), ...write(6, "upsert", "a", 2), ...write(20, "insert", "b", 1)];
    const snap = keys(30, 31, [
      ["a", 1],
      ["b", 1],
    ]);
    const r = checkPrefix([...h4, snap]);
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]?.message).toMatch(/it read ver 1/);
  });
  it("passes a consistent snapshot and a snapshot that shows only the older write", () => {
    const ok = keys(20, 21, [
      ["a", 1],
      ["b", 1],
    ]);
    const older = keys(22, 23, [
      ["a", 1],
      ["b", null],
    ]);
    expect(checkPrefix([...h, ok, older]).verdict).toBe("pass");
  });
  it("does not require an info write, nor one that was still running when the shown write began", () => {
    const h2 = [...write(0, "insert", "a", 1, "info"), ...write(3, "insert", "b", 1)];
    const snap = keys(20, 21, [
      ["a", null],
      ["b", 1],
    ]);
    expect(checkPrefix([...h2, snap]).verdict).toBe("pass");
  });
  it("a later delete of the required key explains its absence", () => {
    const h3 = [...h, ...write(12, "delete", "a", 2, "info")];
    const snap = keys(20, 21, [
      ["a", null],
      ["b", 1],
    ]);
    expect(checkPrefix([...h3, snap]).verdict).toBe("pass");
  });
  it("is skipped for multi-shard collections, where Milvus orders nothing across channels", () => {
    const header: HistoryEvent = {
      type: "header",
      version: 1,
      seed: 1,
      startedAt: 0,
      backend: "test",
      collections: { c: { shards: 2 } },
      config: {},
    };
    const snap = keys(20, 21, [
      ["a", null],
      ["b", 1],
    ]);
    expect(checkPrefix([header, ...h, snap]).verdict).toBe("skipped");
  });
});

describe("checkpoint-recovery", () => {
  const kill = (start: number, end: number): HistoryEvent[] => [
    { type: "fault", id: 1, name: "kill-cdc", phase: "start", time: start },
    { type: "fault", id: 1, name: "kill-cdc", phase: "end", time: end },
  ];
  const hb = (seq: number, wallMs: number): HistoryEvent => ({
    type: "heartbeat",
    hbSeq: seq,
    wallMs,
    time: wallMs + 1,
    outcome: "ok",
  });
  const beats = [hb(1, 0), hb(2, 100), hb(3, 200), hb(4, 300), hb(5, 400)];
  const cps: HistoryEvent[] = [0, 300].map((invokeTime) => ({
    type: "obs",
    kind: "checkpoint",
    side: "target",
    invokeTime,
    time: invokeTime + 1,
    pchannel: "p0",
    timeTick: String(1000 + invokeTime),
    messageId: null,
  }));
  it("passes when a heartbeat written after the restart shows within the bound", () => {
    const h = [
      ...beats,
      ...kill(50, 150),
      ...cps,
      hbObs(10, 12, 1, 0),
      hbObs(160, 162, 1, 0),
      hbObs(220, 222, 3, 200),
    ];
    const r = checkCheckpointRecovery(h, final([]), ctx);
    expect(r.verdict).toBe("pass");
    expect(r.stats?.worstRecoveryMs).toBe(72);
  });
  it("fails when the standby heartbeat has not moved by the deadline", () => {
    const h = [...beats, ...kill(50, 150), hbObs(10, 12, 1, 0), hbObs(750, 752, 1, 0)];
    const r = checkCheckpointRecovery(h, final([]), ctx);
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]?.message).toMatch(/did not move/);
  });
  it("a heartbeat written before the kill does not prove recovery", () => {
    const h = [
      ...beats,
      ...kill(120, 150),
      hbObs(10, 12, 1, 0),
      hbObs(160, 162, 2, 100),
      hbObs(800, 802, 2, 100),
    ];
    expect(checkCheckpointRecovery(h, final([]), ctx).verdict).toBe("fail");
  });
  it("is unknown when the monitor stopped before the deadline", () => {
    const h = [...beats, ...kill(50, 150), hbObs(10, 12, 1, 0), hbObs(160, 162, 1, 0)];
    expect(checkCheckpointRecovery(h, final([]), ctx).verdict).toBe("unknown");
  });
  // Every nemesis type is judged the same way from its end (restart done, partition/delay/pause healed).
  for (const name of [
    "restart-standby",
    "restart-primary",
    "partition",
    "delay",
    "pause-cdc",
    "stress-standby",
  ]) {
    const fault = (start: number, end: number, error?: string): HistoryEvent[] => [
      { type: "fault", id: 1, name, phase: "start", time: start },
      { type: "fault", id: 1, name, phase: "end", time: end, ...(error ? { error } : {}) },
    ];
    it(`${name}: passes once the standby shows a heartbeat written after the fault ended`, () => {
      const h = [...beats, ...fault(50, 150), ...cps, hbObs(10, 12, 1, 0), hbObs(220, 222, 3, 200)];
      const r = checkCheckpointRecovery(h, final([]), ctx);
      expect(r.verdict).toBe("pass");
      expect(r.summary).toContain(`${name} 72 ms`);
    });
    it(`${name}: fails when replication does not resume within the bound after it healed`, () => {
      const h = [...beats, ...fault(50, 150), hbObs(10, 12, 1, 0), hbObs(750, 752, 1, 0)];
      const r = checkCheckpointRecovery(h, final([]), ctx);
      expect(r.verdict).toBe("fail");
      expect(r.evidence[0]?.message).toContain(`${name} #1`);
    });
    it(`${name}: a fault that was not injected proves no recovery (unknown)`, () => {
      const h = [
        ...beats,
        ...fault(50, 150, "no replicator is running"),
        hbObs(10, 12, 1, 0),
        hbObs(220, 222, 3, 200),
      ];
      const r = checkCheckpointRecovery(h, final([]), ctx);
      expect(r.verdict).toBe("unknown");
      expect(computeMetrics(h, final([]), thresholds).recoveries?.[0]).toMatchObject({
        fault: name,
        status: "unknown",
      });
    });
  }
  it("fails when a checkpoint moves backward, compared as 64-bit integers", () => {
    const cp = (invokeTime: number, tt: string): HistoryEvent => ({
      type: "obs",
      kind: "checkpoint",
      side: "target",
      invokeTime,
      time: invokeTime + 1,
      pchannel: "p0",
      timeTick: tt,
      messageId: null,
    });
    // Both exceed 2^53, so a Number comparison would call them equal.
    const up = [cp(0, "18446744073709551000"), cp(5, "18446744073709551001")];
    const ok = checkCheckpointRecovery(up, final([]), ctx);
    expect(ok.verdict).toBe("pass");
    // No fault in the run: the pass rests on the comparisons, and the summary says no recovery was judged.
    expect(ok.summary).toMatch(/^no fault in this run .*1 checkpoint comparison/);
    const back = [cp(0, "18446744073709551001"), cp(5, "18446744073709551000")];
    const r = checkCheckpointRecovery(back, final([]), ctx);
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]).toMatchObject({ pchannel: "p0" });
  });
  it("is skipped without kills or checkpoint samples", () => {
    expect(checkCheckpointRecovery([], final([]), ctx).verdict).toBe("skipped");
  });
  it("is unknown with recovered kills but no checkpoint comparison", () => {
    const h = [...beats, ...kill(50, 150), hbObs(10, 12, 1, 0), hbObs(220, 222, 3, 200)];
    const r = checkCheckpointRecovery(h, final([]), ctx);
    expect(r.verdict).toBe("unknown");
    expect(r.reason).toMatch(/no two checkpoint samples/);
  });
  it("is unknown for a kill whose injection failed: nothing was killed, so nothing recovered", () => {
    const failedKill: HistoryEvent[] = [
      { type: "fault", id: 1, name: "kill-cdc", phase: "start", time: 50 },
      { type: "fault", id: 1, name: "kill-cdc", phase: "end", time: 60, error: "no CDC pod found" },
    ];
    const h = [...beats, ...failedKill, ...cps, hbObs(10, 12, 1, 0), hbObs(220, 222, 3, 200)];
    const r = checkCheckpointRecovery(h, final([]), ctx);
    expect(r.verdict).toBe("unknown");
    expect(r.reason).toMatch(/was not injected: no CDC pod found/);
    const m = computeMetrics(h, final([]), thresholds);
    expect(m.recoveries[0]).toMatchObject({ status: "unknown", recoveryMs: null });
  });
});

describe("standby-read-only", () => {
  const probe = (
    outcome: "ok" | "fail" | "info",
    extra: { error?: string; detail?: Record<string, unknown> } = {},
  ): HistoryEvent[] => {
    const id = nextOpId();
    return [
      {
        type: "invoke",
        id,
        process: 9,
        time: 0,
        value: { f: "probe-standby-write", collection: "c", pk: "99" },
      },
      { type: outcome, id, process: 9, time: 1, ...extra },
    ];
  };
  const refused = probe("fail", { error: `rpc error: ${REPLICATE_VIOLATION}`, detail: { readOk: true } });
  const empty = final([collection({}, {})]);
  it("passes a probe refused with the replicate-violation error or code 65535", () => {
    expect(checkStandbyReadOnly(refused, empty).verdict).toBe("pass");
    expect(
      checkStandbyReadOnly(probe("fail", { detail: { code: 65535, readOk: true } }), empty).verdict,
    ).toBe("pass");
  });
  it("proves reads work too: a failed read fails, an untried read is unknown", () => {
    const noRead = probe("fail", {
      detail: { code: 65535, readOk: false, readError: "collection not loaded" },
    });
    const r = checkStandbyReadOnly(noRead, empty);
    expect(r.verdict).toBe("fail");
    expect(r.summary).toMatch(/a read of c on the standby failed.*collection not loaded/);
    const untried = checkStandbyReadOnly(probe("fail", { detail: { code: 65535 } }), empty);
    expect(untried.verdict).toBe("unknown");
    expect(untried.reason).toMatch(/no read of the standby/);
    // Without a final scan of the standby the probe could have left a row: unknown.
    expect(checkStandbyReadOnly(refused, final([])).verdict).toBe("unknown");
  });
  it("a read that got no answer (no connection) is unknown, not a failed read, unless another read was served", () => {
    const unanswered = probe("fail", {
      detail: { code: 65535, readError: "14 UNAVAILABLE: No connection established" },
    });
    const r = checkStandbyReadOnly(unanswered, empty);
    expect(r.verdict).toBe("unknown");
    expect(r.reason).toMatch(/after write probe op \d+ got no answer: 14 UNAVAILABLE/);
    expect(r.stats).toMatchObject({ readsOk: 0, readsUnanswered: 1 });
    expect(checkStandbyReadOnly([...unanswered, ...refused], empty).verdict).toBe("pass");
    // An answered failure still fails, whatever else was unanswered.
    const failed = probe("fail", { detail: { code: 65535, readOk: false, readError: "denied" } });
    expect(checkStandbyReadOnly([...unanswered, ...failed, ...refused], empty).verdict).toBe("fail");
  });
  it("fails an accepted probe and a probe key left on the standby", () => {
    expect(checkStandbyReadOnly(probe("ok"), empty).verdict).toBe("fail");
    expect(checkStandbyReadOnly(refused, final([collection({}, { 99: 1 })])).verdict).toBe("fail");
  });
  it("an info probe is unknown unless another probe was refused", () => {
    const info = probe("info", { error: "deadline exceeded" });
    expect(checkStandbyReadOnly(info, empty).verdict).toBe("unknown");
    expect(checkStandbyReadOnly([...info, ...refused], empty).verdict).toBe("pass");
    expect(checkStandbyReadOnly(probe("fail", { error: "connection refused" }), empty).verdict).toBe(
      "unknown",
    );
  });
  it("is skipped with no probes", () => {
    expect(checkStandbyReadOnly([], empty).verdict).toBe("skipped");
  });
});

describe("search-parity", () => {
  const hits = (...xs: Array<[string, number]>) => xs.map(([pk, distance]) => ({ pk, distance }));
  it("FLAT: keys tied at the k-th distance may differ", () => {
    const s = hits(["a", 0.1], ["b", 0.2], ["c", 0.3]);
    const t = hits(["a", 0.1], ["b", 0.2], ["z", 0.3 + 1e-7]);
    expect(compareExact(s, t, "L2", 1e-6)).toBeUndefined();
  });
  it("FLAT: a different key strictly better than the tie band fails, for either metric direction", () => {
    const s = hits(["a", 0.1], ["b", 0.2], ["c", 0.3]);
    expect(compareExact(s, hits(["x", 0.1], ["b", 0.2], ["c", 0.3]), "L2", 1e-6)).toMatch(/key a/);
    const ip = hits(["a", 0.9], ["b", 0.8], ["c", 0.7]);
    expect(compareExact(ip, hits(["a", 0.9], ["b", 0.8], ["z", 0.7]), "IP", 1e-6)).toBeUndefined();
    expect(compareExact(ip, hits(["q", 0.9], ["b", 0.8], ["c", 0.7]), "IP", 1e-6)).toMatch(/key a/);
    expect(compareExact(s, hits(["a", 0.1], ["b", 0.25], ["c", 0.3]), "L2", 1e-6)).toMatch(/distance/);
  });
  const result = (
    indexType: string,
    queries: Array<{ source: ReturnType<typeof hits>; target: ReturnType<typeof hits> }>,
  ) => ({
    collection: "c",
    field: "v",
    metric: "L2",
    indexType,
    k: 2,
    queries,
  });
  it("ANN: mean recall@k below the threshold fails, at the threshold passes", () => {
    const q = (tpk: string) => ({ source: hits(["a", 1], ["b", 2]), target: hits(["a", 1], [tpk, 2]) });
    const low = final([], { search: [result("HNSW", [q("x"), q("y")])] });
    expect(checkSearchParity([], low, ctx).verdict).toBe("fail");
    const half = { ...ctx, thresholds: { ...thresholds, minRecall: 0.5 } };
    expect(checkSearchParity([], low, half).verdict).toBe("pass");
  });
  it("no results is skipped; a failed search is unknown", () => {
    expect(checkSearchParity([], final([]), ctx).verdict).toBe("skipped");
    const err = final([], { search: [{ ...result("FLAT", []), error: "timeout" }] });
    expect(checkSearchParity([], err, ctx).verdict).toBe("unknown");
  });
});

describe("lag", () => {
  it("passes under the SLO and fails over it (p99, nearest rank)", () => {
    const under = Array.from({ length: 10 }, (_, i) => hbObs(i * 100, i * 100 + 1, i + 1, i * 100 - 50));
    expect(checkLag(under, final([]), ctx).verdict).toBe("pass");
    const over = [...under, hbObs(2000, 2001, 11, 500)];
    const r = checkLag(over, final([]), ctx);
    expect(r.verdict).toBe("fail");
    expect(r.stats?.p99).toBe(1501);
  });
  it("fails when the standby heartbeat sequence goes back, but not between overlapping reads", () => {
    const back = [hbObs(0, 1, 5, 0), hbObs(2, 3, 4, 0), hbObs(4, 5, 6, 0)];
    expect(checkLag(back, final([]), ctx).verdict).toBe("fail");
    const overlap = [hbObs(0, 10, 5, 0), hbObs(2, 12, 4, 0), hbObs(14, 15, 6, 0)];
    expect(checkLag(overlap, final([]), ctx).verdict).toBe("pass");
  });
  it("a read that saw nothing (what an unreachable standby records) is not a regression", () => {
    const gap = [hbObs(0, 1, 5, 0), hbObs(2, 3, null, null), hbObs(4, 5, 6, 0), hbObs(6, 7, 6, 0)];
    expect(checkLag(gap, final([]), ctx).verdict).toBe("pass");
  });
  it("is unknown with too few samples", () => {
    expect(checkLag([hbObs(0, 1, 1, 0)], final([]), ctx).verdict).toBe("unknown");
  });
  it("judges the steady state: a spike inside a fault's recovery window is left to checkpoint-recovery", () => {
    const steady = Array.from({ length: 20 }, (_, i) => hbObs(i * 100, i * 100 + 1, i + 1, i * 100 - 50));
    const fault = (start: number, end: number): HistoryEvent[] => [
      { type: "fault", id: 1, name: "kill-cdc", phase: "start", time: start },
      { type: "fault", id: 1, name: "kill-cdc", phase: "end", time: end },
    ];
    // Lag of 3 s right after a kill at 2000, back to 50 ms at 2600: recovered, so lag passes.
    const spike = [hbObs(2400, 2401, 21, -599), hbObs(2500, 2501, 22, -499)];
    const after = [hbObs(2600, 2601, 23, 2551), hbObs(2700, 2701, 24, 2651)];
    const withFault = [...fault(2000, 2300), ...steady, ...spike, ...after];
    const r = checkLag(withFault, final([]), ctx);
    expect(r.verdict).toBe("pass");
    expect(r.stats?.faultWindowSamples).toBe(2);
    // The same spike with no fault to explain it is a steady-state SLO breach.
    expect(checkLag([...steady, ...spike, ...after], final([]), ctx).verdict).toBe("fail");
  });
});

describe("catch-up", () => {
  it("fails naming what it waited for; skipped without a catch-up phase", () => {
    const r = checkCatchUp(
      [],
      final([], {
        catchUp: {
          caughtUp: false,
          catchUpMs: null,
          waitingFor: "c: count 9/10",
          timeoutMs: 100,
          standbyReads: 4,
        },
      }),
    );
    expect(r.verdict).toBe("fail");
    const blind = checkCatchUp(
      [],
      final([], {
        catchUp: {
          caughtUp: false,
          catchUpMs: null,
          waitingFor: "heartbeat 9",
          timeoutMs: 100,
          standbyReads: 0,
        },
      }),
    );
    expect(blind.verdict).toBe("unknown");
    expect(blind.reason).toMatch(/standby unreadable/);
    expect(r.summary).toMatch(/c: count 9\/10/);
    expect(verdictOf(checkCatchUp([], final([])))).toBe("skipped");
    const ok = final([], { catchUp: { caughtUp: true, catchUpMs: 40, timeoutMs: 100 } });
    expect(checkCatchUp([], ok).verdict).toBe("pass");
  });
});

describe("metrics helpers", () => {
  it("percentile is nearest-rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([3, 1, 2], 99)).toBe(3);
    expect(percentile([], 50)).toBeNull();
  });
  it("downsampling keeps the spikes", () => {
    const series = Array.from({ length: 1000 }, (_, t) => ({ t, lagMs: t === 517 ? 9999 : 10 }));
    const d = downsample(series, 300);
    expect(d.length).toBeLessThanOrEqual(300);
    expect(d.some((p) => p.lagMs === 9999)).toBe(true);
  });
  it("computeMetrics pairs faults, even one that never ended", () => {
    const h: HistoryEvent[] = [
      { type: "phase", name: "workload", time: 0 },
      ...write(0, "insert", "1", 1),
      ...write(10, "insert", "2", 1, "info"),
      { type: "fault", id: 1, name: "kill-cdc", phase: "start", time: 100 },
      { type: "phase", name: "settle", time: 1000 },
    ];
    const m = computeMetrics(h, final([]), thresholds);
    expect(m.faults).toEqual([{ id: 1, name: "kill-cdc", startedAt: 100, endedAt: null }]);
    expect(m.recoveries[0]?.recoveryMs).toBeNull();
    expect(m.ops).toEqual({ ok: 1, fail: 0, info: 1 });
    expect(m.opsPerSec).toBe(2);
    expect(m.lag.samples).toBe(0);
  });
});

describe("failing headline", () => {
  it("is a breakdown by kind when there are several, else the first violation", async () => {
    const { EvidenceSample, judge } = await import("../src/checkers/evidence.js");
    const many = new EvidenceSample();
    for (let i = 0; i < 3; i++) many.add({ kind: "lost", message: `c: key ${i} lost` });
    many.add({ kind: "zombie", message: "c: key 9 zombie" });
    many.count("mismatched", 2);
    const r = judge("parity", { failures: many, observed: 1, tooFew: "", passSummary: "" });
    expect(r.summary).toBe("6 violations: 3 lost, 2 mismatched, 1 zombie; first: c: key 0 lost");
    const one = new EvidenceSample();
    one.add({ kind: "lost", message: "c: key 1 lost" });
    expect(judge("parity", { failures: one, observed: 1, tooFew: "", passSummary: "" }).summary).toBe(
      "1 violation: c: key 1 lost",
    );
  });
});
