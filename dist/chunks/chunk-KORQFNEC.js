import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);

// src/generator/reserved.ts
var HEARTBEAT_COLLECTION = "drill_heartbeat";
var SETTLE_KEY = 990000001;
var PK_FIELD = "pk";

export {
  HEARTBEAT_COLLECTION,
  SETTLE_KEY,
  PK_FIELD
};
