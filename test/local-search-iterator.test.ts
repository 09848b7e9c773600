/**
 * Search iterator v2 through the local fronts (search-iterator.ts), with the Node SDK's searchIterator
 * (v2 only, like pymilvus' first choice): the batches hold the same keys, in the same order, as one
 * plain search with the same limit, for L2 (smaller is closer) and COSINE/IP (larger is closer), on
 * the primary and, replicated, on the standby. Milvus Lite alone answers no iterator token (the reason
 * the front serves it): without the front's iterator every case here fails.
 */
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

const DIM = 16;
const ROWS = 500;
const LIMIT = 200;
const BATCH = 50;

function vector(i: number): number[] {
  return Array.from({ length: DIM }, (_, d) => Math.sin(i * 12.9898 + d * 78.233) * 0.5 + (d === 0 ? 1 : 0));
}

let lab: Lab;
let primary: MilvusClient;
let standby: MilvusClient;

const CASES = [
  { name: "iter_l2", metric: "L2", index: "FLAT" },
  { name: "iter_cos", metric: "COSINE", index: "HNSW" },
  { name: "iter_ip", metric: "IP", index: "FLAT" },
] as const;

beforeAll(async () => {
  lab = await startTestLab({ replicate: true });
  primary = new MilvusClient({ address: lab.source.uri.replace("http://", "") });
  standby = new MilvusClient({ address: lab.target.uri.replace("http://", "") });
  for (const c of CASES) {
    await primary.createCollection({
      collection_name: c.name,
      fields: [
        { name: "id", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "vector", data_type: DataType.FloatVector, dim: DIM },
      ],
    });
    await primary.createIndex({
      collection_name: c.name,
      field_name: "vector",
      index_type: c.index,
      metric_type: c.metric,
      ...(c.index === "HNSW" ? { params: { M: 8, efConstruction: 64 } } : {}),
    });
    await primary.loadCollection({ collection_name: c.name });
    const data = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, vector: vector(i) }));
    const res = await primary.insert({ collection_name: c.name, data });
    expect(res.status.error_code).toBe("Success");
  }
  for (const c of CASES) {
    await waitFor(
      `${c.name}: ${ROWS} rows replicated to the standby`,
      async () => {
        const r = await standby.count({ collection_name: c.name }).catch(() => undefined);
        return r?.data === ROWS;
      },
      60_000,
    );
  }
}, 240_000);

afterAll(async () => {
  await primary?.closeConnection();
  await standby?.closeConnection();
  await lab?.stop();
});

async function iterate(
  client: MilvusClient,
  name: string,
  metric: string,
): Promise<Array<{ id: string; score: number }>> {
  const it = await client.searchIterator({
    collection_name: name,
    data: vector(7),
    anns_field: "vector",
    batchSize: BATCH,
    limit: LIMIT,
    params: { metric_type: metric },
    output_fields: ["id"],
  });
  const out: Array<{ id: string; score: number }> = [];
  let batches = 0;
  for await (const batch of it as AsyncIterable<Array<{ id: string; score: number }> | null>) {
    if (!batch) break;
    batches += 1;
    out.push(...batch.map((h) => ({ id: String(h.id), score: h.score })));
    if (batches > LIMIT) throw new Error("the iterator does not end");
  }
  return out;
}

async function plain(client: MilvusClient, name: string, metric: string): Promise<string[]> {
  const res = await client.search({
    collection_name: name,
    data: vector(7),
    anns_field: "vector",
    limit: LIMIT,
    params: { metric_type: metric },
    output_fields: ["id"],
  });
  return (res.results as Array<{ id: string }>).map((h) => String(h.id));
}

describe("search iterator v2 on the local backend", () => {
  for (const c of CASES) {
    it(`${c.metric} (${c.index}): the batches are one plain search of the same limit, on both clusters`, async () => {
      for (const client of [primary, standby]) {
        const hits = await iterate(client, c.name, c.metric);
        expect(hits).toHaveLength(LIMIT);
        // No key twice, every score no closer than the one before it.
        expect(new Set(hits.map((h) => h.id)).size).toBe(LIMIT);
        const larger = c.metric !== "L2";
        for (let i = 1; i < hits.length; i++) {
          const [a, b] = [hits[i - 1]?.score ?? 0, hits[i]?.score ?? 0];
          expect(larger ? b <= a : b >= a).toBe(true);
        }
        expect(new Set(hits.map((h) => h.id))).toEqual(new Set(await plain(client, c.name, c.metric)));
      }
    }, 120_000);
  }

  it("an iterator asked for more than the collection holds ends after the last row", async () => {
    const it = await primary.searchIterator({
      collection_name: "iter_l2",
      data: vector(3),
      anns_field: "vector",
      batchSize: 120,
      limit: ROWS + 100,
      params: { metric_type: "L2" },
    });
    let n = 0;
    for await (const batch of it as AsyncIterable<unknown[] | null>) {
      if (!batch) break;
      n += batch.length;
    }
    expect(n).toBe(ROWS);
  }, 60_000);
});
