/**
 * The report's published contract. A zod mirror of DrillReport (model.ts) is the single source: it
 * validates report.json at runtime and generates schema/report.schema.json (see write-schema.ts), and
 * a type-level test keeps it equal to the TypeScript model, so the three cannot drift apart.
 *
 * Objects are open (unknown fields allowed): within one schemaVersion fields are only ever added, as
 * optional, so an older reader keeps working on a newer report. Anything incompatible bumps
 * REPORT_SCHEMA_VERSION.
 */
import { z } from "zod";
import type { DrillReport } from "./model.js";
import { REPORT_SCHEMA_VERSION } from "./model.js";

/** A URN, not a URL: the schema ships in the package (schema/report.schema.json), nothing is fetched. */
export const REPORT_SCHEMA_ID = `urn:milvus-cdc-drill:report-schema:${REPORT_SCHEMA_VERSION}`;

const ms = (what: string) => z.number().describe(`${what} (wall-clock milliseconds since the Unix epoch)`);
const duration = (what: string) =>
  z.number().nullable().describe(`${what} in milliseconds; null if not measured`);

const verdict = z
  .enum(["pass", "fail", "unknown", "skipped"])
  .describe(
    "pass: the property held. fail: it was violated. unknown: the checker could not observe what it needs. skipped: the check does not apply to this run.",
  );

const checkName = z.enum([
  "parity",
  "duplicates",
  "primary-sanity",
  "monotonic-reads",
  "prefix",
  "checkpoint-recovery",
  "standby-read-only",
  "search-parity",
  "lag",
  "catch-up",
  "rpo",
  "rto",
  "promotion",
  "failover-prefix",
  "reverse-parity",
  "seed-alignment",
  "lag-metric",
  "capacity",
]);

const evidence = z
  .object({
    collection: z.string().optional(),
    pk: z.string().optional().describe("Primary key (int64 keys as decimal strings)"),
    opId: z.number().optional().describe("Global op id (seq) in history.jsonl"),
    time: z.number().optional().describe("When (epoch ms)"),
    message: z.string(),
  })
  .catchall(z.unknown())
  .describe("One piece of proof: the keys, ops and times that show a violation; extra fields allowed.");

const checkResult = z
  .object({
    name: checkName,
    verdict,
    summary: z.string().describe("One line a tired engineer can read"),
    evidence: z.array(evidence).describe("A bounded sample of the evidence"),
    evidenceTotal: z.number().describe("How many evidence items existed before the sample was cut"),
    observed: z.number().describe("How many observations the check judged; a check never passes on 0"),
    reason: z.string().optional().describe("Set when the verdict is unknown: what could not be observed"),
    stats: z.record(z.string(), z.number()).optional().describe("Numbers the check measured"),
    standbys: z
      .record(
        z.string(),
        z
          .object({
            verdict,
            summary: z.string(),
            evidence: z.array(evidence),
            evidenceTotal: z.number(),
            observed: z.number(),
            reason: z.string().optional(),
            stats: z.record(z.string(), z.number()).optional(),
          })
          .describe("One standby's verdict and evidence"),
      )
      .optional()
      .describe(
        "A star (several standbys): per standby's cluster id, its verdict and evidence; the check's verdict is the worst. Only the standbys the check judged are named.",
      ),
  })
  .describe("The verdict of one checker");

const lagStats = z
  .object({
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
    samples: z
      .number()
      .describe("Steady-state samples the percentiles are over (the lag check judges the same)"),
    faultWindowSamples: z
      .number()
      .describe("Samples inside fault recovery windows (charted, not in percentiles)"),
    sloMs: z.number().optional().describe("The lag SLO the samples were judged against"),
  })
  .describe("Heartbeat lag percentiles in milliseconds; null when there were no samples");

const lagMetricStats = z
  .object({
    samples: z.number().describe("Scrapes of the metrics endpoint that answered"),
    failedScrapes: z.number(),
    p50: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
    paired: z.number().describe("Scrapes compared with a heartbeat read"),
    withinTolerance: z.number().describe("Paired scrapes within toleranceMs of the heartbeat lag"),
    toleranceMs: z.number(),
    graceMs: z.number().describe("The alert rule's `for` period"),
    sloMs: z.number(),
    missedAlerts: z
      .number()
      .describe("Metric healthy while the heartbeat lag stayed over the SLO past the grace"),
    falsePages: z
      .number()
      .describe("Metric over the SLO past the grace while the heartbeat lag was near zero"),
    alertRule: z.string().describe("The alert rule checked (PromQL, for the grace period)"),
  })
  .describe("Milvus's own lag metric (milliseconds) against the heartbeat lag (check lag-metric)");

