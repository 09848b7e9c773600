/**
 * Search parity sampling: the same top-k searches on both sides, with the same vectors and params.
 * This module only collects the hit lists; judging them (ties for FLAT, recall for ANN) is the
 * search-parity checker's job.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { SearchParityResult } from "../checkers/types.js";
import { isSuccess } from "../milvus/status.js";
import type { CollectionMeta } from "./meta.js";
import type { ConsistencyLevel } from "./raw-query.js";

export interface SearchParityOptions {
  collection: string;
  /** Metadata of the source side (the field, metric and index are taken from it). */
  meta: CollectionMeta;
  k?: number;
  /** Query vectors; default: `queries` seeded random vectors of the field's dim. */
  vectors?: number[][];
  queries?: number;
  seed?: number;
  sourceConsistency?: ConsistencyLevel;
  targetConsistency?: ConsistencyLevel;
}

/** mulberry32: a tiny seeded PRNG, so a run's query vectors can be regenerated from its seed. */
export function seededVectors(seed: number, n: number, dim: number): number[][] {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => Math.fround(next() * 2 - 1)));
}

type Hit = { id?: string | number; score: number } & Record<string, unknown>;

async function topK(
  client: MilvusClient,
  o: {
    collection: string;
    field: string;
    /** The primary key field: asked for by name, so 64-bit keys come back exact (as strings). */
    pkField: string;
    metric: string;
    k: number;
    vectors: number[][];
    consistency?: ConsistencyLevel;
  },
): Promise<Array<Array<{ pk: string; distance: number }>>> {
  const res = await client.search({
    collection_name: o.collection,
    anns_field: o.field,
    data: o.vectors,
    limit: o.k,
    metric_type: o.metric,
    // The SDK names a hit only by the fields asked for: without the key every hit would be anonymous.
    output_fields: [o.pkField],
    ...(o.consistency ? { consistency_level: o.consistency as never } : {}),
  });
  const status = res.status as { error_code?: string; code?: number; reason?: string };
  if (!isSuccess(status)) {
    throw new Error(`search on ${o.collection} failed: ${status.reason || `code ${status.code}`}`);
  }
  // The SDK returns a flat hit list for one query vector and a list of lists for several.
  const raw = res.results as unknown as Hit[] | Hit[][];
  const lists: Hit[][] = o.vectors.length === 1 && !Array.isArray(raw[0]) ? [raw as Hit[]] : (raw as Hit[][]);
  return lists.map((hits) => hits.map((h) => ({ pk: String(h[o.pkField] ?? h.id), distance: h.score })));
}

/**
 * Runs the searches on both sides. Returns null when the collection has no indexed float vector
 * field (nothing to search). Errors are returned in `error`, never thrown.
 */
export async function searchParity(
  source: MilvusClient,
  target: MilvusClient,
  o: SearchParityOptions,
): Promise<SearchParityResult | null> {
  const field = o.meta.vectorFields.find(
    (f) => f.type === "FloatVector" && o.meta.indexes.some((i) => i.field === f.name),
  );
  if (!field?.dim) return null;
  const index = o.meta.indexes.find((i) => i.field === field.name);
  const metric = index?.metric ?? "L2";
  const k = o.k ?? 10;
  const vectors = o.vectors ?? seededVectors(o.seed ?? 1, o.queries ?? 10, field.dim);
  const result: SearchParityResult = {
    collection: o.collection,
    field: field.name,
    metric,
    indexType: index?.type ?? "",
    k,
    queries: [],
  };
  try {
    const base = { collection: o.collection, field: field.name, pkField: o.meta.pkField, metric, k, vectors };
    const [s, t] = await Promise.all([
      topK(source, { ...base, consistency: o.sourceConsistency }),
      topK(target, { ...base, consistency: o.targetConsistency }),
    ]);
    result.queries = s.map((hits, q) => ({ source: hits, target: t[q] ?? [] }));
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  }
  return result;
}
