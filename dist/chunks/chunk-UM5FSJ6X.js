import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  getState,
  saveState
} from "./chunk-JVYOK6R6.js";

// src/action/state-helper.ts
var CLEANUP = "cleanup";
var RUN_DIR = "run-dir";
function saveCleanup(record) {
  saveState(CLEANUP, JSON.stringify(record));
}
function getCleanup() {
  const raw = getState(CLEANUP);
  if (!raw) return void 0;
  try {
    const parsed = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null && typeof parsed.backend === "string" ? parsed : void 0;
  } catch {
    return void 0;
  }
}
function saveRunDir(dir) {
  saveState(RUN_DIR, dir);
}

export {
  saveCleanup,
  getCleanup,
  saveRunDir
};
