/**
 * The process's one owner of SIGINT/SIGTERM. Only the entry points install it (the CLI for the
 * commands that hold resources, the Action's main step); everything below receives its AbortSignal
 * and never listens to signals itself. Child processes' entry files (replicator, watchdog) are their
 * own processes and handle their own.
 *
 * | signal                     | effect                                                              |
 * |----------------------------|---------------------------------------------------------------------|
 * | first SIGINT or SIGTERM    | the AbortSignal fires: the drill stops its phase, tears down and reports (`unknown`, "cancelled in <phase>") |
 * | a second one, any time     | exit at once, 130 (SIGINT) or 143 (SIGTERM); local children die with their IPC channel |
 */
import { exitCodeOfSignal } from "./errors.js";

export interface SignalOwner {
  readonly signal: AbortSignal;
  /** Removes the handlers (the work is done; the default behaviour applies again). */
  release(): void;
}

export function ownSignals(onFirst: (sig: NodeJS.Signals) => void): SignalOwner {
  const ctl = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) process.exit(exitCodeOfSignal(sig));
    onFirst(sig);
    ctl.abort(new Error(`cancelled (${sig})`));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: ctl.signal,
    release() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
