import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  describeConfig,
  type LoadConfigOptions,
  loadConfig,
  parseRunFlags,
  redactConfig,
} from "../src/config/load.js";
import { PROFILES } from "../src/config/profiles.js";
import { PROFILE_NAMES } from "../src/config/schema.js";
import { UsageError } from "../src/errors.js";

/** The one-line UsageError a load raises; fails the test if it loads or throws anything else. */
function loadError(opts: LoadConfigOptions): string {
  try {
    loadConfig(opts);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`expected loadConfig(${JSON.stringify(opts)}) to fail`);
}

const yaml = (text: string): LoadConfigOptions => ({ configText: text });
const ALLOWED_PROFILES =
  "allowed: smoke, default, soak, kind-types, switchover-smoke, failover-smoke, chaos-smoke, triggers-smoke, seed-smoke, capacity-smoke, star-smoke, star-chaos-smoke";
const KIND_COLLECTION = (fields: string) => `backend: {type: kind}
workload:
  collections:
    - {name: c, ${fields}}
`;
const EXISTING = `backend:
  type: existing
  existing:
    source: {uri: "http://a:19530", token: "s3cret-source"}
    target: {uri: "http://b:19530", token: "s3cret-target"}
    killCdcCommand: "kubectl -n milvus delete pod -l app.kubernetes.io/component=cdc"
`;

