import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../src/config/duration.js";
import { replayCommand } from "../src/config/flags.js";
import { loadConfig, parseRunFlags } from "../src/config/load.js";
import { UsageError } from "../src/errors.js";

function flagError(argv: string[]): string {
  try {
    parseRunFlags(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`expected parseRunFlags(${JSON.stringify(argv)}) to fail`);
}

describe("parseRunFlags", () => {
  it("maps every flag onto the config it overrides", () => {
    const flags = parseRunFlags([
      "--config",
      "drill.yaml",
      "--profile",
      "smoke",
      "--out",
      "runs/x",
      "--backend",
      "kind",
      "--seed",
      "42",
      "--milvus-version",
      "2.6.22",
      "--operator-version",
      "v1.3.8",
      "--mode",
      "cluster",
      "--keep-cluster",
      "--kill-cdc-every",
      "30s",
      "--kill-cdc-times",
      "3",
      "--duration",
      "2m",
    ]);
    expect(flags).toEqual({
      configFile: "drill.yaml",
      profile: "smoke",
      outDir: "runs/x",
      overrides: {
        seed: 42,
        backend: {
          type: "kind",
          kind: { milvusVersion: "v2.6.22", operatorVersion: "1.3.8", mode: "cluster", keepCluster: true },
        },
        workload: { durationMs: 120_000 },
        faults: { killCdc: { at: [], everyMs: 30_000, times: 3 } },
      },
    });
  });

  it("--lag-slo, --recovery-timeout and --catch-up-timeout set the thresholds the Action's inputs of those names set", () => {
    expect(
      parseRunFlags(["--lag-slo", "2s", "--recovery-timeout", "45000", "--catch-up-timeout", "2m"]).overrides,
    ).toEqual({ thresholds: { lagSloMs: 2_000, recoveryTimeoutMs: 45_000, catchUpTimeoutMs: 120_000 } });
  });

  it("flags beat the profile and the file when loaded", () => {
    const flags = parseRunFlags([
      "--profile",
      "smoke",
      "--local-fault",
      "drop",
      "--fault-every",
      "7",
      "--kill-cdc-at",
      "0.3,0.6",
      "--ops",
      "99",
    ]);
    const cfg = loadConfig({
      configText: "backend: {local: {faultMode: stall}}\nworkload: {ops: 10}\n",
      profile: flags.profile,
      overrides: flags.overrides,
    });
    expect(cfg.profile).toBe("smoke");
    expect(cfg.backend.local).toMatchObject({ faultMode: "drop", faultEvery: 7 });
    expect(cfg.workload.ops).toBe(99);
    expect(cfg.faults.killCdc).toEqual({ at: [0.3, 0.6], everyMs: null, times: 0 });
  });

  it("cluster URIs imply the existing backend, and tokens reach the config", () => {
    const flags = parseRunFlags([
      "--source-uri",
      "http://a:19530",
      "--target-uri",
      "http://b:19530",
      "--source-token",
      "root:Milvus",
      "--kill-cdc-at",
      "",
    ]);
    const cfg = loadConfig({ profile: "smoke", overrides: flags.overrides });
    expect(cfg.backend.type).toBe("existing");
    expect(cfg.backend.existing?.source).toMatchObject({ uri: "http://a:19530", token: "root:Milvus" });
    expect(cfg.backend.existing?.target.token).toBeUndefined();
    expect(cfg.faults.killCdc.at).toEqual([]);
  });

  it("--image, --use-preinstalled-tools, and the existing backend's replication flags reach the config", () => {
    const kind = loadConfig({
      profile: "smoke",
      overrides: parseRunFlags([
        "--backend",
        "kind",
        "--image",
        "minio=registry.local:5000/minio/minio:RELEASE.2024-12-18T13-15-44Z",
        "--image",
        "node=kindest/node:v1.34.0",
        "--use-preinstalled-tools",
      ]).overrides,
    }).backend.kind;
    expect(kind.images).toMatchObject({
      minio: "registry.local:5000/minio/minio:RELEASE.2024-12-18T13-15-44Z",
      node: "kindest/node:v1.34.0",
      etcd: "milvusdb/etcd:3.5.25-r1",
    });
    expect(kind.usePreinstalledTools).toBe(true);
    const ex = loadConfig({
      profile: "smoke",
      overrides: parseRunFlags([
        "--source-uri",
        "http://127.0.0.1:19530",
        "--target-uri",
        "http://127.0.0.1:19531",
        "--source-cdc-uri",
        "http://a-milvus.ns.svc.cluster.local:19530",
        "--target-cdc-uri",
        "http://b-milvus.ns.svc.cluster.local:19530",
        "--configure-replication",
        "--kill-cdc-at",
        "",
      ]).overrides,
    }).backend.existing;
    expect(ex).toMatchObject({
      configureReplication: true,
      source: { replicateUri: "http://a-milvus.ns.svc.cluster.local:19530" },
      target: { replicateUri: "http://b-milvus.ns.svc.cluster.local:19530" },
    });
    expect(flagError(["--backend", "local", "--image", "minio=x:1"])).toBe(
      "--image: only valid with --backend kind (got --backend local)",
    );
    expect(flagError(["--image", "minio=minio/minio"])).toBe(
      "--image minio: 'minio/minio' has no tag (allowed: a pinned reference such as quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z; a floating tag would make two runs test different images)",
    );
    expect(flagError(["--source-cdc-uri", "a-milvus:19530"])).toBe(
      "--source-cdc-uri a-milvus:19530: must be a URL like http://host:19530 (http or https)",
    );
  });

  it("--json asks for report.json on stdout and changes nothing in the config", () => {
    const f = parseRunFlags(["--json", "--seed", "3"]);
    expect(f.json).toBe(true);
    expect(f.overrides).toEqual({ seed: 3 });
    expect(parseRunFlags(["--seed", "3"]).json).toBeUndefined();
  });

  it("returns help without validating anything else", () => {
    expect(parseRunFlags(["--seed", "nope", "-h"])).toEqual({ help: true, overrides: {} });
  });

  const cases: Array<[string[], string]> = [
    [["--sed", "1"], "--sed: unknown option (did you mean --seed?); see run --help"],
    [["--frobnicate"], "--frobnicate: unknown option; see run --help"],
    [["--seed"], "--seed: needs a value (write --seed=VALUE if the value starts with '-'); see run --help"],
    [["--keep-cluster=yes"], "--keep-cluster: takes no value"],
    [["extra"], "extra: unexpected argument (run takes only options; see run --help)"],
    [["--seed", "x"], "--seed x: must be an integer from 0 to 4294967295"],
    [["--seed", "4294967296"], "--seed 4294967296: must be an integer from 0 to 4294967295"],
    [["--seed=-1"], "--seed -1: must be an integer from 0 to 4294967295"],
    [["--backend", "docker"], "--backend docker: must be one of local, kind, existing"],
    [["--mode", "ha"], "--mode ha: must be one of standalone, cluster"],
    [
      ["--local-fault", "explode"],
      "--local-fault explode: must be one of none, drop, duplicate-on-restart, reorder, skip-on-restart, stale-checkpoint, drop-ddl, stall, corrupt-vector, lose-tail-on-switchover, promote-with-hole, stale-primary, stall-after-standby-restart, wedge-channel, lose-on-partition, skip-release, skip-add-field, seed-gap, seed-overlap, seed-standby-promoted, frozen-lag-metric, repoint-skip",
    ],
    [["--fault-every", "0"], "--fault-every 0: must be an integer from 1 to 1000000"],
    [
      ["--lag-slo", "soon"],
      "--lag-slo soon: must be a duration from 1ms to 1h (milliseconds, or a string like 30s, 2m, 1h)",
    ],
    [
      ["--catch-up-timeout", "0"],
      "--catch-up-timeout 0: must be a duration from 1s to 6h (milliseconds, or a string like 30s, 2m, 1h)",
    ],
    [
      ["--milvus-version", "latest"],
      "--milvus-version latest: must be a Milvus release like v2.6.22 (vMAJOR.MINOR.PATCH, at least v2.6.6); floating or flavoured tags such as latest, -gpu, -rc are refused",
    ],
    [
      ["--milvus-version", "2.6"],
      "--milvus-version 2.6: must be a Milvus release like v2.6.22 (vMAJOR.MINOR.PATCH, at least v2.6.6); floating or flavoured tags such as latest, -gpu, -rc are refused",
    ],
    [
      ["--milvus-version", "v2.6.1"],
      "--milvus-version v2.6.1: is too old: built-in CDC needs Milvus v2.6.6 or later",
    ],
    [
      ["--source-uri", "a:19530"],
      "--source-uri a:19530: must be a URL like http://host:19530 (http or https)",
    ],
    [["--source-token", ""], "--source-token: must not be empty"],
    [
      ["--backend", "local", "--keep-cluster"],
      "--keep-cluster: only valid with --backend kind (got --backend local)",
    ],
    [
      ["--backend", "kind", "--source-uri", "http://a:1"],
      "--source-uri: only valid with --backend existing (got --backend kind)",
    ],
    [
      ["--backend", "kind", "--local-fault", "drop"],
      "--local-fault: only valid with --backend local (got --backend kind)",
    ],
    [
      ["--kill-cdc-at", "0.6,0.3"],
      "--kill-cdc-at 0.6,0.3: must be fractions in (0, 1), strictly ascending, comma-separated (e.g. 0.3,0.6; empty for none)",
    ],
    [
      ["--kill-cdc-at", "0.5,1"],
      "--kill-cdc-at 0.5,1: must be fractions in (0, 1), strictly ascending, comma-separated (e.g. 0.3,0.6; empty for none)",
    ],
    [["--kill-cdc-at", "0.5", "--kill-cdc-every", "30s"], "--kill-cdc-at and --kill-cdc-every: choose one"],
    [["--kill-cdc-times", "3"], "--kill-cdc-times 3: only valid with --kill-cdc-every"],
    [
      ["--kill-cdc-every", "soon"],
      "--kill-cdc-every soon: must be a duration from 1s to 24h (milliseconds, or a string like 30s, 2m, 1h)",
    ],
    [
      ["--kill-cdc-every", "500ms"],
      "--kill-cdc-every 500ms: must be a duration from 1s to 24h (milliseconds, or a string like 30s, 2m, 1h)",
    ],
    [
      ["--ops", "10", "--duration", "1m"],
      "--ops and --duration: choose one (a run stops after a number of ops or after a time)",
    ],
    [["--out", ""], "--out: must not be empty"],
  ];
  it.each(cases)("%j", (argv, expected) => {
    expect(flagError(argv)).toBe(expected);
  });
});

describe("durations", () => {
  it("reads numbers as ms and strings with units", () => {
    expect(["1500", "1.5s", "250ms", "2m", "1h", " 30s "].map(parseDuration)).toEqual([
      1500, 1500, 250, 120_000, 3_600_000, 30_000,
    ]);
  });

  it("refuses what is not a duration", () => {
    for (const bad of [
      "",
      "s",
      "-1s",
      "1d",
      "1 2s",
      "30 seconds",
      -5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      null,
    ]) {
      expect(parseDuration(bad)).toBeNull();
    }
  });

  it("formatDuration and parseDuration round trip", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 86_400_000 }),
        (ms) => parseDuration(formatDuration(ms)) === ms,
      ),
    );
  });
});

