import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);

// src/backends/local/processes/watchdog.ts
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
var [bin, dataDir, port, logFile] = process.argv.slice(2);
if (!bin || !dataDir || !port || !logFile || !process.send) {
  console.error("watchdog: usage (forked with IPC): watchdog BIN DATA_DIR PORT LOG_FILE");
  process.exit(2);
}
var out = openSync(logFile, "a");
var child = spawn(bin, ["server", "--data-dir", dataDir, "--host", "127.0.0.1", "--port", port], {
  detached: true,
  stdio: ["ignore", out, out]
});
var stopping = false;
function killGroup(signal) {
  if (child.pid === void 0) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
  }
}
function stop() {
  if (stopping) return;
  stopping = true;
  killGroup("SIGTERM");
  setTimeout(() => killGroup("SIGKILL"), 2e3).unref();
}
child.on("spawn", () => process.send?.({ type: "started", pid: child.pid }));
child.on("error", (e) => {
  process.send?.({ type: "error", message: e.message });
  process.exit(1);
});
child.on("exit", (code, signal) => {
  killGroup("SIGKILL");
  if (process.connected) process.send?.({ type: "exit", code, signal });
  process.exit(0);
});
process.on("disconnect", stop);
process.on("message", (m) => {
  if (m === "stop") stop();
});
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
var parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1e3).unref();
