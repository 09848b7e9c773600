import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExistingBackend, type ExistingOptions } from "../src/backends/existing/backend.js";
import { type Lab, startLab } from "../src/backends/local/lab.js";
import { httpText } from "../src/monitor/prom.js";
import { freePort } from "../src/util/net.js";
import { FakeMilvus, type Handler } from "./helpers/fake-milvus.js";
import { captureLog, podList, standins } from "./stand-ins/harness.js";

const TOKEN = "root:Sup3rSecretT0ken";

function options(over: Partial<ExistingOptions> = {}): ExistingOptions {
  return {
    source: { uri: "http://127.0.0.1:1", clusterId: "east", replicateUri: null },
    target: { uri: "http://127.0.0.1:2", clusterId: "west", replicateUri: null },
    pchannels: 16,
    configureReplication: false,
    kube: null,
    killCdcCommand: null,
    ...over,
  };
}

describe("existing backend against running clusters (a local lab with replication configured)", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ replicate: true, token: TOKEN, pchannels: 4 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("connects, learns both cluster ids from the replicate topology, uses it as it is, and logs no token", async () => {
    const log = captureLog();
    const backend = new ExistingBackend(
      options({
        source: { uri: lab.source.uri, token: TOKEN, clusterId: null, replicateUri: null },
        target: { uri: lab.target.uri, token: TOKEN, clusterId: null, replicateUri: null },
        pchannels: 4,
        metricsUrls: [lab.metricsUrl],
      }),
      { log, timing: { connectTimeoutMs: 20_000 } },
    );
    const pair = await backend.provision();
    // The configured metrics endpoint is scraped for lag-metric (the lab's replicator serves Milvus's names).
    expect(pair.metricsUrls).toEqual([lab.metricsUrl]);
    expect(await httpText(lab.metricsUrl, 5_000)).toContain("milvus_wal_last_confirmed_time_tick");
    expect(pair.source.clusterId).toBe(lab.source.clusterId);
    expect(pair.target.clusterId).toBe(lab.target.clusterId);
    expect(pair.source.pchannels).toEqual(lab.source.pchannels);
    expect(pair.target.pchannels).toEqual(lab.target.pchannels);
    // The addresses the clusters already store, not new ones: the drill applies nothing.
    expect(pair.source.replicateUri).toBe(lab.source.replicateUri);
    expect(pair.target.replicateUri).toBe(lab.target.replicateUri);
    expect(pair.replication?.confirmedBy).toBe(
      `already configured: ${lab.source.clusterId} -> ${lab.target.clusterId} read with GetReplicateConfiguration`,
    );
    expect(pair.source.token).toBe(TOKEN);
    expect(log.lines.join("\n")).not.toContain("Sup3rSecret");
    expect(JSON.stringify(backend.info)).not.toContain("Sup3rSecret");
    await backend.teardown();
  });

  it("refuses a replicateUri other than the one the cluster stores (Milvus never changes it)", async () => {
    const backend = new ExistingBackend(
      options({
        source: { uri: lab.source.uri, token: TOKEN, clusterId: null, replicateUri: null },
        target: {
          uri: lab.target.uri,
          token: TOKEN,
          clusterId: null,
          replicateUri: "http://standby.internal:19530",
        },
        configureReplication: true,
      }),
      { log: captureLog(), timing: { connectTimeoutMs: 20_000 } },
    );
    await expect(backend.provision()).rejects.toThrow(
      `backend.existing: target.replicateUri is http://standby.internal:19530 but ${lab.target.clusterId} is stored as ${lab.target.replicateUri}, and Milvus never lets a stored uri change`,
    );
  });

  it("refuses a held topology other than source -> target, even with configureReplication", async () => {
    const backend = new ExistingBackend(
      options({
        source: { uri: lab.source.uri, token: TOKEN, clusterId: "somebody-else", replicateUri: null },
        target: { uri: lab.target.uri, token: TOKEN, clusterId: null, replicateUri: null },
        configureReplication: true,
      }),
      { log: captureLog(), timing: { connectTimeoutMs: 20_000 } },
    );
    await expect(backend.provision()).rejects.toThrow(
      `backend.existing: ${lab.source.uri} already replicates with a different topology (it holds ${lab.source.clusterId} -> ${lab.target.clusterId}, not somebody-else -> ?); the drill changes no topology it did not create`,
    );
  });

  it("refuses cluster ids that contain each other", async () => {
    const backend = new ExistingBackend(
      options({
        source: { uri: lab.source.uri, token: TOKEN, clusterId: "dr", replicateUri: null },
        target: { uri: lab.target.uri, token: TOKEN, clusterId: "dr-standby", replicateUri: null },
      }),
      { log: captureLog(), timing: { connectTimeoutMs: 20_000 } },
    );
    await expect(backend.provision()).rejects.toThrow("cluster ids 'dr' and 'dr-standby' contain each other");
  });

  it("names the unreachable cluster, within its timeout", async () => {
    const port = await freePort();
    const backend = new ExistingBackend(
      options({
        source: { uri: lab.source.uri, token: TOKEN, clusterId: "east", replicateUri: null },
        target: { uri: `http://127.0.0.1:${port}`, token: TOKEN, clusterId: "west", replicateUri: null },
      }),
      // The reachable source must answer within it too, also on a loaded machine (5 s was too short
      // for the source lab once, with the whole suite running on two cores).
      { log: captureLog(), timing: { connectTimeoutMs: 10_000 } },
    );
    const started = Date.now();
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      new RegExp(`^target cluster at http://127\\.0\\.0\\.1:${port} is not reachable: `),
    );
    expect(err.message).not.toContain("Sup3rSecret");
    // Bounded by the timeout (plus slack), not by a gRPC default of minutes.
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe("existing backend never changes a topology it did not create", () => {
  const servers: FakeMilvus[] = [];
  afterAll(async () => {
    for (const f of servers) await f.stop();
  });
  async function clusters(source: Record<string, Handler>, target: Record<string, Handler> = {}) {
    const s = new FakeMilvus(source);
    const t = new FakeMilvus(target);
    await Promise.all([s.start(), t.start()]);
    servers.push(s, t);
    return { s, t };
  }
  const NONE: Handler = () => ({ status: {}, configuration: {} });
  const changed = (...f: FakeMilvus[]) =>
    f.flatMap((x) => x.calls).filter((c) => c.method === "UpdateReplicateConfiguration");
  const east = (uri: string, over: Partial<ExistingOptions["source"]> = {}) => ({
    uri,
    clusterId: "east",
    replicateUri: null,
    ...over,
  });
  const west = (uri: string, over: Partial<ExistingOptions["target"]> = {}) => ({
    uri,
    clusterId: "west",
    replicateUri: null,
    ...over,
  });

  it("refuses clusters without a configuration unless configureReplication, changing nothing", async () => {
    const { s, t } = await clusters({ GetReplicateConfiguration: NONE });
    const backend = new ExistingBackend(options({ source: east(s.uri), target: west(t.uri) }), {
      log: captureLog(),
    });
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toBe(
      `backend.existing: ${s.uri} holds no replicate configuration; the drill changes no topology it did not create (set configureReplication: true, or --configure-replication, to have it apply source -> target)`,
    );
    expect(changed(s, t)).toEqual([]);
  });

  it("knows every spelling of this machine as local-only, an IPv4-mapped IPv6 address included", () => {
    for (const u of [
      "http://localhost:19530",
      "http://127.0.0.1:19530",
      "http://127.1:19530",
      "http://2130706433:19530",
      "http://[::1]:19530",
      "http://[0:0:0:0:0:0:0:1]:19530",
      "http://[::ffff:127.0.0.1]:19530",
      "http://[::]:19530",
      "http://0.0.0.0:19530",
      "http://milvus.localhost:19530",
    ])
      expect(ExistingBackend.isLocalOnly(u), u).toBe(true);
    for (const u of [
      "http://10.0.0.5:19530",
      "http://[::ffff:10.0.0.5]:19530",
      "https://milvus-west.example:443",
    ])
      expect(ExistingBackend.isLocalOnly(u), u).toBe(false);
  });

  it("with configureReplication refuses loopback / port-forward addresses as CDC dial URIs", async () => {
    const { s, t } = await clusters({ GetReplicateConfiguration: NONE });
    const backend = new ExistingBackend(
      options({ source: east(s.uri), target: west(t.uri), configureReplication: true }),
      { log: captureLog() },
    );
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      new RegExp(
        `^backend\\.existing: source would be stored as ${s.uri.replace(/\./g, "\\.")}, which the CDC pod cannot reach and Milvus never lets change \\(set source\\.replicateUri, or --source-cdc-uri,`,
      ),
    );
    expect(err.message).not.toContain("\n");
    expect(changed(s, t)).toEqual([]);

    const ok = new ExistingBackend(
      options({
        source: east(s.uri, { replicateUri: "http://east-milvus.milvus.svc.cluster.local:19530" }),
        target: west(t.uri, { replicateUri: "http://west-milvus.milvus.svc.cluster.local:19530" }),
        configureReplication: true,
      }),
      { log: captureLog() },
    );
    const pair = await ok.provision();
    // The drill applies the configuration itself, with the in-cluster addresses.
    expect(pair.replication).toBeUndefined();
    expect(pair.target.replicateUri).toBe("http://west-milvus.milvus.svc.cluster.local:19530");
    expect(changed(s, t)).toEqual([]);
  });

  it("on releases without GetReplicateConfiguration, an answering GetReplicateInfo means already replicating", async () => {
    const { s, t } = await clusters(
      {},
      {
        GetReplicateInfo: (req) =>
          req.source_cluster_id === "east" && req.target_pchannel === "west-rootcoord-dml_0"
            ? { checkpoint: { cluster_id: "east", pchannel: "east-rootcoord-dml_0", time_tick: "1" } }
            : null,
      },
    );
    const pair = await new ExistingBackend(options({ source: east(s.uri), target: west(t.uri) }), {
      log: captureLog(),
    }).provision();
    expect(pair.replication?.confirmedBy).toBe(
      "already configured: GetReplicateInfo(east, west-rootcoord-dml_0) answered on the target (GetReplicateConfiguration UNIMPLEMENTED)",
    );

    const { s: s2, t: t2 } = await clusters({}, { GetReplicateInfo: () => null });
    const err = (await new ExistingBackend(options({ source: east(s2.uri), target: west(t2.uri) }), {
      log: captureLog(),
      // Also the bound on the unanswered GetReplicateInfo; generous enough for a loaded machine.
      timing: { connectTimeoutMs: 4000 },
    })
      .provision()
      .catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^backend\.existing: http:\/\/127\.0\.0\.1:\d+ does not replicate from east \(GetReplicateInfo\(east, west-rootcoord-dml_0\) did not answer\); the drill changes no topology it did not create/,
    );
    expect(changed(s2, t2)).toEqual([]);
  });
});

describe("existing backend in a star (issue 25): a list of targets", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ replicate: true, token: TOKEN, pchannels: 4, standbys: 2 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("connects to every target, confirms the held star (two edges) as it is, and logs no token", async () => {
    const log = captureLog();
    const second = lab.extraStandbys[0];
    if (!second) throw new Error("the lab started no second standby");
    const backend = new ExistingBackend(
      options({
        source: { uri: lab.source.uri, token: TOKEN, clusterId: lab.source.clusterId, replicateUri: null },
        target: { uri: lab.target.uri, token: TOKEN, clusterId: lab.target.clusterId, replicateUri: null },
        extraTargets: [{ uri: second.uri, token: TOKEN, clusterId: second.clusterId, replicateUri: null }],
        pchannels: 4,
      }),
      { log, timing: { connectTimeoutMs: 20_000 } },
    );
    const pair = await backend.provision();
    expect(pair.extraStandbys?.map((e) => e.clusterId)).toEqual([second.clusterId]);
    expect(pair.extraStandbys?.[0]).toMatchObject({
      uri: second.uri,
      token: TOKEN,
      replicateUri: second.replicateUri,
      pchannels: second.pchannels,
    });
    expect(pair.replication?.confirmedBy).toBe(
      `already configured: ${lab.source.clusterId} -> ${lab.target.clusterId}, ${lab.source.clusterId} -> ${second.clusterId} read with GetReplicateConfiguration`,
    );
    expect(backend.info.details.extraTargets).toBe(second.uri);
    expect(log.lines.join("\n")).toContain(second.clusterId);
    expect(log.lines.join("\n")).not.toContain("Sup3rSecret");
    expect(JSON.stringify(backend.info)).not.toContain("Sup3rSecret");
  });

  it("refuses a held topology that lacks one of the listed targets, naming what it holds", async () => {
    const backend = new ExistingBackend(
      options({
        source: { uri: lab.source.uri, token: TOKEN, clusterId: lab.source.clusterId, replicateUri: null },
        target: { uri: lab.target.uri, token: TOKEN, clusterId: lab.target.clusterId, replicateUri: null },
        // The first standby listed twice under another id: the held star has no edge to it.
        extraTargets: [{ uri: lab.target.uri, token: TOKEN, clusterId: "elsewhere", replicateUri: null }],
        pchannels: 4,
        configureReplication: true,
      }),
      { log: captureLog(), timing: { connectTimeoutMs: 20_000 } },
    );
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^backend\.existing: \S+ already replicates with a different topology \(it holds .* -> .*, .* -> .*, not .* -> elsewhere\)/,
    );
    expect(err.message).not.toContain("Sup3rSecret");
  });
});

