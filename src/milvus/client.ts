/**
 * The one Milvus client factory: every SDK client the drill, replication setup and verify use comes
 * from here, so URI forms, TLS, tokens, retries and the connection handshake are handled one way.
 */
import { MilvusClient } from "@zilliz/milvus2-sdk-node";

export interface MilvusEndpoint {
  uri: string;
  token?: string;
  /** Database name (default: the server's default database). */
  db?: string;
}

export const MILVUS_URI_FORMS = "http://host:port, https://host:port, grpc://host:port, host:port";

/**
 * host:port and whether to use TLS, from the forms users paste: http(s)://h:p, grpc:// or tcp://h:p,
 * h:p, with or without a trailing slash. Without a port: 443 for https, else Milvus's 19530.
 */
export function parseMilvusUri(uri: string): { address: string; tls: boolean } {
  const m = /^(?:(https?|grpc|tcp):\/\/)?([^/\s]+)\/*$/.exec(uri.trim());
  if (!m?.[2]) throw new Error(`uri '${uri}' is not a Milvus address (allowed: ${MILVUS_URI_FORMS})`);
  const tls = m[1] === "https";
  const address = /:\d+$/.test(m[2]) ? m[2] : `${m[2]}:${tls ? 443 : 19530}`;
  return { address, tls };
}

export interface MilvusClientOptions {
  /** Per-request deadline in ms (default 30 s). */
  timeoutMs?: number;
  /**
   * How often the SDK silently re-sends a failed request (default 0). Keep 0 for drill writes: a write
   * re-sent after a timeout could be applied twice, and the history must know exactly what was asked.
   */
  retries?: number;
  /**
   * Interval of the HTTP/2 keepalive pings the SDK sends (its default: 10 s, even between calls).
   * Milvus Lite's gRPC core server allows a ping without data only every 5 minutes and sends GOAWAY
   * "too_many_pings" after two early ones (grpc/grpc doc/keepalive.md: GRPC_ARG_HTTP2_MIN_RECV_PING_
   * INTERVAL_WITHOUT_DATA_MS = 300000, GRPC_ARG_HTTP2_MAX_PING_STRIKES = 2): a large insert the server
   * takes longer than that to read fails with RESOURCE_EXHAUSTED. Clients that talk to Milvus Lite
   * directly for long calls set it to 300000.
   */
  keepaliveMs?: number;
}

/** The longest a client waits between tries to reconnect to a cluster (see milvusClient). */
export const MAX_RECONNECT_BACKOFF_MS = 2_000;

export function milvusClient(ep: MilvusEndpoint, o: MilvusClientOptions = {}): MilvusClient {
  const { address, tls } = parseMilvusUri(ep.uri);
  const client = new MilvusClient({
    address,
    ssl: tls,
    token: ep.token,
    ...(ep.db ? { database: ep.db } : {}),
    timeout: o.timeoutMs ?? 30_000,
    maxRetries: o.retries ?? 0,
    // The SDK logs every request at its default level; errors are reported by the caller, once.
    logLevel: "error",
    // Each client keeps its own connections. grpc-js otherwise shares one subchannel per address across
    // the process, and a cluster lost and rebuilt at the same address (a failover drill's way back)
    // stays unreachable to new clients until the dead subchannel's reconnect backoff expires.
    channelOptions: {
      "grpc.use_local_subchannel_pool": 1,
      // The drill restarts clusters on purpose. A client whose connection dropped retries it with
      // exponential backoff (grpc-js backoff-timeout.ts: from 1 s up to 120 s); until the next try
      // every call fails unsent ("No connection established") even though the server is back. Cap the
      // wait so a restarted cluster is reachable again within 2 s of listening.
      "grpc.max_reconnect_backoff_ms": MAX_RECONNECT_BACKOFF_MS,
      ...(o.keepaliveMs !== undefined ? { "grpc.keepalive_time_ms": o.keepaliveMs } : {}),
    },
  });
  // The constructor starts a handshake nobody awaits. If the server is gone (a cancelled drill tearing
  // down, an unreachable cluster) its failure resurfaces on the first real call, where it is handled;
  // it must not also kill the process as an unhandled rejection.
  client.connectPromise.catch(() => {});
  return client;
}
