/**
 * The healthy sweep: every profile that fits the local backend, N seeds each, no fault mode. A
 * healthy link must pass every run — one false alarm is a bug in the drill (`npm run sweep`; not part
 * of `npm test`: it takes a while).
 *
 *   npm run sweep -- [--seeds 10] [--first-seed 1]
 *                    [--profiles smoke,default,soak,switchover-smoke,failover-smoke,chaos-smoke,triggers-smoke,seed-smoke,star-smoke,star-chaos-smoke]
 *                    [--soak-duration 2m] [--out runs/sweep-<time>]
 *
 * The soak profile runs for an hour; --soak-duration shortens it (CDC still killed on a period).
 * Prints one line per run and the pass counts per profile; exits 1 if any run did not pass.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";

const LOCAL_PROFILES = [
  "smoke",
  "default",
  "soak",
  "switchover-smoke",
  "failover-smoke",
  "chaos-smoke",
  "triggers-smoke",
  "seed-smoke",
  "star-smoke",
  "star-chaos-smoke",
];
const USAGE = `usage: npm run sweep -- [--seeds 10] [--first-seed 1] [--profiles ${LOCAL_PROFILES.join(",")}] [--soak-duration 2m] [--out DIR]`;

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      seeds: { type: "string", default: "10" },
      "first-seed": { type: "string", default: "1" },
      profiles: { type: "string", default: LOCAL_PROFILES.join(",") },
      "soak-duration": { type: "string", default: "2m" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
try {
  parsed = parse();
} catch (e) {
  // One line naming the bad flag, not a stack trace.
  console.error(`sweep: ${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const seeds = Number(values.seeds);
const firstSeed = Number(values["first-seed"]);
const profiles = String(values.profiles)
  .split(",")
  .map((p) => p.trim())
  .filter(Boolean);
for (const p of profiles) {
  if (!LOCAL_PROFILES.includes(p)) {
    console.error(
      `--profiles: '${p}' does not fit the local backend (allowed: ${LOCAL_PROFILES.join(", ")})`,
    );
    process.exit(2);
  }
}
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(firstSeed)) {
  console.error("--seeds must be an integer >= 1 and --first-seed an integer");
  process.exit(2);
}
const outRoot = values.out ?? join("runs", `sweep-${new Date().toISOString().replace(/[:.]/g, "-")}`);

function extraFlags(profile: string): string[] {
  // Shortened soak: same shape (a large key space, CDC killed on a period), minutes instead of an hour.
  if (profile === "soak") return ["--duration", String(values["soak-duration"]), "--kill-cdc-every", "30s"];
  return [];
}

function runOne(profile: string, seed: number, dir: string): Promise<number> {
  return new Promise((resolve) => {
    const args = [
      "bin/milvus-cdc-drill.js",
      "run",
      "--backend",
      "local",
      "--profile",
      profile,
      "--seed",
      String(seed),
      "--out",
      dir,
      ...extraFlags(profile),
    ];
    // Each run's own output is kept beside its run directory: a run that dies before its report
    // leaves only this to say why.
    const out = openSync(`${dir}.log`, "w");
    const child = spawn(process.execPath, args, { stdio: ["ignore", out, out] });
    child.on("exit", (code) => {
      closeSync(out);
      resolve(code ?? 3);
    });
  });
}

interface Row {
  profile: string;
  seed: number;
  exit: number;
  verdict: string;
  notPassing: string;
  seconds: number;
  /** Every standby's recoveries (metrics.standbys in a star, else metrics.recoveries): one per fault each. */
  recoveries?: Recovery[];
  /** How many standbys those came from (1 for a pair). */
  standbys?: number;
}

type Recovery = { fault: string; status: string; recoveryMs: number | null; aimedAt?: number };

