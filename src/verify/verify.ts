/**
 * Final-state verification of two live clusters: every collection compared (data, schema, indexes,
 * partitions, aliases, count(*) vs distinct keys) plus search parity samples. Used at the end of a
 * drill and by `milvus-cdc-drill verify` on a user's own primary and standby.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { CollectionFinal, FinalState, SearchParityResult } from "../checkers/types.js";
import { type CompareOptions, compareCollection, type SideReader } from "./compare.js";
import { listCollections, loadForRead, readLoadState, readMeta, sdkClient } from "./meta.js";
import { type ConsistencyLevel, type Endpoint, RawQueryClient } from "./raw-query.js";
import { scanPages } from "./scan.js";
import { searchParity } from "./search.js";

export interface VerifyOptions {
  source: Endpoint;
  target: Endpoint;
  /** Default: every collection on the source (plus any only the target has, which is itself a difference). */
  collections?: string[];
  versionField?: string;
  /** Search parity: number of seeded query vectors per collection (0 = none; default 10). */
  searchQueries?: number;
  k?: number;
  seed?: number;
  pageSize?: number;
  sampleLimit?: number;
  /**
   * Read consistency. The standby's defaults to Eventually: a CDC standby's time ticks only move when
   * data arrives, so a Strong read there can wait on a tick that never comes while the source is
   * idle. The caller has already waited for catch-up before verifying.
   */
  sourceConsistency?: ConsistencyLevel;
  targetConsistency?: ConsistencyLevel;
  /** Per-request timeout in ms (default 120 s). */
  timeoutMs?: number;
  /** Stops between collections once it fires (the drill was cancelled). */
  signal?: AbortSignal;
}

export interface VerifyResult {
  final: FinalState;
  elapsedMs: number;
  rowsCompared: number;
}

function liveSide(
  sdk: MilvusClient,
  raw: RawQueryClient,
  consistency: ConsistencyLevel,
  listed: string[],
  timeoutMs: number,
): SideReader {
  return {
    has: async (c) => listed.includes(c),
    meta: (c) => readMeta(sdk, c),
    count: (c) => raw.count(c, consistency),
    pages: (o) => scanPages(raw, { ...o, consistency }),
    loadState: (c, partitions) => readLoadState(sdk, c, partitions),
    loadForRead: (c, before) => loadForRead(sdk, c, before, timeoutMs),
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function verifyClusters(o: VerifyOptions): Promise<VerifyResult> {
  const started = Date.now();
  const timeout = o.timeoutMs ?? 120_000;
  const sdkS = sdkClient(o.source, timeout);
  const sdkT = sdkClient(o.target, timeout);
  const rawS = new RawQueryClient(o.source, timeout);
  const rawT = new RawQueryClient(o.target, timeout);
  const sc = o.sourceConsistency ?? "Strong";
  const tc = o.targetConsistency ?? "Eventually";
  try {
    const [ls, lt] = await Promise.allSettled([listCollections(sdkS), listCollections(sdkT)]);
    const final: FinalState = {
      collections: [],
      search: [],
      catchUp: null,
      sourceReachable: ls.status === "fulfilled",
      targetReachable: lt.status === "fulfilled",
    };
    let names = o.collections;
    if (!names) {
      const set = new Set<string>();
      if (ls.status === "fulfilled") for (const n of ls.value) set.add(n);
      if (lt.status === "fulfilled") for (const n of lt.value) set.add(n);
      names = [...set].sort();
    }
    const unreachable = (side: "source" | "target"): string | undefined => {
      const r = side === "source" ? ls : lt;
      return r.status === "rejected" ? `${side} unreachable: ${errorText(r.reason)}` : undefined;
    };
    const source =
      ls.status === "fulfilled"
        ? liveSide(sdkS, rawS, sc, ls.value, timeout)
        : failing(unreachable("source") ?? "");
    const target =
      lt.status === "fulfilled"
        ? liveSide(sdkT, rawT, tc, lt.value, timeout)
        : failing(unreachable("target") ?? "");
    const copts: CompareOptions = {
      versionField: o.versionField,
      pageSize: o.pageSize,
      sampleLimit: o.sampleLimit,
    };
    let rowsCompared = 0;
    for (const name of names) {
      o.signal?.throwIfAborted();
      const cf: CollectionFinal = await compareCollection(name, source, target, copts);
      rowsCompared += cf.rowsCompared;
      final.collections.push(cf);
      const queries = o.searchQueries ?? 10;
      const bothHaveIt = cf.source.exists !== false && cf.target.exists !== false;
      if (queries > 0 && cf.source.reachable && cf.target.reachable && bothHaveIt) {
        const sr = await searchForCollection(sdkS, sdkT, name, queries, o).catch(
          (e): SearchParityResult => ({
            collection: name,
            field: "",
            metric: "",
            indexType: "",
            k: o.k ?? 10,
            queries: [],
            error: errorText(e),
          }),
        );
        if (sr) final.search.push(sr);
      }
    }
    final.sourceReachable = final.sourceReachable && final.collections.every((c) => c.source.reachable);
    final.targetReachable = final.targetReachable && final.collections.every((c) => c.target.reachable);
    return { final, elapsedMs: Date.now() - started, rowsCompared };
  } finally {
    rawS.close();
    rawT.close();
    await Promise.allSettled([sdkS.closeConnection(), sdkT.closeConnection()]);
  }
}

async function searchForCollection(
  sdkS: MilvusClient,
  sdkT: MilvusClient,
  name: string,
  queries: number,
  o: VerifyOptions,
): Promise<SearchParityResult | null> {
  const meta = await readMeta(sdkS, name);
  return searchParity(sdkS, sdkT, {
    collection: name,
    meta,
    k: o.k,
    queries,
    seed: o.seed,
    sourceConsistency: o.sourceConsistency ?? "Strong",
    targetConsistency: o.targetConsistency ?? "Eventually",
  });
}

function failing(message: string): SideReader {
  // A side whose listing already failed is not dialled again for every collection.
  const fail = () => Promise.reject(new Error(message));
  return {
    has: fail,
    meta: fail,
    count: fail,
    pages: () => ({
      [Symbol.asyncIterator]: () => ({ next: fail }),
    }),
  };
}
