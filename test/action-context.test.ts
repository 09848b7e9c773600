/**
 * Inputs -> the same `run` flags and config the CLI uses. Pure functions of context.ts, checked
 * through the real flag parser and config loader, so a mapping that drifts from the CLI fails here.
 */

import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import {
  configSecrets,
  type Inputs,
  inputMessage,
  killCdcFlags,
  toDrillRequest,
} from "../src/action/context.js";
import { loadConfig, mergeLayers, parseRunFlags } from "../src/config/load.js";
import type { DrillConfig } from "../src/config/schema.js";
import { UsageError } from "../src/errors.js";

const EMPTY: Inputs = {
  backend: "",
  milvusVersion: "",
  operatorVersion: "",
  mode: "",
  profile: "",
  scenario: "",
  config: "",
  seed: "",
  killCdc: "",
  keepCluster: false,
  failOnVerdict: true,
  sourceUri: "",
  sourceToken: "",
  targetUri: "",
  targetToken: "",
  catchUpTimeout: "",
  recoveryTimeout: "",
  lagSlo: "",
  upgradeFrom: "",
  upgradeTo: "",
  runDir: "",
  localFault: "",
  images: "",
  usePreinstalledTools: false,
  configureReplication: false,
  sourceCdcUri: "",
  targetCdcUri: "",
  artifactName: "",
};

let ws: string;
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), "drill-ctx-"));
  await writeFile(join(ws, "drill.yaml"), "profile: default\nbackend:\n  type: local\n");
});
afterAll(async () => {
  await rm(ws, { recursive: true, force: true });
});

/** The whole path main takes, minus I/O: inputs -> flags -> overrides -> loaded config. */
function configOf(partial: Partial<Inputs>): { config: DrillConfig; outDir: string } {
  const inputs = { ...EMPTY, ...partial };
  try {
    const req = toDrillRequest(inputs, ws);
    const flags = parseRunFlags(req.argv);
    const overrides = mergeLayers(flags.overrides, req.extraOverrides) as typeof flags.overrides;
    const config = loadConfig({
      configFile: req.configFile,
      configText: req.configText,
      profile: flags.profile,
      overrides,
    });
    return { config, outDir: req.outDir };
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(inputMessage(e.message, inputs));
    throw e;
  }
}

describe("defaults", () => {
  it("no inputs: kind backend, smoke profile, run dir in the workspace", () => {
    const { config, outDir } = configOf({});
    expect(config.backend.type).toBe("kind");
    expect(config.profile).toBe("smoke");
    expect(outDir).toBe(join(ws, "milvus-cdc-drill-run"));
  });

  it("a config file decides backend and profile when the inputs leave them empty", () => {
    const { config } = configOf({ config: "drill.yaml" });
    expect(config.backend.type).toBe("local");
    expect(config.profile).toBe("default");
  });

  it("explicit inputs beat the config file", () => {
    const { config } = configOf({ config: "drill.yaml", profile: "smoke", backend: "local", seed: "99" });
    expect(config.profile).toBe("smoke");
    expect(config.seed).toBe(99);
  });

  it("cluster URIs without a backend mean existing clusters, not the kind default", () => {
    const { config } = configOf({
      sourceUri: "http://a:19530",
      targetUri: "http://b:19530",
      killCdc: "none",
    });
    expect(config.backend.type).toBe("existing");
    expect(config.backend.existing?.source.uri).toBe("http://a:19530");
  });
});

