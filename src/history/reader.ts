import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { HistoryEvent } from "./types.js";

/** Reads a saved history.jsonl line by line; a torn last line (the run was killed mid-write) is ignored. */
export async function readHistory(path: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let pending: string | null = null;
  for await (const line of lines) {
    lineNo++;
    if (pending !== null) throw new Error(`${path}:${lineNo - 1}: not a JSON history event`);
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as HistoryEvent);
    } catch {
      pending = line;
    }
  }
  return events;
}