describe("loadConfig errors: one line naming field, value and what is allowed", () => {
  const cases: Array<[string, LoadConfigOptions, string]> = [
    ["unknown --profile", { profile: "fast" }, `--profile fast: unknown profile (${ALLOWED_PROFILES})`],
    [
      "unknown profile in the file",
      yaml("profile: fast\n"),
      `config profile = fast: unknown profile (${ALLOWED_PROFILES})`,
    ],
    [
      "misspelt key, close match",
      yaml("workload:\n  batchsize: 3\n"),
      "config workload.batchsize: unknown field (did you mean batchSize?)",
    ],
    ["misspelt section", yaml("workloads: {}\n"), "config workloads: unknown field (did you mean workload?)"],
    [
      "unknown key, nothing close",
      yaml("zzz: 1\n"),
      "config zzz: unknown field (allowed: profile, scenario, switchBack, seed, backend, workload, faults, monitor, search, capacity, thresholds, topology)",
    ],
    [
      "unknown key inside a collection wins over other problems there",
      yaml("workload:\n  collections:\n    - {name: a, dim: 0, dimm: 3}\n"),
      "config workload.collections[0].dimm: unknown field (did you mean dim?)",
    ],
    [
      "integer out of range",
      yaml("workload: {batchSize: 0}\n"),
      "config workload.batchSize = 0: must be an integer from 1 to 10000",
    ],
    [
      "fraction where an integer belongs",
      yaml("workload: {batchSize: 1.5}\n"),
      "config workload.batchSize = 1.5: must be an integer from 1 to 10000",
    ],
    [
      "string where an integer belongs",
      yaml("workload: {concurrency: two}\n"),
      "config workload.concurrency = two: must be an integer from 1 to 64",
    ],
    [
      "seed out of range",
      { overrides: { seed: -1 } },
      "config seed = -1: must be an integer from 0 to 4294967295",
    ],
    [
      "enum",
      yaml("backend: {type: docker}\n"),
      "config backend.type = docker: must be one of local, kind, existing",
    ],
    ["section of the wrong type", yaml("workload: 5\n"), "config workload = 5: must be a mapping"],
    [
      "bad duration text",
      yaml("workload: {durationMs: 2x}\n"),
      "config workload.durationMs = 2x: must be a duration from 1s to 168h (milliseconds, or a string like 30s, 2m, 1h)",
    ],
    [
      "duration out of range",
      yaml("monitor: {heartbeatIntervalMs: 2m}\n"),
      "config monitor.heartbeatIntervalMs = 2m: must be a duration from 10ms to 1m (milliseconds, or a string like 30s, 2m, 1h)",
    ],
    [
      "empty collections",
      yaml("workload: {collections: []}\n"),
      "config workload.collections = []: must list 1 to 16 collections",
    ],
    [
      "collection without a name",
      yaml("workload:\n  collections:\n    - {dim: 8}\n"),
      "config workload.collections[0].name: required",
    ],
    [
      "bad collection name",
      yaml("workload:\n  collections:\n    - {name: my-items}\n"),
      "config workload.collections[0].name = my-items: must be a Milvus collection name: a letter or '_', then letters, digits or '_' (at most 255)",
    ],
    [
      "duplicate collection names",
      yaml("workload:\n  collections:\n    - {name: a}\n    - {name: a}\n"),
      "config workload.collections[1].name = a: duplicate collection name",
    ],
    [
      "float16 on the local backend",
      yaml("workload:\n  collections:\n    - {name: c, vectorType: float16}\n"),
      "config workload.collections[0].vectorType = float16: the local backend (Milvus Lite) supports float, sparse; use backend kind for float16, bfloat16, binary",
    ],
    [
      "binary on the local backend",
      yaml("workload:\n  collections:\n    - {name: a}\n    - {name: c, vectorType: binary, dim: 64}\n"),
      "config workload.collections[1].vectorType = binary: the local backend (Milvus Lite) supports float, sparse; use backend kind for float16, bfloat16, binary",
    ],
    [
      "binary metric",
      yaml(KIND_COLLECTION("vectorType: binary, dim: 64, metric: L2")),
      "config workload.collections[0].metric = L2: a binary vector needs HAMMING or JACCARD",
    ],
    [
      "sparse metric",
      yaml(KIND_COLLECTION("vectorType: sparse, metric: COSINE")),
      "config workload.collections[0].metric = COSINE: a sparse vector needs IP",
    ],
    [
      "float metric",
      yaml(KIND_COLLECTION("vectorType: float, metric: HAMMING")),
      "config workload.collections[0].metric = HAMMING: a float vector needs L2, IP or COSINE",
    ],
    [
      "binary dim",
      yaml(KIND_COLLECTION("vectorType: binary, dim: 100")),
      "config workload.collections[0].dim = 100: a binary vector's dim must be a multiple of 8",
    ],
    [
      "sparse index",
      yaml(KIND_COLLECTION("vectorType: sparse, index: HNSW")),
      "config workload.collections[0].index = HNSW: a sparse vector needs FLAT or AUTOINDEX",
    ],
    [
      "initialRows above keySpace",
      yaml("workload: {initialRows: 2000, keySpace: 1500}\n"),
      "config workload.initialRows = 2000: must be at most workload.keySpace (1500)",
    ],
    [
      "mix weight negative",
      yaml("workload: {mix: {delete: -1}}\n"),
      "config workload.mix.delete = -1: must be a number from 0 to 1000000",
    ],
    [
      "mix weights sum to zero",
      yaml("workload: {mix: {insert: 0, upsert: 0, delete: 0, reinsert: 0, ddl: 0}}\n"),
      'config workload.mix = {"insert":0,"upsert":0,"delete":0,"reinsert":0,"ddl":0}: weights must be non-negative and sum to more than 0',
    ],
    [
      "ops and durationMs in one layer",
      yaml("workload: {ops: 100, durationMs: 10m}\n"),
      "config workload.durationMs = 600000: set workload.ops (100) or workload.durationMs, not both",
    ],
    [
      "neither ops nor durationMs",
      yaml("workload: {ops: null, durationMs: null}\n"),
      "config workload.ops = null: set workload.ops or workload.durationMs (exactly one)",
    ],
    [
      "kill points out of (0,1)",
      yaml("faults: {killCdc: {at: [0.5, 1]}}\n"),
      "config faults.killCdc.at[1] = 1: must be a fraction between 0 and 1 (exclusive)",
    ],
    [
      "kill points unsorted",
      yaml("faults: {killCdc: {at: [0.6, 0.3]}}\n"),
      "config faults.killCdc.at = [0.6,0.3]: fractions must be strictly ascending, each in (0, 1)",
    ],
    [
      "kill points and period in one layer",
      yaml("faults: {killCdc: {at: [0.5], everyMs: 30s}}\n"),
      "config faults.killCdc.everyMs = 30000: set faults.killCdc.at or faults.killCdc.everyMs, not both",
    ],
    [
      "times without a period",
      yaml("faults: {killCdc: {times: 3}}\n"),
      "config faults.killCdc.times = 3: only applies with faults.killCdc.everyMs",
    ],
    [
      "local fault mode with another backend",
      yaml("backend: {type: kind, local: {faultMode: drop}}\n"),
      "config backend.local.faultMode = drop: only the local backend's reference replicator can plant faults; backend.type is kind",
    ],
    [
      "kind names contain each other",
      yaml("backend: {kind: {sourceName: drill, targetName: drill-standby}}\n"),
      "config backend.kind.targetName = drill-standby: must not contain or be contained in backend.kind.sourceName (drill): CDC matches channels by substring",
    ],
    [
      "kind names equal",
      yaml("backend: {kind: {sourceName: milvus, targetName: milvus}}\n"),
      "config backend.kind.targetName = milvus: must not contain or be contained in backend.kind.sourceName (milvus): CDC matches channels by substring",
    ],
    [
      "kind name not a DNS label",
      yaml("backend: {kind: {sourceName: Drill_Primary}}\n"),
      "config backend.kind.sourceName = Drill_Primary: must be a DNS-1123 label: lowercase letters, digits and '-', 1 to 63 characters",
    ],
    [
      "milvus latest",
      yaml("backend: {kind: {milvusVersion: latest}}\n"),
      "config backend.kind.milvusVersion = latest: must be a Milvus release like v2.6.22 (vMAJOR.MINOR.PATCH, at least v2.6.6); floating or flavoured tags such as latest, -gpu, -rc are refused",
    ],
    [
      "milvus gpu flavour",
      yaml("backend: {kind: {milvusVersion: v2.6.22-gpu}}\n"),
      "config backend.kind.milvusVersion = v2.6.22-gpu: must be a Milvus release like v2.6.22 (vMAJOR.MINOR.PATCH, at least v2.6.6); floating or flavoured tags such as latest, -gpu, -rc are refused",
    ],
    [
      "milvus before CDC",
      yaml("backend: {kind: {milvusVersion: v2.6.5}}\n"),
      "config backend.kind.milvusVersion = v2.6.5: is too old: built-in CDC needs Milvus v2.6.6 or later",
    ],
    [
      "milvus 2.5",
      yaml("backend: {kind: {milvusVersion: 2.5.20}}\n"),
      "config backend.kind.milvusVersion = 2.5.20: is too old: built-in CDC needs Milvus v2.6.6 or later",
    ],
    [
      "operator too old",
      yaml("backend: {kind: {operatorVersion: 1.3.3}}\n"),
      "config backend.kind.operatorVersion = 1.3.3: is too old: the CDC component needs Milvus Operator 1.3.4 or later",
    ],
    [
      "upgrade half set",
      yaml("backend: {kind: {upgradeTo: v2.6.22}}\n"),
      "config backend.kind.upgradeTo = v2.6.22: set both backend.kind.upgradeFrom and backend.kind.upgradeTo, or neither",
    ],
    [
      "upgrade start differs from milvusVersion",
      yaml("backend: {kind: {upgradeFrom: v2.6.16, upgradeTo: v2.6.22}}\n"),
      "config backend.kind.upgradeFrom = v2.6.16: must equal backend.kind.milvusVersion (v2.6.22), the version both clusters start on",
    ],
    [
      "upgrade backwards",
      yaml("backend: {kind: {milvusVersion: v2.6.22, upgradeFrom: v2.6.22, upgradeTo: v2.6.16}}\n"),
      "config backend.kind.upgradeTo = v2.6.16: must be newer than backend.kind.upgradeFrom (v2.6.22)",
    ],
    [
      "existing backend without clusters",
      yaml("backend: {type: existing}\n"),
      "config backend.existing = null: required when backend.type is existing (set source.uri and target.uri)",
    ],
    [
      "existing without a target",
      yaml("backend: {type: existing, existing: {source: {uri: 'http://a:19530'}}}\n"),
      "config backend.existing.target: required",
    ],
    [
      "existing with a non-http uri",
      yaml(
        "backend: {type: existing, existing: {source: {uri: 'ftp://a'}, target: {uri: 'http://b:19530'}}}\n",
      ),
      "config backend.existing.source.uri = ftp://a: must be a URL like http://host:19530 (http or https)",
    ],
    [
      "existing with one cluster twice",
      yaml(
        "backend: {type: existing, existing: {source: {uri: 'http://a:19530'}, target: {uri: 'http://a:19530/'}}}\n",
      ),
      "config backend.existing.target.uri = http://a:19530/: must differ from backend.existing.source.uri",
    ],
    [
      "existing kills without a way to kill",
      yaml(
        "backend: {type: existing, existing: {source: {uri: 'http://a:19530'}, target: {uri: 'http://b:19530'}}}\n",
      ),
      "config faults.killCdc.at = [0.2,0.4,0.6,0.8]: killing CDC on existing clusters needs backend.existing.kube or backend.existing.killCdcCommand; set one, or set faults.killCdc.at to []",
    ],
    [
      "scenario capacity with CDC kills scheduled",
      { profile: "smoke", overrides: { scenario: "capacity" } },
      "config faults.killCdc.at = [0.5]: scenario capacity measures the standby without faults (a CDC kill would read as a capacity limit); set faults.killCdc.at to [] and everyMs to null, as profile capacity-smoke does",
    ],
    [
      "a scenario that does not exist",
      yaml("scenario: failback\n"),
      "config scenario = failback: must be one of replication, switchover, failover, seed, capacity",
    ],
    [
      "failover on existing clusters without allowDestructive",
      yaml(`${EXISTING}scenario: failover\n`),
      "config scenario = failover: force-promotes your standby and leaves your primary to be rebuilt as its standby; set backend.existing.allowDestructive: true to run it on existing clusters",
    ],
    [
      "seed on existing clusters without allowDestructive",
      yaml(`${EXISTING}scenario: seed\n`),
      "config scenario = seed: restores a backup of your primary into your standby and replaces its replicate configuration; set backend.existing.allowDestructive: true (and give it a standby that holds none of the collections) to run it on existing clusters",
    ],
    [
      "seed on existing clusters with allowDestructive but without milvusBackup",
      yaml(
        `${EXISTING.replace("    killCdcCommand", "    allowDestructive: true\n    configureReplication: true\n    killCdcCommand")}scenario: seed\n`,
      ),
      "config backend.existing.milvusBackup = null: scenario seed on existing clusters needs your Milvus Backup's commands (createCommand and restoreSecondaryCommand); the drill knows neither cluster's storage",
    ],
    [
      "a milvusBackup command with an unknown placeholder",
      yaml(
        `${EXISTING.replace("    killCdcCommand", "    allowDestructive: true\n    milvusBackup:\n      createCommand: mb create -n {name} --backup_index_extra\n      restoreSecondaryCommand: mb restore secondary -n {name} --target {target}\n    killCdcCommand")}scenario: seed\n`,
      ),
      "config backend.existing.milvusBackup.restoreSecondaryCommand = mb restore secondary -n {name} --target {target}: has an unknown placeholder {target}; allowed: {name}, {sourceClusterId}, {targetClusterId} (shell variables such as $VAR are left alone)",
    ],
    [
      "switchover on existing clusters without allowRoleChange",
      yaml(`${EXISTING}scenario: switchover\n`),
      "config scenario = switchover: moves the primary role of your clusters (and back with switchBack); set backend.existing.allowRoleChange: true to run it on existing clusters",
    ],
    [
      "failover on kind with a Milvus older than force_promote",
      yaml("scenario: failover\nbackend: {type: kind, kind: {milvusVersion: v2.6.13}}\n"),
      "config backend.kind.milvusVersion = v2.6.13: scenario failover needs Milvus v2.6.14 or later (force_promote first shipped there)",
    ],
    [
      "a role-change fault without its scenario",
      yaml("backend: {local: {faultMode: promote-with-hole}}\n"),
      "config backend.local.faultMode = promote-with-hole: plants a fault in the failover role change; set scenario to failover (scenario is replication)",
    ],
    [
      "a seeding fault without scenario seed (no restore for it to act on)",
      yaml("backend: {local: {faultMode: seed-standby-promoted}}\n"),
      "config backend.local.faultMode = seed-standby-promoted: plants a fault in the seeding; set scenario to seed (scenario is replication)",
    ],
    [
      "a trigger fault without its trigger (it would never be injected)",
      yaml("backend: {local: {faultMode: skip-release}}\n"),
      "config backend.local.faultMode = skip-release: plants a fault in the loadRelease trigger; set workload.triggers.loadRelease: true (profile triggers-smoke does)",
    ],
    [
      "lose-tail-on-switchover in a failover (there is no switchover to lose a tail at)",
      yaml("scenario: failover\nbackend: {local: {faultMode: lose-tail-on-switchover}}\n"),
      "config backend.local.faultMode = lose-tail-on-switchover: plants a fault in the switchover role change; set scenario to switchover (scenario is failover)",
    ],
  ];
  it.each(cases)("%s", (_name, opts, expected) => {
    expect(loadError(opts)).toBe(expected);
  });
});

