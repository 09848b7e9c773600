/**
 * Throughput of the local reference replicator against the ceiling set by Milvus Lite itself.
 *
 *   npx tsx scripts/bench-replicator.ts [rows] [batch] [--json]
 *
 * 1. direct: `rows` rows inserted in batches of `batch` straight into a Milvus Lite server (no front,
 *    no WAL, no replication): what the standby's engine can absorb.
 * 2. replicated: the replicator is stopped (SIGSTOP), the same rows are written to the primary, then it
 *    is SIGKILLed and restarted at once; the time from the replacement reporting ready until the
 *    standby's checkpoint reaches the end of the primary's log is the catch-up time, and rows divided by
 *    it is the replication throughput. (Stopping first, rather than a restart delay, holds replication
 *    for exactly as long as the backlog takes to write, which on a busy machine is minutes.)
 * 3. alone: the same log replicated to an in-process standby that applies instantly (the replicator's
 *    own ceiling, without the standby front's per-message apply and durable checkpoint).
 * Prints the rates and the ratio replicated / direct. `rows 1` makes a backlog of `rows` messages.
 * --json: the human lines go to stderr and one JSON object to stdout.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType, type MilvusClient } from "@zilliz/milvus2-sdk-node";
import { startLab } from "../src/backends/local/lab.js";
import { ensureMilvusLite } from "../src/backends/local/processes/milvus-lite-install.js";
import { MilvusLiteProcess } from "../src/backends/local/processes/milvus-lite-process.js";
import { runReplicator } from "../src/backends/local/replication/replicator.js";
import { readWholeWal } from "../src/backends/local/wal/wal-reader.js";
import { milvusClient } from "../src/milvus/client.js";
import { clientFor, getReplicateInfo } from "../src/milvus/replicate.js";
import { FakeStandby } from "../test/helpers/fake-standby.js";

const DIM = 16;

function parseCount(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(
      `bench-replicator: ${name} = ${JSON.stringify(value)} is not allowed; expected an integer >= 1`,
    );
    process.exit(2);
  }
  return n;
}

const JSON_OUT = process.argv.includes("--json");
const positional = process.argv.slice(2).filter((a) => a !== "--json");
const ROWS = parseCount(positional[0], "rows", 10_000);
const BATCH = parseCount(positional[1], "batch", 100);
/** Human lines: stdout, or stderr under --json so stdout holds the one JSON object. */
const say = (line: string): void => {
  if (JSON_OUT) console.error(line);
  else console.log(line);
};
function rows(from: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    pk: from + i,
    ver: 1,
    vec: Array.from({ length: DIM }, (_, d) => ((from + i) * 13 + d) % 101),
  }));
}

async function createCollection(c: MilvusClient, name: string): Promise<void> {
  const check = (r: { error_code?: string | number; reason?: string }, what: string) => {
    if (r.error_code !== "Success") throw new Error(`${what} ${name}: ${r.error_code} ${r.reason}`);
  };
  check(
    await c.createCollection({
      collection_name: name,
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "ver", data_type: DataType.Int64 },
        { name: "vec", data_type: DataType.FloatVector, dim: DIM },
      ],
    }),
    "create",
  );
  check(
    await c.createIndex({ collection_name: name, field_name: "vec", index_type: "FLAT", metric_type: "L2" }),
    "index",
  );
  check(await c.loadCollection({ collection_name: name }), "load");
}

async function insertAll(c: MilvusClient, name: string): Promise<number> {
  const t0 = performance.now();
  for (let at = 0; at < ROWS; at += BATCH) {
    const r = await c.insert({ collection_name: name, data: rows(at, Math.min(BATCH, ROWS - at)) });
    if (r.status.error_code !== "Success") throw new Error(`insert into ${name}: ${r.status.reason}`);
  }
  return performance.now() - t0;
}

let figures: Record<string, unknown> = {};

