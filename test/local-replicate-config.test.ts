import { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import {
  FORCE_PROMOTE_NOT_EMPTY,
  FORCE_PROMOTE_ON_PRIMARY,
} from "../src/backends/local/replication/force-promote.js";
import {
  type ReplicateConfiguration,
  validateReplicateConfig,
} from "../src/backends/local/replication/replicate-config.js";
import {
  buildReplicateConfiguration,
  forcePromote,
  getReplicateConfiguration,
  switchoverReplication,
} from "../src/milvus/replicate.js";
import { startTestLab } from "./helpers/lab.js";

const chans = (id: string, n = 2) => Array.from({ length: n }, (_, i) => `${id}-rootcoord-dml_${i}`);

function base(): ReplicateConfiguration {
  return {
    clusters: [
      { cluster_id: "a", connection_param: { uri: "http://a:19530", token: "" }, pchannels: chans("a") },
      { cluster_id: "b", connection_param: { uri: "http://b:19530", token: "" }, pchannels: chans("b") },
    ],
    cross_cluster_topology: [{ source_cluster_id: "a", target_cluster_id: "b" }],
  };
}

function edit(f: (c: ReplicateConfiguration) => void): ReplicateConfiguration {
  const c = base();
  f(c);
  return c;
}

describe("replicate configuration rules (Milvus texts)", () => {
  const v = (c: unknown, current: ReplicateConfiguration | null = null) =>
    validateReplicateConfig(c, current, "a", chans("a"));

  it("accepts a valid star configuration", () => {
    expect(v(base())).toBeNull();
  });

  it.each<[string, ReplicateConfiguration, RegExp]>([
    [
      "empty list",
      edit((c) => {
        c.clusters = [];
      }),
      /^clusters list cannot be empty$/,
    ],
    [
      "current cluster missing",
      edit((c) => {
        c.clusters[0]!.cluster_id = "x";
        c.cross_cluster_topology = [];
      }),
      /^current Milvus cluster 'a' must be included in the clusters list$/,
    ],
    [
      "wrong pchannels",
      edit((c) => {
        c.clusters[0]!.pchannels = ["a-other_0", "a-other_1"];
      }),
      /^current pchannels do not match the pchannels in the config/,
    ],
    [
      "pchannel counts differ",
      edit((c) => {
        c.clusters[1]!.pchannels = chans("b", 3);
      }),
      /^cluster 'b' has 3 pchannels, but expected 2 \(same as cluster 'a'\)$/,
    ],
    [
      "empty uri",
      edit((c) => {
        c.clusters[1]!.connection_param.uri = "";
      }),
      /^cluster 'b' has empty URI$/,
    ],
    [
      "unparsable uri",
      edit((c) => {
        c.clusters[1]!.connection_param.uri = "b:19530 x";
      }),
      /^cluster 'b' has invalid URI format: 'b:19530 x'$/,
    ],
    [
      "host:port without a scheme",
      edit((c) => {
        c.clusters[1]!.connection_param.uri = "localhost:19530";
      }),
      /^cluster 'b' has invalid URI format: 'localhost:19530'$/,
    ],
    [
      "duplicate uri",
      edit((c) => {
        c.clusters[1]!.connection_param.uri = "http://a:19530";
      }),
      /^duplicate URI found: 'http:\/\/a:19530' is used by both cluster 'a' and cluster 'b'$/,
    ],
    [
      "duplicate cluster id",
      edit((c) => {
        c.clusters[1]!.cluster_id = "a";
        c.clusters[1]!.pchannels = chans("a2");
      }),
      /^duplicate clusterID found: 'a'$/,
    ],
    [
      "not a star (cycle)",
      edit((c) => {
        c.cross_cluster_topology.push({ source_cluster_id: "b", target_cluster_id: "a" });
      }),
      /^no center node found, star topology must have exactly one center node$/,
    ],
    [
      "edge to unknown cluster",
      edit((c) => {
        c.cross_cluster_topology = [{ source_cluster_id: "a", target_cluster_id: "z" }];
      }),
      /^topology at index 0 references non-existent target cluster: 'z'$/,
    ],
  ])("refuses %s", (_name, config, message) => {
    expect(v(config)).toMatch(message);
  });

  it("refuses a changed uri or token once set, and accepts the same config again", () => {
    const current = base();
    expect(
      v(
        edit((c) => {
          c.clusters[1]!.connection_param.uri = "http://b2:19530";
        }),
        current,
      ),
    ).toBe(
      "cluster 'b' connection_param.uri cannot be changed: current=http://b:19530, incoming=http://b2:19530",
    );
    expect(
      v(
        edit((c) => {
          c.clusters[1]!.connection_param.token = "t";
        }),
        current,
      ),
    ).toBe("cluster 'b' connection_param.token cannot be changed");
    expect(v(base(), current)).toBeNull();
  });
});

describe("replicate configuration on the local fronts", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ replicate: false, pchannels: 2 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  async function update(uri: string, config: ReplicateConfiguration) {
    const c = new MilvusClient({ address: uri, logLevel: "error" });
    try {
      return await c.updateReplicateConfiguration({ ...config, timeout: 30_000 });
    } finally {
      await c.closeConnection();
    }
  }

  it("refuses a bad config in-band with Milvus's message and stays unconfigured", async () => {
    const bad = buildReplicateConfiguration({ source: lab.source, target: lab.target });
    bad.clusters[1]!.pchannels = [...(bad.clusters[1]?.pchannels ?? []), "extra"];
    const res = await update(lab.source.uri, bad);
    expect(res.code).toBe(65535);
    expect(res.reason).toMatch(/has 3 pchannels, but expected 2/);
    expect(await getReplicateConfiguration(lab.source)).toBeNull();
    expect(lab.fronts.source.role).toBe("primary");
  });

  it("applies a valid config to both, reads it back (tokens blanked), is idempotent, and sets roles", async () => {
    const good = buildReplicateConfiguration({ source: lab.source, target: lab.target });
    for (const uri of [lab.source.uri, lab.target.uri])
      expect((await update(uri, good)).error_code).toBe("Success");
    const back = await getReplicateConfiguration(lab.target);
    expect(back?.clusters.map((c) => c.cluster_id)).toEqual([lab.source.clusterId, lab.target.clusterId]);
    expect(back?.cross_cluster_topology).toEqual(good.cross_cluster_topology);
    expect(lab.fronts.source.role).toBe("primary");
    expect(lab.fronts.target.role).toBe("secondary");
    // Identical again: accepted without change.
    expect((await update(lab.target.uri, good)).error_code).toBe("Success");
    // A different uri for an existing cluster: refused.
    const moved = buildReplicateConfiguration({
      source: lab.source,
      target: { ...lab.target, replicateUri: "http://elsewhere:19530" },
    });
    const res = await update(lab.target.uri, moved);
    expect(res.code).toBe(65535);
    expect(res.reason).toMatch(/connection_param\.uri cannot be changed/);
  });
});

