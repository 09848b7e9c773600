import type { Backend, Logger } from "../../backends/types.js";
import type { DrillConfig } from "../../config/schema.js";
import type { HistoryWriter } from "../../history/writer.js";
import { Monitor } from "../../monitor/monitor.js";
import { Nemesis } from "../../nemesis/nemesis.js";
import { runCapacity } from "../capacity.js";
import { type DrillContext, need } from "../context.js";
import { type Phase, PhaseError } from "../phase.js";
import { losePrimary, watchForLoss } from "../role-change.js";

/** The seeded workload, with the nemesis killing CDC and the monitor measuring lag while it runs. */
export const workload: Phase<DrillContext> = {
  name: "workload",
  title: "Workload and faults",
  async run(ctx, signal) {
    const { config, history, planner, log } = ctx;
    const backend = need(ctx.backend, "the backend");
    const runner = need(ctx.workload, "the workload runner");
    const upgrade = upgradePlan(config);
    if (upgrade && !backend.upgrade) throw new Error(`backend ${backend.info.name} cannot upgrade Milvus`);
    const mon = new Monitor(
      need(ctx.source, "the source client"),
      need(ctx.target, "the target client"),
      need(ctx.pair, "the cluster pair"),
      planner,
      history,
      {
        heartbeatIntervalMs: config.monitor.heartbeatIntervalMs,
        probeIntervalMs: config.monitor.probeIntervalMs,
        probeKeys: config.monitor.probeKeys,
        readTimeoutMs: 5_000,
      },
      config.seed,
    );
    ctx.monitor = mon;
    const kill = config.faults.killCdc;
    const schedule =
      kill.everyMs && kill.times > 0
        ? { kind: "every" as const, everyMs: kill.everyMs, times: kill.times }
        : { kind: "at" as const, fractions: kill.at };
    const nem = new Nemesis(
      backend,
      history,
      "kill-cdc",
      schedule,
      { around: (id) => mon.sampleCheckpoints(id) },
      signal,
    );
    ctx.nemesis = nem;

    mon.start();
    await mon.sampleCheckpoints();
    nem.start();
    // The upgrade gate: both clusters are upgraded while the workload runs; the drill's checks
    // then say whether replication survived it. Recorded like a fault, so lag and reports show it.
    // Settled into a value at once: a failure while the workload still runs must not go unhandled.
    const upgrading: Promise<unknown> = upgrade
      ? runUpgrade(backend, upgrade, history, log, signal).then(
          () => null,
          (e: unknown) => e,
        )
      : Promise.resolve(null);
    // Failover: the primary is lost while writes are still going (once the CDC kills have healed).
    const ended = { ended: false };
    const lossError =
      config.scenario === "failover"
        ? watchForLoss({
            runner,
            history,
            workloadEnded: ended,
            healWaitMs: config.thresholds.recoveryTimeoutMs,
            signal,
          })
            .then(() => losePrimary(backend, { runner, nemesis: nem, monitor: mon, history, log }))
            .then(() => ctx.source?.closeConnection())
            // Settled at once: a loss that fails while the workload still runs must not go unhandled.
            .then(
              () => null,
              (e: unknown) => e,
            )
        : undefined;
    // Scenario capacity: the write rate steps up window by window instead of one workload run.
    const w =
      config.scenario === "capacity"
        ? await runCapacity({ config, backend, runner, monitor: mon, history, log, signal })
        : await runner.runWorkload();
    ended.ended = true;
    const upgradeError = await upgrading;
    if (upgradeError) throw upgradeError;
    // A workload that ended before the loss still loses its primary now: the scenario needs it.
    const lost = await lossError;
    if (lost) throw lost;
    await nem.stop();
    ctx.workloadWindow = w;
    log.info(
      // Outcome counts are the report's (one number per fact, from the history); here only progress.
      `${runner.opsDone} workload ops, ${nem.faultsInjected} fault(s) in ${((w.endedAt - w.startedAt) / 1000).toFixed(1)} s`,
    );
  },
};

function upgradePlan(config: DrillConfig): { from: string; to: string } | null {
  const k = config.backend.kind;
  return config.backend.type === "kind" && k.upgradeFrom && k.upgradeTo
    ? { from: k.upgradeFrom, to: k.upgradeTo }
    : null;
}

/** Upgrade both clusters (standby first, then primary: the backend's order) and record it in the history. */
async function runUpgrade(
  backend: Backend,
  plan: { from: string; to: string },
  history: HistoryWriter,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  // Ids far from the nemesis' 1, 2, 3... so the two never pair each other's events.
  const id = 1_000_000;
  const name = `upgrade ${plan.from} -> ${plan.to}`;
  history.append({
    type: "fault",
    id,
    name: "upgrade",
    phase: "start",
    time: Date.now(),
    evidence: { from: plan.from, to: plan.to },
  });
  try {
    const evidence = await (backend.upgrade as NonNullable<Backend["upgrade"]>)(plan.from, plan.to, signal);
    history.append({ type: "fault", id, name: "upgrade", phase: "end", time: Date.now(), evidence });
    log.info(`${name}: done`);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    history.append({ type: "fault", id, name: "upgrade", phase: "end", time: Date.now(), error });
    // A failed upgrade leaves the clusters in an unknown state: nothing after it would be meaningful.
    throw new PhaseError("upgrade", `${name} failed: ${error}`);
  }
}
