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
export function connect(ep: Endpoint, opts: { timeoutMs?: number; retries?: number } = {}): MilvusClient {
  return new MilvusClient({
    address: sdkAddress(ep.uri),
    token: ep.token,
    timeout: opts.timeoutMs ?? 30_000,
    maxRetries: opts.retries ?? 0,
    logLevel: "error",
  });
}