const nMs = z.number().nullable();
const capacityStats = z
  .object({
    sustainableRowsPerS: z
      .number()
      .nullable()
      .describe("Highest achieved rate (acknowledged rows/s) of a ramp step whose lag stayed bounded"),
    stoppedBy: z.enum(["lag growing", "bound", "primary saturated"]).describe("Why the ramp stopped"),
    steps: z
      .array(
        z.object({
          index: z.number(),
          mode: z.enum(["ramp", "cdc-running", "cdc-paused"]),
          targetOpsPerS: z.number(),
          startedAt: ms("Window start"),
          durationMs: z.number(),
          achievedRowsPerS: z.number().describe("Acknowledged rows per second on the primary"),
          latencyP50Ms: nMs.describe("Primary write latency p50 (ms)"),
          latencyP99Ms: nMs.describe("Primary write latency p99 (ms)"),
          lagStartMs: nMs,
          lagEndMs: nMs,
          lagMaxMs: nMs,
          lagGrowthMsPerS: nMs.describe("Least-squares slope of the heartbeat lag in the window (ms per s)"),
          bounded: z
            .boolean()
            .nullable()
            .describe("The lag stayed bounded (null: not judged, e.g. CDC paused)"),
        }),
      )
      .describe("Every window: the ramp, then CDC running and paused at one rate"),
    primaryLatencyOverhead: z
      .object({
        targetOpsPerS: z.number(),
        runningP50Ms: nMs,
        runningP99Ms: nMs,
        pausedP50Ms: nMs,
        pausedP99Ms: nMs,
        p50Ms: nMs.describe("running - paused p50 (ms); positive: CDC slowed the primary"),
        p99Ms: nMs.describe("running - paused p99 (ms)"),
      })
      .nullable()
      .describe("The primary's write latency with CDC running against CDC paused, at the same rate"),
  })
  .describe("Scenario capacity: the write traffic the standby absorbed, and what CDC cost the primary");

const faultRecord = z.object({
  id: z.number(),
  name: z.string().describe("Fault name, e.g. kill-cdc"),
  startedAt: ms("When the fault was injected"),
  endedAt: z.number().nullable().describe("When it ended (epoch ms); null if it never did"),
  error: z.string().optional(),
});

const recovery = z.object({
  faultId: z.number(),
  fault: z.string(),
  startedAt: ms("When the fault started"),
  endedAt: z
    .number()
    .nullable()
    .optional()
    .describe("When the fault ended: restart done, partition / delay / pause healed (epoch ms)"),
  status: z
    .enum(["recovered", "late", "unknown"])
    .describe("As checkpoint-recovery judged it: within the bound, not within it, or not observable"),
  recoveredAt: z
    .number()
    .nullable()
    .describe("When the standby heartbeat moved past its pre-kill value (epoch ms); null if not seen"),
  recoveryMs: duration("Time from the restart (end of the kill) until recovery"),
  why: z.string().optional().describe("For late and unknown: why"),
  aimedAt: z
    .number()
    .optional()
    .describe(
      "A star: the standby (1-based) this fault was aimed at, another than the first: never injected into the first, so unknown here and left out of the recovery figures (its recovery is in checks[].standbys of checkpoint-recovery)",
    ),
});

const phaseRecord = z
  .object({
    name: z.string().describe("Phase name, e.g. provision, workload, settle, final-read, teardown"),
    startedAt: ms("When the phase started"),
    durationMs: z.number().describe("How long it ran, in milliseconds"),
    outcome: z
      .enum(["ok", "failed", "cancelled", "skipped"])
      .describe("ok, failed, cancelled (the drill was cancelled while it ran) or skipped (does not apply)"),
    detail: z.string().optional().describe("Why it failed, was cancelled or was skipped"),
  })
  .describe("One phase of the drill");

