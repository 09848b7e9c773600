/**
 * The drill configuration: one strict zod schema (unknown keys are errors, so a misspelt field is
 * caught before anything is provisioned) and the fully-defaulted `DrillConfig` every role reads.
 *
 * Top-level sections get their defaults from a profile (profiles.ts), not from this schema; only the
 * parts a profile leaves empty (collection entries, the `existing` clusters) carry zod defaults.
 * Cross-field rules (backend versus vector type, name clashes, ...) live in validate.ts.
 */
import { z } from "zod";
import { DURATION_PATTERN, formatDuration, parseDuration } from "./duration.js";
import { checkMilvusVersion, checkOperatorVersion } from "./version.js";

export const PROFILE_NAMES = [
  "smoke",
  "default",
  "soak",
  "kind-types",
  "switchover-smoke",
  "failover-smoke",
  "chaos-smoke",
  "triggers-smoke",
  "seed-smoke",
  "capacity-smoke",
  "star-smoke",
  "star-chaos-smoke",
] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * A star on kind (issue 25): the CR names of standbys 2..4. Not derived from targetName: a name that
 * contains another cluster's id would make CDC replicate that cluster's channels (substring match).
 */
export const DEFAULT_KIND_EXTRA_TARGET_NAMES = ["drill-second", "drill-third", "drill-fourth"] as const;

export const BACKEND_TYPES = ["local", "kind", "existing"] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

/**
 * replication: the primary stays the primary (the classic drill). switchover: a planned role change
 * (reversed topology, RPO 0) and back. failover: the primary is lost, the standby is force-promoted,
 * the old primary is rebuilt as its standby, and optionally the roles go back. seed: the primary holds
 * data before replication exists; the standby is seeded from a backup (Milvus Backup's `restore
 * secondary` order) while writes go on, then CDC carries the rest.
 */
