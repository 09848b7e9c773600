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
} from "./chunk-XELPR2SU.js";
import "./chunk-KK2DXZ6S.js";
import "./chunk-JBF3SCL7.js";
import "./chunk-KMGNZALP.js";
import "./chunk-ATWVWLQA.js";
import "./chunk-QSRQIOE6.js";
import "./chunk-FE5CAR44.js";
import "./chunk-3SKG72QK.js";
import "./chunk-HT7A6DQV.js";
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
