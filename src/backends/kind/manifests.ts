/**
 * Everything the kind backend applies, rendered from typed code so `plan` and `provision` produce the
 * same objects, and tests can validate them against the operator's CRD.
 */
import { join } from "node:path";
import { stringify } from "yaml";
import { UsageError } from "../../errors.js";
import { packageRoot } from "../../util/paths.js";
import type { ClusterEndpoint } from "../types.js";
import {
  etcdImageValues,
  type ImageName,
  minioImageValues,
  OPERATOR_IMAGE_REPOSITORY,
  operatorImageValues,
} from "./images.js";
import { initialMilvusVersion, type KindOptions, milvusImage, operatorChartVersion } from "./options.js";

export const OPERATOR_NAMESPACE = "milvus-operator";
export const OPERATOR_RELEASE = "milvus-operator";
export const OPERATOR_CHART = "milvus-operator";
export const OPERATOR_REPO = "https://zilliztech.github.io/milvus-operator/";
/** rootCoord.dmlChannelNum: set explicitly so the channel names the drill derives are the real ones. */
export const DML_CHANNELS = 16;
export const MILVUS_PORT = 19530;
export const METRICS_PORT = 9091;
export const KIND_CONFIG_FILE = "single-node.yaml";

export type Role = "source" | "target";

export function kindConfigPath(): string {
  return join(packageRoot(), "fixtures", "kind", KIND_CONFIG_FILE);
}

/** Labels the operator puts on every Milvus pod of instance `name` (the CDC pod adds component=cdc). */
export function instanceSelector(name: string): string {
  return `app.kubernetes.io/instance=${name},app.kubernetes.io/name=milvus`;
}

export function cdcSelector(name: string): string {
  return `app.kubernetes.io/instance=${name},app.kubernetes.io/component=cdc`;
}

export function pchannelsFor(clusterId: string, n = DML_CHANNELS): string[] {
  return Array.from({ length: n }, (_, i) => `${clusterId}-rootcoord-dml_${i}`);
}

