import { type DrillContext, need } from "../context.js";
import { type Phase, PhaseError } from "../phase.js";
import { type SettleMarker, waitForCatchUp } from "../settle.js";
import { waitForStandbys } from "../star.js";

/** Writes stopped: mark each collection and wait for the standby to catch up (or time out). */
export const settle: Phase<DrillContext> = {
  name: "settle",
  title: "Settle: wait for the standby to catch up",
  skip: (ctx) => (ctx.config.scenario === "failover" ? "the primary was lost (scenario failover)" : false),
  async run(ctx, signal) {
    const { config, planner, specs, log } = ctx;
    const source = need(ctx.source, "the source client");
    const runner = need(ctx.workload, "the workload runner");
    const mon = need(ctx.monitor, "the monitor");
    const window = need(ctx.workloadWindow, "the workload window");
    ctx.progress("settle");
    const settleStart = Date.now();
    // Switchover: writes stopped, from the workload's end until nothing was in flight any more.
    if (config.scenario === "switchover")
      ctx.history.append({
        type: "step",
        name: "stop-writes",
        startedAt: window.endedAt,
        time: settleStart,
        ok: true,
      });
    const markers: SettleMarker[] = [];
    for (const name of specs.keys()) {
      signal.throwIfAborted();
      const exists = await source.hasCollection({ collection_name: name }).catch(() => undefined);
      if (!exists?.value) continue;
      const op = planner.settleMarker(name);
      const done = await runner.run(op, -1);
      // In an auto-id collection the marker is the key Milvus assigned to it.
      const pk = done.assigned?.[0] ?? (op.keys[0]?.pk as string);
      if (done.type === "ok") markers.push({ collection: name, pk, ver: op.keys[0]?.ver as number });
    }
    // A star: the further standbys are waited for at the same time, for the heartbeat the first waits for.
    const extras = ctx.pair?.extraStandbys ?? [];
    // One heartbeat after the workload, the mark every standby must reach.
    let written: Promise<number> | undefined;
    const hb = () => {
      written ??= mon.writeHeartbeat().then(() => mon.lastWrittenHbSeq);
      return written;
    };
    const firstHeartbeat =
      extras.length === 0
        ? mon
        : {
            writeHeartbeat: () => hb().then(() => {}),
            readHeartbeat: () => mon.readHeartbeat(),
            get lastSeenHbSeq() {
              return mon.lastSeenHbSeq;
            },
            get lastWrittenHbSeq() {
              return mon.lastWrittenHbSeq;
            },
          };
    const [c, others] = await Promise.all([
      waitForCatchUp({
        source,
        target: need(ctx.target, "the target client"),
        monitor: firstHeartbeat,
        collections: [...specs.keys()],
        markers,
        timeoutMs: config.thresholds.catchUpTimeoutMs,
        since: window.endedAt,
        signal,
      }),
      extras.length > 0
        ? waitForStandbys({
            standbys: extras,
            source,
            written: hb,
            collections: [...specs.keys()],
            markers,
            timeoutMs: config.thresholds.catchUpTimeoutMs,
            since: window.endedAt,
            signal,
          })
        : Promise.resolve(undefined),
    ]);
    if (others) {
      ctx.standbyCatchUps = others;
      for (const o of others)
        log.info(
          o.catchUp.caughtUp
            ? `standby ${o.clusterId} caught up in ${o.catchUp.catchUpMs} ms`
            : `standby ${o.clusterId} did not catch up: ${o.catchUp.waitingFor}`,
        );
    }
    signal.throwIfAborted();
    await mon.stop();
    await mon.sampleCheckpoints();
    ctx.catchUp = c;
    log.info(c.caughtUp ? `caught up in ${c.catchUpMs} ms` : `did not catch up: ${c.waitingFor}`);
    if (config.scenario === "switchover") {
      ctx.history.append({
        type: "step",
        name: "caught-up",
        startedAt: settleStart,
        time: Date.now(),
        ok: c.caughtUp,
        ...(c.caughtUp ? {} : { error: `did not catch up: ${c.waitingFor}` }),
      });
      // Milvus's switchover waits for the tail itself; the drill will not start one it cannot finish.
      if (!c.caughtUp)
        throw new PhaseError(
          "caught-up",
          `the standby did not catch up before the switchover: ${c.waitingFor}`,
        );
      // A star: every standby, since each one is re-pointed at the new primary from where it stands.
      const behind = (others ?? []).find((o) => !o.catchUp.caughtUp);
      if (behind)
        throw new PhaseError(
          "caught-up",
          `standby ${behind.clusterId} did not catch up before the switchover: ${behind.catchUp.waitingFor}`,
        );
    }
  },
};
