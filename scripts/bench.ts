/**
 * `npm run bench`: the drill's speed and memory targets, each measured against a baseline taken in the
 * same run on the same machine (ratios, not absolute times, so a busy machine moves both sides):
 *
 *   1. harness workload rate / bare SDK insert loop (same batch size, same cluster)   target >= 0.9
 *      (median of --write-runs alternating runs, every run printed)
 *   2. harness ceiling: the workload path against a null Milvus, 128-d at batch 500  target >= 50,000 rows/s
 *   3. verify time / two bare query-iterator scans of the same data                    target <= 1.25
 *   4. peak RSS of verify at --rows x --dim                                             target <= 300 MB
 *      with --full: verify at 50k, 200k and 1M rows; peak RSS at 1M within 10% of 200k
 *   5. replicator catch-up after a 10k-message backlog / direct inserts of the rows    target >= 0.9
 *   6. checkers over a synthetic soak history: events/s and peak RSS                   target <= 512 MB
 *   7. smoke drill wall time                                                            target <= 60 s
 *   8. WAL read and summary.md rendering vs JSON baselines (scripts/bench-io.ts)        target <= 5
 *
 *   npx tsx scripts/bench.ts [--rows 200000] [--dim 128] [--batches 60] [--write-runs 5] [--repeat 3]
 *                            [--check-events 5000000] [--skip write,ceiling,verify,replicator,check,smoke,io]
 *                            [--full] [--json]
 *
 * --json: one JSON object on stdout (the human lines go to stderr), for a nightly job to chart:
 * writeRatio, harnessCeilingRowsPerS, catchUpRatio, verifyRatioConcurrent, verifyPeakRssMb,
 * checkEventsPerS, checkPeakRssMb, smokeWallS and the figures behind them; a figure that was skipped
 * or could not be measured is null, with the reason under `notes`.
 *
 * 2, 3-4, 5 and 6 run as children (scripts/bench-ceiling.ts, bench-verify.ts, bench-replicator.ts and
 * bench-check.ts) with --json: their human lines on stderr, one JSON object on stdout.
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

const SECTIONS = ["write", "ceiling", "verify", "replicator", "check", "smoke", "io"] as const;

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "200000" },
    dim: { type: "string", default: "128" },
    batches: { type: "string", default: "60" },
    "write-runs": { type: "string", default: "5" },
    repeat: { type: "string", default: "3" },
    skip: { type: "string", default: "" },
    "check-events": { type: "string", default: "5000000" },
    full: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
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
const writeRuns = positive("write-runs", values["write-runs"]);
const repeat = positive("repeat", values.repeat);
const checkEvents = positive("check-events", values["check-events"]);
const skip = new Set((values.skip ?? "").split(",").filter(Boolean));
for (const s of skip) {
  if (!(SECTIONS as readonly string[]).includes(s)) {
    console.error(`bench: --skip '${s}' is not allowed (allowed: ${SECTIONS.join(", ")})`);
    process.exit(2);
  }
}
/** Human lines: stdout normally, stderr under --json so stdout holds the one JSON object. */
const say = (line: string): void => {
  if (values.json) console.error(line);
  else console.log(line);
};
const root = fileURLToPath(new URL("..", import.meta.url));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

type Figures = Record<string, unknown>;
/** Everything the run measured, keyed as --json prints it; null = not measured (reason in notes). */
const results: Figures = {
  writeRatio: null,
  harnessCeilingRowsPerS: null,
  catchUpRatio: null,
  verifyRatioConcurrent: null,
  verifyPeakRssMb: null,
  checkEventsPerS: null,
  checkPeakRssMb: null,
  smokeWallS: null,
  walReadRatio: null,
  summaryRenderRatio: null,
};
const notes: Record<string, string> = {};

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
    for (let r = 0; r < writeRuns; r++) {
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
      await history.close();
      const took = (performance.now() - t0) / 1000;
      if (runner.outcomes.ok !== batches)
        throw new Error(`harness: ${JSON.stringify(runner.outcomes)} of ${batches} ops`);
      harness.push((batches * batch) / took);
      say(
        `[${r + 1}/${writeRuns}] bare SDK loop ${bare[r]?.toFixed(0)} rows/s, harness workload ${harness[r]?.toFixed(0)} rows/s, ratio ${((harness[r] as number) / (bare[r] as number)).toFixed(2)}`,
      );
    }
    const h = median(harness);
    const b = median(bare);
    say(
      `harness workload:   ${h.toFixed(0)} rows/s (median of ${writeRuns}: ${harness.map((x) => x.toFixed(0)).join(", ")})`,
    );
    say(
      `bare SDK loop:      ${b.toFixed(0)} rows/s (median of ${writeRuns}: ${bare.map((x) => x.toFixed(0)).join(", ")})`,
    );
    say(
      `ratio harness/bare: ${(h / b).toFixed(2)} (target >= 0.9; batch ${batch}, dim ${spec.dim}, ${batches} batches, through the local front)`,
    );
    results.writeRatio = round(h / b, 3);
    results.writeHarnessRowsPerS = Math.round(h);
    results.writeBareRowsPerS = Math.round(b);
    results.writeRuns = harness.map((x, i) => ({
      harness: Math.round(x),
      bare: Math.round(bare[i] as number),
    }));
  } finally {
    client.closeConnection();
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/**
 * Runs a bench script as a child with --json: its human lines go to our stderr (or stdout), its one
 * JSON object (the last stdout line) comes back. null when it failed, with the reason in notes.
 */
function runBenchChild(script: string, args: string[], note: string): Promise<Figures | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args, "--json"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      (values.json ? process.stderr : process.stdout).write(d);
    });
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      try {
        if (code !== 0) throw new Error(`exited ${code}`);
        resolve(JSON.parse(last) as Figures);
      } catch (e) {
        notes[note] = `${script} ${(e as Error).message}`;
        say(`${script}: ${(e as Error).message}`);
        resolve(null);
      }
    });
  });
}

