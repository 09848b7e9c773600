import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import type { HistoryEvent } from "./types.js";

/**
 * Appends events to history.jsonl as they happen (streaming: a crash still leaves a readable
 * history) and hands the same events to whoever listens (the live progress line).
 * The drill keeps the events in memory as well, because the checkers take the whole history.
 */
export class HistoryWriter {
  private readonly out: WriteStream;
  readonly events: HistoryEvent[] = [];
  private closed = false;

  constructor(
    readonly path: string,
    private readonly listener?: (e: HistoryEvent) => void,
  ) {
    this.out = createWriteStream(path, { flags: "w" });
  }

  append(event: HistoryEvent): void {
    if (this.closed) return;
    this.events.push(event);
    this.out.write(`${JSON.stringify(event)}\n`);
    this.listener?.(event);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.out.end();
    await once(this.out, "close");
  }
}