describe("role changes on the local fronts", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ replicate: true, pchannels: 2 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("switchover applies the reversed topology to both and swaps the roles", async () => {
    const { config } = await switchoverReplication(
      { source: lab.source, target: lab.target },
      { timeoutMs: 30_000 },
    );
    expect(config.cross_cluster_topology).toEqual([
      { source_cluster_id: lab.target.clusterId, target_cluster_id: lab.source.clusterId },
    ]);
    expect(lab.fronts.source.role).toBe("secondary");
    expect(lab.fronts.target.role).toBe("primary");
  });

  it("force promote takes the current-cluster shape as sent; a resend is a no-op success", async () => {
    // After the switchover the original source is the standby: promote it.
    const { clusterId } = lab.source;
    const first = await forcePromote(lab.source, { timeoutMs: 30_000 });
    expect(first.attempts).toEqual([{ shape: "current-cluster", ok: true }]);
    expect(first.shape).toBe("current-cluster");
    expect(lab.fronts.source.role).toBe("primary");
    const held = await getReplicateConfiguration(lab.source);
    expect(held?.clusters.map((c) => c.cluster_id)).toEqual([clusterId]);
    expect(held?.cross_cluster_topology ?? []).toEqual([]);
    // The first version answers a resend of the held configuration before it looks at the role.
    const again = await forcePromote(lab.source, { timeoutMs: 30_000 });
    expect(again).toEqual({
      shape: "current-cluster",
      attempts: [{ shape: "current-cluster", ok: true }],
      alreadyPrimary: false,
    });
    expect(await getReplicateConfiguration(lab.source)).toEqual(held);
  });
});

