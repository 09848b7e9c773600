/**
 * The target front's batched apply, without Milvus Lite: a run of messages on one channel shares one
 * checkpoint write, dedup still holds message by message, and a failure part-way leaves a checkpoint
 * that covers exactly what was applied (so the replicator's next session resumes right after it).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KeyedMutex } from "../src/backends/local/common/mutex.js";
import { DuplicateTracker } from "../src/backends/local/front/duplicates.js";
import type { LiteApply } from "../src/backends/local/front/lite-apply.js";
import type { ChannelMap } from "../src/backends/local/replication/channel-map.js";
import { CheckpointStore } from "../src/backends/local/replication/checkpoints.js";
import type { ConfigStore } from "../src/backends/local/replication/config-store.js";
import { ReplicateApply } from "../src/backends/local/replication/replicate-apply.js";
import { decode, decodeRequest, encode, encodeRequest, encodeResponse } from "../src/milvus/proto.js";

const SOURCE = ["src-dml_0", "src-dml_1"];
const TARGET = ["tgt-dml_0", "tgt-dml_1"];
const config = {
  clusters: [
    { cluster_id: "src", pchannels: SOURCE, connection_param: { uri: "http://src:19530" } },
    { cluster_id: "tgt", pchannels: TARGET, connection_param: { uri: "http://tgt:19530" } },
  ],
  cross_cluster_topology: [{ source_cluster_id: "src", target_cluster_id: "tgt" }],
};

function message(ch: number, tt: number, pk: number): Buffer {
  return encode("milvus.ReplicateRequest", {
    replicate_message: {
      source_cluster_id: "src",
      message: {
        id: { id: String(tt) },
        payload: encodeRequest("Insert", {
          collection_name: "c",
          num_rows: 1,
          fields_data: [{ field_name: "pk", type: "Int64", scalars: { long_data: { data: [pk] } } }],
        }),
        properties: {
          _pch: SOURCE[ch] as string,
          _method: "Insert",
          _tt: String(tt),
          _db: "default",
          _coll: "c",
        },
      },
    },
  });
}

const confirmed = (b: Buffer): string =>
  String(
    decode<{ replicate_confirmed_message_info?: { confirmed_time_tick?: string } }>(
      "milvus.ReplicateResponse",
      b,
    ).replicate_confirmed_message_info?.confirmed_time_tick,
  );

let dir: string;
let applied: number[];
let checkpointWrites: Array<{ pch: string; tt: string }>;
let failOnPk: number | undefined;

/** Milvus Lite as the duplicate tracker sees it: one Int64 pk, the keys stored, Query on `pk in [...]`. */
let stored: Set<string>;
let queries: number;
const liteRaw = async (method: string, request: Buffer): Promise<Buffer> => {
  if (method === "DescribeCollection")
    return encodeResponse(method, {
      status: {},
      schema: { fields: [{ name: "pk", is_primary_key: true, data_type: "Int64" }] },
    });
  if (method === "Query") {
    queries++;
    const expr = decodeRequest<{ expr?: string }>(method, request).expr ?? "";
    const asked = (/\[([^\]]*)\]/.exec(expr)?.[1] ?? "").split(",");
    const hit = asked.filter((k) => stored.has(k));
    return encodeResponse(method, {
      status: {},
      fields_data: [{ field_name: "pk", type: "Int64", scalars: { long_data: { data: hit } } }],
    });
  }
  throw new Error(`unexpected ${method}`);
};

