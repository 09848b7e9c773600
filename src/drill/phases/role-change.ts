import { changesRoles } from "../../config/schema.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";
import { runRoleChange } from "../role-change.js";

/**
 * Scenarios switchover and failover: the role change and the way back (see ../role-change.ts), each
 * step timed into the history. Leaves the pair as it replicates at the end for the final read.
 */
export const roleChange: Phase<DrillContext> = {
  name: "role-change",
  title: "Role change and the way back",
  skip: (ctx) =>
    changesRoles(ctx.config.scenario) ? false : `scenario ${ctx.config.scenario} changes no roles`,
  async run(ctx, signal) {
    ctx.progress("role change");
    const r = await runRoleChange({
      config: ctx.config,
      backend: need(ctx.backend, "the backend"),
      pair: need(ctx.pair, "the cluster pair"),
      runner: need(ctx.workload, "the workload runner"),
      planner: ctx.planner,
      specs: ctx.specs,
      history: ctx.history,
      log: ctx.log,
      signal,
      oldPrimaryExec: need(ctx.exec, "the executor"),
    });
    ctx.current = r.current;
    ctx.reverse = r.reverse;
    if (r.standbyReverse) ctx.standbyReverse = r.standbyReverse;
  },
};
