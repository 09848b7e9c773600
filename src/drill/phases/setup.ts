import { connect } from "../../client/connect.js";
import { DrillExecutor, HEARTBEAT_COLLECTION } from "../../client/executor.js";
import { bulkImporter } from "../bulk-import.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";
import { WorkloadRunner } from "../workload.js";

/** Connect the drill's clients, create the collections and write the initial rows. */
export const setup: Phase<DrillContext> = {
  name: "setup",
  title: "Create collections and initial rows",
  async run(ctx, signal) {
    const { config, history, planner } = ctx;
    const pair = need(ctx.pair, "the cluster pair");
    ctx.progress("setup");
    ctx.source = connect(pair.source, { timeoutMs: 30_000 });
    ctx.target = connect(pair.target, { timeoutMs: 10_000 });
    const exec = new DrillExecutor(ctx.source, ctx.specs, 30_000);
    ctx.exec = exec;
    const runner = new WorkloadRunner(planner, exec, history, {
      ops: config.workload.ops,
      durationMs: config.workload.durationMs,
      targetRate: config.workload.targetRate,
      concurrency: config.workload.concurrency,
      signal,
      onProgress: (f) => {
        ctx.nemesis?.onProgress(f);
        ctx.progress("workload");
      },
    });
    ctx.workload = runner;
    if (config.workload.triggers.bulkImport && ctx.backend?.bulkImport)
      runner.importer = bulkImporter(ctx.backend, config.seed, signal, (m) => ctx.log.info(m));
    const hb = await exec.createHeartbeatCollection();
    if (hb.type !== "ok")
      throw new Error(`creating ${HEARTBEAT_COLLECTION} on the source failed: ${hb.error}`);
    for (const spec of config.workload.collections) {
      for (const action of ["create-collection", "create-index", "load"] as const) {
        signal.throwIfAborted();
        const out = await runner.run(
          { f: "ddl", action, collection: spec.name, detail: { field: "vec" } },
          -1,
        );
        if (out.type !== "ok") throw new Error(`${action} ${spec.name} on the source failed: ${out.error}`);
      }
    }
    for (const op of planner.initialBatches()) {
      signal.throwIfAborted();
      await runner.run(op, -1);
    }
    ctx.log.info(
      `${config.workload.collections.length} collection(s), ${config.workload.initialRows} initial rows each`,
    );
  },
};
