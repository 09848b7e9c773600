import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalBackend } from "../src/backends/local/backend.js";
import type { FaultEvidence } from "../src/backends/types.js";
import { loadConfig } from "../src/config/load.js";
import { runDrill } from "../src/drill/run.js";
import type { HistoryEvent } from "../src/history/types.js";
import { quietLog } from "./helpers/drill.js";

/** The local backend standing in for kind: the upgrade gate is the drill's logic, not the backend's. */
class UpgradableLocal extends LocalBackend {
  calls: Array<[string, string]> = [];
  constructor(private readonly fail: boolean) {
    super({ faultMode: "none", faultEvery: 50, restartDelayMs: 300, pchannels: 4, log: quietLog });
  }
  async upgrade(from: string, to: string): Promise<FaultEvidence> {
    this.calls.push([from, to]);
    await new Promise((r) => setTimeout(r, 300));
    if (this.fail) throw new Error("drill-standby did not become Healthy again within 900s");
    return { injectedAt: Date.now() - 300, restoredAt: Date.now() };
  }
}

const config = loadConfig({
  profile: "smoke",
  overrides: {
    seed: 77,
    backend: {
      type: "kind",
      kind: { milvusVersion: "v2.6.16", upgradeFrom: "v2.6.16", upgradeTo: "v2.6.22" },
    },
    workload: { initialRows: 100, ops: 60 },
  },
});
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("the upgrade gate", () => {
  it("upgrades during the workload, records it like a fault, and checks replication after it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drill-upgrade-"));
    dirs.push(dir);
    const backend = new UpgradableLocal(false);
    const report = await runDrill(config, { outDir: dir, log: quietLog, backend });
    expect(backend.calls).toEqual([["v2.6.16", "v2.6.22"]]);
    expect(report.verdict).toBe("pass");
    const history = (await readFile(join(dir, "history.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as HistoryEvent);
    const upgrade = history.filter((e) => e.type === "fault" && e.name === "upgrade");
    expect(upgrade.map((e) => (e.type === "fault" ? e.phase : ""))).toEqual(["start", "end"]);
    expect((report.metrics.faults ?? []).map((f) => f.name)).toContain("upgrade");
  });

  it("a failed upgrade stops the drill with a harness error naming it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drill-upgrade-"));
    dirs.push(dir);
    const report = await runDrill(config, { outDir: dir, log: quietLog, backend: new UpgradableLocal(true) });
    expect(report.verdict).toBe("error");
    expect(report.error?.phase).toBe("upgrade");
    expect(report.error?.message).toMatch(
      /upgrade v2\.6\.16 -> v2\.6\.22 failed: drill-standby did not become Healthy/,
    );
  });
});
