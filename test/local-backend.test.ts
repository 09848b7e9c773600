import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalBackend } from "../src/backends/local/backend.js";
import type { Logger } from "../src/backends/types.js";
import { configureReplication, getReplicateConfiguration } from "../src/milvus/replicate.js";
import { alive } from "./helpers/lab.js";

const quiet: Logger = { info() {}, warn() {}, debug() {}, group: (_n, fn) => fn() };

describe("LocalBackend", () => {
  it("provisions a pair that replicates once configured, kills and restarts the CDC, collects diagnostics, tears down", async () => {
    const backend = new LocalBackend({
      log: quiet,
      pchannels: 2,
      restartDelayMs: 100,
      token: "root:lab-s3cret",
    });
    const out = mkdtempSync(join(tmpdir(), "local-backend-diag-"));
    try {
      await expect(backend.inject("kill-cdc")).rejects.toThrow(/not provisioned/);
      const pair = await backend.provision();
      expect(pair.source.pchannels).toEqual([0, 1].map((i) => `${pair.source.clusterId}-rootcoord-dml_${i}`));
      expect(pair.source.clusterId.includes(pair.target.clusterId)).toBe(false);
      expect(pair.target.clusterId.includes(pair.source.clusterId)).toBe(false);
      // Nothing replicates (and there is no CDC to kill) until the drill configures replication.
      await expect(backend.inject("kill-cdc")).rejects.toThrow(
        /no replicator is running \(replication not configured\)/,
      );
      await configureReplication(pair, { timeoutMs: 60_000 });
      const cfg = await getReplicateConfiguration(pair.target);
      expect(cfg?.cross_cluster_topology).toEqual([
        { source_cluster_id: pair.source.clusterId, target_cluster_id: pair.target.clusterId },
      ]);

      const ev = await backend.inject("kill-cdc");
      expect(ev.restoredAt).toBeGreaterThanOrEqual(ev.injectedAt + 100);
      expect(typeof ev.pid).toBe("number");
      expect(alive(ev.pid as number)).toBe(true);
      await expect(backend.inject("kill-standby")).rejects.toThrow(
        /'kill-standby' is not supported by the local backend \(allowed: kill-cdc, restart-standby, restart-primary, partition, delay, pause-cdc\)/,
      );

      const files = await backend.collectDiagnostics(out);
      expect(files.map((f) => f.slice(out.length + 1))).toEqual(
        expect.arrayContaining([
          "source-milvus-lite.log",
          "replicator.log",
          "source-replicate-config.json",
          "local-lab-state.json",
        ]),
      );
      const state = JSON.parse(readFileSync(join(out, "local-lab-state.json"), "utf8"));
      expect(state.restarts).toHaveLength(1);
      // The token is in no file: not in the state the fronts persist, not in the diagnostics.
      for (const f of files) expect(readFileSync(f, "utf8")).not.toContain("lab-s3cret");
      await backend.teardown();
      expect(alive(ev.pid as number)).toBe(false);
    } finally {
      await backend.teardown();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
