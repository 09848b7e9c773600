/**
 * The kind backend's nemesis as Chaos Mesh resources: each validates against the Chaos Mesh CRDs of
 * the pinned chart (fixtures/chaos-mesh, byte copies of chart 2.8.3's, pinned by sha256), `plan`
 * writes them and commands.sh installs
 * Chaos Mesh for containerd only when a plan needs it. The validator must also say no.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KindBackend } from "../src/backends/kind/backend.js";
import {
  type ChaosResource,
  chaosResource,
  KIND_CHAOS_TYPES,
  needsChaosMesh,
} from "../src/backends/kind/chaos.js";
import { validateChaos } from "../src/backends/kind/crd-schema.js";
import { defaultKindOptions } from "../src/backends/kind/options.js";
import type { NemesisType } from "../src/backends/types.js";
import { buildPlan, run } from "../src/cli/commands/plan.js";
import { loadConfig } from "../src/config/load.js";
import { UsageError } from "../src/errors.js";
import {
  type Call,
  captureLog,
  FORWARD,
  milvusList,
  podList,
  type Rule,
  standins,
} from "./stand-ins/harness.js";

const root = join(__dirname, "..");
const FIXTURES = join(root, "fixtures", "chaos-mesh");
/** The chart 2.8.3 files as copied unchanged (fixtures/chaos-mesh/README.md); an edit must fail here. */
const CHART_FILES: Record<string, string> = {
  "chaos-mesh.org_podchaos.yaml": "60b1a4aca7588b8e14768f4868e5b348475dfc2cbe47707ef38269860f220396",
  "chaos-mesh.org_networkchaos.yaml": "d151d3d38cfb4e906df457a2927a8bad8872241655b0267e08e3315b1b615974",
  "chaos-mesh.org_stresschaos.yaml": "db0c878183757ac240de8ddf2e616b8bb66830bfad2f4b8328fe29d4e1588847",
  "values.yaml": "5f61db2631e9652e6e3d3fb01ca09bc1f4c7accfb4a73b8e74742039f5b66979",
};

const o = { ...defaultKindOptions(), namespace: "drills", sourceName: "alpha", targetName: "bravo" };
const params = { durationMs: 5000, delayMs: 200, jitterMs: 50 };
// biome-ignore lint/suspicious/noExplicitAny: tests break resources at arbitrary paths.
type Obj = Record<string, any>;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "chaos-plan-"));
  dirs.push(d);
  return d;
}