describe("scenarios that are allowed", () => {
  it("failover on existing clusters with allowDestructive, on kind from v2.6.14", () => {
    const ex = loadConfig(
      yaml(
        `${EXISTING.replace(
          "    killCdcCommand",
          "    allowDestructive: true\n    configureReplication: true\n    killCdcCommand",
        )}scenario: failover\n`,
      ),
    );
    expect(ex.scenario).toBe("failover");
    expect(
      loadConfig(yaml("scenario: failover\nbackend: {type: kind, kind: {milvusVersion: v2.6.14}}\n"))
        .scenario,
    ).toBe("failover");
  });
  it("the smoke profiles carry their scenario; --scenario overrides it", () => {
    expect(loadConfig({ profile: "switchover-smoke" }).scenario).toBe("switchover");
    expect(loadConfig({ profile: "failover-smoke" }).scenario).toBe("failover");
    expect(loadConfig({ profile: "smoke" }).scenario).toBe("replication");
    expect(
      loadConfig({ profile: "smoke", overrides: parseRunFlags(["--scenario", "failover"]).overrides })
        .scenario,
    ).toBe("failover");
  });
});

describe("config sources", () => {
  const dir = mkdtempSync(join(tmpdir(), "drill-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("names a missing file", () => {
    const path = join(dir, "nope.yaml");
    expect(loadError({ configFile: path })).toBe(`config file ${path}: not found`);
  });

  it("names the line of invalid YAML", () => {
    const path = file("bad.yaml", "profile: smoke\nworkload:\n  ops: [1\n  batchSize: 2\n");
    expect(loadError({ configFile: path })).toMatch(
      new RegExp(`^config file ${path}: invalid YAML at line \\d: \\S`),
    );
  });

  it("refuses duplicate keys, which YAML would otherwise resolve silently", () => {
    expect(loadError(yaml("seed: 1\nseed: 2\n"))).toBe(
      "config text: invalid YAML at line 2: Map keys must be unique",
    );
  });

  it("refuses a document that is not a mapping", () => {
    expect(loadError(yaml("- a\n- b\n"))).toBe(
      "config text: must be a YAML mapping of settings (found a list)",
    );
  });

  it("refuses a file and inline text together", () => {
    expect(loadError({ configFile: file("a.yaml", "{}"), configText: "{}" })).toBe(
      "config: give a config file or inline config text, not both",
    );
  });

  it("treats an empty file as the profile alone", () => {
    const cfg = loadConfig({ configFile: file("empty.yaml", ""), profile: "smoke", overrides: { seed: 7 } });
    expect(cfg).toEqual({ ...PROFILES.smoke, profile: "smoke", seed: 7 });
  });
});

