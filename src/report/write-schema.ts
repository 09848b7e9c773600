/**
 * Regenerates schema/report.schema.json from the zod mirror: `npx tsx src/report/write-schema.ts`.
 * A test fails when the committed file differs, so the published schema cannot go stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/paths.js";
import { reportJsonSchema } from "./schema.js";

export const REPORT_SCHEMA_PATH = join("schema", "report.schema.json");

export function renderReportJsonSchema(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

if (process.argv[1]?.endsWith("write-schema.ts")) {
  const out = join(packageRoot(), REPORT_SCHEMA_PATH);
  writeFileSync(out, renderReportJsonSchema());
  console.log(`wrote ${out}`);
}
