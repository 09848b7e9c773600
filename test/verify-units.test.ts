/** Pure parts of verify: key order, canonical cells, and the scan's refusal of out-of-order pages. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalSparse, cellsEqual } from "../src/verify/columns.js";
import type { RawQueryClient, RawQueryResults } from "../src/verify/raw-query.js";
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
