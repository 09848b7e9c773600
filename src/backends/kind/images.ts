/**
 * Every container image the kind backend uses, configurable so a user behind a registry mirror can
 * point each one elsewhere, with defaults that can actually be pulled today.
 */
import { UsageError } from "../../errors.js";

export const IMAGE_NAMES = ["milvus", "etcd", "minio", "operator", "node"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

/**
 * - milvus: a repository only; the tag always comes from milvusVersion (and upgradeFrom/upgradeTo).
 * - operator: null = `milvusdb/milvus-operator:v<operatorVersion>` (the chart's own default).
 * - node: null = the node image the kind release defaults to.
 */
export interface KindImages {
  milvus: string;
  etcd: string;
  minio: string;
  operator: string | null;
  node: string | null;
}

/**
 * MinIO comes from quay.io: the whole `minio/minio` repository was removed from Docker Hub around
 * 2026-09-12 (milvus-io/milvus#53430, zilliztech/milvus-helm#315; milvus-helm#316 and
 * zilliztech/milvus-backup#1221 switched to `quay.io/minio/minio` with the same release tags).
 * The tag is the one the operator's own CI pulls; etcd likewise.
 */
export const DEFAULT_KIND_IMAGES: KindImages = {
  milvus: "milvusdb/milvus",
  etcd: "milvusdb/etcd:3.5.25-r1",
  minio: "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z",
  operator: null,
  node: null,
};

/** The operator chart's image (values.yaml: image.repository milvusdb/milvus-operator, tag v<appVersion>). */
export const OPERATOR_IMAGE_REPOSITORY = "milvusdb/milvus-operator";

export interface ImageRef {
  /** Registry host ("docker.io" when the reference names none). */
  registry: string;
  /** The repository path inside the registry, e.g. "minio/minio". */
  path: string;
  tag: string | null;
  digest: string | null;
}

// The reference grammar of distribution/reference, simplified: lowercase path components, an
// optional registry host (with a dot, a port or "localhost"), then :tag and/or @sha256:digest.
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REF_RE = new RegExp(
  `^(?:((?:[a-zA-Z0-9-]+\\.)*[a-zA-Z0-9-]+(?::\\d+)?)/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
);

export function parseImageRef(text: string): ImageRef | null {
  const m = REF_RE.exec(text);
  if (!m) return null;
  let host = m[1];
  let path = m[2] as string;
  // "minio/minio": the first component is a namespace, not a host, unless it looks like one.
  if (host !== undefined && !/[.:]/.test(host) && host !== "localhost") {
    if (host !== host.toLowerCase()) return null;
    path = `${host}/${path}`;
    host = undefined;
  }
  return { registry: host ?? "docker.io", path, tag: m[3] ?? null, digest: m[4] ?? null };
}

/** The repository part as written (registry included when given), without tag or digest. */
export function repositoryOf(text: string): string {
  const r = parseImageRef(text);
  if (!r) return text;
  return r.registry === "docker.io" && !text.startsWith("docker.io/") ? r.path : `${r.registry}/${r.path}`;
}

const EXAMPLE: Record<ImageName, string> = {
  milvus: "milvusdb/milvus (a repository; the tag comes from milvusVersion)",
  etcd: DEFAULT_KIND_IMAGES.etcd,
  minio: DEFAULT_KIND_IMAGES.minio,
  operator: "milvusdb/milvus-operator:v1.3.8",
  node: "kindest/node:v1.34.0",
};

/** One-line refusal for an image reference the backend cannot use. */
export function checkImage(name: ImageName, value: string | null, what = `images.${name}`): void {
  if (value === null) {
    if (name === "milvus" || name === "etcd" || name === "minio") {
      throw new UsageError(`${what}: must be set (allowed: e.g. ${EXAMPLE[name]})`);
    }
    return;
  }
  const r = parseImageRef(value);
  if (!r) {
    throw new UsageError(`${what}: '${value}' is not an image reference (allowed: e.g. ${EXAMPLE[name]})`);
  }
  if (name === "milvus" && (r.tag !== null || r.digest !== null)) {
    throw new UsageError(
      `${what}: '${value}' names a tag or digest (allowed: a repository such as milvusdb/milvus; the tag comes from milvusVersion, upgradeFrom and upgradeTo)`,
    );
  }
  if (name !== "milvus" && r.tag === null) {
    throw new UsageError(
      `${what}: '${value}' has no tag (allowed: a pinned reference such as ${EXAMPLE[name]}; a floating tag would make two runs test different images)`,
    );
  }
}

/** Parses `--image NAME=REF` values into a partial images object; one-line errors name the flag. */
export function parseImageFlags(values: readonly string[], flag = "--image"): Partial<KindImages> {
  const out: Partial<KindImages> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    const name = eq > 0 ? v.slice(0, eq).trim() : "";
    if (!(IMAGE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`${flag} ${v}: must be NAME=REF with NAME one of ${IMAGE_NAMES.join(", ")}`);
    }
    const ref = v.slice(eq + 1).trim();
    checkImage(name as ImageName, ref, `${flag} ${name}`);
    out[name as ImageName] = ref;
  }
  return out;
}

/** The etcd chart bundled with the operator prepends `image.registry` itself (bitnami layout). */
export function etcdImageValues(ref: string): { registry: string; repository: string; tag: string } {
  const r = parseImageRef(ref) as ImageRef;
  return { registry: r.registry, repository: r.path, tag: tagOrDigest(r) };
}

/**
 * The MinIO chart bundled with the operator (zilliztech/milvus-helm charts/minio) takes the full
 * repository in `image.repository` and the tag in `image.tag`; the operator passes
 * `spec.dependencies.storage.inCluster.values` to it unchanged (operator docs, "Dependency Storage").
 */
export function minioImageValues(ref: string): { repository: string; tag: string } {
  const r = parseImageRef(ref) as ImageRef;
  return { repository: repositoryOf(ref), tag: tagOrDigest(r) };
}

/** Operator chart values.yaml: image.repository and image.tag. */
export function operatorImageValues(ref: string): { repository: string; tag: string } {
  const r = parseImageRef(ref) as ImageRef;
  return { repository: repositoryOf(ref), tag: tagOrDigest(r) };
}

/** The tag, plus "@sha256:..." when pinned by digest (charts join repository:tag). */
function tagOrDigest(r: ImageRef): string {
  return r.digest ? `${r.tag}@${r.digest}` : (r.tag as string);
}
