/**
 * Scenario seed on existing clusters: the user's own milvus-backup, run as shell commands
 * (backend.existing.milvusBackup), the way killCdcCommand lets them kill CDC their way. The drill knows
 * neither cluster's object storage, so it cannot run Milvus Backup itself.
 */
import { fillTemplate } from "../../util/shell.js";

/** What a command template may name; each is substituted shell-quoted. */
export const MILVUS_BACKUP_PLACEHOLDERS = ["name", "sourceClusterId", "targetClusterId"] as const;

export interface MilvusBackupCommands {
  /** Milvus Backup `create` on the backed-up cluster; must pass --backup_index_extra (zilliztech/milvus-backup#1167). */
  createCommand: string;
  /** Milvus Backup `restore secondary` into the standby (the backup in its own bucket on v0.5.16: zilliztech/milvus-backup#1166). */
  restoreSecondaryCommand: string;
}

/** The command line for one backup: the template with the backup's name and both cluster ids. */
export function milvusBackupCommand(
  template: string,
  v: { name: string; sourceClusterId: string; targetClusterId: string },
): string {
  return fillTemplate(template, { ...v });
}
