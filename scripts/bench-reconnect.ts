/**
 * How soon a drill client reaches a cluster again after it was down (a restart the nemesis made), with
 * the client factory's reconnect cap against grpc-js's own backoff (the baseline, measured in the same
 * run on the same machine):
 *
 *   time from the server listening again to the first call that is sent, after --down-s seconds of
 *   calls failing unsent, for --trials servers at once          target: the factory's worst <= 2.5 s
 *
 *   npx tsx scripts/bench-reconnect.ts [--down-s 20] [--trials 5] [--json]
 *
 * --json: the human lines on stderr, one JSON object on stdout (factoryWorstMs, baselineWorstMs and
 * every trial).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { MAX_RECONNECT_BACKOFF_MS, milvusClient } from "../src/milvus/client.js";
import { notSent } from "../src/milvus/status.js";
import { freePort } from "../src/util/net.js";

const { values } = parseArgs({
  options: {
    "down-s": { type: "string", default: "20" },
    trials: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
  },
});
const say = (line: string) => (values.json ? console.error(line) : console.log(line));
const downMs = Math.max(1, Number(values["down-s"]) || 20) * 1000;
const trials = Math.max(1, Number(values.trials) || 5);
const TARGET_MS = MAX_RECONNECT_BACKOFF_MS * 1.25;

/** A call that fails fast: the server has no Milvus service, so a sent call is answered UNIMPLEMENTED. */
const call = (c: MilvusClient) => c.query({ collection_name: "x", filter: "a > 0", timeout: 3_000 });

async function trial(kind: "factory" | "baseline"): Promise<number> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const client =
    kind === "factory"
      ? milvusClient({ uri: address }, { timeoutMs: 3_000 })
      : // grpc-js's defaults: the factory's client without its reconnect cap.
        new MilvusClient({
          address,
          timeout: 3_000,
          maxRetries: 0,
          logLevel: "error",
          channelOptions: { "grpc.use_local_subchannel_pool": 1 },
        });
  client.connectPromise.catch(() => {});
  const until = Date.now() + downMs;
  while (Date.now() < until) {
    await call(client).catch(() => {});
    await sleep(200);
  }
  const server = new grpc.Server();
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())),
  );
  const up = Date.now();
  for (;;) {
    const sent = await call(client).then(
      () => true,
      (e: unknown) => !notSent(e),
    );
    if (sent) break;
    await sleep(20);
  }
  const ms = Date.now() - up;
  await client.closeConnection().catch(() => {});
  server.forceShutdown();
  return ms;
}

say(`down ${downMs / 1000} s, ${trials} trial(s) of each client at once`);
const [factory, baseline] = await Promise.all([
  Promise.all(Array.from({ length: trials }, () => trial("factory"))),
  Promise.all(Array.from({ length: trials }, () => trial("baseline"))),
]);
const worst = (xs: number[]) => Math.max(...xs);
say(`factory (cap ${MAX_RECONNECT_BACKOFF_MS} ms): ${factory.join(", ")} ms; worst ${worst(factory)} ms`);
say(`baseline (grpc-js backoff): ${baseline.join(", ")} ms; worst ${worst(baseline)} ms`);
const ok = worst(factory) <= TARGET_MS;
say(`target: factory's worst <= ${TARGET_MS} ms: ${ok ? "met" : "NOT met"}`);
if (values.json)
  console.log(
    JSON.stringify({
      downMs,
      factory,
      baseline,
      factoryWorstMs: worst(factory),
      baselineWorstMs: worst(baseline),
    }),
  );
process.exitCode = ok ? 0 : 1;
