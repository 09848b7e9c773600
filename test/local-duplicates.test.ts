import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { startTestLab } from "./helpers/lab.js";

/**
 * Milvus keeps a second insert of a key as a second row (count(*) counts it, a query shows the key once);
 * Milvus Lite replaces the row. The front must behave like Milvus, or the duplicates check could never
 * see a replayed insert on the local backend.
 */
let lab: Lab;
let c: MilvusClient;

const count = async (): Promise<number> => {
  const r = await c.query({ collection_name: "d", filter: "", output_fields: ["count(*)"] });
  return Number(r.data[0]?.["count(*)"]);
};
const rows = async (filter: string): Promise<number> =>
  (await c.query({ collection_name: "d", filter, output_fields: ["pk"] })).data.length;
const row = (pk: number, ver: number) => ({ pk, ver, vec: [ver, 0] });

beforeAll(async () => {
  lab = await startTestLab();
  c = new MilvusClient({ address: lab.source.uri, logLevel: "error" });
  await c.createCollection({
    collection_name: "d",
    fields: [
      { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: "ver", data_type: DataType.Int64 },
      { name: "vec", data_type: DataType.FloatVector, dim: 2 },
    ],
  });
  await c.createIndex({ collection_name: "d", field_name: "vec", index_type: "FLAT", metric_type: "L2" });
  await c.loadCollectionSync({ collection_name: "d" });
});
afterAll(async () => {
  c?.closeConnection();
  await lab?.stop();
});

describe("duplicate inserts on a local cluster behave as on Milvus", () => {
  it("count(*) counts a re-inserted key twice while a query returns it once; upsert and delete remove the copies", async () => {
    await c.insert({ collection_name: "d", data: [row(1, 1), row(2, 1)] });
    expect(await count()).toBe(2);
    await c.insert({ collection_name: "d", data: [row(1, 2)] });
    expect(await count()).toBe(3);
    expect(await rows("pk in [1]")).toBe(1);
    const filtered = await c.query({ collection_name: "d", filter: "pk == 1", output_fields: ["count(*)"] });
    expect(Number(filtered.data[0]?.["count(*)"])).toBe(2);
    await c.upsert({ collection_name: "d", data: [row(1, 3)] });
    expect(await count()).toBe(2);
    await c.insert({ collection_name: "d", data: [row(2, 2)] });
    expect(await count()).toBe(3);
    await c.delete({ collection_name: "d", filter: "pk in [2]" });
    expect(await count()).toBe(1);
  });
});
