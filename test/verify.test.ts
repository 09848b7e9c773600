/**
 * verifyClusters against two real Milvus Lite servers loaded with the same seeded rows, then made to
 * differ on purpose, one difference per collection. Each difference must be named (key, field);
 * the identical collection must show none.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollectionFinal } from "../src/checkers/types.js";
import { run as verifyCommand } from "../src/cli/commands/verify.js";
import type { Column } from "../src/verify/columns.js";
import { readMeta } from "../src/verify/meta.js";
import { RawQueryClient } from "../src/verify/raw-query.js";
import { scanPages } from "../src/verify/scan.js";
import { seededVectors } from "../src/verify/search.js";
import { type VerifyResult, verifyClusters } from "../src/verify/verify.js";
import { startTwoLites, type TwoLites } from "./helpers/two-lites.js";

const ROWS = 150;
const DIM = 8;
const PAGE = 32; // several pages per collection, so paging itself is exercised

interface Row {
  pk: number;
  ver: number;
  title: string;
  attrs: Record<string, unknown>;
  vec: number[];
  sparse: Record<number, number>;
  score: number;
  ratio: number;
  flag: boolean;
  tags: number[];
  color?: string;
}

function seededRows(seed: number, n: number): Row[] {
  const vecs = seededVectors(seed, n, DIM);
  return Array.from({ length: n }, (_, i) => {
    const pk = i * 7 + 3;
    const r: Row = {
      pk,
      ver: 1,
      title: `title-${pk}`,
      attrs: { z: pk % 5, a: [pk, "x"], nested: { b: 1, a: 2 } },
      vec: vecs[i] as number[],
      sparse: { [pk % 50]: 0.25, 100: pk / 7 },
      score: pk / 3,
      ratio: Math.fround(pk / 11),
      flag: pk % 2 === 0,
      tags: [pk, pk + 1, -pk],
    };
    if (i % 3 === 0) r.color = `c${i % 4}`; // a dynamic field on some rows
    return r;
  });
}

const COLLECTIONS = [
  "same",
  "missing_row",
  "extra_row",
  "changed_scalar",
  "changed_array",
  "flipped_bit",
  "dup_insert",
  "missing_partition",
  "missing_index",
] as const;

async function createAndLoad(c: MilvusClient, name: string, rows: Row[]): Promise<void> {
  const must = (what: string, s: { error_code?: string | number; reason?: string }) => {
    if (s.error_code !== "Success") throw new Error(`${what} ${name}: ${s.reason}`);
  };
  must(
    "create",
    await c.createCollection({
      collection_name: name,
      enable_dynamic_field: true,
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "ver", data_type: DataType.Int64 },
        { name: "title", data_type: DataType.VarChar, max_length: 64 },
        { name: "attrs", data_type: DataType.JSON },
        { name: "vec", data_type: DataType.FloatVector, dim: DIM },
        { name: "sparse", data_type: DataType.SparseFloatVector },
        { name: "score", data_type: DataType.Double },
        { name: "ratio", data_type: DataType.Float },
        { name: "flag", data_type: DataType.Bool },
        { name: "tags", data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 4 },
      ],
    }),
  );
  must(
    "index",
    await c.createIndex({ collection_name: name, field_name: "vec", index_type: "FLAT", metric_type: "L2" }),
  );
  must(
    "index",
    await c.createIndex({
      collection_name: name,
      field_name: "sparse",
      index_type: "SPARSE_INVERTED_INDEX",
      metric_type: "IP",
    }),
  );
  must("load", await c.loadCollection({ collection_name: name }));
  // Insert in a scrambled order and in two batches, so storage order is not pk order.
  const scrambled = [...rows].sort((a, b) => ((a.pk * 37) % 101) - ((b.pk * 37) % 101));
  const half = Math.floor(scrambled.length / 2);
  for (const batch of [scrambled.slice(0, half), scrambled.slice(half)]) {
    const res = await c.insert({ collection_name: name, data: batch as never });
    must("insert", res.status);
  }
}

/** VarChar keys, including ones where UTF-16 order and code-point order disagree. */
const VARCHAR_KEYS = ["a", "b", "Z", "key-10", "key-9", "\uff5e", "\u{1f600}", "é", "日本"];

async function createVarcharKeys(c: MilvusClient): Promise<void> {
  await c.createCollection({
    collection_name: "varchar_keys",
    fields: [
      { name: "id", data_type: DataType.VarChar, is_primary_key: true, max_length: 32 },
      { name: "vec", data_type: DataType.FloatVector, dim: 2 },
    ],
  });
  await c.createIndex({
    collection_name: "varchar_keys",
    field_name: "vec",
    index_type: "FLAT",
    metric_type: "L2",
  });
  await c.loadCollection({ collection_name: "varchar_keys" });
  const data = VARCHAR_KEYS.map((id, i) => ({ id, vec: [i, i / 3] }));
  const res = await c.insert({ collection_name: "varchar_keys", data });
  if (res.status.error_code !== "Success") throw new Error(`insert varchar_keys: ${res.status.reason}`);
}

