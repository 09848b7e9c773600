import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  GENERATION_ENV,
  OPTIONS_ENV,
  parseReplicatorOptions,
  redactOptions,
  runReplicator
} from "./chunks/chunk-HUYQHS7B.js";
import "./chunks/chunk-KORQFNEC.js";
import "./chunks/chunk-75SGTU5M.js";
import "./chunks/chunk-5QY7ERFD.js";
import "./chunks/chunk-XXWGZQIE.js";

// src/backends/local/replication/replicator-main.ts
import { appendFileSync } from "node:fs";
function tellParent(m, then) {
  if (!process.send || !process.connected) {
    then?.();
    return;
  }
  process.send(m, void 0, void 0, () => then?.());
}
async function main() {
  const rawText = process.env[OPTIONS_ENV] ?? process.argv[2];
  if (!rawText) throw new Error(`replicator: no options; set ${OPTIONS_ENV} to the options JSON`);
  let raw;
  try {
    raw = JSON.parse(rawText);
  } catch {
    throw new Error(`replicator: ${OPTIONS_ENV} is not valid JSON`);
  }
  const opts = parseReplicatorOptions(raw);
  const generation = Number(process.env[GENERATION_ENV] ?? "0");
  const log = (m) => {
    try {
      appendFileSync(opts.logFile, `${(/* @__PURE__ */ new Date()).toISOString()} [pid ${process.pid}] ${m}
`);
    } catch {
    }
  };
  log(`options ${JSON.stringify(redactOptions(opts))}`);
  const stop = new AbortController();
  const shutdown = (why) => {
    if (stop.signal.aborted) return;
    log(`stopping: ${why}`);
    stop.abort();
    setTimeout(() => process.exit(0), 2e3).unref();
  };
  if (process.send) process.on("disconnect", () => shutdown("parent disconnected"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  await runReplicator(opts, {
    generation,
    log,
    signal: stop.signal,
    onReady: () => tellParent({ type: "ready", pid: process.pid })
  });
  process.exit(0);
}
main().catch((e) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${message}
`);
  tellParent({ type: "fatal", message }, () => process.exit(1));
});