describe("mapping", () => {
  it("kill-cdc schedules become the CLI's flags", () => {
    expect(killCdcFlags("at:0.3, 0.6")).toEqual(["--kill-cdc-at=0.3,0.6"]);
    expect(killCdcFlags("every:60s,times:3")).toEqual(["--kill-cdc-every=60s", "--kill-cdc-times=3"]);
    expect(killCdcFlags("every:2m")).toEqual(["--kill-cdc-every=2m"]);
    expect(killCdcFlags("none")).toEqual(["--kill-cdc-at="]);
    expect(killCdcFlags("")).toEqual([]);
    expect(configOf({ backend: "local", killCdc: "every:60s,times:3" }).config.faults.killCdc).toMatchObject({
      at: [],
      everyMs: 60_000,
      times: 3,
    });
    expect(configOf({ backend: "local", killCdc: "none" }).config.faults.killCdc.at).toEqual([]);
    expect(configOf({ backend: "local", killCdc: "at:0.25,0.75" }).config.faults.killCdc.at).toEqual([
      0.25, 0.75,
    ]);
  });

  it("thresholds and upgrade versions land in the config", () => {
    const { config } = configOf({
      catchUpTimeout: "5m",
      recoveryTimeout: "45s",
      lagSlo: "2500",
      upgradeFrom: "v2.6.22",
      upgradeTo: "v3.0.0",
    });
    expect(config.thresholds).toMatchObject({
      catchUpTimeoutMs: 300_000,
      recoveryTimeoutMs: 45_000,
      lagSloMs: 2500,
    });
    expect(config.backend.kind).toMatchObject({ upgradeFrom: "v2.6.22", upgradeTo: "v3.0.0" });
  });

  it("nemesis reaches faults.nemesis.types", () => {
    expect(configOf({ backend: "local", nemesis: "partition,delay" }).config.faults.nemesis.types).toEqual([
      "partition",
      "delay",
    ]);
    expect(configOf({}).config.faults.nemesis.types).toEqual(["kill-cdc"]);
  });

  it("standbys reaches topology.standbys; a star on kind beyond what a runner fits is refused in one line", () => {
    expect(configOf({ backend: "local", standbys: "2" }).config.topology.standbys).toBe(2);
    expect(configOf({}).config.topology.standbys).toBe(1);
    expect(configOf({ standbys: "2" }).config.topology.standbys).toBe(2);
    expect(() => configOf({ standbys: "3" })).toThrow(
      /^config topology\.standbys = 3: 4 standalone Milvus CRs on one kind runner .*; allowed on kind: 1 to 2$/,
    );
  });

  it("kind settings, keep-cluster and local-fault reach their fields", () => {
    const kind = configOf({
      milvusVersion: "v3.0.0",
      operatorVersion: "1.3.8",
      mode: "cluster",
      keepCluster: true,
    }).config.backend.kind;
    expect(kind).toMatchObject({
      milvusVersion: "v3.0.0",
      operatorVersion: "1.3.8",
      mode: "cluster",
      keepCluster: true,
    });
    expect(configOf({ backend: "local", localFault: "reorder" }).config.backend.local.faultMode).toBe(
      "reorder",
    );
  });

  it("the scenario input reaches the config", () => {
    expect(configOf({ backend: "local", scenario: "failover" }).config.scenario).toBe("failover");
    expect(configOf({}).config.scenario).toBe("replication");
  });

  it("images, use-preinstalled-tools and the existing backend's replication inputs reach their fields", () => {
    const kind = configOf({
      images:
        "minio=mirror.example.com/minio/minio:RELEASE.2024-12-18T13-15-44Z\n  etcd=mirror.example.com/milvusdb/etcd:3.5.25-r1, milvus=mirror.example.com/milvusdb/milvus",
      usePreinstalledTools: true,
    }).config.backend.kind;
    expect(kind.images).toEqual({
      milvus: "mirror.example.com/milvusdb/milvus",
      etcd: "mirror.example.com/milvusdb/etcd:3.5.25-r1",
      minio: "mirror.example.com/minio/minio:RELEASE.2024-12-18T13-15-44Z",
      operator: null,
      node: null,
    });
    expect(kind.usePreinstalledTools).toBe(true);
    expect(configOf({}).config.backend.kind.images.minio).toBe(
      "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z",
    );
    const ex = configOf({
      sourceUri: "http://127.0.0.1:19530",
      targetUri: "http://127.0.0.1:19531",
      sourceCdcUri: "http://primary-milvus.milvus.svc.cluster.local:19530",
      targetCdcUri: "http://standby-milvus.milvus.svc.cluster.local:19530",
      configureReplication: true,
      killCdc: "none",
    }).config.backend.existing;
    expect(ex?.configureReplication).toBe(true);
    expect(ex?.source.replicateUri).toBe("http://primary-milvus.milvus.svc.cluster.local:19530");
    expect(ex?.target.replicateUri).toBe("http://standby-milvus.milvus.svc.cluster.local:19530");
    // Without the input the drill never changes an existing topology.
    expect(
      configOf({ sourceUri: "http://a:19530", targetUri: "http://b:19530", killCdc: "none" }).config.backend
        .existing?.configureReplication,
    ).toBe(false);
    expect(() => configOf({ images: "minio=minio" })).toThrow(
      /^input images = "minio=minio": 'minio' has no tag/,
    );
  });

  it("inline YAML and file paths are told apart", () => {
    expect(toDrillRequest({ ...EMPTY, config: "drill.yaml" }, ws)).toMatchObject({
      configFile: join(ws, "drill.yaml"),
    });
    expect(toDrillRequest({ ...EMPTY, config: "missing.yaml" }, ws)).toMatchObject({
      configFile: join(ws, "missing.yaml"),
    });
    expect(toDrillRequest({ ...EMPTY, config: "profile: soak" }, ws)).toMatchObject({
      configText: "profile: soak",
    });
    expect(toDrillRequest({ ...EMPTY, config: "{profile: soak}" }, ws)).toMatchObject({
      configText: "{profile: soak}",
    });
  });

  it("a value starting with '-' is a value, not a flag", () => {
    expect(() => configOf({ seed: "-1" })).toThrow(/^input seed = "-1": must be an integer/);
  });
});

