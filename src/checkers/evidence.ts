import type { CheckName, CheckResult, Evidence } from "./types.js";
import { MAX_EVIDENCE } from "./types.js";

/**
 * Collects proof while a checker scans, keeping only the first MAX_EVIDENCE items but counting all,
 * so a run with a million lost keys still yields a small report that says how many there were.
 * Items with a `kind` are also counted per kind, for the headline breakdown ("3 lost, 1 zombie").
 */
export class EvidenceSample {
  readonly items: Evidence[] = [];
  total = 0;
  readonly byKind = new Map<string, number>();

  add(e: Evidence): void {
    this.count(typeof e.kind === "string" ? e.kind : undefined, 1);
    if (this.items.length < MAX_EVIDENCE) this.items.push(e);
  }

  /** Counts `n` items that are not kept (the collector already cut its list), under `kind`. */
  count(kind: string | undefined, n: number): void {
    if (n <= 0) return;
    this.total += n;
    if (kind) this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + n);
  }
}

/**
 * What a checker hands back; `judge` turns it into a verdict by one rule for every checker
 * (the Jepsen rule: a check never passes on what it did not see):
 * - any failure: fail (a proven violation stands however little else was seen);
 * - else anything in `blind` (something it needed could not be observed): unknown, with that reason;
 * - else fewer than `minObserved` observations judged: unknown, with `tooFew` as the reason;
 * - else pass.
 */
export interface Judgement {
  failures: EvidenceSample;
  /** Observations the check needed and could not make (an unreadable side, a fault not injected...). */
  blind?: EvidenceSample;
  /** How many observations the check judged (reported as `observed`). */
  observed: number;
  /** The least number of observations a pass needs (default 1). */
  minObserved?: number;
  /** Why too few observations prove nothing, e.g. "no standby snapshots were read". */
  tooFew: string;
  /** The one-line summary of a pass. */
  passSummary: string;
  stats?: Record<string, number>;
}

/** "1504 lost, 676 mismatched, 4 schema", largest first; empty when no item had a kind. */
export function breakdown(s: EvidenceSample): string {
  return [...s.byKind.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
}

function firstMessage(s: EvidenceSample): string {
  const m = s.items[0]?.message ?? "";
  return m.length > 200 ? `${m.slice(0, 200)}…` : m;
}

export function judge(name: CheckName, j: Judgement): CheckResult {
  const min = j.minObserved ?? 1;
  const base = { name, observed: j.observed, ...(j.stats ? { stats: j.stats } : {}) };
  if (j.failures.total > 0) {
    const n = j.failures.total;
    const head = `${n} violation${n === 1 ? "" : "s"}`;
    // A breakdown only says something when there is more than one kind ("3 lost, 1 zombie").
    const kinds = j.failures.byKind.size > 1 ? breakdown(j.failures) : "";
    return {
      ...base,
      verdict: "fail",
      summary: kinds
        ? `${head}: ${kinds}; first: ${firstMessage(j.failures)}`
        : `${head}: ${firstMessage(j.failures)}`,
      evidence: j.failures.items,
      evidenceTotal: n,
    };
  }
  if (j.blind && j.blind.total > 0) {
    const reason = firstMessage(j.blind);
    const more = j.blind.total > 1 ? ` (and ${j.blind.total - 1} more)` : "";
    return {
      ...base,
      verdict: "unknown",
      reason,
      summary: `could not decide: ${reason}${more}`,
      evidence: j.blind.items,
      evidenceTotal: j.blind.total,
    };
  }
  if (j.observed < min) {
    const reason = `${j.tooFew} (${j.observed} observed, at least ${min} needed)`;
    return {
      ...base,
      verdict: "unknown",
      reason,
      summary: `could not decide: ${reason}`,
      evidence: [],
      evidenceTotal: 0,
    };
  }
  return { ...base, verdict: "pass", summary: j.passSummary, evidence: [], evidenceTotal: 0 };
}

/** The check does not apply to this run at all (not: it applied and saw nothing — that is unknown). */
export function skipped(name: CheckName, why: string): CheckResult {
  return { name, verdict: "skipped", summary: why, evidence: [], evidenceTotal: 0, observed: 0 };
}
