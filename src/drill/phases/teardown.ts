import { join } from "node:path";
import type { DrillContext } from "../context.js";
import type { Phase } from "../phase.js";

/**
 * Stops the drill's own loops and clients, collects diagnostics when the drill did not pass, and
 * deletes what provision created. Runs whatever happened before it, including a cancellation.
 */
export function teardown(failed: () => boolean): Phase<DrillContext> {
  return {
    name: "teardown",
    title: "Tear down",
    async run(ctx) {
      await ctx.nemesis?.stop().catch(() => {});
      await ctx.monitor?.stop().catch(() => {});
      ctx.source?.closeConnection();
      ctx.target?.closeConnection();
      const backend = ctx.backend;
      if (!backend) return;
      if (failed() || process.env.MILVUS_CDC_DRILL_DIAGNOSTICS === "always") {
        const dir = join(ctx.opts.outDir, "diagnostics");
        const files = await backend.collectDiagnostics(dir);
        ctx.log.info(`${files.length} diagnostic file(s) in ${dir}`);
        ctx.diagnostics = files.length > 0;
      }
      await backend.teardown();
    },
  };
}
