/** Reading pytest's answers for the conformance script: JUnit XML outcomes and collection errors. */

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  deselected: number;
}

/** Per-file outcomes from pytest's JUnit XML. */
export function perFile(xml: string): Map<string, Counts> {
  const files = new Map<string, Counts>();
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = m[1] ?? "";
    const inner = m[3] ?? "";
    const cls = /classname="([^"]*)"/.exec(attrs)?.[1] ?? "";
    // classname is the module path plus the class: testcases.test_dml.TestCDCSyncDML -> testcases/test_dml.py
    const parts = cls.split(".");
    const modIdx = parts.findIndex((p) => p.startsWith("test_"));
    const file = modIdx >= 0 ? `${parts.slice(0, modIdx + 1).join("/")}.py` : cls;
    const c = files.get(file) ?? { passed: 0, failed: 0, skipped: 0, deselected: 0 };
    if (/<(failure|error)\b/.test(inner)) c.failed++;
    else if (/<skipped\b/.test(inner)) c.skipped++;
    else c.passed++;
    files.set(file, c);
  }
  return files;
}

/** The test files pytest could not import, from `pytest --collect-only -q` output (`ERROR path.py`). */
export function uncollectable(collectOutput: string): string[] {
  return [...collectOutput.matchAll(/^ERROR (\S+\.py)\b/gm)].map((m) => m[1] ?? "").filter(Boolean);
}

/**
 * Whether pytest failed to import `file` for want of a module (ModuleNotFoundError / ImportError in its
 * "ERROR collecting" section): only that may be a helper of Milvus's wider test tree that a limit
 * explains. Any other error (an AttributeError in the suite's own helpers, a syntax error) is not.
 */
export function missingModule(collectOutput: string, file: string): boolean {
  const header = collectOutput
    .split("\n")
    .findIndex((l) => /ERROR collecting (\S+\.py)/.exec(l)?.[1] === file);
  if (header < 0) return false;
  const rest = collectOutput.split("\n").slice(header + 1);
  const end = rest.findIndex((l) => /^_{3,} |^={3,}/.test(l));
  const section = (end < 0 ? rest : rest.slice(0, end)).filter((l) => l.startsWith("E "));
  return /^E\s+(ModuleNotFoundError|ImportError)\b/.test(section[0] ?? "");
}

/**
 * --pytest-args split as a shell would split it: whitespace separates words, and single or double
 * quotes keep theirs together (`-k "a or b"` is two words, `-k` and `a or b`). Throws on an open quote.
 */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= "";
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + ch;
  }
  if (quote) throw new Error(`--pytest-args: unclosed ${quote} in ${JSON.stringify(s)}`);
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * Tests of Milvus's suite that fail against Milvus itself, so no backend can pass them. Each is
 * deselected with its evidence, listed apart from the local backend's limits, and dropped from here
 * once the pinned suite commit fixes it.
 */
export interface SuiteDefect {
  /** The test's pytest id, without parameters. */
  id: string;
  /**
   * The defective code, as it reads in the test's body: a version of the file without it (upstream
   * fixed the test) runs like any other test.
   */
  presentIn: RegExp;
  reason: string;
}

export const SUITE_DEFECTS: readonly SuiteDefect[] = [
  {
    id: "cdc/testcases/test_schema_features.py::TestCDCSyncSchemaFeatures::test_nullable_fields_sync",
    presentIn: /==\s*null\b/,
    reason:
      "filters with `nullable_int64 == null`, which Milvus refuses too: `null` is no literal in its filter grammar (Plan.g4 has `is null`), and milvus-io/milvus#46691 answers `use is null`. With `is null` the test passes on the local backend.",
  },
  {
    id: "cdc/testcases/test_resource_group.py::TestCDCSyncResourceGroup::test_update_resource_group_not_replicated",
    presentIn: /assert\s+downstream_desc_after\s*==\s*downstream_desc_before/,
    reason:
      "asserts `downstream_desc_after == downstream_desc_before` on two describe_resource_group answers, but pymilvus's ResourceGroupInfo (pymilvus/client/types.py, 3.0.2 and master 05e951c) defines no __eq__: Python compares identity, so two reads of the same unchanged group are never equal, on Milvus too. Comparing their repr (name, capacity, config, nodes) instead, the test passes on the local backend.",
  },
];

