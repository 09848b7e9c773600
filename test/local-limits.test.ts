import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LOCAL_LIMITS } from "../src/backends/local/limits.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const section = readme.slice(
  readme.indexOf("### Where the local backend differs from Milvus"),
  readme.indexOf("## GitHub Action"),
);

const test = (over: Partial<{ file: string; name: string; fixtures: string[]; body: string }>) => ({
  file: "cdc/testcases/test_dml.py",
  name: "test_insert",
  fixtures: ["upstream_client", "downstream_client"],
  body: "schema = self.create_manual_id_schema(upstream_client)",
  ...over,
});

describe("the local backend's limits", () => {
  it("the README lists every limit the conformance script deselects for", () => {
    for (const l of LOCAL_LIMITS) expect(section).toContain(`- ${l.readme}`);
  });

  it("a plain test needs none; a pod kill, a float16 schema and add_collection_field each need theirs", () => {
    const need = (t: ReturnType<typeof test>) => LOCAL_LIMITS.filter((l) => l.needs(t)).map((l) => l.id);
    expect(need(test({}))).toEqual([]);
    expect(need(test({ fixtures: ["upstream_client", "kubectl_helper"] }))).toEqual(["kubernetes"]);
    expect(need(test({ body: "schema = self.create_comprehensive_schema(upstream_client)" }))).toEqual([
      "vector-types",
    ]);
    expect(need(test({ body: 'schema.add_field("v", DataType.BFLOAT16_VECTOR, dim=8)' }))).toEqual([
      "vector-types",
    ]);
    expect(need(test({ body: 'upstream_client.add_collection_field(c, "extra", DataType.INT64)' }))).toEqual([
      "schema-evolution",
    ]);
  });
});
