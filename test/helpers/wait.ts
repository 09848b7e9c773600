/** The tests' one way to wait for a condition and to ask whether a process still runs. */
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";

/** True while pid runs; a zombie (killed, not yet reaped by its parent) counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return true; // no /proc entry to read: kill(0) said it exists
  }
  const close = stat.lastIndexOf(")");
  return stat.slice(close + 2, close + 3) !== "Z";
}

/** Polls until check() returns a truthy value; on timeout throws naming what it waited for and the last value. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as Exclude<T, false | null | undefined>;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 300)})`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Pids of live processes whose environment holds NAME=VALUE: how a test finds what a run left behind. */
export async function processesWithEnv(name: string, value: string): Promise<number[]> {
  const pids: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p) || +p === process.pid) continue;
    const env = await readFile(`/proc/${p}/environ`, "latin1").catch(() => "");
    if (env.split("\0").includes(`${name}=${value}`) && alive(+p)) pids.push(+p);
  }
  return pids;
}