/** Where the CDC pod dials a cluster: in-cluster DNS, never a port-forward. */
export function replicateUriFor(name: string, namespace: string): string {
  return `http://${name}-milvus.${namespace}.svc.cluster.local:${MILVUS_PORT}`;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type MilvusCr = { [k: string]: Json };

type Requests = { cpu: string; memory: string };
const req = (cpu: string, memory: string): { requests: Requests } => ({ requests: { cpu, memory } });

/**
 * Requests sized so BOTH clusters (and the operator, etcd, MinIO) schedule on one 4-CPU / 16 GB
 * runner. Only requests are set: limits would OOM-kill Milvus under the drill's write bursts.
 */
const SIZING = {
  standalone: req("250m", "1Gi"),
  clusterComponent: req("50m", "256Mi"),
  cdc: req("50m", "128Mi"),
  etcd: req("50m", "128Mi"),
  minio: req("50m", "100Mi"),
};

/** A GitHub-hosted runner (ubuntu-latest): 4 CPU, 16 GB of memory, ~14 GB of free disk after freeDisk. */
export const KIND_RUNNER = { cpuMillis: 4000, memoryMi: 16 * 1024 };

/**
 * The most standbys a kind star runs on one runner: 3 clusters (primary + 2). Their requests are small
 * (clusterRequests: ~1.1 CPU / ~3.8 GiB for three standalone CRs) but Milvus runs without limits (a limit
 * OOM-kills it under write bursts), so what bounds a star is each cluster's working set: 16 GB over 3
 * clusters leaves ~5.3 GB each for its Milvus, etcd, MinIO and CDC; over 4, ~4 GB, which is not sized.
 */
export const KIND_MAX_STANDBYS = 2;

function millis(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

function mebibytes(q: string): number {
  return q.endsWith("Gi") ? Number(q.slice(0, -2)) * 1024 : Number(q.replace(/Mi$/, ""));
}

/** What one Milvus CR of `mode` requests (its Milvus pods, CDC when it runs one, etcd and MinIO). */
export function clusterRequests(
  mode: "standalone" | "cluster",
  cdc: boolean,
): { cpuMillis: number; memoryMi: number } {
  const parts: Requests[] =
    mode === "standalone"
      ? [SIZING.standalone.requests]
      : Array.from({ length: 5 }, () => SIZING.clusterComponent.requests); // mixCoord, proxy, queryNode, dataNode, streamingNode
  if (cdc) parts.push(SIZING.cdc.requests);
  parts.push(SIZING.etcd.requests, SIZING.minio.requests);
  return {
    cpuMillis: parts.reduce((a, r) => a + millis(r.cpu), 0),
    memoryMi: parts.reduce((a, r) => a + mebibytes(r.memory), 0),
  };
}

/** The requests of a star: the primary (CDC) and `standbys` standbys (CDC when `cdcOnTargets`). */
export function starRequests(
  mode: "standalone" | "cluster",
  standbys: number,
  cdcOnTargets: boolean,
): { cpuMillis: number; memoryMi: number } {
  const p = clusterRequests(mode, true);
  const t = clusterRequests(mode, cdcOnTargets);
  return { cpuMillis: p.cpuMillis + standbys * t.cpuMillis, memoryMi: p.memoryMi + standbys * t.memoryMi };
}

/**
 * Which clusters run a CDC component: the source, because CDC pushes from primary to standby. A
 * scenario that reverses the direction (switchover, failover) passes `cdc: true` for the target too.
 */
export interface CrOptions {
  image?: string;
  cdc?: boolean;
  /** A star's further standby (role target): its CR name, one of starTargetNames(o, n) after the first. */
  name?: string;
}

/**
 * Every standby's CR name in a star of `standbys` (1..4): the pair's targetName first, then
 * extraTargetNames in order. Throws (naming the option) when too few extra names are configured.
 */
export function starTargetNames(o: KindOptions, standbys: number): string[] {
  const extra = o.extraTargetNames ?? [];
  if (standbys - 1 > extra.length)
    throw new UsageError(
      `extraTargetNames: ${JSON.stringify(extra)} names ${extra.length} further standby(s), topology.standbys ${standbys} needs ${standbys - 1} (allowed: one CR name per standby beyond the first)`,
    );
  return [o.targetName, ...extra.slice(0, standbys - 1)];
}

/** The Milvus CR for one side (a star's further standby: role target with cr.name). */
export function renderMilvusCr(o: KindOptions, role: Role, cr: CrOptions = {}): MilvusCr {
  const name = cr.name ?? (role === "source" ? o.sourceName : o.targetName);
  const image = cr.image ?? milvusImage(initialMilvusVersion(o), o.images.milvus);
  const cdc = cr.cdc ?? role === "source";
  const components: { [k: string]: Json } = { image };
  if (o.mode === "standalone") {
    components.standalone = { replicas: 1, resources: SIZING.standalone };
  } else {
    components.resources = SIZING.clusterComponent;
    components.mixCoord = { replicas: 1 };
    components.proxy = { replicas: 1 };
    components.queryNode = { replicas: 1 };
    components.dataNode = { replicas: 1 };
    components.streamingNode = { replicas: 1 };
    // Index building runs on data nodes from 2.6 on; a separate index node only costs memory.
    components.indexNode = { replicas: 0 };
  }
  if (cdc) components.cdc = { replicas: 1, resources: SIZING.cdc };
  return {
    apiVersion: "milvus.io/v1beta1",
    kind: "Milvus",
    metadata: {
      name,
      namespace: o.namespace,
      labels: {
        app: "milvus",
        "app.kubernetes.io/part-of": "milvus-cdc-drill",
        "milvus-cdc-drill/role": role,
      },
    },
    spec: {
      mode: o.mode,
      components,
      dependencies: {
        // Cluster mode defaults to Pulsar; CDC drills here always use the WAL the docs set up.
        msgStreamType: "woodpecker",
        etcd: {
          inCluster: {
            deletionPolicy: "Delete",
            pvcDeletion: true,
            values: { replicaCount: 1, resources: SIZING.etcd, image: etcdImageValues(o.images.etcd) },
          },
        },
        storage: {
          inCluster: {
            deletionPolicy: "Delete",
            pvcDeletion: true,
            values: {
              mode: "standalone",
              resources: SIZING.minio,
              persistence: { size: "5Gi" },
              image: minioImageValues(o.images.minio),
            },
          },
        },
      },
      config: { rootCoord: { dmlChannelNum: DML_CHANNELS } },
    },
  };
}

/** The operator image: the configured one, else the chart's default for operatorVersion. */
export function operatorImage(o: KindOptions): string {
  return o.images.operator ?? `${OPERATOR_IMAGE_REPOSITORY}:v${operatorChartVersion(o.operatorVersion)}`;
}

/**
 * Helm values of the operator chart: tiny requests, as the operator's CI installs it on runners, and
 * the image set explicitly so a mirror is honoured and the command line shows what runs.
 */
export function operatorValues(o: KindOptions): Record<string, Json> {
  return {
    image: operatorImageValues(operatorImage(o)),
    resources: { requests: { cpu: "10m", memory: "64Mi" } },
  };
}

/** The values as `--set` pairs, so the command line shows exactly what is installed. */
export function flattenValues(values: Record<string, Json>, prefix = ""): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) out.push(...flattenValues(v, key));
    else out.push(`${key}=${String(v)}`);
  }
  return out;
}

