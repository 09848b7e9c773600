/**
 * The blindness self-test: take a passing run, take away what one checker needs to see (fast-check
 * picks the run and the way the observations go missing), and the verdict must become unknown —
 * never stay pass. A checker that passes blind would let a drill vouch for a standby it never looked at.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combineVerdicts, runCheckers } from "../src/checkers/index.js";
import type { CheckName, CollectionFinal, FinalState, SideFinal } from "../src/checkers/types.js";
import type { CompletionEvent, HistoryEvent } from "../src/history/types.js";
import { type SyntheticRun, synthesize } from "./helpers/synthetic.js";
import { type RoleChangeRun, type Scenario, synthesizeRoleChange } from "./helpers/synthetic-role-change.js";

type Blinder = (run: SyntheticRun, pick: () => number) => { history: HistoryEvent[]; final: FinalState };

const unreadable = (s: SideFinal): SideFinal => ({
  ...s,
  reachable: false,
  error: "connection refused",
  count: null,
  distinctKeys: null,
  versions: {},
});

function mapCollections(
  final: FinalState,
  f: (c: CollectionFinal, i: number) => CollectionFinal,
): FinalState {
  return { ...final, collections: final.collections.map(f) };
}

const isKeysObs = (e: HistoryEvent) => e.type === "obs" && e.kind === "keys";
const isHbObs = (e: HistoryEvent) => e.type === "obs" && e.kind === "heartbeat";
const isCpObs = (e: HistoryEvent) => e.type === "obs" && e.kind === "checkpoint";
const isLagMetricObs = (e: HistoryEvent) => e.type === "obs" && e.kind === "lag-metric";

/** Turns every matching observation into a failed read: it happened, and saw nothing. */
function failReads(history: HistoryEvent[], match: (e: HistoryEvent) => boolean): HistoryEvent[] {
  return history.map((e) => {
    if (!match(e) || e.type !== "obs") return e;
    if (e.kind === "keys") return { ...e, reads: [], error: "UNAVAILABLE: connection refused" };
    if (e.kind === "heartbeat") return { ...e, hbSeq: null, wallMs: null, error: "UNAVAILABLE" };
    if (e.kind === "lag-metric")
      return { ...e, lagMs: null, channels: 0, error: "scrape: connection refused" };
    return { ...e, timeTick: null, messageId: null, error: "UNAVAILABLE" };
  });
}

/** Per checker: the ways its observations can go missing (each must leave it unknown). */
/**
 * The role-change checks (rpo, rto, promotion, failover-prefix, reverse-parity) are skipped in the
 * replication runs here; they are blinded below on runs of the role-change model.
 */
const ROLE_CHANGE_CHECKS = ["rpo", "rto", "promotion", "failover-prefix", "reverse-parity"] as const;
type RoleChangeCheck = (typeof ROLE_CHANGE_CHECKS)[number];
/**
 * Blinded on runs of their own stand-ins: seed-alignment (judges only a seeded run) in
 * test/seed-alignment.test.ts, capacity in test/capacity.test.ts.
 */
