/** Builders for report tests: realistic reports made of plain data, so each test states only what it varies. */
import type { CheckResult } from "../src/checkers/types.js";
import { type DrillReport, REPORT_SCHEMA_VERSION } from "../src/report/model.js";

export const T0 = Date.UTC(2026, 7, 1, 12, 0, 0);

export function check(
  name: CheckResult["name"],
  verdict: CheckResult["verdict"],
  summary?: string,
): CheckResult {
  return {
    name,
    verdict,
    summary: summary ?? `${name}: ${verdict}`,
    evidence: [],
    evidenceTotal: 0,
    observed: 1,
  };
}

/** A drill on the local backend: 60 s of lag samples, a CDC kill at 15 s and a pause at 40 s. */
export function baseReport(over: Partial<DrillReport> = {}): DrillReport {
  const lagSeries = Array.from({ length: 60 }, (_, i) => ({
    t: T0 + 5_000 + i * 1000,
    lagMs: i >= 15 && i < 19 ? 4000 - (i - 15) * 900 : 120 + (i % 7) * 10,
  }));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "milvus-cdc-drill", version: "0.1.0" },
    verdict: "pass",
    startedAt: T0,
    finishedAt: T0 + 75_000,
    mode: "drill",
    seed: 42,
    profile: "smoke",
    backend: { name: "local", details: { milvus: "milvus-lite 3.0.1", replicator: "reference 0.1.0" } },
    checks: [
      check("parity", "pass", "1,000 rows equal on both sides"),
      check("duplicates", "pass", "count(*) equals distinct keys on both sides"),
      check("monotonic-reads", "pass", "no key went back in version"),
      check("lag", "pass", "p99 lag 300 ms under the 5 s SLO"),
    ],
    metrics: {
      lag: { p50: 130, p95: 180, p99: 300, max: 4000, samples: 60, faultWindowSamples: 4 },
      lagSeries,
      faults: [
        { id: 1, name: "kill-cdc", startedAt: T0 + 20_000, endedAt: T0 + 21_500 },
        { id: 2, name: "pause-cdc", startedAt: T0 + 45_000, endedAt: T0 + 50_000 },
      ],
      recoveries: [
        {
          faultId: 1,
          fault: "kill-cdc",
          startedAt: T0 + 20_000,
          status: "recovered",
          recoveredAt: T0 + 24_000,
          recoveryMs: 4000,
        },
        {
          faultId: 2,
          fault: "pause-cdc",
          startedAt: T0 + 45_000,
          status: "late",
          recoveredAt: null,
          recoveryMs: null,
        },
      ],
      catchUpMs: 2300,
      opsPerSec: 85.4,
      ops: { ok: 5000, fail: 3, info: 7 },
      rowsCompared: 1000,
      collectionsCompared: 2,
    },
    files: ["history.jsonl", "final-state.json"],
    ...over,
  };
}

/** A failing drill: parity lost keys, prefix violated, checkpoint recovery unknown, search skipped. */
export function failingReport(over: Partial<DrillReport> = {}): DrillReport {
  const parity: CheckResult = {
    name: "parity",
    verdict: "fail",
    summary: "3 keys lost on the standby (on primary, not on standby) in drill_a",
    evidence: [
      {
        collection: "drill_a",
        pk: "1017",
        opId: 311,
        time: T0 + 20_400,
        message: "lost: acknowledged insert ver 2",
      },
      {
        collection: "drill_a",
        pk: "1018",
        opId: 312,
        time: T0 + 20_410,
        message: "lost: acknowledged insert ver 1",
      },
      {
        collection: "drill_a",
        pk: "1019",
        opId: 313,
        time: T0 + 20_420,
        message: "lost: acknowledged upsert ver 3",
        fields: ["ver", "vec"],
      },
    ],
    evidenceTotal: 3,
    observed: 1,
    stats: { lost: 3, compared: 1000 },
  };
  const prefix: CheckResult = {
    name: "prefix",
    verdict: "fail",
    summary: "standby shows op 420 but not op 311 acknowledged before it on drill_a-rootcoord-dml_0",
    evidence: [
      {
        collection: "drill_a",
        opId: 420,
        message: "visible while op 311 (acked earlier, same channel) is missing",
        channel: "dml_0",
      },
    ],
    evidenceTotal: 1,
    observed: 1,
  };
  return baseReport({
    verdict: "fail",
    checks: [
      parity,
      check("duplicates", "pass", "count(*) equals distinct keys on both sides"),
      prefix,
      check("checkpoint-recovery", "unknown", "GetReplicateInfo unavailable on this backend"),
      check("search-parity", "skipped", "no search phase in this profile"),
      check("lag", "pass", "p99 lag 300 ms under the 5 s SLO"),
    ],
    ...over,
  });
}

export function errorReport(over: Partial<DrillReport> = {}): DrillReport {
  return baseReport({
    verdict: "error",
    error: { phase: "provision", message: "milvus-lite did not listen on 127.0.0.1:19531 within 60 s" },
    checks: [],
    metrics: {
      lag: { p50: null, p95: null, p99: null, max: null, samples: 0, faultWindowSamples: 0 },
      lagSeries: [],
      faults: [],
      recoveries: [],
      catchUpMs: null,
      opsPerSec: null,
      ops: { ok: 0, fail: 0, info: 0 },
      rowsCompared: 0,
      collectionsCompared: 0,
    },
    ...over,
  });
}
