import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../src/checkers/types.js";
import { JUNIT_EVIDENCE_LINES, renderJunit } from "../src/report/junit.js";
import type { DrillReport } from "../src/report/model.js";
import { baseReport, check, errorReport, failingReport } from "./report-helpers.js";

// Keep every element an array where reporters may see several, as xml2js (dorny) does.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  textNodeName: "_",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  // Real XML parsers (sax under xml2js and xml-js) decode character references such as &#10;.
  htmlEntities: true,
  isArray: (name, _path, _leaf, isAttribute) =>
    !isAttribute && ["testsuite", "testcase", "property", "failure", "error", "skipped"].includes(name),
});

interface Tc {
  classname: string;
  name: string;
  time: string;
  failure?: Array<{ message: string; type: string; _?: string }>;
  error?: Array<{ message: string; type: string; _?: string }>;
  skipped?: Array<{ message?: string } | string>;
}
interface Ts {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  properties: { property: Array<{ name: string; value: string }> };
  testcase?: Tc[];
}

function parse(xml: string): { testsuites: { testsuite: Ts[]; tests: string; time: string } } {
  const valid = XMLValidator.validate(xml);
  expect(valid, JSON.stringify(valid)).toBe(true);
  return parser.parse(xml);
}

/** dorny/test-reporter java-junit: failure or error -> failed, skipped -> skipped, else success. */
function dornyResults(suite: Ts) {
  expect(suite.name.trim()).not.toBe("");
  expect(Number.isNaN(Number.parseFloat(suite.time))).toBe(false);
  return (suite.testcase ?? []).map((tc) => {
    for (const a of ["classname", "name", "time"] as const)
      expect(tc[a], `testcase ${a}`).toBeTypeOf("string");
    expect(Number.isNaN(Number.parseFloat(tc.time))).toBe(false);
    return tc.failure || tc.error ? "failed" : tc.skipped ? "skipped" : "success";
  });
}

/** mikepenz/action-junit-report: total, skipped, failed = (failure || error) && !skipped; message from the attribute. */
function mikepenzCounts(suite: Ts) {
  let total = 0;
  let skipped = 0;
  let failed = 0;
  const messages: string[] = [];
  for (const tc of suite.testcase ?? []) {
    total++;
    const skip = tc.skipped !== undefined;
    const failure = tc.failure?.[0] ?? tc.error?.[0];
    if (skip) skipped++;
    if (failure && !skip) {
      failed++;
      messages.push(failure.message);
    }
  }
  return { total, skipped, failed, messages };
}

function only<T>(xs: T[] | undefined): T {
  expect(xs).toHaveLength(1);
  return (xs as T[])[0] as T;
}

