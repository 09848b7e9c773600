/**
 * Rules that involve more than one field. Each returns the one line a user sees; the first broken
 * rule wins, so the message always names a single field, its value and what is allowed.
 */

import { MILVUS_BACKUP_PLACEHOLDERS } from "../backends/existing/milvus-backup.js";
import { KIND_CHAOS_TYPES, KIND_NEMESIS_REFUSALS } from "../backends/kind/chaos.js";
import { KIND_MAX_STANDBYS, KIND_RUNNER, starRequests } from "../backends/kind/manifests.js";
import {
  LOCAL_NEMESIS_REFUSALS,
  LOCAL_NEMESIS_TYPES,
  type LocalFaultMode,
  NEMESIS_FAULT_TRIGGERS,
  REPLICATOR_FAULT_MODES,
  ROLE_CHANGE_FAULT_SCENARIO,
} from "../backends/local/faults/fault-modes.js";
import { STANDBY_FAULTS } from "../nemesis/names.js";
import { unknownPlaceholder } from "../util/shell.js";
import {
  changesRoles,
  type DrillConfig,
  faultsScheduled,
  type Metric,
  type Scenario,
  type VectorType,
} from "./schema.js";
import { compareSemver, formatSemver, parseRelease, type Semver } from "./version.js";

/**
 * The first Milvus release that has what each scenario needs. failover: force_promote on
 * UpdateReplicateConfiguration (milvus-io/milvus PR 48452, "Added force promote support for
 * primary-secondary disaster recovery failover", release notes v2.6.14, 2026-04-07). switchover: the
 * reversed topology on both clusters, which built-in CDC has had since it first shipped.
 */
export const SCENARIO_MIN_MILVUS: Record<Scenario, Semver> = {
  replication: { major: 2, minor: 6, patch: 6 },
  switchover: { major: 2, minor: 6, patch: 6 },
  failover: { major: 2, minor: 6, patch: 14 },
  // restore secondary sends through CreateReplicateStream, which built-in CDC has had since it shipped.
  seed: { major: 2, minor: 6, patch: 6 },
  capacity: { major: 2, minor: 6, patch: 6 },
};

/** Milvus Lite rejects Float16, BFloat16 and Binary vectors (its schema translator), so local cannot run them. */
export const LOCAL_VECTOR_TYPES: readonly VectorType[] = ["float", "sparse"];
const KIND_ONLY_VECTOR_TYPES: readonly VectorType[] = ["float16", "bfloat16", "binary"];

const METRICS_FOR: Record<VectorType, readonly Metric[]> = {
  float: ["L2", "IP", "COSINE"],
  float16: ["L2", "IP", "COSINE"],
  bfloat16: ["L2", "IP", "COSINE"],
  binary: ["HAMMING", "JACCARD"],
  sparse: ["IP"],
};

/**
 * Index names are the drill's, not Milvus's: the client maps FLAT/IVF_FLAT to BIN_FLAT/BIN_IVF_FLAT for
 * binary vectors and FLAT to SPARSE_INVERTED_INDEX for sparse ones. Graph and IVF indexes do not exist
 * for sparse vectors, nor HNSW for binary ones.
 */
