/**
 * The reference replicator between two real Milvus Lite clusters (the local lab): exactly-once under
 * repeated SIGKILLs, and each fault mode leaving the damage it stands for on the standby.
 */
import { join } from "node:path";
import { DataType, type MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterEach, describe, expect, it } from "vitest";
import { flipLowestMantissaBit, type LocalFaultMode } from "../src/backends/local/faults/faults.js";
import { type Lab, startLab } from "../src/backends/local/lab.js";
import { readWholeWal } from "../src/backends/local/wal/wal-reader.js";
import { clientFor, getReplicateInfo } from "../src/milvus/replicate.js";
import { alive, waitFor } from "./helpers/wait.js";

const DIM = 4;
let lab: Lab | undefined;
const clients: MilvusClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.closeConnection().catch(() => {})));
  const pids = lab?.pids() ?? [];
  await lab?.stop();
  lab = undefined;
  // Nothing the lab started may outlive it.
  await waitFor("every lab process to exit", () => pids.every((p) => !alive(p)), 10_000);
});

async function open(
  opts: Parameters<typeof startLab>[0],
): Promise<{ lab: Lab; p: MilvusClient; s: MilvusClient }> {
  lab = await startLab({ replicate: true, pchannels: 4, restartDelayMs: 100, ...opts });
  const p = clientFor(lab.source);
  const s = clientFor(lab.target);
  clients.push(p, s);
  return { lab, p, s };
}

function ok(
  r: {
    error_code?: string | number;
    status?: { error_code?: string | number; reason?: string };
    reason?: string;
  },
  what: string,
): void {
  const st = r.status ?? r;
  if (st.error_code !== "Success" && st.error_code !== 0)
    throw new Error(`${what}: ${st.error_code} ${st.reason}`);
}

async function createCollection(p: MilvusClient, name: string): Promise<void> {
  ok(
    await p.createCollection({
      collection_name: name,
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "ver", data_type: DataType.Int64 },
        { name: "vec", data_type: DataType.FloatVector, dim: DIM },
      ],
    }),
    `create ${name}`,
  );
  ok(
    await p.createIndex({ collection_name: name, field_name: "vec", index_type: "FLAT", metric_type: "L2" }),
    "index",
  );
  ok(await p.loadCollection({ collection_name: name }), "load");
}

/** Row content is a pure function of (pk, ver), so any side can be checked against the model. */
function row(pk: number, ver: number) {
  return {
    pk,
    ver,
    vec: Array.from({ length: DIM }, (_, i) => Math.fround(((pk * 31 + ver * 7 + i) % 97) / 97)),
  };
}

type Rows = Map<number, { ver: number; vec: number[] }>;

async function scan(c: MilvusClient, name: string): Promise<{ rows: Rows; count: number }> {
  const q = await c.query({
    collection_name: name,
    filter: "pk >= 0",
    output_fields: ["pk", "ver", "vec"],
    limit: 16384,
  });
  ok(q, `query ${name}`);
  const rows: Rows = new Map();
  for (const r of q.data as Array<{ pk: string | number; ver: string | number; vec: number[] }>)
    rows.set(Number(r.pk), { ver: Number(r.ver), vec: r.vec });
  return { rows, count: await count(c, name) };
}

async function count(c: MilvusClient, name: string): Promise<number> {
  const q = await c.query({ collection_name: name, filter: "", output_fields: ["count(*)"] });
  ok(q, `count ${name}`);
  return Number((q.data[0] as Record<string, unknown>)["count(*)"]);
}

/**
 * Waits until the standby's checkpoint on every channel is the last entry of the primary's log (taken
 * when called: the writes are done by then). One client for every poll: a client per call costs more
 * CPU than the replication it waits for.
 */
