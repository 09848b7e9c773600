/** Shared helpers for tests that start real local labs (Milvus Lite). */
import { createConnection } from "node:net";
import { type Lab, type LabOptions, startLab } from "../../src/backends/local/lab.js";

export { alive, waitFor } from "./wait.js";

export async function startTestLab(opts: LabOptions = {}): Promise<Lab> {
  // Few channels keep the replicator light on a shared 2-core machine; the code paths are the same.
  return startLab({ pchannels: 4, readyTimeoutMs: 90_000, ...opts });
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
