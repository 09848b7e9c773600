/** Started by tests as a separate process: runs a lab, prints its pids and dirs as one JSON line, then waits to be killed. */
import { startLab } from "../../src/backends/local/lab.js";

const lab = await startLab({
  pchannels: 1,
  replicate: process.argv.includes("--replicate"),
  readyTimeoutMs: 90_000,
});
process.stdout.write(`${JSON.stringify({ pids: lab.pids(), ports: lab.ports(), root: lab.dirs.root })}\n`);
setInterval(() => {}, 60_000);
