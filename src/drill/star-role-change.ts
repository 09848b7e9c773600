/**
 * Switchover and failover in a star (issue 25): one standby is promoted (topology.promote, the first by
 * default), the others are re-pointed at it, and the new topology (edges new primary -> each other
 * standby; a switchover's also -> the old primary) is applied to every cluster.
 *
 * What a re-pointed standby receives, read in Milvus's source: a target keeps one replication state per
 * source cluster, and a configuration that names another source replaces it with a fresh one (no
 * message, time tick 0) and refuses replicated messages from any other cluster (milvus-io/milvus
 * internal/streamingnode/server/wal/interceptors/replicate/replicates/impl.go@1336db9f SwitchReplicateMode,
 * secondary_state.go newSecondaryState). The new primary's CDC then asks the standby for its checkpoint
 * for the new source, gets none, and starts from the task's InitializedCheckpoint
 * (internal/cdc/replication/replicatemanager/channel_replicator.go@72dab801 getReplicateCheckpoint),
 * which is where the new primary appended the AlterReplicateConfig that created the edge
 * (internal/streamingcoord/server/balancer/channel/manager.go getNewIncomingTask, a newer version than the stored 3f4c05b7; its commit was not resolved). So a
 * re-pointed standby gets every write the new primary takes after the configuration change, and nothing
 * the new primary held before it: it must hold that already. The local lab does the same
 * (front.ts freshStateOnNewSource, replicator.ts edgeStart).
 *
 * A secondary takes a new configuration only from its own primary, through CDC (streamingcoord
 * assignment.go waitUntilPrimaryChangeOrConfigurationSame). After a failover that primary is gone, so
 * each other standby is first force-promoted (detached, standalone, taking no client writes from the
 * drill), then given the new topology, which makes it the new primary's secondary.
 */
import type { ClusterEndpoint, ClusterPair } from "../backends/types.js";
import { HEARTBEAT_COLLECTION } from "../client/executor.js";
import type { CollectionSpec } from "../generator/rows.js";
import { applyTopology, clientFor, configureReplication, getReplicateInfo } from "../milvus/replicate.js";
import { probeStandbyWrite } from "./probes.js";
import { restoreInto } from "./restore.js";
import {
  clusterClients,
  firstWrite,
  promoteUntilAnswered,
  type ReverseComparison,
  type RoleChangeInput,
  type RoleChangeResult,
  rebuildFromNewPrimary,
  snapshotPromoted,
  timedStep,
  verifyReverse,
  waitReplicated,
} from "./role-change.js";
import { markerSeen } from "./settle.js";

/** Each standby's replication checkpoint from the lost primary, per channel index: how far it got. */
async function positions(
  standbys: readonly ClusterEndpoint[],
  sourceId: string,
): Promise<Record<string, Array<string | null>>> {
  const out: Record<string, Array<string | null>> = {};
  await Promise.all(
    standbys.map(async (s) => {
      // One connection per standby for all its channels.
      const client = clientFor(s, 10_000);
      try {
        out[s.clusterId] = await Promise.all(
          s.pchannels.map((pch) =>
            getReplicateInfo(client, sourceId, pch, 5_000).then(
              (info) => info.timeTick,
              () => "error",
            ),
          ),
        );
      } finally {
        await client.closeConnection().catch(() => {});
      }
    }),
  );
  return out;
}

