import type { DrillConfig } from "../config/schema.js";
import type { DdlAction, KeyVer, WriteKind } from "../history/types.js";
import { KeyModel, type KeyStateKind } from "./model.js";
import { mixSeed, Rng } from "./prng.js";
import { SETTLE_KEY } from "./reserved.js";
import { type CollectionSpec, PK_FIELD, RowFactory, type RowValue } from "./rows.js";

/** pk regions: main keys from 1; partition i's keys from (i+1)*PARTITION_REGION; probes and scratch apart. */
export const PARTITION_REGION = 100_000_000;
export const HOT_KEY = 900_000_000;
export const CHAIN_BASE = 900_000_100;
/** Short-lived keys: inserted and deleted right after, the pattern a reordering bug turns into zombies. */
export const EPHEMERAL_BASE = 900_010_000;
export const SCRATCH_BASE = 950_000_000;
/** Rows of the bulk-import trigger: fresh keys no worker draws from. */
export const IMPORT_BASE = 960_000_000;
/** Cold keys: written once before the stream and never touched again, like most data at rest. */
export const COLD_BASE = 800_000_000;
export { SETTLE_KEY };
/** The key the standby-write probe tries to insert on the standby: never written on the primary. */
export const STANDBY_PROBE_KEY = 990_000_000;

export interface PlannedWrite {
  f: "write";
  kind: WriteKind;
  collection: string;
  partition?: string;
  keys: KeyVer[];
  /** Rows to send (insert/upsert); regenerated from (seed, pk, ver). */
  rows: RowValue[];
  /**
   * An insert into an auto-id collection: `keys` are the model's own keys (they seed the rows, which
   * carry no primary key); Milvus assigns the real ones, which complete() learns from the answer.
   */
  autoId?: boolean;
  /** Auto-id collections: the model's key of each entry of `keys` (which name Milvus's keys). */
  modelKeys?: number[];
  /**
   * An upsert into an auto-id collection (trigger autoIdUpserts): `keys` name the keys Milvus holds
   * now, and Milvus answers with the keys the rows keep, which may be new ones (upsert in override
   * mode generates a new key on auto_id; milvus-io/milvus#51667 is where the two sides disagreed).
   */
  reassigns?: boolean;
  /** Fields added to the collection mid-drill that these rows carry (nullable: the SDK sends them). */
  addedFields?: string[];
  /** Sent as a bulk import (trigger bulkImport): the rows go into an import file, not an insert call. */
  viaImport?: boolean;
  /** Completion callback target: the model that owns these keys and their states before the op. */
  model: KeyModel;
  priors: Array<KeyStateKind | null>;
}

export interface PlannedDdl {
  f: "ddl";
  action: DdlAction;
  collection: string;
  detail: Record<string, unknown>;
  /**
   * Steps the same worker runs right after this one succeeds (a new collection is indexed, loaded and
   * written at once), so a run never ends with a half-built collection that cannot be compared.
   */
  followUps?: PlannedOp[];
}

export type PlannedOp = PlannedWrite | PlannedDdl;

/** Steps run back to back at one point of the workload (e.g. the two add-field in a row). */
export interface TriggerGroup {
  /** Fraction of the workload's progress at which the group runs. */
  at: number;
  steps: PlannedDdl[];
}

type Mix = DrillConfig["workload"]["mix"];
const KINDS = ["insert", "upsert", "delete", "reinsert", "ddl"] as const;

/**
 * Plans the workload: deterministic from the seed. Each worker owns the keys pk ≡ worker (mod workers),
 * so no two in-flight ops touch the same key and per-key versions follow invoke order.
 */
export class WorkloadPlanner {
  readonly factories = new Map<string, RowFactory>();
  /** One model per (collection, partition, worker). */
  private readonly models = new Map<string, KeyModel>();
  private readonly nextFresh = new Map<string, number>();
  private readonly rngs: Rng[];
  private readonly ddlSteps: PlannedDdl[];
  private ddlIndex = 0;
  /** Partitions whose creation was acknowledged: writes may go there now. */
  readonly readyPartitions = new Map<string, string[]>();
  /** Recently acknowledged keys per collection, for the monitor's standby probes (bounded). */
  readonly recent = new Map<string, number[]>();
  readonly scratchName: string;
  readonly probeModel = new KeyModel();
  readonly scratchModel = new KeyModel();
  /** Auto-id collections: the model's key -> the key Milvus assigned to it. */
  private readonly assigned = new Map<string, Map<number, string>>();

