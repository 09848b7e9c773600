/**
 * Runs one Milvus Lite server for its parent and makes sure it never outlives the parent: when the IPC
 * channel closes (the parent exited, crashed or was SIGKILLed) the server's whole process group is killed.
 * Usage (forked with IPC): watchdog.js BIN DATA_DIR PORT LOG_FILE
 */
import { spawn } from "node:child_process";
import { openSync } from "node:fs";

const [bin, dataDir, port, logFile] = process.argv.slice(2);
if (!bin || !dataDir || !port || !logFile || !process.send) {
  console.error("watchdog: usage (forked with IPC): watchdog BIN DATA_DIR PORT LOG_FILE");
  process.exit(2);
}

const out = openSync(logFile, "a");
// Its own process group, so the kill reaches anything Milvus Lite itself starts.
const child = spawn(bin, ["server", "--data-dir", dataDir, "--host", "127.0.0.1", "--port", port], {
  detached: true,
  stdio: ["ignore", out, out],
});

let stopping = false;
function killGroup(signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  killGroup("SIGTERM");
  // Milvus Lite drains for up to 5 s on a polite signal: the lab does not wait that long.
  setTimeout(() => killGroup("SIGKILL"), 2_000).unref();
}

child.on("spawn", () => process.send?.({ type: "started", pid: child.pid }));
child.on("error", (e) => {
  process.send?.({ type: "error", message: e.message });
  process.exit(1);
});
child.on("exit", (code, signal) => {
  // Make sure no straggler of the group survives its leader.
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
// Belt and braces: if the parent vanished without the channel noticing, we are re-parented.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1_000).unref();
