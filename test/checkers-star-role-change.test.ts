/**
 * A star's role change, judged per standby (issue 25): failover-prefix on what each re-pointed standby
 * held when the primary was lost, reverse-parity on each one compared with the new primary. Small
 * hand-built histories: each per-standby verdict must pass, fail naming its standby, and say unknown.
 */
import { describe, expect, it } from "vitest";
import { runCheckers } from "../src/checkers/index.js";
import type { CheckName, CheckResult, CollectionFinal, FinalState } from "../src/checkers/types.js";
import type { HistoryEvent, Pk } from "../src/history/types.js";
import { coll, ROLE_CHANGE_THRESHOLDS, step, write } from "./helpers/events.js";

function snapshot(
  cluster: string,
  label: "promoted" | "repointed",
  reads: Array<[Pk, number | null]>,
): HistoryEvent {
  return {
    type: "snapshot",
    label,
    cluster,
    collection: "c",
    invokeTime: 90,
    time: 95,
    count: reads.filter(([, v]) => v !== null).length,
    reads: reads.map(([pk, ver]) => ({ pk, ver })),
  };
}
const ALL: Array<[Pk, number | null]> = [
  ["1", 1],
  ["2", 1],
  ["3", 1],
];
/** Keys 1..3 written at 0, 20, 40; the primary lost at 70; b promoted, c re-pointed at it. */
function failover(repointed: HistoryEvent[]): HistoryEvent[] {
  return [
    ...write(0, "insert", "1", 1),
    ...write(20, "insert", "2", 1),
    ...write(40, "insert", "3", 1),
    step("primary-lost", 70, 72),
    ...repointed,
    step("force-promote", 72, 90, { primary: "b" }),
    step("repoint", 90, 95, { primary: "b" }),
    step("first-write", 100, 120, { primary: "b" }),
    snapshot("b", "promoted", ALL),
  ];
}

const ROWS = { 1: 1, 2: 1, 3: 1 };
/** The final state after the way back: b -> a (the rebuilt old primary) and b -> c (re-pointed). */
function final(toC: CollectionFinal = coll(ROWS, ROWS)): FinalState {
  return {
    collections: [coll(ROWS, ROWS)],
    search: [],
    catchUp: null,
    sourceReachable: true,
    targetReachable: true,
    reverse: { source: "b", target: "a", collections: [coll(ROWS, ROWS)] },
    star: {
      first: "a",
      others: [
        {
          clusterId: "c",
          collections: [coll(ROWS, ROWS)],
          search: [],
          targetReachable: true,
          catchUp: null,
          reverse: { source: "b", target: "c", collections: [toC] },
        },
      ],
    },
  };
}
function check(history: HistoryEvent[], f: FinalState, name: CheckName): CheckResult {
  return runCheckers(history, f, { thresholds: ROLE_CHANGE_THRESHOLDS }, [name])[0] as CheckResult;
}

describe("a star's role change, per standby", () => {
  it("failover-prefix and reverse-parity pass naming the new primary, the old primary and the re-pointed standby", () => {
    const h = failover([snapshot("c", "repointed", ALL)]);
    const fp = check(h, final(), "failover-prefix");
    expect(fp.verdict, fp.summary).toBe("pass");
    expect(Object.keys(fp.standbys ?? {})).toEqual(["b", "c"]);
    const rp = check(h, final(), "reverse-parity");
    expect(rp.verdict, rp.summary).toBe("pass");
    expect(Object.keys(rp.standbys ?? {})).toEqual(["a", "c"]);
  });

  it("failover-prefix fails on the re-pointed standby that held a hole, and only there", () => {
    const fp = check(
      failover([
        snapshot("c", "repointed", [
          ["1", 1],
          ["2", null],
          ["3", 1],
        ]),
      ]),
      final(),
      "failover-prefix",
    );
    expect(fp.verdict).toBe("fail");
    expect(fp.standbys?.c?.verdict).toBe("fail");
    expect(fp.standbys?.b?.verdict).toBe("pass");
    expect(fp.evidence[0]).toMatchObject({ standby: "c", pk: "2" });
    // Each standby named for what it is: the re-pointed one, the promoted one.
    expect(fp.evidence[0]?.message).toMatch(/^c: hole: the re-pointed standby shows op \d+ /);
    expect(fp.standbys?.b?.summary).toMatch(/on the promoted standby are prefixes/);
    expect(fp.standbys?.c?.summary).not.toMatch(/promoted/);
  });

  it("failover-prefix is unknown for a re-pointed standby never read before its re-point", () => {
    const fp = check(failover([]), final(), "failover-prefix");
    expect(fp.verdict).toBe("unknown");
    expect(fp.standbys?.c?.verdict).toBe("unknown");
    expect(fp.standbys?.b?.verdict).toBe("pass");
  });

  it("reverse-parity fails on the re-pointed standby missing the new primary's write, naming it", () => {
    const h = failover([snapshot("c", "repointed", ALL)]);
    const rp = check(h, final(coll({ ...ROWS, 4: 1 }, ROWS)), "reverse-parity");
    expect(rp.verdict).toBe("fail");
    expect(rp.standbys?.c?.verdict).toBe("fail");
    expect(rp.standbys?.a?.verdict).toBe("pass");
    expect(rp.evidence[0]).toMatchObject({ standby: "c", pk: "4", message: "c: key 4 is on b but not on c" });
  });

  it("reverse-parity is unknown for a re-pointed standby that could not be read", () => {
    const h = failover([snapshot("c", "repointed", ALL)]);
    const rp = check(h, final(coll(ROWS, {}, false)), "reverse-parity");
    expect(rp.verdict).toBe("unknown");
    expect(rp.standbys?.c?.verdict).toBe("unknown");
    expect(rp.standbys?.a?.verdict).toBe("pass");
  });
});