  constructor(
    seed: number,
    private readonly cfg: DrillConfig["workload"],
    readonly workers: number,
  ) {
    for (const spec of cfg.collections) {
      this.factories.set(spec.name, new RowFactory(seed, spec));
      this.readyPartitions.set(spec.name, []);
      if (spec.autoId) this.assigned.set(spec.name, new Map());
    }
    this.rngs = Array.from({ length: workers + 1 }, (_, w) => new Rng(mixSeed(seed, 0xc0ffee, w)));
    const first = cfg.collections[0] as CollectionSpec;
    this.scratchName = `${first.name}_scratch`;
    this.factories.set(this.scratchName, new RowFactory(seed, { ...first, name: this.scratchName }));
    this.ddlSteps = this.planDdl(first);
    this.triggerGroups = this.planTriggers();
    if (cfg.triggers?.bulkImport) {
      // An auto-id collection's imported rows get keys nobody told the drill (the import answers with
      // none): the import goes into one whose keys the drill chooses (the first is never auto-id:
      // validate.ts), preferably one the per-channel prefix check covers too (one shard, no partition
      // key), another than the first if there is one.
      const order = [...cfg.collections.slice(1), first];
      const target =
        order.find((c) => !c.autoId && !c.partitionKey && (c.shards ?? 1) === 1) ??
        order.find((c) => !c.autoId);
      if (target)
        this.importPlan = { at: 0.5, collection: target.name, rows: Math.max(50, 4 * cfg.batchSize) };
    }
  }

  /** Trigger groups, in the order they run (see TriggerGroup). */
  readonly triggerGroups: TriggerGroup[];
  /**
   * Trigger bulkImport: the fraction of the workload's progress at which the rows are imported, and
   * into which collection (null: no import planned). See importBatch.
   */
  readonly importPlan: { at: number; collection: string; rows: number } | null = null;
  readonly importModel = new KeyModel();
  /** Collections the monitor does not probe: their load state changes under its reads on purpose. */
  private readonly unprobed = new Set<string>();

  /**
   * Workload triggers (issue 23; docs/upstream-bugs.md): what broke CDC upstream with no fault at all.
   * Load/release acts on a collection other than the first (which carries the ordering probes), an
   * auto-id one if there is one; add-field twice in a row on a multi-shard one if there is one.
   * The collection's release is followed by its load; the partition is released, loaded and released
   * again, so the run ends with a released partition whose load state (and rows) parity compares.
   */
  private planTriggers(): TriggerGroup[] {
    const t = this.cfg.triggers;
    const rest = this.cfg.collections.slice(1);
    const groups: TriggerGroup[] = [];
    const ddl = (action: PlannedDdl["action"], collection: string, detail: Record<string, unknown>) => ({
      f: "ddl" as const,
      action,
      collection,
      detail: { trigger: action === "add-field" ? "add-field" : "load-release", ...detail },
    });
    if (t?.loadRelease) {
      const target = rest.find((c) => c.autoId) ?? (rest[rest.length - 1] as CollectionSpec);
      this.unprobed.add(target.name);
      // A partition-key collection has no partition of its own to release: the collection-level pair only.
      if (!target.partitionKey) {
        groups.push({ at: 0.1, steps: [ddl("create-partition", target.name, { partition: "p1" })] });
        groups.push({ at: 0.2, steps: [ddl("release-partitions", target.name, { partitions: ["p1"] })] });
        groups.push({ at: 0.45, steps: [ddl("load-partitions", target.name, { partitions: ["p1"] })] });
        groups.push({ at: 0.9, steps: [ddl("release-partitions", target.name, { partitions: ["p1"] })] });
      }
      groups.push({ at: 0.6, steps: [ddl("release", target.name, {})] });
      groups.push({ at: 0.75, steps: [ddl("load", target.name, {})] });
    }
    if (t?.addField) {
      const target = rest.find((c) => (c.shards ?? 1) > 1) ?? (rest[0] as CollectionSpec);
      groups.push({
        at: 0.35,
        steps: [
          ddl("add-field", target.name, { field: "trig_a" }),
          ddl("add-field", target.name, { field: "trig_b" }),
        ],
      });
    }
    return groups.sort((a, b) => a.at - b.at);
  }

