import { describe, expect, it } from "vitest";
import type { CheckResult } from "../src/checkers/types.js";
import { renderSummary } from "../src/report/summary.js";
import { baseReport, check } from "./report-helpers.js";

const part = (verdict: CheckResult["verdict"]) => ({
  verdict,
  summary: verdict,
  evidence: [],
  evidenceTotal: 0,
  observed: 1,
});

describe("summary.md in a star", () => {
  it("names each standby's verdict per check, and — where a check did not watch that standby", () => {
    const parity = {
      ...check("parity", "fail"),
      standbys: { "standby-a": part("pass"), "standby2-a": part("fail") },
    };
    const lag = { ...check("lag", "pass"), standbys: { "standby-a": part("pass") } };
    const md = renderSummary(baseReport({ verdict: "fail", checks: [parity, lag] }));
    expect(md).toContain("## Standbys");
    expect(md).toContain("| Check | standby-a | standby2-a |");
    expect(md).toContain("| parity | ✅ pass | ❌ fail |");
    expect(md).toContain("| lag | ✅ pass | — |");
  });

  it("a pair's summary has no standbys section", () => {
    expect(renderSummary(baseReport())).not.toContain("## Standbys");
  });
});
