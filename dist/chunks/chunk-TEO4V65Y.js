import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);

// src/errors.ts
var EXIT = {
  pass: 0,
  fail: 1,
  usage: 2,
  harness: 3
};
var UsageError = class extends Error {
  name = "UsageError";
  exitCode = EXIT.usage;
};
var EnvironmentError = class extends Error {
  name = "EnvironmentError";
  exitCode = EXIT.harness;
};
var InternalError = class extends Error {
  name = "InternalError";
  exitCode = EXIT.harness;
};
function exitCodeOfSignal(sig) {
  return sig === "SIGTERM" ? 143 : 130;
}

// src/util/paths.ts
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
function packageRoot() {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; ; ) {
    if (existsSync(join(dir, "package.json")) || existsSync(join(dir, "action.yml"))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
function cacheRoot() {
  return process.env.MILVUS_CDC_DRILL_CACHE || join(packageRoot(), ".cache");
}

export {
  EXIT,
  UsageError,
  EnvironmentError,
  InternalError,
  exitCodeOfSignal,
  packageRoot,
  cacheRoot
};
