/** How to start one of our own TypeScript entry points as a Node child: compiled JS when built, else through tsx. */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * `name` is an entry module next to the caller's module `from` (its `import.meta.url`), without
 * extension (e.g. "watchdog"). Compiled, it sits beside the caller (lib/backends/local/<part>/) or, in
 * the bundled dist/, at the top of dist/ while the caller runs from a shared chunk in dist/chunks/.
 * From source, the .ts runs through tsx.
 */
export function nodeEntry(name: string, from: string): { file: string; execArgv: string[] } {
  const here = fileURLToPath(from);
  const dir = dirname(here);
  if (here.endsWith(".js")) {
    for (const d of basename(dir) === "chunks" ? [dir, dirname(dir)] : [dir]) {
      const js = join(d, `${name}.js`);
      if (existsSync(js)) return { file: js, execArgv: [] };
    }
  }
  const ts = join(dir, `${name}.ts`);
  if (!existsSync(ts))
    throw new Error(`entry ${name} not found: no ${name}.js or ${name}.ts next to ${here}`);
  // Resolved only when needed: a bundled dist/ has no node_modules.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return { file: ts, execArgv: ["--import", tsx] };
}
