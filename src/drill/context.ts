import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { Backend, ClusterPair, Logger } from "../backends/types.js";
import type { HistoryIndex } from "../checkers/history-index.js";
import type { CatchUp, CheckResult, FinalState } from "../checkers/types.js";
import type { DrillExecutor } from "../client/executor.js";
import type { DrillConfig } from "../config/schema.js";
import type { CollectionSpec } from "../generator/rows.js";
import type { WorkloadPlanner } from "../generator/workload.js";
import type { HistoryWriter } from "../history/writer.js";
import type { Monitor } from "../monitor/monitor.js";
import type { Nemesis } from "../nemesis/nemesis.js";
import type { RunOptions } from "./run.js";
import type { WorkloadRunner } from "./workload.js";

/**
 * What the phases share. Each phase fills in what later ones read (provision sets `pair`, final-read
 * sets `final`, ...); a field is absent when the phase that sets it did not run or did not finish.
 */
export interface DrillContext {
  readonly config: DrillConfig;
  readonly opts: RunOptions;
  readonly log: Logger;
  readonly history: HistoryWriter;
  readonly planner: WorkloadPlanner;
  /** Every collection the drill writes (the configured ones and the planner's scratch collection). */
  readonly specs: Map<string, CollectionSpec>;
  /** Live progress for a terminal. */
  progress(phase: string): void;

  backend?: Backend;
  pair?: ClusterPair;
  source?: MilvusClient;
  target?: MilvusClient;
  exec?: DrillExecutor;
  workload?: WorkloadRunner;
  monitor?: Monitor;
  nemesis?: Nemesis;
  workloadWindow?: { startedAt: number; endedAt: number };
  catchUp?: CatchUp;
  /** A star: each further standby's catch-up (settle), in the order of pair.extraStandbys. */
  standbyCatchUps?: Array<{ clusterId: string; catchUp: CatchUp }>;
  /** After a role change: the pair as it replicates at the end, and the way-back comparison. */
  current?: ClusterPair;
  reverse?: FinalState["reverse"];
  /** A star's role change: each re-pointed standby compared with the new primary (star-role-change.ts). */
  standbyReverse?: Array<NonNullable<FinalState["reverse"]>>;
  final?: FinalState;
  /** The history as the check phase folded it (the report's figures come from the same index). */
  historyIndex?: HistoryIndex;
  checks: CheckResult[];
  /** Whether teardown collected diagnostics into the run directory. */
  diagnostics: boolean;
}

/** The context's field, or an error naming the phase that should have set it. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not available (an earlier phase did not finish)`);
  return value;
}
