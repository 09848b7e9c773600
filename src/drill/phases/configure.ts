import { configureReplication } from "../../milvus/replicate.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";

/**
 * Apply the replicate configuration to both clusters (the same SDK call on every backend), unless the
 * backend found replication already in place (an existing pair the drill must not change). Either way the
 * report says how replication was confirmed.
 */
export const configure: Phase<DrillContext> = {
  name: "configure-replication",
  title: "Configure replication",
  // Scenario seed: the primary takes its data first; replication is configured during the workload, in
  // Milvus Backup's restore secondary order (../seed.ts).
  skip: (ctx) =>
    ctx.config.scenario === "seed"
      ? "scenario seed configures replication after the backup (workload)"
      : false,
  async run(ctx, signal) {
    const pair = need(ctx.pair, "the cluster pair");
    const details = need(ctx.backend, "the backend").info.details;
    if (pair.replication) {
      details["replication.confirmedBy"] = pair.replication.confirmedBy;
      ctx.log.info(`replication already in place: ${pair.replication.confirmedBy}`);
      return;
    }
    ctx.progress("configure");
    const r = await configureReplication(pair, { log: (m: string) => ctx.log.info(m), signal });
    details["replication.confirmedBy"] = r.confirmedBy;
  },
};
