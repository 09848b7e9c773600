import { describe, expect, it } from "vitest";
import { perFile, shellWords, suiteDefect, uncollectable } from "../scripts/conformance-results.js";

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
  });
});