describe("existing backend star: what it applies, and what it refuses, reading only", () => {
  const servers: FakeMilvus[] = [];
  afterAll(async () => {
    for (const f of servers) await f.stop();
  });
  const NONE: Handler = () => ({ status: {}, configuration: {} });
  async function three(source: Record<string, Handler>, targets: Record<string, Handler> = {}) {
    const all = [new FakeMilvus(source), new FakeMilvus(targets), new FakeMilvus(targets)];
    await Promise.all(all.map((f) => f.start()));
    servers.push(...all);
    return all as [FakeMilvus, FakeMilvus, FakeMilvus];
  }
  const changed = (f: FakeMilvus[]) =>
    f.flatMap((x) => x.calls).filter((c) => c.method === "UpdateReplicateConfiguration");
  const at = (uri: string, clusterId: string | null, replicateUri: string | null = null) => ({
    uri,
    clusterId,
    replicateUri,
  });
  const dns = (id: string) => `http://${id}-milvus.milvus.svc.cluster.local:19530`;

  it("with configureReplication returns every target, each dialled at its own in-cluster address", async () => {
    const [s, a, b] = await three({ GetReplicateConfiguration: NONE });
    const pair = await new ExistingBackend(
      options({
        source: at(s.uri, "east", dns("east")),
        target: at(a.uri, "west", dns("west")),
        extraTargets: [{ ...at(b.uri, "north", dns("north")), token: TOKEN }],
        configureReplication: true,
      }),
      { log: captureLog() },
    ).provision();
    expect(pair.replication).toBeUndefined();
    expect([pair.target, ...(pair.extraStandbys ?? [])].map((e) => [e.clusterId, e.replicateUri])).toEqual([
      ["west", dns("west")],
      ["north", dns("north")],
    ]);
    expect(pair.extraStandbys?.[0]?.token).toBe(TOKEN);
    expect(pair.extraStandbys?.[0]?.pchannels[0]).toBe("north-rootcoord-dml_0");
    // Provision reads only: the drill applies the configuration (N edges, every cluster) afterwards.
    expect(changed([s, a, b])).toEqual([]);
  });

  it("refuses, naming the input: a missing cluster id, ids that contain each other, a loopback dial address", async () => {
    const [s, a, b] = await three({ GetReplicateConfiguration: NONE });
    const provision = (extra: ReturnType<typeof at>, over: Partial<ExistingOptions> = {}) =>
      new ExistingBackend(
        options({
          source: at(s.uri, "east", dns("east")),
          target: at(a.uri, "west", dns("west")),
          extraTargets: [extra],
          configureReplication: true,
          ...over,
        }),
        { log: captureLog() },
      )
        .provision()
        .catch((e: Error) => e.message);
    expect(await provision(at(b.uri, null, dns("north")))).toBe(
      "backend.existing: extraTargets[0].clusterId is not set; a star needs every cluster's id",
    );
    expect(await provision(at(b.uri, "west-2", dns("north")))).toBe(
      "backend.existing: cluster ids 'west' (target) and 'west-2' (extraTargets[0]) contain each other; CDC matches channels by substring and would replicate the wrong ones",
    );
    expect(await provision(at(b.uri, "north"))).toMatch(
      /^backend\.existing: extraTargets\[0\] would be stored as http:\/\/127\.0\.0\.1:\d+, which the CDC pod cannot reach/,
    );
    expect(await provision(at(b.uri, "north", dns("north")), { configureReplication: false })).toBe(
      `backend.existing: ${s.uri} holds no replicate configuration; the drill changes no topology it did not create (set configureReplication: true, or --configure-replication, to have it apply east -> west, east -> north)`,
    );
    expect(changed([s, a, b])).toEqual([]);
  });

  it("on releases without GetReplicateConfiguration, every target's GetReplicateInfo must answer", async () => {
    const answers: Handler = (req) =>
      req.source_cluster_id === "east"
        ? { checkpoint: { cluster_id: "east", pchannel: "east-rootcoord-dml_0", time_tick: "1" } }
        : null;
    const [s, a, b] = await three({}, { GetReplicateInfo: answers });
    const ok = await new ExistingBackend(
      options({
        source: at(s.uri, "east"),
        target: at(a.uri, "west"),
        extraTargets: [at(b.uri, "north")],
      }),
      { log: captureLog() },
    ).provision();
    expect(ok.replication?.confirmedBy).toBe(
      "already configured: GetReplicateInfo(east, ...) answered on every target (GetReplicateConfiguration UNIMPLEMENTED)",
    );

    const s2 = new FakeMilvus({});
    const a2 = new FakeMilvus({ GetReplicateInfo: answers });
    const b2 = new FakeMilvus({ GetReplicateInfo: () => null });
    await Promise.all([s2, a2, b2].map((f) => f.start()));
    servers.push(s2, a2, b2);
    const err = await new ExistingBackend(
      options({
        source: at(s2.uri, "east"),
        target: at(a2.uri, "west"),
        extraTargets: [at(b2.uri, "north")],
        configureReplication: true,
      }),
      { log: captureLog(), timing: { connectTimeoutMs: 4000 } },
    )
      .provision()
      .catch((e: Error) => e.message);
    expect(err).toBe(
      `backend.existing: extraTargets[0] ${b2.uri} does not replicate from east (GetReplicateInfo did not answer); the drill changes no topology it did not create, and the other targets already replicate`,
    );
    expect(changed([s2, a2, b2])).toEqual([]);
  });
});

