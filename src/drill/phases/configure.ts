import { configureReplication } from "../../milvus/replicate.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";

/** Apply the replicate configuration to both clusters (the same SDK call on every backend). */
export const configure: Phase<DrillContext> = {
  name: "configure-replication",
  title: "Configure replication",
  skip: ({ config }) =>
    config.backend.type === "existing" && config.backend.existing?.configureReplication === false
      ? "backend.existing.configureReplication is false: replication is already configured"
      : false,
  async run(ctx, signal) {
    ctx.progress("configure");
    await configureReplication(need(ctx.pair, "the cluster pair"), {
      log: (m: string) => ctx.log.info(m),
      signal,
    });
  },
};
