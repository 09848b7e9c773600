/**
 * The Action's main step: a thin adapter over the drill library (the same runDrill the CLI calls).
 * Inputs -> config (shared validation) -> runDrill -> outputs, job summary, annotations, verdict.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as core from "@actions/core";
import type { Logger } from "../backends/types.js";
import { describeConfig, loadConfig, mergeLayers, parseRunFlags } from "../config/load.js";
import type { DrillConfig } from "../config/schema.js";
import { preflight } from "../drill/preflight.js";
import { runDrill } from "../drill/run.js";
import { UsageError } from "../errors.js";
import type { DrillReport } from "../report/model.js";
import { renderAll } from "../report/write.js";
import { ownSignals } from "../signals.js";
import { uploadRunDir } from "./artifact.js";
import {
  configSecrets,
  getInputs,
  type Inputs,
  inputMessage,
  looksLikeInlineYaml,
  toDrillRequest,
} from "./context.js";
import * as stateHelper from "./state-helper.js";

/** Loads and validates the config; a UsageError here means nothing has been provisioned yet. */
function resolveConfig(inputs: Inputs): { config: DrillConfig; outDir: string } {
  const request = toDrillRequest(inputs, process.env.GITHUB_WORKSPACE || process.cwd());
  const flags = parseRunFlags(request.argv);
  const overrides = mergeLayers(flags.overrides, request.extraOverrides) as typeof flags.overrides;
  const config = loadConfig({
    configFile: request.configFile,
    configText: request.configText,
    profile: flags.profile,
    overrides,
  });
  const masked = new Set([inputs.sourceToken, inputs.targetToken]);
  for (const secret of configSecrets(config)) if (!masked.has(secret)) core.setSecret(secret);
  return { config, outDir: request.outDir };
}

/**
 * GitHub folds groups but does not nest them: a group opened inside another would close the outer
 * one early, so inner groups become plain headed sections.
 */
function actionLogger(): Logger {
  let depth = 0;
  return {
    info: (m) => core.info(m),
    warn: (m) => core.warning(m),
    debug: (m) => core.debug(m),
    async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
      if (depth > 0) {
        core.info(`-- ${name}`);
        return fn();
      }
      depth++;
      try {
        return await core.group(name, fn);
      } finally {
        depth--;
      }
    },
  };
}

const seconds = (ms: number | null | undefined): string =>
  typeof ms === "number" && Number.isFinite(ms) ? String(Math.round(ms) / 1000) : "";

const num = (v: number | null | undefined): string =>
  typeof v === "number" && Number.isFinite(v) ? String(Math.round(v)) : "";

function reportOutputs(report: DrillReport, outDir: string): Record<string, string> {
  const recoveries = report.metrics.recoveries;
  // One kill that never recovered makes the worst case unknown: say nothing rather than a low number.
  const recovered = recoveries.every((r) => r.recoveryMs !== null);
  const worst =
    recoveries.length > 0 && recovered ? Math.max(...recoveries.map((r) => r.recoveryMs ?? 0)) : null;
  const p99 = report.metrics.lag.p99;
  return {
    verdict: report.verdict,
    "lag-p99-ms": typeof p99 === "number" ? String(Math.round(p99)) : "",
    "recovery-seconds": seconds(worst),
    "catch-up-seconds": seconds(report.metrics.catchUpMs),
    "report-path": join(outDir, "report.json"),
    "failed-checks": report.checks
      .filter((c) => c.verdict === "fail")
      .map((c) => c.name)
      .join(","),
    "rpo-ms": num(report.metrics.rpo?.windowMs),
    "rto-ms": num(report.metrics.rtoMs),
    "lost-writes": num(report.metrics.rpo?.lostWrites),
  };
}

async function writeSummary(
  report: DrillReport,
  outDir: string,
  secrets: string[],
  artifactUrl: string | undefined,
): Promise<void> {
  if (artifactUrl) {
    // Re-rendered (not re-decided) so the job summary links the artifact the file could not know of.
    await core.summary.addRaw(renderAll(report, { secrets, artifactUrl })["summary.md"]).write();
    return;
  }
  const file = join(outDir, "summary.md");
  if (existsSync(file)) {
    await core.summary.addRaw(readFileSync(file, "utf8")).write();
    return;
  }
  // The report writer normally renders summary.md; without it, a table beats an empty summary.
  await core.summary
    .addHeading(`milvus-cdc-drill: ${report.verdict}`)
    .addTable([
      [
        { data: "check", header: true },
        { data: "verdict", header: true },
        { data: "summary", header: true },
      ],
      ...report.checks.map((c) => [c.name, c.verdict, c.summary]),
    ])
    .write();
}

