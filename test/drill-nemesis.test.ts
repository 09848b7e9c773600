/**
 * The nemesis on the local backend, end to end: a faithful replicator survives every fault type the
 * lab brings (no false alarm, each fault recovered in report.json), and each self-test fault that
 * mimics an upstream bug set off by a fault fails the drill through the check that owns it.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { CheckName } from "../src/checkers/types.js";
import type { LocalFaultMode, NemesisType } from "../src/config/schema.js";
import { drill, failing, smallConfig } from "./helpers/drill.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const nemesis = (types: NemesisType[]) => ({
  faults: { nemesis: { types, durationMs: 3_000, delayMs: 200, jitterMs: 50 } },
});

describe("every local nemesis type: the drill passes and the fault is recovered", () => {
  const types: NemesisType[] = ["restart-standby", "restart-primary", "partition", "delay", "pause-cdc"];
  it.each(types)("%s", async (type) => {
    const { report, cleanup, dir } = await drill(
      smallConfig("none", 2200 + types.indexOf(type), nemesis([type])),
    );
    // A false alarm keeps its run directory (history, report, diagnostics) and says where it is.
    if (report.verdict === "pass") cleanups.push(cleanup);
    expect(report.error).toBeUndefined();
    const why = `run kept in ${dir}\n${report.checks
      .filter((c) => c.verdict === "fail" || c.verdict === "unknown")
      .map((c) => `${c.name} ${c.verdict}: ${c.summary} ${c.evidence.map((e) => e.message).join(" | ")}`)
      .join("\n")}`;
    expect(failing(report), why).toEqual([]);
    expect(report.verdict, why).toBe("pass");
    const recoveries = report.metrics?.recoveries ?? [];
    expect(recoveries.map((r) => [r.fault, r.status])).toEqual([[type, "recovered"]]);
    expect(recoveries[0]?.endedAt).toBeGreaterThan(recoveries[0]?.startedAt ?? Number.POSITIVE_INFINITY);
  });
});

/** Each self-test fault, the nemesis that sets it off, and the check that must fail with evidence. */
const selfTests: Array<[LocalFaultMode, NemesisType, CheckName, RegExp]> = [
  // milvus-io/milvus#45086
  [
    "stall-after-standby-restart",
    "restart-standby",
    "checkpoint-recovery",
    /restart-standby #1: the standby heartbeat did not move/,
  ],
  // milvus-io/milvus#53382
  ["wedge-channel", "kill-cdc", "catch-up", /settle marker of drill_items/],
  // milvus-io/milvus#53368
  ["lose-on-partition", "partition", "parity", /lost on the standby|count\(\*\)/],
];

describe("self-test faults set off by the nemesis fail the drill through their check", () => {
  it.each(selfTests)("%s (with %s) is caught by %s", async (mode, type, owner, evidence) => {
    const { report, cleanup } = await drill(
      smallConfig(mode, 2300 + selfTests.findIndex(([m]) => m === mode), {
        ...nemesis([type]),
        thresholds: { catchUpTimeoutMs: 25_000, recoveryTimeoutMs: 10_000 },
      }),
    );
    cleanups.push(cleanup);
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe("fail");
    expect(failing(report)).toContain(owner);
    const check = report.checks.find((c) => c.name === owner);
    expect(check?.evidence.map((e) => e.message).join("\n")).toMatch(evidence);
  });
});
