/**
 * Scenarios switchover and failover end to end on the local backend (real Milvus Lite): each passes
 * with a CDC kill before the role change and records its step timeline, RPO and RTO; each role-change
 * fault mode fails the drill through its own check, with op ids as evidence.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DeepPartial, DrillConfig } from "../src/config/schema.js";
import { drill, failing, smallConfig } from "./helpers/drill.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/**
 * Lag and loss bounds are loosened: these tests prove the mechanics of the role change on a shared
 * machine, not this machine's replication speed (the profiles keep the real bounds).
 */
function scenario(
  s: "switchover" | "failover",
  faultMode: "none" | "stale-primary" | "promote-with-hole" | "lose-tail-on-switchover",
  seed: number,
  switchBack = false,
) {
  const extra: DeepPartial<DrillConfig> = {
    scenario: s,
    ...(s === "failover" ? { switchBack } : {}),
    workload: s === "failover" ? { targetRate: 40 } : {},
    thresholds: { lagSloMs: 60_000, rpoMs: 60_000, rtoMs: 120_000, catchUpTimeoutMs: 60_000 },
  };
  return smallConfig(faultMode, seed, extra);
}

const TIMEOUT = 420_000;

describe("role-change scenarios on the local backend", () => {
  it(
    "switchover passes: RPO 0, the demoted cluster refuses writes, the way back and the switch back are verified",
    async () => {
      const { report, cleanup } = await drill(scenario("switchover", "none", 7101));
      cleanups.push(cleanup);
      expect(report.error).toBeUndefined();
      expect(failing(report)).toEqual([]);
      expect(report.verdict).toBe("pass");
      expect(report.steps?.map((s) => s.name)).toEqual([
        "stop-writes",
        "caught-up",
        "role-change",
        "first-write",
        "reverse-replication",
        "switch-back",
      ]);
      expect(report.metrics.rpo?.lostWrites).toBe(0);
      expect(report.metrics.rtoMs).toBeGreaterThan(0);
      expect(report.metrics.faults?.length).toBeGreaterThan(0);
      for (const name of ["rpo", "rto", "promotion", "reverse-parity"])
        expect(report.checks.find((c) => c.name === name)?.verdict).toBe("pass");
    },
    TIMEOUT,
  );

  it(
    "failover passes: primary lost mid-stream, standby force-promoted, old primary rebuilt as its standby, then primary again",
    async () => {
      const { report, dir, cleanup } = await drill(scenario("failover", "none", 7102, true));
      cleanups.push(cleanup);
      // The way back seeds the rebuilt A the operator's way (milvus-io/milvus#53512): a backup of B
      // restored with the emulated restore secondary, its own steps timed into the rebuild's detail.
      const rebuild = (await readFile(join(dir, "history.jsonl"), "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; name?: string; detail?: Record<string, unknown> })
        .find((e) => e.type === "step" && e.name === "rebuild");
      expect(rebuild?.detail?.via).toBe("restore secondary");
      expect(rebuild?.detail?.restoreMs).toBeTypeOf("number");
      expect(report.error).toBeUndefined();
      expect(failing(report)).toEqual([]);
      expect(report.steps?.map((s) => s.name)).toEqual([
        "primary-lost",
        "force-promote",
        "first-write",
        "rebuild",
        "reverse-replication",
        "switch-back",
      ]);
      expect(report.steps?.every((st) => st.ok)).toBe(true);
      // The lab names the original primary primary-<id>: the role is back where it started.
      expect(report.steps?.at(-1)?.primary).toMatch(/^primary-/);
      expect(report.metrics.rpo).toBeDefined();
      for (const name of ["rpo", "rto", "promotion", "failover-prefix", "reverse-parity"])
        expect(report.checks.find((c) => c.name === name)?.verdict).toBe("pass");
    },
    TIMEOUT,
  );

  it(
    "stale-primary: the demoted cluster takes a client write, and promotion fails naming its op id",
    async () => {
      const { report, cleanup } = await drill(scenario("switchover", "stale-primary", 7103));
      cleanups.push(cleanup);
      expect(report.verdict).toBe("fail");
      expect(failing(report)).toContain("promotion");
      const ev = report.checks.find((c) => c.name === "promotion")?.evidence[0];
      expect(ev?.opId).toBeTypeOf("number");
      expect(ev?.message).toMatch(/split brain/);
    },
    TIMEOUT,
  );

  it(
    "lose-tail-on-switchover: writes acknowledged just before the switchover never reach the standby, and rpo fails naming them",
    async () => {
      const { report, cleanup } = await drill(scenario("switchover", "lose-tail-on-switchover", 7105));
      cleanups.push(cleanup);
      // The drill got through the switchover (the caught-up wait saw its markers) and judged the loss.
      expect(report.error).toBeUndefined();
      expect(report.steps?.find((s) => s.name === "role-change")?.ok).toBe(true);
      expect(report.verdict).toBe("fail");
      expect(failing(report)).toContain("rpo");
      expect(report.metrics.rpo?.lostWrites).toBeGreaterThan(0);
      const rpo = report.checks.find((c) => c.name === "rpo");
      expect(rpo?.evidence.length).toBeGreaterThan(0);
      for (const ev of rpo?.evidence ?? []) {
        expect(ev.opId).toBeTypeOf("number");
        expect(ev.message).toMatch(/is not on the new primary/);
      }
    },
    TIMEOUT,
  );

  it(
    "promote-with-hole: the promoted standby misses an insert in the middle, and failover-prefix fails naming it",
    async () => {
      const { report, cleanup } = await drill(scenario("failover", "promote-with-hole", 7104));
      cleanups.push(cleanup);
      expect(report.verdict).toBe("fail");
      expect(failing(report)).toContain("failover-prefix");
      const ev = report.checks.find((c) => c.name === "failover-prefix")?.evidence[0];
      expect(ev?.opId).toBeTypeOf("number");
      expect(ev?.message).toMatch(/hole/);
    },
    TIMEOUT,
  );
});