async function caughtUp(l: Lab, s: MilvusClient, timeoutMs = 60_000): Promise<void> {
  const want = await Promise.all(
    l.source.pchannels.map(
      async (ch) => (await readWholeWal(join(l.dirs.source.wal, `${ch}.log`))).at(-1)?.tt,
    ),
  );
  await waitFor(
    "the standby's checkpoints to reach the end of the primary's log",
    async () => {
      for (const [i, tt] of want.entries()) {
        if (tt === undefined) continue;
        const info = await getReplicateInfo(s, l.source.clusterId, l.target.pchannels[i] as string, 5000);
        if (info.timeTick !== tt) return false;
      }
      return true;
    },
    timeoutMs,
  );
}

async function insert(p: MilvusClient, name: string, rows: ReturnType<typeof row>[]): Promise<void> {
  ok(await p.insert({ collection_name: name, data: rows }), `insert ${name}`);
}

describe("reference replicator between two Milvus Lite clusters", () => {
  it("is exactly-once under repeated SIGKILLs at random instants (10k rows, upserts, deletes)", async () => {
    const { lab: l, p, s } = await open({});
    const names = ["ka", "kb"];
    for (const n of names) await createCollection(p, n);
    const model = new Map<string, Map<number, number>>(names.map((n) => [n, new Map()]));
    let writing = true;
    let inserted = 0;
    const writer = (async () => {
      let next = 0;
      let b = 0;
      while (inserted < 10_000) {
        const name = names[b++ % names.length] as string;
        const m = model.get(name) as Map<number, number>;
        const rows = Array.from({ length: 25 }, () => row(next++, 1));
        await insert(p, name, rows);
        for (const r of rows) m.set(r.pk, 1);
        inserted += rows.length;
        if (b % 4 === 0) {
          const keys = [...m.keys()].slice(-40, -20);
          ok(
            await p.upsert({
              collection_name: name,
              data: keys.map((k) => row(k, (m.get(k) as number) + 1)),
            }),
            "upsert",
          );
          for (const k of keys) m.set(k, (m.get(k) as number) + 1);
        }
        if (b % 7 === 0) {
          const gone = [...m.keys()].slice(-60, -50);
          ok(await p.delete({ collection_name: name, filter: `pk in [${gone.join(",")}]` }), "delete");
          for (const k of gone) m.delete(k);
        }
        await new Promise((r) => setTimeout(r, 15));
      }
      writing = false;
    })();
    const kills: number[] = [];
    while (writing || kills.length < 5) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 400));
      const before = l.replicatorPid;
      const { killedAt, restartedAt } = await l.killReplicator();
      kills.push(restartedAt - killedAt);
      expect(l.replicatorPid).not.toBe(before);
    }
    await writer;
    const t0 = Date.now();
    await caughtUp(l, s, 120_000);
    const catchUpMs = Date.now() - t0;
    for (const name of names) {
      const a = await scan(p, name);
      const b = await scan(s, name);
      const m = model.get(name) as Map<number, number>;
      expect([...a.rows.keys()].sort((x, y) => x - y)).toEqual([...m.keys()].sort((x, y) => x - y));
      expect(b.rows).toEqual(a.rows);
      for (const [k, v] of m) expect(b.rows.get(k)).toEqual({ ver: v, vec: row(k, v).vec });
      expect(b.count).toBe(b.rows.size);
      expect(a.count).toBe(a.rows.size);
    }
    expect(l.restarts.length).toBeGreaterThanOrEqual(5);
    // The backlog each kill leaves arrives as batches: the kills landed among multi-message batches,
    // each applied under one checkpoint write.
    const batching = l.fronts.target.replicateApplyStats();
    expect(batching.largestRun).toBeGreaterThan(1);
    console.log(
      `exactly-once: ${inserted} rows, ${kills.length} kills (kill->ready ms ${kills.join(",")}), catch-up ${catchUpMs} ms, ` +
        `${batching.messages} messages applied in ${batching.runs} batches (largest ${batching.largestRun})`,
    );
  }, 300_000);

  /** Each mode: the workload that exposes it, and the damage it must leave on the standby. */
  const table: Array<{
    mode: LocalFaultMode;
    every?: number;
    restartDelayMs?: number;
    run: (ctx: Ctx) => Promise<void>;
  }> = [
    {
      mode: "none",
      run: async ({ p, s, l }) => {
        await createCollection(p, "c");
        for (let b = 0; b < 10; b++)
          await insert(
            p,
            "c",
            Array.from({ length: 10 }, (_, i) => row(b * 10 + i, 1)),
          );
        ok(await p.delete({ collection_name: "c", filter: "pk in [3,4]" }), "delete");
        await l.killReplicator();
        await insert(p, "c", [row(500, 1)]);
        await caughtUp(l, s);
        const [a, b] = [await scan(p, "c"), await scan(s, "c")];
        expect(b.rows).toEqual(a.rows);
        expect(b.count).toBe(b.rows.size);
      },
    },
    {
      mode: "drop",
      every: 5,
      run: async ({ p, s, l }) => {
        await createCollection(p, "c");
        // 21 requests, so the last one (which moves the checkpoint to the log's end) is not dropped.
        for (let b = 0; b < 21; b++)
          await insert(
            p,
            "c",
            Array.from({ length: 5 }, (_, i) => row(b * 5 + i, 1)),
          );
        await caughtUp(l, s);
        const [a, b] = [await scan(p, "c"), await scan(s, "c")];
        const lost = [...a.rows.keys()].filter((k) => !b.rows.has(k));
        // 1 in 5 insert requests of 5 rows each: 4 requests, 20 rows.
        expect(a.rows.size).toBe(105);
        expect([...b.rows.keys()].every((k) => a.rows.has(k))).toBe(true);
        expect(lost.length).toBe(20);
      },
    },
    {
      mode: "duplicate-on-restart",
      run: async (ctx) => {
        await restartDuplicates(ctx);
      },
    },
    {
      mode: "stale-checkpoint",
      run: async (ctx) => {
        await restartDuplicates(ctx);
      },
    },
    {
      mode: "reorder",
      run: async ({ p, s, l }) => {
        await createCollection(p, "c");
        await insert(p, "c", [row(1, 1), row(2, 1)]);
        ok(await p.delete({ collection_name: "c", filter: "pk in [1]" }), "delete");
        await insert(p, "c", [row(3, 1)]);
        await caughtUp(l, s);
        const [a, b] = [await scan(p, "c"), await scan(s, "c")];
        expect(a.rows.has(1)).toBe(false);
        // The zombie: deleted on the primary, present on the standby.
        expect(b.rows.has(1)).toBe(true);
      },
    },
    {
      mode: "skip-on-restart",
      // Long enough that the writes below land while it is down, even on a loaded machine.
      restartDelayMs: 3000,
      run: async ({ p, s, l }) => {
        await createCollection(p, "c");
        await insert(p, "c", [row(1, 1)]);
        await caughtUp(l, s);
        const killed = l.killReplicator();
        // Written while the replicator is down (restart delay 3 s).
        await insert(p, "c", [row(2, 1), row(3, 1)]);
        await killed;
        await insert(p, "c", [row(4, 1)]);
        await caughtUp(l, s);
        const b = await scan(s, "c");
        expect([...b.rows.keys()].sort()).toEqual([1, 4]);
      },
    },
    {
      mode: "drop-ddl",
      run: async ({ p, s, l }) => {
        await createCollection(p, "c");
        ok(await p.createPartition({ collection_name: "c", partition_name: "p1" }), "partition");
        ok(await p.createAlias({ collection_name: "c", alias: "a1" }), "alias");
        await insert(p, "c", [row(1, 1)]);
        await caughtUp(l, s);
        const parts = async (c: MilvusClient) =>
          ((await c.showPartitions({ collection_name: "c" })).partition_names ?? []).includes("p1");
        expect(await parts(p)).toBe(true);
        expect(await parts(s)).toBe(false);
        const aliases = async (c: MilvusClient) =>
          (await c.listAliases({ collection_name: "c" })).aliases ?? [];
        expect(await aliases(p)).toContain("a1");
        expect(await aliases(s)).not.toContain("a1");
        const idx = async (c: MilvusClient) =>
          (await c.describeIndex({ collection_name: "c" })).index_descriptions ?? [];
        expect((await idx(p)).length).toBe(1);
        expect((await idx(s)).length).toBe(0);
        expect((await scan(s, "c")).rows.has(1)).toBe(true);
      },
    },
    {
      mode: "stall",
      every: 6,
      run: async ({ p, s }) => {
        // CreateCollection, CreateIndex, LoadCollection, then 3 inserts go through; nothing after.
        await createCollection(p, "c");
        for (let b = 0; b < 6; b++) await insert(p, "c", [row(b, 1)]);
        await waitFor("the standby to show 3 rows", async () => (await scan(s, "c")).rows.size === 3);
        await new Promise((r) => setTimeout(r, 2000));
        expect((await scan(s, "c")).rows.size).toBe(3);
        expect((await scan(p, "c")).rows.size).toBe(6);
      },
    },
    {
      mode: "corrupt-vector",
      run: async ({ p, s, l }) => {
        await createCollection(p, "c");
        for (let b = 0; b < 3; b++)
          await insert(
            p,
            "c",
            Array.from({ length: 5 }, (_, i) => row(b * 5 + i, 1)),
          );
        await caughtUp(l, s);
        const [a, b] = [await scan(p, "c"), await scan(s, "c")];
        const diffs: Array<{ pk: number; i: number; x: number; y: number }> = [];
        for (const [pk, r] of a.rows)
          r.vec.forEach((x, i) => {
            const y = b.rows.get(pk)?.vec[i] as number;
            if (x !== y) diffs.push({ pk, i, x, y });
          });
        expect(diffs.length).toBe(1);
        const d = diffs[0] as (typeof diffs)[number];
        expect(d.y).toBe(flipLowestMantissaBit(d.x));
      },
    },
  ];

  for (const t of table) {
    const title =
      t.mode === "none"
        ? "fault mode none leaves the standby identical, across a kill"
        : `fault mode ${t.mode} leaves its damage on the standby`;
    it(title, async () => {
      const {
        lab: l,
        p,
        s,
      } = await open({
        faultMode: t.mode,
        faultEvery: t.every ?? 0,
        restartDelayMs: t.restartDelayMs ?? 100,
      });
      await t.run({ l, p, s });
    });
  }
});

