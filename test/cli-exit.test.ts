/**
 * The CLI's exit codes (src/errors.ts: 0 pass, 1 fail or unknown, 2 usage/config, 3 environment or
 * harness) and the up-front checks: a bad run directory, a missing Docker daemon and a missing
 * python3 are each one line and the right code, with no run directory and nothing started.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EnvironmentError, EXIT, exitCodeOf, exitCodeOfError, UsageError } from "../src/errors.js";
import { synthesize, THRESHOLDS } from "./helpers/synthetic.js";

const ROOT = join(import.meta.dirname, "..");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

// Each case starts the CLI from source (tsx) once or twice: on a loaded 2-core machine that alone can
// take tens of seconds. The bound is a hang detector, not a speed target (those are in npm run bench).
vi.setConfig({ testTimeout: 300_000 });

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "drill-exit-"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI from source. The timeout is a hang detector (an unwritable --out once spun forever),
 * not a speed assertion.
 */
function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 150_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "src/cli/main.ts"), ...args], {
      cwd: base,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`milvus-cdc-drill ${args.join(" ")} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function oneLine(r: Result): string {
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0] as string;
}

describe("the exit-code table", () => {
  it("maps verdicts and error classes to one code each", () => {
    expect(["pass", "skipped", "fail", "unknown", "error"].map((v) => exitCodeOf(v as "pass"))).toEqual([
      EXIT.pass,
      EXIT.pass,
      EXIT.fail,
      EXIT.fail,
      EXIT.harness,
    ]);
    expect(exitCodeOfError(new UsageError("x"))).toBe(2);
    expect(exitCodeOfError(new EnvironmentError("x"))).toBe(3);
    expect(exitCodeOfError(new Error("x"))).toBe(3);
  });
});

describe("run: up-front checks", () => {
  it("a run directory that cannot be created: exit 2, one line naming it", async () => {
    for (const out of ["/proc/forbidden/dir", "/etc/hostname/run"]) {
      const r = await cli(["run", "--profile", "smoke", "--out", out]);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(new RegExp(`^milvus-cdc-drill run: run directory ${out}: `));
    }
  });

  it("kind without a Docker daemon: exit 3, one line naming Docker and how to get it, no run directory", async () => {
    const bin = join(base, "no-daemon");
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, "docker"),
      "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n",
    );
    await chmod(join(bin, "docker"), 0o755);
    const out = join(base, "kind-run");
    const r = await cli(["run", "--backend", "kind", "--profile", "smoke", "--out", out], {
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(r.code).toBe(3);
    expect(oneLine(r)).toMatch(
      /needs a running Docker daemon .*Cannot connect to the Docker daemon.*install Docker/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("kind with no docker at all: exit 3, one line", async () => {
    const bin = join(base, "only-node");
    await mkdir(bin, { recursive: true });
    await symlink(process.execPath, join(bin, "node")).catch(() => {});
    const r = await cli(["run", "--backend", "kind", "--profile", "smoke", "--out", join(base, "k2")], {
      PATH: bin,
    });
    expect(r.code).toBe(3);
    expect(oneLine(r)).toMatch(/no docker executable on PATH/);
  });

  it("local without python3 (and no Milvus Lite installed): exit 3, one line naming python3, no run directory", async () => {
    const bin = join(base, "only-node");
    await mkdir(bin, { recursive: true });
    await symlink(process.execPath, join(bin, "node")).catch(() => {});
    const out = join(base, "local-run");
    const env: Record<string, string> = { PATH: bin, MILVUS_CDC_DRILL_CACHE: join(base, "empty-cache") };
    const r = await cli(["run", "--profile", "smoke", "--out", out], {
      ...env,
      PYTHON: "",
      MILVUS_LITE_BIN: "",
    });
    expect(r.code).toBe(3);
    expect(oneLine(r)).toMatch(/needs python3 >= 3\.10.*MILVUS_LITE_BIN/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(base, "empty-cache"))).toBe(false);
  });

  it("a bad flag: exit 2, one line", async () => {
    const r = await cli(["run", "--profile", "fast"]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/fast/);
  });
});

describe("check RUN_DIR", () => {
  async function savedRun(name: string, anomaly?: "drop-ack"): Promise<string> {
    const run = synthesize({ seed: 3, anomaly });
    const dir = join(base, name);
    await mkdir(dir, { recursive: true });
    const header = {
      type: "header",
      version: 1,
      seed: 3,
      startedAt: 0,
      backend: "local",
      collections: {},
      config: { thresholds: THRESHOLDS },
    };
    const events = [header, ...run.history.filter((e) => e.type !== "header")];
    await writeFile(join(dir, "history.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    await writeFile(join(dir, "final-state.json"), JSON.stringify(run.final));
    return dir;
  }

  it("exits 0 on a run whose checks pass", async () => {
    const r = await cli(["check", await savedRun("clean"), "--json"]);
    expect(JSON.parse(r.stdout).verdict).toBe("pass");
    expect(r.code).toBe(0);
  });

  it("exits 1 on a run whose checks fail", async () => {
    const r = await cli(["check", await savedRun("lost", "drop-ack"), "--json"]);
    expect(JSON.parse(r.stdout).verdict).toBe("fail");
    expect(r.code).toBe(1);
  });

  it("exits 2 naming the directory when it is not a run directory", async () => {
    const r = await cli(["check", join(base, "nowhere")]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/nowhere.*history\.jsonl not found/);
  });
});

describe("run end to end", () => {
  it("exits 0 on a passing drill; a signal during teardown does not undo a decided verdict", async () => {
    const cfg = join(base, "tiny.yaml");
    await writeFile(cfg, "profile: smoke\nworkload:\n  initialRows: 50\n  ops: 60\n");
    const out = join(base, "pass-run");
    const r = await cli(
      ["run", "--config", cfg, "--out", out, "--seed", "7"],
      { MILVUS_CDC_DRILL_SIGNAL_AT: "teardown" },
      170_000,
    );
    const report = JSON.parse(await readFile(join(out, "report.json"), "utf8"));
    expect(report.verdict, r.stderr.slice(-2000)).toBe("pass");
    expect(report.reason).toBeUndefined();
    expect(report.phases.map((p: { name: string }) => p.name)).toEqual([
      "provision",
      "configure-replication",
      "setup",
      "workload",
      "settle",
      // Recorded as skipped: scenario replication changes no roles.
      "role-change",
      "probe-standby",
      "final-read",
      "check",
      "teardown",
    ]);
    expect(r.code).toBe(0);
  }, 200_000);
});

describe("Action main: up-front checks", () => {
  it("kind without a Docker daemon: one error line, verdict error, nothing created", async () => {
    const bin = join(base, "no-daemon-action");
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, "docker"),
      "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n",
    );
    await chmod(join(bin, "docker"), 0o755);
    const dir = await mkdtemp(join(base, "action-"));
    const workspace = join(dir, "workspace");
    await mkdir(workspace);
    const output = join(dir, "output");
    await writeFile(output, "");
    const r = await new Promise<Result>((resolve) => {
      const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "src/action/main.ts")], {
        cwd: workspace,
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          GITHUB_ACTIONS: "true",
          GITHUB_WORKSPACE: workspace,
          GITHUB_OUTPUT: output,
          GITHUB_STATE: join(dir, "state"),
          GITHUB_STEP_SUMMARY: join(dir, "summary"),
          INPUT_BACKEND: "kind",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.once("exit", (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code).toBe(1);
    const errors = r.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(errors, r.stdout).toHaveLength(1);
    expect(errors[0]).toMatch(/needs a running Docker daemon .*Cannot connect to the Docker daemon/);
    expect(await readFile(output, "utf8")).toMatch(/^verdict<<\S+\nerror\n/m);
    expect(existsSync(join(workspace, "milvus-cdc-drill-run"))).toBe(false);
  });
});
