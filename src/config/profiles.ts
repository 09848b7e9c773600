/**
 * Profiles: complete starting points that a config file and flags then adjust.
 *
 * - smoke:      under a minute on the local backend; one CDC kill. The PR gate.
 * - default:    a few minutes; two collections (exact FLAT and ANN HNSW), four CDC kills, a collection
 *               dropped mid-drill.
 * - soak:       nightly; one hour of writes over a large key space, CDC killed every 5 minutes.
 * - kind-types: the vector types Milvus Lite lacks (float16, bfloat16, binary) plus sparse, on the kind
 *               backend (real Milvus), with two CDC kills.
 * - switchover-smoke / failover-smoke: smoke with a planned role change (and back), or with the
 *               primary lost and the standby force-promoted (then A rebuilt and back); each under 90 s
 *               on the local backend.
 * - chaos-smoke: smoke with each local nemesis fault once (restarts, partition, delay, pause, kill).
 * - seed-smoke: smoke on a primary that holds data before replication exists: the standby is seeded
 *               from a backup while writes go on (scenario seed), then two CDC kills.
 * - star-smoke: smoke with two standbys (a star), each judged on its own; one CDC kill.
 * - star-chaos-smoke: chaos-smoke in a star of two standbys, each fault on one standby brought once per standby.
 */
import { DEFAULT_KIND_IMAGES } from "../backends/kind/images.js";
import { DEFAULT_KIND_EXTRA_TARGET_NAMES, type DrillConfig, type ProfileName } from "./schema.js";

/** A profile fixes everything except the seed, which is drawn per run unless given. */
export type Profile = Omit<DrillConfig, "seed" | "profile">;

const KIND_DEFAULTS: DrillConfig["backend"]["kind"] = {
  milvusVersion: "v2.6.22",
  operatorVersion: "1.3.8",
  mode: "standalone",
  namespace: "milvus",
  clusterName: null,
  images: DEFAULT_KIND_IMAGES,
  usePreinstalledTools: false,
  sourceName: "drill-primary",
  targetName: "drill-standby",
  extraTargetNames: [...DEFAULT_KIND_EXTRA_TARGET_NAMES],
  preloadImages: true,
  // Deleting preinstalled SDKs is only sane on a throwaway CI runner: opt in there.
  freeDisk: false,
  keepCluster: false,
  upgradeFrom: null,
  upgradeTo: null,
  readyTimeoutMs: 900_000,
};

const LOCAL_DEFAULTS: DrillConfig["backend"]["local"] = {
  faultMode: "none",
  faultEvery: 50,
  restartDelayMs: 1_000,
  pchannels: 4,
};

/** The nemesis of every profile but chaos-smoke: CDC kills only, as before the other faults existed. */
const NEMESIS: DrillConfig["faults"]["nemesis"] = {
  types: ["kill-cdc"],
  durationMs: 5_000,
  delayMs: 200,
  jitterMs: 50,
};

const MIX = { insert: 4, upsert: 3, delete: 2, reinsert: 1, ddl: 0.2 };

const smoke: Profile = {
  scenario: "replication",
  switchBack: true,
  backend: { type: "local", local: LOCAL_DEFAULTS, kind: KIND_DEFAULTS, existing: null },
  workload: {
    collections: [
      {
        name: "drill_items",
        dim: 32,
        vectorType: "float",
        index: "FLAT",
        metric: "L2",
        dynamicField: true,
        partitions: 1,
        autoId: false,
      },
    ],
    initialRows: 300,
    keySpace: 1_500,
    batchSize: 50,
    ops: 200,
    durationMs: null,
    targetRate: 0,
    concurrency: 2,
    mix: MIX,
    hotKeyUpserts: 30,
    chainLength: 20,
    dropCollection: false,
    triggers: { loadRelease: false, addField: false, autoIdUpserts: false, bulkImport: false },
  },
  faults: { killCdc: { at: [0.5], everyMs: null, times: 0 }, nemesis: NEMESIS },
  monitor: { heartbeatIntervalMs: 200, probeIntervalMs: 250, probeKeys: 32 },
  search: { queries: 10, k: 10 },
  // Used by scenario capacity only (profile capacity-smoke).
  capacity: { startRate: 5, factor: 2, stepMs: 5_000, maxRate: 80, maxSteps: 6, maxLagGrowthMsPerS: 100 },
  thresholds: {
    lagSloMs: 5_000,
    recoveryTimeoutMs: 30_000,
    catchUpTimeoutMs: 60_000,
    minRecall: 0.9,
    distanceEpsilon: 1e-4,
    // Locally the standby trails by well under a second; a loss reaching further back is a bug.
    rpoMs: 5_000,
    rtoMs: 30_000,
    // lag-metric: the heartbeat reads up to an interval plus a query late; an alert waits 3 s.
    lagMetricToleranceMs: 2_000,
    lagMetricGraceMs: 3_000,
  },
  topology: { standbys: 1, faultStandby: null, promote: 1 },
};

