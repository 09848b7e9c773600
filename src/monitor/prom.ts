/**
 * Milvus's replication lag as its own metrics give it, from Prometheus text.
 *
 * Milvus has no lag gauge (an older `milvus_cdc_replicate_lag`, set only on success, read healthy while
 * replication hung and was removed: milvus-io/milvus#46116). Its documented CDC lag query subtracts two
 * gauges, both TSO physical time in seconds:
 *
 *   clamp_min(max by (channel_name)(milvus_wal_last_confirmed_time_tick)
 *           - min by (channel_name)(milvus_cdc_last_replicated_time_tick), 0)
 *
 * - `milvus_wal_last_confirmed_time_tick{channel_name}`: the primary's WAL (streaming node or
 *   standalone), `WALLastConfirmedTimeTick` in pkg/metrics/streaming_service_metrics.go.
 * - `milvus_cdc_last_replicated_time_tick{channel_name, target_channel_name}`: the CDC node,
 *   `CDCLastReplicatedTimeTick` in pkg/metrics/cdc_metrics.go, seeded from the resume checkpoint since
 *   milvus-io/milvus#51049 (before it a restarted CDC pod had no series and read ~0: #51048).
 *
 * This module computes exactly that, per channel, and reports the worst channel. Nothing here knows
 * which backend serves the text.
 */

export const WAL_CONFIRMED_TICK = "milvus_wal_last_confirmed_time_tick";
export const CDC_REPLICATED_TICK = "milvus_cdc_last_replicated_time_tick";

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/g;

function unescapeLabel(v: string): string {
  return v.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/**
 * Parses Prometheus text exposition format (version 0.0.4): comments skipped, one sample per line.
 * Throws on a line that is neither, naming it: a scrape that is not Prometheus text observed nothing.
 */
export function parsePromText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${JSON.stringify(line.slice(0, 80))}`);
    const labels: Record<string, string> = {};
    if (m[3]) for (const l of m[3].matchAll(LABEL)) labels[l[1] as string] = unescapeLabel(l[2] as string);
    const v = m[4] as string;
    const value =
      v === "+Inf" ? Number.POSITIVE_INFINITY : v === "-Inf" ? Number.NEGATIVE_INFINITY : Number(v);
    if (Number.isNaN(value) && v !== "NaN")
      throw new Error(`not Prometheus text: bad value in ${line.slice(0, 80)}`);
    out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** The source channel a sample is about (`channel_name`; older CDC builds said `source_channel_name`). */
function channelOf(s: PromSample): string | undefined {
  return s.labels.channel_name ?? s.labels.source_channel_name;
}

/**
 * The lag (ms) the docs' query gives, worst channel first, from samples of every scraped endpoint;
 * `lagMs` is null when no channel has both series (the alert then has nothing to fire on).
 *
 * `target`: one standby's lag (a star). The primary's CDC serves a series per edge, told apart by
 * `target_channel_name`, the target's physical channel, named after its cluster id (Milvus matches
 * channels to clusters by that substring, which is why no cluster id may contain another). Without
 * `target` every edge counts and the worst one wins, as the docs' query (min over targets) does.
 */
export function metricLag(
  samples: readonly PromSample[],
  target?: string,
): { lagMs: number | null; channels: number } {
  const wal = new Map<string, number>();
  const cdc = new Map<string, number>();
  for (const s of samples) {
    const ch = channelOf(s);
    if (ch === undefined || !Number.isFinite(s.value)) continue;
    if (s.name === WAL_CONFIRMED_TICK) wal.set(ch, Math.max(wal.get(ch) ?? s.value, s.value));
    else if (s.name === CDC_REPLICATED_TICK) {
      if (target !== undefined && !s.labels.target_channel_name?.includes(target)) continue;
      cdc.set(ch, Math.min(cdc.get(ch) ?? s.value, s.value));
    }
  }
  let worst: number | null = null;
  let channels = 0;
  for (const [ch, replicated] of cdc) {
    const confirmed = wal.get(ch);
    if (confirmed === undefined) continue;
    channels += 1;
    const lag = Math.max(0, Math.round((confirmed - replicated) * 1000));
    worst = worst === null ? lag : Math.max(worst, lag);
  }
  return { lagMs: worst, channels };
}

/**
 * One scrape of every URL, each within timeoutMs: their samples together, or the first failure.
 * fetchText is injectable so tests can stand in for an endpoint.
 */
export async function scrapeSamples(
  urls: readonly string[],
  timeoutMs: number,
  fetchText: (url: string, timeoutMs: number) => Promise<string> = httpText,
): Promise<PromSample[]> {
  const texts = await Promise.all(urls.map((u) => fetchText(u, timeoutMs)));
  return texts.flatMap((t) => parsePromText(t));
}

/** The URL as errors name it: a password in it (an existing cluster's metrics URL) masked. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.href;
  } catch {
    return url;
  }
}

/** GET url as text; an answer other than 200 or no answer within timeoutMs is an error naming the URL. */
export async function httpText(rawUrl: string, timeoutMs: number): Promise<string> {
  const url = shownUrl(rawUrl);
  let res: Response;
  try {
    // fetch refuses a URL with credentials: they go in a Basic Authorization header instead.
    const u = new URL(rawUrl);
    const headers: Record<string, string> = {};
    if (u.username || u.password) {
      const user = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      headers.authorization = `Basic ${Buffer.from(user).toString("base64")}`;
      u.username = "";
      u.password = "";
    }
    res = await fetch(u.href, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const why =
      e instanceof Error && e.name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : String((e as Error)?.cause ?? e);
    throw new Error(`scrape ${url}: ${why}`);
  }
  if (res.status !== 200) throw new Error(`scrape ${url}: HTTP ${res.status}`);
  return res.text();
}
