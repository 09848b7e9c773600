import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root (the folder holding package.json), whether running from src/, lib/ or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) || existsSync(join(dir, "action.yml"))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Where installs and tool downloads are cached: MILVUS_CDC_DRILL_CACHE, else `<package>/.cache`. */
export function cacheRoot(): string {
  return process.env.MILVUS_CDC_DRILL_CACHE || join(packageRoot(), ".cache");
}
