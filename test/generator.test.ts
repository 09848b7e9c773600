import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { PickSet } from "../src/generator/model.js";
import { RowFactory } from "../src/generator/rows.js";
import { CHAIN_BASE, HOT_KEY, type PlannedWrite, WorkloadPlanner } from "../src/generator/workload.js";

const smoke = loadConfig({ profile: "smoke", overrides: { seed: 7 } });

describe("rows", () => {
  it("are a pure function of (seed, collection, pk, ver)", () => {
    const spec = smoke.workload.collections[0];
    if (!spec) throw new Error("smoke has a collection");
    const a = new RowFactory(1, spec);
    const b = new RowFactory(1, spec);
    b.row(99, 9); // state from other rows must not leak into the next one
    expect(b.row(5, 2)).toEqual(a.row(5, 2));
    expect(a.row(5, 3)).not.toEqual(a.row(5, 2));
    expect(new RowFactory(2, spec).row(5, 2)).not.toEqual(a.row(5, 2));
  });

  it("are the same whether the vector is written into a caller's Float32Array or not", () => {
    const spec = smoke.workload.collections[0];
    if (!spec) throw new Error("smoke has a collection");
    const f = new RowFactory(4, spec);
    const buf = new Float32Array(spec.dim * 2);
    const viaBuffer = f.row(9, 3, buf.subarray(spec.dim));
    const plain = f.row(9, 3);
    // The row's vector is the caller's memory (the encoder copies a batch's vectors as one block)...
    expect((viaBuffer.vec as Float32Array).buffer).toBe(buf.buffer);
    expect(Array.from(buf.subarray(spec.dim))).toEqual(plain.vec);
    // ...and everything else in the row is what row() without a buffer gives.
    expect({ ...viaBuffer, vec: plain.vec }).toEqual(plain);
    expect(Array.from(buf.subarray(0, spec.dim)).every((x) => x === 0)).toBe(true);
  });

  it("keep float vectors exactly representable as float32", () => {
    const spec = smoke.workload.collections[0];
    if (!spec) throw new Error("smoke has a collection");
    const vec = new RowFactory(3, spec).row(1, 1).vec as number[];
    expect(vec).toHaveLength(spec.dim);
    for (const x of vec) expect(Math.fround(x)).toBe(x);
  });
});

describe("PickSet", () => {
  it("adds, deletes and samples distinct members", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30 }))), (steps) => {
        const s = new PickSet();
        const ref = new Set<number>();
        for (const [add, x] of steps) {
          if (add) {
            s.add(x);
            ref.add(x);
          } else {
            s.delete(x);
            ref.delete(x);
          }
        }
        expect(s.size).toBe(ref.size);
        const sample = s.sample(5, (m) => Math.floor(Math.random() * m));
        expect(new Set(sample).size).toBe(sample.length);
        for (const x of sample) expect(ref.has(x)).toBe(true);
      }),
    );
  });
});

/** Drive the planner as the runner would, with random outcomes, and check the model's promises. */
function simulate(seed: number, outcomes: Array<"ok" | "fail" | "info">, workers = 3) {
  const cfg = loadConfig({ profile: "smoke", overrides: { seed } }).workload;
  const p = new WorkloadPlanner(seed, cfg, workers);
  const ops: PlannedWrite[] = [];
  const seen: Array<"ok" | "fail" | "info"> = [];
  let i = 0;
  for (const op of p.initialBatches()) {
    p.complete(op, "ok");
    ops.push(op);
    seen.push("ok");
  }
  for (let n = 0; n < 300; n++) {
    const w = n % workers;
    const op = p.next(w);
    const outcome = outcomes[i++ % outcomes.length] ?? "ok";
    if (op.f === "write") {
      ops.push(op);
      seen.push(outcome);
      p.complete(op, outcome);
    } else p.completeDdl(op, outcome);
  }
  return { p, ops, seen };
}

