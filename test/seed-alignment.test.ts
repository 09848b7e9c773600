import { describe, expect, it } from "vitest";
import { runCheckers } from "../src/checkers/index.js";
import { checkSeedAlignment, seedSummary, sideOf, wallMs } from "../src/checkers/seed-alignment.js";
import type { CollectionFinal, FinalState, SideFinal } from "../src/checkers/types.js";
import type { HistoryEvent, Pk } from "../src/history/types.js";
import { side, write } from "./helpers/events.js";

// The backup point at wall ms 10_000 (time ticks are (ms << 18) | logical).
const POINT_MS = 10_000;
const tt = (ms: number, logical = 0) => ((BigInt(ms) << 18n) | BigInt(logical)).toString();
const POINT = tt(POINT_MS, 7);
const PCH = "primary-rootcoord-dml_1";

function steps(
  o: {
    checkpoint?: string | null;
    restoreOk?: boolean;
    noRestore?: boolean;
    standby?: { role: string; why: string };
  } = {},
): HistoryEvent[] {
  const out: HistoryEvent[] = [
    {
      type: "step",
      name: "backup",
      startedAt: POINT_MS - 10,
      time: POINT_MS + 20,
      ok: true,
      detail: {
        name: "b1",
        cluster: "primary",
        points: [
          { pchannel: "primary-rootcoord-dml_0", timeTick: POINT, messageId: "0" },
          { pchannel: PCH, timeTick: POINT, messageId: "1234" },
        ],
        collections: [{ name: "c", pchannel: PCH, rows: 3 }],
        rows: 3,
      },
    },
  ];
  if (o.noRestore) return out;
  out.push({
    type: "step",
    name: "restore",
    startedAt: POINT_MS + 100,
    time: POINT_MS + 300,
    ok: o.restoreOk ?? true,
    ...(o.restoreOk === false ? { error: "stream closed" } : {}),
    detail: {
      rowsSeeded: 3,
      checkpoints: [
        { pchannel: "primary-rootcoord-dml_0", timeTick: POINT, messageId: "0" },
        { pchannel: PCH, timeTick: o.checkpoint === undefined ? POINT : o.checkpoint, messageId: "1234" },
      ],
      ...(o.standby ? { standby: o.standby } : {}),
    },
  });
  return out;
}

function final(target: SideFinal, source: Record<Pk, number>, doubled: Pk[] = []): FinalState {
  const c: CollectionFinal = {
    name: "c",
    source: side(source),
    target,
    onlySource: [],
    onlySourceTotal: 0,
    onlyTarget: [],
    onlyTargetTotal: 0,
    mismatched: [],
    mismatchedTotal: 0,
    rowsCompared: Object.keys(source).length,
  };
  return {
    collections: [c],
    search: [],
    catchUp: null,
    sourceReachable: true,
    targetReachable: true,
    seed: { doubled: { c: doubled } },
  };
}

/** Keys 1-2 written before the point (came with the backup), 3-4 after it (came through CDC), 5 across it. */
const WRITES: HistoryEvent[] = [
  ...write(1_000, "insert", "1", 1),
  ...write(2_000, "insert", "2", 1),
  ...write(3_000, "upsert", "2", 2),
  ...write(12_000, "insert", "3", 1),
  ...write(13_000, "insert", "4", 1),
  ...write(14_000, "delete", "1", 2),
  ...write(POINT_MS - 2, "insert", "5", 1),
];
const ALL = { "2": 2, "3": 1, "4": 1, "5": 1 };

