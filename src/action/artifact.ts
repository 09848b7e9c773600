/** The run directory as a workflow artifact, linked from the job summary. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as core from "@actions/core";

/** Every file below dir (the artifact client wants a flat list of paths). */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Uploads the run directory as an artifact and returns its URL. Outside GitHub's runners (no results
 * service) or on failure it says why and returns undefined: a missing artifact never fails the drill.
 */
export async function uploadRunDir(name: string, outDir: string): Promise<string | undefined> {
  if (!name) return undefined;
  if (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL) {
    core.info(
      `artifact upload skipped: not on a GitHub runner (no ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL); files stay in ${outDir}`,
    );
    return undefined;
  }
  try {
    const { DefaultArtifactClient } = await import("@actions/artifact");
    const res = await new DefaultArtifactClient().uploadArtifact(name, filesBelow(outDir), outDir, {
      retentionDays: 14,
    });
    core.info(`uploaded ${outDir} as artifact '${name}' (${res.size ?? "?"} bytes)`);
    return res.id === undefined ? undefined : artifactUrl(res.id);
  } catch (e) {
    core.warning(`artifact upload of ${outDir} failed: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

export function artifactUrl(id: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}/artifacts/${id}` : undefined;
}
