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