describe("seed-alignment", () => {
  it("passes when every acknowledged write is on the standby once, and counts each side of the point", () => {
    const r = checkSeedAlignment([...steps(), ...WRITES], final(side(ALL), ALL));
    expect(r.verdict).toBe("pass");
    expect(r.stats).toMatchObject({ keys: 5, before: 1, after: 3, at: 1, missing: 0, doubled: 0 });
  });

  it("fails on a gap: writes after the point that CDC never carried, named with their side", () => {
    // seed-gap: the checkpoint left 2 s past the point; keys 3 and 4 (and the delete of 1) never arrived.
    const r = checkSeedAlignment(
      [...steps({ checkpoint: tt(POINT_MS + 2_000) }), ...WRITES],
      final(side({ "1": 1, "2": 2, "5": 1 }), ALL),
    );
    expect(r.verdict).toBe("fail");
    expect(r.stats?.missing).toBe(3);
    const pks = r.evidence.map((e) => e.pk).sort();
    expect(pks).toEqual(["1", "3", "4"]);
    expect(r.evidence.every((e) => e.side === "after" && e.kind === "missing")).toBe(true);
    expect(r.evidence[0]?.message).toMatch(/after the backup point.*2000 ms past the point/);
  });

  it("fails on an overlap: a key held twice, with the side of its insert", () => {
    const r = checkSeedAlignment(
      [...steps({ checkpoint: tt(POINT_MS - 1_500) }), ...WRITES],
      final(side(ALL, { count: 5, distinctKeys: 4 }), ALL, ["2"]),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence).toHaveLength(1);
    expect(r.evidence[0]).toMatchObject({ pk: "2", kind: "doubled", side: "before" });
    expect(r.evidence[0]?.message).toMatch(
      /held more than once.*before the backup point.*1500 ms before the point/,
    );
  });

  it("fails on duplicates count(*) shows when the keys could not be probed", () => {
    const f = final(side(ALL, { count: 6, distinctKeys: 4 }), ALL);
    const r = checkSeedAlignment([...steps(), ...WRITES], {
      ...f,
      seed: { doubled: {}, error: "probe failed" },
    });
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]?.message).toMatch(/count\(\*\) 6 is above the 4 distinct keys/);
  });

  it("is unknown when the restore did not complete, or the standby was not read", () => {
    for (const h of [steps({ restoreOk: false }), steps({ noRestore: true })]) {
      const r = checkSeedAlignment([...h, ...WRITES], final(side(ALL), ALL));
      expect(r.verdict).toBe("unknown");
      expect(r.reason).toMatch(/seeding did not complete/);
    }
    const unread = checkSeedAlignment(
      [...steps(), ...WRITES],
      final(side({}, { reachable: false, count: null, distinctKeys: null, error: "UNAVAILABLE" }), ALL),
    );
    expect(unread.verdict).toBe("unknown");
    expect(unread.reason).toMatch(/not read on the standby/);
  });

  it("fails when right after the restore the standby was no longer a secondary (milvus-io/milvus#52727), every key aligned or not", () => {
    const r = checkSeedAlignment(
      [
        ...steps({ standby: { role: "not-secondary", why: "secondary holds no replicate configuration" } }),
        ...WRITES,
      ],
      final(side(ALL), ALL),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence.map((e) => e.message)).toEqual([
      "right after the restore the standby is no longer a secondary: secondary holds no replicate configuration (CDC stopped itself after seeding and the secondary became a primary: milvus-io/milvus#52727)",
    ]);
    expect(r.stats?.notSecondary).toBe(1);
    // Still a secondary, or not read (an older release, a failed call): no failure of its own.
    for (const role of ["secondary", "unknown"]) {
      const ok = checkSeedAlignment(
        [...steps({ standby: { role, why: "x" } }), ...WRITES],
        final(side(ALL), ALL),
      );
      expect(ok.verdict).toBe("pass");
    }
  });

  it("fails when after the seeding the standby did not show the first replicated write, every key aligned or not", () => {
    const firstWrite = (ok: boolean): HistoryEvent => ({
      type: "step",
      name: "first-replicated-write",
      startedAt: POINT_MS + 400,
      time: POINT_MS + 60_400,
      ok,
      ...(ok
        ? { detail: { collection: "c", pk: "990000001", ver: 1 } }
        : {
            error:
              "the standby did not show marker 990000001 ver 1 of c within 60000 ms after replication was configured",
          }),
    });
    const r = checkSeedAlignment([...steps(), firstWrite(false), ...WRITES], final(side(ALL), ALL));
    expect(r.verdict).toBe("fail");
    expect(r.evidence.map((e) => e.message)).toEqual([
      "after the seeding, replication did not carry the first write: the standby did not show marker 990000001 ver 1 of c within 60000 ms after replication was configured",
    ]);
    expect(r.stats?.firstWriteNotShown).toBe(1);
    // Shown: no failure of its own.
    const ok = checkSeedAlignment([...steps(), firstWrite(true), ...WRITES], final(side(ALL), ALL));
    expect(ok.verdict).toBe("pass");
    expect(ok.stats?.firstWriteNotShown).toBe(0);
  });

  it("is unknown when no acknowledged write could be judged", () => {
    const failed = [...write(12_000, "insert", "9", 1, "fail")];
    const r = checkSeedAlignment([...steps(), ...failed], final(side({}), {}));
    expect(r.verdict).toBe("unknown");
  });

  it("is skipped in a run that seeded nothing, and runs with every checker", () => {
    expect(checkSeedAlignment(WRITES, final(side(ALL), ALL)).verdict).toBe("skipped");
    const names = runCheckers([...steps(), ...WRITES], final(side(ALL), ALL), {
      thresholds: {
        lagSloMs: 1000,
        recoveryTimeoutMs: 500,
        catchUpTimeoutMs: 5000,
        minRecall: 0.8,
        distanceEpsilon: 1e-6,
        rpoMs: 1000,
        rtoMs: 1000,
      },
    }).map((c) => c.name);
    expect(names).toContain("seed-alignment");
  });

  it("judges a write's side on what the client saw, and reports the points", () => {
    expect(sideOf({ invokeTime: 1, completeTime: POINT_MS - 1 }, POINT_MS)).toBe("before");
    expect(sideOf({ invokeTime: POINT_MS + 1, completeTime: POINT_MS + 9 }, POINT_MS)).toBe("after");
    expect(sideOf({ invokeTime: POINT_MS - 1, completeTime: POINT_MS + 1 }, POINT_MS)).toBe("at");
    expect(wallMs(POINT)).toBe(POINT_MS);
    const s = seedSummary([...steps(), ...WRITES]);
    expect(s?.points.map((p) => [p.pchannel, p.wallMs])).toEqual([
      ["primary-rootcoord-dml_0", POINT_MS],
      [PCH, POINT_MS],
    ]);
    expect(s).toMatchObject({ backup: "b1", rowsBackedUp: 3, rowsSeeded: 3 });
  });
});

