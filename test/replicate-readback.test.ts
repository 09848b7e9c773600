/**
 * Replication setup against Milvus releases whose proxy answers GetReplicateConfiguration with
 * UNIMPLEMENTED (2.6.x before milvus-io/milvus#49810, e.g. v2.6.11, the operator's default image).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalBackend } from "../src/backends/local/backend.js";
import type { ClusterEndpoint, ClusterPair } from "../src/backends/types.js";
import { runDrill } from "../src/drill/run.js";
import { configureReplication, ReplicationConfigError } from "../src/milvus/replicate.js";
import { quietLog, smallConfig } from "./helpers/drill.js";
import { FakeMilvus, type Handler, HidingProxy } from "./helpers/fake-milvus.js";

const servers: FakeMilvus[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(handlers: Record<string, Handler>): Promise<FakeMilvus> {
  const s = new FakeMilvus(handlers);
  await s.start();
  servers.push(s);
  return s;
}

function pairOf(source: FakeMilvus, target: FakeMilvus): ClusterPair {
  const end = (id: string, uri: string) => ({
    clusterId: id,
    uri,
    replicateUri: `http://${id}-milvus.drill.svc.cluster.local:19530`,
    pchannels: [`${id}-rootcoord-dml_0`, `${id}-rootcoord-dml_1`],
  });
  return { source: end("alpha", source.uri), target: end("bravo", target.uri) };
}

const UPDATE_OK: Handler = () => ({});
const CHECKPOINT: Handler = (req) =>
  req.source_cluster_id === "alpha" && req.target_pchannel === "bravo-rootcoord-dml_0"
    ? { checkpoint: { cluster_id: "alpha", pchannel: "alpha-rootcoord-dml_0", time_tick: "0" } }
    : null;

describe("configureReplication on a release without GetReplicateConfiguration", () => {
  it("continues, confirming with GetReplicateInfo on the standby, and says so", async () => {
    const source = await serve({ UpdateReplicateConfiguration: UPDATE_OK });
    const target = await serve({ UpdateReplicateConfiguration: UPDATE_OK, GetReplicateInfo: CHECKPOINT });
    const log: string[] = [];
    const r = await configureReplication(pairOf(source, target), {
      timeoutMs: 5_000,
      log: (m) => log.push(m),
    });
    expect(r.confirmedBy).toBe(
      "GetReplicateInfo on the standby (GetReplicateConfiguration UNIMPLEMENTED on the primary and standby)",
    );
    expect(r.configuration.cross_cluster_topology).toEqual([
      { source_cluster_id: "alpha", target_cluster_id: "bravo" },
    ]);
    // Both clusters got the configuration, primary first.
    expect(source.calls.filter((c) => c.method === "UpdateReplicateConfiguration")).toHaveLength(1);
    expect(target.calls.map((c) => c.method)).toEqual(
      expect.arrayContaining(["UpdateReplicateConfiguration", "GetReplicateInfo"]),
    );
    expect(log.some((l) => l.includes("UNIMPLEMENTED") && l.includes("milvus-io/milvus#49810"))).toBe(true);
  });

  it("fails naming both RPCs when the standby cannot confirm either way", async () => {
    const source = await serve({ UpdateReplicateConfiguration: UPDATE_OK });
    // The standby never answers GetReplicateInfo: Milvus blocks on a source it does not replicate from.
    const target = await serve({ UpdateReplicateConfiguration: UPDATE_OK, GetReplicateInfo: () => null });
    const err = await configureReplication(pairOf(source, target), { timeoutMs: 1_500 }).catch((e) => e);
    expect(err).toBeInstanceOf(ReplicationConfigError);
    expect((err as Error).message).toMatch(
      /^standby bravo: the configuration cannot be read back \(GetReplicateConfiguration UNIMPLEMENTED\) and GetReplicateInfo\(alpha, bravo-rootcoord-dml_0\) did not answer/,
    );
  });

  it("reads the configuration back where the release has the RPC", async () => {
    const held: { v: unknown } = { v: null };
    const withReadBack = (): Record<string, Handler> => ({
      UpdateReplicateConfiguration: (req) => {
        held.v = req.replicate_configuration;
        return {};
      },
      GetReplicateConfiguration: () => ({ status: {}, configuration: held.v as Record<string, unknown> }),
    });
    const source = await serve(withReadBack());
    const target = await serve(withReadBack());
    const r = await configureReplication(pairOf(source, target), { timeoutMs: 5_000 });
    expect(r.confirmedBy).toBe("GetReplicateConfiguration on both clusters");
    expect(target.calls.some((c) => c.method === "GetReplicateInfo")).toBe(false);
  });
});

describe("a drill against clusters without GetReplicateConfiguration", () => {
  it("continues past replication setup, passes, and the report says how replication was confirmed", async () => {
    const proxies: HidingProxy[] = [];
    /** The local backend, reached through proxies that hide the read-back RPC, like Milvus 2.6.6-2.6.15. */
    class OldProxyLocal extends LocalBackend {
      override async provision(signal?: AbortSignal): Promise<ClusterPair> {
        const pair = await super.provision(signal);
        const hide = async (e: ClusterEndpoint): Promise<ClusterEndpoint> => {
          const p = new HidingProxy(e.uri, ["GetReplicateConfiguration"]);
          await p.start();
          proxies.push(p);
          return { ...e, uri: p.uri };
        };
        return { source: await hide(pair.source), target: await hide(pair.target) };
      }
      override async teardown(): Promise<void> {
        for (const p of proxies) await p.stop();
        await super.teardown();
      }
    }
    const dir = await mkdtemp(join(tmpdir(), "drill-readback-"));
    try {
      // Lag is not what this test is about; a loaded machine must not turn it red.
      const config = smallConfig("none", 5, { thresholds: { lagSloMs: 600_000 } });
      const backend = new OldProxyLocal({ ...config.backend.local, log: quietLog });
      const report = await runDrill(config, { outDir: dir, log: quietLog, backend });
      expect(report.error).toBeUndefined();
      expect(report.checks.find((c) => c.name === "parity")?.verdict).toBe("pass");
      expect(report.verdict).toBe("pass");
      expect(report.backend.details["replication.confirmedBy"]).toBe(
        "GetReplicateInfo on the standby (GetReplicateConfiguration UNIMPLEMENTED on the primary and standby)",
      );
      const summary = await readFile(join(dir, "summary.md"), "utf8");
      expect(summary).toContain("GetReplicateInfo on the standby");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
