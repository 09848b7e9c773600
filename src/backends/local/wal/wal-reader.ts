import { type FSWatcher, watch } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** One line of a primary pchannel log (the source front writes these; see the local backend contract). */
export interface WalEntry {
  /** Byte offset of the first byte of the line: the entry's message id. */
  offset: number;
  /** Hybrid timestamp as written (decimal string), and parsed for comparisons. */
  tt: string;
  ttNum: bigint;
  method: string;
  kind: "dml" | "ddl";
  db: string;
  collection: string;
  /** Base64 of the protobuf-encoded MilvusService request. Decoded only when sent. */
  payload: string;
}

export class WalFormatError extends Error {
  override name = "WalFormatError";
}

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;

/** Parses one complete line; `where` names the file and offset so a bad line can be found. */
export function parseWalLine(line: string, offset: number, where: string): WalEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new WalFormatError(`${where} offset ${offset}: not JSON: ${line.slice(0, 80)}`);
  }
  const r = raw as Record<string, unknown>;
  const str = (k: string): string => {
    const v = r[k];
    if (typeof v !== "string")
      throw new WalFormatError(
        `${where} offset ${offset}: field "${k}" is ${JSON.stringify(v)}, expected a string`,
      );
    return v;
  };
  const tt = str("tt");
  if (!/^\d+$/.test(tt))
    throw new WalFormatError(`${where} offset ${offset}: tt "${tt}" is not a decimal uint64`);
  const kind = str("kind");
  if (kind !== "dml" && kind !== "ddl")
    throw new WalFormatError(`${where} offset ${offset}: kind "${kind}" is not one of dml, ddl`);
  return {
    offset,
    tt,
    ttNum: BigInt(tt),
    method: str("method"),
    kind,
    db: str("db"),
    collection: typeof r.collection === "string" ? r.collection : "",
    payload: str("payload"),
  };
}

/**
 * Incremental reader of one pchannel log. It remembers its byte position and any partial trailing
 * line, so each poll reads only bytes appended since the last one: a 10k-entry log is read once,
 * not once per poll.
 */
export class WalReader {
  private fh: FileHandle | undefined;
  /** Offset of the next unconsumed entry. */
  private pos: number;
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  constructor(
    readonly file: string,
    fromOffset = 0,
  ) {
    this.pos = fromOffset;
  }

  /** Offset of the next entry this reader will return. */
  get position(): number {
    return this.pos;
  }

  /**
   * Returns the complete entries appended since the last call (at most `max`), or [] if none.
   * Only bytes past the last complete line are read again (an incomplete trailing line is re-read
   * until its "\n" arrives). A missing file is an empty log: the source front creates it on its first write.
   */
  async poll(max = 1024): Promise<WalEntry[]> {
    if (!this.fh) {
      try {
        this.fh = await open(this.file, "r");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
    }
    const out: WalEntry[] = [];
    // Bytes from this.pos that do not yet hold a whole line (a line longer than one chunk).
    let pending: Buffer | undefined;
    let readPos = this.pos;
    while (out.length < max) {
      const { bytesRead } = await this.fh.read(this.buf, 0, CHUNK, readPos);
      if (bytesRead === 0) break;
      readPos += bytesRead;
      const fresh = this.buf.subarray(0, bytesRead);
      const data = pending ? Buffer.concat([pending, fresh]) : fresh;
      let start = 0;
      while (out.length < max) {
        const nl = data.indexOf(NEWLINE, start);
        if (nl < 0) break;
        if (nl > start) out.push(parseWalLine(data.toString("utf8", start, nl), this.pos + start, this.file));
        start = nl + 1;
      }
      this.pos += start;
      if (out.length >= max || bytesRead < CHUNK) break;
      // Copy: `buf` is overwritten by the next read.
      pending = Buffer.from(data.subarray(start));
    }
    return out;
  }

  /** Byte length of the log right now (the head a skip-on-restart jumps to), rounded down to a line end. */
  async headOffset(): Promise<number> {
    const r = new WalReader(this.file, this.position);
    let last = this.position;
    for (;;) {
      const batch = await r.poll(4096);
      if (batch.length === 0) break;
      last = r.position;
    }
    await r.close();
    return last;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => {});
  }
}

/** Reads a whole log once (for tests, diagnostics and replay faults). */
export async function readWholeWal(file: string): Promise<WalEntry[]> {
  const r = new WalReader(file, 0);
  const all: WalEntry[] = [];
  try {
    for (;;) {
      const batch = await r.poll(4096);
      if (batch.length === 0) break;
      all.push(...batch);
    }
  } finally {
    await r.close();
  }
  return all;
}

/**
 * Wakes channel readers when their log file changes (inotify through fs.watch), so an idle replicator
 * costs next to nothing and a new entry is read at once. Events can be missed (the directory does not
 * exist yet, a filesystem without notifications), so every wait also ends after a fallback poll interval.
 */
export class WalDirWatcher {
  private watcher: FSWatcher | undefined;
  private lastAttempt = 0;
  private readonly versions = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(readonly dir: string) {
    this.ensure();
  }

  /** Whether notifications are active (else callers rely on the fallback interval alone). */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  private ensure(): void {
    if (this.watcher || this.closed || Date.now() - this.lastAttempt < 1000) return;
    this.lastAttempt = Date.now();
    try {
      const w = watch(this.dir, { persistent: false });
      w.on("change", (_event, name) => this.bump(name ? String(name) : undefined));
      w.on("error", () => {
        w.close();
        if (this.watcher === w) this.watcher = undefined;
        this.bump(undefined);
      });
      this.watcher = w;
    } catch {
      // No directory yet (the source front creates it on its first write): retried on a later wait.
    }
  }

  private bump(name: string | undefined): void {
    const names = name === undefined ? [...this.waiters.keys()] : [name];
    for (const n of names) {
      this.versions.set(n, (this.versions.get(n) ?? 0) + 1);
      const ws = this.waiters.get(n);
      if (!ws) continue;
      this.waiters.delete(n);
      for (const w of ws) w();
    }
  }

  /** A number that grows whenever `file` (a base name in dir) may have changed. Read it before polling. */
  version(file: string): number {
    return this.versions.get(file) ?? 0;
  }

  /** Resolves when `file` changed after `since` was read, after `fallbackMs`, or on abort. */
  async wait(file: string, since: number, fallbackMs: number, signal: AbortSignal): Promise<void> {
    this.ensure();
    if (this.version(file) !== since || signal.aborted) return;
    let wake!: () => void;
    const changed = new Promise<void>((r) => {
      wake = r;
    });
    let set = this.waiters.get(file);
    if (!set) {
      set = new Set();
      this.waiters.set(file, set);
    }
    set.add(wake);
    try {
      await Promise.race([changed, sleep(fallbackMs, undefined, { signal }).catch(() => {})]);
    } finally {
      this.waiters.get(file)?.delete(wake);
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    this.bump(undefined);
  }
}