type SeparatelyBlinded = "seed-alignment" | "capacity";
const BLINDERS: Record<Exclude<CheckName, RoleChangeCheck | SeparatelyBlinded>, Record<string, Blinder>> = {
  parity: {
    "standby unreadable everywhere": (r) => ({
      history: r.history,
      final: mapCollections(r.final, (c) => ({ ...c, target: unreadable(c.target) })),
    }),
    "one side unreadable per collection (picked)": (r, pick) => ({
      history: r.history,
      final: mapCollections(r.final, (c) =>
        pick() < 0.5 ? { ...c, source: unreadable(c.source) } : { ...c, target: unreadable(c.target) },
      ),
    }),
    "no collection compared": (r) => ({ history: r.history, final: { ...r.final, collections: [] } }),
  },
  duplicates: {
    "count(*) read on no side": (r) => ({
      history: r.history,
      final: mapCollections(r.final, (c) => ({
        ...c,
        source: { ...c.source, count: null },
        target: { ...c.target, count: null },
      })),
    }),
    "no collection compared": (r) => ({ history: r.history, final: { ...r.final, collections: [] } }),
  },
  "primary-sanity": {
    "primary unreadable": (r) => ({
      history: r.history,
      final: mapCollections(r.final, (c) => ({ ...c, source: unreadable(c.source) })),
    }),
    "no collection in the final state": (r) => ({
      history: r.history,
      final: { ...r.final, collections: [] },
    }),
  },
  "monotonic-reads": {
    "no standby reads": (r) => ({ history: r.history.filter((e) => !isKeysObs(e)), final: r.final }),
    "every standby read failed": (r) => ({ history: failReads(r.history, isKeysObs), final: r.final }),
  },
  prefix: {
    "no standby snapshots": (r) => ({ history: r.history.filter((e) => !isKeysObs(e)), final: r.final }),
    "every standby read failed": (r) => ({ history: failReads(r.history, isKeysObs), final: r.final }),
  },
  "checkpoint-recovery": {
    "no checkpoint samples": (r) => ({ history: r.history.filter((e) => !isCpObs(e)), final: r.final }),
    "every checkpoint sample failed": (r) => ({ history: failReads(r.history, isCpObs), final: r.final }),
    "a kill was never injected (picked)": (r, pick) => {
      const ids = [...new Set(r.history.flatMap((e) => (e.type === "fault" ? [e.id] : [])))];
      const id = ids[Math.floor(pick() * ids.length)];
      return {
        history: r.history.map((e) =>
          e.type === "fault" && e.id === id && e.phase === "end"
            ? { ...e, error: "no CDC process to kill" }
            : e,
        ),
        final: r.final,
      };
    },
    "the standby heartbeat unreadable after a kill": (r) => ({
      history: failReads(r.history, isHbObs),
      final: r.final,
    }),
  },
  "standby-read-only": {
    "no read tried after the probes": (r) => ({
      history: r.history.map((e) =>
        e.type === "fail" && e.detail && "readOk" in e.detail ? { ...e, detail: { code: e.detail.code } } : e,
      ),
      final: r.final,
    }),
    "every probe's outcome unknown": (r) => {
      const probes = new Set(
        r.history.flatMap((e) => (e.type === "invoke" && e.value.f === "probe-standby-write" ? [e.id] : [])),
      );
      return {
        history: r.history.map((e) =>
          (e.type === "ok" || e.type === "fail") && probes.has(e.id)
            ? { type: "info", id: e.id, process: e.process, time: e.time, error: "deadline exceeded" }
            : e,
        ),
        final: r.final,
      };
    },
    "the standby not scanned at the end": (r) => ({
      history: r.history,
      final: mapCollections(r.final, (c) => ({ ...c, target: unreadable(c.target) })),
    }),
  },
  "search-parity": {
    "every search failed": (r) => ({
      history: r.history,
      final: { ...r.final, search: r.final.search.map((s) => ({ ...s, queries: [], error: "timeout" })) },
    }),
    "no hits on either side": (r) => ({
      history: r.history,
      final: {
        ...r.final,
        search: r.final.search.map((s) => ({
          ...s,
          queries: s.queries.map(() => ({ source: [], target: [] })),
        })),
      },
    }),
    "ANN: the primary returned no hits": (r) => ({
      history: r.history,
      final: {
        ...r.final,
        search: r.final.search
          .filter((s) => s.indexType !== "FLAT")
          .map((s) => ({ ...s, queries: s.queries.map((q) => ({ ...q, source: [] })) })),
      },
    }),
  },
  lag: {
    "no standby heartbeat reads": (r) => ({ history: r.history.filter((e) => !isHbObs(e)), final: r.final }),
    "every heartbeat read failed": (r) => ({ history: failReads(r.history, isHbObs), final: r.final }),
  },
  "catch-up": {
    "the standby never read while waiting": (r) => ({
      history: r.history,
      final: {
        ...r.final,
        catchUp: {
          caughtUp: false,
          catchUpMs: null,
          waitingFor: "heartbeat 40 (standby shows none)",
          timeoutMs: r.thresholds.catchUpTimeoutMs,
          standbyReads: 0,
        },
      },
    }),
    "caught up but not timed": (r) => ({
      history: r.history,
      final: {
        ...r.final,
        catchUp: {
          caughtUp: true,
          catchUpMs: null,
          timeoutMs: r.thresholds.catchUpTimeoutMs,
          standbyReads: 3,
        },
      },
    }),
  },
  "lag-metric": {
    "every scrape failed": (r) => ({ history: failReads(r.history, isLagMetricObs), final: r.final }),
    "the endpoint served no lag series": (r) => ({
      history: r.history.map((e) =>
        e.type === "obs" && e.kind === "lag-metric" ? { ...e, lagMs: null, channels: 0 } : e,
      ),
      final: r.final,
    }),
    "the standby's heartbeat never read": (r) => ({ history: failReads(r.history, isHbObs), final: r.final }),
  },
};

