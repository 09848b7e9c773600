/**
 * actionlint, the workflow linter test/action-build.test.ts runs on .github/workflows and on the
 * copy-paste examples in docs/action.md. It is a Go tool with no npm or PyPI release, so the test
 * suite installs it itself, project-local, from the Go module proxy (`go install` with GOBIN in the
 * cache), pinned by version. A machine without Go skips those tests and says why; under CI (CI set)
 * a missing actionlint fails them instead.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { cacheRoot } from "../../src/util/paths.js";

const run = promisify(execFile);

export const ACTIONLINT_VERSION = "v1.7.12";
export const ACTIONLINT_MODULE = "github.com/rhysd/actionlint/cmd/actionlint";

/** Where the suite installs actionlint: one folder per pinned version, under the project's cache. */
export function actionlintPath(): string {
  return join(cacheRoot(), `actionlint-${ACTIONLINT_VERSION}`, "actionlint");
}

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, name))
    .find((p) => existsSync(p));
}

/** The pinned project-local actionlint if installed, else one on PATH; undefined when neither exists. */
export function findActionlint(): string | undefined {
  return existsSync(actionlintPath()) ? actionlintPath() : onPath("actionlint");
}

/**
 * Installs the pinned actionlint once (idempotent) when Go is on PATH; returns its path, or undefined
 * when Go is missing. A failed `go install` throws with go's own message.
 */
export async function ensureActionlint(log: (m: string) => void = () => {}): Promise<string | undefined> {
  const bin = actionlintPath();
  if (existsSync(bin)) return bin;
  const go = onPath("go");
  if (!go) return undefined;
  const gobin = join(cacheRoot(), `actionlint-${ACTIONLINT_VERSION}`);
  await mkdir(gobin, { recursive: true });
  log(`installing actionlint ${ACTIONLINT_VERSION} (go install) into ${gobin}`);
  try {
    await run(go, ["install", `${ACTIONLINT_MODULE}@${ACTIONLINT_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, GOFLAGS: "-mod=mod" },
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `go install ${ACTIONLINT_MODULE}@${ACTIONLINT_VERSION} failed: ${(err.stderr || err.message).trim()}`,
    );
  }
  return bin;
}
