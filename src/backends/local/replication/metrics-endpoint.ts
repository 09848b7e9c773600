/**
 * The reference replicator's Prometheus endpoint: the same metric names Milvus serves, so the drill
 * scrapes the local backend exactly as it scrapes a real cluster (src/monitor/prom.ts).
 *
 * - `milvus_cdc_last_replicated_time_tick{channel_name, target_channel_name}` (seconds): CDC's
 *   `CDCLastReplicatedTimeTick` (pkg/metrics/cdc_metrics.go): the physical time of the last message the
 *   target confirmed on the channel, seeded from the target's checkpoint when a session starts (as
 *   milvus-io/milvus#51049 does), and advanced to now while the channel is idle and caught up (Milvus
 *   replicates idle time ticks, milvus-io/milvus#46574).
 * - `milvus_wal_last_confirmed_time_tick{channel_name}` (seconds): on Milvus the primary's streaming
 *   node serves it (`WALLastConfirmedTimeTick`, pkg/metrics/streaming_service_metrics.go) and its
 *   time-tick sync moves it every ~200 ms even when idle, so it reads now. The local WAL has no time-tick
 *   messages, so the replicator serves it as now.
 */
import { createServer, type Server } from "node:http";

export interface ChannelTick {
  source: string;
  target: string;
  /** Physical ms of the last replicated tick; undefined until known (no series, as on Milvus). */
  tickMs(now: number): number | undefined;
}

/** The text of one scrape. */
export function renderMetrics(channels: readonly ChannelTick[], now: number): string {
  const lines = [
    "# HELP milvus_cdc_last_replicated_time_tick Physical time (s) of the last time tick CDC replicated",
    "# TYPE milvus_cdc_last_replicated_time_tick gauge",
  ];
  for (const c of channels) {
    const t = c.tickMs(now);
    if (t === undefined) continue;
    lines.push(
      `milvus_cdc_last_replicated_time_tick{channel_name="${c.source}",target_channel_name="${c.target}"} ${(t / 1000).toFixed(3)}`,
    );
  }
  lines.push(
    "# HELP milvus_wal_last_confirmed_time_tick Current max confirmed time tick of wal (s)",
    "# TYPE milvus_wal_last_confirmed_time_tick gauge",
  );
  for (const c of channels)
    lines.push(`milvus_wal_last_confirmed_time_tick{channel_name="${c.source}"} ${(now / 1000).toFixed(3)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Serves GET /metrics on 127.0.0.1:port until the signal aborts. A port still held (a replicator being
 * retired, a killed one's socket) is retried every half second: the endpoint must not stop replication.
 */
export function serveMetrics(
  port: number,
  channels: readonly ChannelTick[],
  signal: AbortSignal,
  log: (m: string) => void,
): void {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || !req.url?.startsWith("/metrics")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(renderMetrics(channels, Date.now()));
  });
  let retry: NodeJS.Timeout | undefined;
  let logged = false;
  const listen = () => {
    if (signal.aborted) return;
    server.listen(port, "127.0.0.1");
  };
  server.on("error", (e: NodeJS.ErrnoException) => {
    if (!logged) log(`metrics endpoint 127.0.0.1:${port}: ${e.code ?? e.message}; retrying every 500 ms`);
    logged = true;
    retry = setTimeout(listen, 500);
    retry.unref();
  });
  server.on("listening", () => log(`metrics endpoint on http://127.0.0.1:${port}/metrics`));
  signal.addEventListener(
    "abort",
    () => {
      clearTimeout(retry);
      server.close();
      server.closeAllConnections();
    },
    { once: true },
  );
  server.unref();
  listen();
}
