/**
 * `milvus-cdc-drill run` flags -> config overrides. Each flag value is checked against the same
 * schema field it overrides, so a flag and a config key give the same rule, named after the flag.
 */
import { parseArgs } from "node:util";
import type { z } from "zod";
import { parseImageFlags } from "../backends/kind/images.js";
import { UsageError } from "../errors.js";
import { REDACTED } from "../report/redact.js";
import { formatCommand } from "../util/shell.js";
import { argsError } from "./args.js";
import { objectShapeAt } from "./issues.js";
import {
  BACKEND_TYPES,
  type BackendType,
  type DeepPartial,
  type DrillConfig,
  DrillConfigSchema,
  NEMESIS_TYPES,
} from "./schema.js";

export interface RunFlags {
  configFile?: string;
  profile?: string;
  outDir?: string;
  /** --help was given: print RUN_USAGE and do nothing else. */
  help?: boolean;
  /** --json: print report.json to stdout instead of the table (progress stays on stderr). */
  json?: boolean;
  overrides: DeepPartial<DrillConfig>;
}

export const RUN_USAGE = `Usage: milvus-cdc-drill run [options]

  --config FILE              YAML config (see schema/drill-config.schema.json)
  --profile NAME             smoke | default | soak | kind-types | switchover-smoke | failover-smoke
                             | chaos-smoke | triggers-smoke | seed-smoke | capacity-smoke
                             | star-smoke | star-chaos-smoke
                             (default: default)
  --scenario NAME            replication | switchover | failover | seed | capacity (default: the
                             profile's, replication)
  --backend TYPE             local | kind | existing
  --seed N                   replay a run (0..4294967295; default: random, printed in the report)
  --out DIR                  run directory for history, report and diagnostics
  --json                     print report.json to stdout (for scripts) instead of the table
  --ops N | --duration D     stop after N ops, or after D (e.g. 10m)
  --kill-cdc-at F,F          kill CDC at these fractions of the workload (e.g. 0.3,0.6)
  --kill-cdc-every D         kill CDC on a period (e.g. 30s) ...
  --kill-cdc-times N         ... at most N times (0: until the workload ends)
  --nemesis NAME[,NAME...]   the faults brought at those points, in turn (default kill-cdc): kill-cdc,
                             restart-standby, restart-primary, partition, delay, pause-cdc, stress-standby
  --nemesis-duration D       how long partition, delay, pause-cdc and stress-standby last (e.g. 5s)
  --standbys N               standbys replicating from the one primary, 1..4 (a star; default 1)
  --fault-standby K          a star: aim --local-fault and the faults on one standby (restart-standby,
                             partition, delay) at standby K (1-based; default: those in turn)
  --promote K                switchover/failover in a star: promote standby K (1-based; default 1)
  --lag-slo D                the lag check's SLO: p99 heartbeat lag under D (e.g. 5s)
  --recovery-timeout D       after each fault, replication must move again within D
  --catch-up-timeout D       after the workload, the standby must catch up within D (also bounds the
                             seeding's first replicated write)
local:     --local-fault MODE  --fault-every N
kind:      --milvus-version V  --operator-version V  --mode standalone|cluster  --keep-cluster
           --image NAME=REF (milvus, etcd, minio, operator, node; repeatable)  --use-preinstalled-tools
existing:  --source-uri U  --target-uri U  --source-token T  --target-token T
           --configure-replication  --source-cdc-uri U  --target-cdc-uri U (where the CDC pod dials each
           cluster, e.g. in-cluster DNS; required with --configure-replication when U is loopback)
           (tokens on a command line are visible to other local users; prefer tokenEnv: NAME per
           cluster in the config, which reads the token from that environment variable)

Precedence: profile < config file < flags. Durations: milliseconds or 500ms, 30s, 2m, 1h.`;

