import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { ClusterEndpoint, ClusterPair } from "../backends/types.js";
import { connect } from "../client/connect.js";
import { HEARTBEAT_COLLECTION } from "../client/executor.js";
import { isSuccess } from "../client/outcome.js";
import { mixSeed, Rng } from "../generator/prng.js";
import { PK_FIELD, VER_FIELD } from "../generator/rows.js";
import type { WorkloadPlanner } from "../generator/workload.js";
import type { HistoryWriter } from "../history/writer.js";
import { getReplicateInfo } from "../milvus/replicate.js";
import { metricLag, type PromSample, parsePromText, scrapeSamples } from "./prom.js";

export interface MonitorOptions {
  heartbeatIntervalMs: number;
  probeIntervalMs: number;
  probeKeys: number;
  /** Deadline of one standby read: a stuck standby must not stall the monitor. */
  readTimeoutMs: number;
  /** Scrape Milvus's lag metrics this often (when the pair names metrics URLs); default: the heartbeat's. */
  lagMetricIntervalMs?: number;
  /** Stands in for the HTTP GET of a metrics endpoint (tests). */
  fetchText?: (url: string, timeoutMs: number) => Promise<string>;
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "error";
}

function statusText(
  status: { reason?: string; code?: number; error_code?: string | number } | undefined,
): string {
  return status?.reason || `status ${status?.code ?? status?.error_code ?? "missing"}`;
}

/** Runs fn every intervalMs (never overlapping itself) until stopped. */
class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  constructor(
    private readonly intervalMs: number,
    private readonly fn: () => Promise<void>,
  ) {}
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      const t0 = Date.now();
      this.running = this.fn().catch(() => {});
      await this.running;
      if (!this.stopped) this.timer = setTimeout(tick, Math.max(0, this.intervalMs - (Date.now() - t0)));
    };
    this.timer = setTimeout(tick, 0);
  }
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * The monitor role: writes the heartbeat on the source (pt-heartbeat), reads it back on the standby,
 * probes the standby for per-key versions, and samples the replication checkpoint around faults.
 * Everything it sees goes into the history; it decides nothing.
 */
export class Monitor {
  private readonly tickers: Ticker[] = [];
  private hbSeq = 0;
  lastLagMs: number | null = null;
  /** Told of every heartbeat lag sample (scenario capacity follows the lag trend of each step). */
  onLag?: (time: number, lagMs: number) => void;
  /** Newest heartbeat the standby has shown. */
  lastSeenHbSeq: number | null = null;
  private readonly rng: Rng;

  constructor(
    private readonly source: MilvusClient,
    private readonly target: MilvusClient,
    private readonly pair: ClusterPair,
    private readonly planner: WorkloadPlanner,
    private readonly history: HistoryWriter,
    private readonly opts: MonitorOptions,
    seed: number,
  ) {
    this.rng = new Rng(mixSeed(seed, 0x6d6f6e));
  }

  /** Last heartbeat sequence number written with an ok outcome. */
  lastWrittenHbSeq = 0;

  /** A star: a client per further standby, whose heartbeat is read beside the first's (closed by stop). */
  private extras: Array<{ clusterId: string; client: MilvusClient }> = [];

