/**
 * `npm run conformance -- [--suite DIR] [--commit SHA] [--pytest-args="..."]`: runs Milvus's own CDC
 * test suite (milvus-io/milvus tests/python_client/cdc/testcases, pytest + pymilvus) against a local
 * lab, the way Milvus runs it against two real clusters: the lab starts without replication, and the
 * suite's conftest configures it (--upstream-uri --downstream-uri --source-cluster-id
 * --target-cluster-id --pchannel-num 16). Prints passed/failed/skipped per file and the tests it
 * deselected because they need one of the local backend's limits (src/backends/local/limits.ts), with
 * the reason. Exit 0 when nothing failed.
 *
 * The suite is never part of this repository: by default tests/python_client is fetched at the pinned
 * commit below (a sparse git checkout into .cache/); --suite DIR takes a copy you already have (the
 * python_client directory, or its cdc directory). pytest is installed, pinned, into the project's
 * Milvus Lite virtualenv.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startLab } from "../src/backends/local/lab.js";
import { LOCAL_LIMITS, type LocalLimit, type SuiteTest } from "../src/backends/local/limits.js";
import { ensureMilvusLite } from "../src/backends/local/processes/milvus-lite-install.js";
import { cacheRoot } from "../src/util/paths.js";
import {
  type Counts,
  perFile,
  type SuiteDefect,
  shellWords,
  suiteDefect,
  uncollectable,
} from "./conformance-results.js";

/** milvus-io/milvus at a commit whose tests/python_client/cdc the local backend was measured against. */
export const SUITE_COMMIT = "06e8a63572affda491bd0df7065a6525c3735517";
const SUITE_REPO = "https://github.com/milvus-io/milvus.git";
/**
 * What the suite needs beyond pymilvus (already in the virtualenv with Milvus Lite): pytest, and PyYAML,
 * which test_force_promote.py imports (Milvus's tests/python_client/requirements.txt carries it).
 */
const PYTHON_REQUIREMENTS = ["pytest==8.3.5", "PyYAML==6.0.2"];
const PCHANNELS = 16;

