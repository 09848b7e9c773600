/**
 * `milvus-cdc-drill lab`: starts a local lab (two Milvus Lite clusters with fronts, optionally replicating)
 * in the foreground, prints where to connect, and tears everything down on Ctrl-C / SIGTERM.
 */

import { LAB_FAULT_MODES, type LabFaultMode, startLab } from "../../backends/local/lab.js";
import { parseCommandArgs } from "../../config/args.js";
import { UsageError } from "../../errors.js";
import { withSignals } from "../signals.js";

const HELP = `Usage: milvus-cdc-drill lab [--json] [--replicate] [--local-fault MODE] [--fault-every N] [--restart-delay-ms N] [--pchannels N] [--keep]

Starts two local Milvus clusters (Milvus Lite behind a Milvus-protocol front) and keeps them running
until Ctrl-C or SIGTERM.
  --json               print exactly one JSON line {"source":{uri,clusterId},"target":{uri,clusterId}} once ready
  --replicate          configure replication source -> target and start the reference replicator
  --local-fault MODE   replicator fault mode: ${LAB_FAULT_MODES.join(", ")} (default none)
  --fault-every N      drop: skip 1 in N messages; stall: stop after N messages
  --restart-delay-ms N delay before a killed replicator restarts (default 0)
  --pchannels N        physical channels per cluster, 1-256 (default 16)
  --keep               keep the lab's files after it stops`;

function nonNegativeInt(
  flag: string,
  value: string | undefined,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > max) {
    throw new UsageError(`--${flag} '${value}' is not allowed (an integer from 0 to ${max})`);
  }
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0] ?? String(e));
  }
  const v = parsed.values;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const fault = v["local-fault"] ?? "none";
  if (!(LAB_FAULT_MODES as readonly string[]).includes(fault)) {
    throw new UsageError(`--local-fault '${fault}' is not allowed (allowed: ${LAB_FAULT_MODES.join(", ")})`);
  }
  if (fault !== "none" && !v.replicate) {
    throw new UsageError(`--local-fault '${fault}' needs --replicate (the fault lives in the replicator)`);
  }
  const faultEvery = nonNegativeInt("fault-every", v["fault-every"]);
  const restartDelayMs = nonNegativeInt("restart-delay-ms", v["restart-delay-ms"], 600_000);
  const pchannels = nonNegativeInt("pchannels", v.pchannels, 256);
  if (pchannels === 0) throw new UsageError("--pchannels '0' is not allowed (an integer from 1 to 256)");

  // With --json, stdout carries only the one JSON line: progress goes to stderr.
  const log = (m: string) => (v.json ? console.error(m) : console.log(m));
  return withSignals(async (signal) => {
    const lab = await startLab({
      signal,
      replicate: Boolean(v.replicate),
      faultMode: fault as LabFaultMode,
      faultEvery,
      restartDelayMs,
      pchannels,
      keep: Boolean(v.keep),
      log: v.json ? () => {} : log,
    });
    // The lab stops itself when the signal fires; wait for that, then exit 0 (a requested stop is not a failure).
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    }).then(() => lab.stop());
    if (v.json) {
      process.stdout.write(
        `${JSON.stringify({
          source: { uri: lab.source.uri, clusterId: lab.source.clusterId },
          target: { uri: lab.target.uri, clusterId: lab.target.clusterId },
        })}\n`,
      );
    } else {
      console.log(`source (primary): ${lab.source.uri}  cluster id ${lab.source.clusterId}`);
      console.log(`target (standby): ${lab.target.uri}  cluster id ${lab.target.clusterId}`);
      console.log(
        v.replicate
          ? `replicating ${lab.source.clusterId} -> ${lab.target.clusterId} (fault mode ${fault}); press Ctrl-C to stop`
          : "replication not configured (use --replicate); press Ctrl-C to stop",
      );
    }
    await stopped;
    if (!v.json) console.log("lab stopped");
    return 0;
  });
}

function parse(argv: string[]) {
  return parseCommandArgs("lab", {
    args: argv,
    allowPositionals: false,
    options: {
      json: { type: "boolean" },
      replicate: { type: "boolean" },
      "local-fault": { type: "string" },
      "fault-every": { type: "string" },
      "restart-delay-ms": { type: "string" },
      pchannels: { type: "string" },
      keep: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
