/**
 * `milvus-cdc-drill plan --backend kind ... --out DIR`: writes what the kind backend would apply and
 * run (kind config, operator values, both Milvus CRs, the replicate configuration, the command
 * sequence) without running anything, so it can be reviewed or run by hand.
 */

import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { type ChaosResource, chaosFile } from "../../backends/kind/chaos.js";
import { loadCrdValidator, validateChaos } from "../../backends/kind/crd-schema.js";
import { formatCommand } from "../../backends/kind/exec.js";
import { parseImageFlags } from "../../backends/kind/images.js";
import { BACKUP_JOB_TIMEOUT_MS } from "../../backends/kind/milvus-backup.js";
import { type KindOptions, validateKindOptions } from "../../backends/kind/options.js";
import {
  chaosTypes,
  PLAN_FILES,
  type PlanNemesis,
  planStandbys,
  renderCommands,
  renderPlanFiles,
  renderSeedFiles,
  runUniqueClusterName,
} from "../../backends/kind/plan.js";
import { parseCommandArgs } from "../../config/args.js";
import { loadConfig, parseRunFlags } from "../../config/load.js";
import { changesRoles } from "../../config/schema.js";
import { UsageError } from "../../errors.js";

export const PLAN_USAGE = `Usage: milvus-cdc-drill plan --backend kind [options] --out DIR

Writes ${Object.values(PLAN_FILES).join(", ")} into DIR. Runs nothing.

Options:
  --backend kind             the only backend with something to plan
  --config FILE              drill config file; its backend.kind section is the starting point
  --milvus-version V         Milvus release, at least v2.6.6 (e.g. v2.6.22)
  --operator-version V       Milvus Operator chart version, at least 1.3.4
  --mode M                   standalone | cluster
  --namespace N              namespace of both Milvus CRs
  --source-name A            primary CR name (its cluster id)
  --target-name B            standby CR name; neither name may contain the other
  --cluster-name C           kind cluster name (default: a run-unique name)
  --image NAME=REF           image for NAME (milvus, etcd, minio, operator, node), repeatable;
                             milvus takes a repository (the tag comes from --milvus-version)
  --nemesis NAME[,NAME...]   faults to plan (as for run); restart-standby, restart-primary,
                             partition, delay and stress-standby become chaos-<name>.yaml (Chaos Mesh,
                             installed by commands.sh only then); pause-cdc is refused on kind
  --nemesis-duration D       how long partition, delay and stress-standby last (e.g. 5s)
  --standbys N               a star: N standbys (as for run; on kind 1 to 2): one CR file each
                             (target.yaml, target-2.yaml), named targetName then extraTargetNames
  --out DIR                  where to write the plan`;

