/**
 * Scenario capacity end to end on the local backend (real Milvus Lite): the ramp records its steps,
 * the replicator is paused and resumed for the overhead pair, and the capacity check passes. The rates
 * themselves are this machine's and are measured by running the drill, not asserted here.
 */
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { drill, failing } from "./helpers/drill.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("scenario capacity on the local backend", () => {
  it("steps the rate up, times the primary with CDC running and paused, and passes", async () => {
    // Short windows and a low bound: the mechanics, not this machine's capacity. The SLO is loose
    // because the paused window's backlog is replayed on a shared machine.
    const config = loadConfig({
      profile: "capacity-smoke",
      overrides: {
        seed: 2626,
        capacity: { stepMs: 2_000, maxRate: 20, maxLagGrowthMsPerS: 1_000 },
        thresholds: { lagSloMs: 30_000, catchUpTimeoutMs: 60_000 },
      },
    });
    const { report, cleanup } = await drill(config);
    cleanups.push(cleanup);
    expect(report.error).toBeUndefined();
    expect(failing(report)).toEqual([]);
    const c = report.metrics.capacity;
    expect(c?.steps.filter((s) => s.mode === "ramp").length).toBeGreaterThanOrEqual(3);
    expect(c?.steps.map((s) => s.mode).slice(-2)).toEqual(["cdc-running", "cdc-paused"]);
    expect(c?.sustainableRowsPerS).toBeGreaterThan(0);
    expect(c?.primaryLatencyOverhead?.pausedP50Ms).not.toBeNull();
    expect(report.checks.find((x) => x.name === "capacity")?.verdict).toBe("pass");
    // The pause is a fault with its end: the replicator came back and the standby caught up.
    expect(report.metrics.faults?.find((f) => f.name === "pause-cdc")?.endedAt).not.toBeNull();
    expect(report.checks.find((x) => x.name === "parity")?.verdict).toBe("pass");
  }, 300_000);
});
