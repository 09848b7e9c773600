import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { LiveFacts } from "./live-facts.js";
import type { HistoryEvent } from "./types.js";

/**
 * Appends events to history.jsonl as they happen (streaming: a crash still leaves a readable
 * history) and hands the same events to whoever listens (the live progress line).
 * Nothing keeps the events: the drill's live roles read the few facts they need (`facts`), folded as
 * events are appended, and the checkers stream the file once it is flushed (indexHistoryFile), the
 * same path `check RUN_DIR` takes. A soak's memory does not grow with its history.
 */
export class HistoryWriter {
  private readonly out: WriteStream;
  readonly facts = new LiveFacts();
  private closed = false;

  constructor(
    readonly path: string,
    private readonly listener?: (e: HistoryEvent) => void,
  ) {
    this.out = createWriteStream(path, { flags: "w" });
  }

  append(event: HistoryEvent): void {
    if (this.closed) return;
    this.facts.add(event);
    this.out.write(`${JSON.stringify(event)}\n`);
    this.listener?.(event);
  }

  /** Resolves once every event appended so far is in the file (for a reader of history.jsonl). */
  async flush(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve, reject) => {
      this.out.write("", (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.out.end();
    await once(this.out, "close");
  }
}
