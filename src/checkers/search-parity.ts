import { EvidenceSample, judge, skipped } from "./evidence.js";
import type { HistorySource } from "./history-index.js";
import type { CheckContext, CheckResult, FinalState, SearchParityResult } from "./types.js";

type Hit = { pk: string; distance: number };

/** Metrics where a larger score is a better hit; for the others (L2, HAMMING, JACCARD) smaller is better. */
const LARGER_IS_BETTER = new Set(["IP", "COSINE", "BM25"]);

/**
 * Exact (FLAT) search must agree up to ties: hits within epsilon of the k-th distance may legitimately
 * differ between two servers, everything strictly better than that band must be the same keys at the
 * same distances. Returns what differs, or undefined.
 */
export function compareExact(
  source: readonly Hit[],
  target: readonly Hit[],
  metric: string,
  eps: number,
): string | undefined {
  if (source.length !== target.length)
    return `${source.length} hits on the primary, ${target.length} on the standby`;
  if (source.length === 0) return undefined;
  const sign = LARGER_IS_BETTER.has(metric.toUpperCase()) ? -1 : 1;
  // In "badness" units (smaller is better whatever the metric), the band starts at kth - eps.
  const kth = sign * (source[source.length - 1] as Hit).distance;
  const targetKth = sign * (target[target.length - 1] as Hit).distance;
  if (Math.abs(kth - targetKth) > eps)
    return `k-th distance ${sign * kth} on the primary, ${sign * targetKth} on the standby`;
  const strict = (hits: readonly Hit[]) =>
    new Map(hits.filter((h) => sign * h.distance < kth - eps).map((h) => [h.pk, h.distance]));
  const s = strict(source);
  const t = strict(target);
  for (const [pk, d] of s) {
    const td = t.get(pk);
    if (td === undefined) return `key ${pk} (distance ${d}) is a hit on the primary but not on the standby`;
    if (Math.abs(td - d) > eps)
      return `key ${pk} is at distance ${d} on the primary and ${td} on the standby`;
  }
  for (const [pk, d] of t)
    if (!s.has(pk)) return `key ${pk} (distance ${d}) is a hit on the standby but not on the primary`;
  return undefined;
}

/** recall@k of the standby's hits against the primary's, or null when the primary returned nothing. */
export function recallAtK(source: readonly Hit[], target: readonly Hit[]): number | null {
  if (source.length === 0) return null;
  const want = new Set(source.map((h) => h.pk));
  let found = 0;
  for (const h of target) if (want.delete(h.pk)) found += 1;
  return found / source.length;
}

/** Judges one searched field; returns how many queries it could compare (the primary returned hits). */
function judgeField(
  r: SearchParityResult,
  ctx: CheckContext,
  failures: EvidenceSample,
  blind: EvidenceSample,
): number {
  const where = `${r.collection}.${r.field} (${r.indexType}, ${r.metric}, k=${r.k})`;
  if (r.error) {
    blind.add({ collection: r.collection, message: `${where}: search failed: ${r.error}` });
    return 0;
  }
  if (r.indexType.toUpperCase() === "FLAT") {
    let compared = 0;
    r.queries.forEach((q, i) => {
      if (q.source.length + q.target.length === 0) return;
      compared += 1;
      const diff = compareExact(q.source, q.target, r.metric, ctx.thresholds.distanceEpsilon);
      if (diff)
        failures.add({
          collection: r.collection,
          query: i,
          kind: "different hits",
          message: `${where}: query ${i}: ${diff}`,
        });
    });
    return compared;
  }
  const recalls = r.queries.map((q) => recallAtK(q.source, q.target)).filter((x): x is number => x !== null);
  if (recalls.length === 0) {
    // Recall against nothing is undefined: a standby with hits and a primary without is no proof of parity.
    if (r.queries.some((q) => q.target.length > 0))
      blind.add({ collection: r.collection, message: `${where}: the primary returned no hits` });
    return 0;
  }
  const mean = recalls.reduce((a, b) => a + b, 0) / recalls.length;
  // A mean of exact 0.8s can sum to 0.7999...; rounding must not fail a standby that met the bar.
  if (mean < ctx.thresholds.minRecall - 1e-9) {
    failures.add({
      collection: r.collection,
      recall: mean,
      kind: "low recall",
      message: `${where}: mean recall@${r.k} of the standby is ${mean.toFixed(3)}, below ${ctx.thresholds.minRecall}`,
    });
  }
  return recalls.length;
}

export function checkSearchParity(
  _history: HistorySource,
  final: FinalState,
  ctx: CheckContext,
): CheckResult {
  if (final.search.length === 0) return skipped("search-parity", "no collection was searched");
  const failures = new EvidenceSample();
  const blind = new EvidenceSample();
  let compared = 0;
  for (const r of final.search) compared += judgeField(r, ctx, failures, blind);
  const queries = final.search.reduce((n, r) => n + r.queries.length, 0);
  return judge("search-parity", {
    failures,
    blind,
    observed: compared,
    tooFew: "the primary returned no hits to compare",
    passSummary: `${compared} search(es) agree on ${final.search.length} field(s)`,
    stats: { queries, compared, fields: final.search.length },
  });
}
