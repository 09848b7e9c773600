/**
 * Scenario seed on the existing backend, end to end: a local lab of two clusters that do not replicate
 * yet, drilled through backend existing, with milvusBackup commands that are a stand-in
 * (test/stand-ins/lab-milvus-backup.mjs) asking this test's HTTP bridge to run the lab's own backup
 * and emulated restore secondary (no CLI path reaches them from a shell command). The drill itself
 * configures replication (standby first, then primary) and reads the points from the standby's
 * checkpoint after the restore.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ExistingBackend } from "../src/backends/existing/backend.js";
import { type Lab, startLab } from "../src/backends/local/lab.js";
import { loadConfig } from "../src/config/load.js";
import { drill } from "./helpers/drill.js";

const STANDIN = join(import.meta.dirname, "stand-ins", "lab-milvus-backup.mjs");

/** The lab's restore secondary as it should be, and with its checkpoint past / before the point. */
const CASES = [
  { faultMode: "none", want: "pass", kind: "", catchUpMs: 60_000 },
  { faultMode: "seed-gap", want: "fail", kind: "missing", catchUpMs: 60_000 },
  { faultMode: "seed-overlap", want: "fail", kind: "doubled", catchUpMs: 60_000 },
  // milvus-io/milvus#52727: the standby a primary right after the restore. Nothing replicates after
  // it, so the first write is never shown: a shorter bound keeps the two waits on it short.
  { faultMode: "seed-standby-promoted", want: "fail", kind: "notSecondary", catchUpMs: 15_000 },
] as const;

describe.each(CASES)("scenario seed on the existing backend, lab restore $faultMode", ({
  faultMode,
  want,
  kind,
  catchUpMs,
}) => {
  let lab: Lab;
  let bridge: Server;
  let dir = "";
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    lab = await startLab({ replicate: false, pchannels: 4, faultMode });
    dir = mkdtempSync(join(tmpdir(), "existing-seed-drill-"));
    const side = (id: string | null) => (id === lab.source.clusterId ? "source" : "target");
    bridge = createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://bridge");
      const name = u.searchParams.get("name") ?? "";
      const run =
        u.pathname === "/create"
          ? lab
              .backup(side(u.searchParams.get("source")), name)
              .then((s) => `backup ${name} of ${s.clusterId}`)
          : u.pathname === "/restore"
            ? lab
                .restoreSecondary(name, side(u.searchParams.get("target")))
                .then((r) => `restored ${r.rows} rows of ${name}`)
            : Promise.reject(new Error(`unknown ${u.pathname}`));
      run.then(
        (text) => res.writeHead(200).end(text),
        (e: unknown) => res.writeHead(500).end(e instanceof Error ? e.message : String(e)),
      );
    });
    await new Promise<void>((r) => bridge.listen(0, "127.0.0.1", () => r()));
    const a = bridge.address();
    process.env.LAB_BRIDGE = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
    process.env.MB_LOG = join(dir, "mb.jsonl");
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanups) await c();
    await new Promise((r) => bridge?.close(r));
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.LAB_BRIDGE;
    delete process.env.MB_LOG;
  });

  it(`seeds through the user's commands, points from the standby's checkpoint: seed-alignment says ${want}`, async () => {
    // The lab's fronts listen on loopback, which a CDC pod could never dial; here the replicator runs
    // on this machine, so the refusal of a loopback dial address does not apply.
    const local = vi.spyOn(ExistingBackend, "isLocalOnly").mockReturnValue(false);
    const at = (e: { uri: string; clusterId: string }) => ({ uri: e.uri, clusterId: e.clusterId });
    const config = loadConfig({
      profile: "seed-smoke",
      overrides: {
        seed: 2401,
        backend: {
          type: "existing",
          existing: {
            source: at(lab.source),
            target: at(lab.target),
            pchannels: 4,
            configureReplication: true,
            allowDestructive: true,
            killCdcCommand: "true",
            milvusBackup: {
              createCommand: `node ${STANDIN} create {name} {sourceClusterId} {targetClusterId}`,
              restoreSecondaryCommand: `node ${STANDIN} restore {name} {sourceClusterId} {targetClusterId}`,
            },
          },
        },
        // No CDC kill: no command here kills the lab's replicator.
        faults: { killCdc: { at: [] } },
        thresholds: { catchUpTimeoutMs: catchUpMs },
      },
    });
    try {
      const { report, cleanup } = await drill(config);
      cleanups.push(cleanup);
      expect(report.error, JSON.stringify(report.error)).toBeUndefined();
      const calls = readFileSync(join(dir, "mb.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)[0]);
      expect(calls).toEqual(["create", "restore"]);
      expect(report.seeding?.pointsFrom).toMatch(/standby's checkpoint/);
      // A standby promoted as the restore ended holds no checkpoint from the primary to read points from.
      expect(report.seeding?.points.length).toBe(faultMode === "seed-standby-promoted" ? 0 : 4);
      expect(report.seeding?.rowsSeeded).toBeGreaterThan(0);
      const sa = report.checks.find((c) => c.name === "seed-alignment");
      expect(sa?.verdict, sa?.summary).toBe(want);
      if (want === "pass") {
        expect(sa?.stats?.keys).toBeGreaterThan(0);
        expect(report.checks.find((c) => c.name === "parity")?.verdict).toBe("pass");
        expect(report.verdict, JSON.stringify(report.checks.map((c) => [c.name, c.verdict]))).not.toBe(
          "fail",
        );
      } else {
        // A checkpoint past the point leaves keys missing, one before it doubles them: both still show
        // though the point is that checkpoint (ExistingBackend.restoreSecondary).
        expect(sa?.stats?.[kind], sa?.summary).toBeGreaterThan(0);
        if (faultMode === "seed-standby-promoted") {
          // Seeded, then nothing replicated: the drill went on to the checks instead of stopping.
          expect(sa?.stats?.firstWriteNotShown, sa?.summary).toBe(1);
          expect(report.steps?.find((s) => s.name === "first-replicated-write")?.ok).toBe(false);
          expect(report.checks.find((c) => c.name === "standby-read-only")?.verdict).toBe("fail");
        }
        expect(report.verdict).toBe("fail");
      }
    } finally {
      local.mockRestore();
    }
  }, 300_000);
});
