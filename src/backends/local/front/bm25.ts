/**
 * BM25 full-text search on a field whose analyzer the front runs (text-analysis.ts): Milvus Lite holds
 * such a field with `standard`, so its sparse vectors are the wrong terms; the front ranks the rows
 * itself. As Milvus (knowhere's sparse inverted index with metric BM25), the score of a document for
 * a query is the sum over the query's terms t (each counted as often as it occurs in the query) of
 *   idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)),   idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)),
 * with N, df and avgdl over the rows searched (the partitions named, every row when none), k1 and b
 * from the index (`bm25_k1`, default 1.2; `bm25_b`, default 0.75); higher is closer. The filter, limit,
 * offset, round_decimal and output fields apply as in Milvus. Grouping and range search are refused
 * with one line, never approximated.
 */
import {
  decode,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isSuccess,
  kvValue,
  statusResponse,
} from "../../../milvus/proto.js";
import { invalidParameter } from "../common/statuses.js";
import type { Token } from "./text-analysis.js";
import {
  type AnalyzerStore,
  collectionText,
  type LiteCall,
  pkList,
  rewriteMatches,
  scanRows,
} from "./text-match.js";

type Kv = { key?: string; value?: string };
interface SearchReq {
  db_name?: string;
  collection_name?: string;
  partition_names?: string[];
  dsl?: string;
  placeholder_group?: Buffer;
  output_fields?: string[];
  search_params?: Kv[];
}

const refusal = (reason: string): Buffer => statusResponse("Search", invalidParameter(reason));

/** The text queries of a Search, or undefined when it searches with vectors (Milvus Lite's case). */
function textQueries(req: SearchReq): string[] | undefined {
  if (!req.placeholder_group || req.placeholder_group.length === 0) return undefined;
  const group = decode<{ placeholders?: Array<{ type?: string; values?: Buffer[] }> }>(
    "common.PlaceholderGroup",
    req.placeholder_group,
  );
  const p = group.placeholders?.[0];
  if (p?.type !== "VarChar") return undefined;
  return (p.values ?? []).map((v) => v.toString("utf8"));
}