describe("precedence: profile < file < overrides", () => {
  it("every profile loads and equals its definition", () => {
    for (const name of PROFILE_NAMES) {
      const cfg = loadConfig({ profile: name, overrides: { seed: 1 } });
      expect(cfg).toEqual({ ...PROFILES[name], profile: name, seed: 1 });
    }
  });

  it("uses the default profile and draws a uint32 seed when none is given", () => {
    const cfg = loadConfig();
    expect(cfg.profile).toBe("default");
    expect(Number.isInteger(cfg.seed) && cfg.seed >= 0 && cfg.seed < 2 ** 32).toBe(true);
  });

  it("starts from the profile the file names, and the flag beats it", () => {
    const text = "profile: smoke\nworkload: {batchSize: 20}\n";
    expect(loadConfig(yaml(text)).profile).toBe("smoke");
    expect(loadConfig(yaml(text)).workload.keySpace).toBe(PROFILES.smoke.workload.keySpace);
    const soak = loadConfig({ ...yaml(text), profile: "soak" });
    expect(soak.profile).toBe("soak");
    expect(soak.workload.keySpace).toBe(PROFILES.soak.workload.keySpace);
    expect(soak.workload.batchSize).toBe(20);
  });

  it("overrides beat the file, objects deep-merge, arrays replace", () => {
    const cfg = loadConfig({
      configText: "workload:\n  batchSize: 20\n  mix: {ddl: 0}\n  collections:\n    - {name: only_one}\n",
      overrides: { workload: { batchSize: 30, concurrency: undefined } },
    });
    expect(cfg.workload.batchSize).toBe(30);
    expect(cfg.workload.concurrency).toBe(PROFILES.default.workload.concurrency);
    expect(cfg.workload.mix).toEqual({ ...PROFILES.default.workload.mix, ddl: 0 });
    expect(cfg.workload.collections).toEqual([
      {
        name: "only_one",
        dim: 32,
        vectorType: "float",
        index: "FLAT",
        metric: "L2",
        dynamicField: false,
        partitions: 1,
        autoId: false,
      },
    ]);
  });

  it("a layer naming one side of an either-or pair clears the other", () => {
    const timed = loadConfig({
      profile: "smoke",
      configText: "workload: {durationMs: 2m}\nfaults: {killCdc: {everyMs: 30s}}\n",
    });
    expect(timed.workload).toMatchObject({ ops: null, durationMs: 120_000 });
    expect(timed.faults.killCdc).toEqual({ at: [], everyMs: 30_000, times: 0 });
    const counted = loadConfig({
      profile: "soak",
      overrides: { workload: { ops: 500 }, faults: { killCdc: { at: [0.5] } } },
    });
    expect(counted.workload).toMatchObject({ ops: 500, durationMs: null });
    expect(counted.faults.killCdc).toEqual({ at: [0.5], everyMs: null, times: 0 });
  });

  it("parses durations and normalises versions", () => {
    const cfg = loadConfig(
      yaml(
        "backend: {kind: {milvusVersion: '3.0.0', operatorVersion: v1.3.8, readyTimeoutMs: 1.5m}}\nmonitor: {probeIntervalMs: 500ms}\n",
      ),
    );
    expect(cfg.backend.kind.milvusVersion).toBe("v3.0.0");
    expect(cfg.backend.kind.operatorVersion).toBe("1.3.8");
    expect(cfg.backend.kind.readyTimeoutMs).toBe(90_000);
    expect(cfg.monitor.probeIntervalMs).toBe(500);
  });

  it("fills existing-cluster defaults and derives metrics from the vector type", () => {
    const cfg = loadConfig({
      profile: "kind-types",
      configText: `${EXISTING}workload:\n  collections:\n    - {name: b, vectorType: binary, dim: 64}\n    - {name: s, vectorType: sparse}\n`,
    });
    expect(cfg.backend.existing).toMatchObject({
      pchannels: 16,
      configureReplication: false,
      kube: null,
      metricsUrls: [],
    });
    expect(cfg.backend.existing?.source).toMatchObject({ clusterId: null, replicateUri: null });
    expect(cfg.workload.collections.map((c) => c.metric)).toEqual(["HAMMING", "IP"]);
  });

  it("does not let a loaded config alias the profile it came from", () => {
    const a = loadConfig({ profile: "smoke" });
    const first = a.workload.collections[0];
    if (first) first.dim = 999;
    a.workload.mix.insert = 0;
    expect(loadConfig({ profile: "smoke" }).workload.collections[0]?.dim).toBe(32);
    expect(PROFILES.smoke.workload.mix.insert).toBe(4);
  });
});

