import { join } from "node:path";
import { replayCommand } from "../../config/flags.js";
import { loadConfig, parseRunFlags, RUN_USAGE } from "../../config/load.js";
import { existingClusters } from "../../config/schema.js";
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
      replayCommand: replayCommand(argv, config.seed),
      onProgress: (p) =>
        log.progress(
          `[${p.phase}] ops ${p.opsDone}  lag ${p.lagMs === null ? "-" : `${p.lagMs} ms`}  faults ${p.faults}`,
        ),
    }),
  );
  const ex = config.backend.existing;
  const secrets = (ex ? existingClusters(ex) : []).map((e) => e.token).filter((t): t is string => Boolean(t));
  if (flags.json) process.stdout.write(renderAll(report, { secrets })["report.json"]);
  else console.log(renderCliTable(report, { secrets, files: report.files.map((f) => join(outDir, f)) }));
  return exitCodeOf(report.verdict);
}
