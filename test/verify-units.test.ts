/** Pure parts of verify: key order, canonical cells, and the scan's refusal of out-of-order pages. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalSparse, cellsEqual } from "../src/verify/columns.js";
import { compareCollection, type SideReader } from "../src/verify/compare.js";
import type { CollectionMeta } from "../src/verify/meta.js";
import type { RawQueryClient, RawQueryResults } from "../src/verify/raw-query.js";
import type { Page } from "../src/verify/scan.js";
import { compareIntPk, compareStrPk, scanPages } from "../src/verify/scan.js";

describe("primary-key order", () => {
  it("int64 decimal strings sort like BigInt, beyond 2^53 too", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (a, b) => {
          const want = a < b ? -1 : a > b ? 1 : 0;
          expect(Math.sign(compareIntPk(String(a), String(b)))).toBe(want);
        },
      ),
    );
  });

  it("varchar keys sort by code point (UTF-8 byte order), not UTF-16 units", () => {
    // U+FF5E is below U+1F600 by code point, but its UTF-16 unit is above the surrogate 0xD83D.
    expect(compareStrPk("\uff5e", "\u{1f600}")).toBeLessThan(0);
    expect(compareStrPk("a", "b")).toBeLessThan(0);
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        const want = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(Math.sign(compareStrPk(a, b))).toBe(want);
      }),
    );
  });
});

describe("canonical cells", () => {
  it("JSON key order does not matter, values do", () => {
    expect(canonicalJson('{"b":1,"a":{"y":2,"x":[1,{"d":1,"c":2}]}}')).toBe(
      canonicalJson('{"a":{"x":[1,{"c":2,"d":1}],"y":2},"b":1}'),
    );
    expect(canonicalJson('{"a":1}')).not.toBe(canonicalJson('{"a":1.5}'));
  });

  it("sparse vectors compare as index->value maps", () => {
    const enc = (pairs: Array<[number, number]>) => {
      const b = Buffer.alloc(pairs.length * 8);
      pairs.forEach(([i, v], k) => {
        b.writeUInt32LE(i, k * 8);
        b.writeFloatLE(v, k * 8 + 4);
      });
      return b;
    };
    expect(
      cellsEqual(
        canonicalSparse(
          enc([
            [9, 0.5],
            [2, 1.5],
          ]),
        ),
        canonicalSparse(
          enc([
            [2, 1.5],
            [9, 0.5],
          ]),
        ),
      ),
    ).toBe(true);
    expect(cellsEqual(canonicalSparse(enc([[2, 1.5]])), canonicalSparse(enc([[2, 1.25]])))).toBe(false);
  });

  it("a null never equals a value, bytes compare by content", () => {
    expect(cellsEqual(null, "")).toBe(false);
    expect(cellsEqual(Buffer.from([1, 2]), Buffer.from([1, 2]))).toBe(true);
    expect(cellsEqual(Buffer.from([1, 2]), Buffer.from([1, 3]))).toBe(false);
  });
});

describe("scanPages", () => {
  const page = (pks: number[]): RawQueryResults => ({
    fields_data: [{ type: 5, field_name: "pk", scalars: { long_data: { data: pks.map(String) } } }],
  });

  it("stops with a clear error when a server returns keys out of order (instead of skipping rows)", async () => {
    const answers = [page([1, 5, 3])];
    const fake = { query: async () => answers.shift() ?? page([]) } as unknown as RawQueryClient;
    const read = async () => {
      for await (const _ of scanPages(fake, { collection: "c", pkField: "pk", intPk: true })) {
        // consume
      }
    };
    await expect(read()).rejects.toThrow(/c: the server returned primary keys out of order \(5 then 3\)/);
  });

  it("follows the cursor across pages and ends on a short page", async () => {
    const asked: Array<{ expr: string; guaranteeTs?: string; params?: Record<string, string> }> = [];
    const answers = [{ ...page([1, 2]), session_ts: "4242" }, page([4])];
    const fake = {
      query: async (q: { expr: string; guaranteeTs?: string; params?: Record<string, string> }) => {
        asked.push(q);
        return answers.shift() ?? page([]);
      },
    } as unknown as RawQueryClient;
    const seen: string[] = [];
    for await (const p of scanPages(fake, {
      collection: "c",
      pkField: "pk",
      intPk: true,
      pageSize: 2,
      collectionId: "77",
    }))
      seen.push(...p.pks);
    expect(seen).toEqual(["1", "2", "4"]);
    expect(asked.map((q) => q.expr)).toEqual(["", "pk > 2"]);
    // The second page reads at the first page's snapshot, as an iterator of collection 77.
    expect(asked.map((q) => q.guaranteeTs)).toEqual([undefined, "4242"]);
    expect(asked[1]?.params).toEqual({ limit: "2", iterator: "True", collection_id: "77" });
  });
});

describe("compareCollection with scripted sides", () => {
  const meta: CollectionMeta = {
    schema: {
      fields: [
        { name: "pk", type: "Int64", primary: true },
        { name: "ver", type: "Int64" },
      ],
      dynamicField: false,
    },
    pkField: "pk",
    intPk: true,
    vectorFields: [],
    indexes: [],
    partitions: ["_default"],
    aliases: [],
  };
  const pageOf = (rows: Array<[number, number]>): Page => ({
    pks: rows.map(([pk]) => String(pk)),
    columns: [{ name: "ver", type: "Int64", rows: rows.length, cell: (i) => String(rows[i]?.[1]) }],
  });
  const side = (pages: Page[], failAfter?: number, count?: number): SideReader => ({
    has: async () => true,
    meta: async () => meta,
    count: async () => count ?? pages.reduce((n, p) => n + p.pks.length, 0),
    pages: () =>
      (async function* () {
        for (const [i, p] of pages.entries()) {
          if (failAfter !== undefined && i >= failAfter) throw new Error("connection reset by peer");
          yield p;
        }
      })(),
  });

  it("names only-source, only-target and mismatched keys with exact totals beyond the sample", async () => {
    const s = side([
      pageOf([
        [1, 1],
        [2, 1],
        [3, 1],
      ]),
      pageOf([
        [5, 2],
        [6, 1],
      ]),
    ]);
    const t = side([
      pageOf([
        [2, 1],
        [3, 9],
      ]),
      pageOf([
        [4, 1],
        [6, 1],
        [8, 1],
      ]),
    ]);
    const c = await compareCollection("c", s, t, { versionField: "ver", sampleLimit: 1 });
    expect([c.onlySource, c.onlySourceTotal]).toEqual([["1"], 2]);
    expect([c.onlyTarget, c.onlyTargetTotal]).toEqual([["4"], 2]);
    expect(c.mismatched).toEqual([
      { pk: "3", fields: ["ver"], details: { ver: { source: "1", target: "9" } } },
    ]);
    expect(c.rowsCompared).toBe(3);
    expect(c.source.versions).toEqual({ "1": 1, "2": 1, "3": 1, "5": 2, "6": 1 });
    expect([c.source.distinctKeys, c.target.distinctKeys]).toEqual([5, 5]);
  });

  it("a side that fails mid-scan is unreachable with the error, and no partial differences are reported", async () => {
    const s = side([pageOf([[1, 1]]), pageOf([[2, 1]])]);
    const t = side([pageOf([[1, 1]]), pageOf([[2, 1]])], 1);
    const c = await compareCollection("c", s, t);
    expect(c.target.reachable).toBe(false);
    expect(c.target.error).toBe("connection reset by peer");
    expect(c.source.reachable).toBe(true);
    expect(c.source.distinctKeys).toBeNull();
    expect(c.onlySourceTotal + c.onlyTargetTotal + c.mismatchedTotal).toBe(0);
  });

  it("reports count(*) apart from the distinct keys read", async () => {
    const c = await compareCollection("c", side([pageOf([[1, 1]])], undefined, 2), side([pageOf([[1, 1]])]));
    expect([c.source.count, c.source.distinctKeys, c.target.count]).toEqual([2, 1, 1]);
  });
});