const defaultProfile: Profile = {
  ...smoke,
  workload: {
    ...smoke.workload,
    collections: [
      {
        name: "drill_items",
        dim: 64,
        vectorType: "float",
        index: "FLAT",
        metric: "L2",
        dynamicField: true,
        partitions: 2,
        autoId: false,
      },
      {
        name: "drill_ann",
        dim: 64,
        vectorType: "float",
        index: "HNSW",
        metric: "COSINE",
        dynamicField: false,
        partitions: 1,
        autoId: true,
      },
    ],
    initialRows: 2_000,
    keySpace: 10_000,
    batchSize: 100,
    ops: 3_000,
    // Paced so the four kills land minutes apart rather than within seconds.
    targetRate: 20,
    concurrency: 4,
    hotKeyUpserts: 200,
    chainLength: 50,
    dropCollection: true,
  },
  faults: { killCdc: { at: [0.2, 0.4, 0.6, 0.8], everyMs: null, times: 0 }, nemesis: NEMESIS },
  monitor: { heartbeatIntervalMs: 500, probeIntervalMs: 500, probeKeys: 64 },
  search: { queries: 50, k: 10 },
  thresholds: {
    ...smoke.thresholds,
    recoveryTimeoutMs: 60_000,
    catchUpTimeoutMs: 120_000,
    // Real Milvus: Milvus's own suite allows 180 s for a force-promoted cluster to take a write.
    rtoMs: 180_000,
  },
};

const soak: Profile = {
  ...defaultProfile,
  workload: {
    ...defaultProfile.workload,
    initialRows: 10_000,
    keySpace: 100_000,
    ops: null,
    durationMs: 3_600_000,
    targetRate: 50,
    hotKeyUpserts: 2_000,
    chainLength: 100,
  },
  faults: { killCdc: { at: [], everyMs: 300_000, times: 0 }, nemesis: NEMESIS },
  monitor: { heartbeatIntervalMs: 1_000, probeIntervalMs: 1_000, probeKeys: 128 },
  search: { queries: 100, k: 10 },
  thresholds: {
    ...defaultProfile.thresholds,
    lagSloMs: 10_000,
    recoveryTimeoutMs: 120_000,
    catchUpTimeoutMs: 600_000,
  },
};

const kindTypes: Profile = {
  ...defaultProfile,
  backend: { ...defaultProfile.backend, type: "kind" },
  workload: {
    ...defaultProfile.workload,
    collections: [
      {
        name: "drill_f16",
        dim: 64,
        vectorType: "float16",
        index: "FLAT",
        metric: "L2",
        dynamicField: true,
        partitions: 1,
        autoId: false,
      },
      {
        name: "drill_bf16",
        dim: 64,
        vectorType: "bfloat16",
        index: "HNSW",
        metric: "IP",
        dynamicField: false,
        partitions: 1,
        autoId: false,
      },
      {
        name: "drill_bin",
        dim: 128,
        vectorType: "binary",
        index: "FLAT",
        metric: "HAMMING",
        dynamicField: false,
        partitions: 1,
        autoId: false,
      },
      {
        name: "drill_sparse",
        dim: 1_000,
        vectorType: "sparse",
        index: "AUTOINDEX",
        metric: "IP",
        dynamicField: false,
        partitions: 1,
        autoId: false,
      },
    ],
    ops: 2_000,
    dropCollection: false,
  },
  faults: { killCdc: { at: [0.3, 0.6], everyMs: null, times: 0 }, nemesis: NEMESIS },
};

const switchoverSmoke: Profile = { ...smoke, scenario: "switchover" };

/**
 * Paced like an application rather than flat out, so the standby keeps up as it would in production
 * and the loss measures CDC, not a backlog the drill itself piled up on a small machine.
 */
const failoverSmoke: Profile = {
  ...smoke,
  scenario: "failover",
  workload: { ...smoke.workload, targetRate: 40 },
  thresholds: { ...smoke.thresholds, rpoMs: 10_000 },
};

