import { describe, expect, it } from "vitest";
import type {
  CheckpointObservation,
  HeartbeatObservation,
  LagMetricObservation,
} from "../src/checkers/history-index.js";
import { combineVerdicts, computeMetrics, runCheckers } from "../src/checkers/index.js";
import { HEARTBEAT_PER_STANDBY_CHECKS, mergeStandbys, PER_STANDBY_CHECKS } from "../src/checkers/star.js";
import type { CheckName, CheckResult, FinalState, StandbyFinal } from "../src/checkers/types.js";
import type { CompletionEvent, HistoryEvent, ObservationEvent } from "../src/history/types.js";
import { lowerVersion, synthesize } from "./helpers/synthetic.js";

type KeysObs = Extract<ObservationEvent, { kind: "keys" }>;

/** What standby 2's monitor reads copy from the first's: key reads and write probes, each optionally spoiled. */
interface Reads {
  /** Standby 2's key reads (the first's copied); null: never read. */
  keys?: ((obs: KeysObs[], history: readonly HistoryEvent[]) => void) | null;
  /** Standby 2's write probes (the first's copied, fresh op ids); null: never probed. */
  probes?: ((events: HistoryEvent[]) => void) | null;
}

/**
 * A clean synthetic run, its final state copied for each further standby (optionally spoiled), and the
 * first standby's heartbeat reads copied as the further standby's (optionally changed, or left out).
 */
function star(
  spoil?: (s: StandbyFinal) => void,
  heartbeats: ((o: HeartbeatObservation) => HeartbeatObservation) | null = (o) => o,
  checkpoints: (o: CheckpointObservation) => CheckpointObservation = (o) => o,
  reads: Reads = {},
  extra: HistoryEvent[] = [],
  lagMetric: (o: LagMetricObservation) => LagMetricObservation = (o) => o,
) {
  const clean = synthesize({ seed: 11, kills: 1 });
  const copies: HistoryEvent[] = [];
  if (heartbeats)
    for (const e of clean.history) {
      if (e.type === "obs" && e.kind === "heartbeat")
        copies.push(heartbeats({ ...e, cluster: "standby2-x" }));
      if (e.type === "obs" && e.kind === "checkpoint")
        copies.push(checkpoints({ ...e, cluster: "standby2-x" }));
      // Standby 2's edge's series of the same scrape.
      if (e.type === "obs" && e.kind === "lag-metric")
        copies.push(lagMetric({ ...e, cluster: "standby2-x" }));
    }
  if (reads.keys !== null) {
    const keys = clean.history.flatMap((e) =>
      e.type === "obs" && e.kind === "keys"
        ? [{ ...e, cluster: "standby2-x", reads: e.reads.map((r) => ({ ...r })) }]
        : [],
    );
    reads.keys?.(keys, clean.history);
    copies.push(...keys);
  }
  if (reads.probes !== null) {
    const ids = new Set(
      clean.history.flatMap((e) =>
        e.type === "invoke" && e.value.f === "probe-standby-write" ? [e.id] : [],
      ),
    );
    const probes: HistoryEvent[] = [];
    for (const e of clean.history) {
      if (e.type === "invoke" && ids.has(e.id) && e.value.f === "probe-standby-write")
        probes.push({ ...e, id: e.id + 500_000, value: { ...e.value, cluster: "standby2-x" } });
      else if ((e.type === "ok" || e.type === "fail" || e.type === "info") && ids.has(e.id))
        probes.push({ ...e, id: e.id + 500_000 });
    }
    reads.probes?.(probes);
    copies.push(...probes);
  }
  const run = { ...clean, history: [...clean.history, ...copies, ...extra] };
  const copy = (id: string): StandbyFinal => {
    const s = JSON.parse(
      JSON.stringify({
        clusterId: id,
        collections: run.final.collections,
        search: run.final.search,
        targetReachable: true,
        catchUp: run.final.catchUp,
      }),
    ) as StandbyFinal;
    return s;
  };
  const second = copy("standby2-x");
  spoil?.(second);
  const final: FinalState = { ...run.final, star: { first: "standby-x", others: [second] } };
  const results = runCheckers(run.history, final, { thresholds: run.thresholds });
  return {
    results,
    by: (n: CheckName) => results.find((r) => r.name === n) as CheckResult,
    metrics: () => computeMetrics(run.history, final, run.thresholds),
  };
}

const lastCheckpointTime = Math.max(
  ...synthesize({ seed: 11, kills: 1 }).history.flatMap((e) =>
    e.type === "obs" && e.kind === "checkpoint" && e.timeTick !== null ? [e.time] : [],
  ),
);

