/**
 * Seeding a standby from a backup, in Milvus Backup's `restore secondary` order (zilliztech/milvus-backup
 * since v0.5.10; its CI job test-backup-restore-secondary): the article's answer for a cluster that holds
 * data before CDC exists, since CDC carries only what is written after it is configured.
 *
 * 1. backup: `create --backup_index_extra` on the primary; a FlushAll records a point on each channel;
 * 2. configure-standby: the replicate configuration (edge primary -> standby) on the standby only;
 * 3. restore: `restore secondary`, refused first when the standby already holds a collection or a
 *    checkpoint from the primary (a second restore into one standby is dropped silently:
 *    zilliztech/milvus-backup#1176); the standby's checkpoints are read back afterwards, and whether it
 *    still holds the configuration as a secondary (standbyRole: milvus-io/milvus#52727);
 * 4. configure: the same configuration on the primary: CDC resumes strictly after the point;
 * 5. first-replicated-write: a marker written on the primary after that shows on the standby (one that
 *    does not show in time fails seed-alignment in scenario seed, whose drill goes on to the checks).
 *
 * Maintainers warn this path "can easily lead to missing or duplicated incremental data"
 * (milvus-io/milvus#49533): check seed-alignment judges it per channel around the points recorded here.
 * The failover's way back (rebuild A from B, milvus-io/milvus#53512) runs the same steps.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { Backend, ClusterBackup, ClusterPair, Logger } from "../backends/types.js";
import { PK_FIELD } from "../generator/rows.js";
import type { Pk, StepName } from "../history/types.js";
import { configureReplication, getReplicateInfo, readReplicateConfiguration } from "../milvus/replicate.js";
import { isSuccess } from "../milvus/status.js";
import { countOf, hasCollection, markerSeen, type SettleMarker } from "./settle.js";

/** Workload progress at which scenario seed seeds the standby (writes go on throughout). */
export const SEED_AT = 0.25;

type Side = "source" | "target";

/** Runs one step: scenario seed times each into the history (timedStep); the way back folds them into its own. */
export type StepRunner = <T extends { detail?: Record<string, unknown> }>(
  name: StepName,
  fn: () => Promise<T>,
) => Promise<T>;

export interface SeedInput {
  backend: Backend;
  /** The pair as it will replicate: source = the cluster backed up, target = the one seeded. */
  pair: ClusterPair;
  /** Which of the backend's sides each is (the way back backs up "target" and restores into "source"). */
  sides: { source: Side; target: Side };
  source: MilvusClient;
  target: MilvusClient;
  /** The drill's collections: none may exist on the standby before the restore. */
  collections: string[];
  /** Writes the first marker on the source once replication is configured; undefined: none acknowledged. */
  writeMarker: () => Promise<SettleMarker | undefined>;
  timeoutMs: number;
  /**
   * A first write the standby does not show in time: "throw" stops the caller (the way back cannot go
   * on); "judge" records the step as failed and returns (scenario seed: seed-alignment fails on it).
   * Either way a marker the primary did not acknowledge throws.
   */
  unshownMarker?: "throw" | "judge";
  log: Logger;
  step: StepRunner;
  name: string;
  signal?: AbortSignal;
}

export interface SeedResult {
  backup: ClusterBackup;
  rowsSeeded: number;
}

/** The standby must be empty of the drill's collections and hold no checkpoint from the source. */
export async function refuseOccupied(
  target: MilvusClient,
  pair: ClusterPair,
  collections: string[],
  timeoutMs: number,
  what: { checkpoints: boolean } = { checkpoints: true },
): Promise<void> {
  for (const c of collections) {
    const has = await hasCollection(target, c);
    if (has === true)
      throw new Error(
        `the standby ${pair.target.clusterId} already holds collection ${c}: restore secondary would send it again (refused before anything is backed up or restored; drop it or seed an empty standby)`,
      );
  }
  if (!what.checkpoints) return;
  for (const pch of pair.target.pchannels) {
    const cp = await getReplicateInfo(target, pair.source.clusterId, pch, Math.min(timeoutMs, 30_000));
    if (cp.timeTick !== null)
      throw new Error(
        `the standby ${pair.target.clusterId} already has a checkpoint from ${pair.source.clusterId} on ${pch} (tt ${cp.timeTick}): a second restore into it is dropped silently (zilliztech/milvus-backup#1176); refused before the restore`,
      );
  }
}