describe("force promote on fronts that take both Milvus versions' request shapes", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ replicate: true, pchannels: 2 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  async function promote(uri: string, config: ReplicateConfiguration) {
    const c = new MilvusClient({ address: uri, logLevel: "error" });
    try {
      return await c.updateReplicateConfiguration({ ...config, force_promote: true, timeout: 30_000 });
    } finally {
      await c.closeConnection();
    }
  }

  it("refuses each invalid request over the wire with its version's text and stays secondary", async () => {
    const both = buildReplicateConfiguration({ source: lab.source, target: lab.target });
    // The first version's general checks come first: a resend of the held configuration is a no-op.
    const same = await promote(lab.target.uri, both);
    expect(same.code ?? 0).toBe(0);
    expect(lab.fronts.target.role).toBe("secondary");
    const reversed = buildReplicateConfiguration({ source: lab.target, target: lab.source });
    const two = await promote(lab.target.uri, reversed);
    expect(two.reason).toBe(
      "force promote requires configuration with exactly one cluster (current cluster only), got 2 clusters",
    );
    const other = await promote(lab.target.uri, {
      clusters: both.clusters.slice(0, 1),
      cross_cluster_topology: [],
    });
    expect(other.reason).toBe(
      `current Milvus cluster '${lab.target.clusterId}' must be included in the clusters list`,
    );
    const topo = await promote(lab.target.uri, {
      clusters: [],
      cross_cluster_topology: both.cross_cluster_topology,
    });
    expect(topo.reason).toBe(FORCE_PROMOTE_NOT_EMPTY);
    const onPrimary = await promote(lab.source.uri, { clusters: [], cross_cluster_topology: [] });
    expect(onPrimary.reason).toBe(FORCE_PROMOTE_ON_PRIMARY);
    expect(lab.fronts.target.role).toBe("secondary");
  });

  it("promotes on the empty request, building the config from the cluster's own entry", async () => {
    const res = await promote(lab.target.uri, { clusters: [], cross_cluster_topology: [] });
    expect(res.code ?? 0).toBe(0);
    expect(lab.fronts.target.role).toBe("primary");
    const held = await getReplicateConfiguration(lab.target);
    expect(held?.clusters.map((c) => c.cluster_id)).toEqual([lab.target.clusterId]);
  });
});

describe("force promote on fronts that emulate only the later Milvus validation (empty request)", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ replicate: true, pchannels: 2, forcePromoteShapes: "empty-only" });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("the drill client falls back to the empty shape, then answers 'already primary'", async () => {
    const first = await forcePromote(lab.target, { timeoutMs: 30_000 });
    expect(first.attempts).toEqual([
      { shape: "current-cluster", ok: false, reason: FORCE_PROMOTE_NOT_EMPTY },
      { shape: "empty", ok: true },
    ]);
    expect(first.shape).toBe("empty");
    expect(lab.fronts.target.role).toBe("primary");
    const again = await forcePromote(lab.target, { timeoutMs: 30_000 });
    expect(again.alreadyPrimary).toBe(true);
  });
});
