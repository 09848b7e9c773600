/**
 * The Action's packaging: action.yml agrees with the code, dist/ builds deterministically and a
 * stale dist/ is caught, and every workflow passes actionlint.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildDist, buildDistFromHead, ENTRIES, ROOT } from "../scripts/build-dist.js";
import { diffDirs } from "../scripts/check-dist.js";
import { LOCAL_FAULT_MODES, NEMESIS_TYPES, PROFILE_NAMES, SCENARIOS } from "../src/config/schema.js";
import { ACTIONLINT_MODULE, ACTIONLINT_VERSION, findActionlint } from "./helpers/actionlint.js";

const exec = promisify(execFile);

interface ActionYaml {
  runs: { using: string; main: string; post: string; "post-if": string };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
}
const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as ActionYaml;

describe("action.yml", () => {
  it("runs the bundled steps on node24 with an always-run post", () => {
    expect(action.runs).toEqual({
      using: "node24",
      main: "dist/main.js",
      post: "dist/post.js",
      "post-if": "always()",
    });
  });

  it("declares exactly the inputs context.ts reads, each documented", () => {
    const src = readFileSync(join(ROOT, "src/action/context.ts"), "utf8");
    const read = [...src.matchAll(/core\.getInput\("([a-z-]+)"\)/g)].map((m) => m[1]);
    read.push(...[...src.matchAll(/booleanInput\("([a-z-]+)"/g)].map((m) => m[1]));
    expect(new Set(read)).toEqual(new Set(Object.keys(action.inputs)));
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect(spec.description.length, `input ${name} needs a description`).toBeGreaterThan(10);
      expect(spec.default, `input ${name} needs a default`).toBeTypeOf("string");
    }
  });

  it("names, in each enumerated input's description, every value the config accepts", () => {
    // A value the CLI takes but the Action's docs never mention is one a workflow author cannot find.
    const enums: Record<string, readonly string[]> = {
      profile: PROFILE_NAMES,
      scenario: SCENARIOS,
      nemesis: NEMESIS_TYPES,
      "local-fault": LOCAL_FAULT_MODES,
    };
    for (const [input, values] of Object.entries(enums)) {
      const text = action.inputs[input]?.description ?? "";
      const missing = values.filter((v) => !new RegExp(`(^|[^a-z-])${v}([^a-z-]|$)`).test(text));
      expect(missing, `input ${input} does not name`).toEqual([]);
    }
  });

  it("declares every output main sets", () => {
    // The outputs are the report's figures (src/report/figures.ts, one number per fact).
    const src = readFileSync(join(ROOT, "src/report/figures.ts"), "utf8");
    const block = src.slice(src.indexOf("export function actionOutputs"));
    const set = [...block.matchAll(/^\s+"?([a-z][a-z0-9-]*)"?: /gm)].map((m) => m[1]);
    expect(new Set(set)).toEqual(new Set(Object.keys(action.outputs)));
    expect(Object.keys(action.outputs).sort()).toEqual(
      [
        "catch-up-seconds",
        "failed-checks",
        "lag-p99-ms",
        "lost-writes",
        "recovery-seconds",
        "report-path",
        "rpo-ms",
        "rto-ms",
        "verdict",
      ].sort(),
    );
  });
});

describe("dist", () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = await mkdtemp(join(tmpdir(), "drill-dist-a-"));
    b = await mkdtemp(join(tmpdir(), "drill-dist-b-"));
  });
  afterAll(async () => {
    await rm(a, { recursive: true, force: true });
    await rm(b, { recursive: true, force: true });
  });

  it("builds every existing entry, byte-identical twice in a row, with no absolute paths", async () => {
    const files = await buildDist(a);
    await buildDist(b);
    const expected = ENTRIES.filter((e) => existsSync(join(ROOT, e.src))).map((e) => `${e.out}.js`);
    // Every entry at the top of dist/, everything else a shared chunk under chunks/.
    expect(files.filter((f) => !f.startsWith("chunks/"))).toEqual(expected);
    expect(files.filter((f) => f.startsWith("chunks/")).length).toBeGreaterThan(0);
    expect(files).toContain("main.js");
    expect(files).toContain("post.js");
    expect(await diffDirs(a, b)).toEqual([]);
    for (const f of files) {
      const text = readFileSync(join(a, f), "utf8");
      expect(text.includes(ROOT), `${f} embeds the build machine's path`).toBe(false);
    }
  });

  it("needs no package at run time: a runner has dist/ but no node_modules", async () => {
    // Loaded inside try/catch by their users (ws's optional native speed-ups, debug's colour probe in
    // the artifact client), or only quoted in an error message (the AWS SDK's CRT hint): absent on a
    // runner without harm.
    const optional = new Set(["bufferutil", "utf-8-validate", "@aws-sdk/signature-v4-crt", "supports-color"]);
    const builtin = new Set(builtinModules);
    const runtime: string[] = [];
    for (const f of (await readdir(a, { recursive: true })).filter((x) => x.endsWith(".js"))) {
      const text = readFileSync(join(a, f), "utf8");
      for (const m of text.matchAll(/\b(?:__require|require\d*)\("([^"]+)"\)/g)) {
        const spec = m[1] as string;
        if (spec.startsWith("node:") || builtin.has(spec) || optional.has(spec)) continue;
        runtime.push(`${f}: ${spec}`);
      }
    }
    expect([...new Set(runtime)], "resolved from node_modules at run time instead of bundled").toEqual([]);
  });

  it("--from-head bundles the committed tree with the same layout and no trace of its temp dir", async () => {
    const head = await mkdtemp(join(tmpdir(), "drill-dist-head-"));
    try {
      const files = await buildDistFromHead(head);
      expect(files).toContain("main.js");
      for (const f of files) {
        const text = readFileSync(join(head, f), "utf8");
        expect(text.includes("drill-head-"), `${f} embeds the temporary tree's path`).toBe(false);
        expect(text).not.toMatch(/\/\/ \.\.\/.*node_modules\//); // module comments stay repo-relative
      }
    } finally {
      await rm(head, { recursive: true, force: true });
    }
  });

  it("check-dist names a bundle that differs, one that is missing and one that is extra", async () => {
    const stale = await mkdtemp(join(tmpdir(), "drill-dist-stale-"));
    try {
      await cp(a, stale, { recursive: true });
      await writeFile(
        join(stale, "post.js"),
        `${readFileSync(join(a, "post.js"), "utf8")}\n// edited by hand\n`,
      );
      await rm(join(stale, "main.js"));
      await writeFile(join(stale, "old-entry.js"), "export {};\n");
      expect(await diffDirs(a, stale)).toEqual(["main.js", "old-entry.js", "post.js"]);
    } finally {
      await rm(stale, { recursive: true, force: true });
    }
  });

  it("a rebuild into a used directory removes bundles of entries that no longer exist", async () => {
    await writeFile(join(b, "removed-entry.js"), "export {};\n");
    await buildDist(b);
    expect((await readdir(b)).includes("removed-entry.js")).toBe(false);
  });
});

/**
 * actionlint is a Go tool; the global setup installs it project-local when Go is on PATH
 * (test/helpers/actionlint.ts). Under CI (CI set) these tests always run: a missing actionlint fails
 * them instead of skipping. Elsewhere they say why they did not run.
 */
