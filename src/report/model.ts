import type { CheckResult, Verdict } from "../checkers/types.js";

/**
 * The drill's result: one model, rendered as report.json, junit.xml, summary.md, the CLI table and
 * the Action's outputs. Renderers only format it; none recomputes a verdict.
 * Versioned: bump REPORT_SCHEMA_VERSION on any incompatible change (schema/report.schema.json).
 */
export const REPORT_SCHEMA_VERSION = 2;

/** One phase of the drill: when it started, how long it took, how it ended. */
export interface PhaseRecord {
  name: string;
  startedAt: number;
  durationMs: number;
  outcome: "ok" | "failed" | "cancelled" | "skipped";
  /** Why it failed, was cancelled or was skipped. */
  detail?: string;
}

export interface LagStats {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Steady-state samples the percentiles are over (the lag check judges the same ones). */
  samples: number;
  /** Samples inside fault recovery windows: drawn on the chart, judged by checkpoint-recovery. */
  faultWindowSamples: number;
  /** The lag SLO the samples were judged against (charts draw it). */
  sloMs?: number;
}

/** Milvus's own lag metric as the drill scraped it, judged against the heartbeat (check lag-metric). */
export interface LagMetricStats {
  /** Scrapes that answered / failed. */
  samples: number;
  failedScrapes: number;
  /** The metric's lag (ms) over the answered scrapes with a lag series; null without any. */
  p50: number | null;
  p99: number | null;
  max: number | null;
  /** Scrapes compared with a heartbeat read, and how many of them agreed within the tolerance. */
  paired: number;
  withinTolerance: number;
  toleranceMs: number;
  graceMs: number;
  sloMs: number;
  /** Episodes longer than the grace period (the check fails on any). */
  missedAlerts: number;
  falsePages: number;
  /** The alert rule checked (PromQL, `for` the grace period). */
  alertRule: string;
}

/** One window of scenario capacity (see CapacityStepEvent in the history). */
export interface CapacityStep {
  index: number;
  mode: "ramp" | "cdc-running" | "cdc-paused";
  targetOpsPerS: number;
  startedAt: number;
  durationMs: number;
  achievedRowsPerS: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  lagStartMs: number | null;
  lagEndMs: number | null;
  lagMaxMs: number | null;
  lagGrowthMsPerS: number | null;
  bounded: boolean | null;
}

/** Scenario capacity: how much write traffic the standby absorbed, and what CDC cost the primary. */
export interface CapacityStats {
  /** The highest achieved rate (acknowledged rows/s) of a ramp step whose lag stayed bounded; null: none did. */
  sustainableRowsPerS: number | null;
  /** Why the ramp stopped: the lag kept growing, or the configured bound. */
  stoppedBy: "lag growing" | "bound" | "primary saturated";
  steps: CapacityStep[];
  /** The primary's write latency at one rate with CDC running and paused; null when CDC could not be paused. */
  primaryLatencyOverhead: {
    targetOpsPerS: number;
    runningP50Ms: number | null;
    runningP99Ms: number | null;
    pausedP50Ms: number | null;
    pausedP99Ms: number | null;
    /** running - paused (ms); positive: CDC slowed the primary. */
    p50Ms: number | null;
    p99Ms: number | null;
  } | null;
}

export interface FaultRecord {
  id: number;
  name: string;
  startedAt: number;
  endedAt: number | null;
  error?: string;
}

/** One CDC kill as checkpoint-recovery judged it. */
export interface Recovery {
  faultId: number;
  fault: string;
  startedAt: number;
  /** When the fault ended (restart done, partition/delay/pause healed); its window is startedAt..endedAt. */
  endedAt?: number | null;
  /** recovered: within the bound; late: not within it; unknown: not observable (e.g. the kill failed). */
  status: "recovered" | "late" | "unknown";
  /** When the standby's heartbeat moved past what it showed before the kill; null if not seen. */
  recoveredAt: number | null;
  /** From the restart (end of the kill) until recoveredAt. */
  recoveryMs: number | null;
  why?: string;
  /** A star: aimed at this other standby (1-based), never injected into the first: not in the figures. */
  aimedAt?: number;
}

/** One step of a role change, for the timeline (report.json, summary.md, the CLI, the lag charts). */
export interface StepTiming {
  name: string;
  startedAt: number;
  durationMs: number;
  ok: boolean;
  /** The primary's cluster id once the step was done, when the step changed it. */
  primary?: string;
  error?: string;
  /** A star's role change: the standby the step was about (repointed-write, reverse-replication). */
  standby?: string;
}

/** Scenario seed: the backup the standby was seeded from, per channel, and what the restore left. */
export interface SeedSummary {
  backup: string;
  /** The cluster backed up (the restore's source cluster id). */
  cluster: string;
  /** The backup point on each physical channel of the source (its FlushAll message). */
  points: Array<{ pchannel: string; timeTick: string; messageId: string; wallMs: number }>;
  /** Rows in the backup, and rows the standby held right after the restore. */
  rowsBackedUp: number;
  rowsSeeded: number | null;
  /** The standby's checkpoint per source channel right after the restore (null: none). */
  checkpoints: Array<{ pchannel: string; timeTick: string | null }>;
  /** Where the points came from when not from the backup's meta (existing: the standby's checkpoint). */
  pointsFrom?: string;
}

