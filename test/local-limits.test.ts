import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LOCAL_LIMITS, type SuiteTest } from "../src/backends/local/limits.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const section = readme.slice(
  readme.indexOf("### Where the local backend differs from Milvus"),
  readme.indexOf("## GitHub Action"),
);

const test = (over: Partial<SuiteTest>) => ({
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

  it("the README's first bullets are the limits, in order, as many as its closing note says", () => {
    const bullets = section.split("\n").filter((l) => l.startsWith("- "));
    expect(bullets.slice(0, LOCAL_LIMITS.length)).toEqual(LOCAL_LIMITS.map((l) => `- ${l.readme}`));
    const words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    expect(section).toContain(`need one of the first ${words[LOCAL_LIMITS.length]}`);
  });

  it("a plain test needs none; a pod kill, a float16 schema and a collection function change each need theirs", () => {
    const need = (t: ReturnType<typeof test>) => LOCAL_LIMITS.filter((l) => l.needs(t)).map((l) => l.id);
    expect(need(test({}))).toEqual([]);
    expect(need(test({ fixtures: ["upstream_client", "kubectl_helper"] }))).toEqual(["kubernetes"]);
    expect(need(test({ body: "schema = self.create_comprehensive_schema(upstream_client)" }))).toEqual([
      "vector-types",
    ]);
    expect(need(test({ body: 'schema.add_field("v", DataType.BFLOAT16_VECTOR, dim=8)' }))).toEqual([
      "vector-types",
    ]);
    // add_collection_field is served (add-field.ts); changing a collection's functions is not.
    expect(need(test({ body: 'upstream_client.add_collection_field(c, "extra", DataType.INT64)' }))).toEqual(
      [],
    );
    expect(need(test({ body: "upstream_client.add_collection_function(c, fn)" }))).toEqual([
      "schema-evolution",
    ]);
    expect(need(test({ body: 'upstream_client.drop_collection_function(c, "bm25")' }))).toEqual([
      "schema-evolution",
    ]);
    expect(need(test({ body: '"index_tests": [{"index_type": "Trie", "params": {}}]' }))).toEqual([]);
    expect(need(test({ body: 'index_params.add_index(field_name="f", index_type="INVERTED")' }))).toEqual([]);
    expect(need(test({ body: "upstream_client.create_role(role_name)" }))).toEqual([]);
    expect(need(test({ body: "upstream_client.add_privileges_to_group(g, privs)" }))).toEqual([]);
    expect(need(test({ body: "upstream_client.create_resource_group(rg_name, config=config)" }))).toEqual([]);
    expect(need(test({ body: "upstream_client.transfer_replica(rg1, rg2, c, 1)" }))).toEqual(["query-nodes"]);
    expect(need(test({ body: "checker = Import2PCChecker(collection_name=c)" }))).toEqual(["import"]);
    // The vector type may be a pytest parameter rather than in the body.
    expect(
      need(test({ body: "self._setup_collection(c, vector_type)", params: "FLOAT16_VECTOR_HNSW" })),
    ).toEqual(["vector-types"]);
    expect(
      need(test({ body: "self._setup_collection(c, vector_type)", params: "FLOAT_VECTOR_HNSW" })),
    ).toEqual([]);
    // PHRASE_MATCH and the english analyzer (BM25, text match) are the front's; another analyzer is a limit.
    expect(need(test({ body: "filter_expr = \"PHRASE_MATCH(text_field, 'brown fox', 1)\"" }))).toEqual([]);
    const fts = "schema = self.create_fts_schema(upstream_client, analyzer_type)";
    expect(need(test({ body: fts, params: "english" }))).toEqual([]);
    expect(
      need(test({ body: "enable_match=True, analyzer_params={'type': analyzer_type}", params: "english" })),
    ).toEqual([]);
    expect(
      need(test({ body: 'analyzer_params={"tokenizer": "standard", "filter": ["lowercase"]}' })),
    ).toEqual([]);
    expect(need(test({ body: 'analyzer_params={"tokenizer": "icu"}' }))).toEqual(["analyzers"]);
    expect(need(test({ body: 'analyzer_params={"type": "chinese"}' }))).toEqual(["analyzers"]);
    expect(need(test({ body: 'index_params.add_index(field_name="v", index_type="HNSW")' }))).toEqual([]);
    // Naming a role or a group in passing is not calling RBAC or resource-group APIs.
    expect(need(test({ body: 'role = "primary"; rg = "__default_resource_group"' }))).toEqual([]);
  });
});
