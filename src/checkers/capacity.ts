/**
 * Scenario capacity, judged: the ramp must have found a rate the standby sustains (its heartbeat lag
 * stayed bounded). The figures (metrics.capacity) come from the same computation.
 */
import type { CapacityStepEvent } from "../history/types.js";
import type { CapacityStats } from "../report/model.js";
import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistoryIndex, type HistorySource, indexHistory, since } from "./history-index.js";
import type { CheckResult } from "./types.js";

/** A ramp step whose achieved rate grew less than 5% over the step before: the primary is the limit. */
export function primarySaturated(
  prev: Pick<CapacityStepEvent, "achievedRowsPerS"> | undefined,
  e: Pick<CapacityStepEvent, "achievedRowsPerS">,
): boolean {
  return prev !== undefined && e.achievedRowsPerS < prev.achievedRowsPerS * 1.05;
}

/** Scenario capacity's figures, from its windows as the drill measured and recorded them. */
export function capacityStats(idx: HistoryIndex): CapacityStats | null {
  const ev = idx.capacitySteps;
  if (ev.length === 0) return null;
  const steps = ev.map((e) => ({
    index: e.index,
    mode: e.mode,
    targetOpsPerS: e.targetOpsPerS,
    startedAt: e.startedAt,
    durationMs: e.time - e.startedAt,
    achievedRowsPerS: e.achievedRowsPerS,
    latencyP50Ms: e.latencyP50Ms,
    latencyP99Ms: e.latencyP99Ms,
    lagStartMs: e.lagStartMs,
    lagEndMs: e.lagEndMs,
    lagMaxMs: e.lagMaxMs,
    lagGrowthMsPerS: e.lagGrowthMsPerS,
    bounded: e.bounded,
  }));
  const ramp = steps.filter((s) => s.mode === "ramp");
  const ok = ramp.filter((s) => s.bounded === true);
  const running = steps.find((s) => s.mode === "cdc-running");
  const paused = steps.find((s) => s.mode === "cdc-paused");
  const diff = (a: number | null | undefined, b: number | null | undefined) =>
    typeof a === "number" && typeof b === "number" ? a - b : null;
  return {
    sustainableRowsPerS: ok.length ? Math.max(...ok.map((s) => s.achievedRowsPerS)) : null,
    stoppedBy: ramp.some((s) => s.bounded === false)
      ? "lag growing"
      : primarySaturated(ramp.at(-2), ramp.at(-1) ?? { achievedRowsPerS: 0 }) && ramp.length > 1
        ? "primary saturated"
        : "bound",
    steps,
    primaryLatencyOverhead:
      running && paused
        ? {
            targetOpsPerS: running.targetOpsPerS,
            runningP50Ms: running.latencyP50Ms,
            runningP99Ms: running.latencyP99Ms,
            pausedP50Ms: paused.latencyP50Ms,
            pausedP99Ms: paused.latencyP99Ms,
            p50Ms: diff(running.latencyP50Ms, paused.latencyP50Ms),
            p99Ms: diff(running.latencyP99Ms, paused.latencyP99Ms),
          }
        : null,
  };
}

/**
 * Skipped when scenario capacity did not run. Unknown when no ramp window could be judged (no
 * heartbeat lag read in it) or one wrote nothing: a rate never measured is not sustainable. Fails when
 * the standby's lag grew from the first window on (no rate is sustainable: the standby cannot take
 * even capacity.startRate). A lag that grows without recovering while the metric reads healthy is
 * milvus-io/milvus#46116; this finds the rate where the growth starts.
 */
export function checkCapacity(history: HistorySource): CheckResult {
  const idx = indexHistory(history);
  const c = capacityStats(idx);
  if (!c) return skipped("capacity", "scenario capacity did not run");
  const ramp = idx.capacitySteps.filter((e) => e.mode === "ramp");
  const failures = new EvidenceSample();
  const blind = new EvidenceSample();
  for (const e of ramp) {
    if (e.bounded === null)
      blind.add({
        time: e.startedAt,
        message: `step ${e.index} at ${e.targetOpsPerS} ops/s (from ${since(idx, e.startedAt)}) had ${e.lagSamples} heartbeat lag read(s): its lag trend is unknown`,
      });
    else if (e.rows === 0)
      blind.add({
        time: e.startedAt,
        message: `step ${e.index} at ${e.targetOpsPerS} ops/s (from ${since(idx, e.startedAt)}) acknowledged no write`,
      });
  }
  const judged = ramp.filter((e) => e.bounded !== null && e.rows > 0);
  if (judged.length > 0 && c.sustainableRowsPerS === null) {
    const first = judged[0];
    if (first)
      failures.add({
        time: first.startedAt,
        kind: "not sustainable",
        message: `the standby's lag grew from the first step: ${first.achievedRowsPerS} rows/s (${first.targetOpsPerS} ops/s) from ${since(idx, first.startedAt)}, lag ${first.lagStartMs} -> ${first.lagEndMs} ms (max ${first.lagMaxMs} ms, ${first.lagGrowthMsPerS} ms/s)`,
      });
  }
  const o = c.primaryLatencyOverhead;
  const stats: Record<string, number> = { steps: ramp.length };
  if (c.sustainableRowsPerS !== null) stats.sustainableRowsPerS = c.sustainableRowsPerS;
  if (o?.p50Ms != null) stats.overheadP50Ms = o.p50Ms;
  if (o?.p99Ms != null) stats.overheadP99Ms = o.p99Ms;
  return judge("capacity", {
    failures,
    blind,
    observed: judged.length,
    tooFew: "no ramp step was measured",
    passSummary: `the standby sustained ${c.sustainableRowsPerS} rows/s over ${ramp.length} step(s) (stopped by ${c.stoppedBy}); primary write latency overhead ${o ? `p50 ${o.p50Ms ?? "n/a"} ms, p99 ${o.p99Ms ?? "n/a"} ms` : "not measured (the backend cannot pause CDC)"}`,
    stats,
  });
}
