/**
 * Fails when the committed dist/ is not what the current sources build to: the runner executes
 * dist/, so a stale bundle would test code nobody reviewed.
 *
 *   npx tsx scripts/check-dist.ts
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDist, ROOT } from "./build-dist.js";

/** Files that differ between two bundle directories (missing on either side counts). */
export async function diffDirs(expected: string, actual: string): Promise<string[]> {
  // Entries at the top, shared code in chunks/: every bundle file counts.
  const list = async (d: string) =>
    existsSync(d) ? (await readdir(d, { recursive: true })).filter((f) => f.endsWith(".js")) : [];
  const names = [...new Set([...(await list(expected)), ...(await list(actual))])].sort();
  const differing: string[] = [];
  for (const name of names) {
    const [a, b] = await Promise.all(
      [expected, actual].map((d) => readFile(join(d, name)).catch(() => null)),
    );
    if (!a || !b || !a.equals(b)) differing.push(name);
  }
  return differing;
}

export async function checkDist(committed = join(ROOT, "dist")): Promise<string[]> {
  const fresh = await mkdtemp(join(tmpdir(), "drill-dist-"));
  try {
    await buildDist(fresh);
    return await diffDirs(fresh, committed);
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  checkDist().then(
    (differing) => {
      if (differing.length === 0) {
        console.log("dist/ is up to date");
        return;
      }
      console.error(
        `dist/ is out of date (${differing.join(", ")} differ from a fresh build): run 'npx tsx scripts/build-dist.ts' and commit dist/`,
      );
      process.exitCode = 1;
    },
    (e: unknown) => {
      console.error(`check-dist: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
