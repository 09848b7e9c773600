/**
 * Search iterator v2 on the local backend. Milvus (2.5.8+) serves it in the server: a Search whose
 * search_params carry `search_iter_v2` returns one batch plus `search_iterator_v2_results` (a token
 * for the iteration and the batch's last distance, `last_bound`); the next call sends both back and
 * gets the hits strictly beyond that bound. Milvus Lite answers such a Search with no token, so
 * pymilvus falls back to its v1 iterator, which in pymilvus 3.0.2 fails before any request
 * (search_iterator.py passes `param=` twice; milvus_client.py falls back on ServerVersionIncompatible).
 * The front therefore serves v2 itself over plain Milvus Lite searches:
 *
 * - the hits before the bound are counted with a probe search (no output fields), doubling its topk
 *   until a hit beyond the bound shows or the results run out;
 * - the batch is the original request with `offset` = that count and `topk` = the batch size;
 * - Milvus's topk + offset cap (16384) ends the iteration there: a local limit, listed in limits.ts.
 *
 * Stateless: the token is minted on the first call and only echoed back, so a retried call returns
 * the same batch, and either cluster of a pair answers the same way.
 */
import { randomUUID } from "node:crypto";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  kvValue,
  statusResponse,
} from "../../../milvus/proto.js";
import { isSuccess, type MilvusStatus } from "../../../milvus/status.js";
import { invalidParameter } from "../common/statuses.js";

type Bytes = Buffer;
type Kv = { key: string; value: string };

export const ITER_KEYS = {
  v2: "search_iter_v2",
  batchSize: "search_iter_batch_size",
  lastBound: "search_iter_last_bound",
  id: "search_iter_id",
  iterator: "iterator",
} as const;

/** Milvus's limit on topk + offset of one search (proxy: `topk + offset <= 16384`). */
export const MAX_TOPK_PLUS_OFFSET = 16384;

/** Metrics where a larger score is a closer hit (Milvus's `PositivelyRelated`). */
const LARGER_IS_CLOSER = new Set(["IP", "COSINE", "BM25", "MAX_SIM", "MAX_SIM_IP", "MAX_SIM_COSINE"]);

interface SearchRequestLike {
  search_params?: Kv[];
  output_fields?: string[];
  nq?: string | number;
  [k: string]: unknown;
}

interface SearchResultsLike {
  status?: MilvusStatus;
  results?: {
    scores?: number[];
    topks?: Array<string | number>;
    search_iterator_v2_results?: { token?: string; last_bound?: number };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && v.toLowerCase() === "true";
}

/** The metric the request names (top-level `metric_type`, or inside the `params` JSON), upper case. */
function metricOf(kvs: Kv[]): string | undefined {
  const direct = kvValue(kvs, "metric_type");
  if (direct) return direct.toUpperCase();
  const raw = kvValue(kvs, "params");
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as { metric_type?: unknown };
    return typeof p.metric_type === "string" ? p.metric_type.toUpperCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `score` lies strictly beyond `bound` (further from the query). With no metric named, the
 * order the server returned decides: ascending scores mean smaller is closer.
 */
export function beyond(score: number, bound: number, largerIsCloser: boolean): boolean {
  return largerIsCloser ? score < bound : score > bound;
}

function withParams(kvs: Kv[], set: Record<string, string>): Kv[] {
  const drop = new Set<string>([...Object.values(ITER_KEYS), "offset", "topk", ...Object.keys(set)]);
  return [
    ...kvs.filter((kv) => !drop.has(kv.key)),
    ...Object.entries(set).map(([key, value]) => ({ key, value })),
  ];
}

export type SearchCall = (request: Bytes) => Promise<Bytes>;

/**
 * One iterator-v2 Search answered over plain Milvus Lite searches (see the header), or undefined when
 * the request does not ask for iterator v2 (the caller sends it on as it is).
 */
export async function searchIteratorV2(request: Bytes, search: SearchCall): Promise<Bytes | undefined> {
  const req = decodeRequest<SearchRequestLike>("Search", request);
  const kvs = req.search_params ?? [];
  if (!truthy(kvValue(kvs, ITER_KEYS.v2))) return undefined;
  const batch = Number(kvValue(kvs, ITER_KEYS.batchSize) ?? kvValue(kvs, "topk") ?? 0);
  if (!Number.isInteger(batch) || batch <= 0)
    return refusal(`search iterator v2: ${ITER_KEYS.batchSize} must be a positive integer`);
  if (Number(req.nq ?? 1) > 1) return refusal("search iterator v2 takes one query vector (nq = 1)");
  const token = kvValue(kvs, ITER_KEYS.id) || randomUUID();
  const boundRaw = kvValue(kvs, ITER_KEYS.lastBound);
  const bound = boundRaw === undefined || boundRaw === "" ? undefined : Number(boundRaw);
  const metric = metricOf(kvs);

  const send = async (set: Record<string, string>, outputFields?: string[]) => {
    const body: SearchRequestLike = { ...req, search_params: withParams(kvs, set) };
    if (outputFields) body.output_fields = outputFields;
    return decodeResponse<SearchResultsLike>("Search", await search(encodeRequest("Search", body)));
  };

  // How many hits lie at or before the bound: they were returned by earlier batches.
  let skip = 0;
  let largerIsCloser = metric !== undefined ? LARGER_IS_CLOSER.has(metric) : undefined;
  if (bound !== undefined && Number.isFinite(bound)) {
    for (let k = Math.min(MAX_TOPK_PLUS_OFFSET, Math.max(batch * 2, 64)); ; ) {
      const probe = await send({ topk: String(k), offset: "0" }, []);
      if (!isSuccess(probe.status)) return encodeResponse("Search", probe);
      const scores = probe.results?.scores ?? [];
      if (largerIsCloser === undefined && scores.length >= 2)
        largerIsCloser = (scores[0] ?? 0) > (scores[scores.length - 1] ?? 0);
      const i = scores.findIndex((s) => beyond(s, bound, largerIsCloser ?? false));
      if (i >= 0) {
        skip = i;
        break;
      }
      skip = scores.length;
      if (scores.length < k || k >= MAX_TOPK_PLUS_OFFSET) break;
      k = Math.min(MAX_TOPK_PLUS_OFFSET, k * 2);
    }
  }
  const room = MAX_TOPK_PLUS_OFFSET - skip;
  if (room <= 0) return emptyPage(await send({ topk: "1", offset: "0" }), token, bound);
  const page = await send({ topk: String(Math.min(batch, room)), offset: String(skip) });
  if (!isSuccess(page.status)) return encodeResponse("Search", page);
  const scores = page.results?.scores ?? [];
  const last = scores.length > 0 ? scores[scores.length - 1] : bound;
  page.results = {
    ...(page.results ?? {}),
    search_iterator_v2_results: { token, ...(last !== undefined ? { last_bound: last } : {}) },
  };
  return encodeResponse("Search", page);
}

/** The iteration has run past Milvus's topk + offset cap: an empty batch, which ends it. */
function emptyPage(template: SearchResultsLike, token: string, bound: number | undefined): Bytes {
  return encodeResponse("Search", {
    status: template.status ?? {},
    ...(template.collection_name !== undefined ? { collection_name: template.collection_name } : {}),
    results: {
      num_queries: 1,
      top_k: 0,
      scores: [],
      topks: [0],
      search_iterator_v2_results: { token, ...(bound !== undefined ? { last_bound: bound } : {}) },
    },
  });
}

function refusal(reason: string): Bytes {
  return statusResponse("Search", invalidParameter(reason));
}
