import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FaultFilter,
  flipLowestMantissaBit,
  LOSE_TAIL_HOLD_MS,
} from "../src/backends/local/faults/faults.js";
import {
  parseReplicatorOptions,
  type ReplicatorOptions,
  redactOptions,
  runReplicator,
} from "../src/backends/local/replication/replicator.js";
import { ReplicatorSupervisor } from "../src/backends/local/replication/supervisor.js";
import {
  parseWalLine,
  readWholeWal,
  WalDirWatcher,
  WalReader,
} from "../src/backends/local/wal/wal-reader.js";
import { HEARTBEAT_COLLECTION, SETTLE_KEY } from "../src/generator/reserved.js";
import { decodeRequest, encodeRequest } from "../src/milvus/proto.js";
import { FakeStandby, TestWal } from "./helpers/fake-standby.js";
import { alive, waitFor } from "./helpers/wait.js";

const SRC = "pri";
const TGT = "sby";
const N = 2;
const srcCh = Array.from({ length: N }, (_, i) => `${SRC}-rootcoord-dml_${i}`);
const tgtCh = Array.from({ length: N }, (_, i) => `${TGT}-rootcoord-dml_${i}`);

let dir: string;
let standby: FakeStandby | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "replicator-test-"));
});
afterEach(async () => {
  await standby?.stop();
  standby = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function options(uri: string, extra: Partial<ReplicatorOptions> = {}): ReplicatorOptions {
  return {
    walDir: join(dir, "wal"),
    source: { clusterId: SRC, pchannels: srcCh },
    target: { clusterId: TGT, uri, pchannels: tgtCh },
    faultMode: "none",
    faultEvery: 0,
    restartDelayMs: 50,
    logFile: join(dir, "replicator.log"),
    ...extra,
  };
}

async function fake(extra: Partial<ConstructorParameters<typeof FakeStandby>[0]> = {}): Promise<FakeStandby> {
  standby = new FakeStandby({
    sourceClusterId: SRC,
    sourcePchannels: srcCh,
    targetPchannels: tgtCh,
    ...extra,
  });
  await standby.start();
  return standby;
}

/** Runs the replicator in this process until stop() (faster to test than a child process). */
function inProcess(opts: ReplicatorOptions, generation = 0) {
  const ac = new AbortController();
  const lines: string[] = [];
  const done = runReplicator(opts, { generation, log: (m) => lines.push(m), signal: ac.signal });
  return {
    lines,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

/** tt of every log entry, per channel, in log order. */
async function logTts(walDir: string): Promise<Map<string, bigint[]>> {
  const m = new Map<string, bigint[]>();
  for (const ch of srcCh)
    m.set(
      ch,
      (await readWholeWal(join(walDir, `${ch}.log`))).map((e) => e.ttNum),
    );
  return m;
}

function appliedTts(s: FakeStandby): Map<string, bigint[]> {
  const m = new Map<string, bigint[]>(srcCh.map((c) => [c, []]));
  for (const a of s.applied) m.get(a.pch)?.push(a.tt);
  return m;
}

function insertPayload(pk: number, vec: number[]): Buffer {
  return encodeRequest("Insert", {
    db_name: "default",
    collection_name: "c",
    num_rows: 1,
    fields_data: [
      { type: "Int64", field_name: "pk", scalars: { long_data: { data: [String(pk)] } } },
      {
        type: "FloatVector",
        field_name: "vec",
        vectors: { dim: String(vec.length), float_vector: { data: vec } },
      },
    ],
  });
}

function deletePayload(pks: number[]): Buffer {
  return encodeRequest("Delete", {
    db_name: "default",
    collection_name: "c",
    expr: `pk in [${pks.join(", ")}]`,
  });
}

describe("WalReader", () => {
  it("returns complete lines only, with byte offsets, reading only what was appended", async () => {
    const file = join(dir, "ch.log");
    const l1 = `${JSON.stringify({ tt: "5", method: "Insert", kind: "dml", db: "default", collection: "é", payload: "" })}\n`;
    writeFileSync(file, l1);
    const r = new WalReader(file);
    const first = await r.poll();
    expect(first.map((e) => [e.offset, e.tt, e.collection])).toEqual([[0, "5", "é"]]);
    const l2 = JSON.stringify({
      tt: "6",
      method: "Delete",
      kind: "dml",
      db: "default",
      collection: "x",
      payload: "",
    });
    appendFileSync(file, l2.slice(0, 10));
    expect(await r.poll()).toEqual([]);
    appendFileSync(file, `${l2.slice(10)}\n`);
    const second = await r.poll();
    // Offsets are bytes, not characters: "é" is two bytes in UTF-8.
    expect(second.map((e) => [e.offset, e.tt])).toEqual([[Buffer.byteLength(l1), "6"]]);
    expect(await r.poll()).toEqual([]);
    await r.close();
  });

  it("reads lines longer than its read chunk and 10k entries (its speed is measured by npm run bench)", async () => {
    const file = join(dir, "big.log");
    const big = "A".repeat(3 << 20);
    const lines = [
      JSON.stringify({ tt: "1", method: "Insert", kind: "dml", db: "d", collection: "c", payload: big }),
    ];
    for (let i = 2; i <= 10_001; i++)
      lines.push(
        JSON.stringify({
          tt: String(i),
          method: "Insert",
          kind: "dml",
          db: "d",
          collection: "c",
          payload: "QUJD",
        }),
      );
    writeFileSync(file, `${lines.join("\n")}\n`);
    const all = await readWholeWal(file);
    expect(all.length).toBe(10_001);
    expect(all[0]?.payload.length).toBe(big.length);
    expect(all[1]?.offset).toBe(Buffer.byteLength(lines[0] as string) + 1);
    expect(all.at(-1)?.tt).toBe("10001");
  });

  it("rejects a malformed line naming the file, the offset and the field", async () => {
    const file = join(dir, "bad.log");
    writeFileSync(
      file,
      `${JSON.stringify({ tt: "x1", method: "Insert", kind: "dml", db: "d", payload: "" })}\n`,
    );
    await expect(new WalReader(file).poll()).rejects.toThrow(
      /bad\.log offset 0: tt "x1" is not a decimal uint64/,
    );
  });
});

describe("WalDirWatcher", () => {
  it("wakes a waiter when its file is appended to, long before the fallback interval", async () => {
    const w = new WalDirWatcher(dir);
    try {
      expect(w.watching).toBe(true);
      const file = join(dir, "a.log");
      writeFileSync(file, "");
      await new Promise((r) => setTimeout(r, 50));
      const since = w.version("a.log");
      const t0 = performance.now();
      setTimeout(() => appendFileSync(file, "x\n"), 50);
      await w.wait("a.log", since, 5000, new AbortController().signal);
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThanOrEqual(40);
      expect(ms).toBeLessThan(2000);
      // A change already seen ends the next wait at once; an unrelated file does not wake it.
      expect(w.version("a.log")).toBeGreaterThan(since);
      const t1 = performance.now();
      setTimeout(() => appendFileSync(join(dir, "b.log"), "x\n"), 20);
      await w.wait("a.log", w.version("a.log"), 300, new AbortController().signal);
      expect(performance.now() - t1).toBeGreaterThanOrEqual(280);
    } finally {
      w.close();
    }
  });

  it("falls back to the interval when the directory does not exist yet", async () => {
    const w = new WalDirWatcher(join(dir, "missing"));
    try {
      expect(w.watching).toBe(false);
      const t0 = performance.now();
      await w.wait("a.log", 0, 100, new AbortController().signal);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    } finally {
      w.close();
    }
  });
});

describe("options", () => {
  it("rejects bad input with one line naming the field, the value and what is allowed", () => {
    const good = options("http://127.0.0.1:1");
    expect(() => parseReplicatorOptions({ ...good, faultMode: "explode" })).toThrow(/faultMode = "explode"/);
    expect(() =>
      parseReplicatorOptions({ ...good, target: { ...good.target, pchannels: ["only-one"] } }),
    ).toThrow(/same number of pchannels/);
    const red = redactOptions({ ...good, target: { ...good.target, token: "root:Milvus" } });
    expect(JSON.stringify(red)).not.toContain("Milvus");
  });
});

describe("replicator against a fake standby", () => {
  it("applies every entry exactly once, in log order per channel, sending the token", async () => {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    for (let i = 0; i < 50; i++) await wal.append(srcCh[i % N] as string, { method: "Insert" });
    const r = inProcess(
      options(s.uri, { target: { clusterId: TGT, uri: s.uri, pchannels: tgtCh, token: "root:Pw" } }),
    );
    // Entries appended while the replicator tails the log are picked up too.
    for (let i = 0; i < 50; i++) await wal.append(srcCh[i % N] as string, { method: "Upsert" });
    await waitFor("100 applied messages", () => s.applied.length >= 100);
    await new Promise((res) => setTimeout(res, 200));
    await r.stop();
    expect(appliedTts(s)).toEqual(await logTts(join(dir, "wal")));
    expect(s.authHeaders.length).toBeGreaterThan(0);
    expect(new Set(s.authHeaders)).toEqual(new Set([Buffer.from("root:Pw").toString("base64")]));
  });

  it("reconnects after the target fails an apply and still applies everything exactly once", async () => {
    const s = await fake({ failApplyAt: [7, 30] });
    const wal = new TestWal(join(dir, "wal"));
    for (let i = 0; i < 80; i++) await wal.append(srcCh[i % N] as string, { method: "Insert" });
    const r = inProcess(options(s.uri));
    await waitFor("80 applied messages", () => s.applied.length >= 80);
    await new Promise((res) => setTimeout(res, 200));
    await r.stop();
    expect(appliedTts(s)).toEqual(await logTts(join(dir, "wal")));
    expect(s.streams).toBeGreaterThan(N);
    expect(r.lines.some((l) => l.includes("injected apply failure"))).toBe(true);
  });

  it("rides out a standby that goes away and comes back on the same address", async () => {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    for (let i = 0; i < 20; i++) await wal.append(srcCh[i % N] as string, { method: "Insert" });
    const r = inProcess(options(s.uri));
    await waitFor("20 applied messages", () => s.applied.length >= 20);
    await s.stop();
    // Written while the standby is down; its checkpoints survive (they are durable on a real front).
    for (let i = 0; i < 20; i++) await wal.append(srcCh[i % N] as string, { method: "Upsert" });
    await new Promise((res) => setTimeout(res, 500));
    await s.start(s.port);
    await waitFor("40 applied messages after the standby came back", () => s.applied.length >= 40, 30_000);
    await new Promise((res) => setTimeout(res, 200));
    await r.stop();
    expect(appliedTts(s)).toEqual(await logTts(join(dir, "wal")));
  });

  it("resumes right after the checkpoint, or after its tt when the message id is wrong", async () => {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    const written: Array<{ offset: number; tt: bigint }> = [];
    for (let i = 0; i < 10; i++) written.push(await wal.append(srcCh[0] as string, { method: "Insert" }));
    const mid = written[4] as { offset: number; tt: bigint };
    s.checkpoints.set(tgtCh[0] as string, { offset: String(mid.offset), tt: mid.tt });
    const wrong = written[6] as { offset: number; tt: bigint };
    await wal.append(srcCh[1] as string, { method: "Insert" });
    const ch1 = await wal.append(srcCh[1] as string, { method: "Insert" });
    // Channel 1's checkpoint names the offset of some other entry: the tt must win.
    s.checkpoints.set(tgtCh[1] as string, { offset: String(wrong.offset), tt: ch1.tt - 1n });
    const r = inProcess(options(s.uri));
    await waitFor("6 applied messages", () => s.applied.length >= 6);
    await new Promise((res) => setTimeout(res, 200));
    await r.stop();
    expect(appliedTts(s).get(srcCh[0] as string)).toEqual(written.slice(5).map((w) => w.tt));
    expect(appliedTts(s).get(srcCh[1] as string)).toEqual([ch1.tt]);
    expect(r.lines.some((l) => l.includes("does not hold tt"))).toBe(true);
  });

  it("retries GetReplicateInfo until its channel answers (deadline on each call)", async () => {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    await wal.append(srcCh[0] as string, { method: "Insert" });
    const ac = new AbortController();
    const lines: string[] = [];
    // A topology the standby does not know: Milvus (and the front) never answer, only the deadline ends it.
    const opts = options(s.uri, { target: { clusterId: TGT, uri: s.uri, pchannels: ["nope_0", "nope_1"] } });
    const done = runReplicator(opts, {
      generation: 0,
      log: (m) => lines.push(m),
      signal: ac.signal,
      infoDeadlineMs: 200,
    });
    await waitFor("a deadline error in the log", () =>
      lines.some((l) => /GetReplicateInfo\(nope_0\).*[Dd]eadline/.test(l)),
    );
    ac.abort();
    await done;
    expect(s.applied).toEqual([]);
  });
});

describe("fault modes against a fake standby", () => {
  async function runMode(
    mode: ReplicatorOptions["faultMode"],
    every: number,
    fill: (wal: TestWal) => Promise<void>,
    expectApplied: (s: FakeStandby) => boolean,
  ): Promise<{ s: FakeStandby; lines: string[] }> {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    await fill(wal);
    const r = inProcess(options(s.uri, { faultMode: mode, faultEvery: every }));
    await waitFor(`${mode} to settle`, () => expectApplied(s));
    await new Promise((res) => setTimeout(res, 300));
    await r.stop();
    return { s, lines: r.lines };
  }

  it("none: everything, once", async () => {
    const { s } = await runMode(
      "none",
      0,
      async (w) => {
        for (let i = 0; i < 20; i++) await w.append(srcCh[0] as string, { method: "Insert" });
      },
      (s) => s.applied.length >= 20,
    );
    expect(appliedTts(s)).toEqual(await logTts(join(dir, "wal")));
  });

  it("drop: every 5th DML message is missing, DDL is kept", async () => {
    const { s } = await runMode(
      "drop",
      5,
      async (w) => {
        await w.append(srcCh[0] as string, { method: "CreateCollection" });
        for (let i = 0; i < 20; i++) await w.append(srcCh[0] as string, { method: "Insert" });
      },
      (s) => s.applied.length >= 17,
    );
    const log = (await logTts(join(dir, "wal"))).get(srcCh[0] as string) as bigint[];
    const got = appliedTts(s).get(srcCh[0] as string) as bigint[];
    expect(got.length).toBe(17);
    expect(s.applied[0]?.method).toBe("CreateCollection");
    const missing = log.filter((t) => !got.includes(t));
    expect(missing).toEqual([log[5], log[10], log[15], log[20]]);
  });

  it("drop-ddl: partitions, indexes and aliases are lost, collections and data are not", async () => {
    const ddl = [
      "CreateCollection",
      "CreatePartition",
      "CreateIndex",
      "CreateAlias",
      "AlterAlias",
      "DropAlias",
    ];
    const { s } = await runMode(
      "drop-ddl",
      0,
      async (w) => {
        for (const m of ddl) await w.append(srcCh[0] as string, { method: m });
        await w.append(srcCh[0] as string, { method: "Insert" });
      },
      (s) => s.applied.length >= 2,
    );
    expect(s.applied.map((a) => a.method)).toEqual(["CreateCollection", "Insert"]);
  });

  it("reorder: a Delete of a key a held write wrote is applied first, the write with dedup off", async () => {
    const vec = [0.5, 0.25];
    const { s } = await runMode(
      "reorder",
      0,
      async (w) => {
        await w.append(srcCh[0] as string, { method: "Insert", payload: insertPayload(1, vec) });
        await w.append(srcCh[0] as string, { method: "Delete", payload: deletePayload([1]) });
        await w.append(srcCh[0] as string, {
          method: "Insert",
          collection: "other",
          payload: insertPayload(2, vec),
        });
        // Another key: nothing to swap, so the held write goes first and order is kept.
        await w.append(srcCh[0] as string, { method: "Delete", payload: deletePayload([3]) });
      },
      (s) => s.applied.length >= 4,
    );
    expect(s.applied.map((a) => `${a.method}${a.nodedup ? "!" : ""}`)).toEqual([
      "Delete",
      "Insert!",
      "Insert",
      "Delete",
    ]);
  });

  it("reorder: a write held when the stream breaks is not sent twice by the next stream", () => {
    const f = new FaultFilter("reorder", 0, { sent: 0, corrupted: false });
    const e = (method: string, tt: number) =>
      parseWalLine(
        JSON.stringify({
          tt: String(tt),
          method,
          kind: "dml",
          db: "default",
          collection: "c",
          payload: (method === "Delete" ? deletePayload([1]) : insertPayload(1, [1, 2])).toString("base64"),
        }),
        tt,
        "t",
      );
    expect(f.push(e("Insert", 1))).toEqual([]);
    f.newSession();
    // The new stream resumes before the held write and reads it again.
    expect(f.push(e("Insert", 1))).toEqual([]);
    const out = f.push(e("Delete", 2)).map((o) => `${o.entry.method}${o.entry.tt}${o.nodedup ? "!" : ""}`);
    expect(out).toEqual(["Delete2", "Insert1!"]);
    expect(f.flush()).toEqual([]);
  });

  it("lose-tail-on-switchover: the data writes waiting when the settle marker comes are dropped, nothing else", () => {
    let remembered = 0;
    const f = new FaultFilter("lose-tail-on-switchover", 0, {
      sent: 0,
      corrupted: false,
      onTailLost: () => {
        remembered += 1;
      },
    });
    const e = (method: string, tt: number, pk: number, collection = "c") =>
      parseWalLine(
        JSON.stringify({
          tt: String(tt),
          method,
          kind: method === "CreateIndex" ? "ddl" : "dml",
          db: "default",
          collection,
          payload: (method === "Delete" ? deletePayload([pk]) : insertPayload(pk, [1, 2])).toString("base64"),
        }),
        tt,
        "t",
      );
    const names = (outs: ReturnType<FaultFilter["push"]>) =>
      outs.map((o) => `${o.entry.method}${o.entry.tt}`);
    // Every message waits in the delay line, in order, and goes out when its time is up.
    expect(names(f.push(e("Insert", 1, 1)))).toEqual([]);
    expect(f.holding).toBe(true);
    expect(names(f.due(Date.now() + LOSE_TAIL_HOLD_MS))).toEqual(["Insert1"]);
    // A stream that breaks drops the line: those messages were never confirmed and are read again.
    expect(names(f.push(e("Insert", 2, 2)))).toEqual([]);
    f.newSession();
    expect(f.holding).toBe(false);
    // The tail: two data writes, a heartbeat and an index build, then the drill's settle marker.
    f.push(e("Insert", 2, 2));
    f.push(e("Upsert", 3, 1, HEARTBEAT_COLLECTION));
    f.push(e("Delete", 4, 1));
    f.push(e("CreateIndex", 5, 0));
    expect(names(f.push(e("Upsert", 6, SETTLE_KEY)))).toEqual(["Upsert3", "CreateIndex5", "Upsert6"]);
    expect(remembered).toBe(1);
    // Once lost, the channel passes everything on at once.
    expect(names(f.push(e("Insert", 7, 3)))).toEqual(["Insert7"]);
    expect(names(f.push(e("Upsert", 8, SETTLE_KEY)))).toEqual(["Upsert8"]);
    expect(f.holding).toBe(false);
    // A replicator started after the loss (the reverse direction after the switchover) is faithful.
    const later = new FaultFilter("lose-tail-on-switchover", 0, {
      sent: 0,
      corrupted: false,
      tailLost: true,
    });
    expect(names(later.push(e("Insert", 9, 4)))).toEqual(["Insert9"]);
  });

  it("lose-tail-on-switchover: the target's checkpoint passes the lost writes, so no restart brings them back", async () => {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    const ch = srcCh[0] as string;
    const g0 = inProcess(options(s.uri, { faultMode: "lose-tail-on-switchover" }), 0);
    const early = await wal.append(ch, { method: "Insert", payload: insertPayload(1, [1, 2]) });
    await waitFor("the early write, after its time in the delay line", () =>
      s.applied.some((a) => a.tt === early.tt),
    );
    const tail = [
      await wal.append(ch, { method: "Insert", payload: insertPayload(2, [1, 2]) }),
      await wal.append(ch, { method: "Delete", payload: deletePayload([1]) }),
    ];
    const marker = await wal.append(ch, { method: "Upsert", payload: insertPayload(SETTLE_KEY, [1, 2]) });
    await waitFor("the settle marker", () => s.applied.some((a) => a.tt === marker.tt));
    await g0.stop();
    // A restart (any kill after the loss) resumes after the marker: the tail is gone for good.
    const g1 = inProcess(options(s.uri, { faultMode: "lose-tail-on-switchover" }), 1);
    const after = await wal.append(ch, { method: "Insert", payload: insertPayload(3, [1, 2]) });
    await waitFor("the write after the restart", () => s.applied.some((a) => a.tt === after.tt));
    await g1.stop();
    expect(s.applied.map((a) => a.tt)).toEqual([early.tt, marker.tt, after.tt]);
    expect(s.applied.some((a) => tail.some((t) => t.tt === a.tt))).toBe(false);
    expect(
      g0.lines.some((l) => /fault lose-tail-on-switchover: dropping the last 2 data message/.test(l)),
    ).toBe(true);
  });

  it("stall: stops after N messages but keeps its stream open", async () => {
    const { s, lines } = await runMode(
      "stall",
      7,
      async (w) => {
        for (let i = 0; i < 20; i++) await w.append(srcCh[i % N] as string, { method: "Insert" });
      },
      (s) => s.applied.length >= 7,
    );
    expect(s.applied.length).toBe(7);
    expect(lines.some((l) => l.includes("fault stall"))).toBe(true);
  });

  it("corrupt-vector: exactly one float of one insert differs, by its lowest bit", async () => {
    const vec = [0.25, 0.5, 0.75, 1];
    const payloads = [insertPayload(1, vec), insertPayload(2, vec)];
    const { s } = await runMode(
      "corrupt-vector",
      0,
      async (w) => {
        for (const p of payloads) await w.append(srcCh[0] as string, { method: "Insert", payload: p });
      },
      (s) => s.applied.length >= 2,
    );
    const vectors = s.applied.map((a) =>
      (
        decodeRequest<{ fields_data: Array<{ vectors?: { float_vector?: { data: number[] } } }> }>(
          "Insert",
          a.payload,
        ).fields_data[1]?.vectors?.float_vector?.data ?? []
      ).slice(),
    );
    expect(vectors[0]).toEqual([flipLowestMantissaBit(0.25), 0.5, 0.75, 1]);
    expect(vectors[0]?.[0]).not.toBe(0.25);
    expect(vectors[1]).toEqual(vec);
    const pk = decodeRequest<{ fields_data: Array<{ scalars?: { long_data?: { data: string[] } } }> }>(
      "Insert",
      s.applied[0]?.payload as Buffer,
    ).fields_data[0]?.scalars?.long_data?.data;
    expect(pk).toEqual(["1"]);
  });

  it("corrupt-vector: a restarted replicator does not damage a second vector", async () => {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    const vec = [0.5, 0.25];
    await wal.append(srcCh[0] as string, { method: "Insert", payload: insertPayload(1, vec) });
    const g0 = inProcess(options(s.uri, { faultMode: "corrupt-vector" }), 0);
    await waitFor("the first insert", () => s.applied.length >= 1);
    await g0.stop();
    await wal.append(srcCh[0] as string, { method: "Insert", payload: insertPayload(2, vec) });
    const g1 = inProcess(options(s.uri, { faultMode: "corrupt-vector" }), 1);
    await waitFor("the second insert", () => s.applied.length >= 2);
    await g1.stop();
    const first = (a: { payload: Buffer }) =>
      decodeRequest<{ fields_data: Array<{ vectors?: { float_vector?: { data: number[] } } }> }>(
        "Insert",
        a.payload,
      ).fields_data[1]?.vectors?.float_vector?.data[0];
    expect(s.applied.map(first)).toEqual([flipLowestMantissaBit(0.5), 0.5]);
  });

  /** The *-on-restart faults: generation 0 replicates half, then a "restarted" generation 1 takes over. */
  async function restartMode(mode: ReplicatorOptions["faultMode"]) {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    const ch = srcCh[0] as string;
    await wal.append(ch, { method: "CreateCollection" });
    for (let i = 0; i < 150; i++) await wal.append(ch, { method: "Insert" });
    await wal.append(ch, { method: "Upsert" });
    await wal.append(ch, { method: "Delete" });
    const g0 = inProcess(options(s.uri, { faultMode: mode }), 0);
    await waitFor("generation 0 to apply 153", () => s.applied.length >= 153);
    await g0.stop();
    // Written while "down".
    const backlog: bigint[] = [];
    for (let i = 0; i < 20; i++) backlog.push((await wal.append(ch, { method: "Insert" })).tt);
    const g1 = inProcess(options(s.uri, { faultMode: mode }), 1);
    await new Promise((res) => setTimeout(res, 500));
    const after = (await wal.append(ch, { method: "Insert" })).tt;
    await waitFor("the entry written after the restart", () => s.applied.some((a) => a.tt === after));
    await new Promise((res) => setTimeout(res, 200));
    await g1.stop();
    return { s, backlog, after, log: (await logTts(join(dir, "wal"))).get(ch) as bigint[] };
  }

  it("duplicate-on-restart: after a restart every insert of the log is applied again", async () => {
    const { s, log } = await restartMode("duplicate-on-restart");
    const count = (t: bigint) => s.applied.filter((a) => a.tt === t).length;
    expect(count(log[0] as bigint)).toBe(1);
    for (const t of log.slice(1, 151)) expect(count(t)).toBe(2);
    expect(log.slice(151, 153).map(count)).toEqual([1, 1]);
  });

  it("stale-checkpoint: after a restart the inserts among the 100 messages before the checkpoint are applied again", async () => {
    const { s, log } = await restartMode("stale-checkpoint");
    const twice = log.filter((t) => s.applied.filter((a) => a.tt === t).length === 2);
    // 100 messages back from the checkpoint (the Delete at 152) starts at 53; the Upsert/Delete are not re-sent.
    expect(twice).toEqual(log.slice(53, 151));
  });

  it("skip-on-restart: entries written while down are never applied", async () => {
    const { s, backlog, after } = await restartMode("skip-on-restart");
    for (const t of backlog) expect(s.applied.some((a) => a.tt === t)).toBe(false);
    expect(s.applied.filter((a) => a.tt === after).length).toBe(1);
  });

  it("none: a restart applies the backlog exactly once", async () => {
    const { s, log } = await restartMode("none");
    expect(s.applied.map((a) => a.tt)).toEqual(log);
  });
});

describe("ReplicatorSupervisor", () => {
  it("restarts a SIGKILLed child at any instant and the standby still gets every entry exactly once", async () => {
    const s = await fake();
    const wal = new TestWal(join(dir, "wal"));
    const sup = new ReplicatorSupervisor(
      options(s.uri, { target: { clusterId: TGT, uri: s.uri, pchannels: tgtCh, token: "root:Secret1" } }),
    );
    const pids: number[] = [];
    try {
      await sup.start();
      pids.push(sup.pid as number);
      let writing = true;
      const writer = (async () => {
        let i = 0;
        while (writing) {
          for (let k = 0; k < 20; k++) await wal.append(srcCh[i++ % N] as string, { method: "Insert" });
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      for (let k = 0; k < 3; k++) {
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
        const { killedAt, restartedAt } = await sup.kill();
        expect(restartedAt).toBeGreaterThanOrEqual(killedAt + 50);
        expect(alive(pids.at(-1) as number)).toBe(false);
        pids.push(sup.pid as number);
      }
      writing = false;
      await writer;
      const total = [...(await logTts(join(dir, "wal"))).values()].reduce((a, b) => a + b.length, 0);
      await waitFor(`all ${total} entries applied`, () => s.applied.length >= total, 60_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(appliedTts(s)).toEqual(await logTts(join(dir, "wal")));
      expect(sup.restarts.length).toBe(3);
      expect(new Set(pids).size).toBe(4);
    } finally {
      await sup.stop();
    }
    for (const pid of pids) expect(alive(pid)).toBe(false);
    const log = readFileSync(join(dir, "replicator.log"), "utf8");
    expect(log).toContain("generation 3");
    expect(log).not.toContain("Secret1");
  });

  it("restarts a child that dies on its own, and stop() during the restart delay leaves nothing", async () => {
    const s = await fake();
    const sup = new ReplicatorSupervisor(options(s.uri, { restartDelayMs: 100 }));
    const pids: number[] = [];
    try {
      await sup.start();
      pids.push(sup.pid as number);
      // Not through kill(): from the supervisor's view this is a crash.
      process.kill(sup.pid as number, "SIGKILL");
      await waitFor("the crashed child to be replaced", () => sup.restarts.length === 1, 60_000);
      pids.push(sup.pid as number);
      expect(pids[1]).not.toBe(pids[0]);
      expect(alive(pids[1] as number)).toBe(true);
    } finally {
      await sup.stop();
    }
    expect(pids.some(alive)).toBe(false);

    const slow = new ReplicatorSupervisor(options(s.uri, { restartDelayMs: 30_000 }));
    await slow.start();
    const first = slow.pid as number;
    const killed = slow.kill().then(
      () => "restarted",
      (e: Error) => e.message,
    );
    await waitFor("the SIGKILLed child to exit", () => !alive(first));
    await slow.stop();
    expect(await killed).toMatch(/stopped before the replicator restarted/);
    await new Promise((r) => setTimeout(r, 300));
    expect(slow.restarts).toEqual([]);
    expect(slow.pid === first || slow.pid === undefined).toBe(true);
  });

  it("its child exits when the supervising process is SIGKILLed", async () => {
    const opts = options("http://127.0.0.1:1");
    const script = [
      `import { ReplicatorSupervisor } from ${JSON.stringify(pathToFileURL(join(process.cwd(), "src/backends/local/replication/supervisor.ts")).href)};`,
      `const sup = new ReplicatorSupervisor(${JSON.stringify(opts)});`,
      "await sup.start();",
      "console.log('child ' + sup.pid);",
      "setInterval(() => {}, 1000);",
    ].join("\n");
    const parent = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    parent.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    try {
      await waitFor("the parent to print its child's pid", () => /child \d+/.test(out), 60_000);
      const child = Number(/child (\d+)/.exec(out)?.[1]);
      expect(alive(child)).toBe(true);
      parent.kill("SIGKILL");
      await waitFor(`replicator pid ${child} to exit after its parent died`, () => !alive(child), 10_000);
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("refuses to start when its log file cannot be created, leaving no child", async () => {
    writeFileSync(join(dir, "file"), "");
    const broken = new ReplicatorSupervisor(
      options("http://127.0.0.1:1", { logFile: join(dir, "file", "x.log") }),
    );
    await expect(broken.start()).rejects.toThrow(/replicator logFile .*x\.log: cannot create its folder/);
    expect(broken.pid).toBeUndefined();
    expect(() => new ReplicatorSupervisor({ ...options("x"), restartDelayMs: -1 })).toThrow(
      /replicator option restartDelayMs = -1/,
    );
  });
});
