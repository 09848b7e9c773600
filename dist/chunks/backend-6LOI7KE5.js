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
} from "./chunk-5YC2OIPJ.js";
import "./chunk-ME6CGS3Y.js";
import "./chunk-XKCU5RX7.js";
import "./chunk-6YEWRYVI.js";
import "./chunk-ATWVWLQA.js";
import "./chunk-3II6UGC6.js";
import "./chunk-FE5CAR44.js";
import "./chunk-75SGTU5M.js";
import "./chunk-5QY7ERFD.js";
import "./chunk-TEO4V65Y.js";
import "./chunk-TXPUYXQ7.js";
import "./chunk-XXWGZQIE.js";
export {
  DEFAULT_KIND_TIMING,
  KIND_FAULTS,
  KindBackend,
  deleteKindCluster,
  milvusReadiness
};
