/**
 * summary.md: the GitHub job summary. Written for a tired engineer: the verdict first, then which checks
 * failed and why, then the numbers, the lag chart and the evidence. Everything is capped so the file
 * stays under GitHub's 1 MiB step-summary limit even for a run with millions of evidence items.
 */
import type { CheckResult } from "../checkers/types.js";
import { faultLegend, lagChart, niceCeil, renderMermaidLagChart, stepLegend } from "./chart.js";
import { evidenceCount, evidenceExtra, evidenceLeftOut } from "./evidence.js";
import { figureRows, triggerRows } from "./figures.js";
import {
  bySeverity,
  clip,
  fmtInt,
  fmtIso,
  fmtMs,
  fmtOffset,
  oneLine,
  replayCommand,
  timeOrigin,
  VERDICT_EMOJI,
  VERDICT_HEADLINE,
} from "./format.js";
import type { DrillReport } from "./model.js";
import { redact } from "./redact.js";
import { LAG_SVG } from "./svg.js";

export const SUMMARY_MD = "summary.md";
/** GitHub rejects a step summary over 1 MiB. */
export const SUMMARY_MAX_BYTES = 1024 * 1024;

/** Caps: each keeps one part of the summary bounded whatever the report holds. */
export const LIMITS = {
  checkRows: 100,
  summaryChars: 300,
  evidenceChecks: 30,
  evidenceRows: 20,
  cellChars: 200,
  faultRows: 50,
  backendRows: 50,
};

export interface SummaryOptions {
  /** Link to the uploaded run artifact (the Action knows it after upload). */
  artifactUrl?: string;
  secrets?: readonly string[];
  /** Defaults to SUMMARY_MAX_BYTES; lowered in tests. */
  maxBytes?: number;
}

