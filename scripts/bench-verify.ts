/**
 * Benchmark of verifyClusters against the floor it cannot beat: two bare SDK query-iterator scans of
 * the same data. Loads N rows x dim into two Milvus Lite servers, then prints both times, their
 * ratio, and the peak RSS of a verify run in its own process (so the loader's memory is not counted).
 *
 *   npx tsx scripts/bench-verify.ts [--rows 200000] [--dim 128] [--page N] [--repeat 3] [--version-field ver]
 *
 * --page defaults to what verify picks for this schema (pageSizeFor), and the bare scans use the same
 * batch size, so the ratio measures verify's own overhead. With --repeat, bare scans and verify runs
 * are interleaved and medians are reported (a shared machine's load moves single runs a lot).
 * verify runs as the `verify` command does by default; --version-field also keeps each key's version
 * (what the drill's final read does), which grows with the keys by design.
 * --json: the human lines go to stderr and one JSON object (the medians and the peak RSS) to stdout.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DataType, type MilvusClient } from "@zilliz/milvus2-sdk-node";
import { milvusClient } from "../src/milvus/client.js";
import { pageSizeFor } from "../src/verify/compare.js";
import { readMeta } from "../src/verify/meta.js";
import { verifyClusters } from "../src/verify/verify.js";
import { startTwoLites } from "../test/helpers/two-lites.js";

/** Milvus Lite refuses the SDK's 10 s pings during a long insert (see keepaliveMs in the client factory). */
const LITE_KEEPALIVE_MS = 300_000;

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "200000" },
    dim: { type: "string", default: "128" },
    page: { type: "string" },
    repeat: { type: "string", default: "1" },
    timeout: { type: "string", default: "600000" },
    child: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    source: { type: "string" },
    target: { type: "string" },
    "version-field": { type: "string" },
  },
});

function int(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`bench-verify: --${name} '${v}' is not allowed (expected a positive integer)`);
    process.exit(2);
  }
  return n;
}

const COLLECTION = "bench";
const rows = int("rows", values.rows);
const dim = int("dim", values.dim);
const repeat = int("repeat", values.repeat);
// Milvus Lite makes one pass over the whole collection per page: at 200k rows a page can take many
// seconds on a loaded machine, far over the SDK's 15 s default.
const timeoutMs = int("timeout", values.timeout);
let page = values.page === undefined ? 0 : int("page", values.page);

