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
    // A star: each further standby compared with the primary as the first one is (one read each).
    let star: FinalState["star"];
    // After a star's role change: the standbys as they replicate at the end.
    const extras = (ctx.current ?? ctx.pair)?.extraStandbys ?? [];
    if (extras.length > 0) {
      star = { first: pair.target.clusterId, others: [] };
      const reverseOf = (id: string) => {
        const r = ctx.standbyReverse?.find((x) => x.target === id);
        return r ? { reverse: r } : {};
      };
      for (const s of extras) {
        signal.throwIfAborted();
        const o = await verifyClusters({
          source: pair.source,
          target: s,
          collections: [...ctx.specs.keys(), HEARTBEAT_COLLECTION],
          versionField: VER_FIELD,
          searchQueries: ctx.config.search.queries,
          k: ctx.config.search.k,
          signal,
        });
        ctx.log.info(`standby ${s.clusterId}: compared ${o.rowsCompared} rows in ${o.elapsedMs} ms`);
        star.others.push({
          clusterId: s.clusterId,
          collections: o.final.collections,
          search: o.final.search,
          targetReachable: o.final.targetReachable,
          catchUp: ctx.standbyCatchUps?.find((c) => c.clusterId === s.clusterId)?.catchUp ?? null,
          ...reverseOf(s.clusterId),
        });
      }
    }
    ctx.final = {
      ...v.final,
      catchUp: ctx.catchUp ?? null,
      ...(ctx.reverse ? { reverse: ctx.reverse } : {}),
      ...(seed ? { seed } : {}),
      ...(star ? { star } : {}),
    };
  },
};
