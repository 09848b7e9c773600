import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { UsageError } from "../errors.js";

/**
 * Creates the run directory (and missing parents) or says in one line why it cannot. Node's own
 * recursive mkdir is not used: on some paths (e.g. under /proc) it retries forever at full CPU
 * instead of failing, so the parents are walked and created one at a time here.
 */
export async function prepareRunDir(dir: string): Promise<void> {
  const fail = (why: string): never => {
    throw new UsageError(`run directory ${dir}: ${why} (give --out a directory you can write)`);
  };
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    // ENOTDIR: a parent is a file; walking up finds it and names it.
    const s = await stat(p).catch((e: NodeJS.ErrnoException) =>
      e.code === "ENOENT" || e.code === "ENOTDIR" ? null : e,
    );
    if (s instanceof Error) fail(`${p}: ${s.code ?? s.message}`);
    if (s && !(s instanceof Error)) {
      if (!s.isDirectory()) fail(`${p} is not a directory`);
      break;
    }
    missing.unshift(p);
    const parent = dirname(p);
    if (parent === p) fail(`no existing parent directory`);
    p = parent;
  }
  for (const m of missing) {
    await mkdir(m).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") fail(`cannot create ${m}: ${e.code ?? e.message}`);
    });
  }
  await access(resolve(dir), constants.W_OK | constants.X_OK).catch((e: NodeJS.ErrnoException) =>
    fail(`not writable: ${e.code ?? e.message}`),
  );
}
