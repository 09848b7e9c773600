/**
 * A star's one metrics endpoint. Milvus runs one CDC node per primary for every edge, and it serves
 * every edge's `milvus_cdc_last_replicated_time_tick` (each series naming its target channel) on one
 * endpoint. The lab runs one replicator process per edge, each serving its own edge on its own port
 * (metrics-endpoint.ts); this relay answers a scrape with all of them together, as that one endpoint
 * would. A replicator that does not answer (killed, restarting) fails the whole scrape, as a scrape of
 * a CDC pod that is down fails: a scrape that saw part of the edges would read as "no lag" on the others.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** How long the relay waits for one edge's replicator. */
const EDGE_TIMEOUT_MS = 2_000;

export interface MetricsRelay {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics on 127.0.0.1:port (0: any free port): the text of every URL `edges()` gives at
 * the time of the scrape, one after the other. No edge (replication not configured): 503.
 */
export async function serveMetricsRelay(port: number, edges: () => string[]): Promise<MetricsRelay> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || !req.url?.startsWith("/metrics")) {
      res.writeHead(404).end();
      return;
    }
    const urls = edges();
    if (urls.length === 0) {
      res.writeHead(503, { "content-type": "text/plain" }).end("no CDC is running\n");
      return;
    }
    Promise.all(
      urls.map(async (u) => {
        const r = await fetch(u, { signal: AbortSignal.timeout(EDGE_TIMEOUT_MS) });
        if (r.status !== 200) throw new Error(`${u}: HTTP ${r.status}`);
        return r.text();
      }),
    ).then(
      (texts) => {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end(texts.map((t) => (t.endsWith("\n") || t === "" ? t : `${t}\n`)).join(""));
      },
      (e: unknown) => {
        res.writeHead(503, { "content-type": "text/plain" });
        res.end(`an edge's CDC did not answer: ${e instanceof Error ? (e.cause ?? e.message) : String(e)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.unref();
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
