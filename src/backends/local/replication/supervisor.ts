/**
 * Keeps one replicator child process running, the way a Kubernetes Deployment keeps the CDC pod running:
 * when the child dies (killed or crashed) a new one starts after restartDelayMs. kill() is the drill's
 * "kill the CDC node" fault: SIGKILL at that instant, mid-stream, and wait for the replacement.
 */
import { type ChildProcess, fork } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { nodeEntry } from "../processes/node-child.js";
import {
  GENERATION_ENV,
  OPTIONS_ENV,
  parseReplicatorOptions,
  type ReplicatorChildMessage,
  type ReplicatorOptions,
} from "./replicator.js";

export type { LocalFaultMode } from "../faults/faults.js";
export type { ReplicatorOptions } from "./replicator.js";

export interface SupervisorTuning {
  /** How long a new child may take to report ready (tsx compiles on first start). */
  readyTimeoutMs?: number;
  /** How long stop() waits for a graceful exit before SIGKILL. */
  stopGraceMs?: number;
}

interface PendingRestart {
  killedAt: number;
  resolve: (r: { killedAt: number; restartedAt: number }) => void;
  reject: (e: Error) => void;
}

export class ReplicatorSupervisor {
  readonly restarts: Array<{ killedAt: number; restartedAt: number }> = [];
  private readonly opts: ReplicatorOptions;
  private readonly readyTimeoutMs: number;
  private readonly stopGraceMs: number;
  private child: ChildProcess | undefined;
  private generation = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private pending: PendingRestart[] = [];
  /** When the current outage began (the child's death), for the restart record. */
  private downSince: number | undefined;
  private crashStreak = 0;

  constructor(opts: ReplicatorOptions, tuning: SupervisorTuning = {}) {
    this.opts = parseReplicatorOptions(opts);
    this.readyTimeoutMs = tuning.readyTimeoutMs ?? 60_000;
    this.stopGraceMs = tuning.stopGraceMs ?? 3000;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves when the first child reports ready. */
  async start(): Promise<void> {
    if (this.child || this.stopping) throw new Error("ReplicatorSupervisor.start: already started");
    try {
      mkdirSync(dirname(this.opts.logFile), { recursive: true });
    } catch (e) {
      throw new Error(
        `replicator logFile ${this.opts.logFile}: cannot create its folder (${(e as Error).message})`,
      );
    }
    try {
      await this.spawn();
    } catch (e) {
      // A child that cannot start the first time is a configuration or environment error: do not loop.
      await this.stop();
      throw e;
    }
  }

  /** SIGKILL now; resolves once the restarted child is up again. */
  kill(): Promise<{ killedAt: number; restartedAt: number }> {
    const child = this.child;
    if (this.stopping) return Promise.reject(new Error("ReplicatorSupervisor.kill: supervisor is stopped"));
    const killedAt = Date.now();
    const limit = this.opts.restartDelayMs + this.readyTimeoutMs + 5000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = this.pending.filter((p) => p !== entry);
        reject(new Error(`timed out after ${limit} ms waiting for the replicator to restart after SIGKILL`));
      }, limit);
      const entry: PendingRestart = {
        killedAt,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.pending.push(entry);
      // No child right now (between a crash and its restart): the kill joins that restart.
      if (child && child.exitCode === null && child.signalCode === null) {
        this.downSince = killedAt;
        child.kill("SIGKILL");
      }
    });
  }

  /** No restart; the child is gone when this resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const waiting = this.pending;
    this.pending = [];
    for (const p of waiting)
      p.reject(new Error("the supervisor was stopped before the replicator restarted"));
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const within = (ms: number) =>
      Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    child.kill("SIGTERM");
    if (await within(this.stopGraceMs)) return;
    child.kill("SIGKILL");
    if (!(await within(5000)))
      throw new Error(`replicator pid ${child.pid} did not exit within 5000 ms of SIGKILL`);
  }

  private spawn(): Promise<void> {
    const { file, execArgv } = nodeEntry("replicator-main", import.meta.url);
    const logFd = openSync(this.opts.logFile, "a");
    let child: ChildProcess;
    try {
      child = fork(file, [], {
        execArgv,
        env: {
          ...process.env,
          [OPTIONS_ENV]: JSON.stringify(this.opts),
          [GENERATION_ENV]: String(this.generation),
        },
        // The child's own crashes (stack traces) land in the same log file as its log lines.
        stdio: ["ignore", logFd, logFd, "ipc"],
      });
    } finally {
      closeSync(logFd);
    }
    this.child = child;
    this.generation += 1;
    return new Promise((resolve, reject) => {
      let settled = false;
      let ready = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        settle(
          new Error(
            `timed out after ${this.readyTimeoutMs} ms waiting for the replicator (pid ${child.pid}) to report ready; see ${this.opts.logFile}`,
          ),
        );
        child.kill("SIGKILL");
      }, this.readyTimeoutMs);
      // A child that cannot be spawned or signalled reports it as an 'error' event; unheard, that event
      // would be thrown and end the drill without teardown. Its exit (if it ran) follows as usual.
      child.on("error", (e) => settle(new Error(`replicator process: ${e.message}`)));
      child.on("message", (m: ReplicatorChildMessage) => {
        if (m?.type === "ready") {
          ready = true;
          settle();
        } else if (m?.type === "fatal") settle(new Error(`replicator failed to start: ${m.message}`));
      });
      child.once("exit", (code, signal) => {
        settle(
          new Error(
            `replicator (pid ${child.pid}) exited before it was ready (${signal ?? `code ${code}`}); see ${this.opts.logFile}`,
          ),
        );
        if (!ready) this.crashStreak += 1;
        this.onExit(child);
      });
    });
  }

  private onExit(child: ChildProcess): void {
    if (this.child !== child) return;
    if (this.stopping) return;
    this.downSince ??= Date.now();
    // Back off when children die right away (CrashLoopBackOff), but never below the configured delay.
    const delay = Math.min(
      this.opts.restartDelayMs * 2 ** this.crashStreak,
      Math.max(this.opts.restartDelayMs, 10_000),
    );
    this.restartTimer = setTimeout(() => this.restart(), delay);
  }

  private restart(): void {
    this.restartTimer = undefined;
    if (this.stopping) return;
    this.spawn().then(
      () => {
        if (this.stopping) return;
        this.crashStreak = 0;
        const restartedAt = Date.now();
        const killedAt = this.downSince ?? restartedAt;
        this.downSince = undefined;
        this.restarts.push({ killedAt, restartedAt });
        const waiting = this.pending;
        this.pending = [];
        for (const p of waiting) p.resolve({ killedAt: p.killedAt, restartedAt });
      },
      () => {
        // The failed child's exit handler has already scheduled the next attempt.
      },
    );
  }
}
