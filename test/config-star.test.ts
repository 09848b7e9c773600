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
    expect(loadConfig({ profile: "smoke" }).topology).toEqual({ standbys: 1, faultStandby: null });
    expect(loadConfig({ profile: "star-smoke" }).topology).toEqual({ standbys: 2, faultStandby: null });
  });

  it("--standbys N and --fault-standby K set it", () => {
    const c = loadConfig(
      flags("--profile", "smoke", "--standbys", "3", "--local-fault", "drop", "--fault-standby", "2"),
    );
    expect(c.topology).toEqual({ standbys: 3, faultStandby: 2 });
  });

  it("refuses a count outside 1..4 in one line naming the flag", () => {
    expect(() => parseRunFlags(["--standbys", "5"])).toThrow(/^--standbys 5: /);
    expect(() => parseRunFlags(["--standbys", "0"])).toThrow(/^--standbys 0: /);
  });

  it("refuses what a star does not run yet, by name, before anything is provisioned", () => {
    expect(refusal(flags("--profile", "smoke", "--standbys", "2", "--backend", "kind"))).toBe(
      "config topology.standbys = 2: more than one standby on the kind backend is not built yet (the local backend runs a star); allowed here: 1",
    );
    expect(refusal(flags("--profile", "failover-smoke", "--standbys", "2"))).toBe(
      "config topology.standbys = 2: scenario failover in a star (promote one standby, re-point the others) is not built yet; allowed with it: 1",
    );
    expect(refusal(flags("--profile", "switchover-smoke", "--standbys", "2"))).toMatch(
      /scenario switchover in a star/,
    );
    expect(
      refusal(flags("--profile", "smoke", "--standbys", "2", "--local-fault", "frozen-lag-metric")),
    ).toMatch(/^config backend\.local\.faultMode = frozen-lag-metric: not built for a star/);
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
    expect(chaos.topology).toEqual({ standbys: 2, faultStandby: null });
    expect(chaos.faults.nemesis.types).toContain("partition");
    const aimed = loadConfig(
      flags("--profile", "smoke", "--standbys", "2", "--nemesis", "restart-standby", "--fault-standby", "2"),
    );
    expect(aimed.topology).toEqual({ standbys: 2, faultStandby: 2 });
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
});
