/**
 * Scenario seed on the existing backend (issue 24, build item 5): the user's own milvus-backup runs as
 * shell commands (backend.existing.milvusBackup), here a stand-in (test/stand-ins/milvus-backup-existing.mjs)
 * that records its arguments. No CLI path reaches the local lab's emulated restore secondary from a
 * shell command, so the Milvus side (replicate configuration, checkpoints, collections) is a recorder:
 * what is tested is the order of the user's commands around the drill's own calls, the refusals, and
 * that the points come from the standby's checkpoint after the restore. Whole drills against a local
 * lab, through a bridge to its backup and restore: test/drill-existing-seed.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ExistingBackend, type ExistingOptions } from "../src/backends/existing/backend.js";
import { loadConfig } from "../src/config/load.js";
import { seedStandby } from "../src/drill/seed.js";
import { captureLog } from "./stand-ins/harness.js";

const STANDIN = join(import.meta.dirname, "stand-ins", "milvus-backup-existing.mjs");
/** The Milvus side, in order, each with the stand-in calls made before it. */
const events: string[] = [];
const state = { occupied: false, staleCheckpoint: false, configured: false, noCheckpointOn: "" };
let dir = "";
const calls = (): string[][] => {
  try {
    return readFileSync(join(dir, "mb.jsonl"), "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string[]);
  } catch {
    return [];
  }
};
const ran = () => calls().map((c) => c[0]);

vi.mock("../src/milvus/replicate.js", async (orig) => ({
  ...(await orig<typeof import("../src/milvus/replicate.js")>()),
  clientFor: vi.fn(() => ({
    getVersion: async () => ({ version: "v2.6.6" }),
    closeConnection: async () => {},
  })),
  configureReplication: vi.fn(async (_p: unknown, o: { only?: string }) => {
    events.push(`configure ${o.only} after [${ran().join(", ")}]`);
    state.configured = true;
    return { confirmedBy: "recorder" };
  }),
  // None held before the drill configures one (a standby to be seeded does not replicate yet).
  readReplicateConfiguration: vi.fn(async () =>
    state.configured
      ? { clusters: [], cross_cluster_topology: [{ source_cluster_id: "alpha", target_cluster_id: "bravo" }] }
      : null,
  ),
  getReplicateInfo: vi.fn(async (_t: unknown, source: string, pch: string) => {
    const restored = ran().includes("restore");
    events.push(`checkpoint ${source} ${pch} after [${ran().join(", ")}]`);
    if (state.staleCheckpoint) return { timeTick: "7", messageId: "old" };
    if (!restored || pch === state.noCheckpointOn) return { timeTick: null, messageId: null };
    const k = Number(pch.split("_").pop());
    return { timeTick: String((1_700_000_000_000n << 18n) + BigInt(k)), messageId: `m${k}` };
  }),
}));
vi.mock("../src/drill/settle.js", async (orig) => ({
  ...(await orig<typeof import("../src/drill/settle.js")>()),
  hasCollection: vi.fn(async (_c: unknown, name: string) => {
    events.push(`has ${name} after [${ran().join(", ")}]`);
    return state.occupied;
  }),
  countOf: vi.fn(async () => 10),
  markerSeen: vi.fn(async () => true),
}));

const TOKEN = "root:s3cret-standby";
function options(over: Partial<ExistingOptions> = {}): ExistingOptions {
  return {
    source: { uri: "http://a:19530", token: "root:s3cret-primary", clusterId: "alpha", replicateUri: null },
    target: { uri: "http://b:19530", token: TOKEN, clusterId: "bravo", replicateUri: null },
    pchannels: 2,
    configureReplication: true,
    kube: null,
    killCdcCommand: null,
    milvusBackup: {
      createCommand: `node ${STANDIN} create {name} --backup_index_extra {sourceClusterId} {targetClusterId}`,
      restoreSecondaryCommand: `node ${STANDIN} restore {name} {sourceClusterId} {targetClusterId}`,
    },
    ...over,
  };
}

async function seed(backend: ExistingBackend, name = "drill seed 1") {
  const pair = await backend.provision();
  const steps: Array<{ name: string; detail?: Record<string, unknown> }> = [];
  const r = await seedStandby({
    backend,
    pair,
    sides: { source: "source", target: "target" },
    source: {} as MilvusClient,
    target: {} as MilvusClient,
    collections: ["drill_items"],
    writeMarker: async () => ({ collection: "drill_items", pk: "1", ver: 1 }),
    timeoutMs: 2000,
    log: captureLog(),
    step: async (n, fn) => {
      const out = await fn();
      steps.push({ name: n, ...(out.detail ? { detail: out.detail } : {}) });
      return out;
    },
    name,
  });
  return { r, steps, pair };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "existing-seed-"));
  process.env.MB_LOG = join(dir, "mb.jsonl");
  writeFileSync(process.env.MB_LOG, "");
  Object.assign(state, { occupied: false, staleCheckpoint: false, configured: false, noCheckpointOn: "" });
  events.length = 0;
});
afterEach(() => {
  for (const k of ["MB_LOG", "MB_PRINT", "MB_SLEEP_MS", "MB_EXIT"]) delete process.env[k];
  rmSync(dir, { recursive: true, force: true });
});