/**
 * The existing backend cannot read the backup's meta: its backup step carries no points or collections,
 * and the restore step gives the standby's checkpoint per channel as the points (pointsFrom).
 */
function existingSteps(points: Array<{ pchannel: string; timeTick: string }>): HistoryEvent[] {
  return [
    {
      type: "step",
      name: "backup",
      startedAt: POINT_MS - 10,
      time: POINT_MS + 20,
      ok: true,
      detail: { name: "b1", cluster: "primary", points: [], collections: [], rows: 0 },
    },
    {
      type: "step",
      name: "restore",
      startedAt: POINT_MS + 100,
      time: POINT_MS + 300,
      ok: true,
      detail: {
        rowsSeeded: 3,
        checkpoints: points.map((p) => ({ ...p, messageId: "m" })),
        points: points.map((p) => ({ ...p, messageId: "m" })),
        pointsFrom: "the standby's checkpoint per channel after the restore, not the backup's meta",
      },
    },
  ];
}

describe("seed-alignment with points from the standby's checkpoint (existing backend)", () => {
  const at = [
    { pchannel: "primary-rootcoord-dml_0", timeTick: POINT },
    { pchannel: PCH, timeTick: tt(POINT_MS + 500) },
  ];
  it("passes, judging sides against the earliest point, and reports where the points came from", () => {
    const h = [...existingSteps(at), ...WRITES];
    const r = checkSeedAlignment(h, final(side(ALL), ALL));
    expect(r.verdict).toBe("pass");
    // Written before the point are judged before it, not all as born after the backup.
    expect(r.stats).toMatchObject({ keys: 5, before: 1, after: 3, at: 1 });
    expect(seedSummary(h)?.pointsFrom).toMatch(/standby's checkpoint/);
    expect(seedSummary(h)?.points.map((p) => p.pchannel)).toEqual(["primary-rootcoord-dml_0", PCH]);
  });
  it("fails on a gap: keys missing show whatever the point, with no channel claimed", () => {
    const r = checkSeedAlignment(
      [...existingSteps(at), ...WRITES],
      final(side({ "1": 1, "2": 2, "5": 1 }), ALL),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence.map((e) => e.pk).sort()).toEqual(["1", "3", "4"]);
    expect(r.evidence[0]?.message).toMatch(/\(channel not known\): missing/);
  });
  it("fails on an overlap: a key held twice", () => {
    const r = checkSeedAlignment(
      [...existingSteps(at), ...WRITES],
      final(side(ALL, { count: 5, distinctKeys: 4 }), ALL, ["2"]),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]).toMatchObject({ pk: "2", kind: "doubled" });
  });
  it("is unknown when the restore left no checkpoint, so no point exists", () => {
    const r = checkSeedAlignment([...existingSteps([]), ...WRITES], final(side(ALL), ALL));
    expect(r.verdict).toBe("unknown");
    expect(r.summary).toMatch(/no backup point was recorded/);
  });
});
