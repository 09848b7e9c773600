import { afterAll, describe, expect, it } from "vitest";
import type { CheckName } from "../src/checkers/types.js";
import type { LocalFaultMode } from "../src/config/schema.js";
import { drill, failing, smallConfig } from "./helpers/drill.js";

/**
 * Every way the reference replicator can be told to misbehave must fail the drill, and the check that
 * owns that kind of fault must be among the failing ones. No fault mode may pass.
 */
const table: Array<[LocalFaultMode, CheckName | CheckName[]]> = [
  ["drop", "parity"],
  ["duplicate-on-restart", "duplicates"],
  // A Delete applied before the write of its key leaves a zombie that parity sees, until the workload
  // writes that key again (an upsert heals it); prefix sees the order itself, if the monitor reads the
  // standby in between. Which of the two holds the evidence depends on timing (a full `npm test` run
  // on a loaded machine once saw prefix and lag fail and parity pass); one of them must.
  ["reorder", ["parity", "prefix"]],
  ["skip-on-restart", "parity"],
  ["stale-checkpoint", "duplicates"],
  ["drop-ddl", "parity"],
  ["stall", "catch-up"],
  ["corrupt-vector", "parity"],
  // milvus-io/milvus#51048: after the CDC kill the metric reads ~0 while the backlog sits for 15 s.
  ["frozen-lag-metric", "lag-metric"],
];

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("fault modes of the reference replicator fail the drill", () => {
  it.each(table)("%s is caught by %s", async (mode, owners) => {
    const { report, cleanup } = await drill(smallConfig(mode, 1000 + table.findIndex(([m]) => m === mode)));
    cleanups.push(cleanup);
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe("fail");
    const owner = [owners].flat().find((o) => failing(report).includes(o));
    expect(
      owner,
      `none of ${[owners].flat().join(", ")} failed: ${failing(report).join(", ")}`,
    ).toBeDefined();
    const check = report.checks.find((c) => c.name === owner);
    expect(check?.evidence.length).toBeGreaterThan(0);
  });
});
