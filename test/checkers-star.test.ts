import { describe, expect, it } from "vitest";
import type { CheckpointObservation, HeartbeatObservation } from "../src/checkers/history-index.js";
import { combineVerdicts, runCheckers } from "../src/checkers/index.js";
import { FIRST_STANDBY_CHECKS, mergeStandbys, PER_STANDBY_CHECKS } from "../src/checkers/star.js";
import type { CheckName, CheckResult, FinalState, StandbyFinal } from "../src/checkers/types.js";
import type { HistoryEvent } from "../src/history/types.js";
import { synthesize } from "./helpers/synthetic.js";

/**
 * A clean synthetic run, its final state copied for each further standby (optionally spoiled), and the
 * first standby's heartbeat reads copied as the further standby's (optionally changed, or left out).
 */
function star(
  spoil?: (s: StandbyFinal) => void,
  heartbeats: ((o: HeartbeatObservation) => HeartbeatObservation) | null = (o) => o,
  checkpoints: (o: CheckpointObservation) => CheckpointObservation = (o) => o,
) {
  const clean = synthesize({ seed: 11, kills: 1 });
  const copies: HistoryEvent[] = [];
  if (heartbeats)
    for (const e of clean.history) {
      if (e.type === "obs" && e.kind === "heartbeat")
        copies.push(heartbeats({ ...e, cluster: "standby2-x" }));
      if (e.type === "obs" && e.kind === "checkpoint")
        copies.push(checkpoints({ ...e, cluster: "standby2-x" }));
    }
  const run = { ...clean, history: [...clean.history, ...copies] };
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
  return { results, by: (n: CheckName) => results.find((r) => r.name === n) as CheckResult };
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
    // The monitor watched the first standby only: those checks name it and no other.
    for (const n of FIRST_STANDBY_CHECKS.filter((c) => c !== "lag-metric"))
      expect(Object.keys(by(n).standbys ?? {}), n).toEqual(["standby-x"]);
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
    expect(
      mergeStandbys([
        ["a", r("skipped")],
        ["b", r("pass")],
      ]).verdict,
    ).toBe("pass");
  });
});