/** Recovery time per fault type over every run of a profile: how many, how many recovered, p50 and max. */
function recoveryLines(rows: readonly Row[]): string[] {
  const by = new Map<string, { n: number; ms: number[]; elsewhere: number }>();
  for (const r of rows)
    for (const k of r.recoveries ?? []) {
      const e = by.get(k.fault) ?? { n: 0, ms: [], elsewhere: 0 };
      // In a star each standby's recoveries are counted: a fault aimed at another standby was not
      // injected into this one and proves nothing about it (it counts on the standby it was aimed at).
      if (k.aimedAt !== undefined) e.elsewhere += 1;
      else {
        e.n += 1;
        if (k.status === "recovered" && k.recoveryMs !== null) e.ms.push(k.recoveryMs);
      }
      by.set(k.fault, e);
    }
  const star = rows.some((r) => (r.standbys ?? 1) > 1);
  return [...by].map(([fault, { n, ms, elsewhere }]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    const times = sorted.length ? `p50 ${at(0.5)} ms, max ${sorted.at(-1)} ms` : "no time";
    const aside = elsewhere ? ` (${elsewhere} on standbys it was not aimed at, not counted)` : "";
    const where = star ? " (each standby a fault reached)" : "";
    return `  recovery after ${fault.padEnd(16)} ${ms.length}/${n} recovered${where}, ${times}${aside}`;
  });
}

async function main(): Promise<void> {
  await mkdir(outRoot, { recursive: true });
  console.log(
    `sweep: profiles ${profiles.join(", ")} x ${seeds} seeds (from ${firstSeed}); runs in ${outRoot}`,
  );
  const rows: Row[] = [];
  for (const profile of profiles) {
    for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
      const dir = join(outRoot, `${profile}-${seed}`);
      const t0 = Date.now();
      const exit = await runOne(profile, seed, dir);
      let verdict = "no report";
      let notPassing = "";
      let recoveries: Recovery[] = [];
      let standbys = 1;
      try {
        const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as {
          verdict: string;
          metrics?: { recoveries?: Recovery[]; standbys?: Record<string, { recoveries: Recovery[] }> };
          error?: { phase: string; message: string };
          checks: Array<{ name: string; verdict: string; summary: string }>;
        };
        verdict = report.verdict;
        const each = Object.values(report.metrics?.standbys ?? {});
        standbys = Math.max(1, each.length);
        recoveries = each.length > 0 ? each.flatMap((x) => x.recoveries) : (report.metrics?.recoveries ?? []);
        notPassing = report.error
          ? `error in ${report.error.phase}: ${report.error.message}`
          : report.checks
              .filter((c) => c.verdict === "fail" || c.verdict === "unknown")
              .map((c) => `${c.name}=${c.verdict} (${c.summary.slice(0, 160)})`)
              .join("; ");
      } catch {
        // The run died before writing its report: the exit code and its log say why.
        notPassing = `no report.json; see ${dir}.log`;
      }
      const row = {
        profile,
        seed,
        exit,
        verdict,
        notPassing,
        seconds: Math.round((Date.now() - t0) / 1000),
        recoveries,
        standbys,
      };
      rows.push(row);
      console.log(
        `${profile.padEnd(8)} seed ${String(seed).padStart(4)}  ${verdict.toUpperCase().padEnd(8)} exit ${exit}  ${String(row.seconds).padStart(4)} s${notPassing ? `  ${notPassing}` : ""}`,
      );
    }
  }
  console.log("");
  let allPassed = true;
  for (const profile of profiles) {
    const mine = rows.filter((r) => r.profile === profile);
    const passed = mine.filter((r) => r.verdict === "pass" && r.exit === 0).length;
    if (passed !== mine.length) allPassed = false;
    console.log(`${profile.padEnd(8)} ${passed}/${mine.length} passed`);
    for (const l of recoveryLines(mine)) console.log(l);
  }
  console.log(allPassed ? "sweep: every run passed" : "sweep: NOT every run passed (see above)");
  process.exitCode = allPassed ? 0 : 1;
}

await main();
