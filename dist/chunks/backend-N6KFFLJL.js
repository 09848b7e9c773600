import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  DEFAULT_KIND_TIMING,
  KIND_FAULTS,
  KindBackend,
  deleteKindCluster,
  milvusReadiness
} from "./chunk-XGXH3675.js";
import "./chunk-BU6UUILT.js";
import "./chunk-REOMY7NA.js";
import "./chunk-ATWVWLQA.js";
import "./chunk-3UYGJAXT.js";
import "./chunk-XXWGZQIE.js";
export {
  DEFAULT_KIND_TIMING,
  KIND_FAULTS,
  KindBackend,
  deleteKindCluster,
  milvusReadiness
};
