/** Evidence items as readable text, shared by the JUnit and Markdown renderers. */
import type { CheckResult, Evidence } from "../checkers/types.js";
import { clip, fmtInt, fmtIso, oneLine } from "./format.js";

const KNOWN = new Set(["collection", "pk", "opId", "time", "message"]);

/** Fields beyond the well-known ones, as compact JSON (bounded). */
export function evidenceExtra(e: Evidence, max = 300): string {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!KNOWN.has(k)) extra[k] = v;
  if (Object.keys(extra).length === 0) return "";
  let s: string;
  try {
    s = JSON.stringify(extra) ?? "";
  } catch {
    s = "(unserialisable)";
  }
  return clip(s, max);
}

/** `collection=c pk=5 op=12 at=2026-… — message {extra}` on one line, bounded. */
export function evidenceLine(e: Evidence, max = 500): string {
  const parts: string[] = [];
  if (e.collection !== undefined) parts.push(`collection=${e.collection}`);
  if (e.pk !== undefined) parts.push(`pk=${e.pk}`);
  if (e.opId !== undefined) parts.push(`op=${e.opId}`);
  if (e.time !== undefined) parts.push(`at=${fmtIso(e.time)}`);
  const head = parts.length ? `${parts.join(" ")} — ` : "";
  const extra = evidenceExtra(e);
  return clip(oneLine(`${head}${String(e.message)}${extra ? ` ${extra}` : ""}`), max);
}

/** "showing 20 of 1,000,000": how much of the evidence a reader sees. */
export function evidenceCount(check: CheckResult, shown: number): string {
  const total = Math.max(check.evidenceTotal, check.evidence.length);
  return shown >= total
    ? `${fmtInt(total)} item${total === 1 ? "" : "s"}`
    : `showing ${fmtInt(shown)} of ${fmtInt(total)}`;
}

/** How many items were left out when `shown` are displayed. */
export function evidenceLeftOut(check: CheckResult, shown: number): number {
  return Math.max(check.evidenceTotal, check.evidence.length) - shown;
}
