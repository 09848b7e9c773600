/** Shared helpers for tests that start real local labs (Milvus Lite). */
import { createConnection } from "node:net";
import { type Lab, type LabOptions, startLab } from "../../src/backends/local/lab.js";

export async function startTestLab(opts: LabOptions = {}): Promise<Lab> {
  // Few channels keep the replicator light on a shared 2-core machine; the code paths are the same.
  return startLab({ pchannels: 4, readyTimeoutMs: 90_000, ...opts });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Polls until check() returns a truthy value; on timeout throws naming what it waited for and the last value. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
  everyMs = 200,
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
