import type { ClusterPair } from "../../backends/types.js";
import { connect } from "../../client/connect.js";
import type { CollectionSpec } from "../../generator/rows.js";
import { type DrillContext, need } from "../context.js";
import type { Phase } from "../phase.js";
import { probeStandbyWrite } from "../probes.js";

/** Standby read-only: a client write to the standby (each standby of a star) must be refused (standby-read-only checks it). */
export const probeStandby: Phase<DrillContext> = {
  name: "probe-standby",
  title: "Probe: the standby refuses client writes",
  async run(ctx, signal) {
    // After a role change the standby is whichever cluster replicates last: probe that one.
    const other = ctx.current && ctx.current.target.clusterId !== ctx.pair?.target.clusterId;
    const target = other
      ? connect((ctx.current as ClusterPair).target, { timeoutMs: 10_000 })
      : need(ctx.target, "the target client");
    const spec = ctx.config.workload.collections[0] as CollectionSpec;
    const runner = need(ctx.workload, "the workload runner");
    try {
      await probeStandbyWrite(target, ctx.history, spec, ctx.planner, runner.allocateId(), {}, signal);
    } finally {
      if (other) await target.closeConnection().catch(() => {});
    }
    // A star: every further standby must refuse client writes too, each probe naming its standby.
    for (const s of other ? [] : (ctx.pair?.extraStandbys ?? [])) {
      const client = connect(s, { timeoutMs: 10_000 });
      try {
        await probeStandbyWrite(
          client,
          ctx.history,
          spec,
          ctx.planner,
          runner.allocateId(),
          { cluster: s.clusterId },
          signal,
        );
      } finally {
        await client.closeConnection().catch(() => {});
      }
    }
  },
};
