/**
 * Sends a request the drill encoded itself (insert-encoder.ts) over the SDK client's own connection:
 * same channel, same auth and database headers (the SDK's interceptors add them), same deadline
 * semantics, so a raw write differs from `client.insert` only in who built the bytes.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { decodeResponse } from "../milvus/proto.js";

interface UnaryClient {
  makeUnaryRequest(
    path: string,
    serialize: (m: EncodedRequest) => Buffer,
    deserialize: (b: Buffer) => Buffer,
    argument: EncodedRequest,
    options: { deadline: Date },
    callback: (err: Error | null, res?: Buffer) => void,
  ): unknown;
}

/**
 * The SDK's retry interceptor JSON-stringifies every outgoing message for a debug line; a Buffer would
 * become an array of numbers (megabytes per request). toJSON keeps that line to a few bytes.
 */
class EncodedRequest {
  constructor(readonly bytes: Buffer) {}
  toJSON(): string {
    return `<${this.bytes.length} encoded bytes>`;
  }
}

export async function sendEncoded(
  client: MilvusClient,
  method: "Insert" | "Upsert",
  bytes: Buffer,
  timeoutMs: number,
): Promise<unknown> {
  const pool = client.channelPool;
  const grpcClient = (await pool.acquire()) as unknown as UnaryClient;
  try {
    const res = await new Promise<Buffer>((resolve, reject) => {
      grpcClient.makeUnaryRequest(
        `/milvus.proto.milvus.MilvusService/${method}`,
        (m) => m.bytes,
        (b) => b,
        new EncodedRequest(bytes),
        { deadline: new Date(Date.now() + (timeoutMs > 0 ? timeoutMs : 24 * 3600_000)) },
        (err, out) => (err ? reject(err) : resolve(out ?? Buffer.alloc(0))),
      );
    });
    return decodeResponse(method, res);
  } finally {
    await pool.release(grpcClient as never);
  }
}
