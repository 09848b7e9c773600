/**
 * The null Milvus as a process of its own, so a bench's clock and CPU profile hold the client alone.
 * Prints `{"uri": ...}` once listening; on a line "stats" on stdin prints the rows acknowledged; exits
 * when stdin closes (the parent died or is done).
 */
import { createInterface } from "node:readline";
import { NullMilvus } from "./null-milvus.js";

const server = new NullMilvus();
await server.start();
console.log(JSON.stringify({ uri: server.uri }));
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "stats") console.log(JSON.stringify({ rows: server.rows }));
});
lines.on("close", () => {
  void server.stop().then(() => process.exit(0));
});
