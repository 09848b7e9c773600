import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  fillTemplate
} from "./chunk-2QI2MH3L.js";

// src/backends/existing/milvus-backup.ts
var MILVUS_BACKUP_PLACEHOLDERS = ["name", "sourceClusterId", "targetClusterId"];
function milvusBackupCommand(template, v) {
  return fillTemplate(template, { ...v });
}

export {
  MILVUS_BACKUP_PLACEHOLDERS,
  milvusBackupCommand
};
