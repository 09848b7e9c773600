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
 * | an error nothing caught    | printed with its stack; the AbortSignal fires with an InternalError: the drill tears down and reports (`unknown`, "internal error in <phase>: ..."); exit 3 |
 *
 * Without the last row such an error ends the process on the spot (Node's default): no teardown, no
 * report, and the run directory holds a history cut off mid-write.
 */
import { EXIT, exitCodeOfSignal, InternalError } from "./errors.js";

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
  let crashed = false;
  const crash = (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(
      `internal error (a bug in the drill, please report it): ${err.stack ?? err.message}\n`,
    );
    // Whatever the command's own outcome, the process says a harness error happened (once is enough).
    if (!crashed) {
      crashed = true;
      process.once("exit", () => {
        process.exitCode = EXIT.harness;
      });
    }
    // Cleanup may cascade into more such errors: they are printed, the first one stops the drill.
    if (!ctl.signal.aborted) ctl.abort(new InternalError(err.message));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  return {
    signal: ctl.signal,
    release() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
      process.off("uncaughtException", crash);
      process.off("unhandledRejection", crash);
    },
  };
}