const CASES = Object.entries(BLINDERS).flatMap(([name, ways]) =>
  Object.keys(ways).map(
    (way) => [name as Exclude<CheckName, RoleChangeCheck | SeparatelyBlinded>, way] as const,
  ),
);

type RoleChangeBlinder = (run: RoleChangeRun) => { history: HistoryEvent[]; final: FinalState };

const isSnapshot = (e: HistoryEvent) => e.type === "snapshot";
const failSnapshots = (h: HistoryEvent[]): HistoryEvent[] =>
  h.map((e) => (e.type === "snapshot" ? { ...e, count: null, reads: [], error: "UNAVAILABLE" } : e));
const demotedProbeIds = (h: HistoryEvent[]) =>
  new Set(
    h.flatMap((e) =>
      e.type === "invoke" && e.value.f === "probe-standby-write" && e.value.purpose === "demoted"
        ? [e.id]
        : [],
    ),
  );
const answerProbes = (h: HistoryEvent[], f: (e: CompletionEvent) => HistoryEvent): HistoryEvent[] => {
  const ids = demotedProbeIds(h);
  return h.map((e) => (e.type === "fail" && ids.has(e.id) ? f(e) : e));
};

/** Per role-change check: which scenarios it judges, and the ways its observations can go missing. */
const RC_BLINDERS: Record<
  RoleChangeCheck,
  { scenarios: Scenario[]; ways: Record<string, RoleChangeBlinder> }
> = {
  rpo: {
    scenarios: ["switchover", "failover"],
    ways: {
      "the new primary never read": (r) => ({
        history: r.history.filter((e) => !isSnapshot(e)),
        final: r.final,
      }),
      "every read of the new primary failed": (r) => ({ history: failSnapshots(r.history), final: r.final }),
    },
  },
  rto: {
    scenarios: ["switchover", "failover"],
    ways: {
      "no write sent to the new primary": (r) => ({
        history: r.history.filter((e) => !(e.type === "step" && e.name === "first-write")),
        final: r.final,
      }),
      "the first write unanswered, given up before the bound": (r) => ({
        history: r.history.map((e) =>
          e.type === "step" && e.name === "first-write" ? { ...e, ok: false, error: "deadline exceeded" } : e,
        ),
        final: r.final,
      }),
    },
  },
  promotion: {
    scenarios: ["switchover", "failover"],
    ways: {
      "the demoted cluster never probed": (r) => {
        const ids = demotedProbeIds(r.history);
        return {
          history: r.history.filter(
            (e) => !((e.type === "invoke" || e.type === "ok" || e.type === "fail") && ids.has(e.id)),
          ),
          final: r.final,
        };
      },
      "every probe's outcome unknown": (r) => ({
        history: answerProbes(r.history, (e) => ({
          type: "info",
          id: e.id,
          process: e.process,
          time: e.time,
          error: "deadline exceeded",
        })),
        final: r.final,
      }),
      "every probe refused with another error": (r) => ({
        history: answerProbes(r.history, (e) => ({ ...e, error: "rate limited" })),
        final: r.final,
      }),
    },
  },
  "failover-prefix": {
    scenarios: ["failover"],
    ways: {
      "the promoted standby never read": (r) => ({
        history: r.history.filter((e) => !isSnapshot(e)),
        final: r.final,
      }),
      "every read of the promoted standby failed": (r) => ({
        history: failSnapshots(r.history),
        final: r.final,
      }),
    },
  },
  "reverse-parity": {
    scenarios: ["switchover", "failover"],
    ways: {
      "the way back never compared": (r) => ({
        history: r.history,
        final: { ...r.final, reverse: undefined },
      }),
      "the demoted cluster unreadable on the way back": (r) => ({
        history: r.history,
        final: {
          ...r.final,
          reverse: r.final.reverse && {
            ...r.final.reverse,
            collections: r.final.reverse.collections.map((c) => ({ ...c, target: unreadable(c.target) })),
          },
        },
      }),
    },
  },
};

