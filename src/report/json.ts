/** report.json: the machine-readable report, validated against the published schema on every read. */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import type { DrillReport } from "./model.js";
import { REPORT_SCHEMA_VERSION } from "./model.js";
import { redact, redactValue } from "./redact.js";
import { drillReportSchema } from "./schema.js";

export const REPORT_JSON = "report.json";

/**
 * Why a report could not be read: always one line naming the file, what was wrong and what is allowed.
 * A bad RUN_DIR argument, so a usage error (exit 2).
 */
export class ReportReadError extends UsageError {
  override name = "ReportReadError";
}

/** Pretty JSON with every string (keys too) masked for the given secrets. */
export function renderReportJson(report: DrillReport, secrets: readonly string[] = []): string {
  const text = `${JSON.stringify(redactValue(report, secrets), null, 2)}\n`;
  // Belt and braces: a secret could only survive the deep redaction by spanning JSON syntax.
  return redact(text, secrets);
}

export type ValidationResult = { ok: true; report: DrillReport } | { ok: false; problems: string[] };

function describeValue(v: unknown): string {
  if (v === undefined) return "missing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** Check a parsed value against the report schema; problems name the JSON path, the value and what is allowed. */
export function validateReport(value: unknown): ValidationResult {
  const version = valueAt(value, ["schemaVersion"]);
  if (
    value !== null &&
    typeof value === "object" &&
    typeof version === "number" &&
    version !== REPORT_SCHEMA_VERSION
  ) {
    return {
      ok: false,
      problems: [
        `schemaVersion is ${version}; this version of milvus-cdc-drill reads schemaVersion ${REPORT_SCHEMA_VERSION}`,
      ],
    };
  }
  const parsed = drillReportSchema.safeParse(value);
  // Return the input, not zod's output: parsing drops unknown fields, and a re-render must keep them.
  if (parsed.success) return { ok: true, report: value as DrillReport };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const path = issue.path.length ? `/${issue.path.map(String).join("/")}` : "(root)";
      return `${path}: ${issue.message} (got ${describeValue(valueAt(value, issue.path))})`;
    }),
  };
}

/** Parse report.json text; throws ReportReadError with one line naming `source`. */
export function parseReport(text: string, source: string): DrillReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ReportReadError(
      `${source}: not valid JSON (${e instanceof Error ? e.message : String(e)}); expected a report written by milvus-cdc-drill`,
    );
  }
  const result = validateReport(value);
  if (!result.ok) {
    const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more problems)` : "";
    throw new ReportReadError(`${source}: not a valid drill report: ${result.problems[0]}${more}`);
  }
  return result.report;
}

/** Read and validate RUN_DIR/report.json (or the file itself when given a path ending in .json). */
export async function readReport(runDirOrFile: string): Promise<DrillReport> {
  const file = runDirOrFile.endsWith(".json") ? runDirOrFile : join(runDirOrFile, REPORT_JSON);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new ReportReadError(`${file}: no such file; expected a run directory holding ${REPORT_JSON}`);
    if (code === "ENOTDIR" || code === "EISDIR")
      throw new ReportReadError(
        `${file}: not a readable file; expected a run directory holding ${REPORT_JSON}`,
      );
    throw new ReportReadError(`${file}: cannot read (${code ?? String(e)})`);
  }
  return parseReport(text, file);
}