describe("replayCommand", () => {
  it("replays every flag the run was given, in order, with the seed it drew and no output dir", () => {
    const argv = [
      "--profile",
      "smoke",
      "--standbys",
      "2",
      "--nemesis",
      "restart-standby",
      "--local-fault",
      "stall-after-standby-restart",
      "--fault-standby",
      "2",
      "--seed",
      "7",
      "--out",
      "runs/x",
      "--json",
    ];
    const cmd = replayCommand(argv, 7);
    expect(cmd).toBe(
      "milvus-cdc-drill run --profile smoke --standbys 2 --nemesis restart-standby --local-fault stall-after-standby-restart --fault-standby 2 --seed 7",
    );
    // It parses back to the run's own overrides.
    const back = cmd.split(" ").slice(2);
    expect(parseRunFlags(back).overrides).toEqual(parseRunFlags(argv).overrides);
  });

  it("shows a placeholder for a token, never its value, and quotes what a shell would split", () => {
    const cmd = replayCommand(
      ["--source-uri", "http://a:19530", "--source-token", "root:s3cret", "--config", "my drill.yaml"],
      42,
    );
    expect(cmd).not.toContain("s3cret");
    expect(cmd).toBe(
      "milvus-cdc-drill run --source-uri http://a:19530 --source-token '***' --config 'my drill.yaml' --seed 42",
    );
  });
});
