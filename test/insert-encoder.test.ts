import { createServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrillExecutor } from "../src/client/executor.js";
import { InsertEncoder } from "../src/client/insert-encoder.js";
import { loadConfig } from "../src/config/load.js";
import { KeyModel } from "../src/generator/model.js";
import { type CollectionSpec, collectionFields, RowFactory } from "../src/generator/rows.js";
import { decodeRequest } from "../src/milvus/proto.js";
import { NullMilvus } from "./helpers/null-milvus.js";

const smoke = loadConfig({ profile: "smoke", overrides: { seed: 7 } });
const base = smoke.workload.collections[0] as CollectionSpec;

let server: NullMilvus;
let client: MilvusClient;

beforeAll(async () => {
  server = new NullMilvus();
  await server.start();
  client = new MilvusClient({ address: server.uri.replace("http://", ""), logLevel: "error", maxRetries: 0 });
});

afterAll(async () => {
  client.closeConnection();
  await server.stop();
});

/** The request as Milvus reads it, without the one field the encoder leaves out on purpose. */
function decoded(method: "Insert" | "Upsert", bytes: Buffer | undefined): Record<string, unknown> {
  if (!bytes) throw new Error(`no ${method} request captured`);
  const r = decodeRequest<Record<string, unknown>>(method, bytes);
  delete r.schema_timestamp;
  return r;
}

describe("InsertEncoder", () => {
  for (const dynamicField of [true, false]) {
    it(`sends the request the SDK sends (dynamic field ${dynamicField})`, async () => {
      const spec: CollectionSpec = { ...base, name: `enc_${dynamicField}`, dim: 16, dynamicField };
      const fields = collectionFields(spec);
      await client.createCollection({
        collection_name: spec.name,
        fields,
        enable_dynamic_field: dynamicField,
      });
      const factory = new RowFactory(7, spec);
      const rows = Array.from({ length: 5 }, (_, i) => factory.row(i + 1, 1 + (i % 2)));
      const encoder = InsertEncoder.forSchema(fields, dynamicField);
      if (!encoder) throw new Error("the drill's float schema must have an encoder");
      for (const [method, kind] of [
        ["Insert", "insert"],
        ["Upsert", "upsert"],
      ] as const) {
        const call = kind === "insert" ? client.insert.bind(client) : client.upsert.bind(client);
        const res = await call({ collection_name: spec.name, partition_name: "p1", data: rows });
        expect(res.status.error_code).toBe("Success");
        const sdk = decoded(method, server.last.get(method));
        const ours = decoded(method, encoder.encode(kind, { collection: spec.name, partition: "p1", rows }));
        expect(ours).toEqual(sdk);
      }
    });
  }

  it("declines schemas it does not write, so those keep the SDK path", () => {
    for (const vectorType of ["sparse", "binary", "float16", "bfloat16"] as const) {
      const spec: CollectionSpec = { ...base, vectorType, dim: 16 };
      expect(InsertEncoder.forSchema(collectionFields(spec), true), vectorType).toBeNull();
    }
    const autoId = collectionFields(base).map((f) => (f.is_primary_key ? { ...f, autoID: true } : f));
    expect(InsertEncoder.forSchema(autoId, true)).toBeNull();
    const nullable = collectionFields(base).map((f) => (f.name === "title" ? { ...f, nullable: true } : f));
    expect(InsertEncoder.forSchema(nullable, true)).toBeNull();
  });

  it("refuses a row that lacks a schema field or has an extra one without a dynamic field", () => {
    const fields = collectionFields(base);
    const row = new RowFactory(1, base).row(1, 1);
    const { title: _drop, ...noTitle } = row;
    expect(() =>
      InsertEncoder.forSchema(fields, true)?.encode("insert", { collection: "c", rows: [noTitle] }),
    ).toThrow(/no value for field 'title'/);
    expect(() =>
      InsertEncoder.forSchema(fields, false)?.encode("insert", { collection: "c", rows: [row] }),
    ).toThrow(/field 'origin', which the schema lacks/);
  });
});

