import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { HistoryEvent } from "./types.js";

/**
 * Streams a saved history.jsonl, one event at a time, in file order: nothing but the current line is
 * held, so a soak's history of millions of events is read in constant memory. A torn last line (the
 * run was killed mid-write) is ignored; a bad line anywhere else is an error naming it.
 */
export async function* streamHistory(path: string): AsyncGenerator<HistoryEvent> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let pending = false;
  for await (const line of lines) {
    lineNo++;
    if (pending) throw new Error(`${path}:${lineNo - 1}: not a JSON history event`);
    if (!line.trim()) continue;
    let event: HistoryEvent;
    try {
      event = JSON.parse(line) as HistoryEvent;
    } catch {
      pending = true;
      continue;
    }
    yield event;
  }
}

/** The whole history in memory (small histories and tests; the checkers stream it: indexHistoryFile). */
export async function readHistory(path: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const e of streamHistory(path)) events.push(e);
  return events;
}
