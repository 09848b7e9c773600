/**
 * Entry of the replicator child process. Options come as JSON in the environment variable
 * MILVUS_CDC_REPLICATOR_OPTIONS (not argv: argv is visible to every user through `ps`, and the options
 * may hold the target's token), or as the first argument when run by hand.
 * The child exits when the IPC channel to its parent closes, so it never outlives the supervisor.
 */
import { appendFileSync } from "node:fs";
import {
  GENERATION_ENV,
  OPTIONS_ENV,
  parseReplicatorOptions,
  type ReplicatorChildMessage,
  redactOptions,
  runReplicator,
} from "./replicator.js";

/**
 * Tells the supervisor something, if it is still there. Once the parent has gone (cancelled, crashed)
 * a bare process.send throws or emits ERR_IPC_CHANNEL_CLOSED; losing the message is right then.
 */
function tellParent(m: ReplicatorChildMessage, then?: () => void): void {
  if (!process.send || !process.connected) {
    then?.();
    return;
  }
  process.send(m, undefined, undefined, () => then?.());
}

async function main(): Promise<void> {
  const rawText = process.env[OPTIONS_ENV] ?? process.argv[2];
  if (!rawText) throw new Error(`replicator: no options; set ${OPTIONS_ENV} to the options JSON`);
  let raw: unknown;
  try {
    raw = JSON.parse(rawText);
  } catch {
    throw new Error(`replicator: ${OPTIONS_ENV} is not valid JSON`);
  }
  const opts = parseReplicatorOptions(raw);
  const generation = Number(process.env[GENERATION_ENV] ?? "0");
  // Synchronous appends: a SIGKILL must not swallow the last lines before it. The log's directory is
  // the lab's and is never created here: a replicator that outlives a lab's cleanup would otherwise
  // bring its temp directory back. Once that directory is gone, the lines have nowhere to go.
  const log = (m: string) => {
    try {
      appendFileSync(opts.logFile, `${new Date().toISOString()} [pid ${process.pid}] ${m}\n`);
    } catch {
      // the lab's directory was removed: the lab is gone and so is anyone who would read this
    }
  };
  log(`options ${JSON.stringify(redactOptions(opts))}`);

  const stop = new AbortController();
  const shutdown = (why: string) => {
    if (stop.signal.aborted) return;
    log(`stopping: ${why}`);
    stop.abort();
    // A stuck gRPC close must not keep the process alive after its owner is gone.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  if (process.send) process.on("disconnect", () => shutdown("parent disconnected"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  await runReplicator(opts, {
    generation,
    log,
    signal: stop.signal,
    onReady: () => tellParent({ type: "ready", pid: process.pid }),
  });
  process.exit(0);
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${message}\n`);
  tellParent({ type: "fatal", message }, () => process.exit(1));
});
