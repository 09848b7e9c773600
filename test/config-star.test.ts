import { describe, expect, it } from "vitest";
import type { LoadConfigOptions } from "../src/config/load.js";
import { loadConfig, parseRunFlags } from "../src/config/load.js";
import { UsageError } from "../src/errors.js";

function refusal(opts: LoadConfigOptions): string {
  try {
    loadConfig(opts);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error(`expected loadConfig(${JSON.stringify(opts)}) to refuse`);
}

const flags = (...argv: string[]): LoadConfigOptions => {
  const f = parseRunFlags(argv);
  return { ...(f.profile ? { profile: f.profile } : {}), overrides: f.overrides };
};

describe("topology.standbys: a star of one primary and N standbys", () => {
  it("defaults to one standby (a pair) on every profile but star-smoke, which runs two", () => {
    expect(loadConfig({ profile: "smoke" }).topology).toEqual({
      standbys: 1,
      faultStandby: null,
      promote: 1,
    });
    expect(loadConfig({ profile: "star-smoke" }).topology).toEqual({
      standbys: 2,
      faultStandby: null,
      promote: 1,
    });
  });

  it("--standbys N and --fault-standby K set it", () => {
    const c = loadConfig(
      flags("--profile", "smoke", "--standbys", "3", "--local-fault", "drop", "--fault-standby", "2"),
    );
    expect(c.topology).toEqual({ standbys: 3, faultStandby: 2, promote: 1 });
  });

  it("refuses a count outside 1..4 in one line naming the flag", () => {
    expect(() => parseRunFlags(["--standbys", "5"])).toThrow(/^--standbys 5: /);
    expect(() => parseRunFlags(["--standbys", "0"])).toThrow(/^--standbys 0: /);
  });

  it("refuses what a star does not run yet, by name, before anything is provisioned", () => {
    expect(refusal(flags("--profile", "smoke", "--standbys", "3", "--backend", "kind"))).toBe(
      "config topology.standbys = 3: 4 standalone Milvus CRs on one kind runner (4 CPU / 16 GB) request 1.45 CPU / 5.0 GiB but run without memory limits, and 4.0 GB each is not sized (src/backends/kind/manifests.ts KIND_MAX_STANDBYS); allowed on kind: 1 to 2",
    );
    expect(refusal(flags("--profile", "star-smoke", "--backend", "kind", "--scenario", "failover"))).toMatch(
      /^config topology.standbys = 2: scenario failover in a star/,
    );
    expect(refusal(flags("--profile", "seed-smoke", "--standbys", "2"))).toBe(
      "config topology.standbys = 2: scenario seed in a star is not built yet; allowed with it: 1 (a star runs replication, switchover and failover)",
    );
    expect(
      refusal(flags("--profile", "smoke", "--standbys", "2", "--local-fault", "frozen-lag-metric")),
    ).toMatch(/^config backend\.local\.faultMode = frozen-lag-metric: not built for a star/);
    // A fault on one standby is aimed on the local backend only: kind would restart standby 1 while the
    // history says standby 2.
    expect(
      refusal(
        flags("--profile", "smoke", "--standbys", "2", "--backend", "kind", "--nemesis", "restart-standby"),
      ),
    ).toMatch(
      /^config faults\.nemesis\.types = .*: restart-standby in a star on the kind backend is not built yet .*; allowed there: kill-cdc$/,
    );
    expect(loadConfig(flags("--profile", "star-smoke", "--backend", "kind")).topology.standbys).toBe(2);
  });

  it("runs the workload triggers in a star, and their self-test faults on one edge", () => {
    const c = loadConfig(
      flags(
        "--profile",
        "triggers-smoke",
        "--standbys",
        "2",
        "--local-fault",
        "skip-release",
        "--fault-standby",
        "2",
      ),
    );
    expect([c.topology.standbys, c.workload.triggers.loadRelease]).toEqual([2, true]);
  });

  it("runs every local nemesis type in a star, the faults on one standby aimed by --fault-standby", () => {
    const chaos = loadConfig(flags("--profile", "chaos-smoke", "--standbys", "2"));
    expect(chaos.topology).toEqual({ standbys: 2, faultStandby: null, promote: 1 });
    expect(chaos.faults.nemesis.types).toContain("partition");
    const aimed = loadConfig(
      flags("--profile", "smoke", "--standbys", "2", "--nemesis", "restart-standby", "--fault-standby", "2"),
    );
    expect(aimed.topology).toEqual({ standbys: 2, faultStandby: 2, promote: 1 });
    // The nemesis self-tests run in a star, set off on the standby the nemesis aims at.
    const selfTest = loadConfig(
      flags(
        ...["--profile", "smoke", "--standbys", "2", "--nemesis", "restart-standby"],
        ...["--local-fault", "stall-after-standby-restart", "--fault-standby", "2"],
      ),
    );
    expect(selfTest.backend.local.faultMode).toBe("stall-after-standby-restart");
    // stress-standby stays the local backend's refusal, star or not.
    expect(refusal(flags("--profile", "smoke", "--standbys", "2", "--nemesis", "stress-standby"))).toMatch(
      /^config faults\.nemesis\.types = .*stress-standby: the local backend cannot/,
    );
  });

  it("--fault-standby needs a local fault or an aimed nemesis fault, and a standby that exists", () => {
    expect(refusal(flags("--profile", "smoke", "--standbys", "2", "--fault-standby", "2"))).toBe(
      "config topology.faultStandby = 2: aims backend.local.faultMode, and in a star the nemesis' restart-standby/partition/delay/stress-standby, at one standby; set a local fault mode (--local-fault) or schedule one of those, or null",
    );
    // kill-cdc reaches every standby: there is nothing to aim.
    expect(
      refusal(
        flags("--profile", "smoke", "--standbys", "2", "--nemesis", "kill-cdc", "--fault-standby", "2"),
      ),
    ).toMatch(/^config topology\.faultStandby = 2: aims/);
    expect(
      refusal(
        flags("--profile", "smoke", "--standbys", "2", "--local-fault", "drop", "--fault-standby", "3"),
      ),
    ).toBe("config topology.faultStandby = 3: must be a standby from 1 to 2");
  });

  it("kind runs a star of up to two standbys, named by extraTargetNames, none containing another", () => {
    const c = loadConfig(flags("--profile", "star-smoke", "--backend", "kind"));
    expect(c.topology.standbys).toBe(2);
    expect(c.backend.kind.extraTargetNames).toEqual(["drill-second", "drill-third", "drill-fourth"]);
    expect(
      refusal({
        profile: "star-smoke",
        overrides: { backend: { type: "kind", kind: { extraTargetNames: ["drill-standby-2"] } } },
      }),
    ).toBe(
      "config backend.kind.extraTargetNames[0] = drill-standby-2: must not contain or be contained in drill-standby, another cluster's name: CDC matches channels by substring",
    );
    expect(
      refusal({
        profile: "star-smoke",
        overrides: { backend: { type: "kind", kind: { extraTargetNames: [] } } },
      }),
    ).toBe(
      "config backend.kind.extraTargetNames = []: names 0 further standby(s); topology.standbys 2 needs 1",
    );
  });

  it("existing runs a star with one extraTargets entry per further standby, each with its cluster id", () => {
    const existing = (extraTargets: unknown[], targetId: string | null = "b") => ({
      profile: "star-smoke" as const,
      overrides: {
        backend: {
          type: "existing" as const,
          existing: {
            source: { uri: "http://a:19530", clusterId: "a" },
            target: { uri: "http://b:19530", clusterId: targetId },
            extraTargets,
            kube: { sourceInstance: "a" },
          },
        },
      },
    });
    const c = loadConfig(
      existing([{ uri: "http://c:19530", clusterId: "c", token: "root:secret" }]) as never,
    );
    expect(c.backend.existing?.extraTargets.map((e) => e.clusterId)).toEqual(["c"]);
    expect(refusal(existing([]) as never)).toBe(
      "config backend.existing.extraTargets = 0 target(s): must list standbys 2..N of topology.standbys 2, one each: 1 target(s)",
    );
    expect(refusal(existing([{ uri: "http://c:19530" }]) as never)).toBe(
      "config backend.existing.extraTargets[0].clusterId = null: a star needs every target's cluster id (which edge of the primary's topology is which standby cannot be guessed)",
    );
    expect(refusal(existing([{ uri: "http://c:19530", clusterId: "c" }], null) as never)).toMatch(
      /^config backend\.existing\.target\.clusterId = null: a star needs/,
    );
    expect(refusal(existing([{ uri: "http://b:19530", clusterId: "c" }]) as never)).toBe(
      "config backend.existing.extraTargets[0].uri = http://b:19530: must differ from the source's and every other target's uri",
    );
    expect(refusal(existing([{ uri: 7 }]) as never)).toMatch(
      /^config backend\.existing\.extraTargets\[0\]\.uri/,
    );
  });
});

describe("topology.promote: which standby a star's switchover or failover promotes", () => {
  it("runs switchover and failover in a star, promoting the first standby unless --promote says which", () => {
    expect(loadConfig(flags("--profile", "failover-smoke", "--standbys", "2")).topology.promote).toBe(1);
    const c = loadConfig(flags("--profile", "switchover-smoke", "--standbys", "3", "--promote", "3"));
    expect(c.topology).toEqual({ standbys: 3, faultStandby: null, promote: 3 });
    expect(
      loadConfig(
        flags(
          "--profile",
          "failover-smoke",
          "--standbys",
          "2",
          "--local-fault",
          "repoint-skip",
          "--fault-standby",
          "2",
        ),
      ).backend.local.faultMode,
    ).toBe("repoint-skip");
  });

  it("refuses a standby the star does not have, or a promotion without a role change, in one line", () => {
    expect(refusal(flags("--profile", "failover-smoke", "--standbys", "2", "--promote", "3"))).toBe(
      "config topology.promote = 3: must be a standby from 1 to 2",
    );
    expect(() => parseRunFlags(["--promote", "0"])).toThrow(/^--promote 0: must be an integer from 1 to 4/);
    expect(refusal(flags("--profile", "star-smoke", "--promote", "2"))).toBe(
      "config topology.promote = 2: promotes a standby in scenario switchover or failover; scenario replication promotes none (allowed: 1)",
    );
    expect(refusal(flags("--profile", "star-smoke", "--local-fault", "repoint-skip"))).toMatch(
      /^config backend\.local\.faultMode = repoint-skip: plants a fault in the switchover or failover role change/,
    );
  });
});
