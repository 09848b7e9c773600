/**
 * Milvus's lag metric on kind, through the kubectl stand-in: the CDC and WAL pods found by label, their
 * metrics read through the API server's pod proxy, a replaced CDC pod found again, and the monitor
 * recording what the scrape gave (or why it saw nothing).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Kube } from "../src/backends/kind/kube.js";
import { METRICS_SELECTOR, podMetricsPath, podMetricsScraper } from "../src/backends/kind/metrics.js";
import type { ClusterPair } from "../src/backends/types.js";
import type { HistoryEvent } from "../src/history/types.js";
import type { HistoryWriter } from "../src/history/writer.js";
import { Monitor } from "../src/monitor/monitor.js";
import { metricLag, parsePromText } from "../src/monitor/prom.js";
import { podList, type Rule, standins } from "./stand-ins/harness.js";

const NS = "drills";
const WAL_S = 1_700_000_010;

/** A standalone pod's text: the WAL's confirmed tick (seconds) of each source channel. */
const walText = (tick: number) =>
  [0, 1]
    .map(
      (i) =>
        `milvus_wal_last_confirmed_time_tick{channel_name="alpha-rootcoord-dml_${i}",node_id="1"} ${tick}`,
    )
    .join("\n");
/** A CDC pod's text: its last replicated tick of each channel, `behind` seconds behind the WAL. */
const cdcText = (behind: number[]) =>
  `# HELP milvus_cdc_last_replicated_time_tick ...\n${behind
    .map(
      (b, i) =>
        `milvus_cdc_last_replicated_time_tick{channel_name="alpha-rootcoord-dml_${i}",target_channel_name="bravo-rootcoord-dml_${i}"} ${WAL_S - b}`,
    )
    .join("\n")}\n`;

const raw = (pod: string) => `^get --raw ${podMetricsPath(NS, pod).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function kube(rules: Rule[]) {
  const env = standins();
  env.setRules(rules);
  cleanups.push(() => env.cleanup());
  const k: Kube = {
    runner: env.runner,
    kubectl: "kubectl",
    baseArgs: ["--context", "kind-drill-test"],
    callTimeoutMs: 5_000,
  };
  return { env, k };
}

describe("Milvus's metrics on kind (stand-in kubectl)", () => {
  it("reads every ready CDC and WAL pod by label through the pod proxy; the docs' query gives the lag", async () => {
    const { env, k } = kube([
      {
        tool: "kubectl",
        match: "^get pods -n drills -l app.kubernetes.io/name=milvus,",
        respond: [
          {
            stdout: podList([
              { name: "alpha-milvus-standalone-0", ready: true },
              { name: "alpha-milvus-cdc-7f-x", ready: true },
              { name: "bravo-milvus-standalone-0", ready: true },
              // Not ready, or going away: not read (a killed CDC pod's last series would lie).
              { name: "alpha-milvus-cdc-7f-old", ready: true, deleting: true },
              { name: "alpha-milvus-cdc-7f-new", ready: false },
            ]),
          },
        ],
      },
      { tool: "kubectl", match: raw("alpha-milvus-standalone-0"), respond: [{ stdout: walText(WAL_S) }] },
      { tool: "kubectl", match: raw("alpha-milvus-cdc-7f-x"), respond: [{ stdout: cdcText([4, 1]) }] },
      { tool: "kubectl", match: raw("bravo-milvus-standalone-0"), respond: [{ stdout: "" }] },
    ]);
    const texts = await podMetricsScraper(k, NS)(2_000);
    expect(metricLag(texts.flatMap((t) => parsePromText(t)))).toEqual({ lagMs: 4_000, channels: 2 });
    const calls = env.calls();
    expect(calls[0]?.args).toEqual(["get", "pods", "-n", NS, "-l", METRICS_SELECTOR, "-o", "json"]);
    expect(
      calls
        .map((c) => c.args.join(" "))
        .filter((a) => a.startsWith("get --raw"))
        .sort(),
    ).toEqual(
      ["alpha-milvus-cdc-7f-x", "alpha-milvus-standalone-0", "bravo-milvus-standalone-0"]
        .map((p) => `get --raw /api/v1/namespaces/drills/pods/${p}:9091/proxy/metrics`)
        .sort(),
    );
    // Every call names the drill's own context.
    for (const c of calls) expect(c.access).toEqual({ context: "kind-drill-test" });
  });

  it("after a CDC kill the old pod's read fails once, then the replacement is found by label", async () => {
    const { env, k } = kube([
      {
        tool: "kubectl",
        match: "^get pods -n drills",
        respond: [
          {
            stdout: podList([
              { name: "wal", ready: true },
              { name: "cdc-old", ready: true },
            ]),
          },
          {
            stdout: podList([
              { name: "wal", ready: true },
              { name: "cdc-new", ready: true },
            ]),
          },
        ],
      },
      { tool: "kubectl", match: raw("wal"), respond: [{ stdout: walText(WAL_S) }] },
      {
        tool: "kubectl",
        match: raw("cdc-old"),
        respond: [
          { stdout: cdcText([0, 0]) },
          { code: 1, stderr: 'Error from server (NotFound): pods "cdc-old" not found' },
        ],
      },
      // #51048: the new pod has no series yet.
      { tool: "kubectl", match: raw("cdc-new"), respond: [{ stdout: "" }] },
    ]);
    const scrape = podMetricsScraper(k, NS, { refreshMs: 60_000 });
    const lag = async () => metricLag((await scrape(2_000)).flatMap((t) => parsePromText(t)));
    expect(await lag()).toEqual({ lagMs: 0, channels: 2 });
    await expect(scrape(2_000)).rejects.toThrow(/cdc-old/);
    expect(await lag()).toEqual({ lagMs: null, channels: 0 });
    expect(env.calls().filter((c) => c.args[1] === "pods")).toHaveLength(2);
  });

  it("says so when no Milvus pod is ready", async () => {
    const { k } = kube([
      {
        tool: "kubectl",
        match: "^get pods",
        respond: [{ stdout: podList([{ name: "cdc", ready: false }]) }],
      },
    ]);
    await expect(podMetricsScraper(k, NS)(2_000)).rejects.toThrow(
      `no ready Milvus pod labelled ${METRICS_SELECTOR} in namespace drills`,
    );
  });

  it("the monitor records what a backend's own scrape gave, and a failed scrape as an error", async () => {
    const events: HistoryEvent[] = [];
    let fail = false;
    const pair = {
      source: {},
      target: {},
      scrapeMetrics: async () => {
        if (fail) throw new Error("metrics of cdc-old: NotFound");
        return [walText(WAL_S), cdcText([2, 1])];
      },
      metricsIntervalMs: 1_000,
    } as unknown as ClusterPair;
    const mon = new Monitor(
      {} as never,
      {} as never,
      pair,
      {} as never,
      { append: (e: HistoryEvent) => events.push(e) } as unknown as HistoryWriter,
      { heartbeatIntervalMs: 200, probeIntervalMs: 250, probeKeys: 1, readTimeoutMs: 1_000 },
      1,
    );
    await mon.scrapeLagMetric();
    fail = true;
    await mon.scrapeLagMetric();
    expect(events).toMatchObject([
      { type: "obs", kind: "lag-metric", lagMs: 2_000, channels: 2 },
      { type: "obs", kind: "lag-metric", lagMs: null, channels: 0, error: "metrics of cdc-old: NotFound" },
    ]);
  });
});