export const SCENARIOS = ["replication", "switchover", "failover", "seed", "capacity"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The scenarios that move the primary role (capacity and replication keep it where it is). */
export function changesRoles(scenario: Scenario): scenario is "switchover" | "failover" {
  return scenario === "switchover" || scenario === "failover";
}

/** Whether any fault is scheduled at all (faults.killCdc is the nemesis' schedule). */
export function faultsScheduled(cfg: DrillConfig): boolean {
  return cfg.faults.killCdc.at.length > 0 || cfg.faults.killCdc.everyMs !== null;
}

import { checkImage, type ImageName, type KindImages } from "../backends/kind/images.js";
import { LOCAL_FAULT_MODES, type LocalFaultMode } from "../backends/local/faults/fault-modes.js";

export { LOCAL_FAULT_MODES, type LocalFaultMode };

import { NEMESIS_TYPES, type NemesisType } from "../nemesis/names.js";

export { NEMESIS_TYPES, type NemesisType };

export const VECTOR_TYPES = ["float", "float16", "bfloat16", "binary", "sparse"] as const;
export type VectorType = (typeof VECTOR_TYPES)[number];
export const INDEX_TYPES = ["FLAT", "HNSW", "IVF_FLAT", "AUTOINDEX"] as const;
export type IndexType = (typeof INDEX_TYPES)[number];
export const METRICS = ["L2", "IP", "COSINE", "HAMMING", "JACCARD"] as const;
export type Metric = (typeof METRICS)[number];
export const CLUSTER_MODES = ["standalone", "cluster"] as const;

/** The metric a collection gets when it names none: the first one its vector type allows. */
export const DEFAULT_METRIC: Record<VectorType, Metric> = {
  float: "L2",
  float16: "L2",
  bfloat16: "L2",
  binary: "HAMMING",
  sparse: "IP",
};

export const UINT32_MAX = 4_294_967_295;

// ---- building blocks: every one carries the one-line message a user sees after "config path = value: "

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

function intIn(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

function numberIn(min: number, max: number) {
  const error = `must be a number from ${min} to ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

function fractionOpen() {
  const error = "must be a fraction between 0 and 1 (exclusive)";
  return z.number({ error }).gt(0, { error }).lt(1, { error });
}

const bool = () => z.boolean({ error: "must be true or false" });

/** Milliseconds, or a string such as "30s", "2m", "1h" (parsed to ms). */
function duration(minMs: number, maxMs: number) {
  const error = `must be a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (milliseconds, or a string like 30s, 2m, 1h)`;
  return z
    .union(
      [z.number({ error }).min(0, { error }), z.string().regex(new RegExp(DURATION_PATTERN), { error })],
      {
        error,
      },
    )
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === null) {
        ctx.issues.push({ code: "custom", message: error, input: value });
        return z.NEVER;
      }
      return ms;
    })
    .pipe(z.number().min(minMs, { error }).max(maxMs, { error }));
}

const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Kubernetes object names and namespaces (RFC 1123 labels). */
const dnsLabel = () =>
  z.string({ error: "must be a string" }).regex(DNS_LABEL_RE, {
    error: "must be a DNS-1123 label: lowercase letters, digits and '-', 1 to 63 characters",
  });

const httpUri = () =>
  z.string({ error: "must be a string" }).refine(
    (v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
      } catch {
        return false;
      }
    },
    { error: "must be a URL like http://host:19530 (http or https)" },
  );

const milvusVersion = () =>
  z.string({ error: "must be a string like v2.6.22" }).transform((v, ctx) => {
    const r = checkMilvusVersion(v);
    if (r.ok) return r.tag;
    ctx.issues.push({ code: "custom", message: r.reason, input: v });
    return z.NEVER;
  });

const operatorVersion = () =>
  z.string({ error: "must be a string like 1.3.8" }).transform((v, ctx) => {
    const r = checkOperatorVersion(v);
    if (r.ok) return r.version;
    ctx.issues.push({ code: "custom", message: r.reason, input: v });
    return z.NEVER;
  });

/** An image reference as the kind backend accepts it for `name` (same rule as the --image flag). */
function imageRef(name: ImageName) {
  return z.string({ error: "must be a string" }).superRefine((v, ctx) => {
    try {
      checkImage(name, v, "");
    } catch (e) {
      // checkImage's message starts with the path it was given (""), then ": ".
      ctx.addIssue({ code: "custom", message: (e as Error).message.replace(/^: /, ""), input: v });
    }
  });
}

// ---- sections

const collectionSchema = z
  .strictObject({
    name: z
      .string({ error: "must be a string" })
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, {
        error: "must be a Milvus collection name: a letter or '_', then letters, digits or '_' (at most 255)",
      })
      .describe("Collection name on both clusters."),
    dim: intIn(1, 32768)
      .default(32)
      .describe("Vector dimension. For sparse: the index space the generated entries are drawn from."),
    vectorType: oneOf(VECTOR_TYPES).default("float"),
    index: oneOf(INDEX_TYPES)
      .default("FLAT")
      .describe("FLAT is exact (search parity compares lists); others are checked by recall."),
    metric: oneOf(METRICS)
      .optional()
      .describe("Default: L2 for float types, HAMMING for binary, IP for sparse."),
    dynamicField: bool().default(false),
    partitions: intIn(1, 64).default(1).describe("Partitions the workload spreads rows over."),
    autoId: bool()
      .default(false)
      .describe(
        "Auto-id primary key: Milvus assigns the keys and the drill learns them from Insert's answer. Such a collection gets inserts and deletes, no upserts (an upsert on auto_id may reassign the key). Not allowed on the first collection, which carries the ordering probes.",
      ),
    partitionKey: bool()
      .optional()
      .describe(
        "Default false. Partition-key collection: `category` is the partition key and Milvus picks the partition of each row (no named partitions, so partitions must be 1).",
      ),
    shards: intIn(1, 16)
      .optional()
      .describe(
        "Default 1. Shards (channels) of the collection. More than 1 leaves it out of the per-channel prefix check. Not allowed on the first collection.",
      ),
  })
  .transform((c) => ({ ...c, metric: c.metric ?? DEFAULT_METRIC[c.vectorType] }));

/** What an environment variable's name may be (POSIX: letters, digits, underscore; not first a digit). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const endpointSchema = z.strictObject({
  uri: httpUri().describe("Where the drill connects, e.g. http://primary:19530."),
  token: z
    .string({ error: "must be a string" })
    .optional()
    .describe("user:password or API key; never logged."),
  tokenEnv: z
    .string({ error: "must be a string" })
    .regex(ENV_NAME, {
      error: "must be an environment variable name (letters, digits and _, not first a digit)",
    })
    .optional()
    .describe(
      "The name of an environment variable that holds the token, so the config file holds no secret; read when token is not set (a --source-token/--target-token flag or Action input beats it).",
    ),
  clusterId: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty (use null to discover it)" })
    .nullable()
    .default(null)
    .describe("Cluster id (msgChannel.chanNamePrefix.cluster); null: read it from the cluster."),
  replicateUri: httpUri()
    .nullable()
    .default(null)
    .describe("Where the CDC node dials this cluster; null: same as uri."),
});

export const DrillConfigSchema = z.strictObject({
  profile: oneOf(PROFILE_NAMES),
  scenario: oneOf(SCENARIOS).describe(
    "replication (default), switchover (planned role change, RPO 0), failover (primary lost, standby force-promoted) or seed (the standby seeded from a backup of a primary that already holds data, then CDC).",
  ),
  switchBack: bool().describe(
    "switchover/failover: after the new primary has proven itself, move the primary role back to the original primary.",
  ),
  seed: intIn(0, UINT32_MAX).describe("Seed of all generated data and schedules; random when not set."),
  backend: z.strictObject({
    type: oneOf(BACKEND_TYPES),
    local: z
      .strictObject({
        faultMode: oneOf(LOCAL_FAULT_MODES).describe(
          "Bug the reference replicator plants (to prove the checkers).",
        ),
        faultEvery: intIn(1, 1_000_000).describe("Plant the fault on every Nth message."),
        restartDelayMs: duration(0, 600_000).describe("How long the replicator stays down when killed."),
        pchannels: intIn(1, 16),
      })
      .describe("Two Milvus Lite servers joined by the drill's reference replicator."),
    kind: z
      .strictObject({
        milvusVersion: milvusVersion(),
        operatorVersion: operatorVersion(),
        mode: oneOf(CLUSTER_MODES),
        namespace: dnsLabel(),
        clusterName: dnsLabel().nullable().describe("kind cluster name; null: derived from the run."),
        images: z
          .strictObject({
            milvus: imageRef("milvus").describe(
              "Milvus repository (no tag: the tag comes from milvusVersion/upgradeFrom/upgradeTo).",
            ),
            etcd: imageRef("etcd"),
            minio: imageRef("minio").describe("MinIO image; Docker Hub no longer serves minio/minio."),
            operator: imageRef("operator")
              .nullable()
              .describe("Milvus Operator image; null: milvusdb/milvus-operator:v<operatorVersion>."),
            node: imageRef("node").nullable().describe("kindest/node image; null: kind's default."),
          })
          .describe("Every image the kind backend runs, for registry mirrors; flag --image NAME=REF."),
        usePreinstalledTools: bool().describe(
          "Use kind/kubectl/helm from PATH instead of the pinned, sha256-checked downloads.",
        ),
        sourceName: dnsLabel().describe("Primary Milvus CR name (= its cluster id)."),
        targetName: dnsLabel().describe(
          "Standby Milvus CR name; must not contain or be contained in sourceName.",
        ),
        extraTargetNames: z
          .array(dnsLabel(), { error: "must be a list of Milvus CR names" })
          .max(3, { error: "must list at most 3 names (standbys 2 to 4)" })
          .default([...DEFAULT_KIND_EXTRA_TARGET_NAMES])
          .describe(
            "A star (topology.standbys > 1): the Milvus CR names of standbys 2..N, in order; no name may contain another (CDC matches channels by substring).",
          ),
        preloadImages: bool(),
        freeDisk: bool().describe(
          "Delete large preinstalled SDKs from a CI runner; leave false on your own machine.",
        ),
        keepCluster: bool(),
        upgradeFrom: milvusVersion()
          .nullable()
          .describe(
            "With upgradeTo: start on this version (= milvusVersion) and upgrade both clusters mid-drill.",
          ),
        upgradeTo: milvusVersion()
          .nullable()
          .describe("The version both clusters are upgraded to mid-drill."),
        readyTimeoutMs: duration(60_000, 3_600_000),
      })
      .describe("Two Milvus CRs with CDC on a local kind cluster."),
    existing: z
      .strictObject({
        source: endpointSchema,
        target: endpointSchema,
        extraTargets: z
          .array(endpointSchema, {
            error: "must be a list of clusters (uri, token, clusterId, replicateUri)",
          })
          .max(3, { error: "must list at most 3 clusters (standbys 2 to 4)" })
          .default([])
          .describe(
            "A star (topology.standbys > 1): standbys 2..N, in order, each with its own uri, token and clusterId (target is standby 1); one per standby beyond the first.",
          ),
        pchannels: intIn(1, 64).default(16),
        configureReplication: bool()
          .default(false)
          .describe(
            "Apply the drill's replicate configuration when the clusters do not already replicate source -> target. Milvus never lets a cluster's stored uri change, so this is refused for loopback/port-forward addresses: set replicateUri.",
          ),
        kube: z
          .strictObject({
            context: z.string({ error: "must be a string" }).nullable().default(null),
            namespace: dnsLabel().default("milvus"),
            sourceInstance: dnsLabel().describe("Milvus CR whose CDC pod the nemesis deletes."),
            importBucket: z
              .string({ error: "must be a string" })
              .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name" })
              .nullable()
              .default(null)
              .describe(
                "The primary's bucket in its operator-deployed MinIO (Service <sourceInstance>-minio in this namespace; the operator names the bucket after the CR). Set: trigger bulkImport stages its files there.",
              ),
          })
          .nullable()
          .default(null),
        killCdcCommand: z
          .string({ error: "must be a string" })
          .min(1, { error: "must not be empty" })
          .nullable()
          .default(null)
          .describe("Shell command that kills the CDC node (when there is no kube access)."),
        milvusBackup: z
          .strictObject({
            createCommand: z
              .string({ error: "must be a string" })
              .min(1, { error: "must not be empty" })
              .describe(
                "Shell command that runs your Milvus Backup `create` on the backed-up cluster, e.g. `milvus-backup create -n {name} --backup_index_extra --config primary.yaml`. It must pass --backup_index_extra: without index extras the restore hangs (zilliztech/milvus-backup#1167). Placeholders {name}, {sourceClusterId}, {targetClusterId} are substituted shell-quoted.",
              ),
            restoreSecondaryCommand: z
              .string({ error: "must be a string" })
              .min(1, { error: "must not be empty" })
              .describe(
                "Shell command that runs your Milvus Backup `restore secondary -n {name} --source_cluster_id {sourceClusterId} --target_cluster_id {targetClusterId}` into the standby. On v0.5.16 the backup must be in the standby's own bucket, or the restore loops forever (zilliztech/milvus-backup#1166, #1168): the drill cannot see your storage layout and does not check it.",
              ),
          })
          .nullable()
          .default(null)
          .describe(
            "Scenario seed on existing clusters (with allowDestructive): your own milvus-backup, run as shell commands bounded by thresholds.catchUpTimeoutMs; the drill does not know either cluster's storage. The backup points are read after the restore from the standby's checkpoint per channel, not from the backup's meta.",
          ),
        allowRoleChange: bool()
          .default(false)
          .describe("Allow scenario switchover to move the primary role of your clusters (and back)."),
        allowDestructive: bool()
          .default(false)
          .describe(
            "Allow scenario failover on your clusters: it force-promotes the standby and leaves the old primary to be rebuilt. Scenario seed needs it too (with milvusBackup): it restores a backup of your primary into your standby, which must hold none of the drill's collections and no checkpoint from the primary.",
          ),
        metricsUrls: z
          .array(httpUri(), { error: "must be a list of URLs" })
          .max(32, { error: "must list at most 32 URLs" })
          .default([])
          .describe(
            "Prometheus endpoints (e.g. http://cdc-pod:9091/metrics) serving milvus_cdc_last_replicated_time_tick and the primary's milvus_wal_last_confirmed_time_tick; the lag-metric check judges them. Empty: skipped.",
          ),
      })
      .nullable()
      .describe("Two clusters you already run, joined by CDC."),
  }),
  workload: z.strictObject({
    collections: z
      .array(collectionSchema, { error: "must be a list of collections" })
      .min(1, { error: "must list 1 to 16 collections" })
      .max(16, { error: "must list 1 to 16 collections" }),
    initialRows: intIn(0, 10_000_000).describe("Rows loaded before replication is checked."),
    keySpace: intIn(1, 100_000_000).describe("Primary keys are drawn from [0, keySpace)."),
    batchSize: intIn(1, 10_000),
    ops: intIn(1, 100_000_000).nullable().describe("Stop after this many ops (exclusive with durationMs)."),
    durationMs: duration(1_000, 7 * 86_400_000)
      .nullable()
      .describe("Stop after this long (exclusive with ops)."),
    targetRate: numberIn(0, 1_000_000).describe("Ops per second; 0 = as fast as possible."),
    concurrency: intIn(1, 64),
    mix: z
      .strictObject({
        insert: numberIn(0, 1_000_000),
        upsert: numberIn(0, 1_000_000),
        delete: numberIn(0, 1_000_000),
        reinsert: numberIn(0, 1_000_000),
        ddl: numberIn(0, 1_000_000),
      })
      .describe("Relative weights of op kinds."),
    hotKeyUpserts: intIn(0, 10_000_000).describe("Upserts aimed at a few hot keys (long version chains)."),
    chainLength: intIn(0, 100_000),
    dropCollection: bool().describe("Drop and recreate a collection mid-drill (DDL replication)."),
    triggers: z
      .strictObject({
        loadRelease: bool().describe(
          "Release and load again a partition, then a whole collection, mid-stream (milvus-io/milvus#44478).",
        ),
        addField: bool().describe(
          "add_collection_field twice in a row on a multi-shard collection while writes run (milvus-io/milvus#50364, #51835).",
        ),
        autoIdUpserts: bool().describe(
          "Upserts on auto-id collections too, whose answer may name new keys (milvus-io/milvus#51667).",
        ),
        bulkImport: bool().describe(
          "Bulk import mid-stream from the primary's own object storage: backend kind, or existing with kube.importBucket (milvus-io/milvus#50499, #51667, #51070).",
        ),
      })
      .describe("Workload triggers: what broke CDC upstream without any fault (docs/upstream-bugs.md)."),
  }),
  faults: z.strictObject({
    killCdc: z.strictObject({
      at: z
        .array(fractionOpen(), { error: "must be a list of fractions" })
        .max(1000, { error: "must list at most 1000 kill points" })
        .describe("Kill CDC at these fractions of the workload, ascending."),
      everyMs: duration(1_000, 86_400_000).nullable().describe("Kill CDC on this period instead of `at`."),
      times: intIn(0, 10_000).describe("With everyMs: at most this many kills; 0 = until the workload ends."),
    }),
    nemesis: z
      .strictObject({
        types: z
          .array(oneOf(NEMESIS_TYPES), { error: "must be a list of nemesis types" })
          .min(1, { error: `must list 1 to 16 of ${NEMESIS_TYPES.join(", ")}` })
          .max(16, { error: `must list 1 to 16 of ${NEMESIS_TYPES.join(", ")}` })
          .describe(
            "The faults the nemesis brings, taken in turn at each point of the faults.killCdc schedule.",
          ),
        durationMs: duration(100, 3_600_000).describe(
          "How long partition, delay, pause-cdc and stress-standby last before they are healed.",
        ),
        delayMs: duration(1, 60_000).describe("delay: latency added each way on the replication link."),
        jitterMs: duration(0, 60_000).describe("delay: +- this much at random around delayMs."),
      })
      .describe("Which faults the nemesis brings (scheduled by faults.killCdc) and how long they last."),
  }),
  monitor: z.strictObject({
    heartbeatIntervalMs: duration(10, 60_000),
    probeIntervalMs: duration(10, 60_000),
    probeKeys: intIn(0, 100_000).describe("Keys the monitor reads on the standby every probe."),
  }),
  search: z.strictObject({
    queries: intIn(0, 100_000),
    k: intIn(1, 16_384),
  }),
  capacity: z
    .strictObject({
      startRate: numberIn(0.1, 100_000).describe("scenario capacity: write ops/s of the first step."),
      factor: numberIn(1.01, 100).describe(
        "scenario capacity: each step's rate is the last one's times this.",
      ),
      stepMs: duration(1_000, 3_600_000).describe(
        "scenario capacity: how long each step writes at its rate.",
      ),
      maxRate: numberIn(0.1, 1_000_000).describe(
        "scenario capacity: the bound: no step goes above this rate (ops/s).",
      ),
      maxSteps: intIn(1, 100).describe("scenario capacity: at most this many steps."),
      maxLagGrowthMsPerS: numberIn(0, 1_000_000).describe(
        "scenario capacity: a step whose heartbeat lag grows faster than this (ms per s) is not sustainable.",
      ),
    })
    .describe(
      "scenario capacity: the write rate steps up until the standby's lag keeps growing or the bound.",
    ),
  thresholds: z.strictObject({
    lagSloMs: duration(1, 3_600_000),
    recoveryTimeoutMs: duration(1_000, 3_600_000),
    catchUpTimeoutMs: duration(1_000, 6 * 3_600_000),
    minRecall: numberIn(0, 1),
    distanceEpsilon: numberIn(0, 1),
    rpoMs: duration(0, 3_600_000).describe(
      "failover: acknowledged writes may be lost only from this window before the primary was lost.",
    ),
    rtoMs: duration(1, 3_600_000).describe(
      "switchover/failover: writes stopped or primary lost -> first write acknowledged by the new primary.",
    ),
    lagMetricToleranceMs: duration(0, 3_600_000).describe(
      "lag-metric: how far Milvus's lag metric may be from the heartbeat lag (and what counts as near zero).",
    ),
    lagMetricGraceMs: duration(0, 3_600_000).describe(
      "lag-metric: the alert rule's `for:` period; a missed alert or false page lasts longer than this.",
    ),
  }),
  topology: z
    .strictObject({
      standbys: intIn(1, 4).describe(
        "Standbys replicating from the one primary (a star, as Milvus CDC supports); 1: a pair.",
      ),
      faultStandby: intIn(1, 4)
        .nullable()
        .describe(
          "Aim backend.local.faultMode at the link to this standby only (1-based), and in a star the nemesis' faults on one standby (restart-standby, partition, delay, stress-standby); null: the fault mode on every edge, those faults at each standby in turn.",
        ),
      promote: intIn(1, 4).describe(
        "Scenarios switchover and failover in a star: the standby promoted (1-based); the others are re-pointed at it.",
      ),
    })
    .describe("One primary and N standbys; each standby's checks are judged on their own."),
});

export interface CollectionConfig {
  name: string;
  dim: number;
  vectorType: VectorType;
  index: IndexType;
  metric: Metric;
  dynamicField: boolean;
  partitions: number;
  autoId: boolean;
  /** Absent in profiles written before it existed: false. */
  partitionKey?: boolean;
  /** Absent in profiles written before it existed: 1. */
  shards?: number;
}

export interface WorkloadTriggers {
  loadRelease: boolean;
  addField: boolean;
  autoIdUpserts: boolean;
  bulkImport: boolean;
}

export interface EndpointConfig {
  uri: string;
  token?: string;
  /** Where the token came from when it was not written in the config (see resolveTokenEnv). */
  tokenEnv?: string;
  clusterId: string | null;
  replicateUri: string | null;
}

export interface DrillConfig {
  profile: ProfileName;
  scenario: Scenario;
  switchBack: boolean;
  /** uint32; random at load time when not given, recorded in the report. */
  seed: number;
  backend: {
    type: BackendType;
    local: { faultMode: LocalFaultMode; faultEvery: number; restartDelayMs: number; pchannels: number };
    kind: {
      milvusVersion: string;
      operatorVersion: string;
      mode: "standalone" | "cluster";
      namespace: string;
      clusterName: string | null;
      images: KindImages;
      usePreinstalledTools: boolean;
      sourceName: string;
      targetName: string;
      /** A star: the CR names of standbys 2..N (the first is targetName). */
      extraTargetNames: string[];
      preloadImages: boolean;
      freeDisk: boolean;
      keepCluster: boolean;
      upgradeFrom: string | null;
      upgradeTo: string | null;
      readyTimeoutMs: number;
    };
    existing: {
      source: EndpointConfig;
      target: EndpointConfig;
      /** A star: standbys 2..N (target is the first). */
      extraTargets: EndpointConfig[];
      pchannels: number;
      configureReplication: boolean;
      kube: {
        context: string | null;
        namespace: string;
        sourceInstance: string;
        importBucket: string | null;
      } | null;
      killCdcCommand: string | null;
      /** Scenario seed: the user's milvus-backup create and restore secondary, as shell command templates. */
      milvusBackup: { createCommand: string; restoreSecondaryCommand: string } | null;
      allowRoleChange: boolean;
      allowDestructive: boolean;
      metricsUrls: string[];
    } | null;
  };
  workload: {
    collections: CollectionConfig[];
    initialRows: number;
    keySpace: number;
    batchSize: number;
    ops: number | null;
    durationMs: number | null;
    targetRate: number;
    concurrency: number;
    mix: { insert: number; upsert: number; delete: number; reinsert: number; ddl: number };
    hotKeyUpserts: number;
    chainLength: number;
    dropCollection: boolean;
    triggers: WorkloadTriggers;
  };
  faults: {
    /** The nemesis' schedule (the name is from when kill-cdc was its only fault). */
    killCdc: { at: number[]; everyMs: number | null; times: number };
    nemesis: { types: NemesisType[]; durationMs: number; delayMs: number; jitterMs: number };
  };
  monitor: { heartbeatIntervalMs: number; probeIntervalMs: number; probeKeys: number };
  search: { queries: number; k: number };
  capacity: {
    startRate: number;
    factor: number;
    stepMs: number;
    maxRate: number;
    maxSteps: number;
    maxLagGrowthMsPerS: number;
  };
  thresholds: {
    lagSloMs: number;
    recoveryTimeoutMs: number;
    catchUpTimeoutMs: number;
    minRecall: number;
    distanceEpsilon: number;
    rpoMs: number;
    rtoMs: number;
    lagMetricToleranceMs: number;
    lagMetricGraceMs: number;
  };
  topology: { standbys: number; faultStandby: number | null; promote: number };
}

/** Every cluster of backend.existing: the primary, then each standby (a star's extraTargets after target). */
export function existingClusters(ex: NonNullable<DrillConfig["backend"]["existing"]>): EndpointConfig[] {
  return [ex.source, ex.target, ...(ex.extraTargets ?? [])];
}

/** The key of existingClusters()[i] under backend.existing: source, target, extraTargets[0], ... */
export function existingClusterKey(i: number): string {
  return i === 0 ? "source" : i === 1 ? "target" : `extraTargets[${i - 2}]`;
}

/** Partial at every level except inside arrays: arrays replace when layers merge. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

// The hand-written interface is the contract other roles read; this keeps it equal to what the schema yields.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const schemaMatchesInterface: Equals<z.output<typeof DrillConfigSchema>, DrillConfig> = true;
void schemaMatchesInterface;
