import { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { startTestLab } from "./helpers/lab.js";

describe("local fronts with a token", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ token: "root:s3cret-token", pchannels: 1 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("serves a client sending the token and refuses one without it", async () => {
    const good = new MilvusClient({ address: lab.source.uri, token: "root:s3cret-token", logLevel: "error" });
    const bad = new MilvusClient({ address: lab.source.uri, token: "root:wrong", logLevel: "error" });
    // The SDK connects in its constructor: that attempt is refused too, and must not go unhandled.
    const connecting = (bad as unknown as { connectPromise?: Promise<unknown> }).connectPromise;
    await expect(connecting).rejects.toThrow(/UNAUTHENTICATED/);
    try {
      expect((await good.listCollections()).status.error_code).toBe("Success");
      await expect(bad.listCollections()).rejects.toThrow(/UNAUTHENTICATED|auth/i);
    } finally {
      await good.closeConnection();
      await bad.closeConnection();
    }
  });
});
