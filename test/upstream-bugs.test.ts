/**
 * docs/upstream-bugs.md names nemesis faults, self-test faults and checks: they must be exactly the
 * ones the config schema and the checkers accept, so the doc cannot promise a fault or a check that
 * does not exist, and every nemesis type and nemesis self-test is documented with the bug it stands for.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NEMESIS_FAULT_TRIGGERS } from "../src/backends/local/faults/fault-modes.js";
import { CHECKERS } from "../src/checkers/index.js";
import { LOCAL_FAULT_MODES, NEMESIS_TYPES } from "../src/config/schema.js";

const doc = readFileSync(join(__dirname, "..", "docs", "upstream-bugs.md"), "utf8");
const all = (re: RegExp) => [...doc.matchAll(re)].map((m) => m[1] as string);

/** The rows of every table with the documented columns: [issue, trigger, exercised by, caught by, self-test]. */
function rows(): string[][] {
  return doc
    .split("\n")
    .filter((l) => /^\|\s*[a-z-]+\/[a-z-]+#\d+/.test(l))
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe("docs/upstream-bugs.md", () => {
  it("names only nemesis types the config accepts, and every one of them", () => {
    const named = all(/nemesis `([^`]+)`/g);
    for (const n of named) expect(NEMESIS_TYPES as readonly string[], `nemesis ${n}`).toContain(n);
    for (const t of NEMESIS_TYPES) expect(named, `nemesis ${t} is not in the doc`).toContain(t);
  });

  it("names only local fault modes the config accepts, and every nemesis self-test", () => {
    const named = all(/--local-fault `?([a-z-]+)`?/g);
    for (const n of named) expect(LOCAL_FAULT_MODES as readonly string[], `--local-fault ${n}`).toContain(n);
    for (const m of Object.keys(NEMESIS_FAULT_TRIGGERS)) expect(named, `${m} is not in the doc`).toContain(m);
  });

  it("every row has five columns, and its checks are the drill's checks", () => {
    const checks = CHECKERS.map(([name]) => name as string);
    const table = rows();
    expect(table.length).toBeGreaterThan(0);
    for (const r of table) {
      expect(r, r.join(" | ")).toHaveLength(5);
      const caughtBy = (r[3] as string)
        .replace(/\([^)]*\)/g, "")
        .split(/[,;]/)
        .map((c) => c.trim().split(/\s/)[0] as string)
        .filter((c) => c !== "");
      expect(caughtBy.length, r.join(" | ")).toBeGreaterThan(0);
      for (const c of caughtBy) expect(checks, `${r[0]}: check ${c}`).toContain(c);
    }
  });
});
