/**
 * The seeding faults: where the emulated `restore secondary` leaves the standby's checkpoint on a channel
 * instead of the backup's point. Milvus's maintainers warn that seeding a standby from a backup "can easily
 * lead to missing or duplicated incremental data" (milvus-io/milvus#49533); these plant exactly that:
 * - seed-gap: the checkpoint lands past the point (on the newest entry of the channel when the restore
 *   ends), so the writes in between are never replicated: the missing incremental data #49533 warns of,
 *   and what a restore that takes its checkpoint from a later message than the backup's FlushAll leaves;
 * - seed-overlap: it lands before the point (ahead of the last run of DML entries before it), so those
 *   writes are replayed once more by CDC on top of the backup: the duplicated incremental data #49533
 *   warns of (cf. zilliztech/milvus-backup#1176, a second restore into one standby).
 */
import type { WalEntry } from "../wal/wal-reader.js";
import type { LocalFaultMode } from "./fault-modes.js";

/** How many DML entries before the point seed-overlap replays at most. */
export const SEED_OVERLAP_ENTRIES = 40;

const DML = new Set(["Insert", "Upsert", "Delete"]);

/** A position to leave the checkpoint at, and whether the target must take it below its current one. */
export interface SeedCheckpoint {
  offset: number;
  tt: string;
  /** The checkpoint moves backwards: the target's time-tick dedup must not drop it. */
  backwards: boolean;
}

/**
 * Where the planted fault leaves the checkpoint of one channel, given the channel's WAL as it is now and
 * the backup's point (its FlushAll entry); undefined: at the point (no fault, or nothing to plant it on).
 */
export function seedCheckpoint(
  mode: LocalFaultMode,
  entries: readonly WalEntry[],
  point: { offset: number; tt: string },
): SeedCheckpoint | undefined {
  const at = entries.findIndex((e) => e.offset === point.offset && e.tt === point.tt);
  if (at < 0) return undefined;
  if (mode === "seed-gap") {
    const last = entries[entries.length - 1];
    return last && entries.length - 1 > at
      ? { offset: last.offset, tt: last.tt, backwards: false }
      : undefined;
  }
  if (mode === "seed-overlap") {
    // Only DML is replayed: DDL again (a collection created twice) would wedge the stream, not double rows.
    let first = at;
    while (
      first - 1 >= 0 &&
      at - (first - 1) <= SEED_OVERLAP_ENTRIES &&
      DML.has(entries[first - 1]?.method ?? "")
    )
      first -= 1;
    // The checkpoint sits on the entry before the run; a run from the log's first entry leaves that one out.
    const before = first > 0 ? entries[first - 1] : entries[first];
    if (!before || before.offset >= point.offset) return undefined;
    if (first === 0 && at - first < 2) return undefined;
    return { offset: before.offset, tt: before.tt, backwards: true };
  }
  return undefined;
}
