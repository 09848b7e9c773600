import type { FinalState } from "../../checkers/types.js";
import { HEARTBEAT_COLLECTION } from "../../client/executor.js";
import { VER_FIELD } from "../../generator/rows.js";
import { verifyClusters } from "../../verify/verify.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";
import { doubledKeys } from "../seed.js";

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
    // Scenario seed: name the keys the standby holds twice, where count(*) says there are some.
    let seed: FinalState["seed"];
    if (ctx.config.scenario === "seed") {
      seed = { doubled: {} };
      try {
        for (const c of v.final.collections) {
          const t = c.target;
          if (!t.reachable || t.count === null || t.distinctKeys === null) continue;
          seed.doubled[c.name] =
            t.count > t.distinctKeys
              ? await doubledKeys(need(ctx.target, "the target client"), c.name, Object.keys(t.versions))
              : [];
        }
      } catch (e) {
        seed.error = e instanceof Error ? e.message : String(e);
      }
    }
    ctx.final = {
      ...v.final,
      catchUp: ctx.catchUp ?? null,
      ...(ctx.reverse ? { reverse: ctx.reverse } : {}),
      ...(seed ? { seed } : {}),
    };
  },
};
