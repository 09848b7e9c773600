import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../src/backends/types.js";
import { loadConfig } from "../../src/config/load.js";
import type { DeepPartial, DrillConfig, LocalFaultMode } from "../../src/config/schema.js";
import { runDrill } from "../../src/drill/run.js";
import type { DrillReport } from "../../src/report/model.js";

export const quietLog: Logger = {
  info: () => {},
  warn: () => {},
  debug: () => {},
  group: (_name, fn) => fn(),
};

/** A small local drill: the smoke profile cut down so a table of fault modes stays fast. */
export function smallConfig(
  faultMode: LocalFaultMode,
  seed: number,
  extra: DeepPartial<DrillConfig> = {},
): DrillConfig {
  return loadConfig({
    profile: "smoke",
    overrides: {
      seed,
      ...extra,
      backend: { type: "local", local: { faultMode, faultEvery: 25, restartDelayMs: 300 }, ...extra.backend },
      workload: { initialRows: 200, ops: 120, ...extra.workload },
      thresholds: { catchUpTimeoutMs: 30_000, recoveryTimeoutMs: 20_000, ...extra.thresholds },
    },
  });
}

export async function drill(
  config: DrillConfig,
): Promise<{ report: DrillReport; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "drill-test-"));
  const report = await runDrill(config, { outDir: dir, log: quietLog });
  return { report, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function failing(report: DrillReport): string[] {
  return report.checks.filter((c) => c.verdict === "fail").map((c) => c.name);
}
