import { ownSignals } from "../signals.js";

/**
 * Runs fn with an AbortSignal that fires on the first SIGINT/SIGTERM, so the drill stops and tears
 * down what it created. A second signal exits at once (the user insists).
 */
export async function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const owner = ownSignals((sig) =>
    process.stderr.write(`\n${sig}: stopping and cleaning up (send again to exit at once)\n`),
  );
  try {
    return await fn(owner.signal);
  } finally {
    owner.release();
  }
}