async function main(): Promise<void> {
  const bin = await ensureMilvusLite((m) => say(m));

  // 1. Direct inserts into a Milvus Lite server of its own.
  const dir = await mkdtemp(join(tmpdir(), "bench-lite-"));
  const lite = await MilvusLiteProcess.start({
    bin,
    dataDir: join(dir, "data"),
    logFile: join(dir, "lite.log"),
  });
  let directMs: number;
  try {
    // Straight to Milvus Lite with long inserts: its 5-minute ping floor (see keepaliveMs).
    const c = milvusClient({ uri: lite.address }, { timeoutMs: 60_000, keepaliveMs: 300_000 });
    await createCollection(c, "direct");
    directMs = await insertAll(c, "direct");
    await c.closeConnection();
  } finally {
    await lite.stop();
    await rm(dir, { recursive: true, force: true });
  }

  // 2. The same rows through the primary's front, its WAL and the replicator, as a backlog.
  const lab = await startLab({ replicate: true, pchannels: 16, restartDelayMs: 0 });
  try {
    const p = clientFor(lab.source, 60_000);
    await createCollection(p, "bench");
    const ch = lab.source.pchannels;
    // One client for all polls: a MilvusClient per GetReplicateInfo call costs more CPU than the replication.
    const standby = clientFor(lab.target, 60_000);
    /** The last tt of each channel's log; taken once the writes are done, so polls only ask the standby. */
    const lastTts = async () =>
      Promise.all(
        ch.map(async (name) => (await readWholeWal(join(lab.dirs.source.wal, `${name}.log`))).at(-1)?.tt),
      );
    const waitCaughtUp = async (what: string, timeoutMs: number): Promise<number> => {
      const want = await lastTts();
      const end = Date.now() + timeoutMs;
      for (;;) {
        let behind = false;
        for (const [i, tt] of want.entries()) {
          if (tt === undefined) continue;
          const info = await getReplicateInfo(
            standby,
            lab.source.clusterId,
            lab.target.pchannels[i] as string,
            5000,
          );
          if (info.timeTick !== tt) {
            behind = true;
            break;
          }
        }
        if (!behind) return Date.now();
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await waitCaughtUp("the standby to replicate the collection's DDL", 60_000);
    const paused = lab.replicatorPid;
    if (paused === undefined) throw new Error("no replicator is running");
    process.kill(paused, "SIGSTOP");
    const primaryMs = await insertAll(p, "bench");
    // SIGKILL ends a stopped process too; the replacement starts from the standby's checkpoint.
    const { restartedAt } = await lab.killReplicator();
    const doneAt = await waitCaughtUp(`the standby to catch up on ${ROWS} rows`, 600_000);
    await p.closeConnection();
    await standby.closeConnection();
    const catchUpMs = doneAt - restartedAt;
    const rate = (ms: number) => ROWS / (ms / 1000);
    const direct = rate(directMs);
    const replicated = rate(catchUpMs);
    say(`rows ${ROWS}, batch ${BATCH}, dim ${DIM}, ${ch.length} pchannels`);
    say(`direct inserts into Milvus Lite:      ${direct.toFixed(0)} rows/s (${Math.round(directMs)} ms)`);
    say(
      `writes to the primary (front + WAL):  ${rate(primaryMs).toFixed(0)} rows/s (${Math.round(primaryMs)} ms)`,
    );
    say(
      `replication (catch-up after a kill):  ${replicated.toFixed(0)} rows/s (catch-up ${catchUpMs} ms from restart)`,
    );
    say(`ratio replicated / direct:            ${(replicated / direct).toFixed(2)} (target >= 0.9)`);
    figures = {
      rows: ROWS,
      batch: BATCH,
      directRowsPerS: Math.round(direct),
      primaryRowsPerS: Math.round(rate(primaryMs)),
      replicatedRowsPerS: Math.round(replicated),
      ratio: Number((replicated / direct).toFixed(3)),
    };

    // 3. The replicator alone: the same log replayed to a standby that applies instantly, which tells
    // the replicator's own cost apart from the standby front's (apply + durable checkpoint per message).
    const entries = (
      await Promise.all(ch.map((name) => readWholeWal(join(lab.dirs.source.wal, `${name}.log`))))
    ).flat().length;
    const fake = new FakeStandby({
      sourceClusterId: lab.source.clusterId,
      sourcePchannels: ch,
      targetPchannels: lab.target.pchannels,
    });
    await fake.start();
    const stop = new AbortController();
    try {
      const t0 = performance.now();
      const run = runReplicator(
        {
          walDir: lab.dirs.source.wal,
          source: { clusterId: lab.source.clusterId, pchannels: ch },
          target: { clusterId: lab.target.clusterId, uri: fake.uri, pchannels: lab.target.pchannels },
          faultMode: "none",
          faultEvery: 0,
          restartDelayMs: 0,
          logFile: join(lab.dirs.root, "bench-alone.log"),
        },
        { generation: 0, log: () => {}, signal: stop.signal },
      );
      const end = Date.now() + 120_000;
      while (fake.applied.length < entries) {
        if (Date.now() > end)
          throw new Error(`timed out waiting for ${entries} messages at an instant standby`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const aloneMs = performance.now() - t0;
      stop.abort();
      await run;
      say(
        `replicator alone (instant standby):   ${rate(aloneMs).toFixed(0)} rows/s (${entries} messages in ${Math.round(aloneMs)} ms)`,
      );
      figures.aloneRowsPerS = Math.round(rate(aloneMs));
    } finally {
      stop.abort();
      await fake.stop();
    }
  } finally {
    await lab.stop();
  }
}

main()
  .then(() => {
    if (JSON_OUT) console.log(JSON.stringify(figures));
  })
  .catch((e: unknown) => {
    console.error(`bench-replicator: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
