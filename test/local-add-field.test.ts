/**
 * add_collection_field on the local backend (add-field.ts): the field appears on both clusters, rows
 * written before keep every value and read null (or the default) in it, new rows carrying it replicate,
 * and partitions, indexes, load state, aliases, dynamic fields and auto-id survive; Milvus's refusals.
 */
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

let lab: Lab;
let src: MilvusClient;
let tgt: MilvusClient;

beforeAll(async () => {
  lab = await startTestLab({ replicate: true });
  src = new MilvusClient({ address: lab.source.uri.replace("http://", ""), logLevel: "error" });
  tgt = new MilvusClient({ address: lab.target.uri.replace("http://", ""), logLevel: "error" });
}, 240_000);

afterAll(async () => {
  await src?.closeConnection();
  await tgt?.closeConnection();
  await lab?.stop();
});

type Answer = { error_code?: string | number; reason?: string };
const ok = (what: string, r: Answer & { status?: Answer }) => {
  const st = r.status ?? r;
  if (st.error_code !== "Success") throw new Error(`${what}: ${st.reason}`);
};
const count = async (c: MilvusClient, collection: string, filter = "", partition?: string) => {
  const r = await c.query({
    collection_name: collection,
    filter,
    output_fields: ["count(*)"],
    ...(partition ? { partition_names: [partition] } : {}),
  });
  ok("count", r);
  return Number(r.data[0]?.["count(*)"]);
};
const fieldOf = async (c: MilvusClient, collection: string, name: string) =>
  (await c.describeCollection({ collection_name: collection })).schema.fields.find((f) => f.name === name);

