import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { type MilvusEndpoint, milvusClient } from "../milvus/client.js";

export type Endpoint = MilvusEndpoint;

/**
 * A client for drill traffic. Retries are off: a write the SDK silently re-sends after a timeout could
 * be applied twice, and the history must know exactly what was asked for (a timeout is recorded as
 * `info` instead).
 */
export function connect(ep: Endpoint, opts: { timeoutMs?: number; retries?: number } = {}): MilvusClient {
  return milvusClient(ep, { timeoutMs: opts.timeoutMs ?? 30_000, retries: opts.retries ?? 0 });
}
