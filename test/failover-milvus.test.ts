import { describe, expect, it } from "vitest";
import {
  decideForcePromote,
  FORCE_PROMOTE_NO_CONFIG,
  FORCE_PROMOTE_NOT_EMPTY,
  FORCE_PROMOTE_ON_PRIMARY,
} from "../src/backends/local/replication/force-promote.js";
import type { ReplicateConfiguration } from "../src/backends/local/replication/replicate-config.js";
import type { ClusterEndpoint } from "../src/backends/types.js";
import {
  buildReplicateConfiguration,
  FORCE_PROMOTE_NEEDS_EMPTY,
  forcePromoteRequest,
  reversedPair,
} from "../src/milvus/replicate.js";

const chans = (id: string) => [`${id}-rootcoord-dml_0`, `${id}-rootcoord-dml_1`];
const ep = (id: string): ClusterEndpoint => ({
  clusterId: id,
  uri: `http://127.0.0.1:1${id === "a" ? 1 : 2}`,
  replicateUri: `http://${id}:19530`,
  pchannels: chans(id),
  token: "",
});
const pair = { source: ep("a"), target: ep("b") };
const aToB: ReplicateConfiguration = buildReplicateConfiguration(pair);

describe("force promote, the later Milvus validation (empty request): as the local fronts apply it", () => {
  it("promotes a secondary on an empty request, to a config holding only itself", () => {
    for (const request of [{}, { clusters: [] }, forcePromoteRequest(ep("b"), "empty")]) {
      expect(decideForcePromote(request, aToB, "b", "secondary")).toEqual({
        ok: true,
        unchanged: false,
        config: { clusters: [aToB.clusters[1]], cross_cluster_topology: [] },
      });
    }
  });

  it("an empty-only front refuses the current-cluster shape with the text the client falls back on", () => {
    const d = decideForcePromote(forcePromoteRequest(ep("b"), "current-cluster"), aToB, "b", "secondary", {
      shapes: "empty-only",
    });
    expect(d).toEqual({ ok: false, error: FORCE_PROMOTE_NOT_EMPTY });
    // The client recognises the refusal by this prefix (one fact: the server's text).
    expect(FORCE_PROMOTE_NOT_EMPTY.startsWith(FORCE_PROMOTE_NEEDS_EMPTY)).toBe(true);
  });

  it("an empty-only front checks the shape before the role", () => {
    expect(decideForcePromote(aToB, aToB, "a", "primary", { shapes: "empty-only" })).toEqual({
      ok: false,
      error: FORCE_PROMOTE_NOT_EMPTY,
    });
  });

  it("topology without clusters is not empty in either mode", () => {
    const request = { clusters: [], cross_cluster_topology: aToB.cross_cluster_topology };
    for (const shapes of ["either", "empty-only"] as const)
      expect(decideForcePromote(request, aToB, "b", "secondary", { shapes })).toEqual({
        ok: false,
        error: FORCE_PROMOTE_NOT_EMPTY,
      });
  });

  it("refuses a primary, an unconfigured cluster and a cluster missing from its own config", () => {
    expect(decideForcePromote({}, aToB, "a", "primary")).toEqual({
      ok: false,
      error: FORCE_PROMOTE_ON_PRIMARY,
    });
    expect(decideForcePromote({}, null, "b", "secondary")).toEqual({
      ok: false,
      error: FORCE_PROMOTE_NO_CONFIG,
    });
    expect(decideForcePromote({}, aToB, "c", "secondary")).toEqual({
      ok: false,
      error:
        "force promote requires current cluster in existing configuration; cluster c not found in config",
    });
  });

  it("is idempotent on an already standalone secondary config", () => {
    const standalone = { clusters: aToB.clusters.slice(1), cross_cluster_topology: [] };
    const d = decideForcePromote({ clusters: [] }, standalone, "b", "secondary");
    expect(d.ok && d.unchanged).toBe(true);
  });
});

