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
 */
import { DEFAULT_KIND_IMAGES } from "../backends/kind/images.js";
import type { DrillConfig, ProfileName } from "./schema.js";

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
  },
  faults: { killCdc: { at: [0.5], everyMs: null, times: 0 } },
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
  faults: { killCdc: { at: [0.2, 0.4, 0.6, 0.8], everyMs: null, times: 0 } },
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
  faults: { killCdc: { at: [], everyMs: 300_000, times: 0 } },
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
  faults: { killCdc: { at: [0.3, 0.6], everyMs: null, times: 0 } },
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
 * The write rate doubles every 5 s from 5 ops/s (batches of 50 rows) until the standby's lag keeps
 * growing or 80 ops/s; then the same rate with CDC running and paused. No CDC kill: a kill would read
 * as a capacity limit.
 */
const capacitySmoke: Profile = {
  ...smoke,
  scenario: "capacity",
  faults: { killCdc: { at: [], everyMs: null, times: 0 } },
};

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  smoke,
  default: defaultProfile,
  soak,
  "kind-types": kindTypes,
  "switchover-smoke": switchoverSmoke,
  "failover-smoke": failoverSmoke,
  "capacity-smoke": capacitySmoke,
};

/** The profile used when neither a flag, an input nor the config file names one. */
export const DEFAULT_PROFILE: ProfileName = "default";
