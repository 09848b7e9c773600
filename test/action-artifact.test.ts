import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { artifactUrl, uploadRunDir } from "../src/action/artifact.js";

afterEach(() => vi.restoreAllMocks());

describe("run directory artifact", () => {
  it("links the artifact from the run's server, repository and run id", () => {
    const env = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "42" };
    expect(artifactUrl(7, env)).toBe("https://github.com/o/r/actions/runs/42/artifacts/7");
    expect(artifactUrl(7, { GITHUB_REPOSITORY: "o/r" })).toBeUndefined();
  });

  it("skips the upload off a GitHub runner, saying why, and never fails the drill", async () => {
    const dir = await mkdtemp(join(tmpdir(), "artifact-"));
    await writeFile(join(dir, "report.json"), "{}");
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const saved = { t: process.env.ACTIONS_RUNTIME_TOKEN, u: process.env.ACTIONS_RESULTS_URL };
    delete process.env.ACTIONS_RUNTIME_TOKEN;
    delete process.env.ACTIONS_RESULTS_URL;
    try {
      expect(await uploadRunDir("run", dir)).toBeUndefined();
      expect(out.join("")).toMatch(/artifact upload skipped: not on a GitHub runner/);
      out.length = 0;
      expect(await uploadRunDir("", dir)).toBeUndefined();
      expect(out.join("")).toBe("");
    } finally {
      if (saved.t !== undefined) process.env.ACTIONS_RUNTIME_TOKEN = saved.t;
      if (saved.u !== undefined) process.env.ACTIONS_RESULTS_URL = saved.u;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