  get mainCollections(): CollectionSpec[] {
    return this.cfg.collections;
  }

  /** DDL during the stream: partitions, an alias, a second collection with writes, an index, a drop. */
  private planDdl(first: CollectionSpec): PlannedDdl[] {
    const steps: PlannedDdl[] = [];
    for (let i = 1; i <= first.partitions; i++) {
      steps.push({
        f: "ddl",
        action: "create-partition",
        collection: first.name,
        detail: { partition: `p${i}` },
      });
    }
    steps.push({
      f: "ddl",
      action: "create-alias",
      collection: first.name,
      detail: { alias: `${first.name}_alias` },
    });
    steps.push({
      f: "ddl",
      action: "create-collection",
      collection: this.scratchName,
      detail: {},
      followUps: [
        { f: "ddl", action: "create-index", collection: this.scratchName, detail: { field: "vec" } },
        { f: "ddl", action: "load", collection: this.scratchName, detail: {} },
        // Planned lazily by the runner (scratchInsert) so the rows get versions when they are sent.
      ],
    });
    steps.push({
      f: "ddl",
      action: "create-index",
      collection: first.name,
      detail: { field: "category", indexType: "INVERTED" },
    });
    steps.push({ f: "ddl", action: "flush", collection: first.name, detail: {} });
    if (this.cfg.dropCollection)
      steps.push({ f: "ddl", action: "drop-collection", collection: this.scratchName, detail: {} });
    return steps;
  }

  /** Initial rows: fresh inserts before the stream, split in batches, all by worker 0's planner. */
  initialBatches(): PlannedWrite[] {
    const out: PlannedWrite[] = [];
    for (const spec of this.cfg.collections) {
      // The first half is cold: in a model no worker draws from, so those rows keep their first
      // version and any damage done to them in transit stays visible at the end.
      const cold = Math.ceil(this.cfg.initialRows / 2);
      const coldModel = new KeyModel();
      for (let i = 0; i < cold; i += this.cfg.batchSize) {
        const pks = Array.from(
          { length: Math.min(this.cfg.batchSize, cold - i) },
          (_, j) => COLD_BASE + i + j,
        );
        out.push(this.build("insert", spec.name, coldModel, pks));
      }
      let left = this.cfg.initialRows - cold;
      let w = 0;
      while (left > 0) {
        const n = Math.min(left, this.cfg.batchSize);
        const op = this.freshInsert(w, spec.name, n);
        if (!op) break;
        out.push(op);
        left -= op.keys.length;
        w = (w + 1) % this.workers;
      }
    }
    return out;
  }

  /** The next op of worker w; null when this worker has nothing it can do (should not happen). */
  next(w: number): PlannedOp {
    const rng = this.rngs[w] as Rng;
    const weights = KINDS.map((k) => this.cfg.mix[k as keyof Mix]);
    for (let attempt = 0; attempt < 8; attempt++) {
      const kind = KINDS[rng.weighted(weights)];
      if (kind === "ddl") {
        const step = this.ddlSteps[this.ddlIndex];
        if (step) {
          this.ddlIndex++;
          return step;
        }
        continue;
      }
      const spec = rng.pick(this.cfg.collections);
      const op = this.write(w, spec.name, kind as "insert" | "upsert" | "delete" | "reinsert", rng);
      if (op) return op;
    }
    // Everything else was impossible (e.g. key space used up): upserts are always possible once a key exists.
    const spec = this.cfg.collections[0] as CollectionSpec;
    return (
      this.write(w, spec.name, "upsert", rng) ??
      this.write(w, spec.name, "insert", rng) ??
      (this.freshInsert(w, spec.name, 1, true) as PlannedWrite)
    );
  }