describe("WorkloadPlanner", () => {
  it("never inserts a key that may exist, and versions grow per key", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(fc.constantFrom<"ok" | "fail" | "info">("ok", "ok", "ok", "fail", "info"), {
          minLength: 1,
          maxLength: 20,
        }),
        (seed, outcomes) => {
          const { ops, seen } = simulate(seed, outcomes);
          // Replay the ops with the outcomes the planner saw: track "maybe present" per key.
          const maybePresent = new Set<string>();
          const lastVer = new Map<string, number>();
          for (const [n, op] of ops.entries()) {
            const outcome = seen[n];
            for (const k of op.keys) {
              const id = `${op.collection}/${k.pk}`;
              if (op.kind === "insert")
                expect(maybePresent.has(id), `insert of ${id} that may exist`).toBe(false);
              expect(k.ver).toBeGreaterThan(lastVer.get(id) ?? 0);
              lastVer.set(id, k.ver);
              if (outcome !== "fail") {
                if (op.kind === "delete" && outcome === "ok") maybePresent.delete(id);
                else if (op.kind !== "delete") maybePresent.add(id);
              }
            }
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it("is deterministic from the seed", () => {
    const a = simulate(11, ["ok", "info", "fail"]).ops.map((o) => [o.kind, o.collection, o.keys]);
    const b = simulate(11, ["ok", "info", "fail"]).ops.map((o) => [o.kind, o.collection, o.keys]);
    expect(a).toEqual(b);
  });

  it("keeps each key in one partition and gives workers disjoint keys", () => {
    const { ops } = simulate(5, ["ok"], 3);
    const part = new Map<string, string | undefined>();
    for (const op of ops) {
      for (const k of op.keys) {
        const id = `${op.collection}/${k.pk}`;
        if (part.has(id)) expect(part.get(id)).toBe(op.partition);
        part.set(id, op.partition);
      }
    }
    expect([...part.values()].some((p) => p !== undefined)).toBe(true);
  });

  it("plans the ordering probes: a hot key upserted in sequence, a chain inserted then deleted", () => {
    const cfg = loadConfig({ profile: "smoke", overrides: { seed: 1 } }).workload;
    const p = new WorkloadPlanner(1, cfg, 2);
    const probes = p.probeOps().map((f) => f());
    const hot = probes.filter((o) => o.keys[0]?.pk === String(HOT_KEY));
    expect(hot).toHaveLength(cfg.hotKeyUpserts);
    expect(hot[0]?.kind).toBe("insert");
    expect(hot.map((o) => o.keys[0]?.ver)).toEqual(hot.map((_, i) => i + 1));
    const chain = probes.filter((o) => Number(o.keys[0]?.pk) >= CHAIN_BASE);
    expect(chain.slice(0, cfg.chainLength).every((o) => o.kind === "insert")).toBe(true);
    expect(chain.slice(cfg.chainLength).every((o) => o.kind === "delete")).toBe(true);
  });
});

describe("WorkloadPlanner on an auto-id collection", () => {
  it("sends rows without keys, learns Milvus's keys from the answer, deletes only those, never upserts", () => {
    const base = loadConfig({ profile: "default", overrides: { seed: 7 } }).workload;
    const auto = base.collections.find((c) => c.autoId);
    expect(auto).toBeDefined();
    const cfg = { ...base, collections: [base.collections[0], auto] as typeof base.collections };
    const p = new WorkloadPlanner(7, cfg, 2);
    let next = 1n << 60n;
    const real = new Set<string>();
    const unknown = new Set<string>();
    let deletes = 0;
    let i = 0;
    const run = (op: PlannedWrite) => {
      if (op.collection !== auto?.name) return p.complete(op, "ok");
      if (op.kind === "insert") {
        expect(op.autoId).toBe(true);
        for (const r of op.rows) expect(r).not.toHaveProperty("pk");
        // Every fifth insert has an unknown outcome: its keys were never named, so never deleted.
        if (i++ % 5 === 4) {
          for (const k of op.keys) unknown.add(k.pk);
          return p.complete(op, "info");
        }
        const ids = op.rows.map(() => String(next++));
        for (const id of ids) real.add(id);
        return p.complete(op, "ok", ids);
      }
      expect(op.kind).toBe("delete");
      deletes++;
      for (const k of op.keys) {
        expect(real.has(k.pk)).toBe(true);
        real.delete(k.pk);
      }
      p.complete(op, "ok");
    };
    for (const op of p.initialBatches()) run(op);
    for (let n = 0; n < 400; n++) {
      const op = p.next(n % 2);
      if (op.f === "write") run(op);
      else p.completeDdl(op, "ok");
    }
    expect(deletes).toBeGreaterThan(0);
    expect(unknown.size).toBeGreaterThan(0);
  });
});
