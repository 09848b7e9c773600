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

/**
 * Yields entries as they are appended, polling every `pollMs` (fs.watch is unreliable for appends on
 * some filesystems, and a 10 ms read of zero bytes is cheap). Stops when `signal` aborts.
 */
export async function* tailWal(
  reader: WalReader,
  signal: AbortSignal,
  pollMs = 10,
): AsyncGenerator<WalEntry[], void, void> {
  while (!signal.aborted) {
    const batch = await reader.poll();
    if (batch.length > 0) {
      yield batch;
      continue;
    }
    try {
      await sleep(pollMs, undefined, { signal });
    } catch {
      return;
    }
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
