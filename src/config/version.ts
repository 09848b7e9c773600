/**
 * Milvus and operator versions. The drill pins exact release tags: a floating tag ("latest") or a
 * build flavour ("-gpu", "-rc1", nightly "master-...") would make two runs of the same config test
 * different images, and GPU images cannot run on a kind runner anyway.
 */

export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

const RELEASE_RE = /^v?(\d+)\.(\d+)\.(\d+)$/;

/** Built-in CDC (replicate configuration, CDC component) first shipped in Milvus v2.6.6. */
export const MIN_MILVUS_VERSION: Semver = { major: 2, minor: 6, patch: 6 };
/** The CDC setup docs ask for Milvus Operator v1.3.4 or later (the `components.cdc` field). */
export const MIN_OPERATOR_VERSION: Semver = { major: 1, minor: 3, patch: 4 };

export function parseRelease(text: string): Semver | null {
  const m = RELEASE_RE.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function compareSemver(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatSemver(v: Semver, prefix = ""): string {
  return `${prefix}${v.major}.${v.minor}.${v.patch}`;
}

/**
 * The Milvus image tag for a version ("2.6.22" and "v2.6.22" both give "v2.6.22"), or the reason it
 * is refused, phrased to follow "config backend.kind.milvusVersion = X: ".
 */
export function checkMilvusVersion(text: string): { ok: true; tag: string } | { ok: false; reason: string } {
  const v = parseRelease(text);
  const min = formatSemver(MIN_MILVUS_VERSION, "v");
  if (!v) {
    return {
      ok: false,
      reason: `must be a Milvus release like v2.6.22 (vMAJOR.MINOR.PATCH, at least ${min}); floating or flavoured tags such as latest, -gpu, -rc are refused`,
    };
  }
  if (compareSemver(v, MIN_MILVUS_VERSION) < 0) {
    return { ok: false, reason: `is too old: built-in CDC needs Milvus ${min} or later` };
  }
  return { ok: true, tag: formatSemver(v, "v") };
}

/** The operator chart version ("v1.3.8" and "1.3.8" both give "1.3.8", as helm spells chart versions). */
export function checkOperatorVersion(
  text: string,
): { ok: true; version: string } | { ok: false; reason: string } {
  const v = parseRelease(text);
  const min = formatSemver(MIN_OPERATOR_VERSION);
  if (!v)
    return { ok: false, reason: `must be a Milvus Operator chart release like 1.3.8 (at least ${min})` };
  if (compareSemver(v, MIN_OPERATOR_VERSION) < 0) {
    return { ok: false, reason: `is too old: the CDC component needs Milvus Operator ${min} or later` };
  }
  return { ok: true, version: formatSemver(v) };
}
