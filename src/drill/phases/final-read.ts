import { HEARTBEAT_COLLECTION } from "../../client/executor.js";
import { VER_FIELD } from "../../generator/rows.js";
import { verifyClusters } from "../../verify/verify.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";

/** Read both clusters' final state: every row, schema, indexes, seeded searches. */
export const finalRead: Phase<DrillContext> = {
  name: "final-read",
  title: "Verify final state",
  async run(ctx, signal) {
    // After a role change: the pair as it replicates at the end.
    const pair = ctx.current ?? need(ctx.pair, "the cluster pair");
    ctx.progress("verify");
    const v = await verifyClusters({
      source: pair.source,
      target: pair.target,
      collections: [...ctx.specs.keys(), HEARTBEAT_COLLECTION],
      versionField: VER_FIELD,
      searchQueries: ctx.config.search.queries,
      k: ctx.config.search.k,
      signal,
    });
    ctx.log.info(`compared ${v.rowsCompared} rows in ${v.elapsedMs} ms`);
    ctx.final = {
      ...v.final,
      catchUp: ctx.catchUp ?? null,
      ...(ctx.reverse ? { reverse: ctx.reverse } : {}),
    };
  },
};
