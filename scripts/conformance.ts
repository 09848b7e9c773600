/**
 * `npm run conformance -- [--suite DIR] [--commit SHA] [--pytest-args="..."]`: runs Milvus's own CDC
 * test suite (milvus-io/milvus tests/python_client/cdc/testcases, pytest + pymilvus) against a local
 * lab, the way Milvus runs it against two real clusters: the lab starts without replication, and the
 * suite's conftest configures it (--upstream-uri --downstream-uri --source-cluster-id
 * --target-cluster-id --pchannel-num 16). Prints passed/failed/skipped per file with the upstream
 * commit of each file it ran (so drift between runs shows), the tests it deselected because they need
 * one of the local backend's limits (src/backends/local/limits.ts), and the suite directories it does
 * not run (cdc/stablity/), each with the reason. Exit 0 when nothing failed.
 *
 * The suite is never part of this repository. By default the newest one is used: tests/python_client
 * of milvus-io/milvus's master is fetched into .cache/milvus-suite (a sparse, blob-less git checkout
 * whose history since the new CDC suite began names each file's last commit), or updated there; with
 * no network an existing checkout is run as it is, saying so. --commit SHA pins a commit instead.
 * --suite DIR takes a copy you already have (the python_client directory, or its cdc directory): a git
 * checkout names its files' commits from its history, any other copy from a `suite-commits.json` in
 * the python_client directory ({"cdc/testcases/test_x.py": "<commit>"}), else they print as unknown.
 * pytest is installed, pinned, into the project's Milvus Lite virtualenv.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startLab } from "../src/backends/local/lab.js";
import { LOCAL_LIMITS, type LocalLimit, type SuiteTest } from "../src/backends/local/limits.js";
import { ensureMilvusLite } from "../src/backends/local/processes/milvus-lite-install.js";
import { cacheRoot } from "../src/util/paths.js";
import {
  type Counts,
  commitLabel,
  DESELECTED_DIRS,
  deselectedDir,
  formatTable,
  missingModule,
  parseSuiteCommits,
  perFile,
  type SuiteDefect,
  shellWords,
  suiteDefect,
  testCount,
  uncollectable,
} from "./conformance-results.js";

/** The branch whose newest suite runs by default. */
export const SUITE_REF = "master";
/**
 * How far back the fetched history reaches: the new CDC suite (tests/python_client/cdc/testcases)
 * began after this, so every file's last commit is inside it.
 */
const SUITE_HISTORY_SINCE = "2025-08-01";
const SUITE_REPO = "https://github.com/milvus-io/milvus.git";
/** Where `--suite` copies that are no git checkout name their files' upstream commits. */
const SUITE_COMMITS_FILE = "suite-commits.json";
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

