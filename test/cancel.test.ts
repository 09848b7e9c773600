/**
 * Cancellation in every phase, through the process's one signal owner: the CLI and the Action's main
 * (run from its source entry, the bundle is rebuilt separately). The signal is sent by the drill
 * itself the moment the phase starts (MILVUS_CDC_DRILL_SIGNAL_AT, see src/drill/test-hook.ts), so no
 * test guesses with sleeps. Each run must exit within the bound, write report.json with verdict
 * unknown and "cancelled in <phase>", and leave no process and no temp directory behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRILL_PHASES } from "../src/drill/run.js";
import type { HistoryEvent } from "../src/history/types.js";
import type { DrillReport } from "../src/report/model.js";
import { processesWithEnv, waitFor } from "./helpers/wait.js";

const ROOT = join(import.meta.dirname, "..");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** The bound: from the signal to the process's exit, teardown and report included. */
const STOP_BOUND_MS = 20_000;
/** A test's own limit includes its wait for a slot behind the other overlapping runs. */
const TEST_MS = 600_000;
const TAG = "MILVUS_CDC_DRILL_TEST_TAG";
/** A smoke drill cut down so reaching the last phase stays quick; the phases are the same. */
/**
 * The runs of this file overlap, at most this many at once: each drill mostly waits on its lab, and
 * the 20 s bound is checked per run, so overlapping them shortens the file without loosening it.
 */
const PARALLEL = 3;
const slot = semaphore(PARALLEL);
const TINY =
  "profile: smoke\nworkload:\n  initialRows: 50\n  ops: 60\nthresholds:\n  catchUpTimeoutMs: 20000\n";

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "drill-cancel-"));
  await writeFile(join(base, "tiny.yaml"), TINY);
});
/** Signal-to-exit times of every run, printed once so a stress loop can see the margin to the bound. */
const stops: number[] = [];
afterAll(async () => {
  if (stops.length > 0)
    console.log(
      `cancel: ${stops.length} run(s) stopped in ${Math.min(...stops)}..${Math.max(...stops)} ms (bound ${STOP_BOUND_MS} ms)`,
    );
  await rm(base, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  exitedAt: number;
  stdout: string;
  stderr: string;
}

function start(
  args: string[],
  env: Record<string, string>,
  cwd = ROOT,
): { child: ChildProcess; exit: Promise<Exit> } {
  const child = spawn(process.execPath, ["--import", TSX, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exit = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, exitedAt: Date.now(), stdout, stderr })),
  );
  return { child, exit };
}

/** A fresh TMPDIR (so the lab's temp directory can be seen to go) and a tag to find leftover processes. */
async function sandbox(): Promise<{ dir: string; tmp: string; env: Record<string, string>; tag: string }> {
  const dir = await mkdtemp(join(base, "run-"));
  const tmp = join(dir, "tmp");
  await mkdir(tmp);
  const tag = randomUUID();
  return { dir, tmp, tag, env: { TMPDIR: tmp, [TAG]: tag } };
}

async function leftovers(box: { tmp: string; tag: string }): Promise<{ pids: number[]; tmp: string[] }> {
  // Children stopped by teardown are gone when the drill exits; give the reaper a moment.
  const pids = await waitFor(
    "the run's processes to be gone",
    async () => {
      const p = await processesWithEnv(TAG, box.tag);
      return p.length === 0 ? [] : null;
    },
    10_000,
  ).catch(async () => processesWithEnv(TAG, box.tag));
  // tsx keeps its compile cache in TMPDIR; anything else there was left by the drill.
  return { pids, tmp: (await readdir(box.tmp)).filter((f) => !f.startsWith("tsx-")) };
}

async function phaseStart(runDir: string, phase: string): Promise<number> {
  const events = (await readFile(join(runDir, "history.jsonl"), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HistoryEvent);
  const started = events.find((e) => e.type === "phase" && e.name === phase);
  if (!started || started.type !== "phase") throw new Error(`history.jsonl has no start of phase ${phase}`);
  return started.time;
}

async function expectCancelledIn(runDir: string, phase: string, exit: Exit): Promise<DrillReport> {
  const report = JSON.parse(await readFile(join(runDir, "report.json"), "utf8")) as DrillReport;
  expect(report.verdict, exit.stderr.slice(-2000)).toBe("unknown");
  expect(report.reason).toBe(`cancelled in ${phase}`);
  expect(report.phases?.find((p) => p.name === phase)?.outcome).toBe("cancelled");
  expect(report.phases?.at(-1)?.name).toBe("teardown");
  expect(report.phases?.at(-1)?.outcome).toBe("ok");
  const stopMs = exit.exitedAt - (await phaseStart(runDir, phase));
  stops.push(stopMs);
  expect(stopMs).toBeLessThan(STOP_BOUND_MS);
  return report;
}

// role-change runs only in scenarios switchover and failover: these drills (replication) skip it, so
// there is nothing to cancel in it here.
const PHASES = DRILL_PHASES.map((p) => p.name).filter((n) => n !== "role-change");

/** Runs at most `n` of the given tasks at a time, the rest in the order they asked. */
function semaphore(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let free = n;
  const queue: Array<() => void> = [];
  return async (task) => {
    if (free === 0) await new Promise<void>((r) => queue.push(r));
    else free -= 1;
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next();
      else free += 1;
    }
  };
}