const OPTIONS = {
  backend: { type: "string" },
  config: { type: "string" },
  "milvus-version": { type: "string" },
  "operator-version": { type: "string" },
  mode: { type: "string" },
  namespace: { type: "string" },
  "source-name": { type: "string" },
  "target-name": { type: "string" },
  "cluster-name": { type: "string" },
  image: { type: "string", multiple: true },
  nemesis: { type: "string" },
  "nemesis-duration": { type: "string" },
  standbys: { type: "string" },
  out: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(argv: string[]) {
  return parseCommandArgs("plan", { args: argv, options: OPTIONS, allowPositionals: false }).values;
}

/** Options as given on the command line, in the config's shape; unset flags stay undefined. */
function kindOverrides(v: ReturnType<typeof parse>): Partial<KindOptions> {
  const o: Partial<KindOptions> = {
    milvusVersion: v["milvus-version"],
    operatorVersion: v["operator-version"],
    mode: v.mode as KindOptions["mode"] | undefined,
    namespace: v.namespace,
    sourceName: v["source-name"],
    targetName: v["target-name"],
    clusterName: v["cluster-name"],
  };
  const out = Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Record<
    string,
    unknown
  >;
  if (v.image?.length) out.images = parseImageFlags(v.image);
  return out as Partial<KindOptions>;
}

/** How commands.sh calls this CLI again: the same node and script when run from an installed bin. */
function selfCommand(): string | undefined {
  const script = process.argv[1] ?? "";
  if (!/milvus-cdc-drill(\.js)?$/.test(script)) return undefined;
  return formatCommand(process.execPath, [resolve(script)]);
}

/** Renders the plan in memory; throws UsageError for bad options before anything is written. */
export function buildPlan(argv: string[]): { out: string; files: Record<string, string> } {
  const v = parse(argv);
  if (v.backend === undefined)
    throw new UsageError(
      "--backend: required (allowed: kind; local needs no plan and existing creates nothing)",
    );
  if (v.backend !== "kind") {
    throw new UsageError(
      `--backend: '${v.backend}' has nothing to plan (allowed: kind; local needs no plan and existing creates nothing)`,
    );
  }
  if (!v.out) throw new UsageError("--out: missing (allowed: a directory to write the plan into)");
  // --nemesis, --nemesis-duration and --standbys mean what they mean for run: parsed and checked the same way.
  const nemesisFlags = parseRunFlags([
    ...(v.nemesis !== undefined ? ["--nemesis", v.nemesis] : []),
    ...(v["nemesis-duration"] !== undefined ? ["--nemesis-duration", v["nemesis-duration"]] : []),
    ...(v.standbys !== undefined ? ["--standbys", v.standbys] : []),
  ]).overrides;
  const cfg = loadConfig({
    configFile: v.config,
    overrides: { ...nemesisFlags, backend: { type: "kind", kind: kindOverrides(v) } },
  });
  const opts = cfg.backend.kind;
  validateKindOptions(opts);
  const clusterName = opts.clusterName ?? runUniqueClusterName();
  const { types, ...params } = cfg.faults.nemesis;
  const nemesis: PlanNemesis = { types, params };
  const standbys = cfg.topology.standbys;
  const files = renderPlanFiles(opts, {
    cdcOnTarget: changesRoles(cfg.scenario),
    nemesis,
    standbys,
  });
  // The CRs must pass the API server's strict field validation; checking here means a plan that
  // would be rejected on the runner is never written.
  const validator = loadCrdValidator();
  for (const name of [PLAN_FILES.source, ...planStandbys(opts, standbys).map((s) => s.file)]) {
    for (const doc of parseAllDocuments(files[name] ?? "")) {
      const cr = doc.toJS() as { kind?: string };
      if (cr?.kind !== "Milvus") continue;
      const problems = validator.validate(cr);
      if (problems.length) throw new Error(`${name} does not match the Milvus CRD: ${problems.join("; ")}`);
    }
  }
  // Chaos resources likewise, against the Chaos Mesh CRDs of the pinned chart.
  for (const t of chaosTypes(nemesis)) {
    const name = chaosFile(t);
    const problems = validateChaos(parseYaml(files[name] ?? "") as ChaosResource);
    if (problems.length) throw new Error(`${name} does not match its Chaos Mesh CRD: ${problems.join("; ")}`);
  }
  // Scenario seed: the two milvus-backup Jobs and their steps (refused here when it is not pinned).
  const seed =
    cfg.scenario === "seed"
      ? { backupName: `drill-seed-${cfg.seed}`, jobTimeoutMs: BACKUP_JOB_TIMEOUT_MS }
      : undefined;
  if (seed) Object.assign(files, renderSeedFiles(opts, seed));
  files[PLAN_FILES.commands] = renderCommands(opts, clusterName, selfCommand(), nemesis, seed, standbys);
  // Sanity: every YAML written parses back (a rendering bug must not reach the user).
  for (const [name, text] of Object.entries(files)) if (name.endsWith(".yaml")) parseAllDocuments(text);
  parseYaml(files[PLAN_FILES.operatorValues] ?? "");
  return { out: resolve(v.out), files };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(PLAN_USAGE);
    return 0;
  }
  const { out, files } = buildPlan(argv);
  await mkdir(out, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(out, name), content, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
  }
  console.log(`plan written to ${out}: ${Object.keys(files).join(", ")}`);
  return 0;
}
