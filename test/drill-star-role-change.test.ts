/**
 * Switchover and failover in a star on the local backend (real Milvus Lite, three clusters): one
 * standby promoted, the other re-pointed at it, each re-pointed standby judged on its own. The self-test
 * fault repoint-skip (the edge a re-point created starts past the new primary's first writes) aimed at
 * standby 2 must fail reverse-parity naming standby 2, and no check judged on another standby.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { DeepPartial, DrillConfig } from "../src/config/schema.js";
import { drill, failing, smallConfig } from "./helpers/drill.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/** Bounds loosened as in drill-scenarios.test.ts: the mechanics are under test, not this machine's speed. */
function star(s: "switchover" | "failover", seed: number, faultStandby: number | null = null) {
  const extra: DeepPartial<DrillConfig> = {
    scenario: s,
    switchBack: s === "switchover",
    workload: s === "failover" ? { targetRate: 40 } : {},
    thresholds: { lagSloMs: 60_000, rpoMs: 60_000, rtoMs: 120_000, catchUpTimeoutMs: 60_000 },
    topology: { standbys: 2, faultStandby, promote: 1 },
  };
  return smallConfig(faultStandby === null ? "none" : "repoint-skip", seed, extra);
}

const TIMEOUT = 600_000;

describe("a star's role change on the local backend", () => {
  it(
    "switchover passes: standby 1 promoted, standby 2 re-pointed, each judged, each step timed",
    async () => {
      const { report, cleanup } = await drill(star("switchover", 7201));
      cleanups.push(cleanup);
      expect(report.error).toBeUndefined();
      expect(failing(report)).toEqual([]);
      expect(report.verdict).toBe("pass");
      const names = report.steps?.map((s) => s.name) ?? [];
      for (const n of ["role-change", "first-write", "repointed-write", "reverse-replication", "switch-back"])
        expect(names).toContain(n);
      const rp = report.checks.find((c) => c.name === "reverse-parity");
      expect(Object.keys(rp?.standbys ?? {})).toHaveLength(2);
    },
    TIMEOUT,
  );

  it(
    "failover with repoint-skip on standby 2: reverse-parity fails on standby 2, naming it, and on no other",
    async () => {
      const { report, cleanup } = await drill(star("failover", 7202, 2));
      cleanups.push(cleanup);
      expect(report.error).toBeUndefined();
      expect(report.verdict).toBe("fail");
      expect(failing(report)).toContain("reverse-parity");
      const rp = report.checks.find((c) => c.name === "reverse-parity");
      const failed = Object.entries(rp?.standbys ?? {}).filter(([, v]) => v.verdict === "fail");
      expect(failed.map(([id]) => id)).toEqual([expect.stringMatching(/^standby2-/)]);
      expect(rp?.summary).toMatch(/^standby2-\S+ fail/);
      const fp = report.checks.find((c) => c.name === "failover-prefix");
      expect(Object.keys(fp?.standbys ?? {})).toHaveLength(2);
      expect(report.steps?.map((s) => s.name)).toEqual(
        expect.arrayContaining([
          "primary-lost",
          "force-promote",
          "repoint",
          "first-write",
          "repointed-write",
        ]),
      );
    },
    TIMEOUT,
  );
});
