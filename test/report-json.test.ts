import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  parseReport,
  ReportReadError,
  readReport,
  renderReportJson,
  validateReport,
} from "../src/report/json.js";
import type { DrillReport } from "../src/report/model.js";
import type { ParsedReport } from "../src/report/schema.js";
import { REPORT_SCHEMA_PATH, renderReportJsonSchema } from "../src/report/write-schema.js";
import { failingReport } from "./report-helpers.js";

const root = join(import.meta.dirname, "..");
const fixture = (name: string) => join(root, "fixtures", "reports", name, "report.json");

async function ajvValidator() {
  const schema = JSON.parse(await readFile(join(root, REPORT_SCHEMA_PATH), "utf8"));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(schema);
}

const tmpDirs: string[] = [];
afterEach(async () => {
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("report.json schema", () => {
  it("the committed schema is the one generated from the model's zod mirror", async () => {
    const committed = await readFile(join(root, REPORT_SCHEMA_PATH), "utf8");
    expect(committed, "schema/report.schema.json is stale: run `npx tsx scripts/gen-schemas.ts`").toBe(
      renderReportJsonSchema(),
    );
  });

  it("the zod mirror and the TypeScript model describe the same type", () => {
    expectTypeOf<ParsedReport>().toEqualTypeOf<DrillReport>();
  });

  it("documents itself: title, version, and a description on the verdict", async () => {
    const schema = JSON.parse(await readFile(join(root, REPORT_SCHEMA_PATH), "utf8"));
    expect(schema.title).toMatch(/schemaVersion 2/);
    expect(schema.properties.verdict.description).toMatch(/fail > unknown > pass/);
    expect(schema.properties.schemaVersion.const).toBe(2);
  });

  it.each(["pass", "fail", "error"])("ajv accepts the %s fixture", async (name) => {
    const validate = await ajvValidator();
    const data = JSON.parse(await readFile(fixture(name), "utf8"));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(validateReport(data).ok).toBe(true);
  });

  it("ajv rejects the invalid fixture (bad verdict, missing mode)", async () => {
    const validate = await ajvValidator();
    const data = JSON.parse(await readFile(fixture("invalid"), "utf8"));
    expect(validate(data)).toBe(false);
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(problems.some((p) => p.startsWith("/verdict"))).toBe(true);
    expect(problems.some((p) => p.includes("mode"))).toBe(true);
  });

  it("ajv rejects a wrong type deep inside a check", async () => {
    const validate = await ajvValidator();
    const data = JSON.parse(renderReportJson(failingReport()));
    data.checks[0].evidence[0].message = 42;
    expect(validate(data)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe("/checks/0/evidence/0/message");
  });
});

describe("validateReport / parseReport", () => {
  it("names the path, the value and what is allowed", () => {
    const data = JSON.parse(renderReportJson(failingReport()));
    data.checks[1].verdict = "maybe";
    const r = validateReport(data);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toContain("/checks/1/verdict");
    expect(r.problems[0]).toContain('"maybe"');
    expect(r.problems[0]).toMatch(/pass.*fail.*unknown.*skipped/);
  });

  it("refuses another schemaVersion with a line that says which one it reads", () => {
    const data = { ...JSON.parse(renderReportJson(failingReport())), schemaVersion: 3 };
    expect(() => parseReport(JSON.stringify(data), "x/report.json")).toThrow(
      /x\/report.json: .*schemaVersion is 3; .* reads schemaVersion 2/,
    );
  });

  it("keeps unknown fields (a newer writer's additions survive a re-render)", () => {
    const data = { ...JSON.parse(renderReportJson(failingReport())), futureField: { a: 1 } };
    const report = parseReport(JSON.stringify(data), "r.json") as DrillReport & { futureField?: unknown };
    expect(report.futureField).toEqual({ a: 1 });
    expect(JSON.parse(renderReportJson(report)).futureField).toEqual({ a: 1 });
  });

  it("round-trips a report through write and read unchanged", async () => {
    const dir = await mkdtemp(join(tmpdir(), "report-json-"));
    tmpDirs.push(dir);
    const report = failingReport();
    await writeFile(join(dir, "report.json"), renderReportJson(report));
    expect(await readReport(dir)).toEqual(report);
  });

  it("missing, non-JSON and invalid files each give one line naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "report-json-"));
    tmpDirs.push(dir);
    const missing = readReport(join(dir, "nope"));
    await expect(missing).rejects.toBeInstanceOf(ReportReadError);
    await expect(missing).rejects.toThrow(/nope\/report.json: no such file/);
    await writeFile(join(dir, "report.json"), "{ not json");
    await expect(readReport(dir)).rejects.toThrow(/report.json: not valid JSON/);
    await writeFile(join(dir, "report.json"), "[]");
    const err = await readReport(dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ReportReadError);
    expect((err as Error).message).not.toContain("\n");
    expect((err as Error).message).toContain("not a valid drill report");
  });
});
