/**
 * Two Milvus Lite servers for tests and benchmarks, started directly (no replicator between them):
 * the caller loads both and makes them differ on purpose. stop() kills both and removes the data.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureMilvusLite } from "../../src/backends/local/processes/milvus-lite-install.js";
import { freePort } from "../../src/util/net.js";

export interface Lite {
  uri: string;
  port: number;
  proc: ChildProcess;
  dataDir: string;
}

export interface TwoLites {
  source: Lite;
  target: Lite;
  stop(): Promise<void>;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
    sock.connect(port, "127.0.0.1");
  });
}

async function startLite(bin: string, root: string, name: string, timeoutMs: number): Promise<Lite> {
  const dataDir = join(root, name);
  const port = await freePort();
  const proc = spawn(bin, ["server", "--data-dir", dataDir, "--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (proc.exitCode !== null)
      throw new Error(`milvus-lite (${name}) exited with ${proc.exitCode}: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`milvus-lite (${name}) did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { uri: `http://127.0.0.1:${port}`, port, proc, dataDir };
}

async function kill(p: ChildProcess, graceMs = 5000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGTERM");
  const timer = setTimeout(() => p.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startTwoLites(timeoutMs = 60_000): Promise<TwoLites> {
  const bin = await ensureMilvusLite();
  const root = await mkdtemp(join(tmpdir(), "mcd-verify-"));
  const started: Lite[] = [];
  // If the owner dies without calling stop(), the servers must not outlive it.
  const onExit = () => {
    for (const l of started) l.proc.kill("SIGKILL");
  };
  process.once("exit", onExit);
  try {
    const track = (l: Lite): Lite => {
      started.push(l);
      return l;
    };
    const [source, target] = await Promise.all([
      startLite(bin, root, "source", timeoutMs).then(track),
      startLite(bin, root, "target", timeoutMs).then(track),
    ]);
    return {
      source,
      target,
      stop: async () => {
        await Promise.all(started.map((l) => kill(l.proc)));
        process.off("exit", onExit);
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await Promise.allSettled(started.map((l) => kill(l.proc)));
    process.off("exit", onExit);
    await rm(root, { recursive: true, force: true });
    throw e;
  }
}