  private write(
    w: number,
    collection: string,
    kind: "insert" | "upsert" | "delete" | "reinsert",
    rng: Rng,
  ): PlannedWrite | null {
    // A key lives in one partition for its whole life, so every write to it names the same partition.
    const parts = this.readyPartitions.get(collection) ?? [];
    const partition = parts.length > 0 && rng.float() < 0.3 ? rng.pick(parts) : undefined;
    const model = this.modelOf(collection, w, partition);
    const batch = this.cfg.batchSize;
    // Auto-id: a re-insert makes a new key, so none is planned; an upsert may reassign the key, so it is
    // planned only with the autoIdUpserts trigger, which follows the keys Milvus answers with.
    if (this.assigned.has(collection) && kind === "reinsert") return null;
    if (this.assigned.has(collection) && kind === "upsert" && !this.cfg.triggers?.autoIdUpserts) return null;
    switch (kind) {
      case "insert":
        return this.freshInsert(w, collection, batch, false, partition);
      case "upsert":
      case "delete": {
        const n = kind === "delete" ? Math.max(1, Math.ceil(batch / 4)) : batch;
        const pks = model.live.sample(n, (m) => rng.int(m));
        if (pks.length === 0) return null;
        return this.build(kind, collection, model, pks, partition);
      }
      case "reinsert": {
        const pks = model.deleted.sample(Math.max(1, Math.ceil(batch / 4)), (m) => rng.int(m));
        if (pks.length === 0) return null;
        return this.build("insert", collection, model, pks, partition);
      }
    }
  }

  private freshInsert(
    w: number,
    collection: string,
    n: number,
    force = false,
    partition?: string,
  ): PlannedWrite | null {
    const model = this.modelOf(collection, w, partition);
    const region = partition ? (Number(partition.slice(1)) as number) * PARTITION_REGION : 0;
    const counterKey = `${collection}/${partition ?? ""}/${w}`;
    const perWorker = Math.max(1, Math.floor(this.cfg.keySpace / this.workers));
    const pks: number[] = [];
    let next = this.nextFresh.get(counterKey) ?? 0;
    while (pks.length < n && (next < perWorker || force)) {
      pks.push(region + 1 + w + this.workers * next);
      next++;
    }
    this.nextFresh.set(counterKey, next);
    if (pks.length === 0) return null;
    return this.build("insert", collection, model, pks, partition);
  }

  /** Builds a write on keys of one model: hands out versions, claims the keys, renders rows. */
  build(
    kind: WriteKind,
    collection: string,
    model: KeyModel,
    pks: number[],
    partition?: string,
  ): PlannedWrite {
    const factory = this.factories.get(collection) as RowFactory;
    const assigned = this.assigned.get(collection);
    const keys: KeyVer[] = [];
    const rows: RowValue[] = [];
    const priors: Array<KeyStateKind | null> = [];
    // One buffer for the batch's float vectors: a boxed array per row made most of the garbage.
    const dim = kind === "delete" ? 0 : factory.floatVectors;
    const vectors = dim > 0 ? new Float32Array(pks.length * dim) : undefined;
    for (const [i, pk] of pks.entries()) {
      const existing = model.get(pk);
      priors.push(existing ? existing.state : null);
      const ver = model.nextVersion(pk, partition);
      model.claim(pk);
      // An auto-id delete or upsert names the key Milvus assigned; only keys with a known one are live.
      const real = kind !== "insert" ? assigned?.get(pk) : undefined;
      keys.push({ pk: real ?? String(pk), ver });
      if (kind === "delete") continue;
      const row = factory.row(pk, ver, vectors?.subarray(i * dim, (i + 1) * dim));
      if (assigned) {
        delete row[PK_FIELD];
        // An upsert carries the key it replaces (a 64-bit id, sent as its decimal string).
        if (real !== undefined) row[PK_FIELD] = real;
      }
      rows.push(row);
    }
    const op: PlannedWrite = { f: "write", kind, collection, partition, keys, rows, model, priors };
    if (assigned) {
      op.modelKeys = pks;
      if (kind === "insert") op.autoId = true;
      if (kind === "upsert") op.reassigns = true;
    }
    if (kind !== "delete" && factory.added.length > 0) op.addedFields = [...factory.added];
    return op;
  }

