import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KindBackend } from "../src/backends/kind/backend.js";
import { pchannelsFor } from "../src/backends/kind/manifests.js";
import { META_END, metaBegin } from "../src/backends/kind/milvus-backup.js";
import { defaultKindOptions, type KindOptions } from "../src/backends/kind/options.js";
import type { ClusterEndpoint } from "../src/backends/types.js";
import { seedStandby } from "../src/drill/seed.js";
import { protoRoot } from "../src/milvus/proto.js";
import {
  alive,
  captureLog,
  FORWARD,
  goRules,
  HEALTHY_PAIR,
  STANDIN_MILVUS_BACKUP_PIN as PINNED,
  type Rule,
  STANDIN_KIND_OPTIONS,
  standins,
} from "./stand-ins/harness.js";

/** What the Milvus side saw, in order, each with the kubectl calls made before it. */
const events: string[] = [];
let kubectlCalls: () => string[] = () => [];
let allCalls: () => string[] = () => [];
const applied = () =>
  kubectlCalls()
    .filter((c) => c.startsWith("apply -f"))
    .map((c) => c.replace(/^apply -f .*\//, "").replace(/\.yaml$/, ""));

vi.mock("../src/milvus/replicate.js", async (orig) => ({
  ...(await orig<typeof import("../src/milvus/replicate.js")>()),
  configureReplication: vi.fn(
    async (pair: { source: ClusterEndpoint; target: ClusterEndpoint }, o: { only?: string }) => {
      events.push(
        `configure ${o.only} ${pair.source.clusterId}->${pair.target.clusterId} after [${applied().join(", ")}]`,
      );
      return { confirmedBy: "recorder" };
    },
  ),
  // Right after the restore the standby still holds the edge as a secondary (milvus-io/milvus#52727).
  readReplicateConfiguration: vi.fn(async (ep: ClusterEndpoint) => {
    events.push(`role read of ${ep.clusterId} after [${applied().join(", ")}]`);
    return {
      clusters: [],
      cross_cluster_topology: [
        { source_cluster_id: ep.clusterId === "alpha" ? "bravo" : "alpha", target_cluster_id: ep.clusterId },
      ],
    };
  }),
  getReplicateInfo: vi.fn(async () => {
    const restored = applied().some((a) => a.startsWith("mb-restore"));
    events.push(`checkpoint read ${restored ? "after" : "before"} the restore`);
    return restored ? { timeTick: "9", messageId: "m" } : { timeTick: null, messageId: null };
  }),
}));
vi.mock("../src/drill/settle.js", async (orig) => ({
  ...(await orig<typeof import("../src/drill/settle.js")>()),
  hasCollection: vi.fn(async (_c: unknown, name: string) => {
    events.push(`has ${name}`);
    return false;
  }),
  countOf: vi.fn(async () => 10),
  markerSeen: vi.fn(async () => true),
}));

// The default readiness bound: this file's backends wait as a drill's would.
const OPTS: KindOptions = { ...STANDIN_KIND_OPTIONS, readyTimeoutMs: defaultKindOptions().readyTimeoutMs };

function createLog(cluster: string): string {
  const t = protoRoot().lookupType("milvus.proto.common.ImmutableMessage");
  const flush = Object.fromEntries(
    pchannelsFor(cluster).map((p) => [
      p,
      Buffer.from(
        t.encode(t.fromObject({ id: { id: "m" }, properties: { _tt: (9).toString(36) } })).finish(),
      ).toString("base64"),
    ]),
  );
  const files = {
    "backup_meta.json": { flush_all_msgs_base64: flush },
    "collection_meta.json": {
      infos: [
        {
          collection_id: 1,
          collection_name: "drill_items",
          physical_channel_names: [pchannelsFor(cluster)[0]],
        },
      ],
    },
    "segment_meta.json": { infos: [{ collection_id: 1, num_of_rows: 10 }] },
  };
  return Object.entries(files)
    .flatMap(([f, v]) => [metaBegin(f), JSON.stringify(v), META_END])
    .join("\n");
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  events.length = 0;
});

function kindBackend(backedUp: string) {
  const env = standins();
  const rules: Rule[] = [
    // provision (only the test that provisions reaches these): the pinned build through a stand-in go,
    // both clusters Healthy, the port-forwards up.
    ...goRules(PINNED, { dir: "/m/mb@v0.5.16" }),
    HEALTHY_PAIR,
    FORWARD,
    { tool: "kubectl", match: "^apply -f", respond: [{ stdout: "applied" }] },
    {
      tool: "kubectl",
      match: "^get job",
      respond: [{ stdout: JSON.stringify({ status: { succeeded: 1 } }) }],
    },
    { tool: "kubectl", match: "^get pods", respond: [{ stdout: JSON.stringify({ items: [] }) }] },
    { tool: "kubectl", match: "^logs -n drills job/mb-create", respond: [{ stdout: createLog(backedUp) }] },
    { tool: "kubectl", match: "^logs", respond: [{ stdout: "restore done" }] },
  ];
  env.setRules(rules);
  const workDir = mkdtempSync(join(tmpdir(), "seed-kind-"));
  const backend = new KindBackend(OPTS, {
    log: captureLog(),
    runner: env.runner,
    workDir,
    tools: { kind: "kind", kubectl: "kubectl", helm: "helm" },
    timing: {
      pollMs: 20,
      callTimeoutMs: 5000,
      applyTimeoutMs: 5000,
      backupJobTimeoutMs: 2000,
      dockerTimeoutMs: 5000,
      createTimeoutMs: 5000,
      imageTimeoutMs: 5000,
      operatorTimeoutMs: 5000,
      operatorWaitTimeoutMs: 5000,
      portForwardReadyMs: 5000,
      milvusBackupBuildTimeoutMs: 5000,
    },
    milvusBackupCacheDir: join(workDir, "cache"),
    env: { githubActions: false, ci: false },
    milvusBackup: PINNED,
    seeding: backedUp === "alpha",
    wayBack: backedUp === "bravo",
  });
  kubectlCalls = () =>
    env
      .calls()
      .filter((c) => c.tool === "kubectl")
      .map((c) => c.args.join(" "));
  allCalls = () => env.calls().map((c) => `${c.tool} ${c.args.join(" ")}`);
  cleanups.push(async () => {
    await backend.teardown();
    for (const c of env.calls()) if (alive(c.pid)) process.kill(c.pid, "SIGKILL");
    env.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });
  return backend;
}

const endpoint = (name: string): ClusterEndpoint => ({
  clusterId: name,
  uri: "http://127.0.0.1:1",
  replicateUri: `http://${name}-milvus.drills.svc.cluster.local:19530`,
  pchannels: pchannelsFor(name),
});

async function seed(backend: KindBackend, from: "source" | "target") {
  const steps: string[] = [];
  const [src, dst] = from === "source" ? ["alpha", "bravo"] : ["bravo", "alpha"];
  const r = await seedStandby({
    backend,
    pair: { source: endpoint(src as string), target: endpoint(dst as string) },
    sides:
      from === "source" ? { source: "source", target: "target" } : { source: "target", target: "source" },
    source: {} as MilvusClient,
    target: {} as MilvusClient,
    collections: ["drill_items"],
    writeMarker: async () => {
      events.push(`marker after [${applied().join(", ")}]`);
      return { collection: "drill_items", pk: "1", ver: 1 };
    },
    timeoutMs: 2000,
    log: captureLog(),
    step: async (name, fn) => {
      steps.push(name);
      return fn();
    },
    name: "b1",
  });
  return { r, steps };
}

describe("seedStandby on kind, in restore secondary order", () => {
  it("scenario seed: create on the primary, configure the standby, refuse-check, restore secondary, configure the primary, marker", async () => {
    const backend = kindBackend("alpha");
    const { r, steps } = await seed(backend, "source");
    expect(steps).toEqual(["backup", "configure-standby", "restore", "configure", "first-replicated-write"]);
    expect(r.backup.clusterId).toBe("alpha");
    expect(r.rowsSeeded).toBe(10);
    const checks = events.filter((e) => e.startsWith("checkpoint read before")).length;
    expect(checks).toBe(16);
    expect(events.filter((e) => !e.startsWith("checkpoint read"))).toEqual([
      // The standby's collections before the create as well (existing runs the user's create).
      "has drill_items",
      "configure standby alpha->bravo after [mb-create-b1]",
      "has drill_items",
      "role read of bravo after [mb-create-b1, mb-restore-b1]",
      "configure primary alpha->bravo after [mb-create-b1, mb-restore-b1]",
      "marker after [mb-create-b1, mb-restore-b1]",
    ]);
    // Every refusal check ran before the restore Job was applied; the checkpoints were read after it.
    const firstAfter = events.findIndex((e) => e === "checkpoint read after the restore");
    expect(events.slice(0, firstAfter).every((e) => !e.includes("mb-restore"))).toBe(true);
    expect(events.filter((e) => e === "checkpoint read after the restore")).toHaveLength(16);
  });

  it("failover on kind, every call in order: the pinned build (go, docker build) before kind create, the image loaded after it, then the way back's create on B and restore secondary into A", async () => {
    const backend = kindBackend("bravo");
    await backend.provision();
    await seed(backend, "target");
    const wanted = [
      /^go version$/,
      /^go mod download -json github\.com\/zilliztech\/milvus-backup@v0\.5\.16$/,
      /^go build -C \/m\/mb@v0\.5\.16 -trimpath -ldflags .* -o .*milvus-backup\.\d+\.partial \.$/,
      /^docker build -t milvus-cdc-drill\/milvus-backup:v0\.5\.16-[0-9a-f]{12} /,
      /^kind create cluster --name drill-test /,
      /^kind load docker-image milvus-cdc-drill\/milvus-backup:v0\.5\.16-[0-9a-f]{12} --name drill-test$/,
      /^kubectl apply -f .*\/mb-create-b1\.yaml$/,
      /^kubectl logs -n drills job\/mb-create-b1 -c meta --tail=-1$/,
      /^kubectl apply -f .*\/mb-restore-b1\.yaml$/,
      /^kubectl logs -n drills job\/mb-restore-b1 -c milvus-backup --tail=-1$/,
    ];
    const calls = allCalls();
    const at = wanted.map((w) => calls.findIndex((c) => w.test(c)));
    expect(
      at.every((i) => i >= 0),
      `${wanted[at.indexOf(-1)]} in\n${calls.join("\n")}`,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Provision applied the two CRs first.
    expect(events.filter((e) => e.startsWith("configure"))).toEqual([
      "configure standby bravo->alpha after [source, target, mb-create-b1]",
      "configure primary bravo->alpha after [source, target, mb-create-b1, mb-restore-b1]",
    ]);
  });

  it("the failover's way back: a backup of the new primary B restored into the rebuilt A, configured B -> A", async () => {
    const backend = kindBackend("bravo");
    const { r } = await seed(backend, "target");
    expect(r.backup.clusterId).toBe("bravo");
    expect(events.filter((e) => e.startsWith("configure"))).toEqual([
      "configure standby bravo->alpha after [mb-create-b1]",
      "configure primary bravo->alpha after [mb-create-b1, mb-restore-b1]",
    ]);
    const restoreApply = kubectlCalls().findIndex((c) => c.includes("mb-restore-b1.yaml"));
    expect(restoreApply).toBeGreaterThan(kubectlCalls().findIndex((c) => c.includes("mb-create-b1.yaml")));
  });
});
