/**
 * `milvus-cdc-drill replicate --config replicate-config.json --source-uri U --target-uri U`: applies a
 * replicate configuration (as `plan` writes it) to the primary, then the standby, and confirms both
 * hold it, exactly as a drill does. It is the replication step of plan's commands.sh.
 */

import { readFile } from "node:fs/promises";
import type { ClusterEndpoint, ClusterPair } from "../../backends/types.js";
import { parseCommandArgs } from "../../config/args.js";
import { UsageError } from "../../errors.js";
import { configureReplication, type ReplicateConfiguration } from "../../milvus/replicate.js";

export const REPLICATE_USAGE = `Usage: milvus-cdc-drill replicate --config FILE --source-uri URI --target-uri URI [--target-uri URI ...] [--source-token T] [--target-token T ...] [--timeout SECONDS] [--only primary|standby]

Applies FILE (a replicate configuration: clusters with cluster_id, connection_param.uri and pchannels,
one cross_cluster_topology edge from the primary per standby) with UpdateReplicateConfiguration to the
primary, then each standby, and confirms each holds it (GetReplicateConfiguration, or GetReplicateInfo
on releases without it). A star (several edges): one --target-uri (and --target-token) per edge, in
the order of FILE's edges.
--source-uri/--target-uri are where this machine reaches each cluster (a port-forward); the URIs in
FILE are where the CDC pod dials them. Tokens also come from MILVUS_CDC_DRILL_SOURCE_TOKEN /
MILVUS_CDC_DRILL_TARGET_TOKEN; a token masked as *** in FILE is taken from there.
--only applies it to one cluster: Milvus Backup's restore secondary order (scenario seed) configures
the standby before the restore and the primary after it.`;

const OPTIONS = {
  config: { type: "string" },
  "source-uri": { type: "string" },
  "target-uri": { type: "string", multiple: true },
  "source-token": { type: "string" },
  "target-token": { type: "string", multiple: true },
  timeout: { type: "string" },
  only: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(argv: string[]) {
  return parseCommandArgs("replicate", { args: argv, options: OPTIONS, allowPositionals: false }).values;
}

/**
 * The pair (a star: the pair and its extraStandbys) the configuration file describes, reached at the
 * given local URIs: `local.targets[k]` for the k-th edge's standby. A token given once serves every
 * standby whose token is masked.
 */
export function pairFromConfig(
  config: ReplicateConfiguration,
  local: { source: string; target: string | string[] },
  tokens: { source?: string; target?: string | string[] },
): ClusterPair {
  const edges = config.cross_cluster_topology ?? [];
  const edge = edges[0];
  if (!edge) {
    throw new UsageError("--config: must hold a cross_cluster_topology edge (source -> target)");
  }
  const from = new Set(edges.map((e) => e.source_cluster_id));
  if (from.size !== 1) {
    throw new UsageError(
      `--config: its edges leave ${[...from].join(", ")}; allowed: one primary (a pair or a star)`,
    );
  }
  const targets = Array.isArray(local.target) ? local.target : [local.target];
  if (targets.length !== edges.length) {
    throw new UsageError(
      `--target-uri: given ${targets.length} time(s), --config has ${edges.length} edge(s) (allowed: one --target-uri per standby, in the order of its edges)`,
    );
  }
  const targetTokens = Array.isArray(tokens.target) ? tokens.target : tokens.target ? [tokens.target] : [];
  const tokenOf = (k: number) => targetTokens[k] ?? (targetTokens.length === 1 ? targetTokens[0] : undefined);
  const side = (id: string, uri: string, token: string | undefined): ClusterEndpoint => {
    const c = config.clusters?.find((x) => x.cluster_id === id);
    if (!c?.connection_param?.uri || !Array.isArray(c.pchannels) || c.pchannels.length === 0) {
      throw new UsageError(`--config: cluster '${id}' needs connection_param.uri and pchannels`);
    }
    const stored = c.connection_param.token;
    const tok = stored && stored !== "***" ? stored : token;
    if (stored === "***" && !token) {
      throw new UsageError(`--config: the token of '${id}' is masked; pass it with a --*-token flag or env`);
    }
    return {
      clusterId: id,
      uri,
      replicateUri: c.connection_param.uri,
      pchannels: c.pchannels,
      ...(tok ? { token: tok } : {}),
    };
  };
  const standbys = edges.map((e, k) => side(e.target_cluster_id, targets[k] as string, tokenOf(k)));
  const [target, ...extraStandbys] = standbys as [ClusterEndpoint, ...ClusterEndpoint[]];
  return {
    source: side(edge.source_cluster_id, local.source, tokens.source),
    target,
    ...(extraStandbys.length > 0 ? { extraStandbys } : {}),
  };
}

export async function run(argv: string[]): Promise<number> {
  const v = parse(argv);
  if (v.help) {
    console.log(REPLICATE_USAGE);
    return 0;
  }
  for (const f of ["config", "source-uri", "target-uri"] as const) {
    if (!v[f]?.length) throw new UsageError(`--${f}: missing (${REPLICATE_USAGE.split("\n")[0]})`);
  }
  const timeoutS = v.timeout === undefined ? 600 : Number(v.timeout);
  if (!Number.isInteger(timeoutS) || timeoutS <= 0) {
    throw new UsageError(`--timeout ${v.timeout}: must be a whole number of seconds > 0`);
  }
  const only = v.only;
  if (only !== undefined && only !== "primary" && only !== "standby") {
    throw new UsageError(`--only ${only}: not a side (allowed: primary, standby)`);
  }
  let config: ReplicateConfiguration;
  try {
    config = JSON.parse(await readFile(v.config as string, "utf8")) as ReplicateConfiguration;
  } catch (e) {
    throw new UsageError(`--config ${v.config}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const pair = pairFromConfig(
    config,
    { source: v["source-uri"] as string, target: v["target-uri"] as string[] },
    {
      source: v["source-token"] ?? process.env.MILVUS_CDC_DRILL_SOURCE_TOKEN,
      target: v["target-token"] ?? process.env.MILVUS_CDC_DRILL_TARGET_TOKEN,
    },
  );
  const r = await configureReplication(pair, {
    timeoutMs: timeoutS * 1000,
    log: (m) => console.error(m),
    ...(only ? { only } : {}),
  });
  console.log(
    `replication ${pair.source.clusterId} -> ${[pair.target, ...(pair.extraStandbys ?? [])].map((s) => s.clusterId).join(", ")} configured${only ? ` on the ${only}` : ""}; confirmed by ${r.confirmedBy}`,
  );
  return 0;
}
