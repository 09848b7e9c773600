/**
 * `milvus-cdc-drill report RUN_DIR [--json]`: re-render every report format from RUN_DIR/report.json
 * (after a renderer changed, or to look at a downloaded artifact). The verdict is read, never recomputed.
 */

import { join } from "node:path";
import { parseCommandArgs } from "../../config/args.js";
import { exitCodeOf, UsageError } from "../../errors.js";
import { renderCliTable } from "../../report/cli-table.js";
import { readReport } from "../../report/json.js";
import { renderAll, writeReportFiles } from "../../report/write.js";

const HELP = `Usage: milvus-cdc-drill report RUN_DIR [--json]

Re-renders report.json, junit.xml, summary.md and lag.svg in RUN_DIR from RUN_DIR/report.json
and prints the table of checks and metrics.

  --json   print report.json to stdout (and nothing else)

Exit codes: 0 pass, 1 fail or unknown, 2 missing or invalid report, 3 the drill hit a harness error.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv);
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const dirs = parsed.positionals;
  if (dirs.length !== 1 || !dirs[0]) {
    throw new UsageError(
      `expected exactly one RUN_DIR, got ${dirs.length === 0 ? "none" : dirs.map((d) => `'${d}'`).join(" ")} (usage: report RUN_DIR [--json])`,
    );
  }
  const runDir = dirs[0];
  // A ReportReadError is a UsageError: it exits 2 through the one table.
  const report = await readReport(runDir);
  const files = (await writeReportFiles(report, runDir)).map((f) => join(runDir, f));
  if (parsed.values.json) {
    process.stdout.write(renderAll(report)["report.json"]);
  } else {
    process.stdout.write(renderCliTable(report, { files }));
  }
  return exitCodeOf(report.verdict);
}

function parse(argv: string[]) {
  return parseCommandArgs("report", {
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
}
