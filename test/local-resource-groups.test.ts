/**
 * Resource groups on the local backend (resource-groups.ts): kept by the front as Milvus keeps their
 * configuration, per cluster as on Milvus (Milvus's suite: test_resource_group.py
 * `test_*_not_replicated`): never written to the WAL nor replicated, and taken on a standby as on a
 * primary, while the standby still refuses replicated data; persisted in the cluster's state; moving
 * query nodes is refused with one line naming the limit.
 */
import { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_RESOURCE_GROUP,
  NO_QUERY_NODES_REASON,
} from "../src/backends/local/front/resource-groups.js";
import type { Lab } from "../src/backends/local/lab.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

let lab: Lab;
let primary: MilvusClient;
let standby: MilvusClient;

beforeAll(async () => {
  lab = await startTestLab({ replicate: true });
  primary = new MilvusClient({ address: lab.source.uri.replace("http://", "") });
  standby = new MilvusClient({ address: lab.target.uri.replace("http://", "") });
}, 240_000);

afterAll(async () => {
  await primary?.closeConnection();
  await standby?.closeConnection();
  await lab?.stop();
});

const groups = async (c: MilvusClient) => (await c.listResourceGroups()).resource_groups;
const limitOf = async (c: MilvusClient, name: string) =>
  (await c.describeResourceGroup({ resource_group: name })).resource_group?.config?.limits?.node_num;

/**
 * A barrier: a database made on the primary after the resource-group calls. Cluster-wide changes are
 * ordered on one channel (methods.ts), so once it is on the standby, everything the primary wrote to
 * its WAL before it has been applied there too.
 */
async function barrier(name: string): Promise<void> {
  expect((await primary.createDatabase({ db_name: name })).error_code).toBe("Success");
  await waitFor(
    `database ${name} on the standby`,
    async () => (await standby.listDatabases()).db_names.includes(name),
    30_000,
  );
}

describe("resource groups on the local backend: per cluster, as on Milvus", () => {
  it("create, update and drop on the primary never reach the standby nor the WAL; the default group is always there", async () => {
    expect(await groups(primary)).toEqual([DEFAULT_RESOURCE_GROUP]);
    expect(await groups(standby)).toEqual([DEFAULT_RESOURCE_GROUP]);
    const walBefore = lab.fronts.source.walSizes();
    const made = await primary.createResourceGroup({
      resource_group: "rg_a",
      config: { requests: { node_num: 0 }, limits: { node_num: 2 } },
    });
    expect(made.error_code).toBe("Success");
    // Idempotent for the same configuration, refused for another one (as Milvus's ResourceManager).
    expect(
      (
        await primary.createResourceGroup({
          resource_group: "rg_a",
          config: { requests: { node_num: 0 }, limits: { node_num: 2 } },
        })
      ).error_code,
    ).toBe("Success");
    const clash = await primary.createResourceGroup({
      resource_group: "rg_a",
      config: { limits: { node_num: 5 } },
    });
    expect(clash.reason).toMatch(/resource group already exist\[rg=rg_a\]/);
    const desc = await primary.describeResourceGroup({ resource_group: "rg_a" });
    expect(desc.status.error_code).toBe("Success");
    expect(desc.resource_group.config?.limits?.node_num).toBe(2);
    expect(desc.resource_group.num_available_node).toBe(0);
    const upd = await primary.updateResourceGroups({
      resource_groups: { rg_a: { requests: { node_num: 1 }, limits: { node_num: 3 } } },
    });
    expect(upd.error_code).toBe("Success");
    expect(await limitOf(primary, "rg_a")).toBe(3);
    expect((await primary.updateResourceGroups({ resource_groups: { nope: {} } })).reason).toMatch(
      /resource group not found\[rg=nope\]/,
    );
    // Nothing of it went into the primary's WAL, which is all the replicator reads.
    expect(lab.fronts.source.walSizes()).toEqual(walBefore);

    await barrier("rg_barrier_1");
    expect(await groups(standby)).toEqual([DEFAULT_RESOURCE_GROUP]);
    expect((await standby.describeResourceGroup({ resource_group: "rg_a" })).status.reason).toMatch(
      /resource group not found\[rg=rg_a\]/,
    );

    expect((await primary.dropResourceGroup({ resource_group: "rg_a" })).error_code).toBe("Success");
    expect((await primary.dropResourceGroup({ resource_group: "rg_a" })).error_code).toBe("Success");
    expect((await primary.dropResourceGroup({ resource_group: DEFAULT_RESOURCE_GROUP })).reason).toMatch(
      /delete default rg is not permitted/,
    );
    expect(await groups(primary)).toEqual([DEFAULT_RESOURCE_GROUP]);
  }, 120_000);

  it("the standby takes its own group changes, keeps them through the primary's, and still refuses data writes", async () => {
    // Accepted on the standby: a secondary refuses only what would enter its WAL unreplicated.
    const onStandby = await standby.createResourceGroup({
      resource_group: "rg_b",
      config: { requests: { node_num: 0 }, limits: { node_num: 1 } },
    });
    expect(onStandby.error_code).toBe("Success");
    expect(await groups(standby)).toContain("rg_b");
    expect(await limitOf(standby, "rg_b")).toBe(1);
    const updated = await standby.updateResourceGroups({
      resource_groups: { rg_b: { requests: { node_num: 0 }, limits: { node_num: 4 } } },
    });
    expect(updated.error_code).toBe("Success");
    expect(await limitOf(standby, "rg_b")).toBe(4);
    expect(await groups(primary)).not.toContain("rg_b");

    // The same name on the primary, another configuration: each cluster keeps its own; a drop on the
    // primary leaves the standby's group alone.
    expect(
      (
        await primary.createResourceGroup({
          resource_group: "rg_b",
          config: { requests: { node_num: 0 }, limits: { node_num: 2 } },
        })
      ).error_code,
    ).toBe("Success");
    expect(await limitOf(primary, "rg_b")).toBe(2);
    expect((await primary.dropResourceGroup({ resource_group: "rg_b" })).error_code).toBe("Success");
    await barrier("rg_barrier_2");
    expect(await groups(standby)).toContain("rg_b");
    expect(await limitOf(standby, "rg_b")).toBe(4);

    // The standby still refuses a client's data write, with Milvus's replicate-violation error.
    const write = await standby.createDatabase({ db_name: "not_on_a_standby" });
    expect(write.error_code).not.toBe("Success");
    expect(write.reason).toMatch(/non-replicate message cannot be received in secondary role/);

    expect((await standby.dropResourceGroup({ resource_group: "rg_b" })).error_code).toBe("Success");
    expect(await groups(standby)).toEqual([DEFAULT_RESOURCE_GROUP]);
  }, 120_000);

  it("moving a replica between groups is refused with one line naming the local limit", async () => {
    const res = await primary.transferReplica({
      source_resource_group: DEFAULT_RESOURCE_GROUP,
      target_resource_group: "x",
      collection_name: "c",
      num_replica: 1,
    });
    expect(res.error_code).not.toBe("Success");
    expect(res.reason).toBe(`TransferReplica: ${NO_QUERY_NODES_REASON}`);
  }, 60_000);
});