describe("backend.existing.metricsUrls (lag-metric on your clusters)", () => {
  it("takes a list of http(s) URLs, masks a password in them, and names a bad one", () => {
    const cfg = loadConfig({
      profile: "smoke",
      configText: `${EXISTING}    metricsUrls: ["http://cdc:9091/metrics", "https://prom:pw-in-metrics@sn:9091/metrics"]\n`,
    });
    expect(cfg.backend.existing?.metricsUrls).toHaveLength(2);
    expect(describeConfig(cfg)).not.toContain("pw-in-metrics");
    expect(() =>
      loadConfig({ profile: "smoke", configText: `${EXISTING}    metricsUrls: ["cdc:9091"]\n` }),
    ).toThrow(
      "config backend.existing.metricsUrls[0] = cdc:9091: must be a URL like http://host:19530 (http or https)",
    );
  });
});

describe("describeConfig", () => {
  it("masks tokens and URI passwords, keeping everything else", () => {
    const cfg = loadConfig({
      profile: "smoke",
      configText: EXISTING.replace("http://b:19530", "http://root:pw-in-uri@b:19530"),
    });
    const text = describeConfig(cfg);
    expect(text).not.toContain("s3cret");
    expect(text).not.toContain("pw-in-uri");
    expect(text).toContain('token: "***"');
    expect(text).toContain("http://root:***@b:19530");
    expect(text).toContain(`seed: ${cfg.seed}`);
    // Redaction works on a copy: the drill itself still needs the real token.
    expect(cfg.backend.existing?.source.token).toBe("s3cret-source");
    expect(redactConfig(cfg).backend.existing?.target.token).toBe("***");
  });
});

