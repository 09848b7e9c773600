import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  find
} from "./chunks/chunk-UH7MPPVO.js";
import {
  TOOL_PINS,
  deleteKindCluster
} from "./chunks/chunk-PYRXH53P.js";
import "./chunks/chunk-P5P5CDIZ.js";
import {
  getCleanup
} from "./chunks/chunk-UM5FSJ6X.js";
import "./chunks/chunk-XKCU5RX7.js";
import "./chunks/chunk-2QI2MH3L.js";
import {
  group,
  info,
  warning
} from "./chunks/chunk-JVYOK6R6.js";
import "./chunks/chunk-ATWVWLQA.js";
import "./chunks/chunk-3II6UGC6.js";
import "./chunks/chunk-FE5CAR44.js";
import "./chunks/chunk-75SGTU5M.js";
import "./chunks/chunk-5QY7ERFD.js";
import "./chunks/chunk-TEO4V65Y.js";
import "./chunks/chunk-TXPUYXQ7.js";
import "./chunks/chunk-XXWGZQIE.js";

// src/action/post.ts
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
function kindExecutable() {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "kind"))) return "kind";
  }
  for (const arch of ["amd64", "arm64"]) {
    const found = process.env.RUNNER_TOOL_CACHE ? find("kind", TOOL_PINS.kind.version, arch) : "";
    if (found) return join(found, "kind");
  }
  return "kind";
}
async function teardown(record) {
  if (!record) {
    info("Nothing to clean up: the main step did not provision anything.");
    return;
  }
  switch (record.backend) {
    case "kind": {
      const name = record.kindClusterName;
      if (!name) {
        info("kind backend: no cluster was created, nothing to delete.");
        return;
      }
      if (record.keep) {
        info(`keep-cluster is set: leaving kind cluster '${name}' running.`);
        return;
      }
      info(`Deleting kind cluster '${name}'...`);
      await deleteKindCluster(name, {
        kind: kindExecutable(),
        log: { info: (m) => info(m), warn: (m) => warning(m) }
      });
      return;
    }
    case "local":
      info("local backend: its processes ended with the main step; nothing left to delete.");
      return;
    default:
      info(`${record.backend} backend: the drill created nothing that needs deleting.`);
  }
}
async function run() {
  await group("Clean up", () => teardown(getCleanup()));
}
run().catch((e) => warning(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`));
