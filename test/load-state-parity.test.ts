/**
 * Load state is part of parity (issue 23, milvus-io/milvus#44478): compareCollection reads it on both
 * sides, loads a released collection for the comparison and puts it back; parity names a collection or
 * partition loaded on one side and released on the other, and says unknown where it could not read.
 */
import { describe, expect, it } from "vitest";
import { checkParity } from "../src/checkers/parity.js";
import { checkPrimarySanity } from "../src/checkers/primary-sanity.js";
import type { FinalState, LoadStateInfo } from "../src/checkers/types.js";
import type { HistoryEvent } from "../src/history/types.js";
import { compareCollection, type SideReader } from "../src/verify/compare.js";
import type { CollectionMeta } from "../src/verify/meta.js";
import type { Page } from "../src/verify/scan.js";

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
  partitions: ["_default", "p1"],
  aliases: [],
};
const page: Page = {
  pks: ["1", "2"],
  columns: [{ name: "ver", type: "Int64", rows: 2, cell: () => "1" }],
};
const LOADED: LoadStateInfo = { collection: "loaded", partitions: { _default: "loaded", p1: "loaded" } };
const RELEASED: LoadStateInfo = {
  collection: "released",
  partitions: { _default: "released", p1: "released" },
};

interface Scripted extends SideReader {
  calls: string[];
}

/** A side holding rows 1 and 2 in the given load state; `loadable` false: a load is refused (a standby). */
function side(state: LoadStateInfo | Error, loadable = true): Scripted {
  const calls: string[] = [];
  let loaded = state instanceof Error || state.collection === "loaded";
  return {
    calls,
    has: async () => true,
    meta: async () => meta,
    count: async () => {
      if (!loaded) throw new Error("collection not loaded");
      return 2;
    },
    pages: () =>
      (async function* () {
        if (!loaded) throw new Error("collection not loaded");
        yield page;
      })(),
    loadState: async () => {
      if (state instanceof Error) throw state;
      return state;
    },
    loadForRead: async () => {
      calls.push("load");
      if (!loadable)
        throw new Error("load refused: non-replicate message cannot be received in secondary role");
      loaded = true;
      return async () => {
        calls.push("restore");
        loaded = false;
      };
    },
  };
}

function final(c: Awaited<ReturnType<typeof compareCollection>>): FinalState {
  return { collections: [c], search: [], catchUp: null, sourceReachable: true, targetReachable: true };
}

describe("load state in parity", () => {
  it("the same load state on both sides and the same rows: pass, nothing loaded for the read", async () => {
    const s = side(LOADED);
    const t = side(LOADED);
    const c = await compareCollection("c", s, t, { versionField: "ver" });
    expect(c.rowsCompared).toBe(2);
    expect([s.calls, t.calls]).toEqual([[], []]);
    const r = checkParity([], final(c));
    expect(r.verdict).toBe("pass");
  });

  it("released on the standby only: the rows are still compared (loaded, then released again) and parity fails naming the collection", async () => {
    const s = side(LOADED);
    const t = side(RELEASED);
    const c = await compareCollection("items", s, t, { versionField: "ver" });
    expect(c.rowsCompared).toBe(2);
    expect(t.calls).toEqual(["load", "restore"]);
    expect(c.target.load?.collection).toBe("released");
    const r = checkParity([], final(c));
    expect(r.verdict).toBe("fail");
    expect(r.stats?.loadState).toBe(3);
    expect(r.evidence.map((e) => e.message)).toContain(
      "items: load state differs: collection items is loaded on the primary and released on the standby",
    );
  });

  it("a partition released on the standby alone is named", async () => {
    const s = side(LOADED);
    const t = side({ collection: "loaded", partitions: { _default: "loaded", p1: "released" } });
    const c = await compareCollection("items", s, t, { versionField: "ver" });
    const r = checkParity([], final(c));
    expect(r.verdict).toBe("fail");
    expect(r.evidence.map((e) => e.message)).toEqual([
      "items: load state differs: partition p1 is loaded on the primary and released on the standby",
    ]);
  });

  it("a standby that refuses the load for the read: rows unread, yet parity fails on the load state (never an error)", async () => {
    const s = side(LOADED);
    const t = side(RELEASED, false);
    const c = await compareCollection("items", s, t, { versionField: "ver" });
    expect(c.target.reachable).toBe(true);
    expect(c.target.rowsUnread).toMatch(/secondary role/);
    // The primary is still scanned (its versions feed primary-sanity); no key difference is drawn.
    expect(c.source.distinctKeys).toBe(2);
    expect(Object.keys(c.source.versions)).toEqual(["1", "2"]);
    expect(c.target.count).toBeNull();
    expect(c.onlySourceTotal).toBe(0);
    const r = checkParity([], final(c));
    expect(r.verdict).toBe("fail");
    expect(r.evidence.some((e) => e.kind === "load-state")).toBe(true);
  });

  it("released on both sides alike and unreadable: unknown, not pass", async () => {
    const c = await compareCollection("items", side(RELEASED, false), side(RELEASED, false));
    const r = checkParity([], final(c));
    expect(r.verdict).toBe("unknown");
    expect(r.reason).toMatch(/rows not compared/);
  });

  it("a load state that cannot be read on one side: unknown, not pass", async () => {
    const c = await compareCollection("items", side(LOADED), side(new Error("GetLoadState unimplemented")));
    expect(c.rowsCompared).toBe(2);
    const r = checkParity([], final(c));
    expect(r.verdict).toBe("unknown");
    expect(r.reason).toMatch(/load state could not be read/);
  });
});

describe("a schema difference names the fields one side lacks", () => {
  it("an add_collection_field that never reached the standby is named", async () => {
    const wider: CollectionMeta = {
      ...meta,
      schema: { ...meta.schema, fields: [...meta.schema.fields, { name: "trig_b", type: "VarChar" }] },
    };
    const s = { ...side(LOADED), meta: async () => wider };
    const c = await compareCollection("items", s, side(LOADED), { versionField: "ver" });
    const r = checkParity([], final(c));
    expect(r.verdict).toBe("fail");
    expect(r.evidence[0]?.message).toMatch(/^items: schema differ \(fields only on the primary: trig_b\): /);
  });
});

describe("primary-sanity on a primary whose released collection would not load for the read", () => {
  const history: HistoryEvent[] = [
    {
      type: "invoke",
      id: 1,
      process: 0,
      time: 1,
      value: { f: "write", kind: "insert", collection: "items", keys: [{ pk: "3", ver: 1 }] },
    },
    { type: "ok", id: 1, process: 0, time: 2 },
  ];

  it("says unknown, naming why the rows were not read, rather than judging keys it never saw", async () => {
    const c = await compareCollection("items", side(RELEASED, false), side(LOADED), { versionField: "ver" });
    expect(c.source.rowsUnread).toMatch(/load refused/);
    const r = checkPrimarySanity(history, final(c));
    expect(r.verdict).toBe("unknown");
    expect(r.evidence[0]?.message).toMatch(/^items: the primary's rows were not read \(load refused/);
  });

  it("fails when the rows were read and an acknowledged insert is missing", async () => {
    const c = await compareCollection("items", side(LOADED), side(LOADED), { versionField: "ver" });
    const r = checkPrimarySanity(history, final(c));
    expect(r.verdict).toBe("fail");
  });
});
