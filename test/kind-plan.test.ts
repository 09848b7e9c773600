import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { loadCrdValidator } from "../src/backends/kind/crd-schema.js";
import { buildPlan, run } from "../src/cli/commands/plan.js";
import { run as runReplicate } from "../src/cli/commands/replicate.js";
import { UsageError } from "../src/errors.js";
import { FakeMilvus } from "./helpers/fake-milvus.js";
import { FORWARD, standins, stillAliveAfter } from "./stand-ins/harness.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "plan-"));
  dirs.push(d);
  return d;
}

/**
 * Each entry of `order` begins an item of `items` later than the one before it: lines of commands.sh
 * ("line"), or the stand-ins' calls ("call", every call listed when one is missing or out of order).
 */
function inOrder(items: readonly string[], order: readonly string[], what: "line" | "call"): void {
  let at = -1;
  for (const o of order) {
    const i = items.findIndex((c, idx) => idx > at && c.startsWith(o));
    expect(i, `'${o}' after ${what} ${at}${what === "call" ? `: ${items.join(" | ")}` : ""}`).toBeGreaterThan(
      at,
    );
    at = i;
  }
}

describe("milvus-cdc-drill plan", () => {
  it("writes the six plan files, CRs valid against the CRD, commands in provisioning order", async () => {
    const out = join(scratch(), "plan");
    const code = await run([
      "--backend",
      "kind",
      "--milvus-version",
      "2.6.16",
      "--mode",
      "cluster",
      "--namespace",
      "dr",
      "--source-name",
      "east",
      "--target-name",
      "west",
      "--cluster-name",
      "drill-kind",
      "--out",
      out,
    ]);
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      [
        "commands.sh",
        "kind-config.yaml",
        "operator-values.yaml",
        "replicate-config.json",
        "source.yaml",
        "target.yaml",
      ].sort(),
    );
    const validator = loadCrdValidator();
    const src = parseAllDocuments(readFileSync(join(out, "source.yaml"), "utf8")).map((d) => d.toJS());
    expect(src.map((d) => d.kind)).toEqual(["Namespace", "Milvus"]);
    expect(validator.validate(src[1])).toEqual([]);
    expect(src[1].spec.mode).toBe("cluster");
    expect(src[1].spec.components.image).toBe("milvusdb/milvus:v2.6.16");
    // MinIO from quay.io: Docker Hub no longer serves minio/minio (milvus-io/milvus#53430).
    expect(src[1].spec.dependencies.storage.inCluster.values.image).toEqual({
      repository: "quay.io/minio/minio",
      tag: "RELEASE.2024-12-18T13-15-44Z",
    });
    expect(src[1].spec.dependencies.etcd.inCluster.values.image).toEqual({
      registry: "docker.io",
      repository: "milvusdb/etcd",
      tag: "3.5.25-r1",
    });
    const tgt = parse(readFileSync(join(out, "target.yaml"), "utf8"));
    expect(validator.validate(tgt)).toEqual([]);
    expect(tgt.metadata).toMatchObject({ name: "west", namespace: "dr" });
    expect(tgt.spec.components.cdc).toBeUndefined();

    expect(parse(readFileSync(join(out, "operator-values.yaml"), "utf8"))).toEqual({
      image: { repository: "milvusdb/milvus-operator", tag: "v1.3.8" },
      resources: { requests: { cpu: "10m", memory: "64Mi" } },
    });
    expect(parse(readFileSync(join(out, "kind-config.yaml"), "utf8")).kind).toBe("Cluster");
    const rc = JSON.parse(readFileSync(join(out, "replicate-config.json"), "utf8"));
    expect(rc.clusters.map((c: { cluster_id: string }) => c.cluster_id)).toEqual(["east", "west"]);
    expect(rc.clusters[0].connection_param.uri).toBe("http://east-milvus.dr.svc.cluster.local:19530");
    expect(rc.clusters[1].pchannels).toHaveLength(16);
    expect(rc.cross_cluster_topology).toEqual([{ source_cluster_id: "east", target_cluster_id: "west" }]);

    const script = readFileSync(join(out, "commands.sh"), "utf8");
    expect(statSync(join(out, "commands.sh")).mode & 0o111).not.toBe(0);
    expect(script).not.toContain("LOCAL_PORT");
    const syntax = spawnSync("bash", ["-n", join(out, "commands.sh")], { encoding: "utf8" });
    expect(syntax.status, syntax.stderr).toBe(0);
    const cmds = script.split("\n").filter((l) => l && !l.trimStart().startsWith("#"));
    const access = "--kubeconfig kubeconfig --context kind-drill-kind";
    const order = [
      "for image in milvusdb/milvus:v2.6.16 milvusdb/etcd:3.5.25-r1 quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z milvusdb/milvus-operator:v1.3.8; do",
      "docker info",
      "kind create cluster --name drill-kind --config kind-config.yaml --wait 120s --kubeconfig kubeconfig",
      "trap cleanup EXIT",
      "load_image() {",
      '  if ! kind load docker-image "$1" --name drill-kind; then',
      "    kind load image-archive image.tar --name drill-kind",
      '  load_image "$image"',
      'if [ "${CI:-}" = true ]',
      "helm upgrade --install milvus-operator milvus-operator --repo https://zilliztech.github.io/milvus-operator/ --version 1.3.8 -n milvus-operator --create-namespace --set-string image.repository=milvusdb/milvus-operator --set-string image.tag=v1.3.8",
      `kubectl ${access} -n milvus-operator wait --timeout=3m --for=condition=available deployments/milvus-operator`,
      `kubectl ${access} apply -f source.yaml`,
      `kubectl ${access} apply -f target.yaml`,
      `kubectl ${access} wait -n dr milvus/east`,
      `kubectl ${access} port-forward --address 127.0.0.1 -n dr svc/east-milvus "$SOURCE_PORT:19530" &`,
      '$DRILL replicate --config replicate-config.json --source-uri "http://127.0.0.1:$SOURCE_PORT"',
      `kubectl ${access} delete pod -n dr -l app.kubernetes.io/instance=east,app.kubernetes.io/component=cdc --grace-period=0 --force --wait=false`,
    ];
    inOrder(cmds, order, "line");
    expect(script).toContain("cleanup() {");
    expect(script).toContain("kind delete cluster --name drill-kind --kubeconfig kubeconfig");
    // Every kubectl and helm line names the plan's own kubeconfig and context.
    for (const c of cmds.filter((l) => /^\s*kubectl /.test(l))) expect(c).toContain(access);
    for (const c of cmds.filter((l) => /^\s*helm /.test(l)))
      expect(c).toContain("--kubeconfig kubeconfig --kube-context kind-drill-kind");
  });

  it("plans v2.6.11 (the operator's default image, too old for the read-back RPC) and a registry mirror", () => {
    const { files } = buildPlan([
      "--backend",
      "kind",
      "--milvus-version",
      "v2.6.11",
      "--image",
      "milvus=mirror.example.com/milvusdb/milvus",
      "--image",
      "minio=mirror.example.com/minio/minio:RELEASE.2024-12-18T13-15-44Z",
      "--out",
      join(scratch(), "p"),
    ]);
    const cr = parseAllDocuments(files["source.yaml"] ?? "")[1]?.toJS();
    expect(loadCrdValidator().validate(cr)).toEqual([]);
    expect(cr.spec.components.image).toBe("mirror.example.com/milvusdb/milvus:v2.6.11");
    expect(cr.spec.dependencies.storage.inCluster.values.image.repository).toBe(
      "mirror.example.com/minio/minio",
    );
    expect(files["commands.sh"]).toContain("mirror.example.com/milvusdb/milvus:v2.6.11");
  });

  it.each([
    ["switchover", true],
    ["failover", true],
    ["replication", false],
  ])("scenario %s: CDC on the standby's CR too = %s (every cluster that may become primary runs CDC)", (scenario, both) => {
    const dir = scratch();
    const cfg = join(dir, "drill.yaml");
    writeFileSync(cfg, `scenario: ${scenario}\n`);
    const { files } = buildPlan(["--backend", "kind", "--config", cfg, "--out", join(dir, "p")]);
    const milvusCr = (text: string | undefined) =>
      parseAllDocuments(text ?? "")
        .map((d) => d.toJS())
        .find((d) => d?.kind === "Milvus");
    const source = milvusCr(files["source.yaml"]);
    const target = milvusCr(files["target.yaml"]);
    expect(source.spec.components.cdc).toMatchObject({ replicas: 1 });
    if (both) expect(target.spec.components.cdc).toMatchObject({ replicas: 1 });
    else expect(target.spec.components.cdc).toBeUndefined();
    expect(loadCrdValidator().validate(target)).toEqual([]);
  });

  it("names quay.io MinIO by default", () => {
    const { files } = buildPlan(["--backend", "kind", "--out", join(scratch(), "p")]);
    expect(files["commands.sh"]).toContain("quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z");
    expect(files["commands.sh"]).not.toMatch(/(^|\s)minio\/minio:/m);
  });

  it.each([
    ["milvus=milvusdb/milvus:v2.6.22", "--image milvus: 'milvusdb/milvus:v2.6.22' names a tag or digest"],
    ["minio=quay.io/minio/minio", "--image minio: 'quay.io/minio/minio' has no tag"],
    [
      "redis=redis:7",
      "--image redis=redis:7: must be NAME=REF with NAME one of milvus, etcd, minio, operator, node",
    ],
    ["etcd=Not A Ref", "--image etcd: 'Not A Ref' is not an image reference"],
  ])("refuses --image %s in one line", (value, message) => {
    expect(() => buildPlan(["--backend", "kind", "--image", value, "--out", join(scratch(), "p")])).toThrow(
      message,
    );
  });

  it("commands.sh's replication step applies replicate-config.json as a drill does", async () => {
    const out = join(scratch(), "plan");
    await run(["--backend", "kind", "--source-name", "east", "--target-name", "west", "--out", out]);
    const held: { v: unknown } = { v: null };
    const servers = [0, 1].map(
      () =>
        new FakeMilvus({
          UpdateReplicateConfiguration: (req) => {
            held.v = req.replicate_configuration;
            return {};
          },
          GetReplicateConfiguration: () => ({ status: {}, configuration: held.v as Record<string, unknown> }),
        }),
    );
    await Promise.all(servers.map((s) => s.start()));
    try {
      const [s, t] = servers as [FakeMilvus, FakeMilvus];
      const code = await runReplicate([
        "--config",
        join(out, "replicate-config.json"),
        "--source-uri",
        s.uri,
        "--target-uri",
        t.uri,
        "--timeout",
        "10",
      ]);
      expect(code).toBe(0);
      for (const f of servers) {
        const update = f.calls.find((c) => c.method === "UpdateReplicateConfiguration");
        const cfg = update?.request.replicate_configuration as {
          clusters: Array<{ cluster_id: string; connection_param: { uri: string } }>;
        };
        expect(cfg.clusters.map((c) => c.connection_param.uri)).toEqual([
          "http://east-milvus.milvus.svc.cluster.local:19530",
          "http://west-milvus.milvus.svc.cluster.local:19530",
        ]);
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
    await expect(runReplicate(["--source-uri", "http://x:1", "--target-uri", "http://y:1"])).rejects.toThrow(
      "--config: missing",
    );
  });

  it("commands.sh runs as written: provision, preload with fallback, replication step, kill-cdc, teardown", async () => {
    const out = join(scratch(), "plan");
    await run(["--backend", "kind", "--cluster-name", "sh-test", "--out", out]);
    const env = standins();
    try {
      env.setRules([
        FORWARD,
        {
          tool: "kind",
          match: "^load docker-image milvusdb/etcd",
          respond: [{ code: 1, stderr: "content digest not found" }],
        },
      ]);
      const r = spawnSync("bash", [join(out, "commands.sh")], {
        encoding: "utf8",
        timeout: 60_000,
        // The replication step needs live clusters; here it only has to be called as written.
        env: { ...process.env, ...env.env, MILVUS_CDC_DRILL: `echo replicate-called`, CI: "" },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(
        "replicate-called replicate --config replicate-config.json --source-uri http://127.0.0.1:29530",
      );
      const calls = env.calls().map((c) => `${c.tool} ${c.args.join(" ")}`);
      const order = [
        "docker image inspect",
        "docker info",
        "kind create cluster --name sh-test",
        "kind load docker-image milvusdb/etcd:3.5.25-r1 --name sh-test",
        "docker save --platform",
        "kind load image-archive image.tar --name sh-test",
        "helm upgrade --install milvus-operator",
        "kubectl apply -f source.yaml",
        "kubectl wait -n milvus milvus/drill-primary",
        "kubectl port-forward",
        "kubectl delete pod -n milvus -l app.kubernetes.io/instance=drill-primary,app.kubernetes.io/component=cdc",
        "kind delete cluster --name sh-test",
      ];
      inOrder(calls, order, "call");
      // Not on CI: nothing pulled, nothing removed from the host.
      expect(calls.some((c) => c.startsWith("docker rmi"))).toBe(false);
      for (const c of env.calls().filter((c) => c.tool === "kubectl"))
        expect(c.access).toEqual({ kubeconfig: "kubeconfig", context: "kind-sh-test" });
      // The port-forwards the script started are gone with it.
      for (const c of env.calls().filter((c) => c.args[0] === "port-forward"))
        expect(await stillAliveAfter(c.pid)).toBe(false);
    } finally {
      for (const c of env.calls()) if (await stillAliveAfter(c.pid, 0)) process.kill(c.pid, "SIGKILL");
      env.cleanup();
    }
  });

  it("masks tokens in replicate-config.json", async () => {
    const { maskedReplicateConfig } = await import("../src/backends/kind/manifests.js");
    const text = JSON.stringify(
      maskedReplicateConfig({
        source: {
          clusterId: "a",
          uri: "x",
          replicateUri: "http://a:19530",
          pchannels: ["a-rootcoord-dml_0"],
          token: "root:Milvus",
        },
        target: {
          clusterId: "b",
          uri: "y",
          replicateUri: "http://b:19530",
          pchannels: ["b-rootcoord-dml_0"],
        },
      }),
    );
    expect(text).not.toContain("root:Milvus");
    expect(text).toContain('"token":"***"');
  });

  it.each([
    [["--mode", "swarm"], "mode"],
    [["--milvus-version", "2.6.5"], "milvusVersion"],
    [["--source-name", "drill", "--target-name", "drill-b"], "targetName"],
    [["--operator-version", "1.2.0"], "operatorVersion"],
    [["--bogus", "1"], "--bogus: unknown option; see plan --help"],
  ])("refuses %j with one line and writes nothing", (args, what) => {
    const out = join(scratch(), "plan");
    let err: unknown;
    try {
      buildPlan(["--backend", "kind", ...args, "--out", out]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(what);
    expect((err as Error).message).not.toContain("\n");
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a backend other than kind and a missing --out", () => {
    expect(() => buildPlan(["--backend", "local", "--out", "x"])).toThrow(
      "--backend: 'local' has nothing to plan (allowed: kind;",
    );
    expect(() => buildPlan(["--out", "x"])).toThrow(
      "--backend: required (allowed: kind; local needs no plan and existing creates nothing)",
    );
    expect(() => buildPlan(["--backend", "kind"])).toThrow("--out: missing");
  });

  it("exits 2 from the CLI on bad options and creates no output directory", () => {
    const out = join(scratch(), "plan");
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "plan",
        "--backend",
        "kind",
        "--milvus-version",
        "2.6.1",
        "--out",
        out,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("milvus-cdc-drill plan:");
    expect(r.stderr).toContain("2.6.1");
    expect(existsSync(out)).toBe(false);
  });

  it("plans a star of two standbys: three CRs valid against the CRD, two edges, commands.sh applies and forwards all", async () => {
    const out = join(scratch(), "plan");
    const code = await run(["--backend", "kind", "--standbys", "2", "--cluster-name", "star", "--out", out]);
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      [
        "commands.sh",
        "kind-config.yaml",
        "operator-values.yaml",
        "replicate-config.json",
        "source.yaml",
        "target-2.yaml",
        "target.yaml",
      ].sort(),
    );
    const validator = loadCrdValidator();
    const crs = ["source.yaml", "target.yaml", "target-2.yaml"]
      .flatMap((f) => parseAllDocuments(readFileSync(join(out, f), "utf8")).map((d) => d.toJS()))
      .filter((d) => d.kind === "Milvus");
    expect(crs.map((c) => c.metadata.name)).toEqual(["drill-primary", "drill-standby", "drill-second"]);
    for (const cr of crs) expect(validator.validate(cr)).toEqual([]);
    // Scenario replication: only the primary may become primary, so only it runs CDC.
    expect(crs.map((c) => c.spec.components.cdc?.replicas ?? 0)).toEqual([1, 0, 0]);
    const rc = JSON.parse(readFileSync(join(out, "replicate-config.json"), "utf8"));
    expect(rc.clusters.map((c: { cluster_id: string }) => c.cluster_id)).toEqual([
      "drill-primary",
      "drill-standby",
      "drill-second",
    ]);
    expect(rc.cross_cluster_topology).toEqual([
      { source_cluster_id: "drill-primary", target_cluster_id: "drill-standby" },
      { source_cluster_id: "drill-primary", target_cluster_id: "drill-second" },
    ]);
    expect(rc.clusters[2].connection_param.uri).toBe(
      "http://drill-second-milvus.milvus.svc.cluster.local:19530",
    );

    const script = readFileSync(join(out, "commands.sh"), "utf8");
    expect(spawnSync("bash", ["-n", join(out, "commands.sh")], { encoding: "utf8" }).status).toBe(0);
    const env = standins();
    try {
      env.setRules([FORWARD]);
      const r = spawnSync("bash", [join(out, "commands.sh")], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, ...env.env, MILVUS_CDC_DRILL: "echo replicate-called", CI: "" },
      });
      expect(r.status, r.stderr).toBe(0);
      // The replication step gets one --target-uri per edge, in the configuration's order.
      expect(r.stdout).toContain(
        "replicate-called replicate --config replicate-config.json --source-uri http://127.0.0.1:29530 --target-uri http://127.0.0.1:29531 --target-uri http://127.0.0.1:29532",
      );
      const calls = env.calls().map((c) => `${c.tool} ${c.args.join(" ")}`);
      const order = [
        "kind create cluster --name star",
        "helm upgrade --install milvus-operator",
        "kubectl apply -f source.yaml",
        "kubectl apply -f target.yaml",
        "kubectl apply -f target-2.yaml",
        "kubectl wait -n milvus milvus/drill-primary",
        "kubectl wait -n milvus milvus/drill-standby",
        "kubectl wait -n milvus milvus/drill-second",
        "kubectl delete pod -n milvus -l app.kubernetes.io/instance=drill-primary,app.kubernetes.io/component=cdc",
        "kind delete cluster --name star",
      ];
      inOrder(calls, order, "call");
      // The forwards start in the background (`&`), so they are logged in any order: each of the three
      // comes after the last wait and before the CDC kill.
      const lastWait = calls.findIndex((c) => c.startsWith("kubectl wait -n milvus milvus/drill-second"));
      const kill = calls.findIndex((c) => c.startsWith("kubectl delete pod -n milvus"));
      for (const f of [
        "svc/drill-primary-milvus 29530:19530",
        "svc/drill-standby-milvus 29531:19530",
        "svc/drill-second-milvus 29532:19530",
      ]) {
        const i = calls.indexOf(`kubectl port-forward --address 127.0.0.1 -n milvus ${f}`);
        expect(i, `port-forward ${f}: ${calls.join(" | ")}`).toBeGreaterThan(lastWait);
        expect(i).toBeLessThan(kill);
      }
      // Every port-forward the script started is gone with it.
      for (const c of env.calls().filter((c) => c.args[0] === "port-forward"))
        expect(await stillAliveAfter(c.pid)).toBe(false);
    } finally {
      for (const c of env.calls()) if (await stillAliveAfter(c.pid, 0)) process.kill(c.pid, "SIGKILL");
      env.cleanup();
    }
    expect(script).toContain("TARGET_2_PORT");
  });

  it("the replicate step applies a star's configuration to the primary, then each standby, and confirms each", async () => {
    const out = join(scratch(), "plan");
    await run(["--backend", "kind", "--standbys", "2", "--out", out]);
    const held: { v: unknown } = { v: null };
    const servers = [0, 1, 2].map(
      () =>
        new FakeMilvus({
          UpdateReplicateConfiguration: (req) => {
            held.v = req.replicate_configuration;
            return {};
          },
          GetReplicateConfiguration: () => ({ status: {}, configuration: held.v as Record<string, unknown> }),
        }),
    );
    await Promise.all(servers.map((s) => s.start()));
    try {
      const [p, a, b] = servers as [FakeMilvus, FakeMilvus, FakeMilvus];
      const argv = ["--config", join(out, "replicate-config.json"), "--source-uri", p.uri, "--timeout", "10"];
      await expect(runReplicate([...argv, "--target-uri", a.uri])).rejects.toThrow(
        "--target-uri: given 1 time(s), --config has 2 edge(s)",
      );
      expect(await runReplicate([...argv, "--target-uri", a.uri, "--target-uri", b.uri])).toBe(0);
      for (const f of servers) {
        const update = f.calls.filter((c) => c.method === "UpdateReplicateConfiguration");
        expect(update).toHaveLength(1);
        const cfg = update[0]?.request.replicate_configuration as {
          cross_cluster_topology: Array<{ target_cluster_id: string }>;
        };
        expect(cfg.cross_cluster_topology.map((e) => e.target_cluster_id)).toEqual([
          "drill-standby",
          "drill-second",
        ]);
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });

  it("refuses a star beyond what a runner fits, in one line, before writing anything", () => {
    expect(() => buildPlan(["--backend", "kind", "--standbys", "3", "--out", "x"])).toThrow(
      /^config topology\.standbys = 3: 4 standalone Milvus CRs on one kind runner .* allowed on kind: 1 to 2$/,
    );
  });
});