export interface DrillReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: "milvus-cdc-drill"; version: string };
  /** Combined: fail > unknown > pass. "error" when the harness itself could not run the drill. */
  verdict: Verdict | "error";
  startedAt: number;
  finishedAt: number;
  /** What produced the report: a whole drill, or `verify` of two live clusters (no history). */
  mode: "drill" | "verify";
  /** The drill's seed; absent for verify (nothing was generated). */
  seed?: number;
  profile: string | null;
  backend: { name: string; details: Record<string, string> };
  /** Set when verdict is "error": what went wrong and in which phase. */
  error?: { phase: string; message: string };
  /** Why the verdict was decided without the checks, e.g. "cancelled in workload" (verdict unknown). */
  reason?: string;
  checks: CheckResult[];
  /** The drill-only figures (lag, faults, recoveries, catch-up, ops) are absent from a verify report. */
  metrics: ReportMetrics;
  /** Role changes only: every step with its start and duration, in the order they ran. */
  steps?: StepTiming[];
  /** Scenario seed: the backup point per channel and the rows seeded (the steps are in `steps`). */
  seeding?: SeedSummary;
  /** replication, switchover or failover (absent in reports of older versions: replication). */
  scenario?: string;
  /** The drill's phases in the order they ran (absent for a report not made by a drill, e.g. verify). */
  phases?: PhaseRecord[];
  /** Files of the run directory, relative to it. */
  files: string[];
  /**
   * The exact command that replays this run (the runner knows the config file and overrides). When
   * absent, renderers rebuild one from seed, profile and backend.
   */
  replayCommand?: string;
}

/** Every figure a drill measures (what computeMetrics returns). */
export interface DrillMetrics {
  lag: LagStats;
  /** Lag over time, for the chart (downsampled to at most a few hundred points). */
  lagSeries: Array<{ t: number; lagMs: number }>;
  faults: FaultRecord[];
  recoveries: Recovery[];
  catchUpMs: number | null;
  opsPerSec: number | null;
  /** Every client op on the primary (setup, workload, settle), by outcome; the standby probe excluded. */
  ops: { ok: number; fail: number; info: number };
  rowsCompared: number;
  /** Collections read on both sides and compared. */
  collectionsCompared: number;
  /** Workload triggers (issue 23): absent when the run had none. */
  triggers?: TriggerRecord[];
  /** Role changes only (see ReportMetrics). */
  rpo?: { lostWrites: number; windowMs: number | null };
  rtoMs?: number | null;
  /** When the backend offered a metrics endpoint: Milvus's lag metric, and its series for the chart. */
  lagMetric?: LagMetricStats;
  lagMetricSeries?: Array<{ t: number; lagMs: number }>;
  /** Scenario capacity only. */
  capacity?: CapacityStats;
  /**
   * A star (topology.standbys > 1): each standby's own lag, lag series, recoveries and catch-up, by
   * cluster id, the first standby first. The top-level lag, lagSeries, recoveries and catchUpMs are the
   * first standby's (the pair's target), the same numbers as its entry here.
   */
  standbys?: Record<string, StandbyMetrics>;
}

/** One standby's figures in a star: computed as the checks judged that standby (lag, checkpoint-recovery, catch-up). */
export interface StandbyMetrics {
  lag: LagStats;
  lagSeries: Array<{ t: number; lagMs: number }>;
  recoveries: Recovery[];
  catchUpMs: number | null;
  /** Milvus's lag metric from this standby's edge's series, as lag-metric judged it; absent: never scraped. */
  lagMetric?: LagMetricStats;
}

/**
 * One workload trigger (issue 23; docs/upstream-bugs.md) as the history and the final state show it:
 * what the drill did and what that left on both sides.
 */
export interface TriggerRecord {
  /** load-release, add-field, auto-id-upserts, partition-key or dynamic-field. */
  trigger: string;
  collection: string;
  /** What the drill did: the trigger's DDL steps in order, or the collection's writes counted. */
  ran: string;
  /** Outcomes of those ops. */
  ok: number;
  fail: number;
  info: number;
  /** What it produced: the state it left, on the primary and on the standby. */
  produced: string;
}

/** A report's metrics: a verify report carries only what a comparison measures (the last two). */
export interface ReportMetrics {
  lag?: LagStats;
  lagSeries?: DrillMetrics["lagSeries"];
  faults?: FaultRecord[];
  recoveries?: Recovery[];
  catchUpMs?: number | null;
  opsPerSec?: number | null;
  ops?: DrillMetrics["ops"];
  rowsCompared: number;
  collectionsCompared: number;
  /**
   * Role changes only. lostWrites: acknowledged writes missing on the new primary; windowMs: from the
   * last acknowledged write it had to the moment the old primary was lost (or stopped taking writes).
   */
  rpo?: { lostWrites: number; windowMs: number | null };
  /** Role changes only: writes stopped / primary lost -> first write acknowledged by the new primary. */
  rtoMs?: number | null;
  /** Workload triggers (issue 23): what each did and produced; absent when the run had none. */
  triggers?: TriggerRecord[];
  lagMetric?: LagMetricStats;
  lagMetricSeries?: DrillMetrics["lagMetricSeries"];
  capacity?: CapacityStats;
  standbys?: DrillMetrics["standbys"];
}
