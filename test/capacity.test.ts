/**
 * Scenario capacity without Milvus: a stand-in workload whose standby lag grows above a given rate,
 * so the ramp, its stop, the CDC running / paused pair and the report's figures are checked exactly.
 */
import { describe, expect, it } from "vitest";
import type { Backend, FaultEvidence } from "../src/backends/types.js";
import { checkCapacity } from "../src/checkers/capacity.js";
import { computeMetrics } from "../src/checkers/metrics.js";
import type { Thresholds } from "../src/checkers/types.js";
import { loadConfig } from "../src/config/load.js";
import { lagSlopeMsPerS, runCapacity } from "../src/drill/capacity.js";
import type { WorkloadRunner } from "../src/drill/workload.js";
import type { HistoryEvent } from "../src/history/types.js";
import type { HistoryWriter } from "../src/history/writer.js";
import type { Monitor } from "../src/monitor/monitor.js";
import { renderSummary } from "../src/report/summary.js";
import { baseReport } from "./report-helpers.js";

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/**
 * A workload that "writes" a window instantly: `rate` writes of 10 rows at 5 ms (+ 3 ms with CDC
 * running), and a heartbeat lag that stays at 100 ms up to `limit` ops/s and grows 500 ms/s above it
 * (or whenever CDC is paused).
 */
function standIns(
  limit: number,
  opts: { canPause?: boolean; lagSamples?: boolean; primaryMaxOpsPerS?: number } = {},
) {
  const history: HistoryEvent[] = [];
  const calls: string[] = [];
  let paused = false;
  let clock = 1_700_000_000_000;
  const monitor = { onLag: undefined, sampleCheckpoints: async () => {} } as unknown as Monitor;
  const runner = {
    onCompleted: undefined,
    async runFor(durationMs: number, rate: number) {
      const startedAt = clock;
      const r = runner as unknown as WorkloadRunner;
      const writes = Math.round((Math.min(rate, opts.primaryMaxOpsPerS ?? rate) * durationMs) / 1000);
      for (let i = 0; i < writes; i++) {
        const t = startedAt + (i * durationMs) / writes;
        r.onCompleted?.(
          { f: "write", keys: Array.from({ length: 10 }, (_, k) => k) } as never,
          t,
          { type: "ok" } as never,
          t + (paused ? 5 : 8),
        );
      }
      if (opts.lagSamples !== false)
        for (let s = 0; s <= durationMs / 1000; s++) {
          const growing = paused || rate > limit;
          monitor.onLag?.(startedAt + s * 1000, growing ? 100 + s * 500 : 100);
        }
      clock += durationMs;
      return { startedAt, endedAt: clock };
    },
  };
  const ev = (): FaultEvidence => ({ injectedAt: clock }) as FaultEvidence;
  const backend = {
    info: { name: "stand-in" },
    ...(opts.canPause !== false
      ? {
          pauseCdc: async () => {
            calls.push("pause");
            paused = true;
            return ev();
          },
          resumeCdc: async () => {
            calls.push("resume");
            paused = false;
            return ev();
          },
        }
      : {}),
  } as unknown as Backend;
  const config = loadConfig({ profile: "capacity-smoke" });
  const deps = {
    config,
    backend,
    runner: runner as unknown as WorkloadRunner,
    monitor,
    history: { append: (e: HistoryEvent) => history.push(e) } as unknown as HistoryWriter,
    log: quiet as never,
    signal: new AbortController().signal,
  };
  const thresholds = config.thresholds as unknown as Thresholds;
  return { deps, history, calls, thresholds };
}

