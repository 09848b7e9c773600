/**
 * The Action's inputs: the only module that calls core.getInput. Inputs are turned into the very
 * same command-line flags `milvus-cdc-drill run` parses, so the Action and the CLI share one
 * validation and one set of messages; only the messages' flag names are rewritten to input names.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import * as core from "@actions/core";
import { parseDuration } from "../config/duration.js";
import { type DrillConfig, existingClusters } from "../config/schema.js";
import { UsageError } from "../errors.js";

export interface Inputs {
  backend: string;
  milvusVersion: string;
  operatorVersion: string;
  mode: string;
  profile: string;
  scenario: string;
  config: string;
  seed: string;
  killCdc: string;
  keepCluster: boolean;
  failOnVerdict: boolean;
  sourceUri: string;
  sourceToken: string;
  targetUri: string;
  targetToken: string;
  catchUpTimeout: string;
  recoveryTimeout: string;
  lagSlo: string;
  upgradeFrom: string;
  upgradeTo: string;
  runDir: string;
  localFault: string;
  /** The nemesis' fault types, comma-separated (--nemesis); empty: the profile's (kill-cdc). */
  nemesis?: string;
  /** Standbys in the star (--standbys); empty: the profile's (1). */
  standbys?: string;
  /** The standby (1-based) the local fault and the nemesis' standby faults are aimed at (--fault-standby). */
  faultStandby?: string;
  /** Switchover/failover in a star: the standby promoted (--promote); empty: the first. */
  promote?: string;
  /** "NAME=REF" entries, one per line or comma-separated (kind backend). */
  images: string;
  usePreinstalledTools: boolean;
  configureReplication: boolean;
  sourceCdcUri: string;
  targetCdcUri: string;
  /** Name of the artifact the run directory is uploaded as; "" = do not upload. */
  artifactName: string;
}

/** Input name -> the `run` flag it becomes (inputs absent here have no flag and map to overrides). */
const FLAG_OF_INPUT = {
  backend: "--backend",
  "milvus-version": "--milvus-version",
  "operator-version": "--operator-version",
  mode: "--mode",
  profile: "--profile",
  scenario: "--scenario",
  seed: "--seed",
  "source-uri": "--source-uri",
  "source-token": "--source-token",
  "target-uri": "--target-uri",
  "target-token": "--target-token",
  "local-fault": "--local-fault",
  "keep-cluster": "--keep-cluster",
  "use-preinstalled-tools": "--use-preinstalled-tools",
  "configure-replication": "--configure-replication",
  "source-cdc-uri": "--source-cdc-uri",
  "target-cdc-uri": "--target-cdc-uri",
  nemesis: "--nemesis",
  standbys: "--standbys",
  "fault-standby": "--fault-standby",
  promote: "--promote",
} as const;

/**
 * Reads every input. Tokens are registered as secrets before any other input is read, so nothing
 * logged afterwards (including a bad-input message) can echo them.
 */
export function getInputs(): Inputs {
  const sourceToken = core.getInput("source-token");
  const targetToken = core.getInput("target-token");
  for (const t of [sourceToken, targetToken]) if (t) core.setSecret(t);
  return {
    backend: core.getInput("backend"),
    milvusVersion: core.getInput("milvus-version"),
    operatorVersion: core.getInput("operator-version"),
    mode: core.getInput("mode"),
    profile: core.getInput("profile"),
    scenario: core.getInput("scenario"),
    config: core.getInput("config"),
    seed: core.getInput("seed"),
    killCdc: core.getInput("kill-cdc"),
    keepCluster: booleanInput("keep-cluster", false),
    failOnVerdict: booleanInput("fail-on-verdict", true),
    sourceUri: core.getInput("source-uri"),
    sourceToken,
    targetUri: core.getInput("target-uri"),
    targetToken,
    catchUpTimeout: core.getInput("catch-up-timeout"),
    recoveryTimeout: core.getInput("recovery-timeout"),
    lagSlo: core.getInput("lag-slo"),
    upgradeFrom: core.getInput("upgrade-from"),
    upgradeTo: core.getInput("upgrade-to"),
    runDir: core.getInput("run-dir"),
    localFault: core.getInput("local-fault"),
    nemesis: core.getInput("nemesis"),
    standbys: core.getInput("standbys"),
    faultStandby: core.getInput("fault-standby"),
    promote: core.getInput("promote"),
    images: core.getInput("images"),
    usePreinstalledTools: booleanInput("use-preinstalled-tools", false),
    configureReplication: booleanInput("configure-replication", false),
    sourceCdcUri: core.getInput("source-cdc-uri"),
    targetCdcUri: core.getInput("target-cdc-uri"),
    artifactName: core.getInput("artifact-name"),
  };
}

