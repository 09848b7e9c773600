/**
 * The text of schema/report.schema.json, from the zod mirror; written by `npx tsx scripts/gen-schemas.ts`
 * (with the drill config's schema).
 * A test fails when the committed file differs, so the published schema cannot go stale.
 */
import { join } from "node:path";
import { reportJsonSchema } from "./schema.js";

export const REPORT_SCHEMA_PATH = join("schema", "report.schema.json");

export function renderReportJsonSchema(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}