/** The suite's cdc directory: from --suite, or the newest (or --commit) suite in .cache/milvus-suite. */
async function suiteDir(): Promise<string> {
  if (values.suite) {
    const dir = resolve(values.suite);
    for (const cdc of [join(dir, "cdc"), dir]) if (existsSync(join(cdc, "testcases"))) return cdc;
    return usage(
      `--suite ${values.suite}: no cdc/testcases in it (give tests/python_client or its cdc directory)`,
    );
  }
  const want = values.commit ?? SUITE_REF;
  if (values.commit !== undefined && !/^[0-9a-f]{40}$/.test(want))
    usage(`--commit ${want}: not a 40-hex-digit commit`);
  const dir = join(cacheRoot(), "milvus-suite");
  const cdc = join(dir, "tests", "python_client", "cdc");
  const git = async (...args: string[]) => {
    const r = await run("git", args, { cwd: dir, quiet: true });
    if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.out.trim().split("\n").pop()}`);
    return r.out.trim();
  };
  const had = existsSync(join(dir, ".git")) && existsSync(join(cdc, "testcases"));
  console.log(`Fetching tests/python_client of milvus-io/milvus at ${want} into ${dir} ...`);
  try {
    if (!had) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await git("init", "-q");
      await git("remote", "add", "origin", SUITE_REPO);
      await git("sparse-checkout", "set", "tests/python_client");
    }
    await git("fetch", "-q", "--filter=blob:none", `--shallow-since=${SUITE_HISTORY_SINCE}`, "origin", want);
    await git("checkout", "-q", "--detach", "FETCH_HEAD");
  } catch (e) {
    if (!had) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`${(e as Error).message}; pass --suite DIR with a copy of tests/python_client instead`);
    }
    console.log(
      `Could not fetch (${(e as Error).message}): running the suite already in ${dir}, at ${await git("rev-parse", "HEAD")}`,
    );
  }
  return cdc;
}

/**
 * The upstream commit of each suite file, as the report prints it: from the git history of the
 * checkout the suite is in (the last commit that changed the file), else from suite-commits.json.
 */
async function suiteCommits(root: string): Promise<(file: string) => string> {
  const known = new Map<string, string>();
  const files = await suiteFiles(root);
  let shallow = new Set<string>();
  const top = await run("git", ["rev-parse", "--show-toplevel"], { cwd: root, quiet: true });
  if (top.code === 0) {
    shallow = new Set(
      (await readFile(join(top.out.trim(), ".git", "shallow"), "utf8").catch(() => ""))
        .split("\n")
        .filter(Boolean),
    );
    // A copy lying untracked inside some other checkout gets nothing here, and falls to the manifest.
    for (const file of files) {
      const r = await run("git", ["log", "-1", "--format=%H", "--", file], { cwd: root, quiet: true });
      if (r.code === 0 && /^[0-9a-f]{40}$/.test(r.out.trim())) known.set(file, r.out.trim());
    }
  }
  const manifest = join(root, SUITE_COMMITS_FILE);
  if (existsSync(manifest))
    for (const [file, sha] of parseSuiteCommits(await readFile(manifest, "utf8"), manifest))
      if (!known.has(file)) known.set(file, sha);
  if (known.size === 0)
    console.log(`${root}: no git history and no ${SUITE_COMMITS_FILE}: file commits print as unknown`);
  // pytest names a file relative to its rootdir, which may lie below tests/python_client.
  const full = (file: string) => files.find((f) => f === file || f.endsWith(`/${file}`)) ?? file;
  return (file) => commitLabel(known.get(full(file)), shallow);
}

/** The suite's test files (cdc/<dir>/test_*.py), relative to tests/python_client. */
async function suiteFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(join(root, "cdc"), { withFileTypes: true }).catch(() => [])) {
    if (!d.isDirectory()) continue;
    for (const f of await readdir(join(root, "cdc", d.name)).catch(() => [] as string[]))
      if (/^test_.*\.py$/.test(f)) out.push(`cdc/${d.name}/${f}`);
  }
  return out.sort();
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
      const defect = suiteDefect(t.id, t.body);
      if (defect) {
        defects.push({ id: t.id, defect });
        continue;
      }
      const limit = LOCAL_LIMITS.find((l) => l.needs(t));
      if (limit) deselected.push({ id: t.id, limit });
    }
    // A file that cannot even be imported here (it needs helpers of Milvus's wider test tree that
    // only make sense with what a limit names, e.g. MinIO for import) is ignored when a module is
    // missing and its text needs that limit; any other collection error stays an error and counts as
    // a failure (a file that uses a limit's vector types but fails on the suite's own helpers is no
    // limit of the lab).
    const ignored: Array<{ id: string; limit: LocalLimit }> = [];
    for (const file of uncollectable(collected.out)) {
      const body = await readFile(join(root, file), "utf8").catch(() => "");
      const limit = LOCAL_LIMITS.find((l) => l.needs({ file, name: "", fixtures: [], body }));
      if (limit && missingModule(collected.out, file)) ignored.push({ id: file, limit });
    }
    const skippedDirs: Array<{ file: string; tests: number }> = [];
    for (const file of await suiteFiles(root))
      if (deselectedDir(file))
        skippedDirs.push({ file, tests: testCount(await readFile(join(root, file), "utf8")) });
    const junit = join(work, "junit.xml");
    console.log(
      `Running ${ids.length - deselected.length - defects.length} of ${ids.length} tests of ${target} (${deselected.length + defects.length} deselected, ${ignored.length} files ignored; not run: ${skippedDirs.length} files of ${DESELECTED_DIRS.map((d) => d.path).join(", ")}) ...`,
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
    // The suite directories not run count each test function of their files as deselected.
    for (const { file, tests } of skippedDirs) files.set(file, { ...none(), deselected: tests });
    const commitOf = await suiteCommits(root);
    console.log("");
    for (const line of formatTable(files, commitOf)) console.log(line);
    const failed = [...files.values()].reduce((n, c) => n + c.failed, 0);
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
    if (skippedDirs.length > 0) {
      console.log(`\nDirectories not run: ${DESELECTED_DIRS.map((d) => d.path).join(", ")}`);
      for (const d of DESELECTED_DIRS) console.log(`  ${d.path}\n      ${d.reason}`);
    }
    return failed === 0 && files.size > skippedDirs.length ? 0 : 1;
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
