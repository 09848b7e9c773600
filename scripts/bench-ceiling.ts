/**
 * The harness's ceiling: the drill's workload path (planner + faker rows + executor + SDK encoding +
 * history.jsonl) against a null Milvus that acknowledges every write at once, in a process of its own.
 * Nothing but the harness is on the clock, so the rate printed is the most the drill can push into any
 * cluster from this machine.
 *
 *   npx tsx scripts/bench-ceiling.ts [--rows 200000] [--batch 500] [--dim 128] [--concurrency 1]
 *                                    [--repeat 3] [--json]
 *
 * --json: the human lines go to stderr and one JSON object to stdout.
 *
 * Profile it with: node --cpu-prof --cpu-prof-dir=prof --import tsx scripts/bench-ceiling.ts --repeat 1
 * (the null server runs in a child process, so the profile holds the harness alone).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connect } from "../src/client/connect.js";
import { DrillExecutor } from "../src/client/executor.js";
import { loadConfig } from "../src/config/load.js";
import { WorkloadRunner } from "../src/drill/workload.js";
import { WorkloadPlanner } from "../src/generator/workload.js";
import { HistoryWriter } from "../src/history/writer.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "200000" },
    batch: { type: "string", default: "500" },
    dim: { type: "string", default: "128" },
    concurrency: { type: "string", default: "1" },
    repeat: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const positive = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`bench-ceiling: --${name} '${v}' is not allowed (expected a positive integer)`);
    process.exit(2);
  }
  return n;
};
const batch = positive("batch", values.batch);
const rows = positive("rows", values.rows);
const dim = positive("dim", values.dim);
const concurrency = positive("concurrency", values.concurrency);
const repeat = positive("repeat", values.repeat);
const ops = Math.max(1, Math.ceil(rows / batch));
const root = fileURLToPath(new URL("..", import.meta.url));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function startNullServer(): Promise<{
  uri: string;
  child: ChildProcess;
  rows: () => Promise<unknown>;
}> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/null-milvus-main.ts"], {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const next = async (): Promise<Record<string, unknown>> => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    try {
      const [line] = (await once(lines, "line")) as [string];
      return JSON.parse(line) as Record<string, unknown>;
    } finally {
      clearTimeout(timer);
    }
  };
  const ready = await Promise.race([
    next(),
    once(child, "exit").then(([code]) => {
      throw new Error(`null Milvus server exited ${code} before listening`);
    }),
  ]);
  return {
    uri: String(ready.uri),
    child,
    rows: async () => {
      child.stdin?.write("stats\n");
      return (await next()).rows;
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig({
    profile: "smoke",
    overrides: {
      seed: 1,
      workload: {
        collections: [
          {
            name: "ceiling",
            dim,
            vectorType: "float",
            index: "FLAT",
            metric: "L2",
            dynamicField: true,
            autoId: false,
            partitions: 1,
          },
        ],
        mix: { insert: 1, upsert: 0, delete: 0, reinsert: 0, ddl: 0 },
        keySpace: 100_000_000,
        hotKeyUpserts: 0,
        chainLength: 0,
        batchSize: batch,
        concurrency,
        targetRate: 0,
        ops,
      },
    },
  });
  const spec = config.workload.collections[0];
  if (!spec) throw new Error("no collection");
  const server = await startNullServer();
  const dir = await mkdtemp(join(tmpdir(), "bench-ceiling-"));
  const client = connect({ uri: server.uri });
  const rates: number[] = [];
  /** Rows per second of this process's own CPU time: what the harness costs, whatever else the machine runs. */
  const cpuRates: number[] = [];
  let historyBytes = 0;
  try {
    for (let r = 0; r < repeat; r++) {
      const name = `ceiling_${r}`;
      const s = { ...spec, name };
      const planner = new WorkloadPlanner(config.seed, { ...config.workload, collections: [s] }, concurrency);
      const exec = new DrillExecutor(client, new Map([[name, s]]), 30_000);
      const historyPath = join(dir, `history-${r}.jsonl`);
      const history = new HistoryWriter(historyPath);
      const runner = new WorkloadRunner(planner, exec, history, {
        ops,
        durationMs: null,
        targetRate: 0,
        concurrency,
      });
      const created = await exec.ddl({ f: "ddl", action: "create-collection", collection: name, detail: {} });
      if (created.type !== "ok") throw new Error(`create ${name}: ${created.error}`);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await runner.runWorkload();
      // The history is part of the path: the clock stops when it is on disk.
      await history.close();
      const took = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      cpuRates.push((ops * batch) / ((cpu.user + cpu.system) / 1e6));
      if (runner.outcomes.ok !== ops) throw new Error(`${JSON.stringify(runner.outcomes)} of ${ops} ops`);
      rates.push((ops * batch) / took);
      historyBytes = (await stat(historyPath)).size;
    }
    const acked = (await server.rows()) as { Insert: number };
    if (acked.Insert !== ops * batch * repeat)
      throw new Error(`null server acknowledged ${acked.Insert} rows, expected ${ops * batch * repeat}`);
    const m = median(rates);
    const say = values.json ? console.error : console.log;
    say(
      `harness ceiling:    ${m.toFixed(0)} rows/s (median of ${repeat}: ${rates.map((x) => x.toFixed(0)).join(", ")}; ` +
        `${ops} batches of ${batch} x ${dim}-d, concurrency ${concurrency}, null Milvus, history ${(historyBytes / 1024).toFixed(0)} KiB) (target >= 50000)`,
    );
    say(
      `  per CPU-second:   ${median(cpuRates).toFixed(0)} rows per second of the harness's own CPU time ` +
        `(${cpuRates.map((x) => x.toFixed(0)).join(", ")}; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores)`,
    );
    if (values.json)
      console.log(
        JSON.stringify({
          harnessCeilingRowsPerS: Math.round(m),
          harnessCeilingRowsPerCpuS: Math.round(median(cpuRates)),
          runs: rates.map(Math.round),
        }),
      );
  } finally {
    client.closeConnection();
    server.child.stdin?.end();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench-ceiling: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(3);
});