function runChild(cmd: string, args: string[]): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ["ignore", values.json ? process.stderr : "inherit", "inherit"],
    });
    child.on("exit", (code) => resolve({ code, ms: performance.now() - t0 }));
  });
}

async function ceiling(): Promise<void> {
  const r = await runBenchChild("scripts/bench-ceiling.ts", [], "harnessCeilingRowsPerS");
  if (!r) return;
  results.harnessCeilingRowsPerS = r.harnessCeilingRowsPerS ?? null;
  results.harnessCeilingRowsPerCpuS = r.harnessCeilingRowsPerCpuS ?? null;
  results.harnessCeilingRuns = r.runs ?? null;
}

async function verify(): Promise<void> {
  const sizes = values.full ? [50_000, 200_000, 1_000_000] : [rows];
  const peak: Record<string, number> = {};
  for (const n of sizes) {
    // --full measures memory at three sizes; the time ratio is taken (repeated) at --rows only.
    const reps = values.full && n !== rows ? 1 : repeat;
    const r = await runBenchChild(
      "scripts/bench-verify.ts",
      ["--rows", String(n), "--dim", String(dim), "--repeat", String(reps)],
      "verify",
    );
    if (!r) return;
    peak[String(n)] = r.peakRssMb as number;
    if (n === rows || !values.full) {
      results.verifyRatioConcurrent = r.ratioConcurrent ?? null;
      results.verifyRatio = r.ratio ?? null;
      results.verifyPeakRssMb = r.peakRssMb ?? null;
    }
  }
  if (values.full) {
    results.verifyPeakRssMbByRows = peak;
    const a = peak["200000"];
    const b = peak["1000000"];
    if (a && b) {
      results.verifyRssRatio1MTo200k = round(b / a, 3);
      say(
        `verify peak RSS by rows: ${Object.entries(peak)
          .map(([k, v]) => `${k}: ${v.toFixed(0)} MiB`)
          .join(", ")}; 1M / 200k = ${(b / a).toFixed(2)} (target <= 1.10)`,
      );
    }
  }
}

async function replicator(): Promise<void> {
  const r = await runBenchChild("scripts/bench-replicator.ts", ["10000", "1"], "catchUpRatio");
  if (!r) return;
  results.catchUpRatio = r.ratio ?? null;
  results.catchUpRowsPerS = r.replicatedRowsPerS ?? null;
  results.catchUpDirectRowsPerS = r.directRowsPerS ?? null;
}

/** `check RUN_DIR` over a 5M-event synthetic soak history, in a child: events/s and its peak RSS. */
async function checkers(): Promise<void> {
  const r = await runBenchChild("scripts/bench-check.ts", ["--events", String(checkEvents)], "check");
  if (!r) return;
  results.checkEventsPerS = r.checkEventsPerS ?? null;
  results.checkPeakRssMb = r.checkPeakRssMb ?? null;
  results.checkEventsPerCpuS = r.checkEventsPerCpuS ?? null;
  results.checkEvents = r.events ?? null;
  results.checkKeyVersions = r.keyVersions ?? null;
  results.checkVerdict = r.checkVerdict ?? null;
}

async function io(): Promise<void> {
  const r = await runBenchChild("scripts/bench-io.ts", ["--repeat", String(repeat)], "io");
  if (!r) return;
  results.walReadRatio = r.walReadRatio ?? null;
  results.summaryRenderRatio = r.summaryRenderRatio ?? null;
}

async function smoke(): Promise<void> {
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
  say(`smoke drill: ${(r.ms / 1000).toFixed(1)} s wall, exit ${r.code} (target <= 60 s)`);
  if (r.code === 0) results.smokeWallS = round(r.ms / 1000, 1);
  else notes.smokeWallS = `the smoke drill exited ${r.code}`;
}

async function main(): Promise<void> {
  const sections: Array<[string, string, () => Promise<void>]> = [
    ["write", "1. harness workload rate vs bare SDK insert loop", harnessVersusBare],
    ["ceiling", "2. harness ceiling against a null Milvus (128-d, batch 500)", ceiling],
    [
      "verify",
      `3-4. verify vs two bare query-iterator scans; peak RSS of verify (${values.full ? "50k, 200k and 1M" : rows} rows x ${dim}-d)`,
      verify,
    ],
    ["replicator", "5. replicator catch-up after a 10k-message backlog vs direct inserts", replicator],
    ["check", "6. checkers over a synthetic soak history", checkers],
    ["smoke", "7. smoke drill wall time", smoke],
    ["io", "8. WAL read and summary.md rendering vs JSON baselines", io],
  ];
  let first = true;
  for (const [name, title, run] of sections) {
    if (skip.has(name)) {
      notes[name] = "skipped (--skip)";
      continue;
    }
    say(`${first ? "" : "\n"}== ${title}`);
    first = false;
    await run();
  }
  if (values.json) console.log(JSON.stringify({ ...results, notes }));
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(3);
});
