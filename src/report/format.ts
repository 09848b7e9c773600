/** Small formatting helpers shared by the renderers, so every format shows the same numbers the same way. */
import type { Verdict } from "../checkers/types.js";
import type { DrillReport } from "./model.js";

export type ReportVerdict = DrillReport["verdict"];

/** "1,234,567" regardless of the machine's locale, so reports are stable across runners. */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A duration a human reads at a glance: "850 ms", "12.3 s", "2m 05s", "1h 02m". */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "n/a";
  if (ms < 0) return `-${fmtMs(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)}m ${String(totalS % 60).padStart(2, "0")}s`;
  const totalM = Math.floor(totalS / 60);
  return `${Math.floor(totalM / 60)}h ${String(totalM % 60).padStart(2, "0")}m`;
}

/** Seconds with one decimal, for offsets on a time axis. */
export function fmtOffset(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function fmtIso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** Cut a string to at most `max` characters, saying how much was cut. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.length - max;
  return `${s.slice(0, max)}… (+${fmtInt(cut)} chars)`;
}

/** One line: newlines and tabs become spaces, so a value cannot break a table row. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, " ");
}

export const VERDICT_EMOJI: Record<ReportVerdict, string> = {
  pass: "✅",
  fail: "❌",
  unknown: "❓",
  skipped: "⏭️",
  error: "💥",
};

export const VERDICT_HEADLINE: Record<ReportVerdict, string> = {
  pass: "the standby can be trusted: every check passed",
  fail: "the standby cannot be trusted",
  unknown: "not proven: the drill could not observe everything it needs",
  skipped: "nothing was checked",
  error: "the drill itself could not run (harness or environment fault)",
};

/** Severity order used to list the checks a reader must look at first. */
const SEVERITY: Record<Verdict, number> = { fail: 0, unknown: 1, pass: 2, skipped: 3 };

export function bySeverity<T extends { verdict: Verdict }>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => SEVERITY[a.item.verdict] - SEVERITY[b.item.verdict] || a.i - b.i)
    .map((x) => x.item);
}

/** The command that replays this run: the runner's own if it recorded one, else rebuilt from seed/profile/backend. */
export function replayCommand(report: DrillReport): string {
  if (report.replayCommand) return report.replayCommand;
  if (report.mode === "verify") return "milvus-cdc-drill verify --source-uri ... --target-uri ...";
  const parts = ["milvus-cdc-drill", "run", "--seed", String(report.seed ?? "")];
  if (report.profile) parts.push("--profile", report.profile);
  parts.push("--backend", report.backend.name);
  return parts.join(" ");
}

/** Start of the drill's time axis: the earliest thing the chart draws. */
export function timeOrigin(report: DrillReport): number {
  let origin = Number.POSITIVE_INFINITY;
  for (const p of report.metrics.lagSeries ?? []) origin = Math.min(origin, p.t);
  for (const f of report.metrics.faults ?? []) origin = Math.min(origin, f.startedAt);
  return Number.isFinite(origin) ? origin : report.startedAt;
}
