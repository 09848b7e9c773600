/** The plain-text table the CLI prints after a run: checks, then metrics. Colour only on a terminal. */
import type { Verdict } from "../checkers/types.js";
import { figureRows, triggerRows } from "./figures.js";
import { bySeverity, clip, fmtInt, fmtMs, oneLine, type ReportVerdict, replayCommand } from "./format.js";
import type { DrillReport } from "./model.js";
import { redact } from "./redact.js";

export interface CliTableOptions {
  /** Default: stdout is a TTY and NO_COLOR is unset (https://no-color.org). */
  color?: boolean;
  /** Terminal width for cutting long summaries. Default: stdout's columns, else 120. */
  width?: number;
  secrets?: readonly string[];
  /** Paths of the files written, listed at the end. */
  files?: readonly string[];
}

const CODES: Record<ReportVerdict, string> = {
  pass: "\u001b[32m",
  fail: "\u001b[31m",
  unknown: "\u001b[33m",
  skipped: "\u001b[90m",
  error: "\u001b[35m",
};
const RESET = "\u001b[0m";
const BOLD = "\u001b[1m";
/** A run may hold many checks; the terminal shows the worst first and counts the rest. */
const MAX_ROWS = 50;

/** Text in lines of at most w characters, broken at its spaces (a longer word is cut by fitWidth). */
function wrapWords(s: string, w: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const item of s.split(/(?<= )/)) {
    if (line && line.length + item.length > w) {
      out.push(line.trimEnd());
      line = "";
    }
    line += item;
  }
  if (line) out.push(line.trimEnd());
  return out;
}

/** Cut to exactly the column width: a terminal row must not wrap. */
function fitWidth(s: string, w: number): string {
  return s.length <= w ? s : `${s.slice(0, w - 1)}…`;
}

function defaultColor(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}

export function renderCliTable(report: DrillReport, opts: CliTableOptions = {}): string {
  const color = opts.color ?? defaultColor();
  const width = Math.max(60, opts.width ?? process.stdout.columns ?? 120);
  const paint = (v: ReportVerdict, s: string) => (color ? `${CODES[v]}${s}${RESET}` : s);
  const bold = (s: string) => (color ? `${BOLD}${s}${RESET}` : s);
  const label = (v: ReportVerdict) => v.toUpperCase();

  const lines: string[] = [];
  lines.push(
    `${bold("verdict:")} ${paint(report.verdict, bold(label(report.verdict)))}  (${report.mode === "verify" ? "verify" : `backend ${report.backend.name}, seed ${report.seed}`}${report.profile ? `, profile ${report.profile}` : ""}, ${fmtMs(report.finishedAt - report.startedAt)})`,
  );
  if (report.reason) lines.push(`not decided by the checks: ${clip(oneLine(report.reason), width)}`);
  if (report.verdict === "error") {
    lines.push(
      `harness error in ${report.error?.phase ?? "unknown phase"}: ${clip(oneLine(report.error?.message ?? "no detail recorded"), width)}`,
    );
  }
  lines.push("");

  if (report.checks.length) {
    const ordered = bySeverity(report.checks);
    const shown = ordered.slice(0, MAX_ROWS);
    const nameW = Math.max(5, ...shown.map((c) => c.name.length));
    const verdictW = 7;
    const summaryW = Math.max(20, width - nameW - verdictW - 4);
    lines.push(`${"CHECK".padEnd(nameW)}  ${"VERDICT".padEnd(verdictW)}  SUMMARY`);
    for (const c of shown) {
      const v: Verdict = c.verdict;
      const more = c.evidenceTotal > 0 && v === "fail" ? ` [${fmtInt(c.evidenceTotal)} evidence]` : "";
      lines.push(
        `${c.name.padEnd(nameW)}  ${paint(v, label(v).padEnd(verdictW))}  ${fitWidth(oneLine(c.summary) + more, summaryW)}`,
      );
    }
    if (ordered.length > shown.length)
      lines.push(`… ${fmtInt(ordered.length - shown.length)} more checks (see summary.md)`);
    lines.push("");
  }

  const metrics: Array<[string, string]> = figureRows(report);
  for (const [k, v] of Object.entries(report.backend.details).slice(0, 10))
    metrics.push([k, clip(oneLine(v), 80)]);
  const keyW = Math.max(6, ...metrics.map(([k]) => k.length));
  lines.push(`${"METRIC".padEnd(keyW)}  VALUE`);
  for (const [k, v] of metrics) lines.push(fitWidth(`${k.padEnd(keyW)}  ${v}`, width));
  const steps = report.steps ?? [];
  if (steps.length) {
    const stepW = Math.max(4, ...steps.map((st) => st.name.length));
    lines.push("", `${"STEP".padEnd(stepW)}  ${"AT".padEnd(9)}  ${"TOOK".padEnd(9)}  RESULT`);
    for (const st of steps) {
      const result =
        (st.ok ? (st.primary ? `ok, primary ${st.primary}` : "ok") : `FAILED: ${oneLine(st.error ?? "")}`) +
        (st.standby ? `, standby ${st.standby}` : "");
      lines.push(
        `${st.name.padEnd(stepW)}  ${fmtMs(st.startedAt - report.startedAt).padEnd(9)}  ${fmtMs(st.durationMs).padEnd(9)}  ${fitWidth(result, Math.max(20, width - stepW - 26))}`,
      );
    }
  }
  const triggers = triggerRows(report);
  if (triggers.length) {
    // What ran, then what it produced; each word-wrapped (a row must not wrap, nor lose a step).
    const tw = Math.max(7, ...triggers.map(([t, c]) => `${t} ${c}`.length));
    lines.push("", `${"TRIGGER".padEnd(tw)}  RAN / -> PRODUCED`);
    const pad = "".padEnd(tw);
    for (const [t, c, ran, produced] of triggers) {
      for (const [i, part] of wrapWords(oneLine(ran), width - tw - 2).entries())
        lines.push(fitWidth(`${i === 0 ? `${t} ${c}`.padEnd(tw) : pad}  ${part}`, width));
      for (const [i, part] of wrapWords(`-> ${oneLine(produced)}`, width - tw - 5).entries())
        lines.push(fitWidth(`${pad}  ${i === 0 ? "" : "   "}${part}`, width));
    }
  }
  lines.push("", `${report.mode === "verify" ? "re-run" : "replay"}: ${replayCommand(report)}`);
  if (opts.files?.length) lines.push(`files:  ${opts.files.join("\n        ")}`);
  return `${redact(lines.join("\n"), opts.secrets ?? [])}\n`;
}
