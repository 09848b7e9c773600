import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { Backend, ClusterPair, Logger } from "../backends/types.js";
import { combineVerdicts, computeMetrics, runCheckers } from "../checkers/index.js";
import { computeSteps } from "../checkers/metrics.js";
import type { CatchUp, CheckResult, FinalState } from "../checkers/types.js";
import { connect } from "../client/connect.js";
import { DrillExecutor, HEARTBEAT_COLLECTION } from "../client/executor.js";
import { redactConfig } from "../config/load.js";
import type { DrillConfig } from "../config/schema.js";
import { type CollectionSpec, PK_FIELD, VER_FIELD } from "../generator/rows.js";
import { STANDBY_PROBE_KEY, WorkloadPlanner } from "../generator/workload.js";
import { HistoryWriter } from "../history/writer.js";
import { configureReplication } from "../milvus/replicate.js";
import { isSuccess } from "../milvus/status.js";
import { Monitor } from "../monitor/monitor.js";
import { Nemesis } from "../nemesis/nemesis.js";
import { type DrillReport, REPORT_SCHEMA_VERSION } from "../report/model.js";
import { writeReportFiles } from "../report/write.js";
import { toolVersion } from "../util/version.js";
import { verifyClusters } from "../verify/verify.js";
import { createBackend } from "./backends.js";
import { probeStandbyWrite } from "./probes.js";
import { losePrimary, runRoleChange, watchForLoss } from "./role-change.js";
import { type SettleMarker, waitForCatchUp } from "./settle.js";
import { WorkloadRunner } from "./workload.js";

/** What a later cleanup (the Action's post step, a crashed CLI) needs to delete what the drill created. */
export interface CleanupRecord {
  backend: string;
  /** kind: the kind cluster name to delete (unless keep-cluster). */
  kindClusterName?: string;
  keep?: boolean;
}

export interface RunOptions {
  /** The run directory: history.jsonl, report.json, final-state.json, diagnostics/ go here. */
  outDir: string;
  log: Logger;
  /** Aborting stops the workload, tears the backend down and resolves with an "error" report. */
  signal?: AbortSignal;
  /** Called as soon as the backend has created something that must be torn down later. */
  onProvisioned?: (cleanup: CleanupRecord) => void;
  /** Live progress (phase, ops done, current lag, faults) for a terminal. */
  onProgress?: (p: { phase: string; opsDone: number; lagMs: number | null; faults: number }) => void;
  /** Inject a backend instead of building one from the config (tests). */
  backend?: Backend;
  /** Secrets to keep out of every file the run writes (tokens are added automatically). */
  secrets?: string[];
  /** How to re-run exactly this drill (the adapter knows the config file and flags it was given). */
  replayCommand?: string;
}

/** The final state the checkers read, saved so `check RUN_DIR` can re-run them later. */
export const FINAL_STATE_FILE = "final-state.json";

/** Milvus' answer to a client write on a standby. */
export const REPLICATE_VIOLATION = "non-replicate message cannot be received in secondary role";

class PhaseError extends Error {
  constructor(
    readonly phase: string,
    message: string,
  ) {
    super(message);
  }
}

async function phase<T>(name: string, log: Logger, fn: () => Promise<T>): Promise<T> {
  try {
    return await log.group(name, fn);
  } catch (e) {
    if (e instanceof PhaseError) throw e;
    throw new PhaseError(name, e instanceof Error ? e.message : String(e));
  }
}

function tokensOf(config: DrillConfig): string[] {
  const ex = config.backend.existing;
  return [ex?.source.token, ex?.target.token].filter((t): t is string => Boolean(t));
}

