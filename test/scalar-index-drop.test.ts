/**
 * ScalarIndexTypes without a lab: a DropIndex that names only the index (pymilvus's drop_index sends
 * index_name alone) forgets that index's reported type, and no other's.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ScalarIndexTypes } from "../src/backends/local/front/scalar-index-types.js";
import { decodeResponse, encodeRequest, encodeResponse } from "../src/milvus/proto.js";

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ok = async () => encodeResponse("CreateIndex", {});
const create = (t: ScalarIndexTypes, field: string, index_name: string, type: string) =>
  t.create(
    encodeRequest("CreateIndex", {
      collection_name: "c",
      field_name: field,
      index_name,
      extra_params: [{ key: "index_type", value: type }],
    }),
    "default",
    ok,
  );
/** What DescribeIndex reports for the collection's two indexes, as Milvus Lite built them (INVERTED). */
const reported = (t: ScalarIndexTypes) => {
  const lite = encodeResponse("DescribeIndex", {
    status: {},
    index_descriptions: ["a", "b"].map((f) => ({
      field_name: f,
      index_name: `idx_${f}`,
      params: [{ key: "index_type", value: "INVERTED" }],
    })),
  });
  const out = decodeResponse<{
    index_descriptions: Array<{ field_name: string; params: Array<{ value: string }> }>;
  }>("DescribeIndex", t.describe(lite, "default", "c", "", ""));
  return Object.fromEntries(out.index_descriptions.map((d) => [d.field_name, d.params[0]?.value]));
};

describe("scalar index types: a drop by index name", () => {
  it("forgets only the index it names", async () => {
    dir = await mkdtemp(join(tmpdir(), "sidx-"));
    const t = new ScalarIndexTypes(dir);
    await t.load();
    await create(t, "a", "idx_a", "Trie");
    await create(t, "b", "idx_b", "STL_SORT");
    expect(reported(t)).toEqual({ a: "Trie", b: "STL_SORT" });
    await t.dropped("DropIndex", "default", "c", undefined, "idx_a");
    expect(reported(t)).toEqual({ a: "INVERTED", b: "STL_SORT" });
    // Kept across a restart of the front.
    const again = new ScalarIndexTypes(dir);
    await again.load();
    expect(reported(again)).toEqual({ a: "INVERTED", b: "STL_SORT" });
    await again.dropped("DropCollection", "default", "c");
    expect(reported(again)).toEqual({ a: "INVERTED", b: "INVERTED" });
  });
});
