/**
 * The primary's write-ahead log: one JSON Lines file per pchannel, written by the source front and read by
 * the replicator. An entry's message id is the byte offset of its line. Each append is fsync'd before the
 * client is answered, so an acknowledged write is always in the log.
 */
import { mkdirSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";

export interface WalEntry {
  /** Hybrid timestamp (uint64, decimal string): (wallMs << 18) | logical. */
  tt: string;
  /** The MilvusService method the payload is a request of. */
  method: string;
  kind: "dml" | "ddl";
  db: string;
  collection: string;
  /** base64 of the protobuf-encoded request. */
  payload: string;
}

/** The WAL method of a configuration change a source announces to its targets (the request that made it). */
export const ANNOUNCE_METHOD = "UpdateReplicateConfiguration";

/**
 * The WAL method of a flush-all point: Milvus Backup's `create` calls FlushAll and keeps the message each
 * physical channel got as the backup's point on that channel; `restore secondary` forwards it last, so
 * the standby's checkpoint lands exactly there (zilliztech/milvus-backup core/restore/secondary/task.go
 * sendFlushAll).
 */
export const FLUSH_ALL_METHOD = "FlushAll";

export function walFile(walDir: string, pchannel: string): string {
  return join(walDir, `${pchannel}.log`);
}

/** One allocator per cluster: strictly increasing across all of its channels. */
export class TimeTickAllocator {
  private last = 0n;

  next(): bigint {
    const physical = BigInt(Date.now()) << 18n;
    this.last = physical > this.last ? physical : this.last + 1n;
    return this.last;
  }
}

export class WalWriter {
  private files = new Map<string, { fh: FileHandle; size: number }>();
  private closed = false;

  constructor(readonly walDir: string) {
    mkdirSync(walDir, { recursive: true });
  }

  /** Appends one entry and fsyncs it; returns its message id (the line's byte offset). */
  async append(pchannel: string, entry: WalEntry): Promise<string> {
    if (this.closed) throw new Error(`WAL ${this.walDir} is closed`);
    let f = this.files.get(pchannel);
    if (!f) {
      const fh = await open(walFile(this.walDir, pchannel), "a");
      f = { fh, size: (await fh.stat()).size };
      this.files.set(pchannel, f);
    }
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    const offset = f.size;
    // One write per line: a reader never sees half an entry followed by another entry.
    await f.fh.write(line, 0, line.length, null);
    await f.fh.datasync();
    f.size += line.length;
    return String(offset);
  }

  sizes(): Record<string, number> {
    return Object.fromEntries([...this.files].map(([k, v]) => [k, v.size]));
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => f.fh.close().catch(() => {})));
  }
}
