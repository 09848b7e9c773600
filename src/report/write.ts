/** Writes every rendering of one report into the run directory; the Action and the CLI both call this. */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPORT_JSON, renderReportJson } from "./json.js";
import { JUNIT_XML, renderJunit } from "./junit.js";
import type { DrillReport } from "./model.js";
import { renderSummary, SUMMARY_MD } from "./summary.js";
import { LAG_SVG, renderLagSvg } from "./svg.js";

export const REPORT_FILES = [REPORT_JSON, JUNIT_XML, SUMMARY_MD, LAG_SVG] as const;
export type ReportFile = (typeof REPORT_FILES)[number];

export interface ReportWriteOptions {
  /** Tokens and passwords: masked in every file written. */
  secrets?: readonly (string | undefined | null)[];
  /** Link to the run's artifact, shown in summary.md. */
  artifactUrl?: string;
}

/** The report with its own files listed (report.json should say what the run directory holds). */
function withReportFiles(report: DrillReport): DrillReport {
  const files = [...report.files];
  for (const f of REPORT_FILES) if (!files.includes(f)) files.push(f);
  return { ...report, files };
}

/** Every format as text, keyed by file name. Pure: re-rendering the same report gives the same bytes. */
export function renderAll(report: DrillReport, opts: ReportWriteOptions = {}): Record<ReportFile, string> {
  const secrets = (opts.secrets ?? []).filter((s): s is string => Boolean(s));
  const full = withReportFiles(report);
  return {
    [REPORT_JSON]: renderReportJson(full, secrets),
    [JUNIT_XML]: renderJunit(full, secrets),
    [SUMMARY_MD]: renderSummary(full, {
      secrets,
      ...(opts.artifactUrl ? { artifactUrl: opts.artifactUrl } : {}),
    }),
    [LAG_SVG]: renderLagSvg(full, secrets),
  };
}

/**
 * Write report.json, junit.xml, summary.md and lag.svg into runDir. Returns the run directory's file
 * list relative to it (report.files plus the four report files), which is what report.json records.
 * Each file is written to a temporary name and renamed, so a reader (or a crash) never sees half a report.
 */
export async function writeReportFiles(
  report: DrillReport,
  runDir: string,
  opts: ReportWriteOptions = {},
): Promise<string[]> {
  await mkdir(runDir, { recursive: true });
  const rendered = renderAll(report, opts);
  for (const name of REPORT_FILES) {
    const path = join(runDir, name);
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, rendered[name], "utf8");
    await rename(tmp, path);
  }
  return withReportFiles(report).files;
}