export async function runStarRoleChange(i: RoleChangeInput): Promise<RoleChangeResult> {
  const { config, history, log, runner, planner, specs, signal } = i;
  const A = i.pair.source;
  const standbys = [i.pair.target, ...(i.pair.extraStandbys ?? [])];
  const k = config.topology.promote;
  const B = standbys[k - 1];
  if (!B) throw new Error(`topology.promote ${k}: the star has ${standbys.length} standbys`);
  const others = standbys.filter((s) => s !== B);
  const collections = [...specs.keys()];
  const firstCollection = (config.workload.collections[0] as CollectionSpec).name;
  const catchUpMs = config.thresholds.catchUpTimeoutMs;
  const b = clusterClients(B, specs);
  const opened: Array<{ close: () => Promise<unknown> }> = [b];
  const cfgOpts = { timeoutMs: 120_000, log: (m: string) => log.info(m), signal };
  try {
    let repoint: (() => Promise<void>) | undefined;
    if (config.scenario === "switchover") {
      // One configuration, every cluster at once: the old primary broadcasts it to its secondaries.
      await timedStep(history, log, "role-change", async () => {
        const r = await applyTopology({ source: B, target: A, extraStandbys: others }, [A, B, ...others], {
          ...cfgOpts,
          together: true,
        });
        return {
          primary: B.clusterId,
          detail: { answeredMs: r.answeredMs, repointed: others.map((o) => o.clusterId) },
        };
      });
    } else {
      // How far each survivor got from the lost primary (the promoted standby's is gone once promoted).
      // Read until two reads agree: a batch a survivor received before the loss may still be applying.
      let before = await positions(standbys, A.clusterId);
      for (const deadline = Date.now() + catchUpMs; Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 500));
        const again = await positions(standbys, A.clusterId);
        if (JSON.stringify(again) === JSON.stringify(before)) break;
        before = again;
      }
      const aligned = others.filter(
        (o) => JSON.stringify(before[o.clusterId]) === JSON.stringify(before[B.clusterId]),
      );
      log.info(
        `survivors' checkpoints from ${A.clusterId}: ${others.length - aligned.length} of ${others.length} other standby(s) differ from ${B.clusterId}`,
      );
      await timedStep(history, log, "force-promote", async () => {
        const r = await promoteUntilAnswered(B, config.thresholds.rtoMs, log);
        return { ...r, detail: { ...r.detail, checkpointsFromLostPrimary: before } };
      });
      // The new primary's topology first, with the edges into the survivors that hold what it holds: it
      // takes writes right after, and those edges start at this configuration (before its first write).
      if (aligned.length > 0)
        await timedStep(history, log, "configure", async () => {
          const r = await applyTopology(
            { source: B, target: aligned[0] as ClusterEndpoint, extraStandbys: aligned.slice(1) },
            [B],
            { ...cfgOpts, together: false },
          );
          return {
            primary: B.clusterId,
            detail: { answeredMs: r.answeredMs, edges: aligned.map((o) => o.clusterId) },
          };
        });
      repoint = async () => {
        // What each survivor holds, before anything from the new primary reaches it (it refuses the new
        // primary's messages until it is re-pointed).
        for (const o of others) {
          const c = clusterClients(o, specs);
          try {
            await snapshotPromoted(c.client, o.clusterId, history, undefined, "repointed");
          } finally {
            await c.close().catch(() => {});
          }
        }
        // Re-point: each survivor detached from the lost primary (a diverged one wiped and given the new
        // primary's data, which takes no writes meanwhile), then the whole topology on the new primary
        // first (a diverged survivor's edge starts here, after its copy) and on each standby after it.
        await timedStep(history, log, "repoint", async () => {
          const detachedMs: Record<string, number> = {};
          const reseeded: Record<string, unknown> = {};
          for (const o of others) {
            const t0 = Date.now();
            if (aligned.includes(o)) {
              await promoteUntilAnswered(o, config.thresholds.rtoMs, log);
              detachedMs[o.clusterId] = Date.now() - t0;
              continue;
            }
            // Diverged from the new primary (it got more, or less, of the lost primary's tail): CDC from
            // the new primary carries only what it takes after the re-point, so this standby would keep
            // the difference for good. Wiped and given the new primary's data first, while nothing
            // writes to it (the drill's copy, ./restore.ts), then re-pointed like the others.
            if (!i.backend.rebuildStandby)
              throw new Error(
                `${o.clusterId} diverged from ${B.clusterId} and backend ${i.backend.info.name} cannot rebuild a standby`,
              );
            const ep = await i.backend.rebuildStandby(o.clusterId, signal);
            const fresh = clusterClients(ep, specs);
            try {
              const copied = await restoreInto({
                from: b.client,
                to: fresh.client,
                toExec: fresh.exec,
                collections: [...collections, HEARTBEAT_COLLECTION],
                keys: history.facts.writtenKeys(),
              });
              reseeded[o.clusterId] = { ...copied, ms: Date.now() - t0 };
            } finally {
              await fresh.close().catch(() => {});
            }
          }
          const r = await applyTopology(
            { source: B, target: others[0] as ClusterEndpoint, extraStandbys: others.slice(1) },
            [B, ...others],
            {
              ...cfgOpts,
              together: false,
            },
          );
          return {
            primary: B.clusterId,
            detail: {
              detachedMs,
              reseeded,
              answeredMs: r.answeredMs,
              aligned: aligned.map((o) => o.clusterId),
            },
          };
        });
      };
    }
    // The new primary takes writes: RTO ends at the first one acknowledged.
    runner.retarget(b.exec);
    const first = await timedStep(history, log, "first-write", async () => ({
      primary: B.clusterId,
      detail: await firstWrite(runner, planner, firstCollection, config.thresholds.rtoMs, signal),
    }));
    await repoint?.();
    const marker = (first.detail as { marker: Parameters<typeof markerSeen>[1] }).marker;
    // The first write shown on each re-pointed standby: the re-point carried it.
    await Promise.all(
      others.map(async (o) => {
        const c = clusterClients(o, specs);
        opened.push(c);
        await timedStep(history, log, "repointed-write", async () => {
          const deadline = Date.now() + catchUpMs;
          while (!(await markerSeen(c.client, marker))) {
            signal?.throwIfAborted();
            if (Date.now() > deadline)
              throw new Error(
                `${o.clusterId} did not show the new primary's first write (${marker.collection} key ${marker.pk}) within ${catchUpMs} ms`,
              );
            await new Promise((r) => setTimeout(r, 100));
          }
          return { primary: B.clusterId, detail: { standby: o.clusterId } };
        });
      }),
    );
    let distrusted = 0;
    await snapshotPromoted(b.client, B.clusterId, history, (c, reads) => {
      distrusted += planner.distrust(c, reads);
    });
    if (distrusted > 0)
      log.info(`${distrusted} key(s) are not as the old primary left them: written as uncertain from now on`);
    const leg = await runner.runMore(Math.max(20, Math.round((config.workload.ops ?? 200) / 2)));
    log.info(
      `${runner.opsDone} ops on the new primary ${B.clusterId} in ${((leg.endedAt - leg.startedAt) / 1000).toFixed(1)} s`,
    );

    // The way back for the old primary (a failover rebuilds it, beside the re-pointed standbys).
    const a2 = config.scenario === "failover" ? await rebuildFromNewPrimary(i, B, b.client, others) : A;
    if (config.scenario === "failover")
      // Every cluster holds the star's topology now (the re-pointed standbys took it from B's broadcast).
      await configureReplication({ source: B, target: a2, extraStandbys: others }, cfgOpts);
    const a = clusterClients(a2, specs);
    opened.push(a);
    const all = [a2, ...others];
    const reverse: ReverseComparison[] = [];
    for (const t of all) {
      const tc = t === a2 ? a : clusterClients(t, specs);
      if (t !== a2) opened.push(tc);
      await timedStep(history, log, "reverse-replication", async () => ({
        primary: B.clusterId,
        detail: {
          standby: t.clusterId,
          ...(await waitReplicated({
            runner,
            planner,
            source: b.client,
            target: tc.client,
            collections,
            timeoutMs: catchUpMs,
            signal,
          })),
        },
      }));
      reverse.push(await verifyReverse({ source: B, target: t }, [...collections, HEARTBEAT_COLLECTION]));
    }
    await probeStandbyWrite(
      a.client,
      history,
      config.workload.collections[0] as CollectionSpec,
      planner,
      runner.allocateId(),
      {
        cluster: a2.clusterId,
        purpose: "demoted",
      },
      signal,
    );
    const [toOld, ...toOthers] = reverse as [ReverseComparison, ...ReverseComparison[]];
    if (!config.switchBack)
      return {
        current: { source: B, target: a2, extraStandbys: others },
        reverse: toOld,
        standbyReverse: toOthers,
      };

    // Back to the old primary: the star as it began, every cluster told at once.
    await timedStep(history, log, "switch-back", async () => {
      const r = await applyTopology({ source: a2, target: B, extraStandbys: others }, [B, a2, ...others], {
        ...cfgOpts,
        together: true,
      });
      runner.retarget(config.scenario === "failover" ? a.exec : i.oldPrimaryExec);
      const caught: Record<string, unknown> = {};
      for (const t of [B, ...others]) {
        const tc = t === B ? b : clusterClients(t, specs);
        if (t !== B) opened.push(tc);
        caught[t.clusterId] = await waitReplicated({
          runner,
          planner,
          source: a.client,
          target: tc.client,
          collections,
          timeoutMs: catchUpMs,
          signal,
        });
      }
      return { primary: a2.clusterId, detail: { answeredMs: r.answeredMs, caughtUp: caught } };
    });
    const current: ClusterPair = { source: a2, target: B, extraStandbys: others };
    return { current, reverse: toOld, standbyReverse: toOthers };
  } finally {
    for (const c of opened) await c.close().catch(() => {});
  }
}