const actionlint = findActionlint();
const lintHere = Boolean(actionlint) || Boolean(process.env.CI);
const HOW = `npm test installs it when Go is on PATH: go install ${ACTIONLINT_MODULE}@${ACTIONLINT_VERSION}`;
const needsActionlint = (): string => {
  if (!actionlint) throw new Error(`actionlint is not installed (${HOW})`);
  return actionlint;
};

describe("workflows", () => {
  it.skipIf(!lintHere)(
    `pass actionlint${actionlint ? "" : ` (SKIPPED: actionlint not installed; ${HOW})`}`,
    async () => {
      const workflows = (await readdir(join(ROOT, ".github/workflows"))).filter((f) => /\.ya?ml$/.test(f));
      expect(workflows).toEqual(expect.arrayContaining(["ci.yml", "e2e-kind.yml"]));
      const { stdout } = await exec(needsActionlint(), ["-no-color"], { cwd: ROOT }).catch((e) => {
        throw new Error(`actionlint failed:\n${e.stdout}${e.stderr}`);
      });
      expect(stdout).toBe("");
    },
  );

  it.skipIf(!lintHere)("the copy-paste examples in docs/action.md pass actionlint", async () => {
    const doc = readFileSync(join(ROOT, "docs/action.md"), "utf8");
    const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const dir = await mkdtemp(join(tmpdir(), "drill-doc-lint-"));
    try {
      await mkdir(join(dir, ".github/workflows"), { recursive: true });
      const files = examples.map((_, i) => `.github/workflows/example-${i}.yml`);
      await Promise.all(examples.map((y, i) => writeFile(join(dir, files[i] as string), y)));
      const { stdout } = await exec(needsActionlint(), ["-no-color", ...files], { cwd: dir }).catch((e) => {
        throw new Error(`actionlint failed on docs/action.md examples:\n${e.stdout}${e.stderr}`);
      });
      expect(stdout).toBe("");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!lintHere)("actionlint really rejects a broken workflow (the lint is not a no-op)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drill-lint-"));
    try {
      await mkdir(join(dir, ".github/workflows"), { recursive: true });
      await writeFile(
        join(dir, ".github/workflows/bad.yml"),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
        "on: [pushh]\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n",
      );
      const result = await exec(needsActionlint(), ["-no-color", ".github/workflows/bad.yml"], {
        cwd: dir,
      }).then(
        () => "passed",
        (e: { stdout: string }) => e.stdout,
      );
      expect(result).toContain("pushh");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
