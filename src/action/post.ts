/**
 * The post step: runs after main whatever happened to it (post-if: always()), including a cancelled
 * job. It deletes what main recorded as created, and nothing else.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as core from "@actions/core";
import type { CleanupRecord } from "../drill/run.js";
import * as stateHelper from "./state-helper.js";

const exec = promisify(execFile);

/** kind deletes a cluster in well under a minute; a stuck Docker must not hold the job for an hour. */
const KIND_DELETE_TIMEOUT_MS = 5 * 60_000;

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
      try {
        await exec("kind", ["delete", "cluster", "--name", name], { timeout: KIND_DELETE_TIMEOUT_MS });
        core.info(`kind cluster '${name}' deleted.`);
      } catch (e) {
        const err = e as { code?: string; killed?: boolean; stderr?: string; message?: string };
        const why =
          err.code === "ENOENT"
            ? "the kind executable was not found on PATH"
            : err.killed
              ? `timed out after ${KIND_DELETE_TIMEOUT_MS / 1000}s waiting for 'kind delete cluster --name ${name}'`
              : (err.stderr || err.message || String(e)).trim().split("\n").pop();
        core.warning(`could not delete kind cluster '${name}': ${why}`);
      }
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
