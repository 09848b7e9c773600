/**
 * Writes every published JSON schema (the drill config's and report.json's) from its zod source. `--check` writes nothing and exits 1 when
 * a committed schema is stale, so CI catches a schema change that was not regenerated.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { drillConfigJsonSchemaText } from "../src/config/json-schema.js";
import { REPORT_SCHEMA_PATH, renderReportJsonSchema } from "../src/report/write-schema.js";
import { packageRoot } from "../src/util/paths.js";

const SCHEMAS: Record<string, () => string> = {
  "schema/drill-config.schema.json": drillConfigJsonSchemaText,
  [REPORT_SCHEMA_PATH]: renderReportJsonSchema,
};

const check = process.argv.includes("--check");
let stale = 0;
for (const [rel, generate] of Object.entries(SCHEMAS)) {
  const path = join(packageRoot(), rel);
  const text = generate();
  let current: string | null = null;
  try {
    current = readFileSync(path, "utf8");
  } catch {
    current = null;
  }
  if (current === text) continue;
  if (check) {
    console.error(`${rel}: out of date; run: npx tsx scripts/gen-schemas.ts`);
    stale++;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${rel}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