const RC_CASES = Object.entries(RC_BLINDERS).flatMap(([name, { scenarios, ways }]) =>
  scenarios.flatMap((scenario) =>
    Object.keys(ways).map((way) => [name as RoleChangeCheck, scenario, way] as const),
  ),
);

describe("blindness: a checker that cannot see says unknown, never pass", () => {
  it("covers every checker", () => {
    const covered = new Set<CheckName>(CASES.map(([n]) => n));
    const all = runCheckers(
      [],
      { collections: [], search: [], catchUp: null, sourceReachable: true, targetReachable: true },
      {
        thresholds: synthesize({ seed: 1 }).thresholds,
      },
    ).map((r) => r.name);
    for (const n of RC_CASES.map(([n]) => n)) covered.add(n);
    covered.add("seed-alignment");
    covered.add("capacity");
    expect([...covered].sort()).toEqual([...all].sort());
    expect([...new Set(RC_CASES.map(([n]) => n))].sort()).toEqual([...ROLE_CHANGE_CHECKS].sort());
  });

  it.each(CASES)("%s: %s", (name, way) => {
    const blind = BLINDERS[name][way] as Blinder;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (seed, kills, pickSeed) => {
          const run = synthesize({ seed, kills });
          const ctx = { thresholds: run.thresholds };
          // The starting point really passes: blindness must take a pass away, not add to a failure.
          const before = runCheckers(run.history, run.final, ctx, [name])[0];
          expect(before?.verdict, `seed ${seed}: ${before?.summary}`).toBe("pass");
          let s = pickSeed >>> 0;
          const pick = () => {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            return s / 2 ** 32;
          };
          const b = blind(run, pick);
          const after = runCheckers(b.history, b.final, ctx, [name])[0];
          expect(after?.verdict, `seed ${seed}: ${way}: ${after?.summary}`).toBe("unknown");
          expect(after?.reason, `seed ${seed}: ${way}`).toBeTruthy();
          expect(combineVerdicts(runCheckers(b.history, b.final, ctx))).not.toBe("pass");
        },
      ),
      { numRuns: 15 },
    );
  });

  it.each(RC_CASES)("%s (%s): %s", (name, scenario, way) => {
    const blind = RC_BLINDERS[name].ways[way] as RoleChangeBlinder;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const run = synthesizeRoleChange({ seed, scenario });
        const ctx = { thresholds: run.thresholds };
        const before = runCheckers(run.history, run.final, ctx, [name])[0];
        expect(before?.verdict, `seed ${seed}: ${before?.summary}`).toBe("pass");
        const b = blind(run);
        const after = runCheckers(b.history, b.final, ctx, [name])[0];
        expect(after?.verdict, `seed ${seed}: ${way}: ${after?.summary}`).toBe("unknown");
        expect(after?.reason, `seed ${seed}: ${way}`).toBeTruthy();
      }),
      { numRuns: 25 },
    );
  });
});
