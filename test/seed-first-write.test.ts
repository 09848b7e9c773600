/**
 * seedStandby's last step, first-replicated-write, on its own (the RPCs and reads it makes around it
 * are stubbed): a standby that does not show the marker in time is the system's failure, recorded as a
 * failed step for seed-alignment in scenario seed ("judge"), an error stopping the caller otherwise
 * (the failover's way back); a marker the primary did not acknowledge stops both.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Backend, ClusterPair, Logger } from "../src/backends/types.js";
import type { StepName } from "../src/history/types.js";

const seen = vi.hoisted(() => ({ after: Number.POSITIVE_INFINITY, calls: 0 }));
vi.mock("../src/milvus/replicate.js", () => ({
  configureReplication: async () => ({ confirmedBy: "stub" }),
  getReplicateInfo: async () => ({ timeTick: null, messageId: null }),
  readReplicateConfiguration: async () => ({
    cross_cluster_topology: [{ source_cluster_id: "a", target_cluster_id: "b" }],
  }),
}));
vi.mock("../src/drill/settle.js", () => ({
  hasCollection: async () => false,
  countOf: async () => 3,
  markerSeen: async () => ++seen.calls > seen.after,
}));
const { seedStandby } = await import("../src/drill/seed.js");

const pair = {
  source: { clusterId: "a", uri: "http://a:19530", pchannels: ["a-dml_0"] },
  target: { clusterId: "b", uri: "http://b:19530", pchannels: ["b-dml_0"] },
} as unknown as ClusterPair;
const backend = {
  info: { name: "stub" },
  backup: async () => ({ name: "bk", clusterId: "a", points: [], collections: [], rows: 3 }),
  restoreSecondary: async () => ({ rows: 3 }),
} as unknown as Backend;

function run(o: { unshownMarker?: "throw" | "judge"; acknowledged?: boolean }) {
  const steps: Array<{ name: StepName; ok: boolean; error?: string }> = [];
  const warnings: string[] = [];
  const log: Logger = {
    info: () => {},
    warn: (m) => warnings.push(m),
    debug: () => {},
    group: (_n, fn) => fn(),
  };
  const done = seedStandby({
    backend,
    pair,
    sides: { source: "source", target: "target" },
    source: {} as MilvusClient,
    target: {} as MilvusClient,
    collections: ["c"],
    writeMarker: async () =>
      o.acknowledged === false ? undefined : { collection: "c", pk: "990000001", ver: 1 },
    timeoutMs: 400,
    ...(o.unshownMarker ? { unshownMarker: o.unshownMarker } : {}),
    log,
    // The timed step runner's contract: a failure is recorded, then thrown on.
    step: async (name, fn) => {
      try {
        const r = await fn();
        steps.push({ name, ok: true });
        return r;
      } catch (e) {
        steps.push({ name, ok: false, error: (e as Error).message });
        throw e;
      }
    },
    name: "bk",
  });
  return { done, steps, warnings };
}

describe("seedStandby's first replicated write", () => {
  beforeEach(() => {
    seen.calls = 0;
    seen.after = Number.POSITIVE_INFINITY;
  });

  it("judge: a marker never shown is a failed step and a warning, and the seeding returns", async () => {
    const r = run({ unshownMarker: "judge" });
    await expect(r.done).resolves.toMatchObject({ rowsSeeded: 3 });
    expect(r.steps.map((s) => `${s.name}:${s.ok}`)).toEqual([
      "backup:true",
      "configure-standby:true",
      "restore:true",
      "configure:true",
      "first-replicated-write:false",
    ]);
    expect(r.steps[4]?.error).toBe(
      "the standby did not show marker 990000001 ver 1 of c within 400 ms after replication was configured",
    );
    expect(r.warnings.join("\n")).toMatch(/did not show marker 990000001.*seed-alignment judges it/);
  });

  it("throw (the default): a marker never shown stops the caller", async () => {
    const r = run({});
    await expect(r.done).rejects.toThrow(/did not show marker 990000001 ver 1 of c within 400 ms/);
    expect(r.steps.at(-1)).toMatchObject({ name: "first-replicated-write", ok: false });
  });

  it("a marker the primary did not acknowledge stops the caller even when judging", async () => {
    const r = run({ unshownMarker: "judge", acknowledged: false });
    await expect(r.done).rejects.toThrow("no marker write was acknowledged by a");
  });

  it("a marker shown in time is a step that succeeded, and nothing is warned", async () => {
    seen.after = 2;
    const r = run({ unshownMarker: "judge" });
    await r.done;
    expect(r.steps.at(-1)).toEqual({ name: "first-replicated-write", ok: true });
    expect(r.warnings).toEqual([]);
  });
});
