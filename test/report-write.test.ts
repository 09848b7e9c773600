import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run as reportCommand } from "../src/cli/commands/report.js";
import { UsageError } from "../src/errors.js";
import { readReport } from "../src/report/json.js";
import type { DrillReport } from "../src/report/model.js";
import { REDACTED, redact } from "../src/report/redact.js";
import { REPORT_FILES, renderAll, writeReportFiles } from "../src/report/write.js";
import { errorReport, failingReport, T0 } from "./report-helpers.js";

const root = join(import.meta.dirname, "..");
const tmpDirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "report-write-"));
  tmpDirs.push(d);
  return d;
}
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("redact", () => {
  it("masks every occurrence and the escaped forms, longest secret first", () => {
    expect(redact("a tok b tok", ["tok"])).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(redact("x abcdef y", ["abc", "abcdef"])).toBe(`x ${REDACTED} y`);
    expect(redact('{"t":"p\\"w"}', ['p"w'])).toBe(`{"t":"${REDACTED}"}`);
    expect(redact("a&amp;b", ["a&b"])).toBe(REDACTED);
    expect(redact("u=a%2Fb", ["a/b"])).toBe(`u=${REDACTED}`);
    expect(redact("unchanged", ["", undefined, null])).toBe("unchanged");
  });
});

/** A report with the same two secrets planted in every kind of field a renderer prints. */
function leakyReport(secrets: string[]): DrillReport {
  const s = secrets.join(" and ");
  const r = failingReport({ replayCommand: `milvus-cdc-drill run --token ${s}` });
  r.verdict = "error";
  r.error = { phase: "provision", message: `connect http://root:${s}@host failed` };
  r.profile = `p-${s}`;
  r.backend.details.uri = `http://u:${s}@x`;
  r.backend.details[`key-${s}`] = "v";
  const parity = r.checks[0];
  if (parity) {
    parity.summary = `lost keys; token ${s}`;
    parity.evidence.push({ collection: `c${s}`, pk: s, message: `m ${s}`, [`f${s}`]: { deep: [s] } });
  }
  r.metrics.faults.push({ id: 9, name: `kill ${s}`, startedAt: T0 + 30_000, endedAt: null, error: s });
  r.metrics.recoveries.push({
    faultId: 9,
    fault: `kill ${s}`,
    startedAt: T0 + 30_000,
    recoveredAt: null,
    recoveryMs: null,
  });
  r.files.push(`diag-${s}.log`);
  return r;
}

describe("writeReportFiles", () => {
  it("writes the four files, lists them with the run's other files, leaves no temp files", async () => {
    const dir = await tmp();
    const files = await writeReportFiles(failingReport(), dir);
    expect(files).toEqual(["history.jsonl", "final-state.json", ...REPORT_FILES]);
    expect((await readdir(dir)).sort()).toEqual([...REPORT_FILES].sort());
    const back = await readReport(dir);
    expect(back.files).toEqual(files);
    expect(back.checks).toEqual(failingReport().checks);
  });

  it("never writes a planted token into any file, in any encoding", async () => {
    const secrets = ["tok_9f8e7d6c5b4a", `s3cr&t<"/+=>`];
    const dir = await tmp();
    await writeReportFiles(leakyReport(secrets), dir, { secrets: [...secrets, undefined] });
    const forms = secrets.flatMap((s) => [
      s,
      JSON.stringify(s).slice(1, -1),
      s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"),
      encodeURIComponent(s),
    ]);
    const names = await readdir(dir);
    expect(names.sort()).toEqual([...REPORT_FILES].sort());
    for (const name of names) {
      const text = await readFile(join(dir, name), "utf8");
      for (const f of forms) expect(text.includes(f), `${name} contains ${f}`).toBe(false);
      expect(text, `${name} shows where a secret was`).toContain(REDACTED);
    }
    // The masked report is still a valid report.
    const back = await readReport(dir);
    expect(back.error?.message).toBe(`connect http://root:${REDACTED} and ${REDACTED}@host failed`);
  });

  it("without secrets the same report does carry the token (so the test above can fail)", () => {
    const rendered = renderAll(leakyReport(["tok_9f8e7d6c5b4a"]));
    for (const text of Object.values(rendered)) expect(text).toContain("tok_9f8e7d6c5b4a");
  });
});

describe("report command", () => {
  function capture() {
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    return () => out;
  }

  it("re-renders every format from a fixture run dir and prints the table; exit code follows the verdict", async () => {
    const dir = await tmp();
    await cp(join(root, "fixtures", "reports", "fail"), dir, { recursive: true });
    const out = capture();
    const code = await reportCommand([dir]);
    expect(code).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([...REPORT_FILES].sort());
    expect(out()).toMatch(/^verdict: FAIL/);
    expect(out()).toContain(join(dir, "junit.xml"));
    const md = await readFile(join(dir, "summary.md"), "utf8");
    expect(md).toContain("<b>parity</b>");
    const junit = await readFile(join(dir, "junit.xml"), "utf8");
    expect(junit).toContain('failures="2"');
  });

  it("--json prints only report.json", async () => {
    const dir = await tmp();
    await cp(join(root, "fixtures", "reports", "error"), dir, { recursive: true });
    const out = capture();
    expect(await reportCommand([dir, "--json"])).toBe(3);
    const printed = JSON.parse(out());
    expect(printed.verdict).toBe("error");
    expect(printed).toEqual(JSON.parse(await readFile(join(dir, "report.json"), "utf8")));
    expect(printed).toMatchObject({ error: errorReport().error });
  });

  it("bad usage and bad reports are UsageErrors with one line", async () => {
    await expect(reportCommand([])).rejects.toThrow(/expected exactly one RUN_DIR, got none/);
    await expect(reportCommand(["a", "b"])).rejects.toThrow(/got 'a' 'b'/);
    await expect(reportCommand(["--bogus", "x"])).rejects.toBeInstanceOf(UsageError);
    const dir = await tmp();
    await cp(join(root, "fixtures", "reports", "invalid"), dir, { recursive: true });
    await expect(reportCommand([dir])).rejects.toThrow(
      /report.json: not a valid drill report: \/verdict: .*"maybe"/,
    );
  });

  it("through the CLI: a missing or invalid report exits 2 with one line on stderr", async () => {
    const dir = await tmp();
    await cp(join(root, "fixtures", "reports", "invalid"), join(dir, "bad"), { recursive: true });
    for (const [target, pattern] of [
      [join(dir, "missing"), /missing\/report.json: no such file/],
      [join(dir, "bad"), /not a valid drill report/],
    ] as const) {
      const r = spawnSync(
        process.execPath,
        ["--import", "tsx", join(root, "src/cli/main.ts"), "report", target],
        {
          cwd: root,
          encoding: "utf8",
          timeout: 60_000,
        },
      );
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toMatch(/^milvus-cdc-drill report: /);
    }
  });
});
