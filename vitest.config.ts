import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real Milvus Lite servers: give them room, and keep
    // the number of concurrent labs small so a 2-core CI machine is not swamped.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    globalSetup: ["test/global-setup.ts"],
  },
});
