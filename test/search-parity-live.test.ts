/**
 * search-parity through the Node SDK against real Milvus Lite, directly and through the local fronts:
 * the hit's key is read under the collection's own pk name (`id`, `pk`), whatever the index and metric.
 * Before this, every key read `undefined`: FLAT compared distances only and every ANN index "failed".
 */
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { checkSearchParity } from "../src/checkers/search-parity.js";
import type { FinalState, Thresholds } from "../src/checkers/types.js";
import { hitKey } from "../src/verify/search.js";
import { verifyClusters } from "../src/verify/verify.js";
import { startTestLab, waitFor } from "./helpers/lab.js";
import { startTwoLites, type TwoLites } from "./helpers/two-lites.js";

const thresholds: Thresholds = {
  lagSloMs: 5000,
  recoveryTimeoutMs: 30_000,
  catchUpTimeoutMs: 60_000,
  minRecall: 0.9,
  rpoMs: 0,
  rtoMs: 60_000,
  distanceEpsilon: 1e-4,
};

interface Case {
  name: string;
  pk: "id" | "pk";
  index: "FLAT" | "HNSW" | "AUTOINDEX";
  metric: "L2" | "IP" | "COSINE";
}

/** Every index with every metric, both pk names; the last is pymilvus' quick setup (id, AUTOINDEX, COSINE). */
const CASES: Case[] = [
  { name: "flat_l2_id", pk: "id", index: "FLAT", metric: "L2" },
  { name: "flat_ip_pk", pk: "pk", index: "FLAT", metric: "IP" },
  { name: "flat_cos_pk", pk: "pk", index: "FLAT", metric: "COSINE" },
  { name: "hnsw_l2_pk", pk: "pk", index: "HNSW", metric: "L2" },
  { name: "hnsw_ip_id", pk: "id", index: "HNSW", metric: "IP" },
  { name: "hnsw_cos_id", pk: "id", index: "HNSW", metric: "COSINE" },
  { name: "auto_l2_pk", pk: "pk", index: "AUTOINDEX", metric: "L2" },
  { name: "auto_ip_pk", pk: "pk", index: "AUTOINDEX", metric: "IP" },
  { name: "quick_setup", pk: "id", index: "AUTOINDEX", metric: "COSINE" },
];
const DIM = 8;
/** Fewer rows than k: every query returns every row, so one re-keyed row shows in every query. */
const ROWS = 6;

function vector(i: number): number[] {
  return Array.from({ length: DIM }, (_, d) => Math.sin(i * 7.3 + d * 1.1) + (d === 0 ? 1.5 : 0));
}

async function create(client: MilvusClient, c: Case, keys: number[]): Promise<void> {
  await client.createCollection({
    collection_name: c.name,
    fields: [
      { name: c.pk, data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: "vector", data_type: DataType.FloatVector, dim: DIM },
    ],
  });
  await client.createIndex({
    collection_name: c.name,
    field_name: "vector",
    index_type: c.index,
    metric_type: c.metric,
    ...(c.index === "HNSW" ? { params: { M: 8, efConstruction: 64 } } : {}),
  });
  await client.loadCollection({ collection_name: c.name });
  await client.insert({
    collection_name: c.name,
    data: keys.map((k, i) => ({ [c.pk]: k, vector: vector(i) })),
  });
}

function searchOf(final: FinalState, name: string) {
  const s = final.search.find((r) => r.collection === name);
  if (!s) throw new Error(`no search result for ${name}`);
  return s;
}

describe("hitKey", () => {
  it("reads the key under the pk field name, else the SDK's id", () => {
    expect(hitKey({ score: 1, pk: 7 }, "pk")).toBe("7");
    expect(hitKey({ score: 1, id: "12345678901234567890" }, "id")).toBe("12345678901234567890");
    expect(hitKey({ score: 1, id: 3 }, "pk")).toBe("3");
    expect(hitKey({ score: 1 }, "pk")).toBeUndefined();
  });
});

