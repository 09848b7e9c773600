/**
 * What main hands to post: the only module that calls core.saveState / core.getState.
 * State is written the moment something exists to clean up, so a cancelled or crashed main
 * still leaves post enough to tear it down.
 */
import * as core from "@actions/core";
import type { CleanupRecord } from "../drill/run.js";

const CLEANUP = "cleanup";
const RUN_DIR = "run-dir";

export function saveCleanup(record: CleanupRecord): void {
  core.saveState(CLEANUP, JSON.stringify(record));
}

/** undefined when main never provisioned anything (or never started). */
export function getCleanup(): CleanupRecord | undefined {
  const raw = core.getState(CLEANUP);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as CleanupRecord;
    return typeof parsed === "object" && parsed !== null && typeof parsed.backend === "string"
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

export function saveRunDir(dir: string): void {
  core.saveState(RUN_DIR, dir);
}

export function getRunDir(): string | undefined {
  return core.getState(RUN_DIR) || undefined;
}