function flipLowBit(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] = (u[0] as number) ^ 1;
  return f[0] as number;
}

let lites: TwoLites;
let src: MilvusClient;
let tgt: MilvusClient;
let result: VerifyResult;
const rows = seededRows(42, ROWS);
const byName = (name: string): CollectionFinal => {
  const c = result.final.collections.find((x) => x.name === name);
  if (!c) throw new Error(`collection ${name} missing from the result`);
  return c;
};
const victim = rows[40] as Row;

beforeAll(async () => {
  lites = await startTwoLites();
  src = new MilvusClient({ address: lites.source.uri.replace("http://", ""), logLevel: "error" });
  tgt = new MilvusClient({ address: lites.target.uri.replace("http://", ""), logLevel: "error" });
  for (const name of COLLECTIONS) {
    await createAndLoad(src, name, rows);
    await createAndLoad(tgt, name, rows);
  }
  await createAndLoad(src, "only_source", rows.slice(0, 10));
  await createVarcharKeys(src);
  await createVarcharKeys(tgt);
  // One difference per collection, all on the standby (target) side unless noted.
  await tgt.delete({ collection_name: "missing_row", filter: `pk == ${victim.pk}` });
  await tgt.insert({ collection_name: "extra_row", data: [{ ...victim, pk: 999_999 }] as never });
  await tgt.upsert({ collection_name: "changed_scalar", data: [{ ...victim, title: "changed" }] as never });
  await tgt.upsert({
    collection_name: "changed_array",
    data: [{ ...victim, tags: [victim.pk, 0] }] as never,
  });
  const flipped = [...victim.vec];
  flipped[3] = flipLowBit(flipped[3] as number);
  await tgt.upsert({ collection_name: "flipped_bit", data: [{ ...victim, vec: flipped }] as never });
  await tgt.insert({ collection_name: "dup_insert", data: [victim] as never });
  await src.createPartition({ collection_name: "missing_partition", partition_name: "p_extra" });
  await src.createIndex({ collection_name: "missing_index", field_name: "title", index_type: "INVERTED" });

  result = await verifyClusters({
    source: { uri: lites.source.uri },
    target: { uri: lites.target.uri },
    versionField: "ver",
    pageSize: PAGE,
    searchQueries: 3,
    k: 5,
  });
}, 180_000);

afterAll(async () => {
  await src?.closeConnection();
  await tgt?.closeConnection();
  await lites?.stop();
  // No milvus-lite server of ours may survive the suite.
  for (const l of lites ? [lites.source, lites.target] : []) {
    expect(l.proc.exitCode !== null || l.proc.signalCode !== null).toBe(true);
  }
});

