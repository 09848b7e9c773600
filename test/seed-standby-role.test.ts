/**
 * standbyRole: right after the restore, is the standby still a secondary of the source
 * (milvus-io/milvus#52727: CDC stopped itself after seeding and the secondary became a primary)?
 */
import { describe, expect, it, vi } from "vitest";
import type { ClusterEndpoint } from "../src/backends/types.js";
import { standbyRole } from "../src/drill/seed.js";

let answer: unknown = null;
vi.mock("../src/milvus/replicate.js", async (orig) => ({
  ...(await orig<typeof import("../src/milvus/replicate.js")>()),
  readReplicateConfiguration: vi.fn(async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  }),
}));

const ep = (id: string): ClusterEndpoint => ({
  clusterId: id,
  uri: "http://127.0.0.1:1",
  replicateUri: "http://127.0.0.1:1",
  pchannels: [],
});
const pair = { source: ep("a"), target: ep("b") };
const edge = (s: string, t: string) => ({ source_cluster_id: s, target_cluster_id: t });

describe("standbyRole", () => {
  it("secondary only when the standby holds the edge source -> standby", async () => {
    answer = { clusters: [], cross_cluster_topology: [edge("a", "b")] };
    expect((await standbyRole(pair, 1000)).role).toBe("secondary");
  });

  it("not-secondary when it holds no configuration, or one without that edge (it became a primary)", async () => {
    answer = null;
    expect(await standbyRole(pair, 1000)).toEqual({
      role: "not-secondary",
      why: "b holds no replicate configuration",
    });
    answer = { clusters: [], cross_cluster_topology: [edge("b", "a")] };
    expect(await standbyRole(pair, 1000)).toEqual({
      role: "not-secondary",
      why: "b's replicate configuration has no edge a -> b (it holds b -> a)",
    });
  });

  it("unknown, never secondary, when it cannot be read", async () => {
    answer = "unimplemented";
    expect((await standbyRole(pair, 1000)).role).toBe("unknown");
    answer = new Error("UNAVAILABLE: connection refused");
    expect(await standbyRole(pair, 1000)).toEqual({
      role: "unknown",
      why: "GetReplicateConfiguration on b failed: UNAVAILABLE: connection refused",
    });
  });
});