/** Text for a Markdown table cell: one line, bounded, no HTML, no table or emphasis syntax. */
export function mdCell(s: string, max = LIMITS.cellChars): string {
  return clip(oneLine(s), max)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

/** Text inside raw HTML (<summary>): Markdown is not parsed there, so only HTML needs escaping. */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A URL safe inside Markdown's `(...)`: a bracket or space would end the link early. */
function linkTarget(url: string): string {
  return encodeURI(url).replace(/\(/g, "%28").replace(/\)/g, "%29");
}

function countLine(report: DrillReport): string {
  const by = { fail: [] as string[], unknown: [] as string[], pass: 0, skipped: 0 };
  for (const c of report.checks) {
    if (c.verdict === "fail") by.fail.push(c.name);
    else if (c.verdict === "unknown") by.unknown.push(c.name);
    else by[c.verdict]++;
  }
  const names = (xs: string[]) => {
    const shown = xs.slice(0, 10).map((n) => `**${mdCell(n, 60)}**`);
    return xs.length > shown.length
      ? `${shown.join(", ")} and ${fmtInt(xs.length - shown.length)} more`
      : shown.join(", ");
  };
  const parts: string[] = [];
  if (by.fail.length)
    parts.push(
      `${fmtInt(by.fail.length)} of ${fmtInt(report.checks.length)} checks failed: ${names(by.fail)}`,
    );
  if (by.unknown.length) parts.push(`${fmtInt(by.unknown.length)} unknown: ${names(by.unknown)}`);
  parts.push(`${fmtInt(by.pass)} passed`);
  if (by.skipped) parts.push(`${fmtInt(by.skipped)} skipped`);
  return parts.join(" · ");
}

function header(report: DrillReport, opts: SummaryOptions): string {
  const v = report.verdict;
  const lines = [`# ${VERDICT_EMOJI[v]} ${v.toUpperCase()}: ${VERDICT_HEADLINE[v]}`, ""];
  if (report.reason) lines.push(`> **Not decided by the checks:** ${mdCell(report.reason, 200)}`, "");
  if (v === "error") {
    const phase = report.error?.phase ?? "unknown phase";
    const message = report.error?.message ?? "no error detail recorded";
    lines.push(`> **Harness error in phase \`${mdCell(phase, 60)}\`:** ${mdCell(message, 1000)}`, "");
  }
  if (report.checks.length) lines.push(countLine(report), "");
  const meta = [
    `${report.tool.name} ${mdCell(report.tool.version, 40)}`,
    `backend \`${mdCell(report.backend.name, 40)}\``,
    ...(report.seed !== undefined ? [`seed \`${report.seed}\``] : [report.mode]),
  ];
  if (report.profile) meta.push(`profile \`${mdCell(report.profile, 40)}\``);
  meta.push(`started ${fmtIso(report.startedAt)}`, `took ${fmtMs(report.finishedAt - report.startedAt)}`);
  lines.push(`<sub>${meta.join(" · ")}</sub>`, "");
  if (opts.artifactUrl)
    lines.push(`📦 [Run artifact (history, report, diagnostics)](${linkTarget(opts.artifactUrl)})`, "");
  return lines.join("\n");
}

function checksTable(report: DrillReport): string {
  if (report.checks.length === 0) return "## Checks\n\nNo checks ran.\n";
  const ordered = bySeverity(report.checks);
  const shown = ordered.slice(0, LIMITS.checkRows);
  const rows = shown.map((c) => {
    const ev =
      c.verdict === "fail" || c.evidenceTotal > 0
        ? evidenceCount(c, Math.min(c.evidence.length, LIMITS.evidenceRows))
        : "";
    return `| ${VERDICT_EMOJI[c.verdict]} | ${mdCell(c.name, 60)} | ${c.verdict} | ${mdCell(c.summary, LIMITS.summaryChars)} | ${ev} |`;
  });
  const lines = [
    "## Checks",
    "",
    "| | Check | Verdict | Summary | Evidence |",
    "|---|---|---|---|---|",
    ...rows,
  ];
  if (ordered.length > shown.length) {
    lines.push(
      "",
      `_${fmtInt(ordered.length - shown.length)} more checks not shown (listed by severity: all failing ones come first)._`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A star: each standby's verdict per check that judged it (checks[].standbys), so the standby that failed
 * is named at a glance; "—" where a check did not watch that standby (the monitor watches the first).
 */
function standbysTable(report: DrillReport): string | null {
  const judged = report.checks.filter((c) => c.standbys && Object.keys(c.standbys).length > 0);
  if (judged.length === 0) return null;
  const ids = [...new Set(judged.flatMap((c) => Object.keys(c.standbys ?? {})))];
  const rows = bySeverity(judged).map((c) => {
    const cells = ids.map((id) => {
      const s = c.standbys?.[id];
      return s ? `${VERDICT_EMOJI[s.verdict]} ${s.verdict}` : "—";
    });
    return `| ${mdCell(c.name, 60)} | ${cells.join(" | ")} |`;
  });
  return [
    "## Standbys",
    "",
    `| Check | ${ids.map((id) => mdCell(id, 60)).join(" | ")} |`,
    `|---|${ids.map(() => "---").join("|")}|`,
    ...rows,
    "",
  ].join("\n");
}

function metricsTable(report: DrillReport): string {
  const faultsByName = new Map<string, number>();
  for (const f of report.metrics.faults ?? []) faultsByName.set(f.name, (faultsByName.get(f.name) ?? 0) + 1);
  const faultKinds = [...faultsByName]
    .map(([n, c]) => `${mdCell(n, 40)} ×${fmtInt(c)}`)
    .slice(0, 10)
    .join(", ");
  // The figures and their text are the ones every format prints (figures.ts).
  const rows = figureRows(report).map(([k, v]): [string, string] => [
    k.charAt(0).toUpperCase() + k.slice(1),
    k === "faults injected" && faultKinds ? `${v} (${faultKinds})` : mdCell(v, 400),
  ]);
  if (report.seed !== undefined) rows.push(["Seed", `\`${report.seed}\``]);
  const lines = [
    "## Metrics",
    "",
    "| Metric | Value |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ];
  const how = report.mode === "verify" ? "Re-run this verification:" : "Replay this run exactly:";
  lines.push("", how, "", "```sh", replayCommand(report).replace(/`/g, "'"), "```");
  return `${lines.join("\n")}\n`;
}

function stepsTable(report: DrillReport): string | null {
  const steps = report.steps ?? [];
  if (steps.length === 0) return null;
  const origin = timeOrigin(report);
  const lines = [
    `### Role change${report.scenario ? ` (${mdCell(report.scenario, 20)})` : ""}: step timeline`,
    "",
    "| Step | Started (chart time) | Took | Primary after | Result |",
    "|---|---|---|---|---|",
    ...steps.map(
      (st) =>
        `| ${mdCell(st.standby ? `${st.name} (${st.standby})` : st.name, 80)} | ${fmtOffset(st.startedAt - origin)} | ${fmtMs(st.durationMs)} | ${st.primary ? mdCell(st.primary, 40) : ""} | ${st.ok ? "ok" : `**failed**: ${mdCell(st.error ?? "", 200)}`} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

function recoveriesTable(report: DrillReport): string | null {
  const rs = report.metrics.recoveries ?? [];
  if (rs.length === 0) return null;
  const origin = timeOrigin(report);
  const shown = rs.slice(0, LIMITS.faultRows);
  const outcome = (r: (typeof rs)[number] | undefined) =>
    !r || r.aimedAt !== undefined
      ? "— (not injected here)"
      : r.status === "recovered"
        ? fmtMs(r.recoveryMs)
        : r.status === "late"
          ? `**late**${r.recoveryMs !== null ? ` (${fmtMs(r.recoveryMs)})` : " (never seen)"}`
          : `**unknown**${r.why ? `: ${mdCell(r.why, 160)}` : ""}`;
  // A star: one column per standby, each as checkpoint-recovery judged that standby.
  const star = Object.entries(report.metrics.standbys ?? {});
  const cols = star.length > 0 ? star.map(([id]) => id) : ["Replication resumed after the restart"];
  const per = (r: (typeof rs)[number]) =>
    star.length > 0
      ? star.map(([, s]) => outcome(s.recoveries.find((x) => x.faultId === r.faultId)))
      : [outcome(r)];
  const lines = [
    "### Recovery per CDC kill",
    "",
    `| Fault | Started (s since start) | ${cols.map((c) => mdCell(c, 60)).join(" | ")} |`,
    `|---|---|${cols.map(() => "---").join("|")}|`,
    ...shown.map(
      (r) =>
        `| ${mdCell(r.fault, 60)} #${r.faultId} | ${fmtOffset(r.startedAt - origin)} | ${per(r).join(" | ")} |`,
    ),
  ];
  if (rs.length > shown.length)
    lines.push("", `_${fmtInt(rs.length - shown.length)} more recoveries not shown._`);
  return `${lines.join("\n")}\n`;
}

function triggersTable(report: DrillReport): string | null {
  const rows = triggerRows(report);
  if (rows.length === 0) return null;
  const lines = [
    "### Workload triggers",
    "",
    "| Trigger | Collection | Ran | Produced |",
    "|---|---|---|---|",
    ...rows.map(
      ([t, c, ran, produced]) =>
        `| ${mdCell(t, 40)} | ${mdCell(c, 80)} | ${mdCell(ran, 400)} | ${mdCell(produced, 400)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

function lagSection(report: DrillReport): string {
  const mermaid = renderMermaidLagChart(report);
  const chart = lagChart(report);
  if (!mermaid || !chart) return "## Lag over time\n\nNo lag samples or faults were recorded.\n";
  const legend = faultLegend(chart);
  const shown = legend.slice(0, LIMITS.faultRows);
  const lines = ["## Lag over time", "", mermaid, ""];
  lines.push(
    `<sub>${chart.standbyLags ? `Lines: each standby's heartbeat lag, in the order ${chart.standbyLags.map((x) => x.clusterId).join(", ")}` : "Line: the standby's heartbeat lag"} (max per ${fmtMs(chart.bucketMs)} step)${chart.metricLag ? `; ${chart.standbyLags ? "last" : "second"} line: Milvus's own lag metric, scraped${chart.standbyLags?.[0] ? ` (${chart.standbyLags[0].clusterId}'s edge)` : ""}` : ""}; bars: fault starts. t = 0 at ${fmtIso(chart.originMs)}. Full resolution in \`${LAG_SVG}\`.</sub>`,
    "",
  );
  const lm = report.metrics.lagMetric;
  // A star: each standby's edge judged on its own, its counts named.
  const perStandby = Object.entries(report.metrics.standbys ?? {}).flatMap(([id, s]) =>
    s.lagMetric
      ? [
          `${id}: missed alerts ${fmtInt(s.lagMetric.missedAlerts)}, false pages ${fmtInt(s.lagMetric.falsePages)}`,
        ]
      : [],
  );
  if (lm)
    lines.push(
      `**Alert rule checked (lag-metric):** \`${lm.alertRule.replace(/[`\n]/g, " ")}\`; ${perStandby.length ? perStandby.join("; ") : `missed alerts ${fmtInt(lm.missedAlerts)}, false pages ${fmtInt(lm.falsePages)}`} (tolerance ${fmtMs(lm.toleranceMs)}).`,
      "",
    );
  if (shown.length) {
    lines.push(`**Faults:** ${shown.map((l) => mdCell(l, 80)).join(" · ")}`);
    if (legend.length > shown.length)
      lines.push(`and ${fmtInt(legend.length - shown.length)} more faults not listed`);
    lines.push("");
  }
  if (chart.steps.length)
    lines.push(
      `**Steps:** ${stepLegend(chart)
        .map((l) => mdCell(l, 80))
        .join(" · ")}`,
      "",
    );
  return lines.join("\n");
}

/** Scenario capacity: every window, and the standby's lag drawn against the write rate. */
function capacitySection(report: DrillReport): string | null {
  const c = report.metrics.capacity;
  if (!c) return null;
  const steps = c.steps.slice(0, 50);
  const yn = (b: boolean | null) => (b === null ? "—" : b ? "yes" : "**no**");
  const lines = [
    "## Capacity",
    "",
    `Sustainable: **${c.sustainableRowsPerS === null ? "none" : `${fmtInt(Math.round(c.sustainableRowsPerS))} rows/s`}** (the ramp stopped: ${c.stoppedBy}).`,
    "",
    "| # | window | target ops/s | rows/s | write p50 / p99 | lag start → end (max) | lag growth | bounded |",
    "|---|---|---|---|---|---|---|---|",
    ...steps.map(
      (s) =>
        `| ${s.index} | ${s.mode} | ${s.targetOpsPerS} | ${fmtInt(Math.round(s.achievedRowsPerS))} | ${fmtMs(s.latencyP50Ms)} / ${fmtMs(s.latencyP99Ms)} | ${fmtMs(s.lagStartMs)} → ${fmtMs(s.lagEndMs)} (${fmtMs(s.lagMaxMs)}) | ${s.lagGrowthMsPerS === null ? "n/a" : `${s.lagGrowthMsPerS} ms/s`} | ${yn(s.bounded)} |`,
    ),
    "",
  ];
  const ramp = c.steps.filter((s) => s.mode === "ramp");
  if (ramp.length > 0) {
    const top = niceCeil(Math.max(1, ...ramp.map((s) => s.lagMaxMs ?? 0)));
    lines.push(
      "```mermaid",
      "xychart-beta",
      '  title "Standby lag against write rate: bars max lag (ms), line lag at the step end (ms)"',
      `  x-axis "achieved rows/s" [${ramp.map((s) => `"${Math.round(s.achievedRowsPerS)}"`).join(", ")}]`,
      `  y-axis "lag (ms)" 0 --> ${top}`,
      `  bar [${ramp.map((s) => Math.round(s.lagMaxMs ?? 0)).join(", ")}]`,
      `  line [${ramp.map((s) => Math.round(s.lagEndMs ?? 0)).join(", ")}]`,
      "```",
      "",
    );
  }
  const o = c.primaryLatencyOverhead;
  lines.push(
    o
      ? `Primary write latency at ${o.targetOpsPerS} ops/s, CDC running vs paused: p50 ${fmtMs(o.runningP50Ms)} vs ${fmtMs(o.pausedP50Ms)}, p99 ${fmtMs(o.runningP99Ms)} vs ${fmtMs(o.pausedP99Ms)} (overhead p50 ${fmtMs(o.p50Ms)}, p99 ${fmtMs(o.p99Ms)}).`
      : "Primary write latency overhead: n/a (the backend cannot pause CDC).",
    "",
  );
  return lines.join("\n");
}

function backendSection(report: DrillReport): string {
  const entries = Object.entries(report.backend.details);
  const lines = ["## Backend", "", `\`${mdCell(report.backend.name, 40)}\``, ""];
  if (entries.length) {
    const shown = entries.slice(0, LIMITS.backendRows);
    lines.push("| | |", "|---|---|", ...shown.map(([k, v]) => `| ${mdCell(k, 80)} | ${mdCell(v)} |`));
    if (entries.length > shown.length)
      lines.push("", `_${fmtInt(entries.length - shown.length)} more details in report.json._`);
    lines.push("");
  }
  return lines.join("\n");
}

function evidenceDetails(check: CheckResult): string {
  const shown = check.evidence.slice(0, LIMITS.evidenceRows);
  const title = `${VERDICT_EMOJI[check.verdict]} <b>${htmlEscape(check.name)}</b>: ${htmlEscape(clip(oneLine(check.summary), LIMITS.summaryChars))} (${evidenceCount(check, shown.length)})`;
  const lines = [`<details><summary>${title}</summary>`, ""];
  if (shown.length) {
    lines.push("| Collection | PK | Op | At | Message | Details |", "|---|---|---|---|---|---|");
    for (const e of shown) {
      lines.push(
        `| ${mdCell(e.collection ?? "")} | ${mdCell(e.pk ?? "")} | ${e.opId ?? ""} | ${e.time === undefined ? "" : fmtIso(e.time)} | ${mdCell(String(e.message))} | ${mdCell(evidenceExtra(e, LIMITS.cellChars))} |`,
      );
    }
  } else {
    lines.push("_No evidence sample was recorded._");
  }
  const left = evidenceLeftOut(check, shown.length);
  if (left > 0)
    lines.push(
      "",
      `_${fmtInt(left)} more evidence items not shown (${fmtInt(check.evidenceTotal)} in total)._`,
    );
  if (check.stats && Object.keys(check.stats).length) {
    const stats = Object.entries(check.stats).slice(0, 20);
    lines.push("", `Stats: ${stats.map(([k, v]) => `${mdCell(k, 40)} = ${fmtInt(v)}`).join(" · ")}`);
  }
  lines.push("", "</details>", "");
  return lines.join("\n");
}

/** Render summary.md. The result is redacted and never larger than opts.maxBytes (default 1 MiB). */
export function renderSummary(report: DrillReport, opts: SummaryOptions = {}): string {
  const maxBytes = opts.maxBytes ?? SUMMARY_MAX_BYTES;
  const secrets = opts.secrets ?? [];
  // Room for the closing note, so adding it can never push the file over the limit.
  const reserve = 400;
  const budget = maxBytes - reserve;
  let out = "";
  let bytes = 0;
  const leftOut: string[] = [];
  const add = (section: string | null, name: string): boolean => {
    if (section === null) return true;
    const text = `${redact(section, secrets)}\n`;
    const size = Buffer.byteLength(text, "utf8");
    if (bytes + size > budget) {
      leftOut.push(name);
      return false;
    }
    out += text;
    bytes += size;
    return true;
  };

  // Most important first: when the budget runs out, what is dropped is what matters least.
  add(header(report, opts), "verdict");
  add(checksTable(report), "checks table");
  add(standbysTable(report), "standbys");
  add(metricsTable(report), "metrics");
  add(stepsTable(report), "steps");
  add(recoveriesTable(report), "recoveries");
  add(triggersTable(report), "triggers");
  add(lagSection(report), "lag chart");
  add(capacitySection(report), "capacity");
  add(backendSection(report), "backend");
  const withEvidence = bySeverity(report.checks).filter(
    (c) => c.verdict === "fail" || (c.verdict === "unknown" && c.evidence.length > 0),
  );
  if (withEvidence.length) {
    add("## Evidence\n", "evidence");
    const shown = withEvidence.slice(0, LIMITS.evidenceChecks);
    let dropped = withEvidence.length - shown.length;
    for (const c of shown) if (!add(evidenceDetails(c), `evidence of ${c.name}`)) dropped++;
    if (dropped > 0)
      add(`_Evidence of ${fmtInt(dropped)} more checks not shown; see report.json._\n`, "evidence note");
  }
  if (leftOut.length) {
    const note = `\n_Summary cut to stay under ${fmtInt(maxBytes)} bytes: ${fmtInt(leftOut.length)} sections left out (${clip(leftOut.join(", "), 200)}). The full report is in report.json._\n`;
    const safe = redact(note, secrets);
    if (Buffer.byteLength(safe, "utf8") <= maxBytes - bytes) out += safe;
  }
  return out;
}
