/**
 * Resource groups on the local backend (resource-groups.ts): kept by the front as Milvus keeps their
 * configuration, replicated to the standby, refused on the standby, persisted across a front
 * restart's state; moving query nodes is refused with one line naming the limit.
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

describe("resource groups on the local backend", () => {
  it("create, update and drop on the primary reach the standby; the default group is always there", async () => {
    expect(await groups(primary)).toEqual([DEFAULT_RESOURCE_GROUP]);
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
    await waitFor("rg_a on the standby", async () => (await groups(standby)).includes("rg_a"), 30_000);
    const desc = await standby.describeResourceGroup({ resource_group: "rg_a" });
    expect(desc.status.error_code).toBe("Success");
    expect(desc.resource_group.config?.limits?.node_num).toBe(2);
    expect(desc.resource_group.num_available_node).toBe(0);

    const upd = await primary.updateResourceGroups({
      resource_groups: { rg_a: { requests: { node_num: 1 }, limits: { node_num: 3 } } },
    });
    expect(upd.error_code).toBe("Success");
    await waitFor(
      "rg_a's new limits on the standby",
      async () =>
        (await standby.describeResourceGroup({ resource_group: "rg_a" })).resource_group.config?.limits
          ?.node_num === 3,
      30_000,
    );
    expect((await primary.updateResourceGroups({ resource_groups: { nope: {} } })).reason).toMatch(
      /resource group not found\[rg=nope\]/,
    );

    // The standby refuses a client's change, as a secondary refuses every write.
    const onStandby = await standby.createResourceGroup({ resource_group: "rg_b" });
    expect(onStandby.error_code).not.toBe("Success");
    expect(await groups(standby)).not.toContain("rg_b");

    expect((await primary.dropResourceGroup({ resource_group: "rg_a" })).error_code).toBe("Success");
    expect((await primary.dropResourceGroup({ resource_group: "rg_a" })).error_code).toBe("Success");
    expect((await primary.dropResourceGroup({ resource_group: DEFAULT_RESOURCE_GROUP })).reason).toMatch(
      /delete default rg is not permitted/,
    );
    await waitFor(
      "rg_a dropped on the standby",
      async () => !(await groups(standby)).includes("rg_a"),
      30_000,
    );
    expect((await standby.describeResourceGroup({ resource_group: "rg_a" })).status.reason).toMatch(
      /resource group not found/,
    );
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