/**
 * The suite defect a collected test is, if any (parameters after `[` are ignored): its id is listed and
 * its body, when given, still holds the defective code.
 */
export function suiteDefect(id: string, body?: string): SuiteDefect | undefined {
  const bare = id.split("[")[0] ?? id;
  return SUITE_DEFECTS.find(
    (d) => (bare === d.id || bare.endsWith(`/${d.id}`)) && (body === undefined || d.presentIn.test(body)),
  );
}

/**
 * Directories of the suite that are not run, each with its reason in one line (printed, and counted
 * as deselected against each of their test files).
 */
export interface DeselectedDir {
  /** Relative to tests/python_client, ending in "/". */
  path: string;
  reason: string;
}

export const DESELECTED_DIRS: readonly DeselectedDir[] = [
  {
    path: "cdc/stablity/",
    reason:
      "Milvus's chaos soak of the upstream cluster alone (chaos.checker health checkers for --request-duration, then wait_pods_ready on the Milvus pods in --milvus-ns; no CDC assertion): needs Kubernetes, and its all-datatype schema and bulk insert need vector types and MinIO the local backend lacks (kind backend)",
  },
];

/** The deselected directory a suite file lies in, if any. */
export function deselectedDir(file: string): DeselectedDir | undefined {
  return DESELECTED_DIRS.find((d) => file.startsWith(d.path) || file.includes(`/${d.path}`));
}

/** How many test functions a Python test file defines (`def test_...`, at any indentation). */
export function testCount(source: string): number {
  return [...source.matchAll(/^\s*def test_\w*\s*\(/gm)].length;
}

/**
 * `suite-commits.json` beside a copy of tests/python_client that is no git checkout: the upstream
 * commit of each file it holds, `{"cdc/testcases/test_x.py": "<40 hex>"}`. Throws, naming the file,
 * on anything else.
 */
export function parseSuiteCommits(text: string, source: string): Map<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new Error(`${source}: must be an object of file path -> 40-hex-digit commit`);
  const out = new Map<string, string>();
  for (const [file, sha] of Object.entries(data)) {
    if (typeof sha !== "string" || !/^[0-9a-f]{40}$/.test(sha))
      throw new Error(`${source}: ${file}: ${JSON.stringify(sha)} is not a 40-hex-digit commit`);
    out.set(file, sha);
  }
  return out;
}

/**
 * The commit printed for a file: the last commit that changed it; "unknown" when neither a git
 * history nor suite-commits.json names one; "<sha> or earlier" when it is the boundary of a shallow
 * history (the file may have last changed before it).
 */
export function commitLabel(sha: string | undefined, shallow: ReadonlySet<string> = new Set()): string {
  if (!sha) return "unknown";
  return shallow.has(sha) ? `${sha} or earlier` : sha;
}

/** The per-file table the script prints: counts, then the upstream commit of each file. */
export function formatTable(files: Map<string, Counts>, commits: (file: string) => string): string[] {
  const total: Counts = { passed: 0, failed: 0, skipped: 0, deselected: 0 };
  const row = (name: string, c: Counts, commit: string) =>
    `${name.padEnd(50)} ${String(c.passed).padStart(6)}  ${String(c.failed).padStart(6)}  ${String(c.skipped).padStart(7)}  ${String(c.deselected).padStart(10)}  ${commit}`.trimEnd();
  const lines = [`${"FILE".padEnd(50)} PASSED  FAILED  SKIPPED  DESELECTED  UPSTREAM COMMIT`];
  for (const [file, c] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(row(file, c, commits(file)));
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
    total.deselected += c.deselected;
  }
  lines.push(row("total", total, ""));
  return lines;
}
