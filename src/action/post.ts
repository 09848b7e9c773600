/**
 * The post step: runs after main whatever happened to it (post-if: always()), including a cancelled
 * job. It deletes what main recorded as created, and nothing else.
 */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import * as core from "@actions/core";
import * as tc from "@actions/tool-cache";
import { deleteKindCluster } from "../backends/kind/backend.js";
import { TOOL_PINS } from "../backends/kind/tools.js";
import type { CleanupRecord } from "../drill/run.js";
import * as stateHelper from "./state-helper.js";

/**
 * The kind main used: the one on PATH, else the pinned one main downloaded into the runner's tool
 * cache (which is not on PATH in this separate process).
 */
function kindExecutable(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "kind"))) return "kind";
  }
  for (const arch of ["amd64", "arm64"]) {
    const found = process.env.RUNNER_TOOL_CACHE ? tc.find("kind", TOOL_PINS.kind.version, arch) : "";
    if (found) return join(found, "kind");
  }
  return "kind";
}

async function teardown(record: CleanupRecord | undefined): Promise<void> {
  if (!record) {
    core.info("Nothing to clean up: the main step did not provision anything.");
    return;
  }
  switch (record.backend) {
    case "kind": {
      const name = record.kindClusterName;
      if (!name) {
        core.info("kind backend: no cluster was created, nothing to delete.");
        return;
      }
      if (record.keep) {
        core.info(`keep-cluster is set: leaving kind cluster '${name}' running.`);
        return;
      }
      core.info(`Deleting kind cluster '${name}'...`);
      await deleteKindCluster(name, {
        kind: kindExecutable(),
        log: { info: (m) => core.info(m), warn: (m) => core.warning(m) },
      });
      return;
    }
    case "local":
      // The lab's processes are children of main that exit when main does (watchdog on the IPC channel).
      core.info("local backend: its processes ended with the main step; nothing left to delete.");
      return;
    default:
      core.info(`${record.backend} backend: the drill created nothing that needs deleting.`);
  }
}

async function run(): Promise<void> {
  await core.group("Clean up", () => teardown(stateHelper.getCleanup()));
}

run().catch((e: unknown) => core.warning(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`));
