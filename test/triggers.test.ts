/**
 * Workload triggers (issue 23): what broke CDC upstream from the workload alone. The planner's
 * trigger groups, auto-id upserts that follow the keys Milvus answers with, the history's reading of
 * an upsert that replaced its keys, and the one-line refusal of bulk import where there is no storage.
 */
import { describe, expect, it } from "vitest";
import { indexHistory, keyWrites } from "../src/checkers/history-index.js";
import { loadConfig } from "../src/config/load.js";
import { UsageError } from "../src/errors.js";
import { type PlannedWrite, WorkloadPlanner } from "../src/generator/workload.js";
import type { HistoryEvent } from "../src/history/types.js";

const cfg = loadConfig({ profile: "triggers-smoke", overrides: { seed: 3 } });

describe("triggers-smoke's trigger groups", () => {
  const p = new WorkloadPlanner(3, cfg.workload, 2);
  const steps = p.triggerGroups.flatMap((g) => g.steps.map((s) => `${s.action} ${s.collection}`));

  it("release a partition and the collection of a non-first collection; the collection is loaded again, the partition ends released", () => {
    expect(steps).toEqual([
      "create-partition drill_auto",
      "release-partitions drill_auto",
      "add-field drill_pkey",
      "add-field drill_pkey",
      "load-partitions drill_auto",
      "release drill_auto",
      "load drill_auto",
      "release-partitions drill_auto",
    ]);
    const ats = p.triggerGroups.map((g) => g.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
  });

  it("adds two fields back to back (one group) on the multi-shard collection", () => {
    const group = p.triggerGroups.find((g) => g.steps[0]?.action === "add-field");
    expect(group?.steps.map((s) => s.detail.field)).toEqual(["trig_a", "trig_b"]);
    expect(cfg.workload.collections.find((c) => c.name === "drill_pkey")?.shards).toBe(2);
  });

  it("the monitor does not probe the collection whose load state changes on purpose", () => {
    expect(p.probeKeys("drill_auto", 8, { int: () => 0 } as never)).toEqual([]);
  });

  it("rows planned after an acknowledged add-field carry it; before, they do not", () => {
    const q = new WorkloadPlanner(3, cfg.workload, 1);
    const before = q.build("insert", "drill_pkey", q.probeModel, [5]);
    expect(before.rows[0]).not.toHaveProperty("trig_a");
    expect(before.addedFields).toBeUndefined();
    const add = q.triggerGroups.find((g) => g.steps[0]?.action === "add-field")?.steps[0];
    if (!add) throw new Error("no add-field step");
    q.completeDdl(add, "ok");
    const after = q.build("upsert", "drill_pkey", q.probeModel, [5]);
    expect(after.rows[0]?.trig_a).toMatch(/^trig_a-/);
    expect(after.addedFields).toEqual(["trig_a"]);
  });
});

describe("auto-id upserts (trigger autoIdUpserts)", () => {
  it("name the key Milvus holds, carry it in the row, and follow a key Milvus replaced", () => {
    const p = new WorkloadPlanner(3, cfg.workload, 1);
    let next = 1n << 60n;
    const live = new Map<number, string>();
    let upserts = 0;
    let replaced = 0;
    const run = (op: PlannedWrite) => {
      if (op.collection !== "drill_auto") return p.complete(op, "ok");
      const model = op.modelKeys ?? [];
      if (op.kind === "insert") {
        const ids = op.rows.map(() => String(next++));
        for (const [i, m] of model.entries()) live.set(m, ids[i] as string);
        return p.complete(op, "ok", ids);
      }
      for (const [i, k] of op.keys.entries()) expect(k.pk).toBe(live.get(model[i] as number));
      if (op.kind === "delete") {
        for (const m of model) live.delete(m);
        return p.complete(op, "ok");
      }
      upserts++;
      expect(op.reassigns).toBe(true);
      for (const [i, r] of op.rows.entries()) expect(r.pk).toBe(op.keys[i]?.pk);
      // Milvus (override mode on auto_id) answers with new keys for every other upsert.
      const ids = op.keys.map((k) => (upserts % 2 === 0 ? String(next++) : k.pk));
      model.forEach((m, i) => {
        if (ids[i] !== live.get(m)) replaced++;
        live.set(m, ids[i] as string);
      });
      p.complete(op, "ok", ids);
    };
    for (const op of p.initialBatches()) run(op);
    for (let n = 0; n < 600; n++) {
      const op = p.next(0);
      if (op.f === "write") run(op);
      else p.completeDdl(op, "ok");
    }
    expect(upserts).toBeGreaterThan(0);
    expect(replaced).toBeGreaterThan(0);
  });

  it("the history reads an upsert that answered with other keys as a delete of the keys it sent", () => {
    const t = 1_000;
    const events: HistoryEvent[] = [
      {
        type: "invoke",
        id: 1,
        process: 0,
        time: t,
        value: { f: "write", kind: "upsert", collection: "a", keys: [{ pk: "11", ver: 2 }] },
      },
      { type: "ok", id: 1, process: 0, time: t + 5, keys: [{ pk: "99", ver: 2 }] },
    ];
    const idx = indexHistory(events);
    expect(keyWrites(idx, "a", "11").map((w) => [w.kind, w.outcome, w.ver])).toEqual([["delete", "ok", 2]]);
    expect(keyWrites(idx, "a", "99").map((w) => [w.kind, w.ver])).toEqual([["upsert", 2]]);
  });
});

describe("bulk import", () => {
  const load = (backend: Record<string, unknown>, workload: Record<string, unknown> = {}) => {
    try {
      return loadConfig({
        profile: "triggers-smoke",
        overrides: { backend, workload: { ...workload, triggers: { bulkImport: true } } },
      });
    } catch (e) {
      return e as Error;
    }
  };

  it("is refused in one line naming the backend where there is no object storage", () => {
    for (const [backend, why] of [
      [{ type: "local" }, /local backend \(Milvus Lite\) has no object storage/],
      [
        {
          type: "existing",
          existing: { source: { uri: "http://a:19530" }, target: { uri: "http://b:19530" } },
        },
        /existing backend is given no object storage/,
      ],
    ] as const) {
      const err = load(backend);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).toMatch(/^config workload\.triggers\.bulkImport = true: /);
      expect((err as Error).message).toMatch(/allowed on backend kind, or existing with kube\.importBucket/);
      expect((err as Error).message).not.toContain("\n");
    }
  });

  it("is allowed on kind, whose primary has its own MinIO, and on existing told the primary's bucket", () => {
    expect(load({ type: "kind" })).not.toBeInstanceOf(Error);
    const existing = (kube: Record<string, unknown> | null) =>
      load({
        type: "existing",
        existing: { source: { uri: "http://a:19530" }, target: { uri: "http://b:19530" }, kube },
      });
    expect(existing({ sourceInstance: "prod", importBucket: "prod" })).not.toBeInstanceOf(Error);
    // kube access without the bucket is still no storage.
    expect((existing({ sourceInstance: "prod" }) as Error).message).toMatch(
      /^config workload\.triggers\.bulkImport = true: the existing backend is given no object storage .*kube\.importBucket/,
    );
  });
});