describe("search-parity on two Milvus Lite servers (directly)", () => {
  let lites: TwoLites;
  beforeAll(async () => {
    lites = await startTwoLites();
    const src = new MilvusClient({ address: lites.source.uri, logLevel: "error" });
    const tgt = new MilvusClient({ address: lites.target.uri, logLevel: "error" });
    const keys = Array.from({ length: ROWS }, (_, i) => 100 + i);
    for (const c of CASES) {
      await create(src, c, keys);
      // The standby's copy of each "_diff" collection holds the same vectors, one under another key.
      await create(tgt, c, keys);
      const diff = { ...c, name: `${c.name}_diff` };
      await create(src, diff, keys);
      await create(
        tgt,
        diff,
        keys.map((k, i) => (i === 0 ? 999 : k)),
      );
    }
    await src.closeConnection();
    await tgt.closeConnection();
  }, 180_000);
  afterAll(async () => {
    await lites?.stop();
  });

  it("passes identical collections for every pk name, index and metric, comparing real keys", async () => {
    const r = await verifyClusters({
      source: { uri: lites.source.uri },
      target: { uri: lites.target.uri },
      collections: CASES.map((c) => c.name),
      searchQueries: 4,
      k: 10,
      targetConsistency: "Strong",
    });
    for (const c of CASES) {
      const s = searchOf(r.final, c.name);
      expect(s.error, c.name).toBeUndefined();
      const keys = s.queries.flatMap((q) => [...q.source, ...q.target].map((h) => h.pk));
      expect(keys.length, c.name).toBeGreaterThan(0);
      expect(
        keys.every((k) => /^10\d$/.test(k)),
        `${c.name}: ${keys.join(",")}`,
      ).toBe(true);
    }
    const check = checkSearchParity([], r.final, { thresholds });
    expect(check.verdict, check.summary).toBe("pass");
    expect(check.observed).toBe(CASES.length * 4);
  });

  it("fails when one hit's key differs, for every pk name, index and metric", async () => {
    for (const c of CASES) {
      const r = await verifyClusters({
        source: { uri: lites.source.uri },
        target: { uri: lites.target.uri },
        collections: [`${c.name}_diff`],
        searchQueries: 4,
        k: 10,
        targetConsistency: "Strong",
      });
      const check = checkSearchParity([], r.final, { thresholds });
      expect(check.verdict, `${c.name}: ${check.summary}`).toBe("fail");
      expect(check.summary, c.name).toMatch(c.index === "FLAT" ? /999|100/ : /recall/);
    }
  });
});

describe("search-parity through the local fronts (a replicated standby)", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ replicate: true });
    const src = new MilvusClient({ address: lab.source.uri, logLevel: "error" });
    const tgt = new MilvusClient({ address: lab.target.uri, logLevel: "error" });
    const keys = Array.from({ length: ROWS }, (_, i) => 100 + i);
    for (const c of CASES) await create(src, c, keys);
    for (const c of CASES) {
      await waitFor(
        `${c.name} replicated with ${ROWS} rows`,
        async () => {
          const res = await tgt
            .query({ collection_name: c.name, filter: "", output_fields: ["count(*)"] })
            .catch(() => undefined);
          return Number(res?.data?.[0]?.["count(*)"] ?? 0) === ROWS;
        },
        60_000,
      );
    }
    await src.closeConnection();
    await tgt.closeConnection();
  }, 240_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it("passes the replicated copies, with keys under `id` and `pk`", async () => {
    const r = await verifyClusters({
      source: lab.source,
      target: lab.target,
      collections: CASES.map((c) => c.name),
      searchQueries: 3,
      k: 10,
    });
    for (const c of CASES) {
      const s = searchOf(r.final, c.name);
      expect(s.error, c.name).toBeUndefined();
      expect(s.queries[0]?.source.map((h) => h.pk).sort(), c.name).toEqual(
        Array.from({ length: ROWS }, (_, i) => String(100 + i)),
      );
    }
    const check = checkSearchParity([], r.final, { thresholds });
    expect(check.verdict, check.summary).toBe("pass");
    expect(check.observed).toBe(CASES.length * 3);
  });
});
