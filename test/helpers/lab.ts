/** Shared helpers for tests that start real local labs (Milvus Lite). */
import { createConnection } from "node:net";
import { DataType, type MilvusClient } from "@zilliz/milvus2-sdk-node";
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

/** A collection `pk` (int64) + `vec` (float, dim), FLAT/L2 index, loaded: the smallest a lab test writes to. */
export async function vectorCollection(c: MilvusClient, name: string, dim = 4): Promise<void> {
  await c.createCollection({
    collection_name: name,
    fields: [
      { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: "vec", data_type: DataType.FloatVector, dim },
    ],
  });
  await c.createIndex({ collection_name: name, field_name: "vec", index_type: "FLAT", metric_type: "L2" });
  await c.loadCollection({ collection_name: name });
}

/** Rows n of such a collection, keys from `from`: a 4-d vector each. */
export const vectorRows = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ pk: from + i, vec: [i / n, 1 - i / n, 0.5, 0.25] }));
