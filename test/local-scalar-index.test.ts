/**
 * Scalar indexes Milvus Lite does not build (scalar-index-types.ts): Trie / STL_SORT built as INVERTED
 * and reported as asked; an INVERTED index on an ARRAY field (refused by Milvus Lite) kept by the front
 * and listed; on the primary and, replicated, on the standby; filters answer the same; a drop forgets
 * the type, so a new index reports its own.
 */
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

let lab: Lab;
let primary: MilvusClient;
let standby: MilvusClient;

beforeAll(async () => {
  lab = await startTestLab({ replicate: true });
  primary = new MilvusClient({ address: lab.source.uri.replace("http://", "") });
  standby = new MilvusClient({ address: lab.target.uri.replace("http://", "") });
  await primary.createCollection({
    collection_name: "sidx",
    fields: [
      { name: "id", data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: "n", data_type: DataType.Int64 },
      { name: "s", data_type: DataType.VarChar, max_length: 32 },
      { name: "tags", data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 4 },
      { name: "attrs", data_type: DataType.JSON },
      { name: "v", data_type: DataType.FloatVector, dim: 4 },
    ],
  });
  const inserted = await primary.insert({
    collection_name: "sidx",
    data: Array.from({ length: 20 }, (_, i) => ({
      id: i + 1,
      n: i % 5,
      s: `k${i % 3}`,
      v: [i, 1, 0, 0],
      tags: [i % 2, 7],
      attrs: { name: `m${i}` },
    })),
  });
  if (inserted.status.error_code !== "Success") throw new Error(`insert: ${inserted.status.reason}`);
}, 240_000);

afterAll(async () => {
  await primary?.closeConnection();
  await standby?.closeConnection();
  await lab?.stop();
});

const typeOf = async (c: MilvusClient, field: string) =>
  (await c.describeIndex({ collection_name: "sidx", field_name: field })).index_descriptions[0]?.params.find(
    (p) => p.key === "index_type",
  )?.value;

describe("scalar index types Milvus Lite lacks", () => {
  it("STL_SORT and Trie are reported as asked on both clusters, and filters still answer", async () => {
    for (const [field, type] of [
      ["n", "STL_SORT"],
      ["s", "Trie"],
    ] as const) {
      const res = await primary.createIndex({ collection_name: "sidx", field_name: field, index_type: type });
      expect(res.reason).toBe("");
      expect(await typeOf(primary, field)).toBe(type);
      await waitFor(
        `${field}'s ${type} index on the standby`,
        async () => (await typeOf(standby, field).catch(() => undefined)) === type,
        30_000,
      );
    }
    await primary.createIndex({
      collection_name: "sidx",
      field_name: "v",
      index_type: "FLAT",
      metric_type: "L2",
    });
    await primary.loadCollection({ collection_name: "sidx" });
    const q = await primary.query({
      collection_name: "sidx",
      filter: 'n == 2 and s == "k1"',
      output_fields: ["id"],
    });
    expect(q.data.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([8]);
  }, 120_000);

  it("a dropped index forgets its type: an INVERTED index on the same field reports INVERTED", async () => {
    await primary.releaseCollection({ collection_name: "sidx" });
    expect((await primary.dropIndex({ collection_name: "sidx", field_name: "n" })).reason).toBe("");
    expect(
      (await primary.createIndex({ collection_name: "sidx", field_name: "n", index_type: "INVERTED" }))
        .reason,
    ).toBe("");
    expect(await typeOf(primary, "n")).toBe("INVERTED");
    await waitFor(
      "n's INVERTED index on the standby",
      async () => (await typeOf(standby, "n").catch(() => undefined)) === "INVERTED",
      30_000,
    );
  }, 120_000);

  it("an INVERTED index on an ARRAY field, which Milvus Lite refuses, is kept by the front on both clusters", async () => {
    const res = await primary.createIndex({
      collection_name: "sidx",
      field_name: "tags",
      index_type: "INVERTED",
    });
    expect(res.reason).toBe("");
    expect(await typeOf(primary, "tags")).toBe("INVERTED");
    await waitFor(
      "tags's index on the standby",
      async () => (await typeOf(standby, "tags").catch(() => undefined)) === "INVERTED",
      30_000,
    );
    // A JSON path index, which Milvus Lite refuses too ("requires a vector field").
    const jsonIdx = await primary.createIndex({
      collection_name: "sidx",
      field_name: "attrs",
      index_name: "attrs_name",
      index_type: "AUTOINDEX",
      params: { json_path: 'attrs["name"]', json_cast_type: "VARCHAR" },
    });
    expect(jsonIdx.reason).toBe("");
    const all = await primary.describeIndex({ collection_name: "sidx" });
    expect(all.index_descriptions.map((d) => d.field_name).sort()).toEqual(["attrs", "n", "s", "tags", "v"]);
    await primary.loadCollection({ collection_name: "sidx" });
    const q = await primary.query({
      collection_name: "sidx",
      filter: "array_contains(tags, 1)",
      output_fields: ["id"],
    });
    expect(q.data).toHaveLength(10);
    await primary.releaseCollection({ collection_name: "sidx" });
    expect((await primary.dropIndex({ collection_name: "sidx", field_name: "tags" })).reason).toBe("");
    await waitFor(
      "tags's index gone from the standby",
      async () =>
        !(await standby.describeIndex({ collection_name: "sidx" })).index_descriptions.some(
          (d) => d.field_name === "tags",
        ),
      30_000,
    );
  }, 120_000);
});
