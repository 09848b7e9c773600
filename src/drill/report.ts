import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { combineVerdicts } from "../checkers/index.js";
import type { CheckResult, FinalState } from "../checkers/types.js";
import { type DrillReport, REPORT_SCHEMA_VERSION } from "../report/model.js";
import { redactValue } from "../report/redact.js";
import { writeReportFiles } from "../report/write.js";
import { toolVersion } from "../util/version.js";
import type { PhaseRecord, PhaseStop } from "./phase.js";

/** The final state the checkers read, saved so `check RUN_DIR` can re-run them later. */
export const FINAL_STATE_FILE = "final-state.json";

export interface ReportInput {
  startedAt: number;
  /** A drill's seed; absent for verify (nothing was generated). */
  seed?: number;
  mode: DrillReport["mode"];
  profile: string | null;
  backend: DrillReport["backend"];
  checks: CheckResult[];
  metrics: DrillReport["metrics"];
  /** Why the run stopped before its checks could decide: a cancellation or a harness error. */
  stop?: PhaseStop;
  phases?: PhaseRecord[];
  replayCommand?: string;
  /** Scenarios switchover and failover: the scenario and its step timeline. */
  scenario?: string;
  steps?: DrillReport["steps"];
  /** Scenario seed: the backup point per channel and the rows seeded. */
  seeding?: DrillReport["seeding"];
}

/** Metrics of a run without a workload (verify): only what a comparison measures, nothing invented. */
export function comparisonMetrics(final: FinalState): DrillReport["metrics"] {
  return {
    rowsCompared: final.collections.reduce((n, c) => n + c.rowsCompared, 0),
    collectionsCompared: final.collections.filter((c) => c.source.reachable && c.target.reachable).length,
  };
}

/**
 * The one place a report's verdict is decided from its checks and how the run stopped:
 * cancelled -> unknown (nothing was proved either way); a harness error -> error, unless a check
 * already failed (a proven violation outranks a harness problem); otherwise the checks combined.
 */
export function buildReport(i: ReportInput): DrillReport {
  const combined = combineVerdicts(i.checks);
  let verdict: DrillReport["verdict"] = combined;
  const extra: Partial<DrillReport> = {};
  if (i.stop?.cancelled) {
    verdict = "unknown";
    extra.reason = i.stop.message;
  } else if (i.stop) {
    verdict = combined === "fail" ? "fail" : "error";
    extra.error = { phase: i.stop.phase, message: i.stop.message };
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "milvus-cdc-drill", version: toolVersion() },
    verdict,
    startedAt: i.startedAt,
    finishedAt: Date.now(),
    mode: i.mode,
    ...(i.seed !== undefined ? { seed: i.seed } : {}),
    profile: i.profile,
    backend: i.backend,
    ...extra,
    checks: i.checks,
    metrics: i.metrics,
    ...(i.phases ? { phases: i.phases } : {}),
    files: [],
    ...(i.replayCommand ? { replayCommand: i.replayCommand } : {}),
    ...(i.scenario && i.scenario !== "replication"
      ? { scenario: i.scenario, ...(i.scenario !== "capacity" ? { steps: i.steps ?? [] } : {}) }
      : {}),
    ...(i.seeding ? { seeding: i.seeding } : {}),
  };
}

/**
 * Writes final-state.json and every rendering of the report into the run directory; returns the
 * report with its file list. Secrets are masked in every file.
 */
export async function writeRunFiles(
  report: DrillReport,
  outDir: string,
  o: { final: FinalState; secrets: readonly string[]; files?: string[] },
): Promise<DrillReport> {
  await writeFile(join(outDir, FINAL_STATE_FILE), `${JSON.stringify(redactValue(o.final, o.secrets))}\n`);
  const files = o.files ?? [FINAL_STATE_FILE];
  if (!files.includes(FINAL_STATE_FILE)) files.push(FINAL_STATE_FILE);
  const withFiles = { ...report, files };
  withFiles.files = await writeReportFiles(withFiles, outDir, { secrets: o.secrets });
  return withFiles;
}