interface Ctx {
  l: Lab;
  p: MilvusClient;
  s: MilvusClient;
}

/**
 * duplicate-on-restart / stale-checkpoint: after a kill, inserts the standby already applied are applied
 * again. Milvus Lite replaces a row on a second insert of its key (count(*) does not grow), so the trace
 * is what a late duplicate does to state: keys upserted since are back at their inserted version, and
 * keys deleted since are back (zombies).
 */
async function restartDuplicates({ l, p, s }: Ctx): Promise<void> {
  await createCollection(p, "c");
  for (let b = 0; b < 10; b++)
    await insert(
      p,
      "c",
      Array.from({ length: 10 }, (_, i) => row(b * 10 + i, 1)),
    );
  const upserted = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  ok(await p.upsert({ collection_name: "c", data: upserted.map((k) => row(k, 2)) }), "upsert");
  const deleted = [10, 11, 12, 13, 14];
  ok(await p.delete({ collection_name: "c", filter: `pk in [${deleted.join(",")}]` }), "delete");
  await caughtUp(l, s);
  const before = await scan(s, "c");
  expect(before.rows).toEqual((await scan(p, "c")).rows);
  await l.killReplicator();
  await insert(p, "c", [row(1000, 1)]);
  await caughtUp(l, s);
  const [a, b] = [await scan(p, "c"), await scan(s, "c")];
  const zombies = deleted.filter((k) => b.rows.has(k) && !a.rows.has(k));
  const reverted = upserted.filter((k) => b.rows.get(k)?.ver === 1 && a.rows.get(k)?.ver === 2);
  expect(zombies).toEqual(deleted);
  expect(reverted).toEqual(upserted);
  expect(b.rows.get(1000)).toEqual(a.rows.get(1000));
}
