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
} from "./chunk-H4ODIUDA.js";
import "./chunk-X2FEBKS6.js";
import "./chunk-NHKCD2JG.js";
import "./chunk-FR3LEV5B.js";
import "./chunk-ATWVWLQA.js";
import "./chunk-6STU7AKI.js";
import "./chunk-FE5CAR44.js";
import "./chunk-IFYLNFC4.js";
import "./chunk-XXFUNUPC.js";
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
