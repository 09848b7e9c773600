import { describe, expect, it } from "vitest";
import { perFile, uncollectable } from "../scripts/conformance-results.js";

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
});