describe("junit.xml", () => {
  it("a failing drill: one suite, one testcase per check, right counts for both reporters", () => {
    const report = failingReport();
    const doc = parse(renderJunit(report));
    const suite = only(doc.testsuites.testsuite);
    expect(suite.name).toBe("milvus-cdc-drill");
    expect(suite).toMatchObject({ tests: "6", failures: "2", errors: "0", skipped: "2", time: "75.000" });
    expect(doc.testsuites.tests).toBe("6");
    const cases = suite.testcase ?? [];
    expect(cases.map((c) => c.name)).toEqual(report.checks.map((c) => c.name));
    expect(new Set(cases.map((c) => c.classname))).toEqual(new Set(["milvus-cdc-drill.local"]));
    expect(dornyResults(suite)).toEqual(["failed", "success", "failed", "skipped", "skipped", "success"]);
    const mp = mikepenzCounts(suite);
    expect(mp).toMatchObject({ total: 6, skipped: 2, failed: 2 });
    expect(mp.messages[0]).toBe(report.checks[0]?.summary);
  });

  it("a failure carries the summary as message and the evidence sample as text", () => {
    const suite = only(parse(renderJunit(failingReport())).testsuites.testsuite);
    const parity = suite.testcase?.find((c) => c.name === "parity");
    const failure = only(parity?.failure);
    expect(failure.message).toContain("3 keys lost");
    expect(failure._).toContain("pk=1017 op=311");
    expect(failure._).toContain("pk=1019");
    expect(failure._).toContain("stats: lost=3 compared=1000");
  });

  it("unknown is a skipped testcase whose message says unknown; skipped says skipped", () => {
    const suite = only(parse(renderJunit(failingReport())).testsuites.testsuite);
    const unknown = only(suite.testcase?.find((c) => c.name === "checkpoint-recovery")?.skipped);
    expect(unknown).toMatchObject({ message: "unknown: GetReplicateInfo unavailable on this backend" });
    const skipped = only(suite.testcase?.find((c) => c.name === "search-parity")?.skipped);
    expect(skipped).toMatchObject({ message: expect.stringMatching(/^skipped: /) });
  });

  it("a harness error is one 'harness' testcase with <error>, counted as an error not a failure", () => {
    const report = errorReport();
    const suite = only(parse(renderJunit(report)).testsuites.testsuite);
    expect(suite).toMatchObject({ tests: "1", failures: "0", errors: "1", skipped: "0" });
    const harness = only(suite.testcase);
    expect(harness.name).toBe("harness");
    const error = only(harness.error);
    expect(error.message).toBe(`provision: ${report.error?.message}`);
    expect(harness.failure).toBeUndefined();
    expect(dornyResults(suite)).toEqual(["failed"]);
    expect(mikepenzCounts(suite).failed).toBe(1);
  });

  it("a harness error keeps the checks that did run", () => {
    const report = errorReport({ checks: [check("parity", "fail", "lost"), check("lag", "pass")] });
    const suite = only(parse(renderJunit(report)).testsuites.testsuite);
    expect(suite).toMatchObject({ tests: "3", failures: "1", errors: "1", skipped: "0" });
  });

  it("a passing drill has no failures, errors or skips", () => {
    const suite = only(parse(renderJunit(baseReport())).testsuites.testsuite);
    expect(suite).toMatchObject({ tests: "4", failures: "0", errors: "0", skipped: "0" });
    expect(dornyResults(suite).every((r) => r === "success")).toBe(true);
  });

  it("properties hold seed, backend and versions", () => {
    const suite = only(parse(renderJunit(failingReport())).testsuites.testsuite);
    const props = Object.fromEntries(suite.properties.property.map((p) => [p.name, p.value]));
    expect(props).toMatchObject({
      seed: "42",
      backend: "local",
      verdict: "fail",
      "tool.version": "0.1.0",
      "backend.milvus": "milvus-lite 3.0.1",
    });
    expect(props.replay).toContain("--seed 42");
  });

  it("escapes <, &, quotes and control characters in messages, evidence and names", () => {
    const nasty = `a<b & c>"d" 'e' ]]> \u0007bell\u0000nul\ttab\r\nline2 \uD800lone`;
    const bad: CheckResult = {
      name: "parity",
      verdict: "fail",
      summary: nasty,
      evidence: [{ collection: `c"<&>`, pk: "1", message: nasty, extra: nasty }],
      evidenceTotal: 1,
      observed: 1,
    };
    const report: DrillReport = failingReport({
      checks: [bad],
      backend: { name: `lo"cal<&`, details: { 'k<"&': nasty } },
    });
    const xml = renderJunit(report);
    const forbidden = [...xml].filter((c) => c.charCodeAt(0) < 0x20 && !"\t\n\r".includes(c));
    expect(forbidden).toEqual([]);
    const suite = only(parse(xml).testsuites.testsuite);
    const tc = only(suite.testcase);
    expect(tc.classname).toBe(`milvus-cdc-drill.lo"cal<&`);
    const failure = only(tc.failure);
    // The message is one line (newlines folded), everything else survives verbatim or as visible \uXXXX.
    expect(failure.message).toBe(`a<b & c>"d" 'e' ]]> \\u0007bell\\u0000nul tab line2 \\ud800lone`);
    expect(failure._).toContain(`collection=c"<&>`);
    expect(failure._).toContain("\\u0007bell");
    const prop = suite.properties.property.find((p) => p.name === `backend.k<"&`);
    expect(prop?.value).toContain(`a<b & c>"d"`);
    expect(prop?.value).toContain("\ttab\r\nline2");
  });

  it("any text in a summary or evidence yields well-formed XML that keeps the text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 60 }),
        fc.string({ unit: "grapheme", maxLength: 60 }),
        (weird, plain) => {
          const report = failingReport({
            checks: [
              {
                name: "prefix",
                verdict: "fail",
                summary: weird,
                evidence: [{ message: plain }],
                evidenceTotal: 1,
                observed: 1,
              },
              {
                name: "lag",
                verdict: "unknown",
                summary: plain,
                evidence: [],
                evidenceTotal: 0,
                observed: 1,
              },
            ],
          });
          const xml = renderJunit(report);
          expect(XMLValidator.validate(xml)).toBe(true);
          const suite = only(parser.parse(xml).testsuites.testsuite as Ts[]);
          const [prefix, lag] = suite.testcase ?? [];
          expect(only(prefix?.failure)._).toContain(plain.replace(/[\r\n\t]+/g, " "));
          expect(only(lag?.skipped)).toMatchObject({
            message: `unknown: ${plain.replace(/[\r\n\t]+/g, " ")}`,
          });
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it("bounds the evidence lines of a failure and says how many were left out", () => {
    const evidence = Array.from({ length: 500 }, (_, i) => ({ pk: String(i), message: `lost ${i}` }));
    const report = failingReport({
      checks: [
        { name: "parity", verdict: "fail", summary: "lost", evidence, evidenceTotal: 1_000_000, observed: 1 },
      ],
    });
    const failure = only(only(parse(renderJunit(report)).testsuites.testsuite).testcase?.[0]?.failure);
    const lines = (failure._ ?? "").split("\n");
    expect(lines.filter((l) => l.startsWith("pk="))).toHaveLength(JUNIT_EVIDENCE_LINES);
    expect(failure._).toContain(
      `${(1_000_000 - JUNIT_EVIDENCE_LINES).toLocaleString("en-US")} more evidence items not shown`,
    );
  });
});
