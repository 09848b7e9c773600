import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { checkLagMetric } from "../src/checkers/lag-metric.js";
import type { Thresholds } from "../src/checkers/types.js";
import type { HistoryEvent } from "../src/history/types.js";
import { httpText, metricLag, parsePromText, scrapeSamples } from "../src/monitor/prom.js";

const T: Thresholds = {
  lagSloMs: 5_000,
  recoveryTimeoutMs: 30_000,
  catchUpTimeoutMs: 60_000,
  minRecall: 0.9,
  distanceEpsilon: 1e-4,
  rpoMs: 5_000,
  rtoMs: 30_000,
  lagMetricToleranceMs: 2_000,
  lagMetricGraceMs: 3_000,
};
const T0 = 1_700_000_000_000;

/**
 * A run sampled every 500 ms for `seconds`: trueLag(t) is the heartbeat lag at t (the standby shows the
 * heartbeat written trueLag ms ago), metric(t) what Milvus's metric says (undefined: scrape failed).
 */
function run(
  seconds: number,
  trueLag: (s: number) => number,
  metric: (s: number, trueMs: number) => number | null | undefined,
): HistoryEvent[] {
  const h: HistoryEvent[] = [];
  for (let i = 0; i <= seconds * 2; i++) {
    const s = i / 2;
    const t = T0 + i * 500;
    const lag = trueLag(s);
    h.push({
      type: "obs",
      kind: "heartbeat",
      side: "target",
      invokeTime: t - 5,
      time: t,
      hbSeq: i + 1,
      wallMs: t - lag,
    });
    const m = metric(s, lag);
    h.push({
      type: "obs",
      kind: "lag-metric",
      side: "target",
      invokeTime: t + 1,
      time: t + 3,
      ...(m === undefined
        ? { lagMs: null, channels: 0, error: "scrape http://x/metrics: no answer within 5000 ms" }
        : { lagMs: m, channels: m === null ? 0 : 4 }),
    });
  }
  return h;
}

const check = (h: HistoryEvent[]) => checkLagMetric(h, undefined, { thresholds: T });