function receiver(
  dups: DuplicateTracker = new DuplicateTracker(liteRaw),
  shared: { store: { config: unknown }; locks: KeyedMutex<number> } = {
    store: { config },
    locks: new KeyedMutex<number>(),
  },
): {
  apply: ReplicateApply;
  checkpoints: CheckpointStore;
} {
  const checkpoints = new CheckpointStore(TARGET, dir);
  const set = checkpoints.set.bind(checkpoints);
  checkpoints.set = async (pch, cp) => {
    checkpointWrites.push({ pch, tt: cp.time_tick });
    await set(pch, cp);
  };
  const liteApply = {
    apply: async (method: string, _req: unknown, request: Buffer) => {
      const pk = Number(
        (
          decode("milvus.InsertRequest", request) as {
            fields_data: Array<{ scalars: { long_data: { data: string[] } } }>;
          }
        ).fields_data[0]?.scalars.long_data.data[0],
      );
      if (pk === failOnPk)
        return encodeResponse(method, { status: { code: 65535, reason: "injected failure" } });
      applied.push(pk);
      stored.add(String(pk));
      return encodeResponse(method, { status: {} });
    },
  } as unknown as LiteApply;
  const apply = new ReplicateApply({
    clusterId: "tgt",
    pchannels: TARGET,
    config: shared.store as unknown as ConfigStore,
    channels: {
      plan: (_m: string, _r: unknown, _db: string, ch: number) => ({
        channels: [ch],
        channel: ch,
        collection: "c",
      }),
      commit: async () => {},
    } as unknown as ChannelMap,
    checkpoints,
    locks: shared.locks,
    liteApply,
    dups,
    onAnnouncement: async () => {},
  });
  return { apply, checkpoints };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "replicate-apply-"));
  applied = [];
  checkpointWrites = [];
  failOnPk = undefined;
  stored = new Set();
  queries = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("batched replicate apply", () => {
  it("applies a run in order with one checkpoint write, and confirms every message", async () => {
    const { apply, checkpoints } = receiver();
    const batch = [10, 20, 30, 40].map((tt, i) => message(0, tt, i + 1));
    const r = await apply.applyBatch(batch);
    expect(r.error).toBeUndefined();
    expect(applied).toEqual([1, 2, 3, 4]);
    expect(r.responses.map(confirmed)).toEqual(["10", "20", "30", "40"]);
    expect(checkpointWrites).toEqual([{ pch: "tgt-dml_0", tt: "40" }]);
    expect(apply.stats).toEqual({ runs: 1, messages: 4, largestRun: 4 });
    // On disk, not only in memory: a restarted front resumes from it.
    const reloaded = new CheckpointStore(TARGET, dir);
    await reloaded.load();
    expect(reloaded.get("tgt-dml_0", "src")?.time_tick).toBe("40");
    expect(checkpoints.get("tgt-dml_0", "src")?.time_tick).toBe("40");
  });

  it("skips a message already covered, inside the batch and across batches", async () => {
    const { apply } = receiver();
    // A resent window overlapping the batch itself: 20 again after 30.
    const r = await apply.applyBatch([
      message(0, 10, 1),
      message(0, 20, 2),
      message(0, 30, 3),
      message(0, 20, 2),
    ]);
    expect(r.error).toBeUndefined();
    expect(applied).toEqual([1, 2, 3]);
    expect(r.responses.map(confirmed)).toEqual(["10", "20", "30", "20"]);
    const again = await apply.applyBatch([message(0, 30, 3), message(0, 40, 4)]);
    expect(applied).toEqual([1, 2, 3, 4]);
    expect(again.responses.map(confirmed)).toEqual(["30", "40"]);
  });

  it("a message that waited for its channel while a force promote ended the edge is refused, and moves no checkpoint", async () => {
    const store: { config: unknown } = { config };
    const locks = new KeyedMutex<number>();
    const { apply, checkpoints } = receiver(undefined, { store, locks });
    // The force promote holds every channel's lock while it drops the topology and the checkpoints.
    let release!: () => void;
    const promoting = locks.run([0, 1], async () => {
      await new Promise<void>((r) => {
        release = r;
      });
      store.config = { clusters: [config.clusters[1]], cross_cluster_topology: [] };
      await checkpoints.clear();
    });
    // A batch from the lost primary, received just before: it passes the first check, then waits.
    const late = apply.applyBatch([message(0, 10, 1), message(0, 20, 2)]);
    await new Promise((r) => setTimeout(r, 20));
    release();
    await promoting;
    const r = await late;
    expect(String(r.error)).toMatch(/has no replication from source cluster 'src' configured/);
    expect(r.responses).toEqual([]);
    expect(applied).toEqual([]);
    expect(checkpointWrites).toEqual([]);
    expect(checkpoints.list()).toEqual([]);
  });

  it("starts a new run (and checkpoint) where the channel changes", async () => {
    const { apply } = receiver();
    const r = await apply.applyBatch([
      message(0, 10, 1),
      message(0, 11, 2),
      message(1, 12, 3),
      message(0, 13, 4),
    ]);
    expect(r.error).toBeUndefined();
    expect(applied).toEqual([1, 2, 3, 4]);
    expect(checkpointWrites).toEqual([
      { pch: "tgt-dml_0", tt: "11" },
      { pch: "tgt-dml_1", tt: "12" },
      { pch: "tgt-dml_0", tt: "13" },
    ]);
  });

  it("on a failure part-way, checkpoints and confirms exactly what was applied, then fails", async () => {
    const { apply, checkpoints } = receiver();
    failOnPk = 3;
    const r = await apply.applyBatch([10, 20, 30, 40].map((tt, i) => message(0, tt, i + 1)));
    expect(String(r.error)).toMatch(/apply of Insert on 'c' failed: injected failure/);
    expect(applied).toEqual([1, 2]);
    expect(r.responses.map(confirmed)).toEqual(["10", "20"]);
    expect(checkpoints.get("tgt-dml_0", "src")?.time_tick).toBe("20");
    // The replicator's next session resends from after 20: 30 and 40 are applied once each.
    failOnPk = undefined;
    const retry = await apply.applyBatch([20, 30, 40].map((tt) => message(0, tt, tt / 10)));
    expect(retry.error).toBeUndefined();
    expect(applied).toEqual([1, 2, 3, 4]);
  });

  it("counts re-inserted keys as Milvus would, with one existence query for a run of inserts", async () => {
    const dups = new DuplicateTracker(liteRaw);
    const { apply } = receiver(dups);
    stored.add("7"); // written before the run
    // pk 1 twice within the run, pk 7 already there, and a resent message (tt 20) that dedup skips.
    const r = await apply.applyBatch([
      message(0, 10, 1),
      message(0, 20, 2),
      message(0, 20, 2),
      message(0, 30, 1),
      message(0, 40, 7),
    ]);
    expect(r.error).toBeUndefined();
    expect(applied).toEqual([1, 2, 1, 7]);
    expect(queries).toBe(1);
    expect(dups.summary()).toEqual({ "default/c": 2 });
  });

  it("refuses a message from a channel outside the configuration after applying those before it", async () => {
    const { apply, checkpoints } = receiver();
    const stray = encode("milvus.ReplicateRequest", {
      replicate_message: {
        source_cluster_id: "src",
        message: { id: { id: "x" }, payload: Buffer.alloc(0), properties: { _pch: "nowhere", _tt: "99" } },
      },
    });
    const r = await apply.applyBatch([message(0, 10, 1), stray, message(0, 30, 3)]);
    expect(String(r.error)).toMatch(/pchannel 'nowhere' is not a pchannel of source cluster 'src'/);
    expect(applied).toEqual([1]);
    expect(r.responses.map(confirmed)).toEqual(["10"]);
    expect(checkpoints.get("tgt-dml_0", "src")?.time_tick).toBe("10");
  });

  it("refuses a replicated resource-group change: resource groups are per cluster, never replicated", async () => {
    // Milvus's suite (test_resource_group.py, test_*_not_replicated): CDC does not carry them, so the
    // local WAL never holds one and a standby applies none that arrives.
    const { apply, checkpoints } = receiver();
    const rg = encode("milvus.ReplicateRequest", {
      replicate_message: {
        source_cluster_id: "src",
        message: {
          id: { id: "20" },
          payload: encodeRequest("CreateResourceGroup", { resource_group: "rg" }),
          properties: { _pch: SOURCE[0] as string, _method: "CreateResourceGroup", _tt: "20", _db: "" },
        },
      },
    });
    const r = await apply.applyBatch([message(0, 10, 1), rg, message(0, 30, 3)]);
    expect(String(r.error)).toMatch(/replicated message has unknown method 'CreateResourceGroup'/);
    expect(applied).toEqual([1]);
    expect(checkpoints.get("tgt-dml_0", "src")?.time_tick).toBe("10");
  });
});
