import { describe, expect, it } from "vitest";
import { renderMetrics, serveMetrics } from "../src/backends/local/replication/metrics-endpoint.js";
import { serveMetricsRelay } from "../src/backends/local/replication/metrics-relay.js";
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

describe("a star's metrics relay (one endpoint for every edge, as Milvus's one CDC node)", () => {
  const now = 1_700_000_010_000;
  it("serves every edge's series together, so each standby's lag reads from its own edge; an edge down fails the scrape", async () => {
    const stop = new AbortController();
    const [near, far] = [await freePort(), await freePort()];
    serveMetrics(
      near,
      [{ source: "p-dml_0", target: "near-dml_0", tickMs: () => now - 300 }],
      stop.signal,
      () => {},
    );
    serveMetrics(
      far,
      [{ source: "p-dml_0", target: "far-dml_0", tickMs: () => now - 9_000 }],
      stop.signal,
      () => {},
    );
    const edges = [near, far].map((p) => `http://127.0.0.1:${p}/metrics`);
    let up = edges;
    const relay = await serveMetricsRelay(0, () => up);
    try {
      let res: Response | undefined;
      for (let i = 0; i < 50 && res?.status !== 200; i++) {
        res = await fetch(relay.url);
        if (res.status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
      const samples = parsePromText(await (res as Response).text());
      // The WAL's confirmed tick reads now (the replicators serve it so), so each edge's lag is its own.
      const near9 = metricLag(samples, "near").lagMs ?? -1;
      const far9 = metricLag(samples, "far").lagMs ?? -1;
      expect(far9 - near9).toBeGreaterThan(8_000);
      expect(metricLag(samples).lagMs).toBe(far9);
      // An edge whose replicator does not answer fails the whole scrape, and none: no CDC runs.
      up = [...edges, `http://127.0.0.1:${await freePort()}/metrics`];
      expect((await fetch(relay.url)).status).toBe(503);
      up = [];
      const none = await fetch(relay.url);
      expect([none.status, await none.text()]).toEqual([503, "no CDC is running\n"]);
    } finally {
      stop.abort();
      await relay.close();
    }
  });
});
