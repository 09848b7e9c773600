/** The one client factory: URI forms and the channel options every client gets. */
import { describe, expect, it } from "vitest";
import { MAX_RECONNECT_BACKOFF_MS, milvusClient, parseMilvusUri } from "../src/milvus/client.js";

describe("parseMilvusUri", () => {
  it.each([
    ["http://h:1", "h:1", false],
    ["https://h", "h:443", true],
    ["grpc://h:2/", "h:2", false],
    ["h", "h:19530", false],
  ])("%s -> %s (tls %s)", (uri, address, tls) => {
    expect(parseMilvusUri(uri)).toEqual({ address, tls });
  });
  it("refuses what is not an address, naming the forms allowed", () => {
    expect(() => parseMilvusUri("http://a b")).toThrow(
      /is not a Milvus address \(allowed: http:\/\/host:port/,
    );
  });
});

describe("channel options", () => {
  const opts = (c: ReturnType<typeof milvusClient>) =>
    (c as unknown as { channelOptions: Record<string, unknown> }).channelOptions;
  it("keeps the SDK's 10 s keepalive unless asked, a client's own subchannels, and reconnects within 2 s", async () => {
    const c = milvusClient({ uri: "127.0.0.1:1" });
    expect(opts(c)).toMatchObject({
      "grpc.keepalive_time_ms": 10_000,
      "grpc.use_local_subchannel_pool": 1,
      "grpc.max_reconnect_backoff_ms": MAX_RECONNECT_BACKOFF_MS,
    });
    await c.closeConnection();
  });
  it("takes a keepalive Milvus Lite's gRPC core server tolerates during a long call (5 min)", async () => {
    const c = milvusClient({ uri: "127.0.0.1:1" }, { keepaliveMs: 300_000 });
    expect(opts(c)["grpc.keepalive_time_ms"]).toBe(300_000);
    await c.closeConnection();
  });
});
