import { indexHistoryFile } from "../../checkers/history-file.js";
import { runCheckers } from "../../checkers/index.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";

/**
 * The checkers: pure functions of the history and the final state. The history is read back from
 * history.jsonl as a stream, folded into the checkers' index: the same path as `check RUN_DIR`, so a
 * drill's verdicts are the ones a later re-check gives, and a soak's checks run in bounded memory.
 */
export const check: Phase<DrillContext> = {
  name: "check",
  title: "Check",
  async run(ctx) {
    await ctx.history.flush();
    ctx.historyIndex = await indexHistoryFile(ctx.history.path);
    ctx.checks = runCheckers(ctx.historyIndex, need(ctx.final, "the final state"), {
      thresholds: ctx.config.thresholds,
    });
  },
};
