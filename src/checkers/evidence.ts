import type { CheckName, CheckResult, Evidence, Verdict } from "./types.js";
import { MAX_EVIDENCE } from "./types.js";

/**
 * Collects proof while a checker scans, keeping only the first MAX_EVIDENCE items but counting all,
 * so a run with a million lost keys still yields a small report that says how many there were.
 */
export class EvidenceSample {
  readonly items: Evidence[] = [];
  total = 0;

  add(e: Evidence): void {
    this.total += 1;
    if (this.items.length < MAX_EVIDENCE) this.items.push(e);
  }
}

/**
 * A checker's verdict is built from two tallies: definite violations (fail) and things it could not
 * observe (unknown). Violations win, so an unobservable collection never hides a proven loss elsewhere.
 */
export function resultOf(
  name: CheckName,
  failures: EvidenceSample,
  unknowns: EvidenceSample,
  passSummary: string,
  stats?: Record<string, number>,
): CheckResult {
  let verdict: Verdict = "pass";
  let summary = passSummary;
  let sample = failures;
  if (failures.total > 0) {
    verdict = "fail";
    summary = `${failures.total} violation(s): ${failures.items[0]?.message ?? ""}`;
  } else if (unknowns.total > 0) {
    verdict = "unknown";
    summary = `could not decide: ${unknowns.items[0]?.message ?? ""}`;
    sample = unknowns;
  }
  const result: CheckResult = { name, verdict, summary, evidence: sample.items, evidenceTotal: sample.total };
  if (stats) result.stats = stats;
  return result;
}

export function skipped(name: CheckName, why: string): CheckResult {
  return { name, verdict: "skipped", summary: why, evidence: [], evidenceTotal: 0 };
}
