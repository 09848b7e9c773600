import type { HistoryEvent } from "../history/types.js";
import { EvidenceSample, resultOf, skipped } from "./evidence.js";
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

function judge(
  r: SearchParityResult,
  ctx: CheckContext,
  failures: EvidenceSample,
  unknowns: EvidenceSample,
): void {
  const where = `${r.collection}.${r.field} (${r.indexType}, ${r.metric}, k=${r.k})`;
  if (r.error) {
    unknowns.add({ collection: r.collection, message: `${where}: search failed: ${r.error}` });
    return;
  }
  if (r.indexType.toUpperCase() === "FLAT") {
    r.queries.forEach((q, i) => {
      const diff = compareExact(q.source, q.target, r.metric, ctx.thresholds.distanceEpsilon);
      if (diff)
        failures.add({ collection: r.collection, query: i, message: `${where}: query ${i}: ${diff}` });
    });
    return;
  }
  const recalls = r.queries.map((q) => recallAtK(q.source, q.target)).filter((x): x is number => x !== null);
  if (recalls.length === 0) return;
  const mean = recalls.reduce((a, b) => a + b, 0) / recalls.length;
  // A mean of exact 0.8s can sum to 0.7999...; rounding must not fail a standby that met the bar.
  if (mean < ctx.thresholds.minRecall - 1e-9) {
    failures.add({
      collection: r.collection,
      recall: mean,
      message: `${where}: mean recall@${r.k} of the standby is ${mean.toFixed(3)}, below ${ctx.thresholds.minRecall}`,
    });
  }
}

export function checkSearchParity(
  _history: readonly HistoryEvent[],
  final: FinalState,
  ctx: CheckContext,
): CheckResult {
  const withResults = final.search.filter(
    (r) => r.error || r.queries.some((q) => q.source.length + q.target.length > 0),
  );
  if (withResults.length === 0) return skipped("search-parity", "no search results to compare");
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  for (const r of withResults) judge(r, ctx, failures, unknowns);
  const queries = withResults.reduce((n, r) => n + r.queries.length, 0);
  return resultOf(
    "search-parity",
    failures,
    unknowns,
    `${queries} search(es) agree on ${withResults.length} field(s)`,
    {
      queries,
      fields: withResults.length,
    },
  );
}
