/**
 * The README is what a user reads first: its tables of checks and profiles must name exactly what the
 * drill has, so a check or profile added in code cannot go undocumented (and a removed one cannot linger).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKERS } from "../src/checkers/index.js";
import { PROFILE_NAMES } from "../src/config/schema.js";

const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");

/** The first cell of every row of the table whose header row starts with `| ${header} |`. */
function firstColumn(header: string): string[] {
  const lines = readme.split("\n");
  const start = lines.findIndex((l) => l.toLowerCase().startsWith(`| ${header.toLowerCase()} |`));
  if (start < 0) return [];
  const rows: string[] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith("|")) break;
    rows.push((l.split("|")[1] ?? "").trim().replace(/`/g, ""));
  }
  return rows;
}

describe("README.md", () => {
  it("its checks table names every check the drill runs, and only those", () => {
    expect(firstColumn("Check").sort()).toEqual(CHECKERS.map(([n]) => n as string).sort());
  });

  it("its profiles table names every profile, and only those", () => {
    expect(firstColumn("Profile").sort()).toEqual([...PROFILE_NAMES].sort());
  });

  it("reads a table it can find (the lookup is not vacuous)", () => {
    expect(firstColumn("No such header")).toEqual([]);
    expect(firstColumn("Check").length).toBeGreaterThan(10);
  });
});