describe("scenario capacity", () => {
  it("lagSlopeMsPerS: least squares in ms per second; null under 3 samples", () => {
    expect(lagSlopeMsPerS([{ t: 0, lagMs: 0 }])).toBeNull();
    expect(
      lagSlopeMsPerS([
        { t: 0, lagMs: 100 },
        { t: 1000, lagMs: 300 },
        { t: 2000, lagMs: 500 },
      ]),
    ).toBeCloseTo(200);
    expect(
      lagSlopeMsPerS([
        { t: 0, lagMs: 50 },
        { t: 0, lagMs: 60 },
        { t: 0, lagMs: 70 },
      ]),
    ).toBeNull();
  });

  it("steps up until the lag keeps growing; the sustainable rate is the last bounded step's", async () => {
    const { deps, history, calls, thresholds } = standIns(20);
    await runCapacity(deps);
    const c = computeMetrics(history, { collections: [] } as never, thresholds).capacity;
    expect(c).toBeDefined();
    if (!c) return;
    // 5, 10, 20 bounded, 40 grows: the ramp stops there.
    expect(c.steps.filter((s) => s.mode === "ramp").map((s) => [s.targetOpsPerS, s.bounded])).toEqual([
      [5, true],
      [10, true],
      [20, true],
      [40, false],
    ]);
    expect(c.stoppedBy).toBe("lag growing");
    expect(c.sustainableRowsPerS).toBe(200);
    expect(c.steps.find((s) => s.mode === "ramp" && s.targetOpsPerS === 40)?.lagGrowthMsPerS).toBe(500);
    // The pair at the sustainable rate: CDC running costs the primary 3 ms here.
    expect(calls).toEqual(["pause", "resume"]);
    expect(c.primaryLatencyOverhead).toMatchObject({ targetOpsPerS: 20, p50Ms: 3, p99Ms: 3 });
    expect(c.steps.find((s) => s.mode === "cdc-paused")?.bounded).toBeNull();
    // The pause is a fault in the history (the lag check leaves its window alone).
    const faults = history.filter((e) => e.type === "fault");
    expect(faults.map((f) => f.type === "fault" && `${f.name}:${f.phase}`)).toEqual([
      "pause-cdc:start",
      "pause-cdc:end",
    ]);
  });

  it("stops at the configured bound when the lag never grows", async () => {
    const { deps, history, thresholds } = standIns(1_000);
    await runCapacity(deps);
    const c = computeMetrics(history, { collections: [] } as never, thresholds).capacity;
    expect(c?.stoppedBy).toBe("bound");
    expect(c?.steps.filter((s) => s.mode === "ramp").map((s) => s.targetOpsPerS)).toEqual([
      5, 10, 20, 40, 80,
    ]);
    expect(c?.sustainableRowsPerS).toBe(800);
  });

  it("stops when the primary no longer writes faster when asked to (saturated)", async () => {
    const { deps, history, thresholds } = standIns(1_000, { primaryMaxOpsPerS: 21 });
    await runCapacity(deps);
    const c = computeMetrics(history, { collections: [] } as never, thresholds).capacity;
    expect(c?.steps.filter((s) => s.mode === "ramp").map((s) => s.achievedRowsPerS)).toEqual([
      50, 100, 200, 210, 210,
    ]);
    expect(c?.stoppedBy).toBe("primary saturated");
    expect(c?.sustainableRowsPerS).toBe(210);
    // The overhead pair runs at the target of the best step.
    expect(c?.primaryLatencyOverhead?.targetOpsPerS).toBe(40);
  });

  it("says what it could not measure: no pause, no overhead; no lag samples, no sustainable rate", async () => {
    const noPause = standIns(1_000, { canPause: false });
    await runCapacity(noPause.deps);
    const a = computeMetrics(noPause.history, { collections: [] } as never, noPause.thresholds).capacity;
    expect(a?.primaryLatencyOverhead).toBeNull();
    expect(noPause.calls).toEqual([]);

    const blind = standIns(1_000, { lagSamples: false });
    await runCapacity(blind.deps);
    const b = computeMetrics(blind.history, { collections: [] } as never, blind.thresholds).capacity;
    expect(b?.steps.every((s) => s.bounded === null)).toBe(true);
    expect(b?.sustainableRowsPerS).toBeNull();
  });

  it("the summary tabulates every step and draws lag against rate", async () => {
    const { deps, history, thresholds } = standIns(20);
    await runCapacity(deps);
    const capacity = computeMetrics(history, { collections: [] } as never, thresholds).capacity;
    const r = baseReport();
    const md = renderSummary({ ...r, metrics: { ...r.metrics, ...(capacity ? { capacity } : {}) } });
    expect(md).toContain("## Capacity");
    expect(md).toContain("Sustainable: **200 rows/s** (the ramp stopped: lag growing)");
    expect(md).toContain('x-axis "achieved rows/s" ["50", "100", "200", "400"]');
    expect(md).toMatch(/CDC running vs paused: p50 8 ms vs 5 ms/);
    expect(renderSummary(r)).not.toContain("## Capacity");
  });

  describe("check capacity", () => {
    it("passes when the ramp found a sustainable rate, and names it", async () => {
      const { deps, history } = standIns(20);
      await runCapacity(deps);
      const r = checkCapacity(history);
      expect(r.verdict, r.summary).toBe("pass");
      expect(r.summary).toContain("sustained 200 rows/s over 4 step(s) (stopped by lag growing)");
      expect(r.stats).toMatchObject({ steps: 4, sustainableRowsPerS: 200, overheadP50Ms: 3 });
    });

    it("fails when the lag grew from the first step: the standby cannot take even the start rate", async () => {
      const { deps, history } = standIns(1);
      await runCapacity(deps);
      const r = checkCapacity(history);
      expect(r.verdict).toBe("fail");
      expect(r.evidence[0]?.kind).toBe("not sustainable");
      expect(r.summary).toMatch(/lag grew from the first step: 50 rows\/s \(5 ops\/s\)/);
    });

    it("is unknown (never pass) when the lag could not be read in a step, or a step wrote nothing", async () => {
      const blind = standIns(1_000, { lagSamples: false });
      await runCapacity(blind.deps);
      const a = checkCapacity(blind.history);
      expect(a.verdict).toBe("unknown");
      expect(a.reason).toMatch(/step 0 at 5 ops\/s .* had 0 heartbeat lag read\(s\)/);

      const ok = standIns(1_000);
      await runCapacity(ok.deps);
      expect(checkCapacity(ok.history).verdict).toBe("pass");
      const noWrites = ok.history.map((e) =>
        e.type === "capacity-step" && e.index === 2 ? { ...e, writes: 0, rows: 0, achievedRowsPerS: 0 } : e,
      );
      const b = checkCapacity(noWrites);
      expect(b.verdict).toBe("unknown");
      expect(b.reason).toMatch(/step 2 at 20 ops\/s .* acknowledged no write/);
    });

    it("is skipped when scenario capacity did not run", () => {
      expect(checkCapacity([]).verdict).toBe("skipped");
    });
  });
});