const INDEXES_FOR: Record<VectorType, readonly string[]> = {
  float: ["FLAT", "HNSW", "IVF_FLAT", "AUTOINDEX"],
  float16: ["FLAT", "HNSW", "IVF_FLAT", "AUTOINDEX"],
  bfloat16: ["FLAT", "HNSW", "IVF_FLAT", "AUTOINDEX"],
  binary: ["FLAT", "IVF_FLAT", "AUTOINDEX"],
  sparse: ["FLAT", "AUTOINDEX"],
};

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The one line a config problem is told in: the field, its value, the rule. */
export function line(path: string, value: unknown, rule: string): string {
  return `config ${path} = ${show(value)}: ${rule}`;
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

function checkCollections(cfg: DrillConfig): string | null {
  const seen = new Set<string>();
  for (const [i, c] of cfg.workload.collections.entries()) {
    const at = `workload.collections[${i}]`;
    if (seen.has(c.name)) return line(`${at}.name`, c.name, "duplicate collection name");
    seen.add(c.name);
    if (cfg.backend.type === "local" && !LOCAL_VECTOR_TYPES.includes(c.vectorType)) {
      return line(
        `${at}.vectorType`,
        c.vectorType,
        `the local backend (Milvus Lite) supports ${LOCAL_VECTOR_TYPES.join(", ")}; use backend kind for ${KIND_ONLY_VECTOR_TYPES.join(", ")}`,
      );
    }
    const metrics = METRICS_FOR[c.vectorType];
    if (!metrics.includes(c.metric)) {
      return line(`${at}.metric`, c.metric, `a ${c.vectorType} vector needs ${orList(metrics)}`);
    }
    const indexes = INDEXES_FOR[c.vectorType];
    if (!indexes.includes(c.index)) {
      return line(`${at}.index`, c.index, `a ${c.vectorType} vector needs ${orList(indexes)}`);
    }
    if (c.vectorType === "binary" && c.dim % 8 !== 0) {
      return line(`${at}.dim`, c.dim, "a binary vector's dim must be a multiple of 8");
    }
    if (i === 0 && c.autoId) {
      return line(
        `${at}.autoId`,
        c.autoId,
        "the first collection carries the ordering probes on fixed keys and cannot be auto_id; make another collection auto_id",
      );
    }
    if (i === 0 && (c.shards ?? 1) > 1) {
      return line(
        `${at}.shards`,
        c.shards,
        "the first collection carries the ordering probes, which need one channel: 1; give another collection more shards",
      );
    }
    if (c.partitionKey && c.partitions > 1) {
      return line(
        `${at}.partitions`,
        c.partitions,
        "a partition-key collection has no named partitions (Milvus picks them from the key): 1",
      );
    }
  }
  return null;
}

function checkWorkload(cfg: DrillConfig): string | null {
  const w = cfg.workload;
  if (w.initialRows > w.keySpace) {
    return line("workload.initialRows", w.initialRows, `must be at most workload.keySpace (${w.keySpace})`);
  }
  if (cfg.monitor.probeKeys > w.keySpace) {
    return line(
      "monitor.probeKeys",
      cfg.monitor.probeKeys,
      `must be at most workload.keySpace (${w.keySpace})`,
    );
  }
  const weights = Object.values(w.mix);
  if (weights.reduce((a, b) => a + b, 0) <= 0) {
    return line("workload.mix", w.mix, "weights must be non-negative and sum to more than 0");
  }
  if (w.ops === null && w.durationMs === null) {
    return line("workload.ops", null, "set workload.ops or workload.durationMs (exactly one)");
  }
  if (w.ops !== null && w.durationMs !== null) {
    return line(
      "workload.durationMs",
      w.durationMs,
      `set workload.ops (${w.ops}) or workload.durationMs, not both`,
    );
  }
  return null;
}

function checkFaults(cfg: DrillConfig): string | null {
  const k = cfg.faults.killCdc;
  for (let i = 1; i < k.at.length; i++) {
    if ((k.at[i] as number) <= (k.at[i - 1] as number)) {
      return line("faults.killCdc.at", k.at, "fractions must be strictly ascending, each in (0, 1)");
    }
  }
  if (k.at.length > 0 && k.everyMs !== null) {
    return line(
      "faults.killCdc.everyMs",
      k.everyMs,
      "set faults.killCdc.at or faults.killCdc.everyMs, not both",
    );
  }
  if (k.times > 0 && k.everyMs === null) {
    return line("faults.killCdc.times", k.times, "only applies with faults.killCdc.everyMs");
  }
  return checkNemesis(cfg);
}

/** The nemesis types the chosen backend cannot bring, refused before anything is provisioned. */
function checkNemesis(cfg: DrillConfig): string | null {
  const types = cfg.faults.nemesis.types;
  const mode = cfg.backend.local.faultMode;
  const trigger = NEMESIS_FAULT_TRIGGERS[mode];
  if (trigger && cfg.backend.type === "local") {
    const needs = trigger === "any" ? "any nemesis fault" : `--nemesis ${trigger.join(" or ")}`;
    if (!faultsScheduled(cfg) || (trigger !== "any" && !types.some((t) => trigger.includes(t))))
      return line(
        "backend.local.faultMode",
        mode,
        `is set off by ${needs}, which this run does not schedule (faults.nemesis.types ${types.join(",")}, at ${cfg.faults.killCdc.at.join(",") || "no point"})`,
      );
  }
  if (!faultsScheduled(cfg)) return null;
  const b = cfg.backend;
  if (b.type === "local") {
    const bad = types.find((t) => !LOCAL_NEMESIS_TYPES.includes(t));
    if (bad)
      return line(
        "faults.nemesis.types",
        types,
        `${bad}: ${LOCAL_NEMESIS_REFUSALS[bad] ?? "not on the local backend"} (local allows: ${LOCAL_NEMESIS_TYPES.join(", ")})`,
      );
  }
  if (b.type === "kind") {
    const allowed: readonly string[] = ["kill-cdc", ...KIND_CHAOS_TYPES];
    const bad = types.find((t) => !allowed.includes(t));
    if (bad)
      return line(
        "faults.nemesis.types",
        types,
        `${bad}: ${KIND_NEMESIS_REFUSALS[bad] ?? "not on the kind backend"} (kind allows: ${allowed.join(", ")})`,
      );
  }
  if (b.type === "existing") {
    const bad = types.find((t) => t !== "kill-cdc");
    if (bad)
      return line(
        "faults.nemesis.types",
        types,
        `${bad} on existing clusters needs Chaos Mesh driven by the drill, which the existing backend does not do; only kill-cdc is allowed there (with backend.existing.kube or killCdcCommand)`,
      );
  }
  return null;
}

function checkBackend(cfg: DrillConfig): string | null {
  const b = cfg.backend;
  if (b.type !== "local" && b.local.faultMode !== "none") {
    return line(
      "backend.local.faultMode",
      b.local.faultMode,
      `only the local backend's reference replicator can plant faults; backend.type is ${b.type}`,
    );
  }
  const { sourceName, targetName, upgradeFrom, upgradeTo } = b.kind;
  if (sourceName.includes(targetName) || targetName.includes(sourceName)) {
    return line(
      "backend.kind.targetName",
      targetName,
      `must not contain or be contained in backend.kind.sourceName (${sourceName}): CDC matches channels by substring`,
    );
  }
  if ((upgradeFrom === null) !== (upgradeTo === null)) {
    const [path, value] =
      upgradeFrom === null
        ? ["backend.kind.upgradeTo", upgradeTo]
        : ["backend.kind.upgradeFrom", upgradeFrom];
    return line(path, value, "set both backend.kind.upgradeFrom and backend.kind.upgradeTo, or neither");
  }
  if (upgradeFrom !== null && upgradeFrom !== b.kind.milvusVersion) {
    return line(
      "backend.kind.upgradeFrom",
      upgradeFrom,
      `must equal backend.kind.milvusVersion (${b.kind.milvusVersion}), the version both clusters start on`,
    );
  }
  if (upgradeFrom !== null && upgradeTo !== null) {
    const from = parseRelease(upgradeFrom);
    const to = parseRelease(upgradeTo);
    if (from && to && compareSemver(from, to) >= 0) {
      return line(
        "backend.kind.upgradeTo",
        upgradeTo,
        `must be newer than backend.kind.upgradeFrom (${upgradeFrom})`,
      );
    }
  }
  if (b.type === "existing") {
    if (b.existing === null) {
      return line(
        "backend.existing",
        null,
        "required when backend.type is existing (set source.uri and target.uri)",
      );
    }
    if (sameEndpoint(b.existing.source.uri, b.existing.target.uri)) {
      return line(
        "backend.existing.target.uri",
        b.existing.target.uri,
        "must differ from backend.existing.source.uri",
      );
    }
    const seen = [b.existing.source.uri, b.existing.target.uri];
    for (const [i, e] of b.existing.extraTargets.entries()) {
      if (seen.some((u) => sameEndpoint(u, e.uri)))
        return line(
          `backend.existing.extraTargets[${i}].uri`,
          e.uri,
          "must differ from the source's and every other target's uri",
        );
      seen.push(e.uri);
    }
    const kills = faultsScheduled(cfg) && cfg.faults.nemesis.types.includes("kill-cdc");
    if (kills && b.existing.kube === null && b.existing.killCdcCommand === null) {
      return line(
        "faults.killCdc.at",
        cfg.faults.killCdc.everyMs === null ? cfg.faults.killCdc.at : `every ${cfg.faults.killCdc.everyMs}ms`,
        "killing CDC on existing clusters needs backend.existing.kube or backend.existing.killCdcCommand; set one, or set faults.killCdc.at to []",
      );
    }
    for (const k of ["createCommand", "restoreSecondaryCommand"] as const) {
      const cmd = b.existing.milvusBackup?.[k];
      const bad = cmd ? unknownPlaceholder(cmd, MILVUS_BACKUP_PLACEHOLDERS) : null;
      if (bad)
        return line(
          `backend.existing.milvusBackup.${k}`,
          cmd,
          `has an unknown placeholder ${bad}; allowed: ${MILVUS_BACKUP_PLACEHOLDERS.map((p: string) => `{${p}}`).join(", ")} (shell variables such as $VAR are left alone)`,
        );
    }
  }
  return null;
}

function sameEndpoint(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

function checkScenario(cfg: DrillConfig): string | null {
  const { scenario } = cfg;
  const b = cfg.backend;
  const needs = ROLE_CHANGE_FAULT_SCENARIO[b.local.faultMode];
  if (b.type === "local" && needs && !(needs as readonly string[]).includes(scenario)) {
    const want = needs.join(" or ");
    return line(
      "backend.local.faultMode",
      b.local.faultMode,
      `plants a fault in ${want === "seed" ? "the seeding" : `the ${want} role change`}; set scenario to ${want} (scenario is ${scenario})`,
    );
  }
  if (scenario === "capacity") {
    const k = cfg.faults.killCdc;
    if (faultsScheduled(cfg))
      return line(
        k.at.length > 0 ? "faults.killCdc.at" : "faults.killCdc.everyMs",
        k.at.length > 0 ? k.at : k.everyMs,
        "scenario capacity measures the standby without faults (a CDC kill would read as a capacity limit); set faults.killCdc.at to [] and everyMs to null, as profile capacity-smoke does",
      );
    return null;
  }
  if (scenario === "replication") return null;
  if (b.type === "existing" && b.existing) {
    if (scenario === "failover" && !b.existing.allowDestructive) {
      return line(
        "scenario",
        scenario,
        "force-promotes your standby and leaves your primary to be rebuilt as its standby; set backend.existing.allowDestructive: true to run it on existing clusters",
      );
    }
    if (scenario === "seed" && !b.existing.allowDestructive) {
      return line(
        "scenario",
        scenario,
        "restores a backup of your primary into your standby and replaces its replicate configuration; set backend.existing.allowDestructive: true (and give it a standby that holds none of the collections) to run it on existing clusters",
      );
    }
    // Refused before anything is written rather than at the seeding, halfway through the workload. The
    // existing backend knows neither cluster's storage: the user's own milvus-backup runs the seeding.
    // A standby that holds a collection or a checkpoint is refused at run time, before the create runs
    // (seed.ts refuseOccupied).
    if (scenario === "seed" && b.existing.milvusBackup === null) {
      return line(
        "backend.existing.milvusBackup",
        null,
        "scenario seed on existing clusters needs your Milvus Backup's commands (createCommand and restoreSecondaryCommand); the drill knows neither cluster's storage",
      );
    }
    if (scenario === "switchover" && !b.existing.allowRoleChange) {
      return line(
        "scenario",
        scenario,
        "moves the primary role of your clusters (and back with switchBack); set backend.existing.allowRoleChange: true to run it on existing clusters",
      );
    }
    if (!b.existing.configureReplication) {
      return line(
        "backend.existing.configureReplication",
        false,
        `scenario ${scenario} changes the replicate configuration itself; set it to true`,
      );
    }
  }
  if (b.type === "kind") {
    if (b.kind.upgradeFrom !== null) {
      return line(
        "backend.kind.upgradeFrom",
        b.kind.upgradeFrom,
        `an upgrade gate runs with scenario replication only (scenario is ${scenario})`,
      );
    }
    const min = SCENARIO_MIN_MILVUS[scenario];
    const v = parseRelease(b.kind.milvusVersion);
    if (v && compareSemver(v, min) < 0) {
      return line(
        "backend.kind.milvusVersion",
        b.kind.milvusVersion,
        `scenario ${scenario} needs Milvus ${formatSemver(min, "v")} or later (force_promote first shipped there)`,
      );
    }
  }
  return null;
}

/** The first cross-field rule the config breaks, as one line, or null when it is consistent. */
export function crossFieldError(cfg: DrillConfig): string | null {
  return (
    checkCollections(cfg) ??
    checkWorkload(cfg) ??
    checkTriggers(cfg) ??
    checkFaults(cfg) ??
    checkBackend(cfg) ??
    checkScenario(cfg) ??
    checkTopology(cfg)
  );
}

/**
 * The self-test faults a star runs: the ones the replicator of one edge commits on its own, and the
 * nemesis self-tests (set off on the standby or edge the nemesis aims at: topology.faultStandby).
 */
export const STAR_FAULT_MODES: readonly LocalFaultMode[] = [
  ...REPLICATOR_FAULT_MODES,
  ...(Object.keys(NEMESIS_FAULT_TRIGGERS) as LocalFaultMode[]),
  // The trigger faults are the replicator's too (a release or an add-field skipped on one edge).
  "skip-release",
  "skip-add-field",
];

/** The role-change self-test faults a star runs (their scenario is checked with the other fault rules). */
export const STAR_ROLE_CHANGE_FAULT_MODES: readonly LocalFaultMode[] = ["repoint-skip"];

/**
 * A star (topology.standbys > 1, issue 25) runs on the local, kind (up to KIND_MAX_STANDBYS) and existing
 * backends, scenario replication; local runs every local nemesis type, kind and existing CDC kills (their
 * faults on one standby are not aimed yet). What is not built yet is refused here in one line, before
 * anything is provisioned. Every star refusal is here.
 */
function checkTopology(cfg: DrillConfig): string | null {
  const t = cfg.topology;
  const b = cfg.backend;
  if (t.faultStandby !== null) {
    const aimsNemesis =
      t.standbys > 1 && faultsScheduled(cfg) && cfg.faults.nemesis.types.some((n) => STANDBY_FAULTS.has(n));
    if (b.type !== "local" || (b.local.faultMode === "none" && !aimsNemesis))
      return line(
        "topology.faultStandby",
        t.faultStandby,
        `aims backend.local.faultMode, and in a star the nemesis' ${[...STANDBY_FAULTS].join("/")}, at one standby; set a local fault mode (--local-fault) or schedule one of those, or null`,
      );
    if (t.faultStandby > t.standbys)
      return line("topology.faultStandby", t.faultStandby, `must be a standby from 1 to ${t.standbys}`);
  }
  if (t.promote > t.standbys)
    return line("topology.promote", t.promote, `must be a standby from 1 to ${t.standbys}`);
  if (t.promote !== 1 && !changesRoles(cfg.scenario))
    return line(
      "topology.promote",
      t.promote,
      `promotes a standby in scenario switchover or failover; scenario ${cfg.scenario} promotes none (allowed: 1)`,
    );
  const extraTargets = b.type === "existing" ? (b.existing?.extraTargets ?? []) : [];
  if (b.type === "existing" && extraTargets.length !== t.standbys - 1)
    return line(
      "backend.existing.extraTargets",
      `${extraTargets.length} target(s)`,
      `must list standbys 2..N of topology.standbys ${t.standbys}, one each: ${t.standbys - 1} target(s)`,
    );
  if (t.standbys === 1) return null;
  if (b.type === "kind" && t.standbys > KIND_MAX_STANDBYS) {
    const r = starRequests(b.kind.mode, t.standbys, changesRoles(cfg.scenario));
    return line(
      "topology.standbys",
      t.standbys,
      `${t.standbys + 1} ${b.kind.mode} Milvus CRs on one kind runner (${KIND_RUNNER.cpuMillis / 1000} CPU / ${KIND_RUNNER.memoryMi / 1024} GB) request ${(r.cpuMillis / 1000).toFixed(2)} CPU / ${(r.memoryMi / 1024).toFixed(1)} GiB but run without memory limits, and ${(KIND_RUNNER.memoryMi / 1024 / (t.standbys + 1)).toFixed(1)} GB each is not sized (src/backends/kind/manifests.ts KIND_MAX_STANDBYS); allowed on kind: 1 to ${KIND_MAX_STANDBYS}`,
    );
  }
  if (b.type === "kind") {
    const extra = b.kind.extraTargetNames.slice(0, t.standbys - 1);
    if (extra.length < t.standbys - 1)
      return line(
        "backend.kind.extraTargetNames",
        b.kind.extraTargetNames,
        `names ${extra.length} further standby(s); topology.standbys ${t.standbys} needs ${t.standbys - 1}`,
      );
    const all = [b.kind.sourceName, b.kind.targetName, ...extra];
    for (const [i, name] of extra.entries()) {
      const other = all.find((n, j) => j !== i + 2 && (n.includes(name) || name.includes(n)));
      if (other !== undefined)
        return line(
          `backend.kind.extraTargetNames[${i}]`,
          name,
          `must not contain or be contained in ${other}, another cluster's name: CDC matches channels by substring`,
        );
    }
  }
  if (b.type === "existing") {
    const nameless = [b.existing?.target, ...extraTargets].findIndex((e) => !e?.clusterId);
    if (nameless >= 0)
      return line(
        nameless === 0
          ? "backend.existing.target.clusterId"
          : `backend.existing.extraTargets[${nameless - 1}].clusterId`,
        null,
        "a star needs every target's cluster id (which edge of the primary's topology is which standby cannot be guessed)",
      );
  }
  if (cfg.scenario !== "replication" && !changesRoles(cfg.scenario))
    return line(
      "topology.standbys",
      t.standbys,
      `scenario ${cfg.scenario} in a star is not built yet; allowed with it: 1 (a star runs replication, switchover and failover)`,
    );
  if (b.type !== "local" && changesRoles(cfg.scenario))
    return line(
      "topology.standbys",
      t.standbys,
      `scenario ${cfg.scenario} in a star on the ${b.type} backend is not built yet (promoting one standby and re-pointing the others runs on the local backend); allowed with it: 1`,
    );
  const bad = cfg.faults.nemesis.types.find((n) => n !== "kill-cdc");
  if (b.type !== "local" && bad && faultsScheduled(cfg))
    return line(
      "faults.nemesis.types",
      cfg.faults.nemesis.types,
      `${bad} in a star on the ${b.type} backend is not built yet (a fault on one standby is aimed on the local backend only); allowed there: kill-cdc`,
    );
  if (
    !STAR_FAULT_MODES.includes(b.local.faultMode) &&
    !STAR_ROLE_CHANGE_FAULT_MODES.includes(b.local.faultMode)
  )
    return line(
      "backend.local.faultMode",
      b.local.faultMode,
      `not built for a star (topology.standbys ${t.standbys}) yet; allowed there: ${STAR_FAULT_MODES.join(", ")}`,
    );
  return null;
}

/** Workload triggers (issue 23): each needs something to act on, and bulk import needs object storage. */
function checkTriggers(cfg: DrillConfig): string | null {
  const t = cfg.workload.triggers;
  const storage = cfg.backend.type === "existing" && Boolean(cfg.backend.existing?.kube?.importBucket);
  if (t.bulkImport && cfg.backend.type !== "kind" && !storage) {
    // Bulk import reads its files from the cluster's own object storage (milvus.io/docs/import-data.md):
    // the kind backend stages them in the primary's MinIO (src/backends/kind/bulk-import.ts), and so
    // does the existing one when told the primary's bucket; the local backend (Milvus Lite) has none.
    const why: Record<string, string> = {
      local: "the local backend (Milvus Lite) has no object storage to import from",
      existing:
        "the existing backend is given no object storage to import from (set backend.existing.kube.importBucket to the primary's bucket in its operator MinIO)",
    };
    return line(
      "workload.triggers.bulkImport",
      true,
      `${why[cfg.backend.type] ?? `backend ${cfg.backend.type} cannot import`}; allowed on backend kind, or existing with kube.importBucket; here: false`,
    );
  }
  const others = cfg.workload.collections.length > 1;
  for (const k of ["loadRelease", "addField"] as const) {
    if (t[k] && !others)
      return line(
        `workload.triggers.${k}`,
        true,
        "needs a second collection to act on (the first carries the ordering probes): add one, or false",
      );
  }
  if (t.autoIdUpserts && !cfg.workload.collections.some((c) => c.autoId))
    return line("workload.triggers.autoIdUpserts", true, "needs an auto_id collection: add one, or false");
  // A trigger fault without its trigger would never be injected, and so would prove nothing.
  const fault = cfg.backend.type === "local" ? cfg.backend.local.faultMode : "none";
  const needs = TRIGGER_FAULT[fault];
  if (needs && !t[needs])
    return line(
      "backend.local.faultMode",
      fault,
      `plants a fault in the ${needs} trigger; set workload.triggers.${needs}: true (profile triggers-smoke does)`,
    );
  return null;
}

/** The self-test faults that act on a workload trigger, and the trigger each needs. */
const TRIGGER_FAULT: Partial<Record<LocalFaultMode, "loadRelease" | "addField">> = {
  "skip-release": "loadRelease",
  "skip-add-field": "addField",
};
