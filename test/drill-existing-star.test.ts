import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, startLab } from "../src/backends/local/lab.js";
import { loadConfig } from "../src/config/load.js";
import { drill } from "./helpers/drill.js";

/**
 * A star of existing clusters, end to end: a local lab of one primary and two standbys, replicating
 * (every edge configured by the lab), drilled through backend existing with the second standby in
 * extraTargets. Each standby must be judged on its own, by its cluster id.
 */
describe("a star on the existing backend (extraTargets)", () => {
  let lab: Lab;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    lab = await startLab({ replicate: true, pchannels: 4, standbys: 2 });
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanups) await c();
    await lab?.stop();
  });

  it("judges both standbys, each by its own cluster id, and passes parity on each", async () => {
    const second = lab.extraStandbys[0];
    if (!second) throw new Error("the lab started no second standby");
    const at = (e: { uri: string; clusterId: string }) => ({ uri: e.uri, clusterId: e.clusterId });
    const config = loadConfig({
      profile: "star-smoke",
      overrides: {
        seed: 2502,
        backend: {
          type: "existing",
          existing: {
            source: at(lab.source),
            target: at(lab.target),
            extraTargets: [{ ...at(second), replicateUri: null }],
            pchannels: 4,
            // The nemesis refuses a backend without kill-cdc even when no kill is scheduled; none is.
            killCdcCommand: "true",
          },
        },
        workload: { initialRows: 200, ops: 120 },
        // No CDC kill: the existing backend kills CDC through kube access or a command, neither here.
        faults: { killCdc: { at: [] } },
        thresholds: { catchUpTimeoutMs: 30_000 },
      },
    });
    const { report, cleanup } = await drill(config);
    cleanups.push(cleanup);
    expect(report.error, JSON.stringify(report.error)).toBeUndefined();
    const parity = report.checks.find((c) => c.name === "parity");
    expect(Object.keys(parity?.standbys ?? {}).sort()).toEqual(
      [lab.target.clusterId, second.clusterId].sort(),
    );
    for (const id of [lab.target.clusterId, second.clusterId])
      expect(parity?.standbys?.[id]?.verdict, parity?.standbys?.[id]?.summary).toBe("pass");
    const duplicates = report.checks.find((c) => c.name === "duplicates");
    expect(duplicates?.standbys?.[second.clusterId]?.verdict).toBe("pass");
    expect(report.verdict, JSON.stringify(report.checks.map((c) => [c.name, c.verdict]))).not.toBe("fail");
  }, 300_000);
});
