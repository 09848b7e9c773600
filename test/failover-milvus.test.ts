import { describe, expect, it } from "vitest";
import {
  decideForcePromote,
  FORCE_PROMOTE_NO_CONFIG,
  FORCE_PROMOTE_NOT_EMPTY,
  FORCE_PROMOTE_ON_PRIMARY,
} from "../src/backends/local/force-promote.js";
import type { ReplicateConfiguration } from "../src/backends/local/replicate-config.js";
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

describe("force promote: Milvus's rules as the local fronts apply them", () => {
  it("promotes a secondary on an empty request, to a config holding only itself", () => {
    const d = decideForcePromote({}, aToB, "b", "secondary");
    expect(d).toEqual({
      ok: true,
      unchanged: false,
      config: { clusters: [aToB.clusters[1]], cross_cluster_topology: [] },
    });
  });

  it("refuses the documented current-cluster-only shape with the text the client falls back on", () => {
    const d = decideForcePromote(forcePromoteRequest(ep("b"), "current-cluster"), aToB, "b", "secondary");
    expect(d).toEqual({ ok: false, error: FORCE_PROMOTE_NOT_EMPTY });
    // The client recognises the refusal by this prefix (one fact: the server's text).
    expect(FORCE_PROMOTE_NOT_EMPTY.startsWith(FORCE_PROMOTE_NEEDS_EMPTY)).toBe(true);
  });

  it("checks the shape before the role, as Milvus does", () => {
    expect(decideForcePromote(aToB, aToB, "a", "primary")).toEqual({
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
