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
    expect(refusal(flags("--profile", "smoke", "--standbys", "2", "--backend", "kind"))).toBe(
      "config topology.standbys = 2: more than one standby on the kind backend is not built yet (the local backend runs a star); allowed here: 1",
    );
    expect(refusal(flags("--profile", "seed-smoke", "--standbys", "2"))).toBe(
      "config topology.standbys = 2: scenario seed in a star is not built yet; allowed with it: 1 (a star runs replication, switchover and failover)",
    );
    expect(refusal(flags("--profile", "chaos-smoke", "--standbys", "2"))).toMatch(
      /^config faults\.nemesis\.types = .*: restart-standby in a star .* allowed there: kill-cdc$/,
    );
    expect(
      refusal(flags("--profile", "smoke", "--standbys", "2", "--local-fault", "frozen-lag-metric")),
    ).toMatch(/^config backend\.local\.faultMode = frozen-lag-metric: not built for a star/);
    expect(refusal(flags("--profile", "triggers-smoke", "--standbys", "2"))).toMatch(
      /workload triggers in a star/,
    );
  });

  it("--fault-standby needs a local fault and a standby that exists", () => {
    expect(refusal(flags("--profile", "smoke", "--standbys", "2", "--fault-standby", "2"))).toBe(
      "config topology.faultStandby = 2: aims backend.local.faultMode at one standby; set a local fault mode (--local-fault) or null",
    );
    expect(
      refusal(
        flags("--profile", "smoke", "--standbys", "2", "--local-fault", "drop", "--fault-standby", "3"),
      ),
    ).toBe("config topology.faultStandby = 3: must be a standby from 1 to 2");
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