describe("verifyClusters on two Milvus Lite servers", () => {
  it("compares every collection on the source, both sides reachable", () => {
    expect(result.final.collections.map((c) => c.name)).toEqual(
      [...COLLECTIONS, "only_source", "varchar_keys"].sort(),
    );
    expect(result.final.sourceReachable).toBe(true);
    expect(result.final.targetReachable).toBe(true);
    expect(result.rowsCompared).toBeGreaterThanOrEqual(ROWS * COLLECTIONS.length - 2);
  });

  it("identical data: no differences, counts and distinct keys agree, versions read", () => {
    const c = byName("same");
    expect(c.onlySourceTotal + c.onlyTargetTotal + c.mismatchedTotal).toBe(0);
    expect(c.rowsCompared).toBe(ROWS);
    for (const side of [c.source, c.target]) {
      expect(side.count).toBe(ROWS);
      expect(side.distinctKeys).toBe(ROWS);
      expect(Object.keys(side.versions)).toHaveLength(ROWS);
      expect(side.versions[String(victim.pk)]).toBe(1);
      expect(side.partitions).toEqual(["_default"]);
    }
    expect(c.source.schema).toEqual(c.target.schema);
    expect(c.source.schema?.dynamicField).toBe(true);
    expect(c.source.indexes.map((i) => `${i.field}:${i.type}:${i.metric}`)).toEqual([
      "sparse:SPARSE_INVERTED_INDEX:IP",
      "vec:FLAT:L2",
    ]);
  });

  it("a collection missing on the standby: reachable, exists=false, every key only on the source", () => {
    const c = byName("only_source");
    expect(c.target.reachable).toBe(true);
    expect(c.target.exists).toBe(false);
    expect(c.onlySourceTotal).toBe(10);
    expect(c.source.schema).toBeDefined();
    expect(c.target.schema).toBeUndefined();
  });

  it("varchar keys (non-ASCII too) page in code-point order with no false differences", async () => {
    const c = byName("varchar_keys");
    expect(c.rowsCompared).toBe(VARCHAR_KEYS.length);
    expect(c.onlySourceTotal + c.onlyTargetTotal + c.mismatchedTotal).toBe(0);
    const raw = new RawQueryClient({ uri: lites.source.uri });
    try {
      const seen: string[] = [];
      for await (const p of scanPages(raw, {
        collection: "varchar_keys",
        pkField: "id",
        intPk: false,
        pageSize: 2,
      }))
        seen.push(...p.pks);
      const byCodePoint = [...VARCHAR_KEYS].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(seen).toEqual(byCodePoint);
    } finally {
      raw.close();
    }
  });

  it("names a row missing on the standby", () => {
    const c = byName("missing_row");
    expect(c.onlySource).toEqual([String(victim.pk)]);
    expect(c.onlySourceTotal).toBe(1);
    expect(c.onlyTargetTotal + c.mismatchedTotal).toBe(0);
    expect(c.target.count).toBe(ROWS - 1);
  });

  it("names a row only on the standby", () => {
    const c = byName("extra_row");
    expect(c.onlyTarget).toEqual(["999999"]);
    expect(c.onlySourceTotal + c.mismatchedTotal).toBe(0);
  });

  it("names the key and field of a changed scalar", () => {
    const c = byName("changed_scalar");
    expect(c.mismatched).toEqual([
      {
        pk: String(victim.pk),
        fields: ["title"],
        details: { title: { source: `title-${victim.pk}`, target: "changed" } },
      },
    ]);
    expect(c.mismatchedTotal).toBe(1);
  });

  it("names an array field whose elements changed", () => {
    const c = byName("changed_array");
    expect(c.mismatched.map((m) => [m.pk, m.fields])).toEqual([[String(victim.pk), ["tags"]]]);
  });

  it("catches one flipped float-vector bit", () => {
    const c = byName("flipped_bit");
    expect(c.mismatched.map((m) => [m.pk, m.fields])).toEqual([[String(victim.pk), ["vec"]]]);
    const d = c.mismatched[0]?.details?.vec;
    expect(d?.source).not.toEqual(d?.target);
  });

  it("a re-inserted key: Milvus Lite absorbs it (count == distinct), so no false difference", () => {
    // Real Milvus counts the second insert in count(*); Milvus Lite treats it as an upsert. The
    // count-vs-distinct detection itself is exercised below with a side that reports real Milvus's count.
    const c = byName("dup_insert");
    expect(c.target.count).toBe(c.target.distinctKeys);
    expect(c.onlySourceTotal + c.onlyTargetTotal + c.mismatchedTotal).toBe(0);
  });

  it("names a partition missing on the standby", () => {
    const c = byName("missing_partition");
    expect(c.source.partitions).toEqual(["_default", "p_extra"]);
    expect(c.target.partitions).toEqual(["_default"]);
  });

  it("names an index missing on the standby", () => {
    const c = byName("missing_index");
    expect(c.source.indexes.map((i) => i.field)).toContain("title");
    expect(c.target.indexes.map((i) => i.field)).not.toContain("title");
  });

  it("samples search parity with identical hits on identical data", () => {
    const s = result.final.search.find((x) => x.collection === "same");
    expect(s?.error).toBeUndefined();
    expect(s?.queries).toHaveLength(3);
    expect(s?.queries[0]?.source).toHaveLength(5);
    expect(s?.queries.map((q) => q.source)).toEqual(s?.queries.map((q) => q.target));
  });

  it("scans in pk order across pages even though storage order is scrambled", async () => {
    const raw = new RawQueryClient({ uri: lites.source.uri });
    try {
      const seen: string[] = [];
      for await (const p of scanPages(raw, {
        collection: "same",
        pkField: "pk",
        intPk: true,
        pageSize: PAGE,
      }))
        seen.push(...p.pks);
      expect(seen).toEqual(rows.map((r) => String(r.pk)));
      // The vector bits arrive exactly as inserted (float32, no JSON round trip).
      const gen = scanPages(raw, { collection: "same", pkField: "pk", intPk: true, pageSize: 1 });
      const first = await gen.next();
      await gen.return(undefined);
      const columns: Column[] = first.done ? [] : first.value.columns;
      const vec = columns.find((c) => c.name === "vec")?.cell(0) as Buffer;
      expect(Buffer.compare(vec, Buffer.from(new Float32Array(rows[0]?.vec as number[]).buffer))).toBe(0);
      // Every other column decodes to a real value (an always-null column would hide differences).
      const r0 = rows[0] as Row;
      const cell = (n: string) => columns.find((c) => c.name === n)?.cell(0);
      expect(cell("ratio")).toEqual(Buffer.from(new Float32Array([r0.ratio]).buffer));
      expect(cell("score")).toBe(String(r0.score));
      expect(cell("flag")).toBe(String(r0.flag));
      expect(cell("tags")).toBe(`long_data:${JSON.stringify(r0.tags.map(String))}`);
      expect(cell("title")).toBe(r0.title);
      expect(cell("attrs")).toBe(JSON.stringify({ a: r0.attrs.a, nested: { a: 2, b: 1 }, z: r0.attrs.z }));
      expect(cell("$meta")).toBe(JSON.stringify({ color: r0.color }));
      expect(cell("sparse")).toBeInstanceOf(Buffer);
    } finally {
      raw.close();
    }
  });

  it("a collection without any index reads as an empty index list, not an error", async () => {
    await src.createCollection({
      collection_name: "no_index_yet",
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "vec", data_type: DataType.FloatVector, dim: 2 },
      ],
    });
    try {
      const meta = await readMeta(src, "no_index_yet");
      expect(meta.indexes).toEqual([]);
      expect(meta.pkField).toBe("pk");
    } finally {
      await src.dropCollection({ collection_name: "no_index_yet" });
    }
  });

  it("an unreachable standby is reported, not thrown", async () => {
    const r = await verifyClusters({
      source: { uri: lites.source.uri },
      target: { uri: "http://127.0.0.1:1" },
      collections: ["same"],
      searchQueries: 0,
      timeoutMs: 5_000,
    });
    expect(r.final.targetReachable).toBe(false);
    expect(r.final.collections[0]?.target.reachable).toBe(false);
    expect(r.final.collections[0]?.target.error).toMatch(/unreachable|connect|UNAVAILABLE|deadline|answer/i);
    expect(r.final.collections[0]?.source.reachable).toBe(true);
  });
});