export function helmInstallArgs(o: KindOptions): string[] {
  // --set-string: an image tag such as 3.5 must stay a string, not become a number.
  const sets = flattenValues(operatorValues(o)).flatMap((s) => ["--set-string", s]);
  return [
    "upgrade",
    "--install",
    OPERATOR_RELEASE,
    OPERATOR_CHART,
    "--repo",
    OPERATOR_REPO,
    "--version",
    operatorChartVersion(o.operatorVersion),
    "-n",
    OPERATOR_NAMESPACE,
    "--create-namespace",
    ...sets,
    "--wait",
    "--timeout",
    "5m",
  ];
}

export function operatorWaitArgs(): string[] {
  return [
    "-n",
    OPERATOR_NAMESPACE,
    "wait",
    "--timeout=3m",
    "--for=condition=available",
    `deployments/${OPERATOR_RELEASE}`,
  ];
}

export function kindCreateArgs(o: KindOptions, clusterName: string, configPath: string): string[] {
  return [
    "create",
    "cluster",
    "--name",
    clusterName,
    "--config",
    configPath,
    ...(o.images.node ? ["--image", o.images.node] : []),
    "--wait",
    "120s",
  ];
}

export interface UsedImage {
  /** Which configured image this is ("milvus" twice for an upgrade); "milvus-backup" is built here. */
  name: ImageName | "milvus-backup";
  ref: string;
  /** Loaded into the kind node before anything starts (the node image runs the node itself). */
  preload: boolean;
}

/** Every image a run uses, in the order the preflight checks them. */
export function usedImages(o: KindOptions): UsedImage[] {
  const out: UsedImage[] = [
    { name: "milvus", ref: milvusImage(initialMilvusVersion(o), o.images.milvus), preload: true },
  ];
  if (o.upgradeTo)
    out.push({ name: "milvus", ref: milvusImage(o.upgradeTo, o.images.milvus), preload: true });
  out.push(
    { name: "etcd", ref: o.images.etcd, preload: true },
    { name: "minio", ref: o.images.minio, preload: true },
    { name: "operator", ref: operatorImage(o), preload: true },
  );
  if (o.images.node) out.push({ name: "node", ref: o.images.node, preload: false });
  const seen = new Set<string>();
  return out.filter((i) => !seen.has(i.ref) && seen.add(i.ref));
}

/** Directories the operator's CI deletes on GitHub-hosted runners to get ~14 GB of disk back. */
export const RUNNER_DISK_HOGS = [
  "/usr/share/dotnet",
  "/usr/local/lib/android",
  "/opt/ghc",
  "/usr/local/share/boost",
];

export function namespaceManifest(namespace: string): MilvusCr {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };
}

export function toYaml(doc: unknown): string {
  return stringify(doc, { lineWidth: 0 });
}

export function endpointFor(o: KindOptions, role: Role, localUri: string, crName?: string): ClusterEndpoint {
  const name = crName ?? (role === "source" ? o.sourceName : o.targetName);
  return {
    clusterId: name,
    uri: localUri,
    replicateUri: replicateUriFor(name, o.namespace),
    pchannels: pchannelsFor(name),
  };
}

/**
 * The replicate configuration (proto field names) the drill applies to every cluster; tokens masked.
 * A star (pair.extraStandbys): one edge from the primary to each standby.
 */
export function maskedReplicateConfig(pair: {
  source: ClusterEndpoint;
  target: ClusterEndpoint;
  extraStandbys?: ClusterEndpoint[];
}): Json {
  const cluster = (e: ClusterEndpoint): Json => ({
    cluster_id: e.clusterId,
    connection_param: { uri: e.replicateUri, ...(e.token ? { token: "***" } : {}) },
    pchannels: e.pchannels,
  });
  const standbys = [pair.target, ...(pair.extraStandbys ?? [])];
  return {
    clusters: [cluster(pair.source), ...standbys.map(cluster)],
    cross_cluster_topology: standbys.map((s) => ({
      source_cluster_id: pair.source.clusterId,
      target_cluster_id: s.clusterId,
    })),
  };
}

export function imagePatch(version: string, repository?: string): string {
  return JSON.stringify({ spec: { components: { image: milvusImage(version, repository) } } });
}