  start(): void {
    this.tickers.push(new Ticker(this.opts.heartbeatIntervalMs, () => this.writeHeartbeat()));
    this.tickers.push(
      new Ticker(this.opts.heartbeatIntervalMs, async () => {
        await this.readHeartbeat();
      }),
    );
    // A star: each further standby's heartbeat, its own series (obs with `cluster`) for its own lag.
    this.extras = (this.pair.extraStandbys ?? []).map((s) => ({
      clusterId: s.clusterId,
      client: connect(s, { timeoutMs: this.opts.readTimeoutMs }),
    }));
    for (const x of this.extras)
      this.tickers.push(
        new Ticker(this.opts.heartbeatIntervalMs, async () => {
          await this.readHeartbeatOn(x.client, x.clusterId);
        }),
      );
    this.tickers.push(new Ticker(this.opts.probeIntervalMs, () => this.probeKeys()));
    if (this.pair.metricsUrls?.length || this.pair.scrapeMetrics)
      this.tickers.push(
        new Ticker(
          Math.max(
            this.opts.lagMetricIntervalMs ?? this.opts.heartbeatIntervalMs,
            this.pair.metricsIntervalMs ?? 0,
          ),
          () => this.scrapeLagMetric(),
        ),
      );
    for (const t of this.tickers) t.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.tickers.map((t) => t.stop()));
    this.tickers.length = 0;
    const extras = this.extras;
    this.extras = [];
    await Promise.all(extras.map((x) => x.client.closeConnection().catch(() => {})));
  }

  async writeHeartbeat(): Promise<void> {
    const hbSeq = ++this.hbSeq;
    const wallMs = Date.now();
    let outcome: "ok" | "fail" | "info" = "ok";
    try {
      const res = await this.source.upsert({
        collection_name: HEARTBEAT_COLLECTION,
        data: [{ writer: 1, hb_seq: hbSeq, wall_ms: wallMs, v: [0, 0] }],
        timeout: this.opts.readTimeoutMs,
      });
      outcome = isSuccess(res) ? "ok" : "fail";
    } catch {
      outcome = "info";
    }
    if (outcome === "ok") this.lastWrittenHbSeq = hbSeq;
    this.history.append({ type: "heartbeat", hbSeq, wallMs, time: Date.now(), outcome });
  }

  /** Reads the newest heartbeat on the standby; records the read (or its failure). Returns whether it succeeded. */
  async readHeartbeat(): Promise<boolean> {
    return this.readHeartbeatOn(this.target);
  }

  /** The heartbeat read on one standby: the first (cluster absent) or a star's further one. */
  private async readHeartbeatOn(client: MilvusClient, cluster?: string): Promise<boolean> {
    const invokeTime = Date.now();
    let hbSeq: number | null = null;
    let wallMs: number | null = null;
    let error: string | undefined;
    try {
      const res = await client.query({
        collection_name: HEARTBEAT_COLLECTION,
        filter: "writer == 1",
        output_fields: ["hb_seq", "wall_ms"],
        consistency_level: "Eventually" as never,
        timeout: this.opts.readTimeoutMs,
      });
      if (!isSuccess(res)) error = statusText(res.status);
      const row = error === undefined ? res.data[0] : undefined;
      if (row) {
        hbSeq = Number(row.hb_seq);
        wallMs = Number(row.wall_ms);
      }
    } catch (e) {
      error = errorText(e);
    }
    const time = Date.now();
    if (wallMs !== null && cluster === undefined) {
      this.lastLagMs = time - wallMs;
      this.lastSeenHbSeq = hbSeq;
      this.onLag?.(time, Math.max(0, time - wallMs));
    }
    this.history.append({
      type: "obs",
      kind: "heartbeat",
      side: "target",
      ...(cluster !== undefined ? { cluster } : {}),
      invokeTime,
      time,
      hbSeq,
      wallMs,
      ...(error !== undefined ? { error } : {}),
    });
    return error === undefined;
  }

  /**
   * Scrapes Milvus's replication metrics once and records the lag they give (or why the scrape saw
   * nothing). The heartbeat is the truth; the lag-metric check judges this series against it.
   */
  async scrapeLagMetric(): Promise<void> {
    const urls = this.pair.metricsUrls ?? [];
    const scrape = this.pair.scrapeMetrics;
    if (urls.length === 0 && !scrape) return;
    const invokeTime = Date.now();
    let samples: PromSample[] | undefined;
    let error: string | undefined;
    try {
      samples = scrape
        ? (await scrape(this.opts.readTimeoutMs)).flatMap((t) => parsePromText(t))
        : await scrapeSamples(urls, this.opts.readTimeoutMs, this.opts.fetchText);
    } catch (e) {
      error = errorText(e);
    }
    const time = Date.now();
    // A star: one scrape, each standby's lag from its own edge's series (obs with `cluster` for the
    // further ones); a pair: every series, as the docs' query reads them.
    const star = this.extras.length > 0;
    const standbys = star
      ? [
          { clusterId: this.pair.target.clusterId, first: true },
          ...this.extras.map((x) => ({ clusterId: x.clusterId, first: false })),
        ]
      : [{ clusterId: undefined, first: true }];
    for (const s of standbys) {
      const sample = samples ? metricLag(samples, s.clusterId) : { lagMs: null, channels: 0, error };
      this.history.append({
        type: "obs",
        kind: "lag-metric",
        side: "target",
        ...(s.first ? {} : { cluster: s.clusterId }),
        invokeTime,
        time,
        ...sample,
      });
    }
  }

  /** Reads a sample of keys' versions on the standby (in a star, the same keys on every standby). */
  async probeKeys(): Promise<void> {
    for (const spec of this.planner.mainCollections) {
      const keys = this.planner.probeKeys(spec.name, this.opts.probeKeys, this.rng);
      if (keys.length === 0) continue;
      // A star: each further standby's reads are its own series (obs with `cluster`), for its own
      // monotonic-reads and prefix.
      await Promise.all([
        this.probeKeysOn(this.target, spec.name, keys),
        ...this.extras.map((x) => this.probeKeysOn(x.client, spec.name, keys, x.clusterId)),
      ]);
    }
  }

  private async probeKeysOn(
    client: MilvusClient,
    collection: string,
    keys: ReadonlyArray<number | string>,
    cluster?: string,
  ): Promise<void> {
    const invokeTime = Date.now();
    let observed: { reads: Array<{ pk: string; ver: number | null }>; error?: string };
    try {
      const res = await client.query({
        collection_name: collection,
        filter: `${PK_FIELD} in [${keys.join(",")}]`,
        output_fields: [PK_FIELD, VER_FIELD],
        consistency_level: "Eventually" as never,
        timeout: this.opts.readTimeoutMs,
      });
      if (!isSuccess(res)) throw new Error(statusText(res.status));
      const seen = new Map<string, number>();
      for (const row of res.data) {
        const pk = String(row[PK_FIELD]);
        // Two rows for one key would be a duplicate: keep the highest, the duplicates check owns the rest.
        seen.set(pk, Math.max(seen.get(pk) ?? 0, Number(row[VER_FIELD])));
      }
      observed = { reads: keys.map((k) => ({ pk: String(k), ver: seen.get(String(k)) ?? null })) };
    } catch (e) {
      // A failed read observes nothing, and is recorded so: checks that depend on it then say unknown.
      observed = { reads: [], error: errorText(e) };
    }
    this.history.append({
      type: "obs",
      kind: "keys",
      side: "target",
      ...(cluster !== undefined ? { cluster } : {}),
      collection,
      invokeTime,
      time: Date.now(),
      ...observed,
    });
  }

  /** Samples the standby's replication checkpoint on every channel (GetReplicateInfo), in parallel. */
  async sampleCheckpoints(faultId?: number): Promise<void> {
    const { source, target } = this.pair;
    const sample = (on: MilvusClient | ClusterEndpoint, pchannel: string, cluster?: string) => async () => {
      const invokeTime = Date.now();
      let s: { timeTick: string | null; messageId: string | null; error?: string };
      try {
        s = await getReplicateInfo(on, source.clusterId, pchannel, this.opts.readTimeoutMs);
      } catch (e) {
        s = { timeTick: null, messageId: null, error: e instanceof Error ? e.message : String(e) };
      }
      this.history.append({
        type: "obs",
        kind: "checkpoint",
        side: "target",
        ...(cluster !== undefined ? { cluster } : {}),
        invokeTime,
        time: Date.now(),
        pchannel,
        faultId,
        ...s,
      });
    };
    // A star: each further standby's checkpoints too, its own series (obs with `cluster`).
    const extras = this.pair.extraStandbys ?? [];
    await Promise.all([
      ...target.pchannels.map((p) => sample(this.target, p)()),
      ...extras.flatMap((s) => s.pchannels.map((p) => sample(s, p, s.clusterId)())),
    ]);
  }
}