function usage(message: string): never {
  process.stderr.write(`conformance: ${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        suite: { type: "string" },
        commit: { type: "string" },
        "pytest-args": { type: "string", default: "" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    return usage((e as Error).message.split("\n")[0] ?? String(e));
  }
})();
if (values.help) {
  console.log(
    `Usage: npm run conformance -- [--suite DIR] [--commit SHA] [--pytest-args="..."]
(write --pytest-args with "=": a value starting with a dash, like "-k name", is taken only that way;
quote a -k expression inside it: --pytest-args='-k "test_a or test_b"')`,
  );
  process.exit(0);
}
/** Parsed before anything starts: an unclosed quote is a usage error, not a half-started lab. */
const pytestExtra = (() => {
  try {
    return shellWords(values["pytest-args"] ?? "");
  } catch (e) {
    return usage((e as Error).message);
  }
})();

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; quiet?: boolean } = {},
): Promise<{ code: number; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b;
      if (!opts.quiet) process.stdout.write(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b;
      if (!opts.quiet) process.stderr.write(b);
    });
    child.on("error", (e) => fail(new Error(`${cmd}: ${e.message}`)));
    child.on("close", (code) => done({ code: code ?? 1, out }));
  });
}

/** The suite's cdc directory: from --suite, or a sparse checkout of the pinned commit. */
async function suiteDir(): Promise<string> {
  if (values.suite) {
    const dir = resolve(values.suite);
    for (const cdc of [join(dir, "cdc"), dir]) if (existsSync(join(cdc, "testcases"))) return cdc;
    return usage(
      `--suite ${values.suite}: no cdc/testcases in it (give tests/python_client or its cdc directory)`,
    );
  }
  const commit = values.commit ?? SUITE_COMMIT;
  if (!/^[0-9a-f]{40}$/.test(commit)) usage(`--commit ${commit}: not a 40-hex-digit commit`);
  const dir = join(cacheRoot(), `milvus-python-client-${commit}`);
  const cdc = join(dir, "tests", "python_client", "cdc");
  if (existsSync(join(cdc, "testcases"))) return cdc;
  console.log(`Fetching tests/python_client of milvus-io/milvus at ${commit} into ${dir} ...`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const git = async (...args: string[]) => {
    const r = await run("git", args, { cwd: dir, quiet: true });
    if (r.code !== 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(
        `git ${args.join(" ")} failed: ${r.out.trim().split("\n").pop()}; pass --suite DIR with a copy of tests/python_client instead`,
      );
    }
  };
  await git("init", "-q");
  await git("remote", "add", "origin", SUITE_REPO);
  await git("sparse-checkout", "set", "tests/python_client");
  await git("fetch", "-q", "--depth", "1", "--filter=blob:none", "origin", commit);
  await git("checkout", "-q", "FETCH_HEAD");
  return cdc;
}

interface TestInfo extends SuiteTest {
  id: string;
}

/** A test function's parameters (its fixtures) and body, read from its file. */
async function describeTests(root: string, ids: string[]): Promise<TestInfo[]> {
  const sources = new Map<string, string>();
  const out: TestInfo[] = [];
  for (const id of ids) {
    const [file = "", ...rest] = id.split("::");
    const name = (rest.at(-1) ?? "").replace(/\[.*$/, "");
    const params = /\[(.*)\]$/.exec(rest.at(-1) ?? "")?.[1] ?? "";
    if (!sources.has(file)) sources.set(file, await readFile(join(root, file), "utf8").catch(() => ""));
    const text = sources.get(file) ?? "";
    const at = text.search(new RegExp(`def ${name}\\s*\\(`));
    let fixtures: string[] = [];
    let body = "";
    if (at >= 0) {
      const open = text.indexOf("(", at);
      const close = text.indexOf(")", open);
      fixtures = text
        .slice(open + 1, close)
        .split(",")
        .map((p) => p.trim().split(/[:=]/)[0]?.trim() ?? "")
        .filter((p) => p && p !== "self");
      const next = text.slice(close).search(/\n {4}def |\nclass |\ndef /);
      body = text.slice(close, next < 0 ? undefined : close + next);
    }
    out.push({ id, file, name, fixtures, body, params });
  }
  return out;
}

async function main(): Promise<number> {
  const cdc = await suiteDir();
  const root = dirname(cdc);
  const bin = await ensureMilvusLite((m) => console.log(m));
  const python = join(dirname(bin), "python");
  console.log(`Installing ${PYTHON_REQUIREMENTS.join(" ")} into ${dirname(dirname(bin))} ...`);
  const pip = await run(
    python,
    ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", ...PYTHON_REQUIREMENTS],
    { quiet: true },
  );
  if (pip.code !== 0)
    throw new Error(
      `pip install ${PYTHON_REQUIREMENTS.join(" ")} failed: ${pip.out.trim().split("\n").pop()}`,
    );

  const lab = await startLab({ pchannels: PCHANNELS, replicate: false, log: (m) => console.log(m) });
  const work = await mkdtemp(join(tmpdir(), "milvus-cdc-conformance-"));
  try {
    const options = [
      `--upstream-uri=${lab.source.uri}`,
      `--downstream-uri=${lab.target.uri}`,
      "--upstream-token=",
      "--downstream-token=",
      `--source-cluster-id=${lab.source.clusterId}`,
      `--target-cluster-id=${lab.target.clusterId}`,
      `--pchannel-num=${PCHANNELS}`,
    ];
    const target = `${basename(cdc)}/testcases`;
    const collected = await run(
      python,
      ["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", target, ...options],
      { cwd: root, quiet: true },
    );
    const ids = collected.out.split("\n").filter((l) => l.includes("::"));
    if (ids.length === 0)
      throw new Error(`pytest collected no tests from ${join(root, target)}:\n${collected.out.slice(-2000)}`);
    const deselected: Array<{ id: string; limit: LocalLimit }> = [];
    const defects: Array<{ id: string; defect: SuiteDefect }> = [];
    for (const t of await describeTests(root, ids)) {
      const defect = suiteDefect(t.id);
      if (defect) {
        defects.push({ id: t.id, defect });
        continue;
      }
      const limit = LOCAL_LIMITS.find((l) => l.needs(t));
      if (limit) deselected.push({ id: t.id, limit });
    }
    // A file that cannot even be imported here (it needs helpers of Milvus's wider test tree that
    // only make sense with what a limit names, e.g. MinIO for import) is ignored when its text needs
    // that limit; any other collection error stays an error and counts as a failure.
    const ignored: Array<{ id: string; limit: LocalLimit }> = [];
    for (const file of uncollectable(collected.out)) {
      const body = await readFile(join(root, file), "utf8").catch(() => "");
      const limit = LOCAL_LIMITS.find((l) => l.needs({ file, name: "", fixtures: [], body }));
      if (limit) ignored.push({ id: file, limit });
    }
    const junit = join(work, "junit.xml");
    console.log(
      `Running ${ids.length - deselected.length - defects.length} of ${ids.length} tests (${deselected.length + defects.length} deselected, ${ignored.length} files ignored) ...`,
    );
    await run(
      python,
      [
        "-m",
        "pytest",
        target,
        ...options,
        "-p",
        "no:cacheprovider",
        "-q",
        "-rN",
        `--junitxml=${junit}`,
        "--continue-on-collection-errors",
        ...[...deselected, ...defects].flatMap((d) => ["--deselect", d.id]),
        ...ignored.map((i) => `--ignore=${i.id}`),
        ...pytestExtra,
      ],
      { cwd: root },
    );
    const files = perFile(await readFile(junit, "utf8").catch(() => ""));
    const none = (): Counts => ({ passed: 0, failed: 0, skipped: 0, deselected: 0 });
    // Deselected tests count against their file, so the table covers the whole suite; an ignored file
    // counts once, as pytest could not collect its tests.
    for (const d of [...deselected, ...defects, ...ignored]) {
      const file = d.id.split("::")[0] ?? d.id;
      const c = files.get(file) ?? none();
      c.deselected += 1;
      files.set(file, c);
    }
    const total = none();
    const row = (name: string, c: Counts) =>
      `${name.padEnd(50)} ${String(c.passed).padStart(6)}  ${String(c.failed).padStart(6)}  ${String(c.skipped).padStart(7)}  ${String(c.deselected).padStart(10)}`;
    console.log(`\n${"FILE".padEnd(50)} PASSED  FAILED  SKIPPED  DESELECTED`);
    for (const [file, c] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(row(file, c));
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
      total.deselected += c.deselected;
    }
    console.log(row("total", total));
    console.log(`\nDeselected (local backend limits): ${deselected.length}`);
    for (const d of deselected) console.log(`  ${d.id}\n      ${d.limit.reason}`);
    if (defects.length > 0) {
      console.log(`\nDeselected (the suite's own defects: they fail on Milvus too): ${defects.length}`);
      for (const d of defects) console.log(`  ${d.id}\n      ${d.defect.reason}`);
    }
    if (ignored.length > 0) {
      console.log(`\nIgnored files (they cannot be imported without what a limit names): ${ignored.length}`);
      for (const i of ignored) console.log(`  ${i.id}\n      ${i.limit.reason}`);
    }
    return total.failed === 0 && files.size > 0 ? 0 : 1;
  } finally {
    await lab.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`conformance: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(3);
  },
);
