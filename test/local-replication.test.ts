import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPLICATE_VIOLATION_REASON } from "../src/backends/local/front/front.js";
import type { Lab } from "../src/backends/local/lab.js";
import { getReplicateInfo } from "../src/milvus/replicate.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

const COLL = "rep_basic";
const DIM = 8;

function vec(pk: number, ver: number): number[] {
  return Array.from({ length: DIM }, (_, i) => Math.fround(Math.sin(pk * 31 + ver * 7 + i)));
}

function row(pk: number, ver: number) {
  return { pk, vec: vec(pk, ver), tag: `k${pk}-v${ver}`, meta: { pk, ver, note: "naïve ✓" } };
}

async function scan(c: MilvusClient) {
  const res = await c.query({
    collection_name: COLL,
    filter: "pk >= 0",
    output_fields: ["pk", "vec", "tag", "meta"],
    limit: 16384,
  });
  if (res.status.error_code !== "Success") throw new Error(`query: ${res.status.reason}`);
  return [...res.data].sort((a, b) => Number(a.pk) - Number(b.pk));
}

async function fields(c: MilvusClient) {
  const d = await c.describeCollection({ collection_name: COLL });
  return d.schema.fields
    .map((f) => ({
      name: f.name,
      type: f.data_type,
      pk: f.is_primary_key,
      auto: f.autoID,
      params: f.type_params,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe("local lab: replication through the fronts", () => {
  let lab: Lab;
  let src: MilvusClient;
  let tgt: MilvusClient;

  beforeAll(async () => {
    lab = await startTestLab({ replicate: true });
    src = new MilvusClient({ address: lab.source.uri, logLevel: "error" });
    tgt = new MilvusClient({ address: lab.target.uri, logLevel: "error" });
  });

  afterAll(async () => {
    await src?.closeConnection();
    await tgt?.closeConnection();
    await lab?.stop();
  });

  it("writes on the primary show up identical on the standby; the standby refuses client writes", async () => {
    const created = await src.createCollection({
      collection_name: COLL,
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "vec", data_type: DataType.FloatVector, dim: DIM },
        { name: "tag", data_type: DataType.VarChar, max_length: 64 },
        { name: "meta", data_type: DataType.JSON },
      ],
    });
    expect(created.error_code).toBe("Success");
    const ins = await src.insert({
      collection_name: COLL,
      data: Array.from({ length: 50 }, (_, i) => row(i, 1)),
    });
    expect(ins.status.error_code).toBe("Success");
    const ups = await src.upsert({
      collection_name: COLL,
      data: Array.from({ length: 10 }, (_, i) => row(i, 2)),
    });
    expect(ups.status.error_code).toBe("Success");
    const del = await src.delete({ collection_name: COLL, filter: "pk in [40, 41, 42]" });
    expect(del.status.error_code).toBe("Success");
    const idx = await src.createIndex({
      collection_name: COLL,
      field_name: "vec",
      index_type: "FLAT",
      metric_type: "L2",
    });
    expect(idx.error_code).toBe("Success");
    expect((await src.loadCollection({ collection_name: COLL })).error_code).toBe("Success");

    const primaryRows = await scan(src);
    expect(primaryRows).toHaveLength(47);
    const standbyRows = await waitFor(
      "the standby to show the primary's 47 rows",
      async () => {
        const rows = await scan(tgt);
        return rows.length === 47 ? rows : false;
      },
      60_000,
    );
    expect(standbyRows).toEqual(primaryRows);
    expect(await fields(tgt)).toEqual(await fields(src));
    const srcIdx = await src.describeIndex({ collection_name: COLL, field_name: "vec" });
    const tgtIdx = await tgt.describeIndex({ collection_name: COLL, field_name: "vec" });
    expect(tgtIdx.index_descriptions.map((d) => d.params)).toEqual(
      srcIdx.index_descriptions.map((d) => d.params),
    );

    // The checkpoint of the collection's channel is the newest message's time tick.
    const srcPch = lab.fronts.source.channelOf(COLL);
    const tgtPch = lab.fronts.target.channelOf(COLL);
    expect(srcPch).toBeDefined();
    expect(tgtPch).toBe(srcPch?.replace(lab.source.clusterId, lab.target.clusterId));
    const info = await waitFor("a checkpoint on the standby", async () => {
      const i = await getReplicateInfo(lab.target, lab.source.clusterId, tgtPch as string, 5_000);
      return i.timeTick ? i : false;
    });
    expect(BigInt(info.timeTick as string) >> 18n).toBeGreaterThan(BigInt(Date.now() - 600_000));

    // A client write on the standby is refused in-band, like Milvus does, and changes nothing.
    const refused = await tgt.insert({ collection_name: COLL, data: [row(1000, 1)] });
    expect(refused.status.code).toBe(65535);
    expect(refused.status.reason).toBe(REPLICATE_VIOLATION_REASON);
    const drop = await tgt.dropCollection({ collection_name: COLL });
    expect(drop.code).toBe(65535);
    expect(await scan(tgt)).toEqual(primaryRows);
  });

  it("GetReplicateInfo on a channel the standby does not own blocks until the deadline", async () => {
    const t0 = Date.now();
    await expect(
      getReplicateInfo(lab.target, lab.source.clusterId, "no-such-channel", 1_500),
    ).rejects.toThrow(/DEADLINE|timed out/i);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_400);
  });

  it("auto_id collections: the primary assigns Milvus-style ids, Insert returns them, the standby gets the same", async () => {
    const created = await src.createCollection({
      collection_name: "auto_ids",
      fields: [
        { name: "id", data_type: DataType.Int64, is_primary_key: true, autoID: true },
        { name: "vec", data_type: DataType.FloatVector, dim: DIM },
      ],
    });
    expect(created.error_code).toBe("Success");
    const before = BigInt(Date.now()) << 18n;
    const ins = await src.insert({
      collection_name: "auto_ids",
      data: Array.from({ length: 5 }, (_, i) => ({ vec: vec(i, 1) })),
    });
    expect(ins.status.error_code).toBe("Success");
    await src.createIndex({
      collection_name: "auto_ids",
      field_name: "vec",
      index_type: "FLAT",
      metric_type: "L2",
    });
    expect((await src.loadCollectionSync({ collection_name: "auto_ids" })).error_code).toBe("Success");
    const ids = (ins.IDs as unknown as { int_id: { data: string[] } }).int_id.data.map(String);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    // 64-bit hybrid-timestamp ids, as Milvus's allocator hands out (far above any row counter).
    for (const id of ids) expect(BigInt(id)).toBeGreaterThanOrEqual(before);
    const read = async (c: MilvusClient) => {
      const r = await c.query({ collection_name: "auto_ids", filter: "id > 0", output_fields: ["id"] });
      return r.data.map((x) => String(x.id)).sort();
    };
    expect(await read(src)).toEqual([...ids].sort());
    await waitFor(
      "the standby to hold the same auto ids",
      async () => (await read(tgt)).length === 5,
      60_000,
    );
    expect(await read(tgt)).toEqual([...ids].sort());
    for (const c of [src, tgt]) {
      const d = await c.describeCollection({ collection_name: "auto_ids" });
      expect(d.schema.fields.find((f) => f.name === "id")?.autoID).toBe(true);
    }
  });
});
