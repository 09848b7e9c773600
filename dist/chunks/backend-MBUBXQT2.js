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
} from "./chunk-PYRXH53P.js";
import "./chunk-P5P5CDIZ.js";
import "./chunk-XKCU5RX7.js";
import "./chunk-2QI2MH3L.js";
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
