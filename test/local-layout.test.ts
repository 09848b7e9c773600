/**
 * The local backend's parts and the one direction of imports between them (src/backends/local/README.md):
 * common <- processes <- wal <- faults <- replication <- front <- the root (lab, backend, limits).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const LOCAL = resolve(import.meta.dirname, "../src/backends/local");
const LAYERS = ["common", "processes", "wal", "faults", "replication", "front", "."] as const;

/** The part a file of the local backend belongs to: its first folder, or "." at the root. */
function partOf(file: string): string {
  const rel = relative(LOCAL, file);
  return rel.includes("/") ? (rel.split("/")[0] as string) : ".";
}

/** Every relative import inside the local backend that goes to a later (higher) part than its file's. */
function upwardImports(files: ReadonlyArray<{ file: string; text: string }>): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    const from = LAYERS.indexOf(partOf(file) as (typeof LAYERS)[number]);
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)\.js"/g)) {
      const target = resolve(dirname(file), `${m[1]}.ts`);
      if (relative(LOCAL, target).startsWith("..")) continue; // outside the local backend
      const to = LAYERS.indexOf(partOf(target) as (typeof LAYERS)[number]);
      if (to > from) out.push(`${relative(LOCAL, file)} -> ${relative(LOCAL, target)}`);
    }
  }
  return out;
}

function sources(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
}

describe("the local backend's layout", () => {
  const files = sources(LOCAL);

  it("has only its known parts, each with a README, and only lab, backend and limits at its root", () => {
    const parts = new Set(files.map((f) => partOf(f.file)));
    expect([...parts].sort()).toEqual([...LAYERS].sort());
    for (const p of LAYERS) expect(readdirSync(join(LOCAL, p))).toContain("README.md");
    const root = files.filter((f) => partOf(f.file) === ".").map((f) => relative(LOCAL, f.file));
    expect(root.sort()).toEqual(["backend.ts", "lab.ts", "limits.ts"]);
  });

  it("imports only from its own part or one below it", () => {
    expect(upwardImports(files)).toEqual([]);
  });

  it("the rule is not a no-op: a replication file importing the front is named", () => {
    const bad = {
      file: join(LOCAL, "replication/replicate-apply.ts"),
      text: 'import type { LiteApply } from "../front/lite-apply.js";\nimport { x } from "../common/mutex.js";',
    };
    expect(upwardImports([bad])).toEqual(["replication/replicate-apply.ts -> front/lite-apply.ts"]);
  });
});