describe("force promote, the first Milvus validation (current cluster only): as the local fronts apply it", () => {
  const rules = { pchannels: chans("b") };
  const own = forcePromoteRequest(ep("b"), "current-cluster");

  it("promotes a secondary on a config holding only itself, and keeps that config", () => {
    expect(decideForcePromote(own, aToB, "b", "secondary", rules)).toEqual({
      ok: true,
      unchanged: false,
      config: { clusters: own.clusters, cross_cluster_topology: [] },
    });
  });

  it("answers a resend of the held configuration as a no-op success, before any force-promote check", () => {
    expect(decideForcePromote(aToB, aToB, "b", "secondary", rules)).toEqual({
      ok: true,
      unchanged: true,
      config: aToB,
    });
  });

  it("refuses a primary after the general checks, before the shape", () => {
    const onA = forcePromoteRequest(ep("a"), "current-cluster");
    expect(decideForcePromote(onA, aToB, "a", "primary", { pchannels: chans("a") })).toEqual({
      ok: false,
      error: FORCE_PROMOTE_ON_PRIMARY,
    });
  });

  it("refuses two clusters with Milvus's count text", () => {
    const reversed = buildReplicateConfiguration(reversedPair(pair));
    expect(decideForcePromote(reversed, aToB, "b", "secondary", rules)).toEqual({
      ok: false,
      error:
        "force promote requires configuration with exactly one cluster (current cluster only), got 2 clusters",
    });
  });

  const other = forcePromoteRequest(ep("a"), "current-cluster");
  const looped = { ...own, cross_cluster_topology: [{ source_cluster_id: "b", target_cluster_id: "b" }] };

  it("another cluster or a topology: the general validator, which runs first, refuses them", () => {
    expect(decideForcePromote(other, aToB, "b", "secondary", rules)).toEqual({
      ok: false,
      error: "current Milvus cluster 'b' must be included in the clusters list",
    });
    expect(decideForcePromote(looped, aToB, "b", "secondary", rules)).toEqual({
      ok: false,
      error: "no center node found, star topology must have exactly one center node",
    });
  });

  it("validateForcePromoteConfiguration's own texts for another cluster and a topology", () => {
    expect(decideForcePromote(other, aToB, "b", "secondary")).toEqual({
      ok: false,
      error: "force promote requires configuration with only current cluster b, got cluster a",
    });
    expect(decideForcePromote(looped, aToB, "b", "secondary")).toEqual({
      ok: false,
      error:
        "force promote requires configuration with no topology (single primary cluster), got 1 topology edges",
    });
  });

  it("then validates the request against the cluster as any update: other pchannels are refused", () => {
    const wrong = forcePromoteRequest({ ...ep("b"), pchannels: ["x_0", "x_1"] }, "current-cluster");
    const d = decideForcePromote(wrong, aToB, "b", "secondary", rules);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.error).toMatch(/^current pchannels do not match the pchannels in the config/);
  });

  it("is idempotent once the cluster holds exactly that config", () => {
    const standalone = { clusters: own.clusters, cross_cluster_topology: [] };
    const d = decideForcePromote(own, standalone, "b", "secondary", rules);
    expect(d.ok && d.unchanged).toBe(true);
  });
});

describe("request shapes", () => {
  it("current-cluster: only the standby, its replicate uri and channels, no topology", () => {
    expect(forcePromoteRequest(ep("b"), "current-cluster")).toEqual({
      clusters: [
        { cluster_id: "b", connection_param: { uri: "http://b:19530", token: "" }, pchannels: chans("b") },
      ],
      cross_cluster_topology: [],
      force_promote: true,
    });
  });
  it("empty: no clusters, no topology", () => {
    expect(forcePromoteRequest(ep("b"), "empty")).toEqual({
      clusters: [],
      cross_cluster_topology: [],
      force_promote: true,
    });
  });
  it("the switchover topology is the full config with the edge reversed", () => {
    const c = buildReplicateConfiguration(reversedPair(pair));
    expect(c.clusters.map((k) => k.cluster_id)).toEqual(["b", "a"]);
    expect(c.cross_cluster_topology).toEqual([{ source_cluster_id: "b", target_cluster_id: "a" }]);
  });
});
