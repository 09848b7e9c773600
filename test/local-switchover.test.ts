import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPLICATE_VIOLATION_REASON } from "../src/backends/local/front/front.js";
import type { Lab } from "../src/backends/local/lab.js";
import type { ClusterEndpoint } from "../src/backends/types.js";
import { milvusClient } from "../src/milvus/client.js";
import { buildReplicateConfiguration } from "../src/milvus/replicate.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

const COLL = "switch_rows";
const DIM = 4;

function rows(from: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({ pk: from + i, vec: [from + i, 1, 2, 3] }));
}

async function keys(c: MilvusClient): Promise<number[]> {
  const res = await c.query({
    collection_name: COLL,
    filter: "pk >= 0",
    output_fields: ["pk"],
    limit: 16384,
  });
  if (res.status.error_code !== "Success") throw new Error(`query: ${res.status.reason}`);
  return res.data.map((r) => Number(r.pk)).sort((a, b) => a - b);
}

/** Indexed and loaded, as Milvus needs a collection before it can be read; the load replicates. */
async function loaded(c: MilvusClient, collection_name: string) {
  await c.createIndex({ collection_name, field_name: "vec", index_type: "FLAT", metric_type: "L2" });
  expect((await c.loadCollectionSync({ collection_name })).error_code).toBe("Success");
}

/** Milvus's switchover: the reversed topology applied to both clusters at once. */
async function switchTo(source: ClusterEndpoint, target: ClusterEndpoint) {
  const config = buildReplicateConfiguration({ source, target });
  // From the one factory: a cluster rebuilt at a lost one's address is reached at once, not after the
  // reconnect backoff of a subchannel shared with clients of the lost cluster (the cause of this test's
  // occasional 60 s deadline after the rebuild).
  const clients = [source, target].map((e) => milvusClient(e));
  try {
    const answers = await Promise.all(
      clients.map((c) => c.updateReplicateConfiguration({ ...config, timeout: 60_000 })),
    );
    for (const a of answers) expect(a.error_code).toBe("Success");
  } finally {
    for (const c of clients) await c.closeConnection();
  }
}

describe("local lab: replication follows the topology", () => {
  let lab: Lab;
  let a: MilvusClient;
  let b: MilvusClient;

  beforeAll(async () => {
    lab = await startTestLab({ replicate: true });
    a = new MilvusClient({ address: lab.source.uri, logLevel: "error" });
    b = new MilvusClient({ address: lab.target.uri, logLevel: "error" });
  });

  afterAll(async () => {
    await a?.closeConnection();
    await b?.closeConnection();
    await lab?.stop();
  });

  it("switches over and back: each time the new primary replicates to the old one, which refuses writes", async () => {
    const created = await a.createCollection({
      collection_name: COLL,
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "vec", data_type: DataType.FloatVector, dim: DIM },
      ],
    });
    expect(created.error_code).toBe("Success");
    await loaded(a, COLL);
    expect((await a.insert({ collection_name: COLL, data: rows(0, 20) })).status.error_code).toBe("Success");
    // Written just before the switch: the old primary's replicator must still deliver them.
    expect((await a.insert({ collection_name: COLL, data: rows(20, 5) })).status.error_code).toBe("Success");

    await switchTo(lab.target, lab.source);
    expect(lab.fronts.source.role).toBe("secondary");
    expect(lab.fronts.target.role).toBe("primary");
    expect(await keys(b)).toHaveLength(25);
    const refused = await a.insert({ collection_name: COLL, data: rows(1000, 1) });
    expect(refused.status.reason).toBe(REPLICATE_VIOLATION_REASON);
    expect((await b.insert({ collection_name: COLL, data: rows(100, 10) })).status.error_code).toBe(
      "Success",
    );
    await waitFor(
      "the old primary to receive the new primary's rows",
      async () => (await keys(a)).length === 35,
    );
    expect(lab.replicating).toEqual({ source: lab.target.clusterId, target: lab.source.clusterId });

    await switchTo(lab.source, lab.target);
    expect(lab.fronts.source.role).toBe("primary");
    expect((await a.insert({ collection_name: COLL, data: rows(200, 10) })).status.error_code).toBe(
      "Success",
    );
    await waitFor(
      "the standby to receive rows written after switching back",
      async () => (await keys(b)).length === 45,
    );
    expect(await keys(b)).toEqual(await keys(a));
    expect(lab.replicating).toEqual({ source: lab.source.clusterId, target: lab.target.clusterId });
    // A kill of the CDC after switching back is a kill of the replicator that runs now, and it resumes.
    await lab.killReplicator();
    expect((await a.insert({ collection_name: COLL, data: rows(300, 5) })).status.error_code).toBe("Success");
    await waitFor("rows written after the kill", async () => (await keys(b)).length === 50);
  });

  it("a secondary's update waits for its primary's broadcast and times out without it", async () => {
    // Only the standby is asked: the primary never broadcasts, so Milvus's call waits until its deadline.
    const config = buildReplicateConfiguration({ source: lab.target, target: lab.source });
    const t0 = Date.now();
    await expect(b.updateReplicateConfiguration({ ...config, timeout: 1_500 })).rejects.toThrow(/DEADLINE/i);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_400);
    expect(lab.fronts.target.role).toBe("secondary");
  });

  it("a lost primary: the standby is force-promoted, the old one rebuilt empty rejoins as its standby", async () => {
    await lab.killCluster("source");
    expect(lab.replicating).toBeUndefined();
    const promoted = await lab.fronts.target.forcePromote();
    expect(promoted.ok).toBe(true);
    expect(lab.fronts.target.role).toBe("primary");
    // Written while the standby is alone: a rebuilt cluster does not get it (Milvus starts a new
    // target at the configuration change; older data needs a backup restore).
    expect((await b.insert({ collection_name: COLL, data: rows(400, 5) })).status.error_code).toBe("Success");
    const rebuilt = await lab.rebuildCluster("source");
    expect(rebuilt.uri).toBe(lab.source.uri);
    // From the one factory: its own subchannels, not the dead cluster's one in reconnect backoff.
    const fresh = milvusClient(rebuilt);
    try {
      expect((await fresh.hasCollection({ collection_name: COLL })).value).toBe(false);
      await switchTo(lab.target, rebuilt);
      expect(lab.replicating).toEqual({ source: lab.target.clusterId, target: lab.source.clusterId });
      const created = await b.createCollection({
        collection_name: "after_rejoin",
        fields: [
          { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
          { name: "vec", data_type: DataType.FloatVector, dim: DIM },
        ],
      });
      expect(created.error_code).toBe("Success");
      await loaded(b, "after_rejoin");
      await b.insert({ collection_name: "after_rejoin", data: rows(0, 3) });
      await waitFor("the rebuilt standby to receive a collection created after it joined", async () => {
        const r = await fresh.query({
          collection_name: "after_rejoin",
          filter: "pk >= 0",
          output_fields: ["pk"],
        });
        return r.data?.length === 3;
      });
      expect((await fresh.hasCollection({ collection_name: COLL })).value).toBe(false);
      const refused = await fresh.insert({ collection_name: "after_rejoin", data: rows(10, 1) });
      expect(refused.status.reason).toBe(REPLICATE_VIOLATION_REASON);
    } finally {
      await fresh.closeConnection();
    }
  });
});
