/**
 * The local lab's emulation of Milvus Backup's `restore secondary`: a backup records a FlushAll point on
 * every channel of the primary's WAL, the restore replays the data into the standby as replicated
 * messages and leaves its checkpoint on that point, and CDC configured afterwards resumes strictly after
 * it. The seed-gap / seed-overlap faults move the checkpoint past / before the point;
 * seed-standby-promoted leaves the standby a primary (milvus-io/milvus#52727).
 */
import { DataType, type MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterEach, describe, expect, it } from "vitest";
import { type Lab, startLab } from "../src/backends/local/lab.js";
import { refuseOccupied, standbyRole } from "../src/drill/seed.js";
import { clientFor, configureReplication, getReplicateInfo } from "../src/milvus/replicate.js";
import { alive, waitFor } from "./helpers/wait.js";

const DIM = 4;
let lab: Lab | undefined;
const clients: MilvusClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.closeConnection().catch(() => {})));
  const pids = lab?.pids() ?? [];
  await lab?.stop();
  lab = undefined;
  await waitFor("every lab process to exit", () => pids.every((p) => !alive(p)), 10_000);
});

function ok(
  r: { error_code?: string | number; status?: { error_code?: string | number; reason?: string } },
  what: string,
) {
  const st = r.status ?? r;
  if (st.error_code !== "Success" && st.error_code !== 0) throw new Error(`${what}: ${JSON.stringify(st)}`);
}

const row = (pk: number, ver: number) => ({
  pk,
  ver,
  vec: Array.from({ length: DIM }, (_, i) => ((pk + ver + i) % 7) / 7),
});

async function count(c: MilvusClient, name: string, filter = ""): Promise<number> {
  const q = await c.query({ collection_name: name, filter, output_fields: ["count(*)"] });
  ok(q, `count ${name}`);
  return Number((q.data[0] as Record<string, unknown>)["count(*)"]);
}

async function versions(c: MilvusClient, name: string): Promise<Map<number, number>> {
  const q = await c.query({
    collection_name: name,
    filter: "pk >= 0",
    output_fields: ["pk", "ver"],
    limit: 16384,
  });
  ok(q, `query ${name}`);
  return new Map(q.data.map((r) => [Number(r.pk), Number(r.ver)]));
}

/** A primary with data (no replication), and clients on both clusters. */
async function primaryWithData(
  faultMode: "none" | "seed-gap" | "seed-overlap" | "seed-standby-promoted" = "none",
) {
  lab = await startLab({ pchannels: 2, faultMode });
  const p = clientFor(lab.source);
  const s = clientFor(lab.target);
  clients.push(p, s);
  ok(
    await p.createCollection({
      collection_name: "c",
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "ver", data_type: DataType.Int64 },
        { name: "vec", data_type: DataType.FloatVector, dim: DIM },
      ],
    }),
    "create",
  );
  ok(
    await p.createIndex({ collection_name: "c", field_name: "vec", index_type: "FLAT", metric_type: "L2" }),
    "index",
  );
  ok(await p.createPartition({ collection_name: "c", partition_name: "p1" }), "partition");
  ok(await p.createAlias({ collection_name: "c", alias: "c_alias" }), "alias");
  ok(await p.loadCollection({ collection_name: "c" }), "load");
  for (let pk = 0; pk < 30; pk++)
    ok(
      await p.insert({
        collection_name: "c",
        partition_name: pk % 2 ? "p1" : "_default",
        data: [row(pk, 1)],
      }),
      "insert",
    );
  return { lab, p, s };
}

