/**
 * Every external command the kind and existing backends run goes through a CommandRunner, so each
 * call has a timeout, a failure names the command and the tail of its stderr, and secrets are
 * masked before anything is logged or thrown.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { formatCommand } from "../../util/shell.js";

export interface RunOptions {
  timeoutMs: number;
  /** What the call is for; a timeout says "timed out after Ns waiting for <purpose>". */
  purpose?: string;
  input?: string;
  env?: Record<string, string>;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  signal?: AbortSignal;
  /** Run through `sh -c` (only for commands the user wrote as one string). */
  shell?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  env?: Record<string, string>;
}

/** A long-running child (a port-forward). */
export interface Started {
  readonly pid: number | undefined;
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  onStdout(cb: (text: string) => void): void;
  stderrTail(): string;
  stop(): Promise<void>;
}

export interface CommandRunner {
  run(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult>;
  start(command: string, args: readonly string[], opts?: StartOptions): Started;
  /** Masks every registered secret in text. */
  redact(text: string): string;
  /** Registers a value that must never appear in logs, errors or files. */
  addSecret(value: string): void;
}

export class CommandError extends Error {
  override name = "CommandError";
  constructor(
    message: string,
    readonly command: string,
    readonly code: number | null,
    readonly stderrTail: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

const TAIL_LINES = 8;
const TAIL_CHARS = 1500;

export function tail(text: string, lines = TAIL_LINES): string {
  const t = text.trimEnd().split("\n").slice(-lines).join("\n");
  return t.length > TAIL_CHARS ? `...${t.slice(-TAIL_CHARS)}` : t;
}

export { formatCommand };

// Children are started in their own process group so a timeout can stop the whole tree (a shell
// and what it started). Groups still alive when this process exits are killed here, because Node
// gives children no parent-death signal.
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const p of liveGroups) killGroup(p, "SIGKILL");
    });
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export interface ProcessRunnerOptions {
  /** Extra environment for every command (e.g. KUBECONFIG of the drill's own cluster). */
  env?: Record<string, string>;
  secrets?: string[];
  /** Receives one line per command started (already redacted). */
  trace?: (line: string) => void;
}

export class ProcessRunner implements CommandRunner {
  private readonly secrets: string[] = [];
  constructor(private readonly options: ProcessRunnerOptions = {}) {
    for (const s of options.secrets ?? []) this.addSecret(s);
  }

  addSecret(value: string): void {
    if (value && value.length >= 3 && !this.secrets.includes(value)) this.secrets.push(value);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join("***");
    return out;
  }

  private env(extra?: Record<string, string>): NodeJS.ProcessEnv {
    return { ...process.env, ...this.options.env, ...extra };
  }

  private spawnChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv, shell: boolean) {
    const child: ChildProcess = shell
      ? spawn("sh", ["-c", command], { env, detached: true, stdio: ["pipe", "pipe", "pipe"] })
      : spawn(command, [...args], { env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    trackGroup(child.pid);
    return child;
  }

  run(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
    const shown = this.redact(opts.shell ? command : formatCommand(command, args));
    this.options.trace?.(`$ ${shown}`);
    return new Promise<RunResult>((resolve, reject) => {
      const child = this.spawnChild(command, args, this.env(opts.env), opts.shell === true);
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      let aborted = false;
      child.stdout?.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
      });
      child.stderr?.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
      });
      const stopTree = () => {
        if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stopTree();
      }, opts.timeoutMs);
      const onAbort = () => {
        aborted = true;
        stopTree();
      };
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      const finish = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        if (child.pid !== undefined) liveGroups.delete(child.pid);
      };
      child.on("error", (e: NodeJS.ErrnoException) => {
        finish();
        const why = e.code === "ENOENT" ? "not found on PATH" : e.message;
        reject(new CommandError(`${shown}: ${why}`, shown, null, "", false));
      });
      child.on("close", (code, signal) => {
        finish();
        const errTail = this.redact(tail(stderr || stdout));
        if (timedOut) {
          const waiting = opts.purpose ? ` waiting for ${opts.purpose}` : "";
          reject(
            new CommandError(
              `${shown}: timed out after ${fmtMs(opts.timeoutMs)}${waiting}${errTail ? `; last output: ${errTail}` : ""}`,
              shown,
              null,
              errTail,
              true,
            ),
          );
          return;
        }
        if (aborted) {
          reject(new CommandError(`${shown}: aborted`, shown, null, errTail, false));
          return;
        }
        const exit = code ?? (signal ? 128 : 1);
        if (exit !== 0 && !opts.allowFailure) {
          reject(
            new CommandError(
              `${shown} failed (exit ${code ?? signal}): ${errTail || "no output"}`,
              shown,
              exit,
              errTail,
              false,
            ),
          );
          return;
        }
        resolve({ code: exit, stdout, stderr });
      });
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }

  start(command: string, args: readonly string[], opts: StartOptions = {}): Started {
    this.options.trace?.(`$ ${this.redact(formatCommand(command, args))} &`);
    const child = this.spawnChild(command, args, this.env(opts.env), false);
    let stderr = "";
    const listeners: Array<(t: string) => void> = [];
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      for (const l of listeners) l(d);
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-8000);
    });
    child.stdin?.end();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on("error", (e) => {
        stderr += e.message;
        if (child.pid !== undefined) liveGroups.delete(child.pid);
        resolve({ code: null, signal: null });
      });
      child.on("close", (code, signal) => {
        if (child.pid !== undefined) liveGroups.delete(child.pid);
        resolve({ code, signal });
      });
    });
    return {
      pid: child.pid,
      exited,
      onStdout: (cb) => listeners.push(cb),
      stderrTail: () => this.redact(tail(stderr)),
      stop: async () => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
        killGroup(child.pid, "SIGTERM");
        const t = setTimeout(() => child.pid !== undefined && killGroup(child.pid, "SIGKILL"), 3000);
        await exited;
        clearTimeout(t);
      },
    };
  }
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}
