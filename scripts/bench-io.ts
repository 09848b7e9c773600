/**
 * Speeds that used to be asserted inside tests, measured here against a baseline taken in the same
 * run (ratios, so a busy machine moves both sides):
 *
 *   5. reading a 10k-entry WAL (readWholeWal) / JSON.parse of the same lines        target <= 5
 *   6. rendering summary.md of a huge report / JSON.stringify of that report         target <= 5
 *
 *   npx tsx scripts/bench-io.ts [--repeat 3] [--json]
 *
 * --json: the human lines on stderr, one JSON object on stdout (walReadRatio, summaryRenderRatio).
 */
import { writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readWholeWal } from "../src/backends/local/wal/wal-reader.js";
import type { CheckResult } from "../src/checkers/types.js";
import type { DrillReport } from "../src/report/model.js";
import { REPORT_SCHEMA_VERSION } from "../src/report/model.js";
import { renderSummary } from "../src/report/summary.js";

const { values } = parseArgs({
  options: { repeat: { type: "string", default: "3" }, json: { type: "boolean", default: false } },
});
const say = (line: string) => (values.json ? console.error(line) : console.log(line));
const figures: Record<string, number> = {};
const repeat = Math.max(1, Number(values.repeat) || 3);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function wal(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "bench-wal-"));
  try {
    const file = join(dir, "ch.log");
    const payload = Buffer.alloc(512, 7).toString("base64");
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      JSON.stringify({
        tt: String(i + 1),
        method: "Insert",
        kind: "dml",
        db: "default",
        collection: "c",
        payload,
      }),
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
    const ours: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < repeat; i++) {
      ours.push(await time(() => readWholeWal(file)));
      bare.push(
        await time(async () =>
          (await readFile(file, "utf8"))
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l)),
        ),
      );
    }
    const r = median(ours) / median(bare);
    figures.walReadRatio = r;
    say(
      `WAL read, 10k entries: ${median(ours).toFixed(0)} ms vs bare JSON.parse ${median(bare).toFixed(0)} ms: ratio ${r.toFixed(2)} (target <= 5)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function hugeReport(): DrillReport {
  const checks: CheckResult[] = Array.from({ length: 3000 }, (_, i) => ({
    name: "parity",
    verdict: "fail",
    summary: `collection c${i}: rows lost`,
    evidence: Array.from({ length: 20 }, (_, k) => ({ collection: `c${i}`, pk: String(k), message: "lost" })),
    evidenceTotal: i === 0 ? 1_000_000 : 20,
    observed: 1,
  }));
  const t0 = 1_700_000_000_000;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "milvus-cdc-drill", version: "bench" },
    verdict: "fail",
    startedAt: t0,
    finishedAt: t0 + 3_600_000,
    mode: "drill",
    seed: 1,
    profile: "soak",
    backend: { name: "kind", details: {} },
    checks,
    metrics: {
      lag: { p50: 10, p95: 20, p99: 30, max: 40, samples: 200_000, faultWindowSamples: 0, sloMs: 5000 },
      lagSeries: Array.from({ length: 200_000 }, (_, i) => ({ t: t0 + i * 5, lagMs: i % 1000 })),
      faults: Array.from({ length: 20_000 }, (_, i) => ({
        id: i,
        name: "kill-cdc",
        startedAt: t0 + i * 50,
        endedAt: t0 + i * 50 + 20,
      })),
      recoveries: [],
      catchUpMs: 100,
      opsPerSec: 100,
      ops: { ok: 1, fail: 0, info: 0 },
      rowsCompared: 1,
      collectionsCompared: 1,
    },
    files: [],
  };
}

async function summary(): Promise<void> {
  const report = hugeReport();
  const ours: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < repeat; i++) {
    ours.push(await time(() => renderSummary(report)));
    bare.push(await time(() => JSON.stringify(report)));
  }
  const r = median(ours) / median(bare);
  figures.summaryRenderRatio = r;
  say(
    `summary.md of a huge report: ${median(ours).toFixed(0)} ms vs JSON.stringify ${median(bare).toFixed(0)} ms: ratio ${r.toFixed(2)} (target <= 5)`,
  );
}

await wal();
await summary();
if (values.json) console.log(JSON.stringify(figures));
