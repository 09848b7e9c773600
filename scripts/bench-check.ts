/**
 * Benchmark of the checkers over a soak-sized history: writes a synthetic soak history of --events
 * events to history.jsonl (writes with ok/fail/info acks, standby key reads, heartbeats and their
 * sightings, checkpoint samples, CDC kills, write probes: test/helpers/soak.ts), then runs
 * `milvus-cdc-drill check RUN_DIR` on it in a child process (the CLI's own code, which streams the
 * history exactly as `run` does) and prints events/s and the child's peak RSS.
 *
 *   npx tsx scripts/bench-check.ts [--events 5000000] [--keep DIR] [--json]
 *
 * Targets: peak RSS <= 512 MB at 5M events; time proportional to the events (events/s is printed,
 * so runs of different sizes compare). --json: human lines on stderr, one JSON object on stdout.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeSoakHistory } from "../test/helpers/soak.js";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "5000000" },
    keep: { type: "string" },
    child: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

const say = (line: string): void => {
  if (values.json) console.error(line);
  else console.log(line);
};

/** Child mode: the `check` command on RUN_DIR, timed, then its own peak RSS (maxRSS is in KiB). */
async function child(dir: string): Promise<void> {
  const { run } = await import("../src/cli/commands/check.js");
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: unknown) => {
    lines.push(String(s));
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const code = await run([dir, "--json"]);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log = log;
  const out = JSON.parse(lines.join("\n")) as {
    verdict: string;
    checks: Array<{ name: string; verdict: string }>;
  };
  process.stdout.write(
    `${JSON.stringify({
      code,
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      verdict: out.verdict,
      verdicts: Object.fromEntries(out.checks.map((c) => [c.name, c.verdict])),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

function checkInChild(dir: string): Promise<{
  code: number;
  ms: number;
  cpuMs: number;
  verdict: string;
  verdicts: Record<string, string>;
  maxRssMb: number;
}> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", script, "--child", dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.on("exit", (code) => {
      try {
        if (code === null || code > 1) throw new Error(`the check child exited ${code}`);
        resolve(JSON.parse(out.trim().split("\n").pop() ?? ""));
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function main(): Promise<void> {
  if (values.child) return child(values.child);
  const events = Number(values.events);
  if (!Number.isInteger(events) || events <= 0) {
    console.error(`bench-check: --events '${values.events}' is not allowed (expected a positive integer)`);
    process.exit(2);
  }
  const dir = values.keep ?? (await mkdtemp(join(tmpdir(), "bench-check-")));
  try {
    let t0 = performance.now();
    const soak = writeSoakHistory(join(dir, "history.jsonl"), { events });
    await writeFile(join(dir, "final-state.json"), `${JSON.stringify(soak.final)}\n`);
    const bytes = (await stat(join(dir, "history.jsonl"))).size;
    say(
      `soak history: ${soak.events} events (${soak.keyVersions} key-versions written, ${soak.distinctKeys} distinct keys, ${(soak.simulatedMs / 60_000).toFixed(0)} simulated min), ${(bytes / 2 ** 20).toFixed(0)} MiB, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    t0 = performance.now();
    const r = await checkInChild(dir);
    const eventsPerS = soak.events / (r.ms / 1000);
    // A busy machine stretches the wall time; the check's own CPU time moves much less.
    const eventsPerCpuS = soak.events / (r.cpuMs / 1000);
    say(
      `check RUN_DIR:  ${(r.ms / 1000).toFixed(1)} s, ${Math.round(eventsPerS)} events/s (${Math.round(eventsPerCpuS)} per CPU-second), peak RSS ${r.maxRssMb.toFixed(0)} MiB (target <= 512), verdict ${r.verdict}`,
    );
    const judged = Object.entries(r.verdicts)
      .filter(([, v]) => v !== "skipped")
      .map(([k, v]) => `${k}=${v}`);
    say(`  ${judged.join(", ")}`);
    if (values.json)
      console.log(
        JSON.stringify({
          checkEventsPerS: Math.round(eventsPerS),
          checkEventsPerCpuS: Math.round(eventsPerCpuS),
          checkPeakRssMb: Math.round(r.maxRssMb),
          checkSeconds: Number((r.ms / 1000).toFixed(1)),
          checkVerdict: r.verdict,
          events: soak.events,
          keyVersions: soak.keyVersions,
          distinctKeys: soak.distinctKeys,
          historyMb: Math.round(bytes / 2 ** 20),
        }),
      );
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench-check: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(3);
});
