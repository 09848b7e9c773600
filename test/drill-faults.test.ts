import { afterAll, describe, expect, it } from "vitest";
import type { CheckName } from "../src/checkers/types.js";
import type { LocalFaultMode } from "../src/config/schema.js";
import { drill, failing, smallConfig } from "./helpers/drill.js";

/**
 * Every way the reference replicator can be told to misbehave must fail the drill, and the check that
 * owns that kind of fault must be among the failing ones. No fault mode may pass.
 */
const table: Array<[LocalFaultMode, CheckName]> = [
  ["drop", "parity"],
  ["duplicate-on-restart", "duplicates"],
  ["reorder", "parity"],
  ["skip-on-restart", "parity"],
  ["stale-checkpoint", "duplicates"],
  ["drop-ddl", "parity"],
  ["stall", "catch-up"],
  ["corrupt-vector", "parity"],
];

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("fault modes of the reference replicator fail the drill", () => {
  it.each(table)("%s is caught by %s", async (mode, owner) => {
    const { report, cleanup } = await drill(smallConfig(mode, 1000 + table.findIndex(([m]) => m === mode)));
    cleanups.push(cleanup);
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe("fail");
    expect(failing(report)).toContain(owner);
    const check = report.checks.find((c) => c.name === owner);
    expect(check?.evidence.length).toBeGreaterThan(0);
  });
});