/** Reads a search's JSON `params` (or a flat key) as a number. */
function numberParam(kvs: Kv[] | undefined, key: string): number | undefined {
  const flat = kvValue(kvs, key);
  if (flat !== undefined) return Number(flat);
  const json = kvValue(kvs, "params");
  if (!json) return undefined;
  try {
    const v = (JSON.parse(json) as Record<string, unknown>)[key];
    return v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

async function indexParams(call: LiteCall, db: string, collection: string, field: string) {
  const res = decodeResponse<{ index_descriptions?: Array<{ field_name?: string; params?: Kv[] }> }>(
    "DescribeIndex",
    await call(
      "DescribeIndex",
      encodeRequest("DescribeIndex", { db_name: db, collection_name: collection, field_name: field }),
    ),
  );
  const params = res.index_descriptions?.find((d) => d.field_name === field)?.params;
  return { k1: numberParam(params, "bm25_k1") ?? 1.2, b: numberParam(params, "bm25_b") ?? 0.75 };
}

/** BM25 scores of `docs` for a query, as in the header. */
export function bm25Scores(docs: Token[][], query: Token[], k1: number, b: number): number[] {
  const n = docs.length;
  const avgdl = n === 0 ? 0 : docs.reduce((s, d) => s + d.length, 0) / n;
  const qtf = new Map<string, number>();
  for (const t of query) qtf.set(t.text, (qtf.get(t.text) ?? 0) + 1);
  const tfs = docs.map((d) => {
    const m = new Map<string, number>();
    for (const t of d) if (qtf.has(t.text)) m.set(t.text, (m.get(t.text) ?? 0) + 1);
    return m;
  });
  const idf = new Map<string, number>();
  for (const term of qtf.keys()) {
    const df = tfs.reduce((s, m) => s + (m.has(term) ? 1 : 0), 0);
    idf.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  }
  return tfs.map((m, i) => {
    const dl = (docs[i] as Token[]).length;
    let score = 0;
    for (const [term, tf] of m) {
      const norm = avgdl === 0 ? 1 : 1 - b + (b * dl) / avgdl;
      score += (qtf.get(term) ?? 0) * (idf.get(term) ?? 0) * ((tf * (k1 + 1)) / (tf + k1 * norm));
    }
    return score;
  });
}

type FieldData = Record<string, unknown> & {
  field_name?: string;
  scalars?: Record<string, { data?: unknown[] } | undefined>;
  vectors?: Record<string, unknown> & { dim?: string | number };
  valid_data?: boolean[];
};

/** The rows `rows` of a column, in that order (repeats allowed). */
function takeRows(col: FieldData, rows: number[], total: number): FieldData {
  const out: FieldData = { ...col };
  if (col.valid_data && col.valid_data.length === total)
    out.valid_data = rows.map((r) => col.valid_data?.[r] ?? false);
  if (col.scalars) {
    const scalars: FieldData["scalars"] = {};
    for (const [k, v] of Object.entries(col.scalars)) {
      if (!v || !Array.isArray(v.data)) {
        scalars[k] = v;
        continue;
      }
      const data = v.data;
      if (data.length !== total && data.length > 0)
        throw new Error(
          `cannot order the column '${col.field_name}' (${data.length} values for ${total} rows)`,
        );
      scalars[k] = { ...v, data: data.length === 0 ? [] : rows.map((r) => data[r]) };
    }
    out.scalars = scalars;
  }
  if (col.vectors) {
    const dim = Number(col.vectors.dim ?? 0);
    const fv = col.vectors.float_vector as { data?: number[] } | undefined;
    const sv = col.vectors.sparse_float_vector as { contents?: Buffer[]; dim?: string } | undefined;
    if (fv?.data)
      out.vectors = {
        ...col.vectors,
        float_vector: { data: rows.flatMap((r) => fv.data?.slice(r * dim, (r + 1) * dim) ?? []) },
      };
    else if (sv?.contents)
      out.vectors = {
        ...col.vectors,
        sparse_float_vector: { ...sv, contents: rows.map((r) => sv.contents?.[r] as Buffer) },
      };
    else
      throw new Error(
        `cannot return the vector field '${col.field_name}' from a BM25 search on the local backend`,
      );
  }
  return out;
}

/** A Search decoded once: the request, and its text queries when it searches with text (BM25). */
export interface TextSearch {
  req: SearchReq;
  queries: string[] | undefined;
}

export function parseSearch(request: Buffer): TextSearch {
  const req = decodeRequest<SearchReq>("Search", request);
  return { req, queries: textQueries(req) };
}

/** What a BM25 text search on a field the front analyzes searches, or undefined for any other search. */
async function bm25Target(
  req: SearchReq,
  queries: string[] | undefined,
  db: string,
  call: LiteCall,
  store: AnalyzerStore,
  realName: (name: string) => string,
) {
  if (!queries) return undefined;
  const collection = realName(req.collection_name ?? "");
  if (!store.keptOf(db, collection)) return undefined;
  const text = await collectionText(call, store, db, collection);
  if (!text) return undefined;
  const kvs = req.search_params ?? [];
  const bm25 = (text.schema.functions ?? []).filter((f) => f.type === "BM25");
  const anns =
    kvValue(kvs, "anns_field") || (bm25.length === 1 ? bm25[0]?.output_field_names?.[0] : undefined);
  const fn = bm25.find((f) => f.output_field_names?.includes(anns ?? ""));
  const input = fn?.input_field_names?.[0];
  const kind = input === undefined ? undefined : text.analyzers.get(input);
  if (!fn || !input || !anns || kind?.kind !== "front") return undefined;
  return { collection, queries, text, kvs, anns, input, analyze: kind.analyze };
}

/**
 * A HybridSearch with a BM25 text request on a field the front analyzes is refused with one line (the
 * front does not rank hybrid searches); undefined for every other (sent on to Milvus Lite).
 */
export async function hybridRefusal(
  request: Buffer,
  db: string,
  call: LiteCall,
  store: AnalyzerStore,
  realName: (name: string) => string,
): Promise<Buffer | undefined> {
  const req = decodeRequest<SearchReq & { requests?: SearchReq[] }>("HybridSearch", request);
  if (!store.keptOf(db, realName(req.collection_name ?? ""))) return undefined;
  for (const sub of req.requests ?? []) {
    const t = await bm25Target(
      { ...sub, collection_name: req.collection_name },
      textQueries(sub),
      db,
      call,
      store,
      realName,
    );
    if (t)
      return statusResponse(
        "HybridSearch",
        invalidParameter(
          `a hybrid search with a BM25 request on '${t.input}', whose analyzer the local backend runs itself, is not supported; use the kind backend`,
        ),
      );
  }
  return undefined;
}

/**
 * A Search the front answers (a BM25 text search on a field it analyzes), or undefined for every other
 * Search (sent on to Milvus Lite as it is).
 */
export async function bm25Search(
  search: TextSearch,
  db: string,
  call: LiteCall,
  store: AnalyzerStore,
  realName: (name: string) => string,
): Promise<Buffer | undefined> {
  const { req, queries: asked } = search;
  const target = await bm25Target(req, asked, db, call, store, realName);
  if (!target) return undefined;
  const { collection, queries, text, kvs, anns, input, analyze } = target;
  const metric = kvValue(kvs, "metric_type");
  if (metric && metric.toUpperCase() !== "BM25")
    return refusal(`metric type not match: expected=BM25, actual=${metric}`);
  for (const key of ["group_by_field", "radius", "range_filter"])
    if (kvValue(kvs, key) !== undefined || numberParam(kvs, key) !== undefined)
      return refusal(
        `${key} on a BM25 search of a field whose analyzer the local backend runs itself ('${input}') is not supported; use the kind backend`,
      );
  const limit = Number(kvValue(kvs, "topk") ?? kvValue(kvs, "limit") ?? 10);
  const offset = Number(kvValue(kvs, "offset") ?? 0);
  const round = Number(kvValue(kvs, "round_decimal") ?? -1);
  if (!Number.isInteger(limit) || limit <= 0) return refusal(`topk must be a positive integer, got ${limit}`);

  const partitions = req.partition_names ?? [];
  const all = await scanRows(call, db, collection, text.pk, [input], { partitions });
  let candidates: Set<string> | undefined;
  if (req.dsl && req.dsl.trim() !== "") {
    const expr = await rewriteMatches(req.dsl, async () => text, call, db, collection);
    candidates = new Set((await scanRows(call, db, collection, text.pk, [], { expr, partitions })).keys);
  }
  const docs = (all.values.get(input) ?? []).map((v) => (v === null ? [] : analyze(v)));
  const { k1, b } = await indexParams(call, db, collection, anns);

  const ids: string[] = [];
  const scores: number[] = [];
  const topks: number[] = [];
  for (const q of queries) {
    const s = bm25Scores(docs, analyze(q), k1, b);
    const ranked = all.keys
      .map((key, i) => ({ key, score: s[i] as number }))
      .filter((h) => h.score > 0 && (!candidates || candidates.has(h.key)))
      .sort((x, y) => y.score - x.score)
      .slice(offset, offset + limit);
    topks.push(ranked.length);
    for (const h of ranked) {
      ids.push(h.key);
      scores.push(round >= 0 ? Number(h.score.toFixed(round)) : h.score);
    }
  }

  const outputFields = req.output_fields ?? [];
  let fieldsData: FieldData[] = [];
  let outputNames: string[] = [];
  if (outputFields.length > 0 && ids.length > 0) {
    const unique = [...new Set(ids)];
    const expr = pkList(text.pk, unique);
    const got = decodeResponse<{ status?: never; fields_data?: FieldData[]; output_fields?: string[] }>(
      "Query",
      await call(
        "Query",
        encodeRequest("Query", {
          db_name: db,
          collection_name: collection,
          expr,
          output_fields: [...new Set([text.pk.name ?? "", ...outputFields])],
          consistency_level: "Strong",
        }),
      ),
    );
    if (got.status && !isSuccess(got.status)) return encodeResponse("Search", { status: got.status });
    const cols = got.fields_data ?? [];
    const keyCol = cols.find((c) => c.field_name === text.pk.name);
    const keys = (keyCol?.scalars?.long_data?.data ?? keyCol?.scalars?.string_data?.data ?? []).map(String);
    const at = new Map(keys.map((k, i) => [k, i]));
    const rows = ids.map((k) => at.get(String(k)) ?? -1);
    if (rows.includes(-1)) throw new Error(`rows of '${collection}' vanished during a BM25 search`);
    const wanted = cols.filter(
      (c) => c.field_name !== text.pk.name || outputFields.includes(text.pk.name ?? ""),
    );
    fieldsData = wanted.map((c) => takeRows(c, rows, keys.length));
    outputNames = wanted.map((c) => c.field_name ?? "");
  }
  const isString = text.pk.data_type === "VarChar";
  return encodeResponse("Search", {
    status: {},
    collection_name: collection,
    results: {
      num_queries: queries.length,
      top_k: limit,
      scores,
      topks,
      ids: isString ? { str_id: { data: ids.map(String) } } : { int_id: { data: ids.map(String) } },
      fields_data: fieldsData,
      output_fields: outputNames,
      primary_field_name: text.pk.name,
    },
  });
}

/**
 * Milvus Lite's answer to a BM25 text search on a field it analyzes itself, with the scores Milvus gives.
 * Milvus Lite 3.2.2 returns BM25 scores negated (most relevant first, but -0.84 before -0.38), where
 * Milvus returns the positive score, larger closer; so a client's threshold on the score, and the
 * front's iterator v2 (which takes BM25 as larger-is-closer), see Milvus's numbers. A text query is
 * always a BM25 search here (Milvus's other text-input functions call embedding services, which Milvus
 * Lite does not have).
 */
export function liteBm25AsMilvus(search: TextSearch, response: Buffer): Buffer {
  if (!search.queries) return response;
  const res = decodeResponse<{ status?: never; results?: { scores?: number[]; distances?: number[] } }>(
    "Search",
    response,
  );
  if ((res.status && !isSuccess(res.status)) || !res.results) return response;
  const flip = (xs: number[] | undefined) => xs?.map((x) => (x === 0 ? 0 : -x));
  res.results.scores = flip(res.results.scores);
  if (res.results.distances?.length) res.results.distances = flip(res.results.distances);
  return encodeResponse("Search", res as Record<string, unknown>);
}

/**
 * A BM25 text search as Milvus Lite takes it: Milvus takes the metric from the index when a search
 * names none, Milvus Lite refuses it ("sparse field 'sparse' requires metric BM25, got ''"), so the
 * front names BM25 (the only metric a BM25 output is indexed with). Any other search is unchanged.
 */
export function withBm25Metric(search: TextSearch, request: Buffer): Buffer {
  const { req } = search;
  if (!search.queries || kvValue(req.search_params, "metric_type")) return request;
  const params = (req.search_params ?? []).filter((p) => p.key !== "metric_type");
  params.push({ key: "metric_type", value: "BM25" });
  return encodeRequest("Search", { ...req, search_params: params } as Record<string, unknown>);
}
