import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { loadCrdValidator } from "../src/backends/kind/crd-schema.js";
import { buildPlan, run } from "../src/cli/commands/plan.js";
import { UsageError } from "../src/errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "plan-"));
  dirs.push(d);
  return d;
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
        "commands.txt",
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
    const tgt = parse(readFileSync(join(out, "target.yaml"), "utf8"));
    expect(validator.validate(tgt)).toEqual([]);
    expect(tgt.metadata).toMatchObject({ name: "west", namespace: "dr" });

    expect(parse(readFileSync(join(out, "operator-values.yaml"), "utf8"))).toEqual({
      resources: { requests: { cpu: "10m", memory: "64Mi" } },
    });
    expect(parse(readFileSync(join(out, "kind-config.yaml"), "utf8")).kind).toBe("Cluster");
    const rc = JSON.parse(readFileSync(join(out, "replicate-config.json"), "utf8"));
    expect(rc.clusters.map((c: { cluster_id: string }) => c.cluster_id)).toEqual(["east", "west"]);
    expect(rc.clusters[0].connection_param.uri).toBe("http://east-milvus.dr.svc.cluster.local:19530");
    expect(rc.clusters[1].pchannels).toHaveLength(16);
    expect(rc.cross_cluster_topology).toEqual([{ source_cluster_id: "east", target_cluster_id: "west" }]);

    const cmds = readFileSync(join(out, "commands.txt"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    const order = [
      "docker info",
      "kind create cluster --name drill-kind --config kind-config.yaml --wait 120s",
      "helm upgrade --install milvus-operator milvus-operator --repo https://zilliztech.github.io/milvus-operator/ --version 1.3.8 -n milvus-operator --create-namespace --set resources.requests.cpu=10m",
      "kubectl -n milvus-operator wait --timeout=3m --for=condition=available deployments/milvus-operator",
      "kubectl apply -f source.yaml",
      "kubectl apply -f target.yaml",
      "kubectl get milvus east west -n dr -o json",
      "kubectl port-forward --address 127.0.0.1 -n dr svc/east-milvus LOCAL_PORT:19530 &",
      "kubectl delete pod -n dr -l app.kubernetes.io/instance=east,app.kubernetes.io/component=cdc --grace-period=0 --force --wait=false",
      "kind delete cluster --name drill-kind",
    ];
    let at = -1;
    for (const o of order) {
      const i = cmds.findIndex((c, idx) => idx > at && c.startsWith(o));
      expect(i, `'${o}' after line ${at}`).toBeGreaterThan(at);
      at = i;
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
    [["--bogus", "1"], "Unknown option '--bogus'"],
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
});