  /**
   * Apply a write's outcome to the model (and remember acknowledged keys for standby probes).
   * `assignedKeys`: for an auto-id insert, the keys Milvus answered with, in row order.
   */
  complete(op: PlannedWrite, outcome: "ok" | "fail" | "info", assignedKeys?: string[]): void {
    const assigned = this.assigned.get(op.collection);
    op.keys.forEach((_, i) => {
      const pk = op.modelKeys?.[i] ?? Number(op.keys[i]?.pk);
      op.model.complete(pk, op.kind, outcome, op.priors[i] ?? null);
      if (!assigned) return;
      const real = assignedKeys?.[i];
      if (op.reassigns) {
        // The key the row keeps now (Milvus may have replaced it); a lost answer leaves it unknown.
        if (outcome === "ok" && real !== undefined) assigned.set(pk, real);
        else if (outcome !== "fail") op.model.claim(pk);
        return;
      }
      if (op.autoId && outcome === "ok" && real !== undefined) assigned.set(pk, real);
      // A key Milvus never named cannot be deleted by the drill: keep it out of every pick.
      else if (op.autoId || op.kind === "delete") op.model.claim(pk);
      if (op.kind === "delete" && outcome === "ok") assigned.delete(pk);
    });
    // Auto-id keys are not numbers a probe query could carry exactly (64-bit): the monitor skips them.
    if (outcome === "ok" && op.model !== this.probeModel && !assigned) {
      const ring = this.recent.get(op.collection) ?? [];
      for (const k of op.keys) ring.push(Number(k.pk));
      if (ring.length > 512) ring.splice(0, ring.length - 512);
      this.recent.set(op.collection, ring);
    }
  }

  completeDdl(op: PlannedDdl, outcome: "ok" | "fail" | "info"): void {
    if (op.action === "create-partition" && outcome === "ok") {
      this.readyPartitions.get(op.collection)?.push(String(op.detail.partition));
    }
    // Rows planned from now on carry the new field (an add whose outcome is unknown adds nothing here:
    // rows without it are valid either way, as it is nullable).
    if (op.action === "add-field" && outcome === "ok")
      this.factories.get(op.collection)?.added.push(String(op.detail.field));
  }

  /**
   * Ordering probes, all on the first collection (one channel): a hot key upserted many times in
   * sequence, short-lived keys deleted right after their insert, and a chain of keys inserted one by
   * one and then deleted one by one.
   */
  probeOps(): Array<() => PlannedWrite> {
    const first = this.cfg.collections[0] as CollectionSpec;
    const m = this.probeModel;
    const ops: Array<() => PlannedWrite> = [];
    if (this.cfg.hotKeyUpserts === 0 && this.cfg.chainLength === 0) return ops;
    const hot: Array<() => PlannedWrite> = [];
    for (let i = 0; i < this.cfg.hotKeyUpserts; i++) {
      hot.push(() => this.build(i === 0 ? "insert" : "upsert", first.name, m, [HOT_KEY]));
    }
    const chain: Array<() => PlannedWrite> = [];
    for (let i = 0; i < this.cfg.chainLength; i++)
      chain.push(() => this.build("insert", first.name, m, [CHAIN_BASE + i]));
    for (let i = 0; i < this.cfg.chainLength; i++)
      chain.push(() => this.build("delete", first.name, m, [CHAIN_BASE + i]));
    // Interleave so both probes are spread over the whole run.
    const total = hot.length + chain.length;
    let h = 0;
    let c = 0;
    for (let i = 0; i < total; i++) {
      const wantHot = h < hot.length && (c >= chain.length || h * chain.length <= c * hot.length);
      ops.push(wantHot ? (hot[h++] as () => PlannedWrite) : (chain[c++] as () => PlannedWrite));
    }
    return ops;
  }

