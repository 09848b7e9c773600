/**
 * junit.xml for CI test reporters (dorny/test-reporter `java-junit`, mikepenz/action-junit-report).
 * One <testsuite> per drill, one <testcase> per check:
 *   fail    -> <failure message="summary">evidence sample</failure>
 *   unknown -> <skipped message="unknown: summary"/> (JUnit has no "inconclusive"; skipped keeps it
 *              visible without claiming a pass or a failure; the drill's own verdict still says unknown)
 *   skipped -> <skipped message="skipped: summary"/>
 *   pass    -> an empty testcase
 * A harness/environment fault (report verdict "error") adds a testcase "harness" holding <error>.
 */

import type { CheckResult } from "../checkers/types.js";
import { evidenceLeftOut, evidenceLine } from "./evidence.js";
import { figureRows } from "./figures.js";
import { clip, fmtInt, fmtIso, oneLine, replayCommand } from "./format.js";
import type { DrillReport } from "./model.js";
import { redact } from "./redact.js";
import { xmlAttr, xmlText } from "./xml.js";

export const JUNIT_XML = "junit.xml";
export const SUITE_NAME = "milvus-cdc-drill";
/** Evidence lines per failure body: enough to act on, small enough for an annotation. */
export const JUNIT_EVIDENCE_LINES = 50;
const MESSAGE_MAX = 1000;

export function junitClassname(report: DrillReport): string {
  return `${SUITE_NAME}.${report.backend.name}`;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function failureBody(check: CheckResult): string {
  const lines = [oneLine(check.summary)];
  const shown = check.evidence.slice(0, JUNIT_EVIDENCE_LINES);
  for (const e of shown) lines.push(evidenceLine(e));
  const left = evidenceLeftOut(check, shown.length);
  if (left > 0)
    lines.push(`… ${fmtInt(left)} more evidence items not shown (total ${fmtInt(check.evidenceTotal)})`);
  if (check.stats && Object.keys(check.stats).length) {
    lines.push(
      `stats: ${Object.entries(check.stats)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
  }
  return lines.join("\n");
}

function testcase(report: DrillReport, check: CheckResult): string {
  const open = `<testcase classname="${xmlAttr(junitClassname(report))}" name="${xmlAttr(check.name)}" time="0.000"`;
  const message = clip(oneLine(check.summary), MESSAGE_MAX);
  switch (check.verdict) {
    case "pass":
      return `    ${open}/>`;
    case "fail":
      return `    ${open}>\n      <failure message="${xmlAttr(message)}" type="fail">${xmlText(failureBody(check))}</failure>\n    </testcase>`;
    case "unknown":
      return `    ${open}>\n      <skipped message="${xmlAttr(`unknown: ${message}`)}"/>\n    </testcase>`;
    case "skipped":
      return `    ${open}>\n      <skipped message="${xmlAttr(`skipped: ${message}`)}"/>\n    </testcase>`;
  }
}

function harnessCase(report: DrillReport): string {
  const phase = report.error?.phase ?? "unknown phase";
  const message = report.error?.message ?? "the drill could not run (no error detail recorded)";
  const open = `<testcase classname="${xmlAttr(junitClassname(report))}" name="harness" time="${seconds(report.finishedAt - report.startedAt)}"`;
  return `    ${open}>\n      <error message="${xmlAttr(clip(oneLine(`${phase}: ${message}`), MESSAGE_MAX))}" type="harness">${xmlText(`phase: ${phase}\n${message}`)}</error>\n    </testcase>`;
}

export function renderJunit(report: DrillReport, secrets: readonly string[] = []): string {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  if (report.verdict === "error") {
    cases.push(harnessCase(report));
    errors++;
  }
  for (const check of report.checks) {
    cases.push(testcase(report, check));
    if (check.verdict === "fail") failures++;
    else if (check.verdict === "unknown" || check.verdict === "skipped") skipped++;
  }
  const tests = cases.length;
  const time = seconds(report.finishedAt - report.startedAt);
  const counts = `tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"`;
  const props: Array<[string, string]> = [
    ["verdict", report.verdict],
    ...(report.seed !== undefined ? ([["seed", String(report.seed)]] as Array<[string, string]>) : []),
    ["backend", report.backend.name],
    ["profile", report.profile ?? ""],
    ["tool.version", report.tool.version],
    ["replay", replayCommand(report)],
  ];
  // The same figures as every other format, with the same text (one number per fact).
  for (const [k, v] of figureRows(report)) props.push([`metric.${k}`, v]);
  for (const [k, v] of Object.entries(report.backend.details)) props.push([`backend.${k}`, v]);
  const properties = props
    .map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`)
    .join("\n");
  const xml = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${SUITE_NAME}" ${counts}>`,
    `  <testsuite name="${SUITE_NAME}" ${counts} timestamp="${xmlAttr(fmtIso(report.startedAt))}">`,
    "    <properties>",
    properties,
    "    </properties>",
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
  return redact(xml, secrets);
}
