/**
 * Scenario capacity: how much write traffic the standby can absorb, and what CDC costs the primary.
 *
 * The write rate steps up (times capacity.factor) in windows of capacity.stepMs until the standby's
 * heartbeat lag keeps growing (its least-squares slope over the window is above
 * capacity.maxLagGrowthMsPerS, or it goes over the SLO) or the bound (capacity.maxRate, maxSteps) is
 * reached, or the primary no longer writes faster when asked to (saturated). Each window is measured live (acknowledged rows per second, write latency p50/p99, the lag
 * trend) and recorded as a `capacity-step` event: the report reads the figures from the history.
 * Then, at the highest sustainable rate, one window with CDC running and one with CDC paused time the
 * primary's writes with and without CDC (the FAQ says CDC does not slow the primary: measured).
 */
import type { Backend, Logger } from "../backends/types.js";
import { primarySaturated } from "../checkers/capacity.js";
import { percentile } from "../checkers/stats.js";
import type { DrillConfig } from "../config/schema.js";
import type { CapacityStepEvent } from "../history/types.js";
import type { HistoryWriter } from "../history/writer.js";
import type { Monitor } from "../monitor/monitor.js";
import type { WorkloadRunner } from "./workload.js";

/** Least-squares slope of (t ms, lag ms) samples, in ms of lag per second; null with fewer than 3. */
export function lagSlopeMsPerS(samples: ReadonlyArray<{ t: number; lagMs: number }>): number | null {
  if (samples.length < 3) return null;
  const n = samples.length;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const ml = samples.reduce((a, s) => a + s.lagMs, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (s.lagMs - ml);
    den += (s.t - mt) ** 2;
  }
  return den === 0 ? null : (num / den) * 1000;
}

interface Window {
  writes: number;
  rows: number;
  latencies: number[];
  lags: Array<{ t: number; lagMs: number }>;
}

export interface CapacityDeps {
  config: DrillConfig;
  backend: Backend;
  runner: WorkloadRunner;
  monitor: Monitor;
  history: HistoryWriter;
  log: Logger;
  signal: AbortSignal;
}

/** Measures one window of the primary written at `rate` ops/s and records it. */
async function measure(
  d: CapacityDeps,
  index: number,
  mode: CapacityStepEvent["mode"],
  rate: number,
): Promise<CapacityStepEvent> {
  const w: Window = { writes: 0, rows: 0, latencies: [], lags: [] };
  d.runner.onCompleted = (op, invokeTime, outcome, time) => {
    if (op.f !== "write" || outcome.type !== "ok") return;
    w.writes += 1;
    w.rows += op.keys.length;
    w.latencies.push(time - invokeTime);
  };
  d.monitor.onLag = (t, lagMs) => w.lags.push({ t, lagMs });
  let span: { startedAt: number; endedAt: number };
  try {
    span = await d.runner.runFor(d.config.capacity.stepMs, rate);
  } finally {
    d.runner.onCompleted = undefined;
    d.monitor.onLag = undefined;
  }
  const secs = Math.max(0.001, (span.endedAt - span.startedAt) / 1000);
  const growth = lagSlopeMsPerS(w.lags);
  const lagMax = w.lags.length ? Math.max(...w.lags.map((l) => l.lagMs)) : null;
  // A paused CDC's lag grows by design: only ramp and running windows say whether the standby keeps up.
  const bounded =
    mode === "cdc-paused" || growth === null || lagMax === null
      ? null
      : growth <= d.config.capacity.maxLagGrowthMsPerS && lagMax <= d.config.thresholds.lagSloMs;
  const e: CapacityStepEvent = {
    type: "capacity-step",
    index,
    mode,
    targetOpsPerS: rate,
    startedAt: span.startedAt,
    time: span.endedAt,
    writes: w.writes,
    rows: w.rows,
    achievedRowsPerS: Math.round((w.rows / secs) * 10) / 10,
    latencyP50Ms: percentile(w.latencies, 50),
    latencyP99Ms: percentile(w.latencies, 99),
    lagSamples: w.lags.length,
    lagStartMs: w.lags[0]?.lagMs ?? null,
    lagEndMs: w.lags[w.lags.length - 1]?.lagMs ?? null,
    lagMaxMs: lagMax,
    lagGrowthMsPerS: growth === null ? null : Math.round(growth * 10) / 10,
    bounded,
  };
  d.history.append(e);
  d.log.info(
    `capacity ${mode} step ${index}: ${rate} ops/s target, ${e.achievedRowsPerS} rows/s achieved, write p50/p99 ${e.latencyP50Ms}/${e.latencyP99Ms} ms, lag ${e.lagStartMs} -> ${e.lagEndMs} ms (growth ${e.lagGrowthMsPerS} ms/s)${bounded === false ? ": not sustainable" : ""}`,
  );
  return e;
}

/** Runs the ramp, then the CDC running / paused pair at the highest sustainable rate. */
export async function runCapacity(d: CapacityDeps): Promise<{ startedAt: number; endedAt: number }> {
  const c = d.config.capacity;
  const startedAt = Date.now();
  let rate = Math.min(c.startRate, c.maxRate);
  let index = 0;
  let best: CapacityStepEvent | undefined;
  let prev: CapacityStepEvent | undefined;
  for (;;) {
    d.signal.throwIfAborted();
    const e = await measure(d, index++, "ramp", rate);
    if (e.bounded === false) break;
    if (e.bounded && (!best || e.achievedRowsPerS > best.achievedRowsPerS)) best = e;
    // A higher target the primary no longer turns into more rows says nothing about the standby.
    if (primarySaturated(prev, e)) {
      d.log.info(
        `capacity: the primary is saturated (${e.achievedRowsPerS} rows/s at ${rate} ops/s, ${prev?.achievedRowsPerS} at the step before); the ramp stops`,
      );
      break;
    }
    if (index >= c.maxSteps || rate >= c.maxRate) break;
    prev = e;
    rate = Math.min(c.maxRate, rate * c.factor);
  }
  // The overhead pair at the highest sustainable rate (the first step's when none was).
  const at = best?.targetOpsPerS ?? Math.min(c.startRate, c.maxRate);
  d.signal.throwIfAborted();
  await measure(d, index++, "cdc-running", at);
  if (!d.backend.pauseCdc || !d.backend.resumeCdc) {
    d.log.warn(`capacity: backend ${d.backend.info.name} cannot pause CDC; no overhead figure`);
    return { startedAt, endedAt: Date.now() };
  }
  // Recorded as a fault: the lag check leaves the paused window to nobody's SLO, and charts mark it.
  const id = 2_000_000;
  d.history.append({ type: "fault", id, name: "pause-cdc", phase: "start", time: Date.now() });
  let paused = false;
  try {
    const ev = await d.backend.pauseCdc(d.signal);
    paused = true;
    await measure(d, index++, "cdc-paused", at);
    const back = await d.backend.resumeCdc(d.signal);
    paused = false;
    d.history.append({
      type: "fault",
      id,
      name: "pause-cdc",
      phase: "end",
      time: Date.now(),
      evidence: { ...ev, resumed: back },
    });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    if (paused) await d.backend.resumeCdc(d.signal).catch(() => {});
    d.history.append({ type: "fault", id, name: "pause-cdc", phase: "end", time: Date.now(), error });
    throw e;
  }
  await d.monitor.sampleCheckpoints(id);
  return { startedAt, endedAt: Date.now() };
}
