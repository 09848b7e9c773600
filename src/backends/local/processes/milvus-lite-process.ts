/** One Milvus Lite server, started through the watchdog so it can never outlive this process. */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as grpc from "@grpc/grpc-js";
import { freePort } from "../../../util/net.js";
import { nodeEntry } from "./node-child.js";

export interface MilvusLiteOptions {
  bin: string;
  dataDir: string;
  logFile: string;
  readyTimeoutMs?: number;
  /** Gives up waiting for readiness (and stops the server) once it fires. */
  signal?: AbortSignal;
}

async function tail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trim().split("\n").slice(-lines).join("\n");
}

export class MilvusLiteProcess {
  pid: number | undefined;
  private exited: Promise<void>;
  private exitInfo: string | undefined;

  private constructor(
    readonly address: string,
    readonly logFile: string,
    private readonly watchdog: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      watchdog.once("exit", (code, signal) => {
        this.exitInfo ??= `watchdog exited (code ${code}, signal ${signal})`;
        resolve();
      });
    });
    // An IPC failure (send to a watchdog that is exiting) is not fatal: the exit event says the rest.
    watchdog.on("error", (e) => {
      this.exitInfo ??= `watchdog channel failed: ${e.message}`;
    });
    watchdog.on(
      "message",
      (m: { type?: string; pid?: number; code?: number; signal?: string; message?: string }) => {
        if (m.type === "started") this.pid = m.pid;
        if (m.type === "exit") this.exitInfo = `Milvus Lite exited (code ${m.code}, signal ${m.signal})`;
        if (m.type === "error") this.exitInfo = `Milvus Lite could not start: ${m.message}`;
      },
    );
  }

  get watchdogPid(): number | undefined {
    return this.watchdog.pid;
  }

  static async start(opts: MilvusLiteOptions): Promise<MilvusLiteProcess> {
    mkdirSync(opts.dataDir, { recursive: true });
    let lastError: Error | undefined;
    // A port picked as free can be taken before Milvus Lite binds it: try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const { file, execArgv } = nodeEntry("watchdog", import.meta.url);
      const child = fork(file, [opts.bin, opts.dataDir, String(port), opts.logFile], {
        execArgv,
        stdio: ["ignore", "ignore", "ignore", "ipc"],
      });
      const p = new MilvusLiteProcess(`127.0.0.1:${port}`, opts.logFile, child);
      try {
        await p.waitReady(opts.readyTimeoutMs ?? 60_000, opts.signal);
        return p;
      } catch (e) {
        lastError = e as Error;
        await p.stop();
        if (opts.signal?.aborted) break;
        if (!/address already in use|bind|Failed to bind/i.test(await tail(opts.logFile, 5))) break;
      }
    }
    throw lastError ?? new Error("Milvus Lite did not start");
  }

  private async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const client = new grpc.Client(this.address, grpc.credentials.createInsecure());
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (this.exitInfo) {
          throw new Error(
            `${this.exitInfo} before it was ready on ${this.address}; last log lines:\n${await tail(this.logFile)}`,
          );
        }
        const ok = await new Promise<boolean>((resolve) => {
          client.makeUnaryRequest(
            "/milvus.proto.milvus.MilvusService/CheckHealth",
            (b: Buffer) => b,
            (b: Buffer) => b,
            Buffer.alloc(0),
            new grpc.Metadata(),
            { deadline: Date.now() + 1_000 },
            (err) => resolve(!err),
          );
        });
        if (ok) return;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for Milvus Lite to answer CheckHealth on ${this.address}; last log lines:\n${await tail(this.logFile)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      client.close();
    }
  }

  /** A lost server: SIGKILL to its process group first (no clean shutdown), then the watchdog goes. */
  async kill(): Promise<void> {
    if (this.pid !== undefined) {
      try {
        process.kill(-this.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await this.stop();
  }

  /** Stops Milvus Lite and its watchdog; resolves once the watchdog (which outlives the server) is gone. */
  async stop(): Promise<void> {
    if (this.watchdog.exitCode !== null || this.watchdog.signalCode !== null) return;
    // A killed server's watchdog exits on its own, and its channel can close between `connected` and
    // the send. Without a callback Node reports that failure as an 'error' event on the ChildProcess,
    // which with no listener ends the whole drill (an uncaught ERR_IPC_CHANNEL_CLOSED / EPIPE: seen in a
    // failover run losing its primary). Its exit is what this waits for anyway.
    if (this.watchdog.connected) this.watchdog.send("stop", (e) => void e);
    const timer = setTimeout(() => this.watchdog.kill("SIGKILL"), 5_000);
    await this.exited;
    clearTimeout(timer);
    // If the watchdog had to be killed, its child's group may still be there.
    if (this.pid !== undefined) {
      try {
        process.kill(-this.pid, "SIGKILL");
      } catch {
        // gone, as expected
      }
    }
  }
}
