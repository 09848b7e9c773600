import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { indexHistoryFile } from "../../checkers/history-file.js";
import { combineVerdicts, computeMetrics, runCheckers } from "../../checkers/index.js";
import type { FinalState, Thresholds } from "../../checkers/types.js";
import { parseCommandArgs } from "../../config/args.js";
import { FINAL_STATE_FILE } from "../../drill/run.js";
import { exitCodeOf, UsageError } from "../../errors.js";
import { renderCliTable } from "../../report/cli-table.js";
import type { DrillReport } from "../../report/model.js";

const USAGE = "usage: milvus-cdc-drill check RUN_DIR [--json]";

/**
 * Re-runs the checkers on a saved run directory (history.jsonl + final-state.json): a run can be
 * checked again after a checker is fixed or tightened, without touching any cluster.
 */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs("check", {
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const dir = parsed.positionals[0];
  if (!dir || parsed.positionals.length > 1) throw new UsageError(`expected one RUN_DIR (${USAGE})`);
  const historyPath = join(dir, "history.jsonl");
  const finalPath = join(dir, FINAL_STATE_FILE);
  for (const p of [historyPath, finalPath]) {
    if (!existsSync(p))
      throw new UsageError(
        `RUN_DIR ${dir}: ${p} not found (a run directory written by 'milvus-cdc-drill run')`,
      );
  }
  // Streamed and folded into the checkers' index: a soak's history is never held whole.
  const history = await indexHistoryFile(historyPath);
  const thresholds = (history.header?.config as { thresholds?: Thresholds } | undefined)?.thresholds;
  if (!thresholds)
    throw new UsageError(`RUN_DIR ${dir}: history.jsonl has no header with the drill's thresholds`);
  const final = JSON.parse(await readFile(finalPath, "utf8")) as FinalState;
  const checks = runCheckers(history, final, { thresholds });
  const verdict = combineVerdicts(checks);
  const saved = existsSync(join(dir, "report.json"))
    ? (JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as DrillReport)
    : undefined;
  const report: DrillReport | undefined = saved
    ? {
        ...saved,
        verdict: saved.error ? "error" : verdict,
        checks,
        // Re-derived with the checks: the table must not pair new verdicts with old figures.
        metrics: computeMetrics(history, final, thresholds),
      }
    : undefined;
  if (parsed.values.json) console.log(JSON.stringify({ verdict, checks }, null, 2));
  else if (report) console.log(renderCliTable(report));
  else for (const c of checks) console.log(`${c.verdict.padEnd(8)} ${c.name.padEnd(20)} ${c.summary}`);
  return exitCodeOf(report?.verdict ?? verdict);
}