describe("messages", () => {
  it("rewrite the leading flag and its value to the input as typed, and every other flag name", () => {
    const inputs = { ...EMPTY, killCdc: "at:0.9,0.1", backend: "kind", localFault: "drop" };
    expect(inputMessage("--kill-cdc-at 0.9,0.1: must be ascending", inputs)).toBe(
      'input kill-cdc = "at:0.9,0.1": must be ascending',
    );
    expect(inputMessage("--local-fault: only valid with --backend local (got --backend kind)", inputs)).toBe(
      'input local-fault = "drop": only valid with input backend local (got input backend kind)',
    );
    expect(inputMessage("config workload.ops = 0: must be at least 1", inputs)).toBe(
      "config workload.ops = 0: must be at least 1",
    );
  });

  it("never echo a token, even when the message is about it", () => {
    const inputs = { ...EMPTY, sourceToken: "s3cr3t-token" };
    const m = inputMessage("--source-token s3cr3t-token: only valid with --backend existing", inputs);
    expect(m).not.toContain("s3cr3t-token");
    expect(m.startsWith("input source-token")).toBe(true);
  });

  it("a bad input through the whole path is one line naming the input", () => {
    expect(() => configOf({ mode: "huge" })).toThrow(
      /^input mode = "huge": must be one of standalone, cluster$/,
    );
    expect(() => configOf({ scenario: "failback" })).toThrow(
      /^input scenario = "failback": must be one of replication, switchover, failover, seed, capacity$/,
    );
    expect(() => configOf({ catchUpTimeout: "-3s" })).toThrow(
      /^input catch-up-timeout = "-3s": must be a positive/,
    );
  });
});

describe("docs/action.md's star on existing clusters", () => {
  it("loads as written: the further standby's token comes from the step's env (tokenEnv) and is masked", () => {
    const doc = readFileSync(new URL("../docs/action.md", import.meta.url), "utf8");
    const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1] as string)
      .find((b) => b.includes("tokenEnv"));
    if (!block) throw new Error("docs/action.md has no yaml example with tokenEnv");
    type Step = { uses?: string; env: Record<string, string>; with: Record<string, string> };
    const workflow = parse(block) as { jobs: Record<string, { steps: Step[] }> };
    const step = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .find((s) => s.uses?.startsWith("milvus-cdc-drill/"));
    if (!step) throw new Error("the example has no milvus-cdc-drill step");
    const w = step.with;
    vi.stubEnv(Object.keys(step.env)[0] as string, "s3cret-far");
    try {
      const { config } = configOf({
        backend: w.backend,
        sourceUri: w["source-uri"],
        sourceToken: "s3cret-primary",
        targetUri: w["target-uri"],
        targetToken: "s3cret-standby",
        standbys: String(w.standbys),
        config: w.config,
      });
      expect(config.topology.standbys).toBe(2);
      expect(config.backend.existing?.extraTargets[0]).toMatchObject({
        clusterId: "milvus-dr-far",
        tokenEnv: "DR_FAR_TOKEN",
        token: "s3cret-far",
      });
      expect(configSecrets(config)).toContain("s3cret-far");
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
