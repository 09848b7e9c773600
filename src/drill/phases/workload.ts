import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { Backend, Logger } from "../../backends/types.js";
import type { DrillConfig } from "../../config/schema.js";
import { HEARTBEAT_COLLECTION } from "../../generator/reserved.js";
import type { HistoryWriter } from "../../history/writer.js";
import { Monitor } from "../../monitor/monitor.js";
import { Nemesis } from "../../nemesis/nemesis.js";
import { runCapacity } from "../capacity.js";
import { type DrillContext, need } from "../context.js";
import { type Phase, PhaseError } from "../phase.js";
import { losePrimary, timedStep, watchForLoss } from "../role-change.js";
import { SEED_AT, seedStandby } from "../seed.js";
import { hasCollection } from "../settle.js";
import type { WorkloadRunner } from "../workload.js";

/** The seeded workload, with the nemesis bringing its faults (CDC kills, restarts, partitions...) and the monitor measuring lag while it runs. */
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
    const { types, ...params } = config.faults.nemesis;
    const nem = new Nemesis(
      backend,
      history,
      types,
      schedule,
      { around: (id) => mon.sampleCheckpoints(id) },
      signal,
      params,
      // A star: faults on one standby go to topology.faultStandby, else to each standby in turn.
      { standbys: config.topology.standbys, standby: config.topology.faultStandby },
    );
    // Scenario seed: nothing replicates yet. The monitor and the CDC kills start once the standby is
    // seeded and replication configured, while the writes go on.
    const seeding = config.scenario === "seed";
    const watch = async () => {
      ctx.nemesis = nem;
      mon.start();
      await mon.sampleCheckpoints();
      nem.start();
    };
    if (!seeding) await watch();
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
            // A star: every standby's recovery is seen before the loss (checkpoint-recovery judges each).
            standbys: (ctx.pair?.extraStandbys ?? []).map((s) => s.clusterId),
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
    const seeded: Promise<unknown> = seeding
      ? untilProgress(runner, SEED_AT, ended, signal)
          .then(() =>
            seedStandby({
              backend,
              pair: need(ctx.pair, "the cluster pair"),
              sides: { source: "source", target: "target" },
              source: need(ctx.source, "the source client"),
              target: need(ctx.target, "the target client"),
              collections: [...ctx.specs.keys()],
              writeMarker: async () => {
                const name = config.workload.collections[0]?.name as string;
                const op = planner.settleMarker(name);
                const done = await runner.run(op, -1);
                if (done.type !== "ok") return undefined;
                return {
                  collection: name,
                  pk: done.assigned?.[0] ?? (op.keys[0]?.pk as string),
                  ver: op.keys[0]?.ver as number,
                };
              },
              timeoutMs: config.thresholds.catchUpTimeoutMs,
              unshownMarker: "judge",
              log,
              step: (name, fn) => timedStep(history, log, name, fn),
              name: `drill-seed-${config.seed}`,
              signal,
            }),
          )
          .then(watch)
          // Settled at once: a seeding that fails while the workload still runs must not go unhandled.
          .then(
            () => null,
            (e: unknown) => e,
          )
      : Promise.resolve(null);
    // Scenario capacity: the write rate steps up window by window instead of one workload run.
    const w =
      config.scenario === "capacity"
        ? await runCapacity({ config, backend, runner, monitor: mon, history, log, signal })
        : await runner.runWorkload();
    ended.ended = true;
    const seedError = await seeded;
    if (seedError) {
      const step = (seedError as { step?: string }).step;
      throw new PhaseError(
        step ?? "seed",
        seedError instanceof Error ? seedError.message : String(seedError),
      );
    }
    const upgradeError = await upgrading;
    if (upgradeError) throw upgradeError;
    // A workload that ended before the loss still loses its primary now: the scenario needs it.
    const lost = await lossError;
    if (lost) throw lost;
    await nem.stop();
    // A fault that restarted a cluster may have ended just now: its clients are still backing off
    // before they reconnect. Settle's first writes must not be lost to that, so wait (bounded) until
    // both clusters answer again.
    if (nem.faultsInjected > 0 && config.scenario !== "failover") {
      await waitAnswering(
        [need(ctx.source, "the source client"), need(ctx.target, "the target client")],
        config.thresholds.recoveryTimeoutMs,
        signal,
      );
    }
    ctx.workloadWindow = w;
    for (const t of runner.triggerResults) {
      const what = [t.step.detail.field, ...((t.step.detail.partitions as string[] | undefined) ?? [])]
        .filter((x) => x !== undefined)
        .join(", ");
      log.info(
        `trigger ${t.step.action} ${t.step.collection}${what ? ` (${what})` : ""}: ${t.outcome}${t.error ? ` (${t.error})` : ""}`,
      );
    }
    for (const t of runner.importResults)
      log.info(
        `trigger bulk-import ${t.op.collection} (${t.op.rows.length} rows): ${t.outcome}${t.error ? ` (${t.error})` : ""}`,
      );
    log.info(
      // Outcome counts are the report's (one number per fact, from the history); here only progress.
      `${runner.opsDone} workload ops, ${nem.faultsInjected} fault(s) in ${((w.endedAt - w.startedAt) / 1000).toFixed(1)} s`,
    );
  },
};

/** Waits until every client's cluster answers has_collection, at most timeoutMs (then says which did not). */
async function waitAnswering(clients: MilvusClient[], timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [i, c] of clients.entries()) {
    for (;;) {
      signal.throwIfAborted();
      const r = await hasCollection(c, HEARTBEAT_COLLECTION);
      if (typeof r === "boolean") break;
      if (Date.now() >= deadline)
        throw new PhaseError(
          "workload",
          `the ${i === 0 ? "primary" : "standby"} did not answer has_collection within ${timeoutMs} ms of the last fault: ${r.error}`,
        );
      await new Promise((res) => setTimeout(res, 200));
    }
  }
}

/** Resolves once the workload is past `fraction` (or has ended, or the drill is cancelled). */
async function untilProgress(
  runner: WorkloadRunner,
  fraction: number,
  ended: { ended: boolean },
  signal: AbortSignal,
): Promise<void> {
  const startedAt = Date.now();
  while (!ended.ended && !signal.aborted && runner.progress(startedAt) < fraction)
    await new Promise((r) => setTimeout(r, 20));
}

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