describe("lag-metric", () => {
  it("passes when the metric follows the heartbeat, through a lag spike over the SLO", () => {
    const r = check(
      run(
        30,
        (s) => (s >= 10 && s < 20 ? 9_000 : 300),
        (_s, lag) => Math.max(0, lag - 200),
      ),
    );
    expect(r.verdict, r.summary).toBe("pass");
    expect(r.observed).toBeGreaterThan(50);
    expect(r.stats?.withinTolerance).toBe(r.stats?.paired);
  });

  it("fails with a missed alert when the metric reads ~0 while the true lag stays over the SLO (#51048)", () => {
    const r = check(
      run(
        30,
        (s) => (s >= 10 && s < 25 ? (s - 10) * 1_000 + 1_000 : 200),
        () => 0,
      ),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence.some((e) => e.kind === "missed alert")).toBe(true);
    expect(r.summary).toMatch(/missed alert/);
  });

  it("fails with a missed alert when the lag series vanishes while the backlog stays (absent series)", () => {
    const r = check(
      run(
        30,
        (s) => (s >= 10 ? 12_000 : 200),
        (s, lag) => (s >= 10 ? null : lag),
      ),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence.some((e) => e.kind === "missed alert")).toBe(true);
  });

  it("a short spike shorter than the grace period is no missed alert", () => {
    const r = check(
      run(
        30,
        (s) => (s >= 10 && s < 12 ? 9_000 : 200),
        (_s, lag) => (lag > 5_000 ? 0 : lag),
      ),
    );
    expect(r.evidence.filter((e) => e.kind === "missed alert")).toEqual([]);
  });

  it("fails with a false page when the metric reads over the SLO while the true lag is near zero (#50633)", () => {
    const r = check(
      run(
        30,
        () => 200,
        (s) => (s >= 5 && s < 15 ? 27_000 : 100),
      ),
    );
    expect(r.verdict).toBe("fail");
    expect(r.evidence.some((e) => e.kind === "false page")).toBe(true);
  });

  it("a high reading while the worst channel replays a fault's backlog is no false page; a low one still fails", () => {
    const withFault = (h: HistoryEvent[]): HistoryEvent[] => [
      { type: "fault", id: 1, name: "pause-cdc", phase: "start", time: T0 + 5_000 },
      { type: "fault", id: 1, name: "pause-cdc", phase: "end", time: T0 + 6_000 },
      ...h,
    ];
    const high = check(
      withFault(
        run(
          30,
          () => 200,
          (s) => (s >= 6 && s < 12 ? 9_000 : 100),
        ),
      ),
    );
    expect(high.verdict, high.summary).toBe("pass");
    // The same reading with no fault behind it pages falsely.
    expect(
      check(
        run(
          30,
          () => 200,
          (s) => (s >= 6 && s < 12 ? 9_000 : 100),
        ),
      ).verdict,
    ).toBe("fail");
    const low = check(
      withFault(
        run(
          30,
          (s) => (s >= 6 && s < 20 ? 12_000 : 200),
          () => 0,
        ),
      ),
    );
    expect(low.evidence.some((e) => e.kind === "missed alert")).toBe(true);
  });

  it("a reading still under the SLO right after the heal is not 'back': the backlog may still be growing (a partition's)", () => {
    // A 3 s partition: the true lag climbs to 3 s, the heartbeat's channel is back 4 s after the heal;
    // the worst channel, still reconnecting, climbs past the SLO and comes down 4 s after that.
    const partition: HistoryEvent[] = [
      { type: "fault", id: 1, name: "partition", phase: "start", time: T0 + 5_000 },
      { type: "fault", id: 1, name: "partition", phase: "end", time: T0 + 8_000 },
    ];
    const trueLag = (s: number) => (s >= 5 && s < 12 ? (s - 5) * 1_000 + 200 : 200);
    const metric = (s: number) => (s >= 5 && s < 16 ? (s - 5) * 1_000 + 100 : 100);
    const r = check([...partition, ...run(30, trueLag, metric)]);
    expect(r.verdict, r.summary).toBe("pass");
    // Long after the heartbeat recovered (past recoveryTimeoutMs), the same high reading pages falsely.
    const late = check([...partition, ...run(60, trueLag, (s) => (s >= 45 && s < 52 ? 9_000 : metric(s)))]);
    expect(late.evidence.some((e) => e.kind === "false page")).toBe(true);
  });

  /**
   * The writer's side too: a heartbeat written every 500 ms, acknowledged at once unless `down(s)` (the
   * primary is down: the write's outcome is unknown). The standby shows `shown(s)`, a heartbeat seq.
   */
  function withWriter(
    seconds: number,
    down: (s: number) => boolean,
    shown: (s: number, lastAcked: number) => number,
    metric: (s: number) => number,
  ): HistoryEvent[] {
    const h: HistoryEvent[] = [];
    const wall = new Map<number, number>();
    let lastAcked = 0;
    for (let i = 0; i <= seconds * 2; i++) {
      const s = i / 2;
      const t = T0 + i * 500;
      const seq = i + 1;
      wall.set(seq, t);
      const ok = !down(s);
      h.push({ type: "heartbeat", hbSeq: seq, wallMs: t, time: t + 2, outcome: ok ? "ok" : "info" });
      if (ok) lastAcked = seq;
      const see = shown(s, lastAcked);
      h.push({
        type: "obs",
        kind: "heartbeat",
        side: "target",
        invokeTime: t + 100,
        time: t + 105,
        hbSeq: see,
        wallMs: wall.get(see) ?? t,
      });
      h.push({
        type: "obs",
        kind: "lag-metric",
        side: "target",
        invokeTime: t + 110,
        time: t + 112,
        lagMs: metric(s),
        channels: 4,
      });
    }
    return h;
  }

  it("a primary that is down writes no heartbeat: the aging one it showed last is no lag, the metric's ~0 is right", () => {
    // restart-primary: 8 s without an acknowledged heartbeat; the standby holds everything acknowledged.
    const h = withWriter(
      20,
      (s) => s >= 5 && s < 13,
      (_s, lastAcked) => lastAcked,
      () => 3,
    );
    const r = check(h);
    expect(r.verdict, r.evidence.map((e) => e.message).join("; ")).toBe("pass");
  });

  it("with the writer's acknowledgements, a standby stuck behind them while the metric reads ~0 is still a missed alert", () => {
    // #51048 with the writer running: heartbeats acknowledged, none shown on the standby for 15 s.
    const h = withWriter(
      25,
      () => false,
      (s, lastAcked) => (s >= 5 && s < 20 ? 10 : lastAcked),
      () => 0,
    );
    const r = check(h);
    expect(r.verdict).toBe("fail");
    expect(r.evidence.map((e) => e.message).join("; ")).toMatch(/missed alert/);
  });

  it("a reading above the heartbeat but under the SLO while a fault's backlog replays is no disagreement", () => {
    // After a CDC kill the worst channel replays for 4 s (metric 4 s) while the heartbeat's channel is current.
    const h: HistoryEvent[] = [
      { type: "fault", id: 1, name: "kill-cdc", phase: "start", time: T0 + 4_000 },
      { type: "fault", id: 1, name: "kill-cdc", phase: "end", time: T0 + 4_500 },
      ...withWriter(
        20,
        () => false,
        (_s, lastAcked) => lastAcked,
        (s) => (s >= 5 && s < 10 ? 4_000 : 0),
      ),
    ];
    expect(check(h).verdict).toBe("pass");
    // The same reading with no fault behind it disagrees with the heartbeat for longer than the grace.
    const noFault = h.filter((e) => e.type !== "fault");
    const r = check(noFault);
    expect(r.verdict).toBe("fail");
    expect(r.evidence.map((e) => e.message).join("; ")).toMatch(/disagree/);
  });

  it("is unknown when no scrape answered", () => {
    const r = check(
      run(
        20,
        () => 200,
        () => undefined,
      ),
    );
    expect(r.verdict).toBe("unknown");
    expect(r.reason).toMatch(/every scrape .* failed/);
    expect(r.observed).toBe(0);
  });

  it("is unknown when there are no samples to compare (no heartbeat read)", () => {
    const h = run(
      20,
      () => 200,
      (_s, lag) => lag,
    ).filter((e) => !(e.type === "obs" && e.kind === "heartbeat"));
    const r = check(h);
    expect(r.verdict).toBe("unknown");
    expect(r.observed).toBe(0);
  });

  it("is skipped when the backend offered no metrics endpoint", () => {
    const h = run(
      20,
      () => 200,
      () => 0,
    ).filter((e) => !(e.type === "obs" && e.kind === "lag-metric"));
    expect(check(h).verdict).toBe("skipped");
  });
});

