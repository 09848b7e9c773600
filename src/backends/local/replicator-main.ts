/**
 * Entry of the replicator child process. Options come as JSON in the environment variable
 * MILVUS_CDC_REPLICATOR_OPTIONS (not argv: argv is visible to every user through `ps`, and the options
 * may hold the target's token), or as the first argument when run by hand.
 * The child exits when the IPC channel to its parent closes, so it never outlives the supervisor.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  GENERATION_ENV,
  OPTIONS_ENV,
  parseReplicatorOptions,
  type ReplicatorChildMessage,
  redactOptions,
  runReplicator,
} from "./replicator.js";

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
  mkdirSync(dirname(opts.logFile), { recursive: true });
  // Synchronous appends: a SIGKILL must not swallow the last lines before it.
  const log = (m: string) =>
    appendFileSync(opts.logFile, `${new Date().toISOString()} [pid ${process.pid}] ${m}\n`);
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
    onReady: () => process.send?.({ type: "ready", pid: process.pid } satisfies ReplicatorChildMessage),
  });
  process.exit(0);
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${message}\n`);
  process.send?.({ type: "fatal", message } satisfies ReplicatorChildMessage, undefined, undefined, () =>
    process.exit(1),
  );
  if (!process.send) process.exit(1);
});
