import { indexHistoryFile } from "../../checkers/history-file.js";
import { computeMetrics, computeSteps } from "../../checkers/metrics.js";
import { seedSummary } from "../../checkers/seed-alignment.js";
import type { FinalState } from "../../checkers/types.js";
import type { DrillReport } from "../../report/model.js";
import type { DrillContext } from "../context.js";
import type { Phase, PhaseRecord, PhaseStop } from "../phase.js";
import { buildReport, FINAL_STATE_FILE, writeRunFiles } from "../report.js";

/** What a drill that never read its clusters' final state saves (check RUN_DIR still works on it). */
const NO_FINAL_STATE: FinalState = {
  collections: [],
  search: [],
  catchUp: null,
  sourceReachable: false,
  targetReachable: false,
};

/**
 * Builds the report from whatever the drill got to (a cancelled or failed drill reports too) and
 * writes the run directory's files. `done` receives the report.
 */
export function report(o: {
  startedAt: number;
  stop: () => PhaseStop | undefined;
  phases: () => PhaseRecord[];
  secrets: readonly string[];
  done: (r: DrillReport) => void;
}): Phase<DrillContext> {
  return {
    name: "report",
    title: "Report",
    async run(ctx) {
      const { config, history } = ctx;
      // The check phase's index when it ran; else (the drill stopped earlier) the history as it stands.
      if (!ctx.historyIndex) await history.flush();
      const index = ctx.historyIndex ?? (await indexHistoryFile(history.path));
      const final = ctx.final ?? NO_FINAL_STATE;
      const built = buildReport({
        startedAt: o.startedAt,
        mode: "drill",
        seed: config.seed,
        profile: config.profile,
        backend: ctx.backend?.info ?? { name: config.backend.type, details: {} },
        checks: ctx.checks,
        stop: o.stop(),
        phases: o.phases(),
        // Every figure from the history and the final state, once (one number per fact).
        metrics: computeMetrics(index, final, config.thresholds),
        replayCommand: ctx.opts.replayCommand,
        scenario: config.scenario,
        steps: computeSteps(index),
        seeding: seedSummary(index),
      });
      o.done(
        await writeRunFiles(built, ctx.opts.outDir, {
          final,
          secrets: o.secrets,
          files: ["history.jsonl", FINAL_STATE_FILE, ...(ctx.diagnostics ? ["diagnostics/"] : [])],
        }),
      );
    },
  };
}
