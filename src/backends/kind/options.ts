import { DEFAULT_KIND_EXTRA_TARGET_NAMES, type DrillConfig } from "../../config/schema.js";
import { UsageError } from "../../errors.js";
import { checkImage, DEFAULT_KIND_IMAGES, IMAGE_NAMES } from "./images.js";

/** Options of the kind backend: exactly what the drill config holds (one definition, in config/schema.ts). */
export type KindOptions = DrillConfig["backend"]["kind"];

/** CDC is built into Milvus from v2.6.6 on; older images have no CDC component to deploy. */
export const MIN_MILVUS_VERSION = "2.6.6";
/** The CDC setup docs ask for Milvus Operator v1.3.4+ (first version that knows components.cdc). */
export const MIN_OPERATOR_VERSION = "1.3.4";
export const DEFAULT_MILVUS_VERSION = "v2.6.22";
export const DEFAULT_OPERATOR_VERSION = "1.3.8";

export function defaultKindOptions(): KindOptions {
  return {
    milvusVersion: DEFAULT_MILVUS_VERSION,
    operatorVersion: DEFAULT_OPERATOR_VERSION,
    mode: "standalone",
    namespace: "milvus-cdc-drill",
    clusterName: null,
    images: { ...DEFAULT_KIND_IMAGES },
    usePreinstalledTools: false,
    sourceName: "drill-primary",
    targetName: "drill-standby",
    extraTargetNames: [...DEFAULT_KIND_EXTRA_TARGET_NAMES],
    preloadImages: false,
    freeDisk: false,
    keepCluster: false,
    upgradeFrom: null,
    upgradeTo: null,
    readyTimeoutMs: 15 * 60_000,
  };
}

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release/build suffix without the dash, e.g. "gpu" or "rc1"; "" if none. */
  suffix: string;
}

const VERSION_RE = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?$/;

export function parseVersion(text: string): SemVer | null {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), suffix: m[4] ?? "" };
}

