import { describe, expect, it } from "vitest";
import { renderMetrics, serveMetrics } from "../src/backends/local/replication/metrics-endpoint.js";
import { metricLag, parsePromText } from "../src/monitor/prom.js";
import { freePort } from "../src/util/net.js";

describe("the reference replicator's metrics endpoint", () => {
  const now = 1_700_000_010_000;
  const channels = [
    { source: "p-dml_0", target: "s-dml_0", tickMs: () => now - 4_000 },
    { source: "p-dml_1", target: "s-dml_1", tickMs: () => now - 250 },
    // Not known yet (before the first GetReplicateInfo): no series, as on Milvus.
    { source: "p-dml_2", target: "s-dml_2", tickMs: () => undefined },
  ];

  it("serves Milvus's metric names, so the drill reads the lag as the docs' query gives it", () => {
    const text = renderMetrics(channels, now);
    expect(text).toContain(
      'milvus_cdc_last_replicated_time_tick{channel_name="p-dml_0",target_channel_name="s-dml_0"}',
    );
    expect(text).toContain('milvus_wal_last_confirmed_time_tick{channel_name="p-dml_2"}');
    expect(text).not.toContain('milvus_cdc_last_replicated_time_tick{channel_name="p-dml_2"');
    expect(metricLag(parsePromText(text))).toEqual({ lagMs: 4_000, channels: 2 });
  });

  it("answers over HTTP and stops with its signal", async () => {
    const port = await freePort();
    const stop = new AbortController();
    serveMetrics(port, channels, stop.signal, () => {});
    let text = "";
    for (let i = 0; i < 50 && !text; i++) {
      text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => new Promise<string>((r) => setTimeout(() => r(""), 20)),
      );
    }
    expect(parsePromText(text).some((s) => s.name === "milvus_cdc_last_replicated_time_tick")).toBe(true);
    stop.abort();
  });
});
