import { DataType, FunctionType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

const COLL = "text_en";
const TEXTS = [
  "The quick brown fox jumps over the lazy dog",
  "Foxes are running quickly",
  "A brown dog runs",
  "brown lazy fox",
  "vector databases search similar vectors",
  "the the the",
];

describe("local lab: analyzers Milvus Lite does not run, PHRASE_MATCH and BM25 on them, replicated", () => {
  let lab: Lab;
  let src: MilvusClient;
  let tgt: MilvusClient;

  beforeAll(async () => {
    lab = await startTestLab({ replicate: true });
    src = new MilvusClient({ address: lab.source.uri, logLevel: "error" });
    tgt = new MilvusClient({ address: lab.target.uri, logLevel: "error" });
    const created = await src.createCollection({
      collection_name: COLL,
      fields: [
        { name: "id", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        {
          name: "body",
          data_type: DataType.VarChar,
          max_length: 512,
          enable_analyzer: true,
          enable_match: true,
          analyzer_params: { type: "english" },
        },
        {
          name: "plain",
          data_type: DataType.VarChar,
          max_length: 512,
          enable_analyzer: true,
          enable_match: true,
        },
        { name: "sparse", data_type: DataType.SparseFloatVector },
        { name: "vec", data_type: DataType.FloatVector, dim: 2 },
        { name: "category", data_type: DataType.VarChar, max_length: 16 },
      ],
      functions: [
        {
          name: "bm25",
          type: FunctionType.BM25,
          input_field_names: ["body"],
          output_field_names: ["sparse"],
          params: {},
        },
      ],
    });
    expect(created.error_code).toBe("Success");
    const inserted = await src.insert({
      collection_name: COLL,
      data: TEXTS.map((t, i) => ({ id: i + 1, body: t, plain: t, vec: [i, 1], category: `c${i}` })),
    });
    expect(inserted.status.error_code).toBe("Success");
    for (const [field, index_type, metric_type] of [
      ["sparse", "SPARSE_INVERTED_INDEX", "BM25"],
      ["vec", "FLAT", "L2"],
    ] as const)
      expect(
        (await src.createIndex({ collection_name: COLL, field_name: field, index_type, metric_type }))
          .error_code,
      ).toBe("Success");
    expect((await src.loadCollectionSync({ collection_name: COLL })).error_code).toBe("Success");
    await waitFor("the rows on the standby", async () => {
      const r = await tgt.query({ collection_name: COLL, filter: "id > 0", output_fields: ["id"] });
      return r.data?.length === TEXTS.length;
    });
    await waitFor(
      "the standby loaded",
      async () => (await tgt.getLoadState({ collection_name: COLL })).state === "LoadStateLoaded",
    );
  }, 180_000);

  afterAll(async () => {
    await src?.closeConnection();
    await tgt?.closeConnection();
    await lab?.stop();
  });

  const ids = async (c: MilvusClient, filter: string) => {
    const r = await c.query({ collection_name: COLL, filter, output_fields: ["id"] });
    expect(r.status.error_code, r.status.reason).toBe("Success");
    return r.data.map((row) => Number(row.id)).sort((a, b) => a - b);
  };

  it("describe_collection reports the analyzer asked for on both clusters", async () => {
    for (const c of [src, tgt]) {
      const d = await c.describeCollection({ collection_name: COLL });
      const body = d.schema.fields.find((f) => f.name === "body");
      const params = Object.fromEntries((body?.type_params ?? []).map((p) => [p.key, p.value]));
      expect(JSON.parse(String(params.analyzer_params))).toEqual({ type: "english" });
    }
  });

  it("TEXT_MATCH on an english field matches stems, as Milvus does; the same on the standby", async () => {
    for (const c of [src, tgt]) {
      expect(await ids(c, "TEXT_MATCH(body, 'run')")).toEqual([2, 3]);
      // Milvus Lite's own standard analysis (the plain field) matches only the word as written.
      expect(await ids(c, "TEXT_MATCH(plain, 'runs')")).toEqual([3]);
      expect(await ids(c, "TEXT_MATCH(body, 'the')")).toEqual([]);
    }
  });

  it("PHRASE_MATCH with slop, combined with other conditions, on any analyzed field", async () => {
    for (const c of [src, tgt]) {
      expect(await ids(c, "PHRASE_MATCH(body, 'brown fox', 0)")).toEqual([1]);
      expect(await ids(c, "PHRASE_MATCH(body, 'brown fox', 1)")).toEqual([1, 4]);
      expect(await ids(c, "PHRASE_MATCH(body, 'brown fox', 1) and category != 'c0'")).toEqual([4]);
      expect(await ids(c, "PHRASE_MATCH(plain, 'brown foxes')")).toEqual([]);
      expect(await ids(c, "PHRASE_MATCH(plain, 'brown fox') or id == 6")).toEqual([1, 6]);
    }
    const bad = await src.query({
      collection_name: COLL,
      filter: "PHRASE_MATCH(body, {p})",
      output_fields: ["id"],
    });
    expect(bad.status.error_code).not.toBe("Success");
    expect(bad.status.reason).toContain("cannot read PHRASE_MATCH");
  });

  it("BM25 search on an english field ranks stems by Milvus's formula, with filter and output fields; equal on the standby", async () => {
    const search = (c: MilvusClient, filter?: string) =>
      c.search({
        collection_name: COLL,
        data: ["running foxes"],
        anns_field: "sparse",
        limit: 3,
        output_fields: ["id", "category"],
        ...(filter ? { filter } : {}),
      });
    type Hit = { id: string; score: number; category: string };
    const [a, b] = await Promise.all([search(src), search(tgt)]);
    expect(a.status.error_code, a.status.reason).toBe("Success");
    const rows = a.results as unknown as Hit[];
    const hits = rows.map((h) => [Number(h.id), h.category]);
    expect(hits[0]).toEqual([2, "c1"]);
    // "running foxes" -> run, fox: row 2 holds both, rows 3 (run) and 4 (fox) one each, row 1 (fox) is longer.
    expect(hits.map((h) => h[0])).toEqual([2, 3, 4]);
    expect(rows.every((h, i) => i === 0 || h.score <= (rows[i - 1]?.score ?? 0))).toBe(true);
    expect(b.results).toEqual(a.results);
    const filtered = (await search(src, "category in ['c0', 'c3']")).results as unknown as Hit[];
    expect(filtered.map((h) => Number(h.id))).toEqual([4, 1]);
  });

  it("BM25 on a field Milvus Lite analyzes itself: no metric needed, Milvus's positive scores, most relevant first", async () => {
    const name = "text_std";
    const made = await src.createCollection({
      collection_name: name,
      fields: [
        { name: "id", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "body", data_type: DataType.VarChar, max_length: 256, enable_analyzer: true },
        { name: "sparse", data_type: DataType.SparseFloatVector },
      ],
      functions: [
        {
          name: "bm25",
          type: FunctionType.BM25,
          input_field_names: ["body"],
          output_field_names: ["sparse"],
          params: {},
        },
      ],
    });
    expect(made.error_code).toBe("Success");
    await src.insert({
      collection_name: name,
      data: [
        { id: 1, body: "a fox and a fox" },
        { id: 2, body: "one fox among many other words here" },
        { id: 3, body: "no animal" },
      ],
    });
    await src.createIndex({
      collection_name: name,
      field_name: "sparse",
      index_type: "SPARSE_INVERTED_INDEX",
      metric_type: "BM25",
    });
    await src.loadCollectionSync({ collection_name: name });
    await waitFor("the rows on the standby", async () => {
      const r = await tgt.query({ collection_name: name, filter: "id > 0", output_fields: ["id"] });
      return r.data?.length === 3;
    });
    await waitFor(
      "the standby loaded",
      async () => (await tgt.getLoadState({ collection_name: name })).state === "LoadStateLoaded",
    );
    for (const c of [src, tgt]) {
      const r = await c.search({
        collection_name: name,
        data: ["fox"],
        anns_field: "sparse",
        limit: 3,
        output_fields: ["id"],
      });
      expect(r.status.error_code, r.status.reason).toBe("Success");
      const hits = r.results as unknown as Array<{ id: string; score: number }>;
      expect(hits.map((h) => Number(h.id))).toEqual([1, 2]);
      expect((hits[0]?.score ?? 0) > (hits[1]?.score ?? 0) && (hits[1]?.score ?? 0) > 0).toBe(true);
    }
  });

  it("refuses, with one line, an analyzer the local backend does not run and a hybrid search it would rank wrongly", async () => {
    // The SDK throws a create_collection's error status.
    const refused = await src
      .createCollection({
        collection_name: "icu_text",
        fields: [
          { name: "id", data_type: DataType.Int64, is_primary_key: true, autoID: false },
          { name: "vec", data_type: DataType.FloatVector, dim: 2 },
          {
            name: "t",
            data_type: DataType.VarChar,
            max_length: 64,
            enable_analyzer: true,
            analyzer_params: { tokenizer: "icu" },
          },
        ],
      })
      .catch((e: { error_code?: string; reason?: string }) => e);
    expect(refused.error_code).not.toBe("Success");
    expect(refused.reason).toMatch(
      /^field 't': tokenizer "icu" is not supported: the local backend runs .*kind backend$/,
    );
    expect((await src.hasCollection({ collection_name: "icu_text" })).value).toBe(false);

    const hybrid = await src.hybridSearch({
      collection_name: COLL,
      data: [
        { data: "running foxes", anns_field: "sparse" },
        { data: [1, 1], anns_field: "vec" },
      ],
      limit: 3,
    });
    expect(hybrid.status.error_code).not.toBe("Success");
    expect(hybrid.status.reason).toContain("hybrid search with a BM25 request on 'body'");
  });
});