export const drillReportSchema = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION).describe("Bumped on any incompatible change"),
    tool: z.object({ name: z.literal("milvus-cdc-drill"), version: z.string() }),
    verdict: z
      .enum(["pass", "fail", "unknown", "skipped", "error"])
      .describe(
        "Combined verdict: fail > unknown > pass (skipped checks are ignored). error: the harness itself could not run the drill.",
      ),
    startedAt: ms("Drill start"),
    finishedAt: ms("Drill end"),
    mode: z.enum(["drill", "verify"]).describe("A whole drill, or verify of two live clusters (no history)"),
    seed: z.number().optional().describe("Seed of the drill: replays it exactly (absent for verify)"),
    profile: z.string().nullable(),
    backend: z.object({
      name: z.string().describe("local, kind or existing"),
      details: z.record(z.string(), z.string()).describe("Versions and other facts (Milvus, operator, ...)"),
    }),
    error: z
      .object({ phase: z.string(), message: z.string() })
      .optional()
      .describe("Set when verdict is error: what went wrong and in which phase"),
    reason: z
      .string()
      .optional()
      .describe(
        'Why the verdict was decided without the checks, e.g. "cancelled in workload" (verdict unknown)',
      ),
    checks: z.array(checkResult),
    metrics: z.object({
      lag: lagStats.optional(),
      lagSeries: z
        .array(z.object({ t: ms("Sample time"), lagMs: z.number() }))
        .optional()
        .describe("Lag over time, downsampled for charts"),
      faults: z.array(faultRecord).optional(),
      recoveries: z
        .array(recovery)
        .optional()
        .describe("Per nemesis fault (kill-cdc, restarts, partition, ...): as checkpoint-recovery judged it"),
      catchUpMs: duration("Catch-up time after writes stopped").optional(),
      opsPerSec: z.number().nullable().optional(),
      ops: z.object({ ok: z.number(), fail: z.number(), info: z.number() }).optional(),
      rowsCompared: z.number(),
      collectionsCompared: z.number().describe("Collections read on both sides and compared"),
      rpo: z
        .object({
          lostWrites: z
            .number()
            .describe("Acknowledged writes missing on the new primary after the role change"),
          windowMs: duration(
            "From the last acknowledged write the new primary had to the loss of the old one",
          ),
        })
        .optional()
        .describe("Scenarios switchover and failover"),
      rtoMs: duration("Writes stopped or primary lost -> first write acknowledged by the new primary")
        .optional()
        .describe("Scenarios switchover and failover"),
      triggers: z
        .array(
          z.object({
            trigger: z
              .string()
              .describe("load-release, add-field, auto-id-upserts, partition-key or dynamic-field"),
            collection: z.string(),
            ran: z.string().describe("What the drill did: the trigger's DDL steps, or its writes counted"),
            ok: z.number(),
            fail: z.number(),
            info: z.number(),
            produced: z.string().describe("The state it left on the primary and on the standby"),
          }),
        )
        .optional()
        .describe("Workload triggers (docs/upstream-bugs.md): what each did and produced"),
      lagMetric: lagMetricStats.optional(),
      capacity: capacityStats.optional(),
      lagMetricSeries: z
        .array(z.object({ t: ms("Scrape time"), lagMs: z.number() }))
        .optional()
        .describe("Milvus's lag metric over time, downsampled for charts"),
      standbys: z
        .record(
          z.string(),
          z.object({
            lag: lagStats,
            lagSeries: z
              .array(z.object({ t: ms("Sample time"), lagMs: z.number() }))
              .describe("This standby's lag over time, downsampled for charts"),
            recoveries: z
              .array(recovery)
              .describe("Per nemesis fault, as checkpoint-recovery judged it on this standby"),
            catchUpMs: duration("This standby's catch-up time after writes stopped"),
            lagMetric: lagMetricStats
              .optional()
              .describe("Milvus's lag metric from this standby's edge's series, as lag-metric judged it"),
          }),
        )
        .optional()
        .describe(
          "A star (topology.standbys > 1): each standby's own figures by cluster id, the first standby first; the top-level lag, lagSeries, recoveries, catchUpMs and lagMetric are the first standby's",
        ),
    }),
    steps: z
      .array(
        z.object({
          name: z.string(),
          startedAt: ms("When the step started"),
          durationMs: z.number(),
          ok: z.boolean(),
          primary: z.string().optional().describe("Cluster id of the primary once the step was done"),
          error: z.string().optional(),
          standby: z
            .string()
            .optional()
            .describe("A star's role change: cluster id of the standby the step was about"),
        }),
      )
      .optional()
      .describe("Role-change steps (scenarios switchover and failover), in the order they ran"),
    seeding: z
      .object({
        backup: z.string(),
        cluster: z.string(),
        points: z.array(
          z.object({
            pchannel: z.string(),
            timeTick: z.string(),
            messageId: z.string(),
            wallMs: ms("The point's wall-clock time (time tick >> 18)"),
          }),
        ),
        rowsBackedUp: z.number(),
        rowsSeeded: z.number().nullable(),
        checkpoints: z.array(z.object({ pchannel: z.string(), timeTick: z.string().nullable() })),
        pointsFrom: z
          .string()
          .optional()
          .describe(
            "Where the points came from when not from the backup's meta (existing backend: the standby's checkpoint after the restore)",
          ),
      })
      .optional()
      .describe("Scenario seed: the backup point per channel and the rows seeded"),
    scenario: z.string().optional().describe("replication, switchover, failover, seed or capacity"),
    phases: z
      .array(phaseRecord)
      .optional()
      .describe("The drill's phases in the order they ran; absent for a report not made by a drill (verify)"),
    files: z.array(z.string()).describe("Files of the run directory, relative to it"),
    replayCommand: z.string().optional().describe("The exact command that replays this run"),
  })
  .describe(
    "Result of one milvus-cdc-drill disaster-recovery drill (primary -> standby replication through Milvus CDC). Unknown fields must be ignored: fields are only added, as optional, within a schemaVersion.",
  );

/** Parsed reports are the model itself: this line fails to compile if the mirror loses a field. */
export type ParsedReport = z.infer<typeof drillReportSchema>;
const _parsedIsModel = (r: ParsedReport): DrillReport => r;
void _parsedIsModel;

/** The JSON Schema as published in schema/report.schema.json. */
export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(drillReportSchema, { io: "input", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: REPORT_SCHEMA_ID,
    title: `milvus-cdc-drill report (schemaVersion ${REPORT_SCHEMA_VERSION})`,
    ...rest,
  };
}
