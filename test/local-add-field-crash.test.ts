/**
 * add_collection_field's journal (add-field.ts): a crash while the rows are copied leaves the original
 * as it was (the copy is dropped when the front next starts); a crash after the original was dropped
 * leaves a complete copy that the next start puts in its place, with rows, partitions, index, alias and
 * load state. A replicated add that was already applied is taken as done. Against one Milvus Lite;
 * and the request checks, with Milvus's texts, on their own.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FieldAdder, PlantedCrash, validateAddField } from "../src/backends/local/front/add-field.js";
import { LiteLink } from "../src/backends/local/front/lite-link.js";
import { decodeResponse, encode } from "../src/milvus/proto.js";
import { startTwoLites, type TwoLites } from "./helpers/two-lites.js";

let lites: TwoLites;
let lite: LiteLink;
let client: MilvusClient;
let stateDir: string;

beforeAll(async () => {
  lites = await startTwoLites();
  lite = new LiteLink(`127.0.0.1:${lites.source.port}`);
  client = new MilvusClient({ address: `127.0.0.1:${lites.source.port}`, logLevel: "error" });
  stateDir = await mkdtemp(join(tmpdir(), "mcd-add-field-"));
}, 120_000);

afterAll(async () => {
  lite?.close();
  await client?.closeConnection();
  await lites?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const ROWS = 1300;

async function prepare(name: string): Promise<void> {
  const st = await client.createCollection({
    collection_name: name,
    fields: [
      { name: "pk", data_type: DataType.VarChar, max_length: 16, is_primary_key: true },
      { name: "vec", data_type: DataType.FloatVector, dim: 2 },
      { name: "n", data_type: DataType.Int64, nullable: true },
    ],
  });
  if (st.error_code !== "Success") throw new Error(st.reason);
  await client.createPartition({ collection_name: name, partition_name: "p1" });
  const data = Array.from({ length: ROWS }, (_, i) => ({ pk: `k${i}`, vec: [i, 1], n: i % 2 ? i : null }));
  await client.insert({ collection_name: name, data: data.slice(0, 700) });
  await client.insert({ collection_name: name, partition_name: "p1", data: data.slice(700) });
  await client.createIndex({
    collection_name: name,
    field_name: "vec",
    index_type: "FLAT",
    metric_type: "L2",
  });
  await client.loadCollectionSync({ collection_name: name });
  await client.createAlias({ collection_name: name, alias: `${name}_a` });
}

const request = (name: string) => ({
  collection_name: name,
  schema: encode("schema.FieldSchema", { name: "extra", data_type: "Int64", nullable: true }),
});
const md = () => new grpc.Metadata();
const status = (res: Buffer) => decodeResponse<{ code?: number; reason?: string }>("AddCollectionField", res);
const names = async () => (await client.showCollections()).data.map((c) => c.name).sort();
const fields = async (name: string) =>
  (await client.describeCollection({ collection_name: name })).schema.fields.map((f) => f.name);
const rows = async (name: string, filter = 'pk != ""', partition?: string) =>
  (
    await client.query({
      collection_name: name,
      filter,
      output_fields: ["count(*)"],
      ...(partition ? { partition_names: [partition] } : {}),
    })
  ).data.map((r) => Number(r["count(*)"]))[0];

describe("add_collection_field after a crash", () => {
  it("a crash while copying: the next start drops the copy; the original is as it was", async () => {
    await prepare("crash_copy");
    const crashing = new FieldAdder(lite, stateDir, () => {}, { crashAfter: "copied", pageRows: 256 });
    await expect(crashing.add(request("crash_copy"), "default", md(), false)).rejects.toBeInstanceOf(
      PlantedCrash,
    );
    expect((await names()).length).toBe(2); // the original and the half-built copy
    expect(crashing.hidden("default").size).toBe(1);

    const restarted = new FieldAdder(lite, stateDir);
    await restarted.load();
    expect(await names()).toEqual(["crash_copy"]);
    expect(restarted.hidden("default").size).toBe(0);
    expect(await fields("crash_copy")).toEqual(["pk", "vec", "n"]);
    expect(await rows("crash_copy")).toBe(ROWS);
    expect((await client.getLoadState({ collection_name: "crash_copy" })).state).toBe("LoadStateLoaded");
    expect(
      (await client.describeAlias({ collection_name: "crash_copy", alias: "crash_copy_a" })).collection,
    ).toBe("crash_copy");
  });

  it("a crash after the original was dropped: the next start puts the complete copy in its place", async () => {
    await prepare("crash_swap");
    const crashing = new FieldAdder(lite, stateDir, () => {}, { crashAfter: "dropped", pageRows: 256 });
    await expect(crashing.add(request("crash_swap"), "default", md(), false)).rejects.toBeInstanceOf(
      PlantedCrash,
    );
    // Only the copy is left in Milvus Lite at this point: the journal is all that names it.
    expect(await names()).not.toContain("crash_swap");

    const restarted = new FieldAdder(lite, stateDir);
    await restarted.load();
    expect(await names()).toEqual(["crash_copy", "crash_swap"]);
    expect(await fields("crash_swap")).toEqual(["pk", "vec", "n", "extra"]);
    expect(await rows("crash_swap")).toBe(ROWS);
    expect(await rows("crash_swap", "extra is null")).toBe(ROWS);
    expect(await rows("crash_swap", "n is null")).toBe(ROWS / 2);
    expect(await rows("crash_swap", 'pk != ""', "p1")).toBe(ROWS - 700);
    expect((await client.getLoadState({ collection_name: "crash_swap" })).state).toBe("LoadStateLoaded");
    expect(
      (await client.describeIndex({ collection_name: "crash_swap" })).index_descriptions[0]?.field_name,
    ).toBe("vec");
    expect(
      (await client.describeAlias({ collection_name: "crash_swap", alias: "crash_swap_a" })).collection,
    ).toBe("crash_swap");

    // The replicated AddCollectionField comes again (its checkpoint had not moved): taken as done.
    const adder = new FieldAdder(lite, stateDir);
    await adder.load();
    expect(status(await adder.add(request("crash_swap"), "default", md(), true)).code ?? 0).toBe(0);
    // A client's is refused as Milvus refuses a duplicate.
    expect(status(await adder.add(request("crash_swap"), "default", md(), false)).reason).toBe(
      "duplicated field name extra: invalid parameter",
    );
    expect(await fields("crash_swap")).toEqual(["pk", "vec", "n", "extra"]);
  });

  it("the checks Milvus's proxy and rootcoord make, with their texts (no Milvus Lite involved)", () => {
    const schema = {
      name: "c",
      fields: [
        { name: "pk", data_type: "Int64", is_primary_key: true },
        { name: "v", data_type: "FloatVector", type_params: [{ key: "dim", value: "4" }] },
      ],
    };
    const reason = (field: Record<string, unknown>) => validateAddField(schema, field)?.reason;
    expect(reason({ name: "x", data_type: "Int64", nullable: true })).toBeUndefined();
    expect(
      reason({ name: "x", data_type: "Int64", nullable: true, default_value: { long_data: "3" } }),
    ).toBeUndefined();
    expect(reason({ name: "x", data_type: "Int64", nullable: true, is_partition_key: true })).toBe(
      "not support to add partition key field, field name  = x: invalid parameter",
    );
    expect(reason({ name: "$meta", data_type: "JSON", nullable: true })).toBe(
      "not support to add system field, field name = $meta: invalid parameter",
    );
    expect(reason({ name: "v2", data_type: "FloatVector", nullable: true })).toBe(
      "vector field must have dimension specified, field name = v2: invalid parameter",
    );
    expect(reason({ name: "a", data_type: "Array", element_type: "Int64", nullable: true })).toBe(
      "type param(max_capacity) should be specified for array field a of collection c: missing parameter",
    );
    expect(reason({ name: "x", data_type: "Int32", nullable: true, default_value: { long_data: "3" } })).toBe(
      "default value type mismatches field schema type: expected=DataType_Int64, actual=not match: invalid parameter",
    );
    const full = {
      ...schema,
      fields: Array.from({ length: 64 }, (_, i) => ({ name: `f${i}`, data_type: "Int64" })),
    };
    expect(validateAddField(full, { name: "x", data_type: "Int64", nullable: true })?.reason).toBe(
      "The number of fields has reached the maximum value 64: invalid parameter",
    );
  });
});