  /** Keys the monitor reads on the standby: the probes plus a sample of recently acknowledged keys. */
  probeKeys(collection: string, n: number, rng: Rng): number[] {
    // A collection released on purpose answers no read (or, partly released, only some): not probed.
    if (this.unprobed.has(collection)) return [];
    const keys = new Set<number>();
    const first = this.cfg.collections[0] as CollectionSpec;
    if (collection === first.name) {
      keys.add(HOT_KEY);
      for (let i = 0; i < this.cfg.chainLength; i++) keys.add(CHAIN_BASE + i);
    }
    const ring = this.recent.get(collection) ?? [];
    for (let i = 0; i < n && ring.length > 0; i++)
      keys.add(ring[ring.length - 1 - rng.int(Math.min(ring.length, 256))] as number);
    return [...keys];
  }

  /**
   * After a failover the new primary may lack writes the old one acknowledged, so the model's idea of
   * a key can be wrong: every key whose state `reads` (what the new primary holds) contradicts becomes
   * uncertain, a target for upsert and delete but never for a re-insert (which would duplicate a row
   * the model believed deleted). Returns how many keys it touched.
   */
  distrust(collection: string, reads: ReadonlyArray<{ pk: string; ver: number | null }>): number {
    const models = [...this.models.entries()]
      .filter(([id]) => id.startsWith(`${collection}/`))
      .map(([, m]) => m);
    if (collection === this.scratchName) models.push(this.scratchModel);
    if (collection === this.importPlan?.collection) models.push(this.importModel);
    const settle = this.settleModels.get(collection);
    if (settle) models.push(settle);
    if (collection === this.cfg.collections[0]?.name) models.push(this.probeModel);
    let n = 0;
    for (const r of reads) {
      const pk = Number(r.pk);
      for (const m of models) {
        const k = m.get(pk);
        if (!k) continue;
        const wrong = r.ver === null ? k.state !== "deleted" : k.state === "deleted" || r.ver < k.ver;
        if (!wrong || k.state === "uncertain") continue;
        k.state = "uncertain";
        m.deleted.delete(pk);
        m.live.add(pk);
        n += 1;
      }
    }
    return n;
  }

  private modelOf(collection: string, w: number, partition?: string): KeyModel {
    if (collection === this.scratchName) return this.scratchModel;
    const id = `${collection}/${partition ?? ""}/${w}`;
    let m = this.models.get(id);
    if (!m) {
      m = new KeyModel();
      this.models.set(id, m);
    }
    return m;
  }

  /**
   * A marker row written into a collection after the workload (see SETTLE_KEY); into an auto-id
   * collection it is an insert, and the marker is the key Milvus assigns.
   */
  settleMarker(collection: string): PlannedWrite {
    let m = this.settleModels.get(collection);
    if (!m) {
      m = new KeyModel();
      this.settleModels.set(collection, m);
    }
    return this.build(this.assigned.has(collection) ? "insert" : "upsert", collection, m, [SETTLE_KEY]);
  }
  private readonly settleModels = new Map<string, KeyModel>();

  /**
   * The bulk-import trigger's rows: fresh keys of their own model, rendered by the seeded row factory
   * like any insert, recorded as an insert whose outcome is the import job's (see WorkloadRunner).
   */
  importBatch(): PlannedWrite | null {
    const plan = this.importPlan;
    if (!plan) return null;
    const pks = Array.from({ length: plan.rows }, (_, i) => IMPORT_BASE + i);
    const op = this.build("insert", plan.collection, this.importModel, pks);
    op.viaImport = true;
    return op;
  }

  /** A few fresh rows for the scratch collection, written right after it is created and loaded. */
  scratchInsert(n: number): PlannedWrite {
    const pks = Array.from({ length: n }, (_, i) => SCRATCH_BASE + i);
    return this.build("insert", this.scratchName, this.scratchModel, pks);
  }
}