/** The tiny drill through the CLI in a fresh sandbox, with the test hook set to `signalAt`. */
async function runCli(signalAt: string) {
  const box = await sandbox();
  const runDir = join(box.dir, "run");
  const started = start(["src/cli/main.ts", "run", "--config", join(base, "tiny.yaml"), "--out", runDir], {
    ...box.env,
    MILVUS_CDC_DRILL_SIGNAL_AT: signalAt,
  });
  return { box, runDir, ...started };
}

describe.concurrent("CLI: a signal in any phase", () => {
  for (const [i, phase] of PHASES.entries()) {
    // SIGINT (Ctrl-C) for most phases, SIGTERM (a CI runner's stop) for every third.
    const sig = i % 3 === 2 ? "SIGTERM" : "SIGINT";
    it(
      `${sig} when ${phase} starts: exit 1, report unknown "cancelled in ${phase}", nothing left`,
      () =>
        slot(async () => {
          const { box, runDir, exit } = await runCli(`${phase}:${sig}`);
          const done = await exit;
          expect(done.code, done.stderr.slice(-2000)).toBe(1);
          expect(done.stderr).toContain(`${sig}: stopping and cleaning up`);
          await expectCancelledIn(runDir, phase, done);
          expect(await leftovers(box)).toEqual({ pids: [], tmp: [] });
        }),
      TEST_MS,
    );
  }

  it(
    "an error nothing caught, in workload: exit 3, report unknown, nothing left",
    () =>
      slot(async () => {
        const { box, runDir, exit } = await runCli("workload:CRASH");
        const done = await exit;
        expect(done.code, done.stderr.slice(-2000)).toBe(3);
        expect(done.stderr).toMatch(
          /internal error \(a bug in the drill, please report it\): Error: test hook: an error nothing caught, in workload\n\s+at /,
        );
        const report = JSON.parse(await readFile(join(runDir, "report.json"), "utf8")) as DrillReport;
        expect(report.verdict).toBe("unknown");
        expect(report.reason).toBe(
          "internal error in workload: test hook: an error nothing caught, in workload",
        );
        expect(report.phases?.at(-1)).toMatchObject({ name: "teardown", outcome: "ok" });
        expect(await leftovers(box)).toEqual({ pids: [], tmp: [] });
      }),
    TEST_MS,
  );

  it(
    "a second signal exits at once (130) and the children still go",
    () =>
      slot(async () => {
        const { box, child, exit } = await runCli("workload");
        let err = "";
        child.stderr?.on("data", (d) => {
          err += d;
        });
        await waitFor(
          "the first signal to be acknowledged",
          () => err.includes("stopping and cleaning up"),
          120_000,
        );
        child.kill("SIGINT");
        const done = await exit;
        expect(done.code).toBe(130);
        const left = await leftovers(box);
        expect(left.pids).toEqual([]);
      }),
    TEST_MS,
  );
});

describe.concurrent("Action main: a signal in any phase", () => {
  async function runMain(phase: string) {
    const box = await sandbox();
    const workspace = join(box.dir, "workspace");
    await mkdir(workspace);
    const files = {
      output: join(box.dir, "output"),
      state: join(box.dir, "state"),
      summary: join(box.dir, "summary"),
    };
    for (const f of Object.values(files)) await writeFile(f, "");
    const { exit } = start(
      [join(ROOT, "src/action/main.ts")],
      {
        ...box.env,
        GITHUB_ACTIONS: "true",
        GITHUB_WORKSPACE: workspace,
        GITHUB_OUTPUT: files.output,
        GITHUB_STATE: files.state,
        GITHUB_STEP_SUMMARY: files.summary,
        RUNNER_TEMP: join(box.dir, "runner-temp"),
        INPUT_BACKEND: "local",
        INPUT_PROFILE: "smoke",
        INPUT_SEED: "5",
        INPUT_CONFIG: TINY,
        MILVUS_CDC_DRILL_SIGNAL_AT: phase,
      },
      workspace,
    );
    const done = await exit;
    const outputs: Record<string, string> = {};
    for (const m of (await readFile(files.output, "utf8")).matchAll(/^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
      outputs[m[1] as string] = m[3] as string;
    return { box, done, outputs, runDir: join(workspace, "milvus-cdc-drill-run") };
  }

  for (const phase of PHASES) {
    it(
      `SIGINT when ${phase} starts: outputs set, report unknown "cancelled in ${phase}", nothing left`,
      () =>
        slot(async () => {
          const { box, done, outputs, runDir } = await runMain(phase);
          expect(done.code, done.stdout.slice(-2000)).toBe(1);
          expect(done.stdout).toContain("received SIGINT: stopping the drill and tearing down");
          expect(done.stdout).toContain(`::error::drill cancelled in ${phase}`);
          expect(done.stdout + done.stderr).not.toMatch(/unhandled|ECONNREFUSED|ERR_IPC_CHANNEL_CLOSED/i);
          expect(outputs.verdict).toBe("unknown");
          expect(existsSync(outputs["report-path"] as string)).toBe(true);
          await expectCancelledIn(runDir, phase, done);
          expect(await leftovers(box)).toEqual({ pids: [], tmp: [] });
        }),
      TEST_MS,
    );
  }
});