/** core.getBooleanInput's error spans three lines; inputs get one line like every other bad value. */
function booleanInput(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name);
  if (raw === "") return fallback;
  if (["true", "True", "TRUE"].includes(raw)) return true;
  if (["false", "False", "FALSE"].includes(raw)) return false;
  throw new UsageError(`input ${name} = ${JSON.stringify(raw)}: must be true or false`);
}

type Overrides = Record<string, unknown>;

/** What loadConfig needs, plus where the run directory goes. */
export interface DrillRequest {
  argv: string[];
  configFile?: string;
  configText?: string;
  /** Overrides for settings that have no `run` flag; merged over the flags' overrides. */
  extraOverrides: Overrides;
  outDir: string;
}

/**
 * Turns inputs into the `run` flags (validated by the CLI's parser) and the few overrides that have
 * no flag. Pure: throws UsageError naming the input for anything malformed.
 */
export function toDrillRequest(inputs: Inputs, workspace: string): DrillRequest {
  const argv: string[] = [];
  const flag = (input: keyof typeof FLAG_OF_INPUT, value: string) => {
    // --flag=value, so a value starting with "-" (seed -5) is read as a value, not as another flag.
    if (value !== "") argv.push(`${FLAG_OF_INPUT[input]}=${value}`);
  };
  // Without a config the Action's documented defaults apply; with one, the config decides.
  const hasConfig = inputs.config.trim() !== "";
  // Cluster URIs mean existing clusters (the CLI infers that too), so they also switch the default off.
  const namesClusters = [inputs.sourceUri, inputs.targetUri, inputs.sourceToken, inputs.targetToken].some(
    (v) => v !== "",
  );
  flag("backend", inputs.backend || (hasConfig || namesClusters ? "" : "kind"));
  flag("profile", inputs.profile || (hasConfig ? "" : "smoke"));
  flag("scenario", inputs.scenario);
  flag("milvus-version", inputs.milvusVersion);
  flag("operator-version", inputs.operatorVersion);
  flag("mode", inputs.mode);
  flag("seed", inputs.seed);
  flag("source-uri", inputs.sourceUri);
  flag("source-token", inputs.sourceToken);
  flag("target-uri", inputs.targetUri);
  flag("target-token", inputs.targetToken);
  flag("local-fault", inputs.localFault);
  flag("nemesis", inputs.nemesis ?? "");
  flag("standbys", inputs.standbys ?? "");
  flag("fault-standby", inputs.faultStandby ?? "");
  flag("promote", inputs.promote ?? "");
  flag("source-cdc-uri", inputs.sourceCdcUri ?? "");
  flag("target-cdc-uri", inputs.targetCdcUri ?? "");
  if (inputs.keepCluster) argv.push(FLAG_OF_INPUT["keep-cluster"]);
  if (inputs.usePreinstalledTools) argv.push(FLAG_OF_INPUT["use-preinstalled-tools"]);
  if (inputs.configureReplication) argv.push(FLAG_OF_INPUT["configure-replication"]);
  for (const entry of (inputs.images ?? "").split(/[\n,]/)) {
    if (entry.trim() !== "") argv.push(`--image=${entry.trim()}`);
  }
  argv.push(...killCdcFlags(inputs.killCdc));

  const extraOverrides: Overrides = {};
  const thresholds: Record<string, number> = {};
  const dur = (name: string, raw: string, key: string) => {
    if (raw !== "") thresholds[key] = parseDurationInput(name, raw);
  };
  dur("catch-up-timeout", inputs.catchUpTimeout, "catchUpTimeoutMs");
  dur("recovery-timeout", inputs.recoveryTimeout, "recoveryTimeoutMs");
  dur("lag-slo", inputs.lagSlo, "lagSloMs");
  if (Object.keys(thresholds).length > 0) extraOverrides.thresholds = thresholds;
  const kind: Record<string, string> = {};
  if (inputs.upgradeFrom) kind.upgradeFrom = inputs.upgradeFrom;
  if (inputs.upgradeTo) kind.upgradeTo = inputs.upgradeTo;
  if (Object.keys(kind).length > 0) extraOverrides.backend = { kind };

  const request: DrillRequest = {
    argv,
    extraOverrides,
    outDir: resolve(workspace, inputs.runDir || "milvus-cdc-drill-run"),
  };
  if (hasConfig) {
    if (looksLikeInlineYaml(inputs.config, workspace)) request.configText = inputs.config;
    else request.configFile = isAbsolute(inputs.config) ? inputs.config : resolve(workspace, inputs.config);
  }
  return request;
}

