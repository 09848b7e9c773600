import { streamHistory } from "../history/reader.js";
import { type HistoryIndex, HistoryIndexer } from "./history-index.js";

/**
 * Folds a saved history.jsonl into the checkers' index as it is read: the path `check` and `run` both
 * take, so the memory of a check grows with the keys and observations, never with the whole history.
 */
export async function indexHistoryFile(path: string): Promise<HistoryIndex> {
  const indexer = new HistoryIndexer();
  for await (const e of streamHistory(path)) indexer.add(e);
  return indexer.finish();
}