/**
 * Smoke with each local nemesis type once (kill-cdc, both restarts, partition, delay, pause-cdc), paced
 * so every fault lands while writes are going: the sweep's proof that no fault cries wolf.
 */
const chaosSmoke: Profile = {
  ...smoke,
  workload: { ...smoke.workload, ops: 600, targetRate: 20 },
  faults: {
    killCdc: { at: [0.1, 0.25, 0.4, 0.55, 0.7, 0.85], everyMs: null, times: 0 },
    nemesis: {
      ...NEMESIS,
      types: ["kill-cdc", "restart-standby", "restart-primary", "partition", "delay", "pause-cdc"],
      durationMs: 3_000,
    },
  },
};

/**
 * triggers-smoke: smoke plus what broke CDC upstream from the workload alone (docs/upstream-bugs.md):
 * a partition and a collection released and loaded again mid-stream, two add_collection_field in a
 * row on a two-shard partition-key collection, dynamic fields, and an auto-id collection under
 * inserts, upserts and deletes. Bulk import needs object storage, which the local backend has not.
 */
const triggersSmoke: Profile = {
  ...smoke,
  workload: {
    ...smoke.workload,
    collections: [
      { ...(smoke.workload.collections[0] as Profile["workload"]["collections"][number]), partitions: 2 },
      {
        name: "drill_auto",
        dim: 16,
        vectorType: "float",
        index: "FLAT",
        metric: "L2",
        dynamicField: true,
        partitions: 1,
        autoId: true,
      },
      {
        name: "drill_pkey",
        dim: 16,
        vectorType: "float",
        index: "FLAT",
        metric: "L2",
        dynamicField: false,
        partitions: 1,
        autoId: false,
        partitionKey: true,
        shards: 2,
      },
    ],
    ops: 300,
    triggers: { loadRelease: true, addField: true, autoIdUpserts: true, bulkImport: false },
  },
};

/**
 * Writes paced so the seeding (backup, restore, configure) happens while they go on, and the CDC kills
 * come after it (the nemesis starts once replication is configured).
 */
const seedSmoke: Profile = {
  ...smoke,
  scenario: "seed",
  workload: { ...smoke.workload, ops: 300, targetRate: 40 },
  faults: { killCdc: { at: [0.6, 0.85], everyMs: null, times: 0 }, nemesis: NEMESIS },
};

/**
 * The write rate doubles every 5 s from 5 ops/s (batches of 50 rows) until the standby's lag keeps
 * growing or 80 ops/s; then the same rate with CDC running and paused. No CDC kill: a kill would read
 * as a capacity limit.
 */
const capacitySmoke: Profile = {
  ...smoke,
  scenario: "capacity",
  faults: { killCdc: { at: [], everyMs: null, times: 0 }, nemesis: NEMESIS },
};

/** smoke in a star: one primary, two standbys, one CDC kill (the primary's CDC, every edge at once). */
const starSmoke: Profile = { ...smoke, topology: { standbys: 2, faultStandby: null, promote: 1 } };

/**
 * chaos-smoke in a star of two standbys: every local nemesis type, and each fault on one standby
 * (restart-standby, partition, delay; aimed at the standbys in turn) twice, so each standby gets each
 * once; the CDC kill, pause and primary restart reach both. Nine faults over 45 s of writes.
 */
const starChaosSmoke: Profile = {
  ...chaosSmoke,
  workload: { ...chaosSmoke.workload, ops: 900 },
  faults: {
    killCdc: { at: [0.08, 0.18, 0.28, 0.38, 0.48, 0.58, 0.68, 0.78, 0.88], everyMs: null, times: 0 },
    nemesis: {
      ...chaosSmoke.faults.nemesis,
      types: [
        ...["kill-cdc", "restart-standby", "restart-standby", "restart-primary", "partition"],
        ...["partition", "delay", "delay", "pause-cdc"],
      ] as Profile["faults"]["nemesis"]["types"],
    },
  },
  topology: { standbys: 2, faultStandby: null, promote: 1 },
};

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  smoke,
  default: defaultProfile,
  soak,
  "kind-types": kindTypes,
  "switchover-smoke": switchoverSmoke,
  "failover-smoke": failoverSmoke,
  "chaos-smoke": chaosSmoke,
  "triggers-smoke": triggersSmoke,
  "seed-smoke": seedSmoke,
  "capacity-smoke": capacitySmoke,
  "star-smoke": starSmoke,
  "star-chaos-smoke": starChaosSmoke,
};

/** The profile used when neither a flag, an input nor the config file names one. */
export const DEFAULT_PROFILE: ProfileName = "default";