/** A path is one line naming an existing file, or one line without "key: value" (so "not found" is the message). */
export function looksLikeInlineYaml(value: string, workspace: string): boolean {
  const v = value.trim();
  if (v.includes("\n") || v.startsWith("{")) return true;
  if (existsSync(resolve(workspace, v))) return false;
  return /^[A-Za-z_][\w.-]*:\s/.test(v);
}

const KILL_CDC_FORMS = '"at:F[,F...]" with fractions in (0,1), "every:DURATION[,times:N]" or "none"';

/** The Action's compact kill schedule, as the `run` flags that express it. */
export function killCdcFlags(raw: string): string[] {
  const v = raw.trim();
  if (v === "") return [];
  const bad = () => new UsageError(`input kill-cdc = ${JSON.stringify(raw)}: must be ${KILL_CDC_FORMS}`);
  // The CLI's spelling of "no kills" is an empty --kill-cdc-at.
  if (v === "none") return ["--kill-cdc-at="];
  const at = /^at:\s*(.+)$/.exec(v);
  if (at?.[1]) {
    if (!/^\s*[\d.]+\s*(,\s*[\d.]+\s*)*$/.test(at[1])) throw bad();
    return [`--kill-cdc-at=${at[1].replace(/\s+/g, "")}`];
  }
  const every = /^every:\s*([^,\s]+)\s*(?:,\s*times:\s*(\d+)\s*)?$/.exec(v);
  if (every?.[1]) {
    const out = [`--kill-cdc-every=${every[1]}`];
    if (every[2] !== undefined) out.push(`--kill-cdc-times=${every[2]}`);
    return out;
  }
  throw bad();
}

/** The config's own duration syntax (ms, or a number with ms/s/m/h), refused when zero. */
export function parseDurationInput(name: string, raw: string): number {
  const ms = parseDuration(raw);
  if (ms === null || ms <= 0) {
    throw new UsageError(
      `input ${name} = ${JSON.stringify(raw)}: must be a positive duration such as 30s, 5m, 1h or a number of milliseconds`,
    );
  }
  return ms;
}

/** Flag -> the input it came from (kill-cdc expands to several flags). */
type FlagSource = [flag: string, key: keyof Inputs, input: string];
const INPUT_OF_FLAG: readonly FlagSource[] = [
  ...Object.entries(FLAG_OF_INPUT).map(([input, f]): FlagSource => [f, camel(input) as keyof Inputs, input]),
  ["--kill-cdc-at", "killCdc", "kill-cdc"] as FlagSource,
  ["--kill-cdc-every", "killCdc", "kill-cdc"] as FlagSource,
  ["--kill-cdc-times", "killCdc", "kill-cdc"] as FlagSource,
  ["--config", "config", "config"] as FlagSource,
  ["--image", "images", "images"] as FlagSource,
  // Longest first so --kill-cdc-times is not half-rewritten by a shorter flag.
].sort((x, y) => y[0].length - x[0].length);

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The CLI's messages name flags ("--seed abc: must be ..."); an Action user set inputs. The leading
 * flag and its value become `input seed = "abc"` (the value as the user typed it), and any other flag
 * mentioned becomes "input NAME"; the rule text is the CLI's, unchanged. Tokens are never echoed.
 */
export function inputMessage(message: string, inputs?: Inputs): string {
  let out = message;
  for (const [flag, key, input] of INPUT_OF_FLAG) {
    if (!out.startsWith(flag)) continue;
    const rest = out.slice(flag.length);
    const colon = rest.indexOf(": ");
    if (!/^[ :]/.test(rest) || colon < 0) break;
    const raw = inputs?.[key];
    const secret = key === "sourceToken" || key === "targetToken";
    const shown = typeof raw === "string" && raw !== "" && !secret ? ` = ${JSON.stringify(raw)}` : "";
    out = `input ${input}${shown}${rest.slice(colon)}`;
    break;
  }
  for (const [flag, , input] of INPUT_OF_FLAG) {
    out = out.replace(new RegExp(`${flag}(?![\\w-])`, "g"), `input ${input}`);
  }
  return out;
}

/** Every secret the loaded config carries (a config file may hold them too): masked before anything runs. */
export function configSecrets(cfg: DrillConfig): string[] {
  const ex = cfg.backend.existing;
  if (!ex) return [];
  const secrets: string[] = [];
  for (const end of existingClusters(ex)) {
    if (end.token) secrets.push(end.token);
    for (const uri of [end.uri, end.replicateUri]) {
      try {
        const password = uri ? new URL(uri).password : "";
        if (password) secrets.push(password, decodeURIComponent(password));
      } catch {
        // not a URL: nothing embedded to mask
      }
    }
  }
  return [...new Set(secrets)];
}