describe("milvus-cdc-drill verify (CLI)", () => {
  const quiet = async (argv: string[]): Promise<{ code: number; out: string }> => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => lines.push(a.join(" "));
    try {
      return { code: await verifyCommand(argv), out: lines.join("\n") };
    } finally {
      console.log = log;
    }
  };

  it("exits 0 on identical collections and writes report.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcd-verify-out-"));
    try {
      const token = "s3cr3t-token-value";
      const { code, out } = await quiet([
        "--source-uri",
        lites.source.uri,
        "--target-uri",
        lites.target.uri,
        "--source-token",
        token,
        "--collections",
        "same",
        "--out",
        dir,
      ]);
      expect(code).toBe(0);
      expect(out).not.toContain(token);
      const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8"));
      expect(report.verdict).toBe("pass");
      expect(report.checks.map((c: { name: string }) => c.name)).toEqual([
        "parity",
        "duplicates",
        "search-parity",
      ]);
      expect(report.metrics.rowsCompared).toBe(ROWS);
      for (const f of await readdir(dir)) expect(await readFile(join(dir, f), "utf8")).not.toContain(token);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("exits 1 and names the key when a row differs", async () => {
    const { code, out } = await quiet([
      "--source-uri",
      lites.source.uri,
      "--target-uri",
      lites.target.uri,
      "--collections",
      "changed_scalar,missing_row",
      "--json",
    ]);
    expect(code).toBe(1);
    const parsed = JSON.parse(out);
    const parity = parsed.checks.find((c: { name: string }) => c.name === "parity");
    expect(parity.verdict).toBe("fail");
    expect(JSON.stringify(parity.evidence)).toContain(String(victim.pk));
  });

  it("exits 3 when a cluster cannot be reached", async () => {
    const { code } = await quiet([
      "--source-uri",
      lites.source.uri,
      "--target-uri",
      "127.0.0.1:1",
      "--collections",
      "same",
      "--search-queries",
      "0",
    ]);
    expect(code).toBe(3);
  });

  it("bad usage is a UsageError naming the flag (exit 2 in main)", async () => {
    await expect(verifyCommand(["--source-uri", lites.source.uri])).rejects.toThrow(
      /--target-uri is required/,
    );
    await expect(
      verifyCommand(["--source-uri", lites.source.uri, "--target-uri", lites.target.uri, "--k", "zero"]),
    ).rejects.toThrow(/--k 'zero' is not allowed/);
    await expect(verifyCommand(["--bogus"])).rejects.toThrow(/bogus/);
    await expect(
      verifyCommand([
        "--source-uri",
        lites.source.uri,
        "--target-uri",
        lites.target.uri,
        "--collections",
        "nope",
      ]),
    ).rejects.toThrow(/--collections: 'nope' exists on neither cluster/);
  });
});