/** Where the standby stood right after the restore; `not-secondary` fails seed-alignment. */
export interface StandbyRole {
  role: "secondary" | "not-secondary" | "unknown";
  why: string;
}

/**
 * Whether the standby still holds the replicate configuration as a secondary of the source right after
 * the restore (GetReplicateConfiguration: the edge source -> standby). CDC stopped itself right after
 * seeding and the secondary became a primary in milvus-io/milvus#52727; a standby that holds no such
 * edge takes client writes and drops the stream. `unknown` when it cannot be read (the RPC is missing
 * before milvus-io/milvus#49810, or the call failed): never a pass of its own.
 */
export async function standbyRole(pair: ClusterPair, timeoutMs: number): Promise<StandbyRole> {
  const src = pair.source.clusterId;
  const dst = pair.target.clusterId;
  try {
    const c = await readReplicateConfiguration(pair.target, timeoutMs);
    if (c === "unimplemented")
      return { role: "unknown", why: `${dst} does not implement GetReplicateConfiguration` };
    if (!c) return { role: "not-secondary", why: `${dst} holds no replicate configuration` };
    const edges = c.cross_cluster_topology.map((e) => `${e.source_cluster_id} -> ${e.target_cluster_id}`);
    if (!c.cross_cluster_topology.some((e) => e.source_cluster_id === src && e.target_cluster_id === dst))
      return {
        role: "not-secondary",
        why: `${dst}'s replicate configuration has no edge ${src} -> ${dst} (it holds ${edges.join(", ") || "no edge"})`,
      };
    return { role: "secondary", why: `${dst} holds the edge ${src} -> ${dst}` };
  } catch (e) {
    return {
      role: "unknown",
      why: `GetReplicateConfiguration on ${dst} failed: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

/** Whether `target` shows the marker within timeoutMs (false: it did not; an abort throws). */
async function markerShown(target: MilvusClient, m: SettleMarker, timeoutMs: number, signal?: AbortSignal) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (await markerSeen(target, m)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Backup, configure the standby, restore secondary, configure the primary, first replicated write. */
export async function seedStandby(i: SeedInput): Promise<SeedResult> {
  const { backend, pair, log, step } = i;
  if (!backend.backup || !backend.restoreSecondary)
    throw new Error(`backend ${backend.info.name} cannot seed a standby from a backup`);
  const backupFn = backend.backup.bind(backend);
  const restoreFn = backend.restoreSecondary.bind(backend);
  const cfgOpts = { timeoutMs: i.timeoutMs, log: (m: string) => log.info(m), signal: i.signal };

  const { backup } = await step("backup", async () => {
    // A standby holding a collection is refused before the create runs (on existing clusters the
    // create is the user's own command). Its checkpoints are read only before the restore: a standby
    // without the replicate configuration (configure-standby comes after the backup) blocks
    // GetReplicateInfo until the deadline; the create only reads the primary, so nothing is lost.
    await refuseOccupied(i.target, pair, i.collections, i.timeoutMs, { checkpoints: false });
    const b = await backupFn(i.sides.source, i.name, i.signal);
    return {
      backup: b,
      detail: {
        name: b.name,
        cluster: b.clusterId,
        points: b.points,
        collections: b.collections,
        rows: b.rows,
      },
    };
  });
  await step("configure-standby", async () => ({
    detail: { confirmedBy: (await configureReplication(pair, { ...cfgOpts, only: "standby" })).confirmedBy },
  }));
  const { rowsSeeded } = await step("restore", async () => {
    // Collections again (the backup took its time) and the checkpoints, right before the restore.
    await refuseOccupied(i.target, pair, i.collections, i.timeoutMs);
    const r = await restoreFn(backup, i.sides.target, i.signal);
    // Where the restore left the standby: its checkpoint per channel, keyed by the source's channel.
    const checkpoints = [];
    for (const [k, pch] of pair.target.pchannels.entries()) {
      const cp = await getReplicateInfo(i.target, pair.source.clusterId, pch, Math.min(i.timeoutMs, 30_000));
      checkpoints.push({ pchannel: pair.source.pchannels[k] as string, ...cp });
    }
    const standby = await standbyRole(pair, Math.min(i.timeoutMs, 30_000));
    if (standby.role !== "secondary") log.warn(`after the restore: ${standby.why}`);
    let seeded = 0;
    // A backend that cannot list the backup's collections (existing): the drill's own, counted on the
    // standby before CDC is configured on the primary, hold what the restore sent.
    const names = backup.collections.length > 0 ? backup.collections.map((c) => c.name) : i.collections;
    for (const name of names) {
      const n = await countOf(i.target, name);
      if (typeof n === "number") seeded += n;
    }
    return {
      rowsSeeded: seeded,
      detail: {
        rows: r.rows,
        rowsSeeded: seeded,
        checkpoints,
        standby,
        // A backend that cannot read the backup's meta (existing) gives the points as the restore left them.
        ...(r.points ? { points: r.points } : {}),
        ...(r.detail ?? {}),
      },
    };
  });
  log.info(`seeded ${rowsSeeded} rows into ${pair.target.clusterId} from backup ${backup.name}`);
  await step("configure", async () => ({
    detail: { confirmedBy: (await configureReplication(pair, { ...cfgOpts, only: "primary" })).confirmedBy },
  }));
  let unshown: string | undefined;
  try {
    await step("first-replicated-write", async () => {
      const m = await i.writeMarker();
      if (!m) throw new Error(`no marker write was acknowledged by ${pair.source.clusterId}`);
      if (!(await markerShown(i.target, m, i.timeoutMs, i.signal))) {
        unshown = `the standby did not show marker ${m.pk} ver ${m.ver} of ${m.collection} within ${i.timeoutMs} ms after replication was configured`;
        throw new Error(unshown);
      }
      return { detail: { collection: m.collection, pk: m.pk, ver: m.ver } };
    });
  } catch (e) {
    // The seeding itself completed; a standby that does not replicate after it is the finding, not a
    // harness error: the step stays in the history as failed and seed-alignment fails on it.
    if (unshown === undefined || i.unshownMarker !== "judge") throw e;
    log.warn(`${unshown}: seed-alignment judges it; the drill goes on`);
  }
  return { backup, rowsSeeded };
}

const PROBE_BATCH = 200;

/**
 * Keys held more than once on `client` (count(*) over `pk in [...]` above the keys present): a replayed
 * insert hides from a query, which returns the key once, but not from count(*). Bisects only where a
 * batch counts more rows than keys, so a clean collection costs one count per batch.
 */
export async function doubledKeys(
  client: MilvusClient,
  collection: string,
  keys: Pk[],
  limit = 200,
): Promise<Pk[]> {
  const out: Pk[] = [];
  const count = async (ks: Pk[]): Promise<{ rows: number; present: number }> => {
    const filter = `${PK_FIELD} in [${ks.join(",")}]`;
    const c = await client.query({
      collection_name: collection,
      filter,
      output_fields: ["count(*)"],
      consistency_level: "Strong" as never,
      timeout: 30_000,
    });
    if (!isSuccess(c.status)) throw new Error(`count(*) on ${collection}: ${c.status.reason}`);
    const p = await client.query({
      collection_name: collection,
      filter,
      output_fields: [PK_FIELD],
      consistency_level: "Strong" as never,
      limit: ks.length * 2,
      timeout: 30_000,
    });
    if (!isSuccess(p.status)) throw new Error(`query on ${collection}: ${p.status.reason}`);
    return {
      rows: Number(c.data[0]?.["count(*)"] ?? 0),
      present: new Set(p.data.map((r) => String(r[PK_FIELD]))).size,
    };
  };
  const visit = async (ks: Pk[]): Promise<void> => {
    if (ks.length === 0 || out.length >= limit) return;
    const { rows, present } = await count(ks);
    if (rows <= present) return;
    if (ks.length === 1) {
      out.push(ks[0] as Pk);
      return;
    }
    const mid = Math.ceil(ks.length / 2);
    await visit(ks.slice(0, mid));
    await visit(ks.slice(mid));
  };
  for (let k = 0; k < keys.length; k += PROBE_BATCH) await visit(keys.slice(k, k + PROBE_BATCH));
  return out;
}
