/**
 * lab.rebuildStandby, on its own: a star's failover wipes a further standby whose checkpoints from the
 * lost primary diverged and starts it again empty, as the same cluster (id, channels, replication URI),
 * with no process of the old one left behind. Only the star's further standbys can be rebuilt this way.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, startLab } from "../src/backends/local/lab.js";
import { clientFor } from "../src/milvus/replicate.js";
import { alive, vectorCollection, vectorRows, waitFor } from "./helpers/lab.js";

let lab: Lab;
const clients: MilvusClient[] = [];

beforeAll(async () => {
  lab = await startLab({ replicate: true, pchannels: 2, standbys: 2 });
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.closeConnection().catch(() => {})));
  const pids = lab?.pids() ?? [];
  await lab?.stop();
  await waitFor("every lab process to exit", () => pids.every((p) => !alive(p)), 10_000);
});

async function count(c: MilvusClient): Promise<number | null> {
  const has = await c.hasCollection({ collection_name: "c" });
  if (!has.value) return null;
  const q = await c.query({ collection_name: "c", filter: "", output_fields: ["count(*)"] });
  return Number((q.data[0] as Record<string, unknown> | undefined)?.["count(*)"] ?? 0);
}

describe("lab.rebuildStandby", () => {
  it("wipes a further standby and starts it again empty, as the same cluster, its old processes gone", async () => {
    const second = lab.extraStandbys[0];
    if (!second) throw new Error("the lab started no second standby");
    const p = clientFor(lab.source);
    clients.push(p);
    await vectorCollection(p, "c");
    await p.insert({ collection_name: "c", data: vectorRows(0, 5) });
    const before = clientFor(second);
    clients.push(before);
    await waitFor("standby 2 to hold the 5 rows", async () => (await count(before)) === 5, 30_000);

    const pidsBefore = new Set(lab.pids());
    const rebuilt = await lab.rebuildStandby(second.clusterId);
    expect(rebuilt.clusterId).toBe(second.clusterId);
    expect(rebuilt.pchannels).toEqual(second.pchannels);
    // The replication link into it is the same relay: the primary's CDC dials the same address.
    expect(rebuilt.replicateUri).toBe(second.replicateUri);
    const after = clientFor(rebuilt);
    clients.push(after);
    // Empty: the collection and its rows are gone.
    expect(await count(after)).toBeNull();
    // The old Milvus Lite (and its watchdog) are gone; as many processes run as before.
    const pidsAfter = lab.pids();
    const gone = [...pidsBefore].filter((pid) => !pidsAfter.includes(pid));
    expect(gone.length).toBeGreaterThan(0);
    await waitFor("the old standby's processes to exit", () => gone.every((pid) => !alive(pid)), 10_000);
    expect(pidsAfter.length).toBe(pidsBefore.size);
    // The first standby was not touched.
    const first = clientFor(lab.target);
    clients.push(first);
    await waitFor("standby 1 to still hold the 5 rows", async () => (await count(first)) === 5, 30_000);
  }, 120_000);

  it("refuses the first standby and a cluster id that is not in the star, naming it", async () => {
    await expect(lab.rebuildStandby(lab.target.clusterId)).rejects.toThrow(
      `rebuildStandby: ${lab.target.clusterId} is not one of the star's further standbys`,
    );
    await expect(lab.rebuildStandby("standby9-x")).rejects.toThrow(
      "rebuildStandby: standby9-x is not one of the star's further standbys",
    );
  });
});
