/**
 * The CLI: a thin adapter over the drill library. Each command lives in its own module under
 * commands/ and exports `run(argv): Promise<number>` returning the exit code:
 * 0 pass, 1 fail, 2 bad usage/config, 3 harness or environment error.
 */
import { EXIT, exitCodeOfError } from "../errors.js";

const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  run: () => import("./commands/run.js"),
  verify: () => import("./commands/verify.js"),
  check: () => import("./commands/check.js"),
  report: () => import("./commands/report.js"),
  plan: () => import("./commands/plan.js"),
  lab: () => import("./commands/lab.js"),
  replicate: () => import("./commands/replicate.js"),
};

const HELP = `milvus-cdc-drill: disaster-recovery drills for Milvus CDC

Usage:
  milvus-cdc-drill run [--config FILE] [--profile smoke|default|soak|kind-types] [--backend local|kind|existing] [--seed N] [--out DIR] [--json]
  milvus-cdc-drill verify --source-uri URI --target-uri URI [--source-token T] [--target-token T] [--collections a,b] [--out DIR]
  milvus-cdc-drill check RUN_DIR
  milvus-cdc-drill report RUN_DIR [--json]
  milvus-cdc-drill plan --backend kind [options] --out DIR
  milvus-cdc-drill lab [--json] [--replicate] [--local-fault MODE]
  milvus-cdc-drill replicate --config replicate-config.json --source-uri URI --target-uri URI

Run 'milvus-cdc-drill COMMAND --help' for a command's options.
Exit codes: 0 pass, 1 fail, 2 bad usage or config, 3 harness or environment error.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(HELP);
    return name ? EXIT.pass : EXIT.usage;
  }
  if (name === "--version") {
    const { toolVersion } = await import("../util/version.js");
    console.log(toolVersion());
    return 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(
      `milvus-cdc-drill: unknown command '${name}' (allowed: ${Object.keys(commands).join(", ")})`,
    );
    return EXIT.usage;
  }
  try {
    return await (await load()).run(rest);
  } catch (e) {
    console.error(`milvus-cdc-drill ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return exitCodeOfError(e);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = exitCodeOfError(e);
  },
);