describe("existing backend faults", () => {
  it("kill-cdc runs the user's command through a shell, bounded, and keeps its output as evidence", async () => {
    const dir = mkdtempSync(join(tmpdir(), "existing-"));
    try {
      const marker = join(dir, "killed");
      const backend = new ExistingBackend(
        options({ killCdcCommand: `echo cdc down > ${marker} && echo done` }),
        {
          log: captureLog(),
        },
      );
      expect(backend.faults).toEqual(["kill-cdc"]);
      const ev = await backend.inject("kill-cdc");
      expect(readFileSync(marker, "utf8")).toBe("cdc down\n");
      expect(ev.output).toBe("done");
      expect(ev.injectedAt).toBeLessThanOrEqual(ev.commandDoneAt as number);

      const hung = new ExistingBackend(options({ killCdcCommand: `sleep 30; touch ${marker}.late` }), {
        log: captureLog(),
        timing: { killCommandTimeoutMs: 300 },
      });
      await expect(hung.inject("kill-cdc")).rejects.toThrow(
        "sleep 30; touch", // the command is named ...
      );
      await expect(hung.inject("kill-cdc")).rejects.toThrow(
        "timed out after 300ms waiting for killCdcCommand to finish",
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(`${marker}.late`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("kill-cdc through kubectl uses the given context, namespace and instance labels", async () => {
    const env = standins();
    try {
      env.setRules([
        {
          tool: "kubectl",
          match:
            "get pods -n prod-milvus -l app.kubernetes.io/instance=primary,app.kubernetes.io/component=cdc",
          respond: [
            { stdout: podList([{ name: "primary-milvus-cdc-x1", ready: true }]) },
            { stdout: podList([{ name: "primary-milvus-cdc-y2", ready: true }]) },
          ],
        },
      ]);
      const backend = new ExistingBackend(
        options({ kube: { context: "prod", namespace: "prod-milvus", sourceInstance: "primary" } }),
        { log: captureLog(), runner: env.runner, timing: { pollMs: 20, cdcRestartTimeoutMs: 5000 } },
      );
      const ev = await backend.inject("kill-cdc");
      expect(ev).toMatchObject({ oldPod: "primary-milvus-cdc-x1", newPod: "primary-milvus-cdc-y2" });
      const del = env.calls().find((c) => c.args.includes("delete"));
      expect(del?.argv).toEqual([
        "--context",
        "prod",
        "delete",
        "pod",
        "-n",
        "prod-milvus",
        "-l",
        "app.kubernetes.io/instance=primary,app.kubernetes.io/component=cdc",
        "--grace-period=0",
        "--force",
        "--wait=false",
      ]);
      for (const c of env.calls()) expect(c.argv.slice(0, 2)).toEqual(["--context", "prod"]);
    } finally {
      env.cleanup();
    }
  });

  it("without kube access or a command there is no fault to inject, and teardown touches nothing", async () => {
    const env = standins();
    try {
      const backend = new ExistingBackend(options(), { log: captureLog(), runner: env.runner });
      expect(backend.faults).toEqual([]);
      await expect(backend.inject("kill-cdc")).rejects.toThrow(
        "existing backend cannot inject 'kill-cdc' (allowed: none: set backend.existing.kube or killCdcCommand for kill-cdc)",
      );
      await backend.teardown();
      await backend.teardown();
      expect(await backend.collectDiagnostics()).toEqual([]);
      expect(env.calls()).toEqual([]);
    } finally {
      env.cleanup();
    }
  });
});