describe("Chaos Mesh resources against the chart's CRDs", () => {
  it("the shipped CRD copies are chart 2.8.3's, unchanged", () => {
    for (const [f, sha] of Object.entries(CHART_FILES))
      expect(
        createHash("sha256")
          .update(readFileSync(join(FIXTURES, f)))
          .digest("hex"),
        f,
      ).toBe(sha);
  });

  it.each(KIND_CHAOS_TYPES)("%s is a valid resource selecting the drill's pods by label", (type) => {
    const r = chaosResource(o, type, params);
    expect(validateChaos(r)).toEqual([]);
    expect(r.metadata.namespace).toBe("drills");
    // The standby's pods, except for the primary's restart and the link faults (chosen from its CDC pod).
    const onPrimary = type === "restart-primary" || type === "partition" || type === "delay";
    expect((r.spec.selector as Obj).labelSelectors["app.kubernetes.io/instance"]).toBe(
      onPrimary ? "alpha" : "bravo",
    );
  });

  it("partition and delay cut the primary's CDC off the standby's Milvus pods, both ways", () => {
    const r = chaosResource(o, "partition", params) as Obj;
    expect(r.spec).toMatchObject({
      action: "partition",
      direction: "both",
      duration: "5s",
      selector: { labelSelectors: { "app.kubernetes.io/component": "cdc" } },
      target: { mode: "all", selector: { labelSelectors: { "app.kubernetes.io/instance": "bravo" } } },
    });
    const d = chaosResource(o, "delay", { durationMs: 2500, delayMs: 200, jitterMs: 50 }) as Obj;
    expect(d.spec).toMatchObject({
      action: "delay",
      duration: "2500ms",
      delay: { latency: "200ms", jitter: "50ms" },
    });
  });

  it("restart-primary spares the CDC pod; restarts are pod-kill with no grace", () => {
    const r = chaosResource(o, "restart-primary", params) as Obj;
    expect(r.spec).toMatchObject({ action: "pod-kill", gracePeriod: 0, mode: "all" });
    expect(r.spec.selector.expressionSelectors).toEqual([
      { key: "app.kubernetes.io/component", operator: "NotIn", values: ["cdc"] },
    ]);
  });

  it("the validator fails what the API server would refuse", () => {
    const bad = (edit: (r: Obj) => void, type: (typeof KIND_CHAOS_TYPES)[number] = "delay") => {
      const r = structuredClone(chaosResource(o, type, params)) as Obj;
      edit(r);
      return validateChaos(r as ChaosResource);
    };
    expect(
      bad((r) => {
        r.spec.delay.latency = "200 ms";
      }),
    ).toEqual(['/spec/delay/latency: must match pattern "^[0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h)$"']);
    expect(
      bad((r) => {
        r.spec.jitterMs = 5;
      }),
    ).toEqual(["/spec: must NOT have additional properties 'jitterMs'"]);
    expect(
      bad((r) => {
        r.spec.action = "freeze";
      }, "partition")[0],
    ).toMatch(/^\/spec\/action: must be equal to one of/);
    expect(
      bad((r) => {
        r.spec.stressors.cpu.load = 150;
      }, "stress-standby")[0],
    ).toMatch(/load: must be <= 100/);
    expect(bad((r) => delete r.spec.selector, "restart-standby")[0]).toMatch(
      /must have required property 'selector'/,
    );
  });

  it("pause-cdc has no Chaos Mesh resource, and kind refuses it before anything starts", () => {
    expect(() => chaosResource(o, "pause-cdc", params)).toThrow(/cannot freeze a process/);
    expect(needsChaosMesh(["kill-cdc"])).toBe(false);
    expect(needsChaosMesh(["kill-cdc", "delay"])).toBe(true);
    let err: unknown;
    try {
      loadConfig({
        overrides: { backend: { type: "kind" }, faults: { nemesis: { types: ["partition", "pause-cdc"] } } },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(
      /^config faults\.nemesis\.types = .*pause-cdc: Chaos Mesh cannot freeze/,
    );
    expect((err as Error).message).not.toContain("\n");
  });
});

describe("plan --nemesis: chaos resources and Chaos Mesh only when needed", () => {
  it("plan --backend kind --nemesis partition,delay,restart-standby,stress-standby writes valid resources", async () => {
    const out = join(scratch(), "plan");
    const code = await run([
      "--backend",
      "kind",
      "--cluster-name",
      "drill-kind",
      "--nemesis",
      "partition,delay,restart-standby,stress-standby",
      "--nemesis-duration",
      "3s",
      "--out",
      out,
    ]);
    expect(code).toBe(0);
    for (const t of ["partition", "delay", "restart-standby", "stress-standby"]) {
      const r = parse(readFileSync(join(out, `chaos-${t}.yaml`), "utf8")) as ChaosResource;
      expect(validateChaos(r), t).toEqual([]);
    }
    const script = readFileSync(join(out, "commands.sh"), "utf8");
    const lines = script.split("\n");
    const install = lines.findIndex((l) => l.startsWith("helm upgrade --install chaos-mesh chaos-mesh"));
    expect(install).toBeGreaterThan(lines.findIndex((l) => l.includes("deployments/milvus-operator")));
    expect(lines[install]).toContain("--version 2.8.3");
    expect(lines[install]).toContain("--set chaosDaemon.runtime=containerd");
    expect(lines[install]).toContain("--set chaosDaemon.socketPath=/run/containerd/containerd.sock");
    expect(lines[install]).toContain("--set dashboard.create=false");
    for (const t of ["partition", "delay", "restart-standby", "stress-standby"]) {
      const apply = lines.findIndex((l) => l.endsWith(`apply -f chaos-${t}.yaml`));
      const del = lines.findIndex((l) => l.includes(`delete -f chaos-${t}.yaml`));
      expect(apply, t).toBeGreaterThan(install);
      expect(del, t).toBeGreaterThan(apply);
    }
    const partition = lines.findIndex((l) => l.endsWith("apply -f chaos-partition.yaml"));
    expect(lines[partition + 1]).toBe("sleep 3");
    expect(spawnSync("bash", ["-n", join(out, "commands.sh")]).status).toBe(0);
  });

  it("kill-cdc alone: no chaos file, no Chaos Mesh in commands.sh", () => {
    const { files } = buildPlan(["--backend", "kind", "--out", join(scratch(), "p")]);
    expect(Object.keys(files).filter((f) => f.startsWith("chaos-"))).toEqual([]);
    expect(files["commands.sh"]).not.toMatch(/chaos/i);
  });

  it("keepCluster: Chaos Mesh is uninstalled when the script exits (else the cluster goes with it)", () => {
    const dir = scratch();
    const cfg = join(dir, "keep.yaml");
    writeFileSync(cfg, "backend:\n  kind:\n    keepCluster: true\n");
    const kept = buildPlan([
      "--backend",
      "kind",
      "--config",
      cfg,
      "--nemesis",
      "delay",
      "--out",
      join(dir, "a"),
    ]);
    expect(kept.files["commands.sh"]).toMatch(/^cleanup\(\) \{.*helm uninstall chaos-mesh -n chaos-mesh/m);
    const gone = buildPlan(["--backend", "kind", "--nemesis", "delay", "--out", join(dir, "b")]);
    expect(gone.files["commands.sh"]).toMatch(/^cleanup\(\) \{.*kind delete cluster/m);
    expect(gone.files["commands.sh"]).not.toContain("helm uninstall");
  });
});

describe("KindBackend brings the Chaos Mesh faults (through stand-ins)", () => {
  const TOOLS = { kind: "kind", kubectl: "kubectl", helm: "helm" };
  const HEALTHY: Rule = {
    tool: "kubectl",
    match: "^get milvus ",
    respond: [{ stdout: milvusList([{ name: "alpha" }, { name: "bravo" }]) }],
  };
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function setup(rules: Rule[], nemesis: NemesisType[], keepCluster = false) {
    const env = standins();
    env.setRules(rules);
    const workDir = scratch();
    const backend = new KindBackend(
      { ...o, clusterName: "drill-test", readyTimeoutMs: 3000, keepCluster },
      {
        log: captureLog(),
        runner: env.runner,
        workDir,
        tools: TOOLS,
        timing: {
          pollMs: 20,
          standbyRestartTimeoutMs: 2000,
          portForwardReadyMs: 5000,
          deleteTimeoutMs: 5000,
        },
        env: { githubActions: false, ci: false },
        nemesis,
      },
    );
    cleanups.push(async () => {
      await backend.teardown();
      env.cleanup();
    });
    return { env, backend, workDir };
  }
  const args = (calls: Call[], tool: string) =>
    calls.filter((c) => c.tool === tool).map((c) => c.args.join(" "));

  it("kill-cdc alone installs no Chaos Mesh and refuses a chaos fault", async () => {
    const { env, backend } = setup([HEALTHY, FORWARD], ["kill-cdc"]);
    await backend.provision();
    expect(args(env.calls(), "helm").filter((a) => a.includes("chaos-mesh"))).toEqual([]);
    await expect(backend.inject("partition")).rejects.toThrow(/kind backend cannot inject 'partition'/);
  });

  it("partition: Chaos Mesh installed at provision, the resource applied for its duration, then deleted", async () => {
    const { env, backend, workDir } = setup([HEALTHY, FORWARD], ["kill-cdc", "partition"]);
    await backend.provision();
    const helm = args(env.calls(), "helm");
    expect(helm.filter((a) => a.startsWith("upgrade --install chaos-mesh chaos-mesh"))).toHaveLength(1);
    const ev = await backend.inject("partition", undefined, { durationMs: 300, delayMs: 200, jitterMs: 50 });
    expect(ev.restoredAt as number).toBeGreaterThanOrEqual(ev.injectedAt + 300);
    expect(ev).toMatchObject({ resource: "NetworkChaos/drill-partition" });
    const kubectl = args(env.calls(), "kubectl");
    const file = join(workDir, "chaos-partition.yaml");
    const apply = kubectl.indexOf(`apply -f ${file}`);
    expect(apply).toBeGreaterThanOrEqual(0);
    expect(kubectl.findIndex((a) => a.startsWith(`delete -f ${file} --ignore-not-found`))).toBeGreaterThan(
      apply,
    );
    expect(validateChaos(parse(readFileSync(file, "utf8")) as ChaosResource)).toEqual([]);
  });

  it("restart-standby: pod-kill applied, waits for new Ready pods and Healthy, then deletes the resource", async () => {
    const { env, backend, workDir } = setup(
      [
        HEALTHY,
        FORWARD,
        {
          tool: "kubectl",
          match: "^get pods -n drills -l app.kubernetes.io/instance=bravo,app.kubernetes.io/name=milvus",
          respond: [
            { stdout: podList([{ name: "bravo-milvus-aaa", ready: true }]) },
            { stdout: podList([{ name: "bravo-milvus-aaa", ready: true, deleting: true }]) },
            { stdout: podList([{ name: "bravo-milvus-bbb", ready: false, phase: "Pending" }]) },
            { stdout: podList([{ name: "bravo-milvus-bbb", ready: true }]) },
          ],
        },
      ],
      ["restart-standby"],
    );
    await backend.provision();
    const ev = await backend.inject("restart-standby");
    expect(ev).toMatchObject({ oldPods: ["bravo-milvus-aaa"], newPods: ["bravo-milvus-bbb"] });
    const kubectl = args(env.calls(), "kubectl");
    const file = join(workDir, "chaos-restart-standby.yaml");
    expect(kubectl.findIndex((a) => a.startsWith(`delete -f ${file}`))).toBeGreaterThan(
      kubectl.indexOf(`apply -f ${file}`),
    );
  });

  it("a restart that never comes back fails naming what it waited for, and the resource is still deleted", async () => {
    const { env, backend, workDir } = setup(
      [
        HEALTHY,
        FORWARD,
        {
          tool: "kubectl",
          match:
            "^get pods -n drills -l app.kubernetes.io/instance=alpha,app.kubernetes.io/name=milvus,app.kubernetes.io/component!=cdc",
          respond: [{ stdout: podList([{ name: "alpha-milvus-aaa", ready: true }]) }],
        },
      ],
      ["restart-primary"],
    );
    await backend.provision();
    await expect(backend.inject("restart-primary")).rejects.toThrow(
      /waiting for alpha pods \(.*component!=cdc\) replaced and Ready/,
    );
    const file = join(workDir, "chaos-restart-primary.yaml");
    expect(args(env.calls(), "kubectl").some((a) => a.startsWith(`delete -f ${file}`))).toBe(true);
  });

  it("keepCluster: teardown uninstalls Chaos Mesh and keeps the cluster", async () => {
    const { env, backend } = setup([HEALTHY, FORWARD], ["delay"], true);
    await backend.provision();
    await backend.teardown();
    expect(args(env.calls(), "helm")).toContain("uninstall chaos-mesh -n chaos-mesh --wait --timeout 5m");
    expect(args(env.calls(), "kind").some((a) => a.startsWith("delete cluster"))).toBe(false);
  });
});
