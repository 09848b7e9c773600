/**
 * The one error-to-exit-code table. Code below the CLI and the Action throws one of these classes
 * (or any Error); the CLI's main and the Action decide the exit code here, nowhere else.
 *
 * | what                                                         | class             | exit |
 * |--------------------------------------------------------------|-------------------|------|
 * | drill passed (or every check skipped)                        | -                 | 0    |
 * | a check failed, or could not decide (unknown, cancelled)     | -                 | 1    |
 * | bad usage, flag, config value or run directory               | UsageError        | 2    |
 * | a prerequisite is missing (Docker daemon, python3, a tool)   | EnvironmentError  | 3    |
 * | the harness could not run the drill (any other error)        | Error             | 3    |
 * | a second SIGINT / SIGTERM while the first one is handled     | -                 | 130 / 143 |
 */
import type { DrillReport } from "./report/model.js";

export const EXIT = {
  pass: 0,
  fail: 1,
  usage: 2,
  harness: 3,
} as const;

/** Bad usage or config: one line naming the input and what is allowed, before anything is provisioned. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly exitCode: number = EXIT.usage;
}

/** Something the drill needs from the machine is missing; the message names it and how to get it. */
export class EnvironmentError extends Error {
  override name = "EnvironmentError";
  readonly exitCode: number = EXIT.harness;
}

/**
 * An error that escaped every handler (an 'error' event nobody listened to, a rejection nobody
 * awaited). The signal owner aborts the drill with it, so the drill still tears down and reports
 * (verdict unknown, "internal error in <phase>"), and the process exits 3.
 */
export class InternalError extends Error {
  override name = "InternalError";
  readonly exitCode: number = EXIT.harness;
}

export function exitCodeOfError(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  return EXIT.harness;
}

/** Unknown is not a pass: it exits 1 too, so a gate never opens on it. */
export function exitCodeOf(verdict: DrillReport["verdict"]): number {
  switch (verdict) {
    case "pass":
    case "skipped":
      return EXIT.pass;
    case "error":
      return EXIT.harness;
    default:
      return EXIT.fail;
  }
}

/** The exit code of a process that gives up at once on a repeated signal (128 + the signal's number). */
export function exitCodeOfSignal(sig: NodeJS.Signals): number {
  return sig === "SIGTERM" ? 143 : 130;
}