/** Runs one drill end to end and returns its report (also written to outDir). Never leaves processes behind. */
export async function runDrill(config: DrillConfig, opts: RunOptions): Promise<DrillReport> {
  const { log, signal } = opts;
  await mkdir(opts.outDir, { recursive: true });
  const startedAt = Date.now();
  const history = new HistoryWriter(join(opts.outDir, "history.jsonl"));
  const specs = new Map<string, CollectionSpec>(config.workload.collections.map((c) => [c.name, c]));
  const planner = new WorkloadPlanner(config.seed, config.workload, config.workload.concurrency);
  specs.set(planner.scratchName, {
    ...(config.workload.collections[0] as CollectionSpec),
    name: planner.scratchName,
  });
  history.append({
    type: "header",
    version: 1,
    seed: config.seed,
    startedAt,
    backend: config.backend.type,
    collections: Object.fromEntries([...specs.keys()].map((n) => [n, { shards: 1 }])),
    config: redactConfig(config),
  });

  let backend: Backend | undefined;
  let source: MilvusClient | undefined;
  let target: MilvusClient | undefined;
  let monitor: Monitor | undefined;
  let nemesis: Nemesis | undefined;
  let runner: WorkloadRunner | undefined;
  let workloadWindow: { startedAt: number; endedAt: number } | undefined;
  let checks: CheckResult[] = [];
  let final: FinalState | undefined;
  let failure: { phase: string; message: string } | undefined;
  let backendInfo: DrillReport["backend"] = { name: config.backend.type, details: {} };
  /** The pair as it replicates at the end (changes with a role change), and the way-back comparison. */
  let current: ClusterPair | undefined;
  let reverse: FinalState["reverse"];

  const progress = (p: string) =>
    opts.onProgress?.({
      phase: p,
      opsDone: runner?.opsDone ?? 0,
      lagMs: monitor?.lastLagMs ?? null,
      faults: nemesis?.faultsInjected ?? 0,
    });

  try {
    backend =
      opts.backend ??
      (await createBackend(config, { log, runDir: opts.outDir, onCreated: opts.onProvisioned }));
    backendInfo = backend.info;
    const pair: ClusterPair = await phase("Provision clusters", log, async () => {
      progress("provision");
      const p = await (backend as Backend).provision(signal);
      // kind reports its cluster itself the moment it exists (onCreated); the others own nothing to delete later.
      if (config.backend.type !== "kind") opts.onProvisioned?.({ backend: config.backend.type });
      log.info(
        `source ${p.source.clusterId} at ${p.source.uri}; target ${p.target.clusterId} at ${p.target.uri}`,
      );
      return p;
    });
    throwIfAborted(signal);
    current = pair;

    if (config.backend.type !== "existing" || config.backend.existing?.configureReplication !== false) {
      await phase("Configure replication", log, async () => {
        progress("configure");
        await configureReplication(pair, { log: (m: string) => log.info(m) });
      });
    }
    throwIfAborted(signal);

    source = connect(pair.source, { timeoutMs: 30_000 });
    target = connect(pair.target, { timeoutMs: 10_000 });
    const exec = new DrillExecutor(source, specs, 30_000);
    runner = new WorkloadRunner(planner, exec, history, {
      ops: config.workload.ops,
      durationMs: config.workload.durationMs,
      targetRate: config.workload.targetRate,
      concurrency: config.workload.concurrency,
      signal,
      onProgress: (f) => {
        nemesis?.onProgress(f);
        progress("workload");
      },
    });
    const r = runner;

    await phase("Create collections and initial rows", log, async () => {
      progress("setup");
      history.append({ type: "phase", name: "setup", time: Date.now() });
      const hb = await exec.createHeartbeatCollection();
      if (hb.type !== "ok")
        throw new Error(`creating ${HEARTBEAT_COLLECTION} on the source failed: ${hb.error}`);
      for (const spec of config.workload.collections) {
        for (const action of ["create-collection", "create-index", "load"] as const) {
          const out = await r.run({ f: "ddl", action, collection: spec.name, detail: { field: "vec" } }, -1);
          if (out.type !== "ok") throw new Error(`${action} ${spec.name} on the source failed: ${out.error}`);
        }
      }
      for (const op of planner.initialBatches()) await r.run(op, -1);
      log.info(
        `${config.workload.collections.length} collection(s), ${config.workload.initialRows} initial rows each`,
      );
    });
    throwIfAborted(signal);

    monitor = new Monitor(
      source,
      target,
      pair,
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
    const mon = monitor;
    const kill = config.faults.killCdc;
    const schedule =
      kill.everyMs && kill.times > 0
        ? { kind: "every" as const, everyMs: kill.everyMs, times: kill.times }
        : { kind: "at" as const, fractions: kill.at };
    nemesis = new Nemesis(
      backend,
      history,
      "kill-cdc",
      schedule,
      { around: (id) => mon.sampleCheckpoints(id) },
      signal,
    );
    const nem = nemesis;

    const upgrade = upgradePlan(config);
    if (upgrade && !backend.upgrade)
      throw new PhaseError("setup", `backend ${backend.info.name} cannot upgrade Milvus`);
    workloadWindow = await phase("Workload and faults", log, async () => {
      mon.start();
      await mon.sampleCheckpoints();
      history.append({ type: "phase", name: "workload", time: Date.now() });
      nem.start();
      // The upgrade gate: both clusters are upgraded while the workload runs; the drill's checks
      // then say whether replication survived it. Recorded like a fault, so lag and reports show it.
      // Settled into a value at once: a failure while the workload still runs must not go unhandled.
      const upgrading: Promise<unknown> = upgrade
        ? runUpgrade(backend as Backend, upgrade, history, log, signal).then(
            () => null,
            (e: unknown) => e,
          )
        : Promise.resolve(null);
      // Failover: the primary is lost while writes are still going (once the CDC kills have healed).
      const lossDeadline = { ended: false };
      const losing =
        config.scenario === "failover"
          ? watchForLoss({ runner: r, history, workloadEnded: lossDeadline, signal }).then(() =>
              losePrimary(backend as Backend, { runner: r, nemesis: nem, monitor: mon, history, log }).then(
                () => source?.closeConnection(),
              ),
            )
          : undefined;
      // Settled at once: a loss that fails while the workload still runs must not go unhandled.
      const lossError = losing?.then(
        () => null,
        (e: unknown) => e,
      );
      const w = await r.runWorkload();
      lossDeadline.ended = true;
      const upgradeError = await upgrading;
      if (upgradeError) throw upgradeError;
      if (lossError) {
        // A workload that ended before the loss still loses its primary now: the scenario needs it.
        const e = await lossError;
        if (e) throw e;
      }
      await nem.stop();
      log.info(
        `${r.opsDone} ops (ok ${r.outcomes.ok}, fail ${r.outcomes.fail}, info ${r.outcomes.info}), ${nem.faultsInjected} fault(s) in ${((w.endedAt - w.startedAt) / 1000).toFixed(1)} s`,
      );
      return w;
    });
    throwIfAborted(signal);

    const catchUp: CatchUp | null =
      config.scenario === "failover"
        ? null
        : await phase("Settle: wait for the standby to catch up", log, async () => {
            progress("settle");
            const settleStart = Date.now();
            history.append({ type: "phase", name: "settle", time: settleStart });
            if (config.scenario === "switchover") {
              // Writes stopped: from the workload's end until nothing is in flight any more.
              const stopped = (workloadWindow as { endedAt: number }).endedAt;
              history.append({
                type: "step",
                name: "stop-writes",
                startedAt: stopped,
                time: settleStart,
                ok: true,
              });
            }
            const markers: SettleMarker[] = [];
            for (const name of specs.keys()) {
              const exists = await (source as MilvusClient)
                .hasCollection({ collection_name: name })
                .catch(() => undefined);
              if (!exists?.value) continue;
              const op = planner.settleMarker(name);
              if ((await r.run(op, -1)).type === "ok")
                markers.push({
                  collection: name,
                  pk: op.keys[0]?.pk as string,
                  ver: op.keys[0]?.ver as number,
                });
            }
            const c = await waitForCatchUp({
              source: source as MilvusClient,
              target: target as MilvusClient,
              monitor: mon,
              collections: [...specs.keys()],
              markers,
              timeoutMs: config.thresholds.catchUpTimeoutMs,
              since: (workloadWindow as { endedAt: number }).endedAt,
              signal,
            });
            await mon.stop();
            await mon.sampleCheckpoints();
            log.info(c.caughtUp ? `caught up in ${c.catchUpMs} ms` : `did not catch up: ${c.waitingFor}`);
            if (config.scenario === "switchover") {
              history.append({
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
            }
            return c;
          });

    if (config.scenario !== "replication") {
      const rc = await phase(
        config.scenario === "switchover" ? "Switchover and back" : "Failover and the way back",
        log,
        () =>
          runRoleChange({
            config,
            backend: backend as Backend,
            pair,
            runner: r,
            planner,
            specs,
            history,
            log,
            signal,
            oldPrimaryExec: exec,
          }),
      );
      current = rc.current;
      reverse = rc.reverse;
    }

    await phase("Probe: the standby refuses client writes", log, async () => {
      // After a role change the standby is whichever cluster replicates last: probe that one.
      const now = current ?? pair;
      const standby = now === pair ? (target as MilvusClient) : connect(now.target, { timeoutMs: 10_000 });
      try {
        await probeStandbyWrite(
          standby,
          history,
          config.workload.collections[0] as CollectionSpec,
          planner,
          r.allocateId(),
        );
      } finally {
        if (standby !== target) standby.closeConnection();
      }
    });

    final = await phase("Verify final state", log, async () => {
      progress("verify");
      history.append({ type: "phase", name: "verify", time: Date.now() });
      const v = await verifyClusters({
        source: (current ?? pair).source,
        target: (current ?? pair).target,
        collections: [...specs.keys(), HEARTBEAT_COLLECTION],
        versionField: VER_FIELD,
        searchQueries: config.search.queries,
        k: config.search.k,
      });
      log.info(`compared ${v.rowsCompared} rows in ${v.elapsedMs} ms`);
      return { ...v.final, catchUp, ...(reverse ? { reverse } : {}) };
    });
    history.append({ type: "phase", name: "done", time: Date.now() });
    checks = runCheckers(history.events, final, { thresholds: config.thresholds });
  } catch (e) {
    failure =
      e instanceof PhaseError
        ? { phase: e.phase, message: e.message }
        : { phase: signal?.aborted ? "aborted" : "run", message: e instanceof Error ? e.message : String(e) };
    log.warn(`drill stopped in phase '${failure.phase}': ${failure.message}`);
  } finally {
    await nemesis?.stop().catch(() => {});
    await monitor?.stop().catch(() => {});
    source?.closeConnection();
    target?.closeConnection();
  }

  const verdict = failure ? "error" : combineVerdicts(checks);
  let diagnostics = false;
  if (backend && (verdict !== "pass" || process.env.MILVUS_CDC_DRILL_DIAGNOSTICS === "always")) {
    await log.group("Collect diagnostics", async () => {
      const files = await (backend as Backend).collectDiagnostics(join(opts.outDir, "diagnostics"));
      log.info(`${files.length} diagnostic file(s) in ${join(opts.outDir, "diagnostics")}`);
      diagnostics = files.length > 0;
    });
  }
  if (backend) await log.group("Tear down", () => (backend as Backend).teardown());
  await history.close();

  const finalState: FinalState = final ?? {
    collections: [],
    search: [],
    catchUp: null,
    sourceReachable: false,
    targetReachable: false,
  };
  const report: DrillReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "milvus-cdc-drill", version: toolVersion() },
    verdict,
    startedAt,
    finishedAt: Date.now(),
    seed: config.seed,
    profile: config.profile,
    backend: backendInfo,
    ...(failure ? { error: failure } : {}),
    checks,
    metrics: {
      ...computeMetrics(history.events, finalState, config.thresholds),
      ...(workloadWindow && runner
        ? {
            opsPerSec:
              runner.opsDone / Math.max(0.001, (workloadWindow.endedAt - workloadWindow.startedAt) / 1000),
          }
        : {}),
      rowsCompared: finalState.collections.reduce((n, c) => n + c.rowsCompared, 0),
    },
    files: [],
    ...(opts.replayCommand ? { replayCommand: opts.replayCommand } : {}),
    ...(config.scenario !== "replication"
      ? { scenario: config.scenario, steps: computeSteps(history.events) }
      : {}),
  };
  await writeFile(join(opts.outDir, FINAL_STATE_FILE), `${JSON.stringify(finalState)}\n`);
  report.files = ["history.jsonl", FINAL_STATE_FILE, ...(diagnostics ? ["diagnostics/"] : [])];
  report.files = await writeReportFiles(report, opts.outDir, {
    secrets: [...tokensOf(config), ...(opts.secrets ?? [])],
  });
  return report;
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
  signal?: AbortSignal,
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

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new PhaseError("aborted", "the drill was interrupted");
}