export function compareVersions(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Parses a Milvus release as users write it ("2.6.6" or "v2.6.16") and refuses those without CDC.
 * Flavoured tags (-gpu, -rc1) are refused as the config loader does: two runs of one config must
 * test the same image, and GPU images cannot run on a kind runner. `what` names the option.
 */
export function parseMilvusVersion(text: string, what = "milvusVersion"): SemVer {
  const v = parseVersion(String(text));
  if (!v || v.suffix) {
    throw new UsageError(
      `${what}: '${text}' is not a Milvus release (allowed: MAJOR.MINOR.PATCH with optional leading v, e.g. v2.6.22; no -gpu/-rc suffix)`,
    );
  }
  const min = parseVersion(MIN_MILVUS_VERSION) as SemVer;
  if (compareVersions(v, min) < 0) {
    throw new UsageError(
      `${what}: '${text}' has no built-in CDC (allowed: v${MIN_MILVUS_VERSION} or newer; the CDC setup docs recommend v2.6.16+)`,
    );
  }
  return v;
}

/** The image tag Milvus publishes: always with the leading "v". */
export function milvusImageTag(version: string): string {
  const v = parseMilvusVersion(version);
  return `v${v.major}.${v.minor}.${v.patch}`;
}

/** The Milvus image for a version, from the configured repository (a mirror, or milvusdb/milvus). */
export function milvusImage(version: string, repository = DEFAULT_KIND_IMAGES.milvus): string {
  return `${repository}:${milvusImageTag(version)}`;
}

/** Helm chart versions have no leading "v". */
export function operatorChartVersion(version: string): string {
  const v = parseVersion(version);
  if (!v || v.suffix) {
    throw new UsageError(
      `operatorVersion: '${version}' is not a Milvus Operator chart version (allowed: MAJOR.MINOR.PATCH, e.g. ${DEFAULT_OPERATOR_VERSION})`,
    );
  }
  const min = parseVersion(MIN_OPERATOR_VERSION) as SemVer;
  if (compareVersions(v, min) < 0) {
    throw new UsageError(
      `operatorVersion: '${version}' does not know the CDC component (allowed: ${MIN_OPERATOR_VERSION} or newer)`,
    );
  }
  return `${v.major}.${v.minor}.${v.patch}`;
}

// The CR name becomes the prefix of Services (DNS-1035 labels, <= 63 chars) such as
// `<name>-milvus` and `<name>-etcd-headless`; 40 leaves room for the operator's suffixes.
const CR_NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CR_NAME_MAX = 40;
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkName(what: string, value: string, re: RegExp, max: number, rule: string): void {
  if (typeof value !== "string" || !re.test(value) || value.length > max) {
    throw new UsageError(
      `${what}: '${value}' is not a valid name (allowed: ${rule}, at most ${max} characters)`,
    );
  }
}

/**
 * Checks everything that can be checked without touching the machine. Throws a UsageError with one
 * line naming the option, the value and what is allowed.
 */
export function validateKindOptions(o: KindOptions): void {
  if (o.mode !== "standalone" && o.mode !== "cluster") {
    throw new UsageError(`mode: '${String(o.mode)}' is not a Milvus mode (allowed: standalone, cluster)`);
  }
  parseMilvusVersion(o.milvusVersion, "milvusVersion");
  operatorChartVersion(o.operatorVersion);
  const crRule = "lowercase letters, digits and '-', starting with a letter";
  checkName("sourceName", o.sourceName, CR_NAME_RE, CR_NAME_MAX, crRule);
  checkName("targetName", o.targetName, CR_NAME_RE, CR_NAME_MAX, crRule);
  // CDC starts a replicator for every channel whose name contains its cluster id (a substring
  // test), so names that contain each other would replicate the wrong channels.
  if (o.sourceName.includes(o.targetName) || o.targetName.includes(o.sourceName)) {
    throw new UsageError(
      `sourceName/targetName: '${o.sourceName}' and '${o.targetName}' contain each other (allowed: two names where neither contains the other, because CDC matches channels by substring)`,
    );
  }
  checkName("namespace", o.namespace, NAMESPACE_RE, 63, "lowercase letters, digits and '-'");
  if (o.namespace === "milvus-operator") {
    throw new UsageError(
      "namespace: 'milvus-operator' is the operator's own namespace (allowed: any other namespace)",
    );
  }
  if (o.clusterName !== null) {
    checkName("clusterName", o.clusterName, KIND_NAME_RE, 40, "lowercase letters, digits and '-'");
  }
  for (const name of IMAGE_NAMES) checkImage(name, o.images?.[name] ?? null);
  if ((o.upgradeFrom === null) !== (o.upgradeTo === null)) {
    throw new UsageError(
      `upgradeFrom/upgradeTo: '${o.upgradeFrom ?? ""}' -> '${o.upgradeTo ?? ""}' (allowed: both set or both empty)`,
    );
  }
  if (o.upgradeFrom !== null && o.upgradeTo !== null) {
    parseMilvusVersion(o.upgradeFrom, "upgradeFrom");
    parseMilvusVersion(o.upgradeTo, "upgradeTo");
  }
  if (!Number.isInteger(o.readyTimeoutMs) || o.readyTimeoutMs <= 0) {
    throw new UsageError(
      `readyTimeoutMs: '${String(o.readyTimeoutMs)}' is not a timeout (allowed: a positive whole number of milliseconds)`,
    );
  }
}

/** The version the clusters start at: the upgrade's starting point when an upgrade is planned. */
export function initialMilvusVersion(o: KindOptions): string {
  return o.upgradeFrom ?? o.milvusVersion;
}

/**
 * A version gate (a scenario or fault that needs a newer Milvus): refused before anything is
 * provisioned, in one line naming the version needed. Every version the clusters run during the
 * drill must meet it: the starting one, and the upgrade target.
 */
export function requireMilvusVersion(o: KindOptions, minimum: string, feature: string): void {
  const min = parseMilvusVersion(minimum, "minimum");
  const running: Array<[string, string]> = [
    [o.upgradeFrom ? "upgradeFrom" : "milvusVersion", initialMilvusVersion(o)],
  ];
  if (o.upgradeTo) running.push(["upgradeTo", o.upgradeTo]);
  for (const [what, v] of running) {
    if (compareVersions(parseMilvusVersion(v, what), min) < 0) {
      throw new UsageError(
        `${feature} needs Milvus v${min.major}.${min.minor}.${min.patch} or newer (${what} is ${v}); set ${what} to v${min.major}.${min.minor}.${min.patch} or later`,
      );
    }
  }
}