describe("Milvus's lag from Prometheus text", () => {
  const text = [
    "# HELP milvus_cdc_last_replicated_time_tick x",
    "# TYPE milvus_cdc_last_replicated_time_tick gauge",
    'milvus_cdc_last_replicated_time_tick{channel_name="a-dml_0",target_channel_name="b-dml_0"} 1700000000.5',
    'milvus_cdc_last_replicated_time_tick{channel_name="a-dml_1",target_channel_name="b-dml_1"} 1700000003',
    'milvus_wal_last_confirmed_time_tick{channel_name="a-dml_0",node_id="1"} 1700000004',
    'milvus_wal_last_confirmed_time_tick{channel_name="a-dml_1",node_id="1"} 1700000004',
    'milvus_wal_last_confirmed_time_tick{channel_name="a-dml_2",node_id="1"} 1700000004',
    'milvus_cdc_replicate_end_to_end_latency_bucket{le="+Inf"} 3',
  ].join("\n");

  it("gives the worst channel's (WAL confirmed - CDC replicated), as the docs' query", () => {
    expect(metricLag(parsePromText(text))).toEqual({ lagMs: 3_500, channels: 2 });
  });

  it("a star: each standby's lag from its own edge's series (target_channel_name names its cluster); without a target, the worst edge", () => {
    const star = [
      text,
      'milvus_cdc_last_replicated_time_tick{channel_name="a-dml_0",target_channel_name="far-dml_0"} 1699999990',
    ].join("\n");
    expect(metricLag(parsePromText(star), "b")).toEqual({ lagMs: 3_500, channels: 2 });
    expect(metricLag(parsePromText(star), "far")).toEqual({ lagMs: 14_000, channels: 1 });
    expect(metricLag(parsePromText(star))).toEqual({ lagMs: 14_000, channels: 2 });
    expect(metricLag(parsePromText(star), "nowhere")).toEqual({ lagMs: null, channels: 0 });
  });

  it("has no lag without the CDC series (a restarted CDC pod before #51049)", () => {
    const walOnly = text
      .split("\n")
      .filter((l) => !l.startsWith("milvus_cdc_last"))
      .join("\n");
    expect(metricLag(parsePromText(walOnly))).toEqual({ lagMs: null, channels: 0 });
  });

  it("refuses text that is not Prometheus exposition format", () => {
    expect(() => parsePromText("<html>login</html>")).toThrow(/not Prometheus text/);
  });

  it("combines endpoints (CDC pod and streaming node) in one scrape", async () => {
    const [cdc, wal] = [
      text
        .split("\n")
        .filter((l) => l.includes("cdc_last"))
        .join("\n"),
      text
        .split("\n")
        .filter((l) => l.includes("wal_last"))
        .join("\n"),
    ];
    const got = metricLag(
      await scrapeSamples(["http://cdc/metrics", "http://sn/metrics"], 100, async (u) =>
        u.includes("cdc") ? cdc : wal,
      ),
    );
    expect(got.lagMs).toBe(3_500);
  });

  it("sends a metrics URL's credentials as Basic auth and never names the password in an error", async () => {
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(seen.length === 1 ? 200 : 401).end("up 1\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      const url = `http://scraper:s3cr%40t@127.0.0.1:${port}/metrics`;
      expect(await httpText(url, 2_000)).toBe("up 1\n");
      expect(seen[0]).toBe(`Basic ${Buffer.from("scraper:s3cr@t").toString("base64")}`);
      const err = (await httpText(url, 2_000).catch((e: Error) => e)) as Error;
      expect(err.message).toBe(`scrape http://scraper:***@127.0.0.1:${port}/metrics: HTTP 401`);
    } finally {
      server.close();
    }
  });
});