/** Child mode: one verify run, then report its own peak RSS (maxRSS is in KiB). */
async function child(): Promise<void> {
  const r = await verifyClusters({
    source: { uri: values.source as string },
    target: { uri: values.target as string },
    collections: [COLLECTION],
    // As `verify` runs by default; --version-field ver adds the per-key versions the drill's final
    // read keeps (one entry per key: memory then grows with the keys, by design).
    ...(values["version-field"] ? { versionField: values["version-field"] } : {}),
    searchQueries: 0,
    pageSize: page,
    timeoutMs,
  });
  const c = r.final.collections[0];
  const differences = (c?.onlySourceTotal ?? -1) + (c?.onlyTargetTotal ?? -1) + (c?.mismatchedTotal ?? -1);
  console.log(
    JSON.stringify({
      elapsedMs: r.elapsedMs,
      rowsCompared: r.rowsCompared,
      differences,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function load(client: MilvusClient, seed: number): Promise<void> {
  await client.createCollection({
    collection_name: COLLECTION,
    fields: [
      { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: "ver", data_type: DataType.Int64 },
      { name: "title", data_type: DataType.VarChar, max_length: 64 },
      { name: "vec", data_type: DataType.FloatVector, dim },
    ],
  });
  await client.createIndex({
    collection_name: COLLECTION,
    field_name: "vec",
    index_type: "FLAT",
    metric_type: "L2",
  });
  await client.loadCollection({ collection_name: COLLECTION });
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const batch = 5000;
  for (let start = 0; start < rows; start += batch) {
    const data = [];
    for (let pk = start; pk < Math.min(rows, start + batch); pk++) {
      data.push({ pk, ver: 1, title: `t${pk}`, vec: Array.from({ length: dim }, rnd) });
    }
    const res = await client.insert({ collection_name: COLLECTION, data });
    if (res.status.error_code !== "Success") throw new Error(`insert failed: ${res.status.reason}`);
  }
}

async function bareScan(uri: string): Promise<{ ms: number; rows: number }> {
  const client = milvusClient({ uri }, { timeoutMs, keepaliveMs: LITE_KEEPALIVE_MS });
  const t0 = performance.now();
  let n = 0;
  const it = await client.queryIterator({
    collection_name: COLLECTION,
    output_fields: ["*"],
    batchSize: page,
  });
  for await (const b of it) n += (b as unknown[]).length;
  const ms = performance.now() - t0;
  await client.closeConnection();
  return { ms, rows: n };
}

/** Human lines: stdout, or stderr under --json so stdout holds the one JSON object. */
const say = (line: string): void => {
  if (values.json) console.error(line);
  else console.log(line);
};

async function main(): Promise<void> {
  const lites = await startTwoLites();
  try {
    const src = milvusClient({ uri: lites.source.uri }, { timeoutMs, keepaliveMs: LITE_KEEPALIVE_MS });
    const tgt = milvusClient({ uri: lites.target.uri }, { timeoutMs, keepaliveMs: LITE_KEEPALIVE_MS });
    const t0 = performance.now();
    await Promise.all([load(src, 7), load(tgt, 7)]);
    say(
      `loaded ${rows} rows x ${dim}-d into both servers in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    if (page === 0) page = pageSizeFor(await readMeta(src, COLLECTION));
    await src.closeConnection();
    await tgt.closeConnection();

    const script = fileURLToPath(import.meta.url);
    const verifyOnce = () =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            script,
            "--child",
            "--source",
            lites.source.uri,
            "--target",
            lites.target.uri,
            "--rows",
            String(rows),
            "--dim",
            String(dim),
            "--page",
            String(page),
            "--timeout",
            String(timeoutMs),
            ...(values["version-field"] ? ["--version-field", values["version-field"]] : []),
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let text = "";
        p.stdout.on("data", (d: Buffer) => {
          text += d.toString();
        });
        p.once("error", reject);
        p.once("exit", (code) =>
          code === 0 ? resolve(text) : reject(new Error(`verify child exited ${code}`)),
        );
      });
    const bares: number[] = [];
    const parallel: number[] = [];
    const verifies: number[] = [];
    const rss: number[] = [];
    for (let r = 0; r < repeat; r++) {
      const a = await bareScan(lites.source.uri);
      const b = await bareScan(lites.target.uri);
      const bare = a.ms + b.ms;
      bares.push(bare);
      say(
        `[${r + 1}/${repeat}] bare query-iterator scans (SDK, batch ${page}): source ${a.ms.toFixed(0)} ms (${a.rows} rows) + target ${b.ms.toFixed(0)} ms (${b.rows} rows) = ${bare.toFixed(0)} ms`,
      );
      // Also both scans at once: verify reads both sides concurrently, so this is the stricter floor.
      const t0 = performance.now();
      await Promise.all([bareScan(lites.source.uri), bareScan(lites.target.uri)]);
      const both = performance.now() - t0;
      parallel.push(both);
      say(`[${r + 1}/${repeat}] the same two scans run concurrently: ${both.toFixed(0)} ms`);
      const line = (await verifyOnce()).trim().split("\n").pop() ?? "{}";
      const v = JSON.parse(line) as {
        elapsedMs: number;
        rowsCompared: number;
        differences: number;
        maxRssMiB: number;
      };
      verifies.push(v.elapsedMs);
      rss.push(v.maxRssMiB);
      say(
        `[${r + 1}/${repeat}] verifyClusters (page ${page}): ${v.elapsedMs} ms, ${v.rowsCompared} rows compared, ${v.differences} differences, peak RSS ${v.maxRssMiB.toFixed(0)} MiB`,
      );
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    say(
      `median: bare concurrent ${median(parallel).toFixed(0)} ms, ratio verify / concurrent ${(median(verifies) / median(parallel)).toFixed(2)}`,
    );
    say(
      `median: bare ${median(bares).toFixed(0)} ms, verify ${median(verifies).toFixed(0)} ms, ratio ${(median(verifies) / median(bares)).toFixed(2)} (target <= 1.25); max peak RSS ${Math.max(...rss).toFixed(0)} MiB (target <= 300)`,
    );
    if (values.json)
      console.log(
        JSON.stringify({
          rows,
          dim,
          page,
          verifyMs: Math.round(median(verifies)),
          bareMs: Math.round(median(bares)),
          bareConcurrentMs: Math.round(median(parallel)),
          ratio: Number((median(verifies) / median(bares)).toFixed(3)),
          ratioConcurrent: Number((median(verifies) / median(parallel)).toFixed(3)),
          peakRssMb: Math.round(Math.max(...rss)),
        }),
      );
  } finally {
    await lites.stop();
  }
}

if (values.child) await child();
else await main();
