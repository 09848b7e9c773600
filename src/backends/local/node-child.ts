/** How to start one of our own TypeScript entry points as a Node child: compiled JS when built, else through tsx. */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** `name` is a module next to this one, without extension (e.g. "watchdog"). */
export function nodeEntry(name: string): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  const js = join(dir, `${name}.js`);
  if (here.endsWith(".js") && existsSync(js)) return { file: js, execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return { file: join(dir, `${name}.ts`), execArgv: ["--import", tsx] };
}