describe("auto-id collections", () => {
  it("the default profile has one; the first collection may not be auto_id", () => {
    expect(PROFILES.default.workload.collections.some((c) => c.autoId)).toBe(true);
    expect(PROFILES.default.workload.collections[0]?.autoId).toBe(false);
    expect(() =>
      loadConfig({
        profile: "smoke",
        configText: "workload:\n  collections:\n    - {name: a, autoId: true}\n    - {name: b}\n",
      }),
    ).toThrow(/workload\.collections\[0\]\.autoId = true: the first collection carries the ordering probes/);
  });
});

describe("tokenEnv: a cluster's token from an environment variable", () => {
  const STAR = `backend:
  type: existing
  existing:
    source: {uri: "http://a:19530", tokenEnv: PRIMARY_TOKEN}
    target: {uri: "http://b:19530", clusterId: b, token: "s3cret-target"}
    extraTargets:
      - {uri: "http://c:19530", clusterId: c, tokenEnv: FAR_TOKEN}
    killCdcCommand: "kubectl -n milvus delete pod -l app.kubernetes.io/component=cdc"
topology: {standbys: 2}
`;
  const env = { PRIMARY_TOKEN: "s3cret-primary", FAR_TOKEN: "s3cret-far" };
  it("reads each named variable; the token is masked, the variable's name kept", () => {
    const cfg = loadConfig({ profile: "smoke", configText: STAR, env });
    const ex = cfg.backend.existing;
    expect([ex?.source.token, ex?.target.token, ex?.extraTargets[0]?.token]).toEqual([
      "s3cret-primary",
      "s3cret-target",
      "s3cret-far",
    ]);
    const text = describeConfig(cfg);
    expect(text).not.toContain("s3cret");
    expect(text).toContain("tokenEnv: FAR_TOKEN");
  });
  it("a --source-token flag (or the Action's input) beats the file's tokenEnv", () => {
    const cfg = loadConfig({
      profile: "smoke",
      configText: STAR,
      env: { FAR_TOKEN: "s3cret-far" },
      overrides: { backend: { existing: { source: { token: "from-flag" } } } },
    });
    expect(cfg.backend.existing?.source.token).toBe("from-flag");
  });
  it("refuses an unset or empty variable, both token and tokenEnv, and a name that is no variable's", () => {
    expect(loadError({ profile: "smoke", configText: STAR, env: { PRIMARY_TOKEN: "x" } })).toBe(
      "config backend.existing.extraTargets[0].tokenEnv = FAR_TOKEN: the environment variable FAR_TOKEN is not set: it must hold the cluster's token",
    );
    expect(loadError({ profile: "smoke", configText: STAR, env: { ...env, PRIMARY_TOKEN: "" } })).toBe(
      "config backend.existing.source.tokenEnv = PRIMARY_TOKEN: the environment variable PRIMARY_TOKEN is empty: it must hold the cluster's token",
    );
    const both = STAR.replace("tokenEnv: PRIMARY_TOKEN", 'tokenEnv: PRIMARY_TOKEN, token: "s3cret-source"');
    expect(loadError({ profile: "smoke", configText: both, env })).toBe(
      "config backend.existing.source.tokenEnv = PRIMARY_TOKEN: set token or tokenEnv, not both",
    );
    expect(loadError({ profile: "smoke", configText: STAR.replace("FAR_TOKEN", "FAR-TOKEN"), env })).toMatch(
      /^config backend\.existing\.extraTargets\[0\]\.tokenEnv = FAR-TOKEN: must be an environment variable name/,
    );
  });
});