describe("checks in a star (one primary, several standbys)", () => {
  it("pass on every standby when each holds what the primary acknowledged, naming each one", () => {
    const { by } = star();
    for (const n of PER_STANDBY_CHECKS) {
      expect(by(n).verdict, `${n}: ${by(n).summary}`).toBe("pass");
      expect(Object.keys(by(n).standbys ?? {})).toEqual(["standby-x", "standby2-x"]);
    }
    // The monitor reads, probes and checkpoints every standby: those checks judge each one.
    for (const n of HEARTBEAT_PER_STANDBY_CHECKS) {
      expect(by(n).verdict, `${n}: ${by(n).summary}`).toBe("pass");
      expect(Object.keys(by(n).standbys ?? {}), n).toEqual(["standby-x", "standby2-x"]);
    }
    expect(HEARTBEAT_PER_STANDBY_CHECKS).toContain("lag-metric");
  });

  it("lag-metric judges each standby on its own edge's series: standby 2's pages while its lag is near zero, there only", () => {
    // Standby 2's heartbeat lag stays near zero; its edge's series reads 5 s all along (a false page).
    const { by } = star(undefined, undefined, undefined, {}, [], (o) => ({
      ...o,
      lagMs: 5_000,
      channels: 1,
    }));
    const m = by("lag-metric");
    expect(m.verdict, m.summary).toBe("fail");
    expect(m.standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(m.standbys?.["standby-x"]?.verdict).toBe("pass");
    expect(m.evidence.length).toBeGreaterThan(0);
    expect(m.evidence.every((e) => e.standby === "standby2-x")).toBe(true);
    expect(m.evidence.map((e) => e.message).join("\n")).toMatch(/false page|over the SLO/);
    // Without standby 2's own series it is unknown there, never the first standby's pass standing in.
    const blind = star(
      undefined,
      (o) => o,
      undefined,
      {},
      [],
      (o) => ({ ...o, error: "scrape failed", lagMs: null, channels: 0 }),
    );
    expect(blind.by("lag-metric").standbys?.["standby2-x"]?.verdict).not.toBe("pass");
  });

  it("monotonic-reads fails on the standby whose later read showed an older version, and only there", () => {
    const { by } = star(undefined, undefined, undefined, {
      keys: (obs, history) => expect(lowerVersion(obs, history)).toBe(true),
    });
    const m = by("monotonic-reads");
    expect(m.verdict).toBe("fail");
    expect(m.standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(m.standbys?.["standby-x"]?.verdict).toBe("pass");
    expect(m.evidence.every((e) => e.standby === "standby2-x")).toBe(true);
  });

  it("prefix fails on the standby that hid an acknowledged write behind later ones, and only there", () => {
    const { by } = star(undefined, undefined, undefined, {
      // The last read of a collection shows every key but one: that key's acknowledged write is a hole.
      keys: (obs) => {
        const last = [...obs].reverse().find((o) => o.reads.some((r) => r.ver !== null)) as KeysObs;
        const shown = last.reads.find((r) => r.ver !== null) as { ver: number | null };
        shown.ver = null;
      },
    });
    const p = by("prefix");
    expect(p.verdict).toBe("fail");
    expect(p.standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(p.standbys?.["standby-x"]?.verdict).toBe("pass");
  });

  it("standby-read-only fails on the standby that accepted a client write, and only there", () => {
    const { by } = star(undefined, undefined, undefined, {
      probes: (events) => {
        const i = events.findIndex((e) => e.type === "fail" || e.type === "info");
        const e = events[i] as CompletionEvent;
        events[i] = { type: "ok", id: e.id, process: e.process, time: e.time };
      },
    });
    const r = by("standby-read-only");
    expect(r.verdict).toBe("fail");
    expect(r.standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(r.standbys?.["standby-x"]?.verdict).toBe("pass");
    expect(r.summary.startsWith("standby2-x fail")).toBe(true);
  });

  it("monotonic-reads, prefix and standby-read-only are unknown for a standby never read nor probed", () => {
    const { by } = star(undefined, undefined, undefined, { keys: null, probes: null });
    for (const n of ["monotonic-reads", "prefix", "standby-read-only"] as const) {
      expect(by(n).verdict, `${n}: ${by(n).summary}`).toBe("unknown");
      expect(by(n).standbys?.["standby2-x"]?.verdict, n).toBe("unknown");
      expect(by(n).standbys?.["standby-x"]?.verdict, n).toBe("pass");
    }
  });

  it("fail parity on the standby that lost a row, and only on that one", () => {
    const { by, results } = star((s) => {
      const c = s.collections.find((x) => Object.keys(x.target.versions).length > 0);
      const pk = Object.keys(c?.target.versions ?? {})[0] as string;
      delete c?.target.versions[pk];
    });
    const parity = by("parity");
    expect(parity.verdict).toBe("fail");
    expect(parity.standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(parity.standbys?.["standby-x"]?.verdict).toBe("pass");
    expect(parity.summary.startsWith("standby2-x fail")).toBe(true);
    expect(parity.evidence.every((e) => e.standby === "standby2-x")).toBe(true);
    expect(combineVerdicts(results)).toBe("fail");
  });

  it("say unknown for a standby that could not be read, with its reason, and the check unknown", () => {
    const { by } = star((s) => {
      s.targetReachable = false;
      for (const c of s.collections) {
        c.target.reachable = false;
        c.target.error = "connection refused";
      }
    });
    const parity = by("parity");
    expect(parity.verdict).toBe("unknown");
    expect(parity.standbys?.["standby2-x"]?.verdict).toBe("unknown");
    expect(parity.standbys?.["standby-x"]?.verdict).toBe("pass");
    expect(parity.reason).toMatch(/^standby2-x: /);
  });

  it("a standby that never caught up fails catch-up for it alone", () => {
    const { by } = star((s) => {
      s.catchUp = {
        caughtUp: false,
        catchUpMs: null,
        timeoutMs: 60_000,
        waitingFor: "heartbeat 9",
        standbyReads: 5,
      };
    });
    expect(by("catch-up").verdict).toBe("fail");
    expect(by("catch-up").standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(by("catch-up").standbys?.["standby-x"]?.verdict).toBe("pass");
  });

  it("lag judges each standby's own heartbeat reads", () => {
    const { by } = star();
    expect(by("lag").verdict).toBe("pass");
    expect(Object.keys(by("lag").standbys ?? {})).toEqual(["standby-x", "standby2-x"]);
  });

  it("lag fails on the standby whose heartbeat went back, and only there", () => {
    let n = 0;
    const { by } = star(undefined, (o) => {
      n += 1;
      // One late read shows an older heartbeat than the ones read before it.
      return n === 40 && o.hbSeq !== null ? { ...o, hbSeq: 1 } : o;
    });
    expect(by("lag").verdict).toBe("fail");
    expect(by("lag").standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(by("lag").standbys?.["standby-x"]?.verdict).toBe("pass");
  });

  it("lag is unknown for a standby whose heartbeat was never read", () => {
    const { by } = star(undefined, null);
    expect(by("lag").verdict).toBe("unknown");
    expect(by("lag").standbys?.["standby2-x"]?.verdict).toBe("unknown");
    expect(by("lag").standbys?.["standby-x"]?.verdict).toBe("pass");
  });

  it("checkpoint-recovery judges each standby's own recovery and checkpoints", () => {
    expect(star().by("checkpoint-recovery").verdict).toBe("pass");
    expect(Object.keys(star().by("checkpoint-recovery").standbys ?? {})).toEqual(["standby-x", "standby2-x"]);
    // Standby 2's last checkpoint sample reads below the ones before it: its checkpoint moved back.
    const { by } = star(undefined, undefined, (o) =>
      o.timeTick !== null && o.time === lastCheckpointTime ? { ...o, timeTick: "1" } : o,
    );
    expect(by("checkpoint-recovery").verdict).toBe("fail");
    expect(by("checkpoint-recovery").standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(by("checkpoint-recovery").standbys?.["standby-x"]?.verdict).toBe("pass");
    // A standby whose heartbeat and checkpoints were never read proves no recovery.
    const blind = star(undefined, null).by("checkpoint-recovery");
    expect(blind.verdict).toBe("unknown");
    expect(blind.standbys?.["standby2-x"]?.verdict).toBe("unknown");
  });

  it("a fault aimed at standby 2 is judged on standby 2 alone, and proves no recovery on the first", () => {
    const hb = synthesize({ seed: 11, kills: 1 }).history.flatMap((e) =>
      e.type === "obs" && e.kind === "heartbeat" ? [e] : [],
    );
    const at = (hb[Math.floor(hb.length / 2)] as HeartbeatObservation).time;
    const frozen = [...hb].reverse().find((o) => o.time <= at && o.hbSeq !== null)?.hbSeq ?? null;
    // restart-standby #7777 aimed at standby 2, after which standby 2's heartbeat never moves again.
    const fault: HistoryEvent[] = [
      { type: "fault", id: 7777, name: "restart-standby", phase: "start", time: at, standby: 2 },
      { type: "fault", id: 7777, name: "restart-standby", phase: "end", time: at + 5 },
    ];
    const { by } = star(undefined, (o) => (o.time > at ? { ...o, hbSeq: frozen } : o), undefined, {}, fault);
    const cr = by("checkpoint-recovery");
    expect(cr.verdict).toBe("fail");
    expect(cr.standbys?.["standby2-x"]?.verdict).toBe("fail");
    expect(cr.standbys?.["standby2-x"]?.summary).toMatch(/restart-standby #7777/);
    // The first standby was never restarted: the fault is not its to recover from (nor a pass of it).
    expect(cr.standbys?.["standby-x"]?.verdict).toBe("pass");
    expect(cr.standbys?.["standby-x"]?.summary).toMatch(
      /1 fault\(s\) aimed at other standbys, none injected here/,
    );
    expect(cr.standbys?.["standby-x"]?.stats?.aimedElsewhere).toBe(1);
    // The report's recovery table (the first standby's) lists it as unknown, naming where it went.
    const clean = synthesize({ seed: 11, kills: 1 });
    const final: FinalState = {
      ...clean.final,
      star: { first: "standby-x", others: [{ ...clean.final, clusterId: "standby2-x" } as StandbyFinal] },
    };
    const rec = computeMetrics([...clean.history, ...fault], final, clean.thresholds).recoveries.find(
      (r) => r.faultId === 7777,
    );
    expect(rec?.status).toBe("unknown");
    expect(rec?.why).toMatch(/aimed at standby 2, not injected into this one/);
  });

  it("reports lag, recoveries and catch-up per standby, each the number its check judged (the first's also top-level)", () => {
    // Standby 2 reads every heartbeat 300 ms later than the first, and caught up in 4321 ms.
    const { by, metrics } = star(
      (s) => {
        if (s.catchUp) s.catchUp.catchUpMs = 4321;
      },
      (o) => ({ ...o, time: o.time + 300 }),
    );
    const m = metrics();
    expect(Object.keys(m.standbys ?? {})).toEqual(["standby-x", "standby2-x"]);
    const [a, b] = [m.standbys?.["standby-x"], m.standbys?.["standby2-x"]];
    // The first standby's figures are the top-level ones.
    expect(a).toEqual({
      lag: m.lag,
      lagSeries: m.lagSeries,
      recoveries: m.recoveries,
      catchUpMs: m.catchUpMs,
      lagMetric: m.lagMetric,
    });
    // Each standby's lag-metric figures are what lag-metric judged on its edge's series.
    expect(b?.lagMetric?.samples).toBe(by("lag-metric").standbys?.["standby2-x"]?.stats?.samples);
    expect(b?.lagMetric?.paired).toBeGreaterThan(0);
    expect(b?.catchUpMs).toBe(4321);
    expect(b?.catchUpMs).not.toBe(a?.catchUpMs);
    // Each standby's lag p99 is the one its lag check judged: one number per figure.
    const lag = by("lag").standbys;
    expect(a?.lag.p99).toBe(lag?.["standby-x"]?.stats?.p99);
    expect(b?.lag.p99).toBe(lag?.["standby2-x"]?.stats?.p99);
    expect((b?.lag.p99 ?? 0) - (a?.lag.p99 ?? 0)).toBeGreaterThanOrEqual(250);
    expect(b?.lagSeries.length).toBeGreaterThan(0);
    // The CDC kill reached both standbys: each one's recovery, as checkpoint-recovery judged it there.
    expect(b?.recoveries.map((r) => r.faultId)).toEqual(a?.recoveries.map((r) => r.faultId));
    expect(b?.recoveries.every((r) => r.status === "recovered")).toBe(true);
  });

  it("a pair's metrics carry no standbys field", () => {
    const run = synthesize({ seed: 11, kills: 1 });
    expect(computeMetrics(run.history, run.final, run.thresholds).standbys).toBeUndefined();
  });

  it("a pair's results carry no standbys field (report shape unchanged)", () => {
    const run = synthesize({ seed: 11, kills: 1 });
    const results = runCheckers(run.history, run.final, { thresholds: run.thresholds });
    expect(results.every((r) => r.standbys === undefined)).toBe(true);
  });

  it("merging keeps the worst verdict, skipped only when every standby's was", () => {
    const r = (verdict: CheckResult["verdict"]): CheckResult => ({
      name: "parity",
      verdict,
      summary: verdict,
      evidence: [],
      evidenceTotal: 0,
      observed: verdict === "pass" ? 1 : 0,
    });
    expect(
      mergeStandbys([
        ["a", r("pass")],
        ["b", r("unknown")],
      ]).verdict,
    ).toBe("unknown");
    expect(
      mergeStandbys([
        ["a", r("unknown")],
        ["b", r("fail")],
      ]).verdict,
    ).toBe("fail");
    expect(
      mergeStandbys([
        ["a", r("skipped")],
        ["b", r("skipped")],
      ]).verdict,
    ).toBe("skipped");
    // A standby with nothing observed while another was judged proves nothing for it: unknown.
    const half = mergeStandbys([
      ["a", r("skipped")],
      ["b", r("pass")],
    ]);
    expect(half.verdict).toBe("unknown");
    expect(half.standbys?.a?.verdict).toBe("unknown");
    expect(half.reason).toMatch(/^a: nothing observed on this standby/);
  });
});
