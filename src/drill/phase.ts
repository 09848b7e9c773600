import type { Logger } from "../backends/types.js";

import type { PhaseRecord } from "../report/model.js";

export type { PhaseRecord };

/** How a phase ended. `skipped`: it does not apply to this run (e.g. replication already configured). */
export type PhaseOutcome = PhaseRecord["outcome"];

/**
 * One step of the drill. `run` receives the runner's AbortSignal and must stop promptly once it
 * fires; the runner does not wait for a phase that ignores it (see PhaseRunner's grace period).
 */
export interface Phase<C> {
  /** Short id used in history.jsonl, report.json and "cancelled in <name>". */
  name: string;
  /** The log section's heading. */
  title: string;
  /** A reason to skip the phase, or false to run it. */
  skip?(ctx: C): string | false;
  run(ctx: C, signal: AbortSignal): Promise<void>;
}

/** Why the main phases stopped early. */
export interface PhaseStop {
  phase: string;
  message: string;
  cancelled: boolean;
}

export interface PhaseRunnerOptions {
  log: Logger;
  /** The process's one signal owner (CLI or Action) aborts this; the runner never listens to signals. */
  signal?: AbortSignal;
  /** Called when a phase starts, before its first await (tests cancel "in" a phase through it). */
  onPhaseStart?: (name: string) => void;
  /** Called with each phase's record as it ends. */
  onPhaseEnd?: (record: PhaseRecord) => void;
  /**
   * After a cancellation, how long a phase may take to notice before the runner moves on to the
   * always-phases (teardown) without it. Teardown then stops whatever the phase was waiting on.
   */
  graceMs?: number;
}

/** Thrown by a phase to name the step inside it that failed (e.g. the upgrade within the workload). */
export class PhaseError extends Error {
  override name = "PhaseError";
  constructor(
    readonly phase: string,
    message: string,
  ) {
    super(message);
  }
}