describe("scenario seed on existing clusters, with the user's milvus-backup commands", () => {
  it("runs create, configures the standby, restore secondary, configures the primary, in that order, ids substituted shell-quoted", async () => {
    const backend = new ExistingBackend(options(), { log: captureLog() });
    const { steps, r } = await seed(backend);
    // The backup lists no collections on existing: the drill's own are counted on the standby.
    expect(r.rowsSeeded).toBe(10);
    expect(steps.map((s) => s.name)).toEqual([
      "backup",
      "configure-standby",
      "restore",
      "configure",
      "first-replicated-write",
    ]);
    // The name has spaces: quoted, so it reaches milvus-backup as one argument.
    expect(calls()).toEqual([
      ["create", "drill seed 1", "--backup_index_extra", "alpha", "bravo"],
      ["restore", "drill seed 1", "alpha", "bravo"],
    ]);
    const order = events.filter((e) => !e.startsWith("checkpoint"));
    expect(order).toEqual([
      "has drill_items after []",
      "configure standby after [create]",
      "has drill_items after [create]",
      "configure primary after [create, restore]",
    ]);
    // The standby's checkpoints, keyed by its own channels, read for the source before and after the restore.
    expect(events.filter((e) => e.startsWith("checkpoint"))).toEqual([
      "checkpoint alpha bravo-rootcoord-dml_0 after [create]",
      "checkpoint alpha bravo-rootcoord-dml_1 after [create]",
      "checkpoint alpha bravo-rootcoord-dml_0 after [create, restore]",
      "checkpoint alpha bravo-rootcoord-dml_1 after [create, restore]",
      "checkpoint alpha bravo-rootcoord-dml_0 after [create, restore]",
      "checkpoint alpha bravo-rootcoord-dml_1 after [create, restore]",
    ]);
    const restore = steps.find((s) => s.name === "restore")?.detail ?? {};
    // The points, keyed by the source's channels, are the standby's checkpoints after the restore.
    expect(restore.points).toEqual([
      { pchannel: "alpha-rootcoord-dml_0", timeTick: String(1_700_000_000_000n << 18n), messageId: "m0" },
      {
        pchannel: "alpha-rootcoord-dml_1",
        timeTick: String((1_700_000_000_000n << 18n) + 1n),
        messageId: "m1",
      },
    ]);
    expect(String(restore.pointsFrom)).toMatch(/standby's checkpoint .* not the backup's meta/);
    expect(steps.find((s) => s.name === "backup")?.detail?.points).toEqual([]);
  });

  it("refuses a standby that holds a collection before the create runs: the user's create is never called", async () => {
    state.occupied = true;
    const backend = new ExistingBackend(options(), { log: captureLog() });
    await expect(seed(backend)).rejects.toThrow(
      /already holds collection drill_items: .*refused before anything is backed up or restored/,
    );
    expect(calls()).toEqual([]);
  });

  it("refuses a standby that holds a checkpoint from the primary before the restore runs (zilliztech/milvus-backup#1176)", async () => {
    state.staleCheckpoint = true;
    const backend = new ExistingBackend(options(), { log: captureLog() });
    await expect(seed(backend)).rejects.toThrow(/already has a checkpoint from alpha .*#1176/);
    expect(ran()).toEqual(["create"]);
  });

  it("a channel the restore left without a checkpoint has no point, and says so", async () => {
    state.noCheckpointOn = "bravo-rootcoord-dml_1";
    const log = captureLog();
    const backend = new ExistingBackend(options(), { log });
    const { steps } = await seed(backend);
    const restore = steps.find((s) => s.name === "restore")?.detail ?? {};
    expect((restore.points as Array<{ pchannel: string }>).map((p) => p.pchannel)).toEqual([
      "alpha-rootcoord-dml_0",
    ]);
    expect(restore.noCheckpoint).toEqual(["alpha-rootcoord-dml_1"]);
    expect(log.lines.join("\n")).toMatch(/holds no checkpoint from alpha on alpha-rootcoord-dml_1/);
  });

  it("a hanging command times out naming its purpose, with its output's tail, tokens masked", async () => {
    process.env.MB_SLEEP_MS = "10000";
    process.env.MB_PRINT = TOKEN;
    const backend = new ExistingBackend(options(), {
      log: captureLog(),
      timing: { seedCommandTimeoutMs: 500 },
    });
    const err = await seed(backend).then(
      () => null,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(err).toMatch(
      /timed out after .* waiting for milvusBackup\.createCommand to finish \(backup drill seed 1 of alpha\)/,
    );
    expect(err).toMatch(/last output: milvus-backup create drill seed 1 \*\*\*/);
    expect(err).not.toContain("s3cret");
  });

  it("a failing command fails the seeding with its output, tokens masked", async () => {
    process.env.MB_EXIT = "3";
    process.env.MB_PRINT = TOKEN;
    const backend = new ExistingBackend(options(), { log: captureLog() });
    const err = await seed(backend).then(
      () => null,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(err).toMatch(/failed \(exit 3\): milvus-backup create drill seed 1 \*\*\*/);
    expect(err).not.toContain("s3cret");
  });

  it("without milvusBackup the backend refuses to seed, naming the field", async () => {
    const backend = new ExistingBackend(options({ milvusBackup: null }), { log: captureLog() });
    await expect(seed(backend)).rejects.toThrow(/backend\.existing\.milvusBackup is not set/);
    expect(calls()).toEqual([]);
  });
});

describe("config: scenario seed on existing clusters", () => {
  const existing = (over: Record<string, unknown>) => ({
    scenario: "seed" as const,
    backend: {
      type: "existing" as const,
      existing: {
        source: { uri: "http://a:19530", clusterId: "alpha" },
        target: { uri: "http://b:19530", clusterId: "bravo" },
        killCdcCommand: "true",
        configureReplication: true,
        ...over,
      },
    },
  });
  const mb = {
    createCommand: "milvus-backup create -n {name} --backup_index_extra",
    restoreSecondaryCommand:
      "milvus-backup restore secondary -n {name} --source_cluster_id {sourceClusterId} --target_cluster_id {targetClusterId} --token $" +
      "{TOKEN}",
  };
  it("is accepted with allowDestructive and milvusBackup (the shell's own variables left alone)", () => {
    const cfg = loadConfig({
      profile: "seed-smoke",
      overrides: existing({ allowDestructive: true, milvusBackup: mb }),
    });
    expect(cfg.backend.existing?.milvusBackup).toEqual(mb);
  });
  it("is refused without allowDestructive, naming it, even with milvusBackup", () => {
    expect(() => loadConfig({ profile: "seed-smoke", overrides: existing({ milvusBackup: mb }) })).toThrow(
      /set backend\.existing\.allowDestructive: true/,
    );
  });
  it("is refused without milvusBackup, naming it", () => {
    expect(() =>
      loadConfig({ profile: "seed-smoke", overrides: existing({ allowDestructive: true }) }),
    ).toThrow(/^config backend\.existing\.milvusBackup = null: /);
  });
  it("refuses an unknown placeholder, naming the field and the placeholders allowed", () => {
    const bad = { ...mb, createCommand: "milvus-backup create -n {backup} --backup_index_extra" };
    expect(() =>
      loadConfig({
        profile: "seed-smoke",
        overrides: existing({ allowDestructive: true, milvusBackup: bad }),
      }),
    ).toThrow(
      "config backend.existing.milvusBackup.createCommand = milvus-backup create -n {backup} --backup_index_extra: has an unknown placeholder {backup}; allowed: {name}, {sourceClusterId}, {targetClusterId} (shell variables such as $VAR are left alone)",
    );
  });
});
