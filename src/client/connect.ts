import { MilvusClient } from "@zilliz/milvus2-sdk-node";

export interface Endpoint {
  uri: string;
  token?: string;
}

/** The SDK wants host:port (or an http(s) URL it parses itself); accept both forms users paste. */
export function sdkAddress(uri: string): string {
  return uri.replace(/^(grpc|tcp):\/\//, "").replace(/\/+$/, "");
}

/**
 * A client for drill traffic. Retries are off: a write the SDK silently re-sends after a timeout could
 * be applied twice, and the history must know exactly what was asked for (a timeout is recorded as
 * `info` instead).
 */
/**
 * Each client keeps its own gRPC connections. grpc-js otherwise shares one subchannel per address across
 * clients in the process, and a cluster lost and rebuilt at the same address would stay "unavailable" to
 * new clients until the old subchannel's reconnect backoff (up to minutes) expires.
 */
export const OWN_SUBCHANNELS = { "grpc.use_local_subchannel_pool": 1 } as const;

export function connect(ep: Endpoint, opts: { timeoutMs?: number; retries?: number } = {}): MilvusClient {
  const client = new MilvusClient({
    address: sdkAddress(ep.uri),
    token: ep.token,
    timeout: opts.timeoutMs ?? 30_000,
    maxRetries: opts.retries ?? 0,
    logLevel: "error",
    channelOptions: OWN_SUBCHANNELS,
  });
  // The constructor starts a handshake nobody awaits; when the cluster is gone (a failover drill loses
  // it on purpose) its failure resurfaces on the next call and must not crash the process meanwhile.
  client.connectPromise.catch(() => {});
  return client;
}