const OPTIONS = {
  config: { type: "string" },
  profile: { type: "string" },
  scenario: { type: "string" },
  backend: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  ops: { type: "string" },
  duration: { type: "string" },
  "local-fault": { type: "string" },
  "fault-every": { type: "string" },
  "milvus-version": { type: "string" },
  "operator-version": { type: "string" },
  mode: { type: "string" },
  "keep-cluster": { type: "boolean" },
  image: { type: "string", multiple: true },
  "use-preinstalled-tools": { type: "boolean" },
  "source-uri": { type: "string" },
  "target-uri": { type: "string" },
  "source-token": { type: "string" },
  "target-token": { type: "string" },
  "source-cdc-uri": { type: "string" },
  "target-cdc-uri": { type: "string" },
  "configure-replication": { type: "boolean" },
  "kill-cdc-at": { type: "string" },
  "kill-cdc-every": { type: "string" },
  "kill-cdc-times": { type: "string" },
  nemesis: { type: "string" },
  "nemesis-duration": { type: "string" },
  standbys: { type: "string" },
  "fault-standby": { type: "string" },
  promote: { type: "string" },
  "lag-slo": { type: "string" },
  "recovery-timeout": { type: "string" },
  "catch-up-timeout": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Which backend a flag belongs to, so `--backend local --keep-cluster` is refused rather than ignored. */
const BACKEND_OF: Partial<Record<keyof typeof OPTIONS, BackendType>> = {
  "local-fault": "local",
  "fault-every": "local",
  "fault-standby": "local",
  "milvus-version": "kind",
  "operator-version": "kind",
  mode: "kind",
  "keep-cluster": "kind",
  image: "kind",
  "use-preinstalled-tools": "kind",
  "source-uri": "existing",
  "target-uri": "existing",
  "source-token": "existing",
  "target-token": "existing",
  "source-cdc-uri": "existing",
  "target-cdc-uri": "existing",
  "configure-replication": "existing",
};

function parseError(e: unknown): UsageError {
  return argsError("run", e, Object.keys(OPTIONS));
}

function fieldSchema(path: readonly string[]): z.ZodType {
  const shape = objectShapeAt(DrillConfigSchema, path.slice(0, -1));
  const field = shape?.[path.at(-1) as string];
  if (!field) throw new Error(`flags: no config field ${path.join(".")}`);
  return field;
}

/** The flag value as the schema field reads it: numeric text as a number, else (durations, versions) as text. */
function checked(flag: string, raw: string | boolean, path: readonly string[]): unknown {
  const schema = fieldSchema(path);
  const numeric = typeof raw === "string" && /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(raw.trim());
  const attempts = numeric ? [Number(raw), raw] : [raw];
  let message = "invalid";
  for (const value of attempts) {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    message = r.error.issues[0]?.message ?? message;
  }
  return fail(flag, raw, message);
}

function fail(flag: string, raw: string | boolean, message: string): never {
  throw new UsageError(`${flag} ${String(raw)}: ${message}`);
}

function set(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  for (const key of path.slice(0, -1)) {
    cur[key] ??= {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path.at(-1) as string] = value;
}

/** Flags a replay leaves out: the seed (given again last), and where this run's files went. */
const NOT_REPLAYED = new Set<string>(["seed", "out", "json", "help"]);
/** Flags whose value is a secret: a replay shows a placeholder, never the value. */
const SECRET_FLAGS = new Set<string>(["source-token", "target-token"]);

/**
 * The command that replays a run: every flag it was given, in its order (so --standbys, --nemesis,
 * --local-fault and the rest are kept), tokens as placeholders, and the seed the run drew. Flags are
 * read as parseRunFlags reads them; call it only with argv that parsed.
 */
export function replayCommand(argv: readonly string[], seed: number): string {
  const { tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
    tokens: true,
  });
  const args: string[] = [];
  for (const t of tokens) {
    if (t.kind !== "option" || NOT_REPLAYED.has(t.name)) continue;
    args.push(`--${t.name}`);
    if (t.value !== undefined) args.push(SECRET_FLAGS.has(t.name) ? REDACTED : t.value);
  }
  return formatCommand("milvus-cdc-drill", ["run", ...args, "--seed", String(seed)]);
}

export function parseRunFlags(argv: string[]): RunFlags {
  let values: { [K in keyof typeof OPTIONS]?: string | boolean | string[] };
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw parseError(e);
  }
  if (values.help) return { help: true, overrides: {} };

  const overrides: Record<string, unknown> = {};
  const put = (flag: keyof typeof OPTIONS, path: string[]) => {
    const raw = values[flag];
    if (raw !== undefined && !Array.isArray(raw)) set(overrides, path, checked(`--${flag}`, raw, path));
  };

  const backend = values.backend as string | undefined;
  if (backend !== undefined && !(BACKEND_TYPES as readonly string[]).includes(backend)) {
    fail("--backend", backend, `must be one of ${BACKEND_TYPES.join(", ")}`);
  }
  for (const [flag, owner] of Object.entries(BACKEND_OF)) {
    if (values[flag as keyof typeof OPTIONS] === undefined) continue;
    if (backend !== undefined && backend !== owner) {
      throw new UsageError(`--${flag}: only valid with --backend ${owner} (got --backend ${backend})`);
    }
  }
  const existingFlags = [
    "source-uri",
    "target-uri",
    "source-token",
    "target-token",
    "source-cdc-uri",
    "target-cdc-uri",
    "configure-replication",
  ] as const;
  // Cluster URIs on the command line can only mean existing clusters, so they imply the backend.
  const effectiveBackend =
    backend ?? (existingFlags.some((f) => values[f] !== undefined) ? "existing" : undefined);
  if (effectiveBackend !== undefined) set(overrides, ["backend", "type"], effectiveBackend);

  put("seed", ["seed"]);
  // The same thresholds as the Action's lag-slo, recovery-timeout and catch-up-timeout inputs.
  put("lag-slo", ["thresholds", "lagSloMs"]);
  put("recovery-timeout", ["thresholds", "recoveryTimeoutMs"]);
  put("catch-up-timeout", ["thresholds", "catchUpTimeoutMs"]);
  put("scenario", ["scenario"]);
  put("ops", ["workload", "ops"]);
  put("duration", ["workload", "durationMs"]);
  put("local-fault", ["backend", "local", "faultMode"]);
  put("fault-every", ["backend", "local", "faultEvery"]);
  put("milvus-version", ["backend", "kind", "milvusVersion"]);
  put("operator-version", ["backend", "kind", "operatorVersion"]);
  put("mode", ["backend", "kind", "mode"]);
  put("keep-cluster", ["backend", "kind", "keepCluster"]);
  put("use-preinstalled-tools", ["backend", "kind", "usePreinstalledTools"]);
  put("configure-replication", ["backend", "existing", "configureReplication"]);
  if (Array.isArray(values.image) && values.image.length > 0) {
    set(overrides, ["backend", "kind", "images"], parseImageFlags(values.image));
  }
  for (const side of ["source", "target"] as const) {
    const uri = values[`${side}-uri`];
    if (uri !== undefined) {
      set(
        overrides,
        ["backend", "existing", side, "uri"],
        checked(`--${side}-uri`, uri as string, ["backend", "existing", side, "uri"]),
      );
    }
    const cdcUri = values[`${side}-cdc-uri`];
    if (cdcUri !== undefined) {
      set(
        overrides,
        ["backend", "existing", side, "replicateUri"],
        checked(`--${side}-cdc-uri`, cdcUri as string, ["backend", "existing", side, "replicateUri"]),
      );
    }
    const token = values[`${side}-token`];
    if (typeof token === "string") {
      if (token === "") throw new UsageError(`--${side}-token: must not be empty`);
      set(overrides, ["backend", "existing", side, "token"], token);
    }
  }
  if (values.ops !== undefined && values.duration !== undefined) {
    throw new UsageError(
      "--ops and --duration: choose one (a run stops after a number of ops or after a time)",
    );
  }

  const at = values["kill-cdc-at"];
  const every = values["kill-cdc-every"];
  if (at !== undefined && every !== undefined) {
    throw new UsageError("--kill-cdc-at and --kill-cdc-every: choose one");
  }
  if (values["kill-cdc-times"] !== undefined && every === undefined) {
    throw new UsageError(
      `--kill-cdc-times ${String(values["kill-cdc-times"])}: only valid with --kill-cdc-every`,
    );
  }
  if (typeof at === "string") {
    const rule =
      "must be fractions in (0, 1), strictly ascending, comma-separated (e.g. 0.3,0.6; empty for none)";
    const parts = at.trim() === "" ? [] : at.split(",").map((s) => s.trim());
    const fractions = parts.map((s) => (/^\d*\.?\d+$/.test(s) ? Number(s) : Number.NaN));
    const ok = fractions.every((f, i) => f > 0 && f < 1 && (i === 0 || f > (fractions[i - 1] as number)));
    if (!ok) fail("--kill-cdc-at", at, rule);
    set(overrides, ["faults", "killCdc"], { at: fractions, everyMs: null, times: 0 });
  }
  if (every !== undefined) {
    set(overrides, ["faults", "killCdc", "at"], []);
    put("kill-cdc-every", ["faults", "killCdc", "everyMs"]);
    put("kill-cdc-times", ["faults", "killCdc", "times"]);
  }

  const nemesis = values.nemesis;
  if (typeof nemesis === "string") {
    const names = nemesis.split(",").map((n) => n.trim());
    const path = ["faults", "nemesis", "types"];
    const r = fieldSchema(path).safeParse(names);
    if (!r.success)
      fail("--nemesis", nemesis, `must be comma-separated names, each one of ${NEMESIS_TYPES.join(", ")}`);
    set(overrides, path, r.data);
  }
  put("nemesis-duration", ["faults", "nemesis", "durationMs"]);
  put("standbys", ["topology", "standbys"]);
  put("fault-standby", ["topology", "faultStandby"]);
  put("promote", ["topology", "promote"]);

  const out: RunFlags = { overrides: overrides as DeepPartial<DrillConfig> };
  if (values.json) out.json = true;
  if (typeof values.config === "string") out.configFile = values.config;
  if (typeof values.profile === "string") out.profile = values.profile;
  if (typeof values.out === "string") {
    if (values.out.trim() === "") throw new UsageError("--out: must not be empty");
    out.outDir = values.out;
  }
  return out;
}
