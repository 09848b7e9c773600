import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combineVerdicts, computeMetrics, runCheckers } from "../src/checkers/index.js";
import type { CheckName, CheckResult } from "../src/checkers/types.js";
import { MAX_EVIDENCE } from "../src/checkers/types.js";
import { type Anomaly, synthesize } from "./helpers/synthetic.js";
import {
  type RoleChangeAnomaly,
  type Scenario,
  synthesizeRoleChange,
} from "./helpers/synthetic-role-change.js";

/**
 * The synthetic link never changes roles, seeds its standby from a backup nor ramps its write rate, so
 * the role-change checks, seed-alignment (test/seed-alignment.test.ts) and capacity (on its own
 * stand-in in test/capacity.test.ts) have nothing to judge here.
 */
const ROLE_CHANGE_CHECKS: readonly CheckName[] = [
  "rpo",
  "rto",
  "promotion",
  "failover-prefix",
  "reverse-parity",
  "seed-alignment",
  "capacity",
];

function check(seed: number, anomaly?: Anomaly, kills?: number) {
  const run = synthesize({ seed, anomaly, kills });
  const all = runCheckers(run.history, run.final, { thresholds: run.thresholds });
  expect(all.filter((r) => ROLE_CHANGE_CHECKS.includes(r.name)).map((r) => r.verdict)).toEqual(
    ROLE_CHANGE_CHECKS.map(() => "skipped"),
  );
  const results = all.filter((r) => !ROLE_CHANGE_CHECKS.includes(r.name));
  return { run, results, by: (n: CheckName) => results.find((r) => r.name === n) as CheckResult };
}

function describeFailures(seed: number, results: CheckResult[]): string {
  const bad = results.filter((r) => r.verdict !== "pass");
  return `seed ${seed}: ${bad.map((r) => `${r.name}=${r.verdict} (${r.summary})`).join("; ")}`;
}

describe("checkers on clean synthetic histories", () => {
  it("never raise a false alarm (info ops, CDC kills and restarts included)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 3 }), (seed, kills) => {
        const { results } = check(seed, undefined, kills);
        // Every checker has something to judge in these runs, so pass (not skipped) is the bar.
        expect(
          results.filter((r) => r.verdict !== "pass"),
          describeFailures(seed, results),
        ).toEqual([]);
        expect(combineVerdicts(results)).toBe("pass");
      }),
      { numRuns: 60 },
    );
  });

  it("the clean runs really contain the hard cases (info ops, kills, unknown-outcome probes)", () => {
    const { run } = check(7, undefined, 2);
    const types = run.history.map((e) => e.type);
    expect(types).toContain("info");
    expect(types).toContain("fail");
    expect(run.history.filter((e) => e.type === "fault")).toHaveLength(4);
    expect(
      run.history.some((e) => e.type === "obs" && e.kind === "keys" && e.reads.some((r) => r.ver === null)),
    ).toBe(true);
  });
});

/** Each anomaly and the checkers that own it: all of them must fail. */
const OWNERS: Array<[Anomaly, CheckName[]]> = [
  ["drop-ack", ["parity"]],
  ["replay-insert", ["duplicates"]],
  ["delete-before-insert", ["parity"]],
  ["lower-version", ["monotonic-reads"]],
  ["skip-after-restart", ["parity", "prefix"]],
  ["stall", ["checkpoint-recovery", "lag", "catch-up"]],
  ["checkpoint-backward", ["checkpoint-recovery"]],
  ["probe-accepted", ["standby-read-only"]],
  ["search-differs", ["search-parity"]],
  ["catchup-timeout", ["catch-up"]],
];

describe("one injected anomaly at a time", () => {
  for (const [anomaly, owners] of OWNERS) {
    it(`${anomaly} is flagged by ${owners.join(" + ")}`, () => {
      let tried = 0;
      for (let seed = 1; tried < 8 && seed < 200; seed++) {
        const { run, results, by } = check(seed, anomaly);
        if (!run.injected) continue;
        tried += 1;
        for (const owner of owners) {
          const r = by(owner);
          expect(r.verdict, `seed ${seed}: ${owner} missed ${anomaly}: ${r.summary}`).toBe("fail");
          expect(r.evidence.length).toBeGreaterThan(0);
          expect(r.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE);
          expect(r.evidenceTotal).toBeGreaterThanOrEqual(r.evidence.length);
        }
        // The primary itself was never harmed: that checker must not blame it.
        expect(by("primary-sanity").verdict).toBe("pass");
        expect(combineVerdicts(results)).toBe("fail");
      }
      expect(tried, `no seed could host ${anomaly}`).toBe(8);
    });
  }

  it("a zombie is named as such, with the deleting op", () => {
    for (let seed = 1; seed < 50; seed++) {
      const { run, by } = check(seed, "delete-before-insert");
      if (!run.injected) continue;
      const zombie = by("parity").evidence.find((e) => e.kind === "zombie");
      expect(zombie?.opId).toBeTypeOf("number");
      return;
    }
    throw new Error("no seed could host delete-before-insert");
  });

  it("a lost key names the ops that wrote it", () => {
    const { run, by } = check(3, "drop-ack");
    expect(run.injected).toBe(true);
    const lost = by("parity").evidence.find((e) => e.kind === "lost");
    expect(lost?.pk).toBeDefined();
    const writers = run.history.filter(
      (e) => e.type === "invoke" && e.value.f === "write" && e.value.keys.some((k) => k.pk === lost?.pk),
    );
    expect(writers.map((e) => (e as { id: number }).id)).toContain(lost?.opId);
  });
});

