/**
 * `milvus-cdc-drill verify`: only the final-state checks (parity with schema/indexes/partitions/
 * aliases, duplicates, search parity) between two live clusters, with no workload. For a user's own
 * primary and standby after an incident. Writes the same report files as a drill.
 */

import { join } from "node:path";
import { runCheckers } from "../../checkers/index.js";
import type { CheckName, CheckResult, Thresholds } from "../../checkers/types.js";
import { parseCommandArgs } from "../../config/args.js";
import type { PhaseStop } from "../../drill/phase.js";
import { buildReport, comparisonMetrics, writeRunFiles } from "../../drill/report.js";
import { prepareRunDir } from "../../drill/run-dir.js";
import { exitCodeOf, UsageError } from "../../errors.js";
import { MILVUS_URI_FORMS, parseMilvusUri } from "../../milvus/client.js";
import { renderCliTable } from "../../report/cli-table.js";
import { redactValue } from "../../report/redact.js";
import { verifyClusters } from "../../verify/verify.js";

const USAGE =
  "usage: milvus-cdc-drill verify --source-uri URI --target-uri URI [--source-token T] [--target-token T] " +
  "[--collections a,b] [--version-field F] [--search-queries N] [--k N] [--out DIR] [--json]";

const HELP = `${USAGE}

Compares every collection (or --collections) of two live Milvus clusters: schema, indexes, partitions,
aliases, count(*) against distinct keys, every row field by field (float vectors bit for bit), and
top-k search results for seeded query vectors. Nothing is written to either cluster.

Tokens can also come from MILVUS_CDC_DRILL_SOURCE_TOKEN / MILVUS_CDC_DRILL_TARGET_TOKEN (keeps them
out of the process list). They are never printed or written.

Exit codes: 0 pass, 1 fail (or not provable), 2 bad usage, 3 a cluster could not be read.`;

/** The checks that need only the final state; the history-based ones have nothing to read here. */
const FINAL_STATE_CHECKS: readonly CheckName[] = ["parity", "duplicates", "search-parity"];

/** Same defaults as the drill profiles: exact search must agree up to ties, ANN recall >= 0.9. */
const THRESHOLDS: Thresholds = {
  lagSloMs: 5_000,
  recoveryTimeoutMs: 30_000,
  catchUpTimeoutMs: 60_000,
  minRecall: 0.9,
  distanceEpsilon: 1e-4,
  rpoMs: 5_000,
  rtoMs: 30_000,
};

function positiveInt(flag: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${flag} '${v}' is not allowed (expected an integer >= ${min})`);
  }
  return n;
}

function uriArg(flag: string, v: string | undefined): string {
  if (!v) throw new UsageError(`--${flag} is required (${USAGE})`);
  try {
    parseMilvusUri(v);
  } catch {
    throw new UsageError(`--${flag} '${v}' is not allowed (expected ${MILVUS_URI_FORMS})`);
  }
  return v;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs("verify", {
    args: argv,
    options: {
      "source-uri": { type: "string" },
      "target-uri": { type: "string" },
      "source-token": { type: "string" },
      "target-token": { type: "string" },
      collections: { type: "string" },
      "version-field": { type: "string" },
      "search-queries": { type: "string" },
      k: { type: "string" },
      "page-size": { type: "string" },
      out: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const sourceUri = uriArg("source-uri", str("source-uri"));
  const targetUri = uriArg("target-uri", str("target-uri"));
  const sourceToken = str("source-token") ?? process.env.MILVUS_CDC_DRILL_SOURCE_TOKEN;
  const targetToken = str("target-token") ?? process.env.MILVUS_CDC_DRILL_TARGET_TOKEN;
  const collections = str("collections")
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (collections && collections.length === 0) {
    throw new UsageError(
      `--collections '${str("collections")}' is not allowed (expected names separated by commas)`,
    );
  }
  const searchQueries = positiveInt("search-queries", str("search-queries"), 10);
  const k = positiveInt("k", str("k"), 10, 1);
  const pageSize = positiveInt("page-size", str("page-size"), 4096, 1);
  const secrets = [sourceToken, targetToken].filter((s): s is string => Boolean(s));

  const out = str("out");
  // Before any cluster is dialled: a run directory that cannot be written is a usage error.
  if (out) await prepareRunDir(out);
  const startedAt = Date.now();
  const result = await verifyClusters({
    source: { uri: sourceUri, token: sourceToken },
    target: { uri: targetUri, token: targetToken },
    collections,
    versionField: str("version-field"),
    searchQueries,
    k,
    pageSize,
  });
  const final = result.final;
  // A misspelt name would otherwise "pass" as two equally empty sides.
  const nowhere = final.collections.filter((c) => c.source.exists === false && c.target.exists === false);
  if (nowhere.length > 0) {
    throw new UsageError(
      `--collections: ${nowhere.map((c) => `'${c.name}'`).join(", ")} exists on neither cluster (allowed: names of existing collections)`,
    );
  }
  const checks: CheckResult[] = runCheckers([], final, { thresholds: THRESHOLDS }, FINAL_STATE_CHECKS);
  const unreachable = !final.sourceReachable || !final.targetReachable;
  let stop: PhaseStop | undefined;
  if (unreachable) {
    const side = !final.sourceReachable ? "source" : "target";
    const err =
      final.collections.map((c) => (side === "source" ? c.source.error : c.target.error)).find(Boolean) ??
      `${side} unreachable`;
    stop = { phase: "verify", message: `the ${side} cluster could not be read: ${err}`, cancelled: false };
  }
  let report = buildReport({
    startedAt,
    // No seed, lag, faults or ops: nothing was generated or replicated under watch, only compared.
    mode: "verify",
    profile: null,
    backend: { name: "existing", details: { mode: "verify", source: sourceUri, target: targetUri } },
    checks,
    metrics: comparisonMetrics(final),
    stop,
    // Re-running verify is the replay; tokens are left out (they come from flags or the environment).
    replayCommand: [
      "milvus-cdc-drill verify --source-uri",
      sourceUri,
      "--target-uri",
      targetUri,
      ...(collections ? ["--collections", collections.join(",")] : []),
    ].join(" "),
  });
  if (out) {
    report = await writeRunFiles(report, out, { final, secrets });
  }
  const files = out ? report.files : [];
  if (v.json) {
    console.log(
      JSON.stringify(
        redactValue(
          { verdict: report.verdict, checks, elapsedMs: result.elapsedMs, rowsCompared: result.rowsCompared },
          secrets,
        ),
        null,
        2,
      ),
    );
  } else {
    console.log(renderCliTable(report, { secrets, files: files.map((f) => (out ? join(out, f) : f)) }));
    console.log(
      `compared ${result.rowsCompared} rows in ${final.collections.length} collection(s) in ${result.elapsedMs} ms`,
    );
  }
  return exitCodeOf(report.verdict);
}
