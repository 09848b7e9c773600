/**
 * A `kubectl port-forward` that stays up: kubectl exits whenever the pod behind the Service is
 * replaced or the connection drops, so it is watched and restarted on the same local port, which
 * keeps the ClusterEndpoint's uri valid for the whole drill.
 */
import { freePort } from "../../util/net.js";
import type { CommandRunner, Started } from "./exec.js";
import { fmtMs } from "./exec.js";

export interface PortForwardOptions {
  runner: CommandRunner;
  kubectl: string;
  namespace: string;
  service: string;
  remotePort: number;
  /** Leading kubectl arguments: the drill's --kubeconfig and --context. */
  baseArgs?: string[];
  env?: Record<string, string>;
  warn: (m: string) => void;
  readyTimeoutMs?: number;
  restartDelayMs?: number;
  /** Give up restarting after this many restarts in a row that never became ready. */
  maxFailedRestarts?: number;
}

export class PortForward {
  private child: Started | null = null;
  private stopped = false;
  private failedInARow = 0;
  restarts = 0;
  localPort = 0;

  constructor(private readonly o: PortForwardOptions) {}

  get target(): string {
    return `svc/${this.o.service} in namespace ${this.o.namespace}`;
  }

  /** Starts the forward and resolves with the local port once kubectl says it is forwarding. */
  async start(): Promise<number> {
    this.localPort = await freePort();
    await this.launch();
    return this.localPort;
  }

  private args(): string[] {
    return [
      ...(this.o.baseArgs ?? []),
      "port-forward",
      "--address",
      "127.0.0.1",
      "-n",
      this.o.namespace,
      `svc/${this.o.service}`,
      `${this.localPort}:${this.o.remotePort}`,
    ];
  }

  private async launch(): Promise<void> {
    const child = this.o.runner.start(this.o.kubectl, this.args(), { env: this.o.env });
    this.child = child;
    const timeoutMs = this.o.readyTimeoutMs ?? 30_000;
    let seen = "";
    const ready = new Promise<"ready">((resolve) => {
      child.onStdout((t) => {
        seen += t;
        if (/Forwarding from/.test(seen)) resolve("ready");
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([ready, child.exited.then(() => "exited" as const), expired]);
    clearTimeout(timer);
    if (outcome !== "ready") {
      await child.stop();
      const why =
        outcome === "timeout"
          ? `timed out after ${fmtMs(timeoutMs)} waiting for 'Forwarding from' on port ${this.localPort}`
          : `kubectl exited before forwarding: ${child.stderrTail() || "no output"}`;
      throw new Error(`port-forward to ${this.target}: ${why}`);
    }
    this.failedInARow = 0;
    void child.exited.then(({ code, signal }) => this.onExit(child, code, signal));
  }

  private async onExit(child: Started, code: number | null, signal: string | null): Promise<void> {
    if (this.stopped || this.child !== child) return;
    this.o.warn(
      `port-forward to ${this.target} exited (${code ?? signal}): ${child.stderrTail() || "no output"}; restarting on port ${this.localPort}`,
    );
    while (!this.stopped) {
      await new Promise((r) => setTimeout(r, this.o.restartDelayMs ?? 1000));
      if (this.stopped) return;
      try {
        await this.launch();
        this.restarts++;
        return;
      } catch (e) {
        this.failedInARow++;
        const max = this.o.maxFailedRestarts ?? 30;
        this.o.warn(`${e instanceof Error ? e.message : String(e)} (attempt ${this.failedInARow}/${max})`);
        if (this.failedInARow >= max) {
          this.o.warn(`port-forward to ${this.target}: giving up after ${max} failed restarts`);
          return;
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.child?.stop();
  }
}