describe("DrillExecutor encoded writes", () => {
  it("count as ok only when the server acknowledges them, and a row it cannot encode as fail", async () => {
    const spec: CollectionSpec = { ...base, name: "exec_enc", dim: 16 };
    const exec = new DrillExecutor(client, new Map([[spec.name, spec]]), 5_000);
    const created = await exec.ddl({
      f: "ddl",
      action: "create-collection",
      collection: spec.name,
      detail: {},
    });
    expect(created.type).toBe("ok");
    const factory = new RowFactory(1, spec);
    const before = server.rows.Insert;
    const write = (rows: ReturnType<RowFactory["row"]>[]) =>
      exec.write({
        f: "write",
        kind: "insert",
        collection: spec.name,
        keys: rows.map((r) => ({ pk: String(r.pk), ver: 1 })),
        rows,
        model: new KeyModel(),
        priors: rows.map(() => null),
      });
    expect(await write([factory.row(1, 1), factory.row(2, 1)])).toEqual({ type: "ok" });
    expect(server.rows.Insert - before).toBe(2);
    const broken = { ...factory.row(3, 1), vec: [1, 2, 3] };
    const out = await write([broken]);
    expect(out.type).toBe("fail");
    expect(server.rows.Insert - before).toBe(2);
  });

  it("carry the client's token like every SDK call (its interceptors add it)", async () => {
    const guarded = new NullMilvus("root:s3cret");
    await guarded.start();
    const address = guarded.uri.replace("http://", "");
    const good = new MilvusClient({ address, token: "root:s3cret", logLevel: "error", maxRetries: 0 });
    const bad = new MilvusClient({ address, token: "root:wrong", logLevel: "error", maxRetries: 0 });
    // The SDK connects in its constructor: that attempt is refused too, and must not go unhandled.
    const connecting = (bad as unknown as { connectPromise?: Promise<unknown> }).connectPromise;
    await expect(connecting).rejects.toThrow(/UNAUTHENTICATED/);
    try {
      const spec: CollectionSpec = { ...base, name: "exec_auth", dim: 16 };
      const specs = new Map([[spec.name, spec]]);
      const row = new RowFactory(1, spec).row(1, 1);
      const op = {
        f: "write" as const,
        kind: "insert" as const,
        collection: spec.name,
        keys: [{ pk: "1", ver: 1 }],
        rows: [row],
        model: new KeyModel(),
        priors: [null],
      };
      expect(await new DrillExecutor(good, specs, 5_000).write(op)).toEqual({ type: "ok" });
      expect(guarded.rows.Insert).toBe(1);
      const refused = await new DrillExecutor(bad, specs, 5_000).write(op);
      expect(refused).toMatchObject({ type: "fail", code: 16 });
      expect(guarded.rows.Insert).toBe(1);
    } finally {
      good.closeConnection();
      bad.closeConnection();
      await guarded.stop();
    }
  });

  /** One upsert through the executor on `client`: its outcome. */
  async function upsertOn(client: MilvusClient, name: string) {
    const spec: CollectionSpec = { ...base, name, dim: 16 };
    const exec = new DrillExecutor(client, new Map([[spec.name, spec]]), 2_000);
    return exec.write({
      f: "write",
      kind: "upsert",
      collection: spec.name,
      keys: [{ pk: "1", ver: 1 }],
      rows: [new RowFactory(1, spec).row(1, 1)],
      model: new KeyModel(),
      priors: [null],
    });
  }

  it("count a write whose connection breaks under it as info (it may have been applied)", async () => {
    // The HTTP/2 connection is made, the call sent, then the connection is torn down before an answer.
    const server = createServer();
    server.on("stream", (stream) => stream.session?.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const client = new MilvusClient({
      address: `127.0.0.1:${port}`,
      logLevel: "error",
      maxRetries: 0,
      timeout: 2_000,
    });
    client.connectPromise.catch(() => {});
    try {
      const out = await upsertOn(client, "exec_dropped");
      expect(out.type, JSON.stringify(out)).toBe("info");
    } finally {
      await client.closeConnection();
      server.close();
    }
  });

  it("count a write grpc-js never sent (no connection to the server) as fail: it was not applied", async () => {
    const gone = new NullMilvus();
    await gone.start();
    const address = gone.uri.replace("http://", "");
    await gone.stop();
    const dead = new MilvusClient({ address, logLevel: "error", maxRetries: 0, timeout: 2_000 });
    // The SDK connects in its constructor: that attempt fails too, and must not go unhandled.
    const connecting = (dead as unknown as { connectPromise?: Promise<unknown> }).connectPromise;
    await expect(connecting).rejects.toThrow(/UNAVAILABLE/);
    try {
      const out = await upsertOn(dead, "exec_dead");
      expect(out).toMatchObject({ type: "fail", error: expect.stringMatching(/No connection established/) });
    } finally {
      dead.closeConnection();
    }
  });
});
