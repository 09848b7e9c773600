import { join } from "node:path";
import type { Backend, Logger } from "../backends/types.js";
import { combineVerdicts } from "../checkers/index.js";
import { redactConfig } from "../config/load.js";
import { type DrillConfig, existingClusters } from "../config/schema.js";
import type { CollectionSpec } from "../generator/rows.js";
import { WorkloadPlanner } from "../generator/workload.js";
import { HistoryWriter } from "../history/writer.js";
import type { DrillReport } from "../report/model.js";
import type { DrillContext } from "./context.js";
import type { Phase } from "./phase.js";
import { check } from "./phases/check.js";
import { configure } from "./phases/configure.js";
import { finalRead } from "./phases/final-read.js";
import { probeStandby } from "./phases/probe-standby.js";
import { provision } from "./phases/provision.js";
import { report } from "./phases/report.js";
import { roleChange } from "./phases/role-change.js";
import { settle } from "./phases/settle.js";
import { setup } from "./phases/setup.js";
import { teardown } from "./phases/teardown.js";
import { workload } from "./phases/workload.js";
import { prepareRunDir } from "./run-dir.js";
import { PhaseRunner } from "./runner.js";
import { signalSelfAt } from "./test-hook.js";

export { FINAL_STATE_FILE } from "./report.js";

/** What a later cleanup (the Action's post step, a crashed CLI) needs to delete what the drill created. */
export interface CleanupRecord {
  backend: string;
  /** kind: the kind cluster name to delete (unless keep-cluster). */
  kindClusterName?: string;
  keep?: boolean;
}

export interface RunOptions {
  /** The run directory: history.jsonl, report.json, final-state.json, diagnostics/ go here. */
  outDir: string;
  log: Logger;
  /**
   * Aborting cancels the drill: the current phase stops, teardown runs, and the report says
   * `unknown`, "cancelled in <phase>". The process's signal owner (CLI or Action) aborts it.
   */
  signal?: AbortSignal;
  /** Called as soon as the backend has created something that must be torn down later. */
  onProvisioned?: (cleanup: CleanupRecord) => void;
  /** Live progress (phase, ops done, current lag, faults) for a terminal. */
  onProgress?: (p: { phase: string; opsDone: number; lagMs: number | null; faults: number }) => void;
  /** Called as each phase starts (tests cancel in a given phase through it). */
  onPhaseStart?: (name: string) => void;
  /** Inject a backend instead of building one from the config (tests). */
  backend?: Backend;
  /** Secrets to keep out of every file the run writes (tokens are added automatically). */
  secrets?: string[];
  /** How to re-run exactly this drill (the adapter knows the config file and flags it was given). */
  replayCommand?: string;
}

/** Milvus' answer to a client write on a standby. */
export const REPLICATE_VIOLATION = "non-replicate message cannot be received in secondary role";

/** The drill, in order. Each stops at once when the runner's signal fires. */
export const DRILL_PHASES: readonly Phase<DrillContext>[] = [
  provision,
  configure,
  setup,
  workload,
  settle,
  roleChange,
  probeStandby,
  finalRead,
  check,
];

function tokensOf(config: DrillConfig): string[] {
  const ex = config.backend.existing;
  return (ex ? existingClusters(ex) : []).map((e) => e.token).filter((t): t is string => Boolean(t));
}

/**
 * Runs one drill end to end and returns its report (also written to outDir): the drill's phases,
 * then teardown and the report, which run whatever happened before them. Never leaves processes
 * behind; never throws once the run directory exists.
 */
export async function runDrill(config: DrillConfig, opts: RunOptions): Promise<DrillReport> {
  const { log } = opts;
  await prepareRunDir(opts.outDir);
  const startedAt = Date.now();
  const history = new HistoryWriter(join(opts.outDir, "history.jsonl"));
  const specs = new Map<string, CollectionSpec>(config.workload.collections.map((c) => [c.name, c]));
  const planner = new WorkloadPlanner(config.seed, config.workload, config.workload.concurrency);
  specs.set(planner.scratchName, {
    ...(config.workload.collections[0] as CollectionSpec),
    name: planner.scratchName,
  });
  history.append({
    type: "header",
    version: 1,
    seed: config.seed,
    startedAt,
    backend: config.backend.type,
    collections: Object.fromEntries([...specs].map(([n, spec]) => [n, { shards: spec.shards ?? 1 }])),
    config: redactConfig(config),
  });

  const ctx: DrillContext = {
    config,
    opts,
    log,
    history,
    planner,
    specs,
    checks: [],
    diagnostics: false,
    progress: (phase) =>
      opts.onProgress?.({
        phase,
        opsDone: ctx.workload?.opsDone ?? 0,
        lagMs: ctx.monitor?.lastLagMs ?? null,
        faults: ctx.nemesis?.faultsInjected ?? 0,
      }),
  };
  const runner = new PhaseRunner<DrillContext>({
    log,
    signal: opts.signal,
    onPhaseStart: (name) => {
      history.append({ type: "phase", name, time: Date.now() });
      opts.onPhaseStart?.(name);
      signalSelfAt(name);
    },
    onPhaseEnd: (r) => {
      history.append({ type: "phase-end", ...r, time: Date.now() });
      if (r.outcome === "failed") log.warn(`drill stopped in phase '${r.name}': ${r.detail}`);
      if (r.outcome === "cancelled") log.warn(`drill cancelled in phase '${r.name}'`);
    },
  });

  await runner.run(DRILL_PHASES, ctx);
  let result: DrillReport | undefined;
  await runner.always(
    [
      teardown(() => runner.stop !== undefined || combineVerdicts(ctx.checks) !== "pass"),
      report({
        startedAt,
        stop: () => runner.stop,
        phases: () => [...runner.records],
        secrets: [...tokensOf(config), ...(opts.secrets ?? [])],
        done: (r) => {
          result = r;
        },
      }),
    ],
    ctx,
  );
  await history.close();
  if (!result) {
    const failed = runner.records.find((r) => r.name === "report");
    throw new Error(`could not write the report into ${opts.outDir}: ${failed?.detail ?? "unknown error"}`);
  }
  return result;
}
