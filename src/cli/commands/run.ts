import { join } from "node:path";
import { loadConfig, parseRunFlags, RUN_USAGE } from "../../config/load.js";
import type { DrillConfig } from "../../config/schema.js";
import { preflight } from "../../drill/preflight.js";
import { exitCodeOf } from "../../errors.js";
import { ConsoleLogger } from "../logger.js";
import { withSignals } from "../signals.js";

export async function run(argv: string[]): Promise<number> {
  const flags = parseRunFlags(argv);
  if (flags.help) {
    console.log(RUN_USAGE);
    return 0;
  }
  // Everything is validated here, before anything is provisioned.
  const config = loadConfig({
    configFile: flags.configFile,
    profile: flags.profile,
    overrides: flags.overrides,
  });
  const outDir =
    flags.outDir ?? join("runs", `${new Date().toISOString().replace(/[:.]/g, "-")}-${config.seed}`);
  // Before anything starts or is printed: a missing prerequisite or an unwritable run directory is
  // one line and its exit code (errors.ts), with no run directory and no replay line.
  await preflight(config, outDir);
  // Loaded only now: the drill pulls in the Milvus SDK, gRPC and the generators, which take seconds
  // to load on a busy machine, and a failed check above must answer at once.
  const [{ runDrill }, { renderCliTable }, { renderAll }] = await Promise.all([
    import("../../drill/run.js"),
    import("../../report/cli-table.js"),
    import("../../report/write.js"),
  ]);
  const log = new ConsoleLogger();
  log.info(
    `milvus-cdc-drill: profile ${config.profile}, backend ${config.backend.type}, seed ${config.seed}, run dir ${outDir}`,
  );
  const report = await withSignals((signal) =>
    runDrill(config, {
      outDir,
      log,
      signal,
      replayCommand: `milvus-cdc-drill run ${flags.configFile ? `--config ${flags.configFile} ` : ""}--profile ${config.profile}${config.scenario !== "replication" ? ` --scenario ${config.scenario}` : ""} --backend ${config.backend.type}${config.backend.type === "local" && config.backend.local.faultMode !== "none" ? ` --local-fault ${config.backend.local.faultMode}` : ""}${starFlags(config)} --seed ${config.seed}`,
      onProgress: (p) =>
        log.progress(
          `[${p.phase}] ops ${p.opsDone}  lag ${p.lagMs === null ? "-" : `${p.lagMs} ms`}  faults ${p.faults}`,
        ),
    }),
  );
  const secrets = [config.backend.existing?.source.token, config.backend.existing?.target.token].filter(
    (t): t is string => Boolean(t),
  );
  if (flags.json) process.stdout.write(renderAll(report, { secrets })["report.json"]);
  else console.log(renderCliTable(report, { secrets, files: report.files.map((f) => join(outDir, f)) }));
  return exitCodeOf(report.verdict);
}

/** A star's flags for the replay command (a pair's runs replay as before, without them). */
function starFlags(config: DrillConfig): string {
  const t = config.topology;
  if (t.standbys === 1) return "";
  return ` --standbys ${t.standbys}${t.faultStandby !== null ? ` --fault-standby ${t.faultStandby}` : ""}${t.promote !== 1 ? ` --promote ${t.promote}` : ""}`;
}
