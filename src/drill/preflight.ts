/**
 * Checks made before a drill starts anything, so a missing prerequisite is one line and the right
 * exit code instead of a half-run drill: the backend's prerequisites first (exit 3, and no run
 * directory is created), then the run directory (exit 2). Each answers in a few seconds.
 */
import { execFile } from "node:child_process";
import type { DrillConfig } from "../config/schema.js";
import { EnvironmentError } from "../errors.js";
import { prepareRunDir } from "./run-dir.js";

const DOCKER_TIMEOUT_MS = 4_000;

export async function preflight(config: DrillConfig, outDir: string): Promise<void> {
  await checkBackendPrerequisites(config);
  await prepareRunDir(outDir);
}

export async function checkBackendPrerequisites(config: DrillConfig): Promise<void> {
  switch (config.backend.type) {
    case "kind":
      return checkDocker();
    case "local": {
      const { checkMilvusLitePrerequisites } = await import(
        "../backends/local/processes/milvus-lite-install.js"
      );
      return checkMilvusLitePrerequisites();
    }
    case "existing":
      // The clusters themselves: provision says at once if one does not answer.
      return;
  }
}

/** kind runs its nodes as Docker containers: the Docker daemon must answer, not only the CLI exist. */
async function checkDocker(): Promise<void> {
  const why = await new Promise<string | null>((resolve) => {
    execFile(
      "docker",
      ["info", "--format", "{{.ServerVersion}}"],
      { timeout: DOCKER_TIMEOUT_MS },
      (err, stdout, stderr) => {
        if (!err && stdout.trim()) return resolve(null);
        const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        if (e?.code === "ENOENT") return resolve("no docker executable on PATH");
        if (e?.killed) return resolve(`'docker info' did not answer within ${DOCKER_TIMEOUT_MS / 1000} s`);
        const last = `${stderr}`.trim().split("\n").filter(Boolean).pop() ?? e?.message ?? "no answer";
        resolve(`'docker info' failed: ${last}`);
      },
    );
  });
  if (why) {
    throw new EnvironmentError(
      `the kind backend needs a running Docker daemon (${why}): install Docker (https://docs.docker.com/engine/install/) and start it`,
    );
  }
}
