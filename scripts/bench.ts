/**
 * `npm run bench`: the drill's speed and memory targets, each measured against a baseline taken in the
 * same run on the same machine (ratios, not absolute times, so a busy machine moves both sides):
 *
 *   1. harness workload rate / bare SDK insert loop (same batch size, same cluster)   target >= 0.9
 *   2. verify time / two bare query-iterator scans of the same data                    target <= 1.25
 *   3. peak RSS of verify at --rows x --dim                                             target <= 300 MB
 *   4. smoke drill wall time                                                            target <= 60 s
 *
 *   npx tsx scripts/bench.ts [--rows 200000] [--dim 128] [--batches 60] [--repeat 3] [--skip verify,smoke]
 *
 * 2 and 3 come from scripts/bench-verify.ts (run as a child, its lines passed through).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { startLab } from "../src/backends/local/lab.js";
import { connect } from "../src/client/connect.js";
import { DrillExecutor } from "../src/client/executor.js";
import { loadConfig } from "../src/config/load.js";
import { WorkloadRunner } from "../src/drill/workload.js";
import { collectionFields, RowFactory } from "../src/generator/rows.js";
import { WorkloadPlanner } from "../src/generator/workload.js";
import { HistoryWriter } from "../src/history/writer.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "200000" },
    dim: { type: "string", default: "128" },
    batches: { type: "string", default: "60" },
    repeat: { type: "string", default: "3" },
    skip: { type: "string", default: "" },
  },
});
const positive = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`bench: --${name} '${v}' is not allowed (expected a positive integer)`);
    process.exit(2);
  }
  return n;
};
const rows = positive("rows", values.rows);
const dim = positive("dim", values.dim);
const batches = positive("batches", values.batches);
const repeat = positive("repeat", values.repeat);
const skip = new Set((values.skip ?? "").split(",").filter(Boolean));
const root = fileURLToPath(new URL("..", import.meta.url));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** 1. Harness vs bare: the same number of insert batches into a fresh collection each, alternating. */
async function harnessVersusBare(): Promise<void> {
  const config = loadConfig({
    profile: "smoke",
    overrides: {
      seed: 1,
      workload: {
        collections: [
          {
            name: "bench",
            dim: 32,
            vectorType: "float",
            index: "FLAT",
            metric: "L2",
            dynamicField: true,
            partitions: 1,
            autoId: false,
          },
        ],
        mix: { insert: 1, upsert: 0, delete: 0, reinsert: 0, ddl: 0 },
        keySpace: 10_000_000,
        hotKeyUpserts: 0,
        chainLength: 0,
        concurrency: 1,
        targetRate: 0,
        ops: batches,
      },
    },
  });
  const spec = config.workload.collections[0];
  if (!spec) throw new Error("no collection");
  const batch = config.workload.batchSize;
  const lab = await startLab({ pchannels: 4 });
  const dir = await mkdtemp(join(tmpdir(), "bench-"));
  const client: MilvusClient = connect(lab.source);
  try {
    const harness: number[] = [];
    const bare: number[] = [];
    for (let r = 0; r < repeat; r++) {
      // bare: the SDK alone, inserting the very same rows, rendered before the clock starts (no faker,
      // no history, no model): the difference is what the harness costs.
      const bareName = `bare_${r}`;
      await client.createCollection({
        collection_name: bareName,
        fields: collectionFields(spec),
        enable_dynamic_field: true,
      });
      const factory = new RowFactory(config.seed, spec);
      const prepared = Array.from({ length: batches }, (_, b) =>
        Array.from({ length: batch }, (_, i) => factory.row(b * batch + i + 1, 1)),
      );
      let t0 = performance.now();
      for (const data of prepared) {
        const res = await client.insert({ collection_name: bareName, data });
        if (res.status.error_code !== "Success") throw new Error(`bare insert failed: ${res.status.reason}`);
      }
      bare.push((batches * batch) / ((performance.now() - t0) / 1000));

      // harness: planner + faker rows + executor + history, exactly as a drill runs its workers
      const name = `harness_${r}`;
      const cfg = { ...config.workload, collections: [{ ...spec, name }] };
      const planner = new WorkloadPlanner(config.seed, cfg, 1);
      const exec = new DrillExecutor(client, new Map([[name, { ...spec, name }]]), 30_000);
      const history = new HistoryWriter(join(dir, `history-${r}.jsonl`));
      const runner = new WorkloadRunner(planner, exec, history, {
        ops: batches,
        durationMs: null,
        targetRate: 0,
        concurrency: 1,
      });
      const created = await exec.ddl({ f: "ddl", action: "create-collection", collection: name, detail: {} });
      if (created.type !== "ok") throw new Error(`create ${name}: ${created.error}`);
      t0 = performance.now();
      await runner.runWorkload();
      const took = (performance.now() - t0) / 1000;
      await history.close();
      if (runner.outcomes.ok !== batches)
        throw new Error(`harness: ${JSON.stringify(runner.outcomes)} of ${batches} ops`);
      harness.push((batches * batch) / took);
    }
    const h = median(harness);
    const b = median(bare);
    console.log(
      `harness workload:   ${h.toFixed(0)} rows/s (median of ${repeat}: ${harness.map((x) => x.toFixed(0)).join(", ")})`,
    );
    console.log(
      `bare SDK loop:      ${b.toFixed(0)} rows/s (median of ${repeat}: ${bare.map((x) => x.toFixed(0)).join(", ")})`,
    );
    console.log(
      `ratio harness/bare: ${(h / b).toFixed(2)} (target >= 0.9; batch ${batch}, dim ${spec.dim}, ${batches} batches, through the local front)`,
    );
  } finally {
    client.closeConnection();
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function runChild(cmd: string, args: string[]): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) => resolve({ code, ms: performance.now() - t0 }));
  });
}

async function main(): Promise<void> {
  console.log(`== 1. harness workload rate vs bare SDK insert loop`);
  await harnessVersusBare();
  if (!skip.has("verify")) {
    console.log(
      `\n== 2-3. verify vs two bare query-iterator scans; peak RSS of verify (${rows} rows x ${dim}-d)`,
    );
    const r = await runChild(process.execPath, [
      "--import",
      "tsx",
      "scripts/bench-verify.ts",
      "--rows",
      String(rows),
      "--dim",
      String(dim),
      "--repeat",
      String(repeat),
    ]);
    if (r.code !== 0) console.log(`bench-verify exited ${r.code}`);
  }
  if (!skip.has("smoke")) {
    console.log(`\n== 4. smoke drill wall time`);
    const out = await mkdtemp(join(tmpdir(), "bench-smoke-"));
    const r = await runChild(process.execPath, [
      "bin/milvus-cdc-drill.js",
      "run",
      "--profile",
      "smoke",
      "--seed",
      "1",
      "--out",
      out,
    ]);
    await rm(out, { recursive: true, force: true });
    console.log(`smoke drill: ${(r.ms / 1000).toFixed(1)} s wall, exit ${r.code} (target <= 60 s)`);
  }
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(3);
});