describe("add_collection_field on the local backend", () => {
  const COLL = "add_field";
  // Rows in two partitions (test/local-add-field-crash.test.ts pages through several).
  const rows = (from: number, n: number, partition: string) =>
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return {
        pk: i,
        vec: [i % 7, 1, 0, partition === "p1" ? 1 : 0],
        tag: i % 3 === 0 ? null : `t${i % 5}`,
        // A dynamic field, on some rows only.
        ...(i % 4 === 0 ? { color: i % 8 === 0 ? "c0" : "c1" } : {}),
      };
    });

  it("shows the field on both clusters; rows keep their values and read null in it; everything around survives", async () => {
    ok(
      "create",
      await src.createCollection({
        collection_name: COLL,
        enable_dynamic_field: true,
        fields: [
          { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
          { name: "vec", data_type: DataType.FloatVector, dim: 4 },
          { name: "tag", data_type: DataType.VarChar, max_length: 16, nullable: true },
        ],
      }),
    );
    ok("partition", await src.createPartition({ collection_name: COLL, partition_name: "p1" }));
    ok("insert", await src.insert({ collection_name: COLL, data: rows(0, 1500, "_default") }));
    ok(
      "insert p1",
      await src.insert({ collection_name: COLL, partition_name: "p1", data: rows(1500, 1200, "p1") }),
    );
    ok(
      "vector index",
      await src.createIndex({
        collection_name: COLL,
        field_name: "vec",
        index_type: "HNSW",
        metric_type: "L2",
        params: { M: 8, efConstruction: 32 },
      }),
    );
    // A type Milvus Lite builds as INVERTED, which the front reports as asked (scalar-index-types.ts).
    ok(
      "scalar index",
      await src.createIndex({ collection_name: COLL, field_name: "tag", index_type: "Trie" }),
    );
    ok("load", await src.loadCollectionSync({ collection_name: COLL }));
    ok("alias", await src.createAlias({ collection_name: COLL, alias: "add_field_alias" }));
    await waitFor("the rows on the standby", async () => (await count(tgt, COLL)) === 2700, 60_000);
    await waitFor(
      "the alias on the standby",
      async () =>
        (await tgt.describeAlias({ collection_name: COLL, alias: "add_field_alias" })).collection === COLL,
    );
    const before = await src.query({
      collection_name: COLL,
      filter: "pk in [0, 1, 4, 1504]",
      output_fields: ["*"],
    });

    // Through the alias, as Milvus resolves it.
    ok(
      "add field",
      await src.addCollectionField({
        collection_name: "add_field_alias",
        field: { name: "new_field", data_type: DataType.Int64, nullable: true },
      }),
    );

    for (const [side, c] of [
      ["primary", src],
      ["standby", tgt],
    ] as const) {
      const f = await waitFor(`new_field on the ${side}`, () => fieldOf(c, COLL, "new_field"), 60_000);
      expect(f.data_type, side).toBe("Int64");
      expect(f.nullable, side).toBe(true);
      expect((await c.describeCollection({ collection_name: COLL })).schema.enable_dynamic_field, side).toBe(
        true,
      );
      expect(await count(c, COLL), side).toBe(2700);
      expect(await count(c, COLL, "new_field is null"), side).toBe(2700);
      // With a filter: Milvus Lite answers a bare count(*) from its collection-wide row count.
      expect(await count(c, COLL, "pk >= 0", "p1"), side).toBe(1200);
      expect(await count(c, COLL, "pk >= 0", "_default"), side).toBe(1500);
      expect(await count(c, COLL, "tag is null"), side).toBe(900);
      expect(await count(c, COLL, 'color == "c0"'), side).toBe(338);
      const after = await c.query({
        collection_name: COLL,
        filter: "pk in [0, 1, 4, 1504]",
        output_fields: ["*"],
      });
      const byPk = (d: Record<string, unknown>[]) =>
        Object.fromEntries(d.map((r) => [String(r.pk), { ...r, new_field: undefined }]));
      expect(byPk(after.data), side).toEqual(byPk(before.data));
      expect(
        after.data.every((r) => r.new_field === null),
        side,
      ).toBe(true);
      expect((await c.showPartitions({ collection_name: COLL })).partition_names.sort(), side).toEqual([
        "_default",
        "p1",
      ]);
      const idx = (await c.describeIndex({ collection_name: COLL })).index_descriptions;
      const typeOf = (field: string) =>
        idx.find((d) => d.field_name === field)?.params.find((p) => p.key === "index_type")?.value;
      expect([typeOf("vec"), typeOf("tag")], side).toEqual(["HNSW", "Trie"]);
      expect((await c.getLoadState({ collection_name: COLL })).state, side).toBe("LoadStateLoaded");
      expect(
        (await c.describeAlias({ collection_name: COLL, alias: "add_field_alias" })).collection,
        side,
      ).toBe(COLL);
      const hits = await c.search({
        collection_name: COLL,
        data: [[3, 1, 0, 1]],
        limit: 3,
        output_fields: ["pk"],
      });
      ok(`search on the ${side}`, hits);
      expect(hits.results.length, side).toBe(3);
      // The copy the emulation built under another name is gone.
      expect(
        (await c.showCollections()).data.map((x) => x.name),
        side,
      ).toEqual([COLL]);
    }

    // New rows carry the field, and replicate with it.
    ok(
      "insert with the field",
      await src.insert({
        collection_name: COLL,
        data: [{ pk: 9001, vec: [1, 1, 1, 1], tag: "new", new_field: 7 }],
      }),
    );
    await waitFor(
      "the new row on the standby",
      async () => (await count(tgt, COLL, "new_field == 7")) === 1,
      60_000,
    );
  });

  it("a field with a default value: rows written before read the default, on both clusters", async () => {
    ok(
      "add field",
      await src.addCollectionField({
        collection_name: COLL,
        field: { name: "score", data_type: DataType.Int32, nullable: true, default_value: 5 },
      }),
    );
    for (const c of [src, tgt]) {
      const f = await waitFor("score", () => fieldOf(c, COLL, "score"), 60_000);
      expect(f.default_value).toBe(5);
      expect(await count(c, COLL, "score == 5")).toBe(2701);
      expect(await count(c, COLL, "new_field == 7")).toBe(1);
    }
  });

  it("an auto-id collection stays auto-id: Milvus-style ids are still assigned and the standby gets them", async () => {
    const AUTO = "add_field_auto";
    ok(
      "create",
      await src.createCollection({
        collection_name: AUTO,
        fields: [
          { name: "id", data_type: DataType.Int64, is_primary_key: true, autoID: true },
          { name: "vec", data_type: DataType.FloatVector, dim: 2 },
        ],
      }),
    );
    const first = await src.insert({ collection_name: AUTO, data: [{ vec: [1, 2] }, { vec: [3, 4] }] });
    ok("insert", first);
    ok(
      "add field",
      await src.addCollectionField({
        collection_name: AUTO,
        field: { name: "label", data_type: DataType.VarChar, max_length: 8, nullable: true },
      }),
    );
    const second = await src.insert({ collection_name: AUTO, data: [{ vec: [5, 6], label: "x" }] });
    ok("insert after", second);
    const idsOf = (r: typeof first) => ("int_id" in r.IDs ? r.IDs.int_id.data : []).map(String);
    const ids = [...idsOf(first), ...idsOf(second)];
    expect(ids.length).toBe(3);
    for (const c of [src, tgt]) {
      await waitFor("the rows", async () => (await count(c, AUTO)) === 3, 60_000);
      const d = await c.describeCollection({ collection_name: AUTO });
      expect(d.schema.fields.find((f) => f.name === "id")?.autoID).toBe(true);
      const got = await c.query({ collection_name: AUTO, filter: "id > 0", output_fields: ["id", "label"] });
      expect(got.data.map((r) => String(r.id)).sort()).toEqual([...ids].sort());
      expect(got.data.filter((r) => r.label === "x").length).toBe(1);
    }
  });

  it("Milvus's refusals: a field that is not nullable, a duplicate name, a primary key; nothing changes", async () => {
    const add = (field: Record<string, unknown>) =>
      src.addCollectionField({ collection_name: COLL, field: field as never });
    const notNullable = await add({ name: "strict", data_type: DataType.Int64 });
    expect(notNullable.code).toBe(1100);
    expect(notNullable.reason).toBe(
      "added field must be nullable, please check it, field name = strict: invalid parameter",
    );
    const duplicate = await add({ name: "tag", data_type: DataType.Int64, nullable: true });
    expect(duplicate.reason).toBe("duplicated field name tag: invalid parameter");
    const pk = await add({ name: "pk2", data_type: DataType.Int64, nullable: true, is_primary_key: true });
    expect(pk.reason).toBe("not support to add pk field, field name = pk2: invalid parameter");
    const noLength = await add({ name: "s", data_type: DataType.VarChar, nullable: true });
    expect(noLength.code).toBe(1101);
    expect(noLength.reason).toBe(
      `type param(max_length) should be specified for the field(s) of collection ${COLL}: missing parameter`,
    );
    // Milvus takes a nullable Float16 vector; Milvus Lite stores none: its one line, nothing left behind.
    const f16 = await add({ name: "h", data_type: DataType.Float16Vector, dim: 4, nullable: true });
    expect(f16.reason).toContain(
      "field 'h' uses Milvus type Float16Vector which MilvusLite does not support",
    );
    expect((await src.showCollections()).data.map((x) => x.name).sort()).toEqual(
      [COLL, "add_field_auto"].sort(),
    );
    // A refused add is not in the WAL: a later write reaches the standby, the refused fields never do.
    ok("insert", await src.insert({ collection_name: COLL, data: [{ pk: 9002, vec: [0, 0, 0, 1] }] }));
    await waitFor(
      "the later row on the standby",
      async () => (await count(tgt, COLL, "pk == 9002")) === 1,
      60_000,
    );
    for (const c of [src, tgt])
      for (const name of ["strict", "pk2", "s", "h"]) expect(await fieldOf(c, COLL, name)).toBeUndefined();
  });
});