describe("computeMetrics on a synthetic run", () => {
  it("pairs faults, finds each recovery and counts ops", () => {
    const { run } = check(11, undefined, 2);
    const m = computeMetrics(run.history, run.final, run.thresholds);
    expect(m.faults).toHaveLength(2);
    expect(m.faults.every((f) => f.endedAt !== null && f.endedAt > f.startedAt)).toBe(true);
    expect(m.recoveries).toHaveLength(2);
    for (const r of m.recoveries) {
      expect(r.recoveryMs).not.toBeNull();
      expect(r.recoveredAt as number).toBeGreaterThan(r.startedAt);
    }
    // Workload ops only: the standby-write probes are meant to fail and are reported by their own check.
    const probes = new Set(
      run.history.flatMap((e) => (e.type === "invoke" && e.value.f === "probe-standby-write" ? [e.id] : [])),
    );
    expect(probes.size).toBeGreaterThan(0);
    const completions = run.history.filter(
      (e) => (e.type === "ok" || e.type === "fail" || e.type === "info") && !probes.has(e.id),
    );
    expect(m.ops.ok + m.ops.fail + m.ops.info).toBe(completions.length);
    expect(m.lag.samples).toBeGreaterThan(MAX_EVIDENCE);
    expect(m.lagSeries.length).toBeLessThanOrEqual(300);
    expect(m.lag.p50 as number).toBeLessThanOrEqual(m.lag.p99 as number);
    expect(m.lag.p99 as number).toBeLessThanOrEqual(m.lag.max as number);
    expect(m.opsPerSec).toBeGreaterThan(0);
    expect(m.catchUpMs).toBe(run.final.catchUp?.catchUpMs);
  });

  it("a stalled CDC never recovers", () => {
    const { run } = check(5, "stall");
    const m = computeMetrics(run.history, run.final, run.thresholds);
    expect(m.recoveries[0]?.recoveryMs).toBeNull();
  });
});

/** The role-change model: clean runs pass every role-change check; each broken guarantee fails its owner. */
const RC_OWNERS: Array<[RoleChangeAnomaly, Scenario, CheckName]> = [
  ["lose-acked-tail", "switchover", "rpo"],
  ["hole", "failover", "failover-prefix"],
  ["split-brain", "switchover", "promotion"],
  ["split-brain", "failover", "promotion"],
  ["slow-first-write", "switchover", "rto"],
  ["slow-first-write", "failover", "rto"],
  ["reverse-missing", "switchover", "reverse-parity"],
  ["reverse-missing", "failover", "reverse-parity"],
];
const RC_CHECKS: CheckName[] = ["rpo", "rto", "promotion", "failover-prefix", "reverse-parity"];

describe("role changes: the model's clean runs pass, one broken guarantee fails its check", () => {
  for (const scenario of ["switchover", "failover"] as const) {
    it(`${scenario}: clean runs pass every role-change check`, () => {
      for (let seed = 1; seed <= 60; seed++) {
        const run = synthesizeRoleChange({ seed, scenario });
        for (const r of runCheckers(run.history, run.final, { thresholds: run.thresholds }, RC_CHECKS)) {
          const want = scenario === "switchover" && r.name === "failover-prefix" ? "skipped" : "pass";
          expect(r.verdict, `seed ${seed}: ${r.name}: ${r.summary}`).toBe(want);
        }
      }
    });
  }
  for (const [anomaly, scenario, owner] of RC_OWNERS) {
    it(`${scenario}: ${anomaly} is flagged by ${owner}, with evidence`, () => {
      let tried = 0;
      for (let seed = 1; tried < 8 && seed < 200; seed++) {
        const run = synthesizeRoleChange({ seed, scenario, anomaly });
        if (!run.injected) continue;
        tried += 1;
        const [r] = runCheckers(run.history, run.final, { thresholds: run.thresholds }, [owner]);
        expect(r?.verdict, `seed ${seed}: ${owner} missed ${anomaly}: ${r?.summary}`).toBe("fail");
        expect(r?.evidence.length).toBeGreaterThan(0);
      }
      expect(tried, `no seed could host ${anomaly}`).toBe(8);
    });
  }
});
