import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  MILVUS_LITE_BIN_ENV,
  MILVUS_LITE_VERSION,
  PYMILVUS_VERSION,
  checkMilvusLitePrerequisites,
  ensureMilvusLite
} from "./chunk-FJHRFNDX.js";
import {
  EnvironmentError
} from "./chunk-TEO4V65Y.js";
import "./chunk-XXWGZQIE.js";
export {
  EnvironmentError,
  MILVUS_LITE_BIN_ENV,
  MILVUS_LITE_VERSION,
  PYMILVUS_VERSION,
  checkMilvusLitePrerequisites,
  ensureMilvusLite
};
