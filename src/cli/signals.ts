import type { DrillReport } from "../report/model.js";

/**
 * Runs fn with an AbortSignal that fires on the first SIGINT/SIGTERM, so the drill stops its workload
 * and tears down what it created. A second signal exits at once (the user insists).
 */
export async function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`\n${sig}: stopping the drill and cleaning up (send again to exit at once)\n`);
      ctl.abort();
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await fn(ctl.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** 0 pass, 1 fail, 3 harness error; unknown is not a pass: it exits 1 too, so a gate never opens on it. */
export function exitCodeOf(verdict: DrillReport["verdict"]): number {
  switch (verdict) {
    case "pass":
    case "skipped":
      return 0;
    case "error":
      return 3;
    default:
      return 1;
  }
}
