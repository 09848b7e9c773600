import { describe, expect, it } from "vitest";
import {
  commitLabel,
  deselectedDir,
  formatTable,
  missingModule,
  parseSuiteCommits,
  perFile,
  shellWords,
  suiteDefect,
  testCount,
  uncollectable,
} from "../scripts/conformance-results.js";

describe("the conformance script's reading of pytest", () => {
  it("counts each JUnit testcase against its file: failure and error fail, skipped skips, else passes", () => {
    const xml = `<testsuite>
      <testcase classname="cdc.testcases.test_dml.TestCDCSyncDML" name="test_insert" time="1"/>
      <testcase classname="cdc.testcases.test_dml.TestCDCSyncDML" name="test_delete"><failure message="x">boom</failure></testcase>
      <testcase classname="cdc.testcases.test_dml.TestCDCSyncDML" name="test_upsert"><error message="teardown">e</error></testcase>
      <testcase classname="cdc.testcases.test_setup_cdc.TestCDCTopologySetup" name="test_a"><skipped message="skip"/></testcase>
      <testcase classname="cdc.testcases.test_force_promote_cleanup" name="test_module_level"/>
    </testsuite>`;
    const files = perFile(xml);
    expect(files.get("cdc/testcases/test_dml.py")).toEqual({
      passed: 1,
      failed: 2,
      skipped: 0,
      deselected: 0,
    });
    expect(files.get("cdc/testcases/test_setup_cdc.py")).toEqual({
      passed: 0,
      failed: 0,
      skipped: 1,
      deselected: 0,
    });
    expect(files.get("cdc/testcases/test_force_promote_cleanup.py")?.passed).toBe(1);
    expect(perFile("").size).toBe(0);
  });

  it("finds the files pytest could not import, and nothing when all imported", () => {
    const out = [
      "cdc/testcases/test_dml.py::TestCDCSyncDML::test_insert",
      "==================================== ERRORS ====================================",
      "_____________ ERROR collecting cdc/testcases/test_import_2pc.py ______________",
      "E   ModuleNotFoundError: No module named 'chaos'",
      "=========================== short test summary info ============================",
      "ERROR cdc/testcases/test_import_2pc.py",
      "8 tests collected, 1 error in 0.53s",
    ].join("\n");
    expect(uncollectable(out)).toEqual(["cdc/testcases/test_import_2pc.py"]);
    expect(uncollectable("cdc/testcases/test_dml.py::T::test_insert\n1 test collected in 0.1s")).toEqual([]);
  });

  it("only a missing module may excuse a file that cannot be imported; the suite's own errors do not", () => {
    const out = [
      "==================================== ERRORS ====================================",
      "______________ ERROR collecting cdc/testcases/test_collection.py _______________",
      "E   AttributeError: type object 'CaseLabel' has no attribute 'CDC'",
      "______________ ERROR collecting cdc/testcases/test_import_2pc.py _______________",
      "ImportError while importing test module '/x/cdc/testcases/test_import_2pc.py'.",
      "E   ModuleNotFoundError: No module named 'chaos'",
      "=========================== short test summary info ============================",
      "ERROR cdc/testcases/test_collection.py - AttributeError: type object 'CaseLab...",
      "ERROR cdc/testcases/test_import_2pc.py",
    ].join("\n");
    expect(uncollectable(out)).toEqual([
      "cdc/testcases/test_collection.py",
      "cdc/testcases/test_import_2pc.py",
    ]);
    expect(missingModule(out, "cdc/testcases/test_import_2pc.py")).toBe(true);
    expect(missingModule(out, "cdc/testcases/test_collection.py")).toBe(false);
    expect(missingModule(out, "cdc/testcases/test_alias.py")).toBe(false);
  });

  it("splits --pytest-args as a shell would: quotes keep a -k expression together", () => {
    expect(shellWords('-k "test_a or test_b" -x')).toEqual(["-k", "test_a or test_b", "-x"]);
    expect(shellWords("  -k  'x and not y'  ")).toEqual(["-k", "x and not y"]);
    expect(shellWords('--deselect=a::b ""')).toEqual(["--deselect=a::b", ""]);
    expect(shellWords("")).toEqual([]);
    expect(() => shellWords('-k "open')).toThrow(/unclosed " in/);
  });

  it("knows the suite's own defects by test id, with or without a directory prefix or parameters", () => {
    const id = "cdc/testcases/test_schema_features.py::TestCDCSyncSchemaFeatures::test_nullable_fields_sync";
    expect(suiteDefect(id)?.reason).toMatch(/milvus-io\/milvus#46691/);
    expect(suiteDefect(`python_client/${id}`)).toBeDefined();
    expect(suiteDefect(`${id}[x]`)).toBeDefined();
    expect(
      suiteDefect(
        "cdc/testcases/test_schema_features.py::TestCDCSyncSchemaFeatures::test_default_values_sync",
      ),
    ).toBeUndefined();
    // A resource-group test that compares two pymilvus objects without __eq__; its siblings run.
    const rg = "cdc/testcases/test_resource_group.py::TestCDCSyncResourceGroup";
    expect(suiteDefect(`${rg}::test_update_resource_group_not_replicated`)?.reason).toMatch(/no __eq__/);
    expect(suiteDefect(`${rg}::test_create_resource_group_not_replicated`)).toBeUndefined();
  });

  it("a defect fixed upstream is no defect: a body without the defective code runs", () => {
    const rg =
      "cdc/testcases/test_resource_group.py::TestCDCSyncResourceGroup::test_update_resource_group_not_replicated";
    expect(
      suiteDefect(rg, "        assert downstream_desc_after == downstream_desc_before, ("),
    ).toBeDefined();
    expect(
      suiteDefect(rg, "        assert str(downstream_desc_after) == str(downstream_desc_before), ("),
    ).toBeUndefined();
    const nullable =
      "cdc/testcases/test_schema_features.py::TestCDCSyncSchemaFeatures::test_nullable_fields_sync";
    expect(suiteDefect(nullable, 'filter="nullable_int64 == null"')).toBeDefined();
    expect(suiteDefect(nullable, 'filter="nullable_int64 is null"')).toBeUndefined();
  });

  it("names the upstream commit of each file in the table, and says unknown where none is known", () => {
    const a = "a".repeat(40);
    const files = new Map([
      ["cdc/testcases/test_resource_group.py", { passed: 4, failed: 0, skipped: 0, deselected: 0 }],
      ["cdc/testcases/test_dml.py", { passed: 4, failed: 1, skipped: 0, deselected: 4 }],
    ]);
    const commits = new Map([["cdc/testcases/test_resource_group.py", a]]);
    const lines = formatTable(files, (f) => commitLabel(commits.get(f)));
    expect(lines[0]).toMatch(/^FILE +PASSED {2}FAILED {2}SKIPPED {2}DESELECTED {2}UPSTREAM COMMIT$/);
    expect(lines[1]).toMatch(/^cdc\/testcases\/test_dml\.py +4 +1 +0 +4 {2}unknown$/);
    expect(lines[2]).toMatch(new RegExp(`^cdc/testcases/test_resource_group\\.py +4 +0 +0 +0 {2}${a}$`));
    expect(lines[3]).toMatch(/^total +8 +1 +0 +4$/);
    // The boundary of a shallow history may not be the file's last change: said so.
    expect(commitLabel(a, new Set([a]))).toBe(`${a} or earlier`);
    expect(commitLabel(undefined)).toBe("unknown");
  });

  it("reads suite-commits.json, and refuses one that is not file -> 40-hex commit, naming it", () => {
    const a = "0123456789abcdef0123456789abcdef01234567";
    expect(parseSuiteCommits(JSON.stringify({ "cdc/testcases/test_x.py": a }), "s.json")).toEqual(
      new Map([["cdc/testcases/test_x.py", a]]),
    );
    expect(() => parseSuiteCommits("[]", "s.json")).toThrow(/^s\.json: must be an object/);
    expect(() => parseSuiteCommits("{", "s.json")).toThrow(/^s\.json: not JSON/);
    expect(() => parseSuiteCommits('{"cdc/t.py": "abc"}', "s.json")).toThrow(
      /^s\.json: cdc\/t\.py: "abc" is not a 40-hex-digit commit/,
    );
  });

  it("does not run cdc/stablity/, with its reason, and counts each file's test functions", () => {
    const d = deselectedDir("cdc/stablity/test_concurrent_operation.py");
    expect(d?.reason).toMatch(/Kubernetes/);
    expect(d?.reason.includes("\n")).toBe(false);
    expect(deselectedDir("python_client/cdc/stablity/test_single_request_operation.py")).toBe(d);
    expect(deselectedDir("cdc/testcases/test_resource_group.py")).toBeUndefined();
    const src =
      "class T:\n    def test_operations(self, a):\n        pass\n    def helper(self):\n        pass\n";
    expect(testCount(src)).toBe(1);
    expect(testCount("def test_a():\n    pass\ndef test_b(x):\n    pass\n")).toBe(2);
    expect(testCount("")).toBe(0);
  });
});