function annotate(report: DrillReport): void {
  for (const c of report.checks) {
    if (c.verdict === "fail") core.error(c.summary, { title: `milvus-cdc-drill ${c.name} failed` });
    else if (c.verdict === "unknown")
      core.warning(c.summary, { title: `milvus-cdc-drill ${c.name} unknown` });
  }
  if (report.error) {
    core.error(report.error.message, { title: `milvus-cdc-drill harness error in ${report.error.phase}` });
  }
}

async function run(): Promise<void> {
  let inputs: Inputs | undefined;
  let resolved: { config: DrillConfig; outDir: string };
  try {
    const read = getInputs();
    inputs = read;
    resolved = await core.group("Configuration", async () => {
      const r = resolveConfig(read);
      core.info(describeConfig(r.config));
      core.info(`run directory: ${r.outDir}`);
      return r;
    });
  } catch (e) {
    if (e instanceof UsageError) {
      core.setOutput("verdict", "error");
      const message = inputMessage(e.message, inputs);
      // A problem inside an existing config file is annotated on the file itself, where the fix goes.
      const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
      const file = inputs?.config.trim();
      if (
        file &&
        e.message.startsWith("config ") &&
        !looksLikeInlineYaml(file, workspace) &&
        existsSync(resolve(workspace, file))
      ) {
        core.error(message, { title: "milvus-cdc-drill config", file });
        process.exitCode = core.ExitCode.Failure;
      } else {
        core.setFailed(message);
      }
      return;
    }
    throw e;
  }
  const { config, outDir } = resolved;
  try {
    await preflight(config, outDir);
  } catch (e) {
    // A missing prerequisite (exit-3 class) or an unwritable run directory: one line, nothing started.
    core.setOutput("verdict", "error");
    core.setFailed(e instanceof Error ? e.message : String(e));
    return;
  }
  stateHelper.saveRunDir(outDir);

  // The step's one signal owner, kept until the outputs are set: a cancelled job still reports.
  const signals = ownSignals((sig) =>
    core.warning(`received ${sig}: stopping the drill and tearing down (a second signal exits at once)`),
  );

  const secrets = [inputs?.sourceToken, inputs?.targetToken, ...configSecrets(config)].filter(
    (t): t is string => Boolean(t),
  );
  let report: DrillReport;
  try {
    report = await runDrill(config, {
      outDir,
      log: actionLogger(),
      signal: signals.signal,
      onProvisioned: (record) => stateHelper.saveCleanup(record),
      secrets,
    });
  } catch (e) {
    signals.release();
    core.setOutput("verdict", "error");
    core.setFailed(`drill could not run: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }

  const failOnVerdict = inputs?.failOnVerdict !== false;
  await core.group("Report", async () => {
    const outputs = reportOutputs(report, outDir);
    for (const [k, v] of Object.entries(outputs)) core.setOutput(k, v);
    core.info(`verdict: ${report.verdict}`);
    for (const c of report.checks) core.info(`  ${c.verdict.padEnd(7)} ${c.name}: ${c.summary}`);
    annotate(report);
    const url = await uploadRunDir(inputs?.artifactName ?? "", outDir);
    if (url) core.info(`artifact: ${url}`);
    await writeSummary(report, outDir, secrets, url);
  });

  signals.release();
  const failed = reportOutputs(report, outDir)["failed-checks"];
  if (report.reason) {
    // A cancelled drill proved nothing: the step fails whatever fail-on-verdict says.
    core.setFailed(`drill ${report.reason}: verdict ${report.verdict}; see ${join(outDir, "summary.md")}`);
  } else if (report.verdict === "error") {
    core.setFailed(
      `drill harness error${report.error ? ` in ${report.error.phase}: ${report.error.message}` : ""}`,
    );
  } else if ((report.verdict === "fail" || report.verdict === "unknown") && failOnVerdict) {
    core.setFailed(
      `drill verdict: ${report.verdict}${failed ? ` (failed checks: ${failed})` : ""}; see ${join(outDir, "summary.md")}`,
    );
  }
}

run().catch((e: unknown) => {
  core.setFailed(`milvus-cdc-drill: ${e instanceof Error ? e.message : String(e)}`);
});
