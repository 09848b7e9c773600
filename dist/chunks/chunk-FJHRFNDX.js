import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  EnvironmentError,
  cacheRoot
} from "./chunk-TEO4V65Y.js";

// src/backends/local/processes/milvus-lite-install.ts
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
var run = promisify(execFile);
var MILVUS_LITE_VERSION = "3.2.2";
var PYMILVUS_VERSION = "3.0.2";
var MILVUS_LITE_BIN_ENV = "MILVUS_LITE_BIN";
function venvDir() {
  return join(cacheRoot(), `milvus-lite-${MILVUS_LITE_VERSION}-pymilvus-${PYMILVUS_VERSION}`);
}
async function findPython() {
  const candidates = [process.env.PYTHON, "python3", "python"].filter((c) => Boolean(c));
  for (const py of candidates) {
    try {
      const { stdout } = await run(py, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
        timeout: 5e3
      });
      const [major, minor] = stdout.trim().split(".").map(Number);
      if (major === 3 && (minor ?? 0) >= 10) return py;
    } catch {
    }
  }
  throw new EnvironmentError(
    "the local backend needs python3 >= 3.10 (with venv) to install Milvus Lite, and none was found on PATH: install it (e.g. apt-get install python3 python3-venv) or set MILVUS_LITE_BIN to an existing milvus-lite executable"
  );
}
async function lockedInstall(lockDir, work) {
  const deadline = Date.now() + 10 * 6e4;
  for (; ; ) {
    try {
      await mkdir(lockDir);
      break;
    } catch {
      const age = Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 10 * 6e4) await rm(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new EnvironmentError(`timed out waiting for another Milvus Lite install (lock ${lockDir})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
async function checkMilvusLitePrerequisites() {
  const override = process.env[MILVUS_LITE_BIN_ENV];
  if (override) {
    if (!existsSync(override))
      throw new EnvironmentError(
        `${MILVUS_LITE_BIN_ENV}=${override}: no such file (expected a milvus-lite executable)`
      );
    return;
  }
  const dir = venvDir();
  if (existsSync(join(dir, "bin", "milvus-lite")) && existsSync(join(dir, ".installed"))) return;
  await findPython();
}
async function ensureMilvusLite(log = () => {
}) {
  const override = process.env[MILVUS_LITE_BIN_ENV];
  if (override) {
    if (!existsSync(override)) {
      throw new EnvironmentError(
        `${MILVUS_LITE_BIN_ENV}=${override}: no such file (expected a milvus-lite executable)`
      );
    }
    return override;
  }
  const dir = venvDir();
  const bin = join(dir, "bin", "milvus-lite");
  const marker = join(dir, ".installed");
  const want = `milvus-lite==${MILVUS_LITE_VERSION} pymilvus==${PYMILVUS_VERSION}`;
  const done = async () => existsSync(bin) && await readFile(marker, "utf8").catch(() => "") === want;
  if (await done()) return bin;
  await mkdir(dirname(dir), { recursive: true });
  await lockedInstall(`${dir}.lock`, async () => {
    if (await done()) return;
    const python = await findPython();
    log(
      `Installing Milvus Lite ${MILVUS_LITE_VERSION} (pymilvus ${PYMILVUS_VERSION}) into ${dir} (first run only)...`
    );
    await rm(dir, { recursive: true, force: true });
    try {
      await run(python, ["-m", "venv", dir]);
    } catch (e) {
      throw new EnvironmentError(`could not create a virtualenv with ${python} -m venv: ${firstLine(e)}`);
    }
    const pip = join(dir, "bin", "pip");
    if (!existsSync(pip))
      throw new EnvironmentError(`pip is missing in ${dir}; install python3-venv / python3-pip`);
    try {
      await run(pip, ["install", "--disable-pip-version-check", "--quiet", ...want.split(" ")], {
        maxBuffer: 64 * 1024 * 1024
      });
    } catch (e) {
      throw new EnvironmentError(`pip install ${want} failed: ${firstLine(e)}`);
    }
    await writeFile(marker, want);
    log("Milvus Lite installed.");
  });
  return bin;
}
function firstLine(e) {
  const err = e;
  const text = (err.stderr || err.message || String(e)).trim().split("\n");
  return text[text.length - 1] ?? "";
}

export {
  MILVUS_LITE_VERSION,
  PYMILVUS_VERSION,
  MILVUS_LITE_BIN_ENV,
  checkMilvusLitePrerequisites,
  ensureMilvusLite
};
