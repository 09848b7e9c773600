import * as grpc from "@grpc/grpc-js";
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { encodeRequest } from "../src/milvus/proto.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

const COLL = "load_state";

describe("local lab: load state as Milvus has it, replicated", () => {
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

  const state = async (c: MilvusClient, partition?: string) =>
    (await c.getLoadState({ collection_name: COLL, ...(partition ? { partition_names: [partition] } : {}) }))
      .state;
  const onBoth = (what: string, want: string, partition?: string) =>
    waitFor(`${what}: ${want} on both clusters`, async () => {
      const [a, b] = await Promise.all([state(src, partition), state(tgt, partition)]);
      return a === want && b === want;
    });

  it("NotLoad until loaded; load and release (collection and partition) replicate; drop_index works once released", async () => {
    const created = await src.createCollection({
      collection_name: COLL,
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "vec", data_type: DataType.FloatVector, dim: 4 },
      ],
    });
    expect(created.error_code).toBe("Success");
    await onBoth("a new collection", "LoadStateNotLoad");

    await src.createIndex({
      collection_name: COLL,
      field_name: "vec",
      index_type: "FLAT",
      metric_type: "L2",
    });
    expect((await src.loadCollectionSync({ collection_name: COLL })).error_code).toBe("Success");
    await onBoth("after load", "LoadStateLoaded");
    const refused = await src.dropIndex({ collection_name: COLL, field_name: "vec" });
    expect(refused.error_code).not.toBe("Success");

    expect((await src.releaseCollection({ collection_name: COLL })).error_code).toBe("Success");
    await onBoth("after release", "LoadStateNotLoad");
    expect((await src.dropIndex({ collection_name: COLL, field_name: "vec" })).error_code).toBe("Success");
    await waitFor("the index drop on the standby", async () => {
      const d = await tgt.describeIndex({ collection_name: COLL, field_name: "vec" });
      return d.status.error_code !== "Success";
    });

    await src.createIndex({
      collection_name: COLL,
      field_name: "vec",
      index_type: "FLAT",
      metric_type: "L2",
    });
    expect((await src.createPartition({ collection_name: COLL, partition_name: "p1" })).error_code).toBe(
      "Success",
    );
    expect((await src.loadPartitions({ collection_name: COLL, partition_names: ["p1"] })).error_code).toBe(
      "Success",
    );
    await onBoth("partition p1 after its load", "LoadStateLoaded", "p1");
    expect(await state(src, "_default")).toBe("LoadStateNotLoad");
    const readOf = (c: MilvusClient, partition: string) =>
      c.query({
        collection_name: COLL,
        filter: "pk >= 0",
        output_fields: ["pk"],
        partition_names: [partition],
      });
    for (const c of [src, tgt]) {
      const refused = await readOf(c, "_default");
      expect(refused.status.code).toBe(201);
      expect(refused.status.reason).toBe("partition not loaded[partition=_default]");
      expect((await readOf(c, "p1")).status.error_code).toBe("Success");
    }
    expect((await src.releasePartitions({ collection_name: COLL, partition_names: ["p1"] })).error_code).toBe(
      "Success",
    );
    await onBoth("partition p1 after its release", "LoadStateNotLoad", "p1");
    await onBoth("the collection once no partition is loaded", "LoadStateNotLoad");
  });

  it("drop_index works on a collection indexed but never loaded (Milvus Lite would have loaded it)", async () => {
    const coll = "indexed_never_loaded";
    const created = await src.createCollection({
      collection_name: coll,
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "vec", data_type: DataType.FloatVector, dim: 4 },
      ],
    });
    expect(created.error_code).toBe("Success");
    const index = { collection_name: coll, field_name: "vec", index_type: "FLAT", metric_type: "L2" };
    expect((await src.createIndex(index)).error_code).toBe("Success");
    await waitFor("the index on the standby", async () => {
      const d = await tgt.describeIndex({ collection_name: coll, field_name: "vec" });
      return d.status.error_code === "Success";
    });
    const dropped = await src.dropIndex({ collection_name: coll, field_name: "vec" });
    expect(dropped.reason).toBe("");
    expect(dropped.error_code).toBe("Success");
    await waitFor("the index drop on the standby", async () => {
      const d = await tgt.describeIndex({ collection_name: coll, field_name: "vec" });
      return d.status.error_code !== "Success";
    });
  });

  it("collection functions, which Milvus Lite cannot change, are refused with one line naming the local limit", async () => {
    const client = new grpc.Client(lab.source.uri.replace("http://", ""), grpc.credentials.createInsecure());
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          "/milvus.proto.milvus.MilvusService/AddCollectionFunction",
          (b: Buffer) => b,
          (b: Buffer) => b,
          encodeRequest("AddCollectionFunction", { collection_name: COLL }),
          (e) => resolve(e),
        ),
      );
      expect(err?.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(err?.details).toBe(
        "AddCollectionFunction is not supported by the local backend (Milvus Lite does not implement it); use the kind backend",
      );
    } finally {
      client.close();
    }
  });
});
