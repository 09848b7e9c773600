import { afterAll, describe, expect, it } from "vitest";
import { drill, failing, smallConfig } from "./helpers/drill.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/**
 * A star on the local backend: three Milvus Lite servers, one replicator per edge. A fault aimed at one
 * standby's link (--local-fault drop --fault-standby 2) must fail that standby's parity and no other's.
 */
describe("a star: one primary, two standbys", () => {
  it("drop on standby 2's link fails standby 2's parity only", async () => {
    const config = smallConfig("drop", 2501, { topology: { standbys: 2, faultStandby: 2 } });
    const { report, cleanup } = await drill(config);
    cleanups.push(cleanup);
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe("fail");
    expect(failing(report)).toContain("parity");
    const parity = report.checks.find((c) => c.name === "parity");
    const ids = Object.keys(parity?.standbys ?? {});
    expect(ids).toHaveLength(2);
    const [first, second] = ids as [string, string];
    expect(second).toMatch(/^standby2-/);
    expect(parity?.standbys?.[second]?.verdict).toBe("fail");
    expect(parity?.standbys?.[first]?.verdict).toBe("pass");
    // Nothing judged on the first standby failed: the fault touched one edge only.
    for (const c of report.checks) {
      const own = c.standbys?.[first];
      if (own) expect(own.verdict, `${c.name} on ${first}: ${own.summary}`).not.toBe("fail");
    }
  }, 300_000);
});
