import { join } from "node:path";
import type { Backend, Logger } from "../backends/types.js";
import { changesRoles, type DrillConfig, faultsScheduled } from "../config/schema.js";
import type { CleanupRecord } from "./run.js";

/**
 * The one place that knows which backends exist. Each is loaded only when chosen, so a local drill
 * never loads the kind tooling and the other way round.
 */
export async function createBackend(
  config: DrillConfig,
  ctx: { log: Logger; runDir: string; onCreated?: (cleanup: CleanupRecord) => void },
): Promise<Backend> {
  switch (config.backend.type) {
    case "local": {
      const { LocalBackend } = await import("../backends/local/backend.js");
      const t = config.topology;
      return new LocalBackend({
        ...config.backend.local,
        log: ctx.log,
        // A star (issue 25); a pair passes nothing, as before.
        ...(t.standbys > 1 ? { standbys: t.standbys } : {}),
        ...(t.faultStandby !== null ? { faultStandby: t.faultStandby } : {}),
      });
    }
    case "kind": {
      const { KindBackend } = await import("../backends/kind/backend.js");
      return new KindBackend(config.backend.kind, {
        log: ctx.log,
        diagnosticsDir: join(ctx.runDir, "diagnostics"),
        onCreated: ctx.onCreated,
        cdcOnTarget: changesRoles(config.scenario),
        seeding: config.scenario === "seed",
        // The failover's way back seeds the rebuilt cluster with milvus-backup (milvus-io/milvus#53512).
        wayBack: config.scenario === "failover",
        // Chaos Mesh is installed only when a scheduled fault needs it.
        nemesis: faultsScheduled(config) ? config.faults.nemesis.types : [],
        // A star (issue 25); a pair passes nothing, as before.
        ...(config.topology.standbys > 1 ? { standbys: config.topology.standbys } : {}),
      });
    }
    case "existing": {
      const existing = config.backend.existing;
      if (!existing) throw new Error("backend existing needs backend.existing.source and .target");
      const { ExistingBackend } = await import("../backends/existing/backend.js");
      // Scenario seed: the user's milvus-backup commands are bounded like the seeding's other waits.
      return new ExistingBackend(existing, {
        log: ctx.log,
        timing: { seedCommandTimeoutMs: config.thresholds.catchUpTimeoutMs },
      });
    }
  }
}
