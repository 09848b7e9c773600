/**
 * Loading a drill configuration: profile defaults < config file < overrides (flags, Action inputs).
 * Objects deep-merge, arrays replace. Every problem is a UsageError with one line naming the field,
 * the value and what is allowed, raised before anything is provisioned.
 */
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseDocument, stringify } from "yaml";
import { UsageError } from "../errors.js";
import { issueLine } from "./issues.js";
import { DEFAULT_PROFILE, PROFILES } from "./profiles.js";
import {
  type DeepPartial,
  type DrillConfig,
  DrillConfigSchema,
  existingClusterKey,
  existingClusters,
  PROFILE_NAMES,
  type ProfileName,
} from "./schema.js";
import { crossFieldError, line } from "./validate.js";

export { parseRunFlags, RUN_USAGE, type RunFlags } from "./flags.js";

export interface LoadConfigOptions {
  /** Path of a YAML (or JSON) file. */
  configFile?: string;
  /** Inline YAML, e.g. the Action's `config` input. Not together with configFile. */
  configText?: string;
  /** Profile to start from; beats a `profile:` line in the file. */
  profile?: string;
  /** Highest precedence: CLI flags or Action inputs. */
  overrides?: DeepPartial<DrillConfig>;
  /** Where tokenEnv names are looked up (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

type Layer = Record<string, unknown>;

function isPlainObject(v: unknown): v is Layer {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, anything else (arrays, null, scalars) replaces; undefined is "not set". */
export function mergeLayers(base: unknown, layer: unknown): unknown {
  if (layer === undefined) return base;
  if (!isPlainObject(layer)) return structuredClone(layer);
  const out: Layer = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    out[key] = mergeLayers(out[key], value);
  }
  return out;
}

/**
 * ops/durationMs and killCdc.at/everyMs are either-or pairs. A layer that names one side only clears
 * the other, so a file saying `durationMs: 10m` over a profile with `ops: 200` means a timed run
 * instead of a contradiction.
 */
function resolvePairs(layer: Layer): Layer {
  const out = structuredClone(layer);
  const w = out.workload;
  if (isPlainObject(w)) {
    if (w.durationMs != null && !("ops" in w)) w.ops = null;
    if (w.ops != null && !("durationMs" in w)) w.durationMs = null;
  }
  const f = out.faults;
  const k = isPlainObject(f) ? f.killCdc : undefined;
  if (isPlainObject(k)) {
    if (k.everyMs != null && !("at" in k)) k.at = [];
    if (Array.isArray(k.at) && k.at.length > 0 && !("everyMs" in k)) k.everyMs = null;
  }
  return out;
}

function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() ?? text;
}

/** Parse YAML text into a mapping, or throw naming `label` (e.g. "config file ./x.yaml"). */
export function parseConfigText(text: string, label: string): Layer {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line;
    const message = firstLine(err.message).replace(/ at line \d+, column \d+:?$/, "");
    throw new UsageError(`${label}: invalid YAML${line ? ` at line ${line}` : ""}: ${message}`);
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) {
    throw new UsageError(
      `${label}: must be a YAML mapping of settings (found ${Array.isArray(data) ? "a list" : typeof data})`,
    );
  }
  return data;
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`config file ${path}: not found`);
    if (code === "EISDIR") throw new UsageError(`config file ${path}: is a directory, not a file`);
    throw new UsageError(`config file ${path}: cannot be read (${code ?? (e as Error).message})`);
  }
}

function pickProfile(opts: LoadConfigOptions, file: Layer): ProfileName {
  const allowed = `allowed: ${PROFILE_NAMES.join(", ")}`;
  const known = (p: unknown): p is ProfileName => (PROFILE_NAMES as readonly unknown[]).includes(p);
  if (opts.profile !== undefined) {
    if (!known(opts.profile)) throw new UsageError(`--profile ${opts.profile}: unknown profile (${allowed})`);
    return opts.profile;
  }
  const fromOverrides = opts.overrides?.profile;
  if (fromOverrides !== undefined) {
    if (!known(fromOverrides))
      throw new UsageError(`config profile = ${String(fromOverrides)}: unknown profile (${allowed})`);
    return fromOverrides;
  }
  if (file.profile !== undefined) {
    if (!known(file.profile)) {
      throw new UsageError(
        `config profile = ${JSON.stringify(file.profile)?.replace(/^"|"$/g, "")}: unknown profile (${allowed})`,
      );
    }
    return file.profile;
  }
  return DEFAULT_PROFILE;
}

