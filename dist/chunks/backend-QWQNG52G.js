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
} from "./chunk-QHLSGRSG.js";
import "./chunk-5K46BLZF.js";
import "./chunk-P6BIFXV7.js";
import "./chunk-3IKSNKQA.js";
import "./chunk-ATWVWLQA.js";
import "./chunk-BLFJBIMG.js";
import "./chunk-FE5CAR44.js";
import "./chunk-HYYLTJMX.js";
import "./chunk-UXO2L5LN.js";
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
