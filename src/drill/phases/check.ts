import { runCheckers } from "../../checkers/index.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";

/** The checkers: pure functions of the history and the final state. */
export const check: Phase<DrillContext> = {
  name: "check",
  title: "Check",
  async run(ctx) {
    ctx.checks = runCheckers(ctx.history.events, need(ctx.final, "the final state"), {
      thresholds: ctx.config.thresholds,
    });
  },
};