/** Validate an already-merged config object (e.g. one read back from a run directory). */
export function validateConfig(input: unknown): DrillConfig {
  const parsed = DrillConfigSchema.safeParse(input);
  if (!parsed.success) throw new UsageError(issueLine(parsed.error, input, DrillConfigSchema));
  const cfg = parsed.data as DrillConfig;
  const problem = crossFieldError(cfg);
  if (problem) throw new UsageError(problem);
  return cfg;
}

export function loadConfig(opts: LoadConfigOptions = {}): DrillConfig {
  if (opts.configFile !== undefined && opts.configText !== undefined) {
    throw new UsageError("config: give a config file or inline config text, not both");
  }
  let file: Layer = {};
  if (opts.configFile !== undefined) {
    file = parseConfigText(readConfigFile(opts.configFile), `config file ${opts.configFile}`);
  } else if (opts.configText !== undefined) {
    file = parseConfigText(opts.configText, "config text");
  }
  const profile = pickProfile(opts, file);
  let merged = mergeLayers(structuredClone(PROFILES[profile]), resolvePairs(file));
  merged = mergeLayers(merged, resolvePairs((opts.overrides ?? {}) as Layer));
  const out = merged as Layer;
  out.profile = profile;
  // The seed is drawn here, once, so the report can record the exact value and a rerun can replay it.
  if (out.seed === undefined) out.seed = randomInt(0, 2 ** 32);
  return resolveTokenEnv(validateConfig(out), file, opts.env ?? process.env);
}

/**
 * A cluster's `tokenEnv`: its token read from that environment variable, when no token is set. One
 * written next to it in the same config is a contradiction (which one counts?); a flag's or an Action
 * input's token beats it, as overrides beat the file. A variable unset or empty is an error naming it.
 */
function resolveTokenEnv(cfg: DrillConfig, file: Layer, env: NodeJS.ProcessEnv): DrillConfig {
  const ex = cfg.backend.existing;
  if (!ex) return cfg;
  const raw = (file.backend as Layer | undefined)?.existing as Layer | undefined;
  const rawEnd = (i: number): Layer | undefined => {
    const e =
      i === 0 ? raw?.source : i === 1 ? raw?.target : (raw?.extraTargets as unknown[] | undefined)?.[i - 2];
    return isPlainObject(e) ? e : undefined;
  };
  for (const [i, end] of existingClusters(ex).entries()) {
    const path = `backend.existing.${existingClusterKey(i)}`;
    const name = end.tokenEnv;
    if (name === undefined) continue;
    const inFile = rawEnd(i);
    if (inFile?.token !== undefined && inFile.tokenEnv !== undefined)
      throw new UsageError(line(`${path}.tokenEnv`, name, "set token or tokenEnv, not both"));
    if (end.token !== undefined) continue;
    const value = env[name];
    if (!value)
      throw new UsageError(
        line(
          `${path}.tokenEnv`,
          name,
          `the environment variable ${name} is ${value === undefined ? "not set" : "empty"}: it must hold the cluster's token`,
        ),
      );
    end.token = value;
  }
  return cfg;
}

const MASK = "***";

/** Replaces only the password of `scheme://user:password@host`, leaving the rest of the URI as written. */
function maskUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, `$1${MASK}@`);
}

/** A copy safe to log or write to disk: tokens and URI passwords replaced by "***". */
export function redactConfig(cfg: DrillConfig): DrillConfig {
  const out = structuredClone(cfg);
  const ex = out.backend.existing;
  if (ex) {
    for (const end of existingClusters(ex)) {
      // A token read from tokenEnv is left out: the described config then reloads from the same variable.
      if (end.tokenEnv !== undefined) delete end.token;
      else if (end.token !== undefined) end.token = MASK;
      end.uri = maskUri(end.uri);
      if (end.replicateUri) end.replicateUri = maskUri(end.replicateUri);
    }
    if (ex.metricsUrls) ex.metricsUrls = ex.metricsUrls.map(maskUri);
  }
  return out;
}

/** The effective configuration as YAML for the log, secrets masked. */
export function describeConfig(cfg: DrillConfig): string {
  return stringify(redactConfig(cfg), { lineWidth: 0 }).trimEnd();
}