describe("local restore secondary", () => {
  it("seeds the standby at the point and CDC resumes strictly after it", { timeout: 120_000 }, async () => {
    const { lab, p, s } = await primaryWithData();
    const backup = await lab.backup("source", "b1");
    expect(backup.points).toHaveLength(2);
    expect(new Set(backup.points.map((x) => x.timeTick)).size).toBe(1);
    expect(backup.collections).toEqual([{ name: "c", pchannel: lab.fronts.source.channelOf("c"), rows: 30 }]);
    // Written after the point: must come through CDC, exactly once.
    for (let pk = 30; pk < 40; pk++)
      ok(await p.insert({ collection_name: "c", data: [row(pk, 1)] }), "insert");
    ok(await p.upsert({ collection_name: "c", data: [row(0, 2)] }), "upsert");

    const pair = { source: lab.source, target: lab.target };
    await configureReplication(pair, { only: "standby", timeoutMs: 30_000 });
    // Empty of the drill's collections and without a checkpoint from the primary: not refused.
    await refuseOccupied(s, pair, ["c"], 10_000);
    const restored = await lab.restoreSecondary("b1", "target");
    // A second restore into this standby would be dropped silently (zilliztech/milvus-backup#1176):
    // refused, for the collection it holds now and for the checkpoint the restore left.
    await expect(refuseOccupied(s, pair, ["c"], 10_000)).rejects.toThrow(/already holds collection c/);
    await expect(refuseOccupied(s, pair, [], 10_000)).rejects.toThrow(
      /already has a checkpoint from .*\(zilliztech\/milvus-backup#1176\); refused before the restore/,
    );
    expect(restored.rows).toBe(30);
    for (const [i, pt] of backup.points.entries()) {
      const cp = await getReplicateInfo(s, lab.source.clusterId, lab.target.pchannels[i] as string, 10_000);
      expect(cp).toEqual({ timeTick: pt.timeTick, messageId: pt.messageId });
    }
    // The standby has the backup: rows, partition, alias, index, loaded.
    expect(await count(s, "c")).toBe(30);
    expect((await s.listPartitions({ collection_name: "c" })).partition_names).toContain("p1");
    expect((await s.listAliases({ collection_name: "c" })).aliases).toContain("c_alias");
    expect(await count(s, "c", "pk >= 0")).toBe(30);

    await configureReplication(pair, { only: "primary", timeoutMs: 30_000 });
    await waitFor("the standby to show every write", async () => (await count(s, "c")) === 40, 30_000);
    const v = await versions(s, "c");
    expect(v.get(0)).toBe(2);
    expect(v.size).toBe(40);
    // Exactly once: no key held twice (count(*) = distinct keys), the primary's state everywhere.
    await new Promise((r) => setTimeout(r, 500));
    expect(await count(s, "c")).toBe(40);
    expect([...(await versions(p, "c"))].sort()).toEqual([...v].sort());
  });

  it(
    "seed-standby-promoted: the standby is a primary right after the restore, takes writes and shows none of the source's (milvus-io/milvus#52727)",
    { timeout: 120_000 },
    async () => {
      const { lab, p, s } = await primaryWithData("seed-standby-promoted");
      await lab.backup("source", "b1");
      const pair = { source: lab.source, target: lab.target };
      await configureReplication(pair, { only: "standby", timeoutMs: 30_000 });
      expect((await standbyRole(pair, 10_000)).role).toBe("secondary");
      const r = await lab.restoreSecondary("b1", "target");
      expect(r.rows).toBe(30);
      expect(await count(s, "c")).toBe(30);
      const role = await standbyRole(pair, 10_000);
      expect(role.role).toBe("not-secondary");
      expect(role.why).toMatch(/has no edge primary-.* -> standby-/);
      // A primary takes client writes (a secondary refuses them).
      ok(await s.insert({ collection_name: "c", data: [row(500, 1)] }), "client write on the standby");
      await configureReplication(pair, { only: "primary", timeoutMs: 30_000 });
      ok(await p.insert({ collection_name: "c", data: [row(100, 1)] }), "marker");
      await new Promise((r) => setTimeout(r, 3_000));
      expect((await versions(s, "c")).has(100)).toBe(false);
    },
  );

  for (const mode of ["seed-gap", "seed-overlap"] as const) {
    it(
      `${mode} leaves the checkpoint ${mode === "seed-gap" ? "past" : "before"} the point`,
      { timeout: 120_000 },
      async () => {
        const { lab, p, s } = await primaryWithData(mode);
        const backup = await lab.backup("source", "b1");
        for (let pk = 30; pk < 40; pk++)
          ok(await p.insert({ collection_name: "c", data: [row(pk, 1)] }), "insert");
        const pair = { source: lab.source, target: lab.target };
        await configureReplication(pair, { only: "standby", timeoutMs: 30_000 });
        const r = await lab.restoreSecondary("b1", "target");
        const ch = backup.points.findIndex((x) => x.pchannel === lab.fronts.source.channelOf("c"));
        const point = backup.points[ch];
        const planted = r.checkpoints[ch];
        expect(planted?.planted).toBe(mode === "seed-gap" ? "gap" : "overlap");
        const cp = await getReplicateInfo(
          s,
          lab.source.clusterId,
          lab.target.pchannels[ch] as string,
          10_000,
        );
        const moved = BigInt(cp.timeTick ?? "0") - BigInt(point?.timeTick ?? "0");
        if (mode === "seed-gap") expect(moved > 0n).toBe(true);
        else expect(moved < 0n).toBe(true);
        await configureReplication(pair, { only: "primary", timeoutMs: 30_000 });
        ok(await p.insert({ collection_name: "c", data: [row(100, 1)] }), "marker");
        await waitFor("the marker on the standby", async () => (await versions(s, "c")).has(100), 30_000);
        await new Promise((r) => setTimeout(r, 500));
        const keys = (await versions(s, "c")).size;
        const rows = await count(s, "c");
        if (mode === "seed-gap") {
          // The ten writes between the point and the planted checkpoint never arrive.
          expect(keys).toBe(31);
        } else {
          // The inserts before the point are replayed on top of the backup: held twice.
          expect(keys).toBe(41);
          expect(rows).toBeGreaterThan(keys);
        }
      },
    );
  }
});
