import type { CompletionEvent, InvokeEvent } from "../history/types.js";
import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistoryIndex, type HistorySource, indexHistory } from "./history-index.js";
import type { CheckResult, FinalState } from "./types.js";

/** What Milvus answers a client write on a secondary cluster (pymilvus sees it as code 65535). */
export const REPLICATE_VIOLATION = "non-replicate message cannot be received in secondary role";
export const REPLICATE_VIOLATION_CODE = 65535;

export function refusedAsSecondary(
  error: string | undefined,
  detail: Record<string, unknown> | undefined,
): boolean {
  if (error?.includes(REPLICATE_VIOLATION)) return true;
  const code = detail?.code;
  return code === REPLICATE_VIOLATION_CODE || code === String(REPLICATE_VIOLATION_CODE);
}

type ProbeValue = Extract<InvokeEvent["value"], { f: "probe-standby-write" }>;

/** A client write probe as both probe checks judge it: what it asked, and how the cluster answered. */
export interface WriteProbe {
  invoke: InvokeEvent;
  completion: CompletionEvent | undefined;
  v: ProbeValue;
  /** The evidence fields every item about this probe carries. */
  base: { collection: string; pk: string; opId: number; time: number };
  /** accepted: a second writer; refused: Milvus's replicate violation; other: proves nothing. */
  answer: "accepted" | "refused" | "other";
}

/**
 * The write probes of the standby (demoted = false) or of the cluster that lost the primary role
 * (demoted = true), classified once for standby-read-only and promotion.
 */
export function writeProbes(idx: HistoryIndex, demoted: boolean): WriteProbe[] {
  const out: WriteProbe[] = [];
  for (const { invoke, completion } of idx.probes) {
    const v = invoke.value;
    if (v.f !== "probe-standby-write" || (v.purpose === "demoted") !== demoted) continue;
    const answer =
      completion?.type === "ok"
        ? "accepted"
        : completion?.type === "fail" && refusedAsSecondary(completion.error, completion.detail)
          ? "refused"
          : "other";
    const base = {
      collection: v.collection,
      pk: v.pk,
      opId: invoke.id,
      time: completion?.time ?? invoke.time,
    };
    out.push({ invoke, completion, v, base, answer });
  }
  return out;
}

/**
 * Proves what the README says: every client write sent to the standby is refused with the
 * replicate-violation error and leaves no row behind, AND reads on the standby work (a standby that
 * refuses everything is no standby). A probe whose outcome is unknown (or refused for another reason)
 * proves nothing either way, so it only makes the verdict unknown when no other probe was cleanly refused;
 * a read that got no answer (readOk absent) likewise, when no other read was served.
 */
export function checkStandbyReadOnly(history: HistorySource, final: FinalState): CheckResult {
  const idx = indexHistory(history);
  const failures = new EvidenceSample();
  const inconclusive = new EvidenceSample();
  const blind = new EvidenceSample();
  let refused = 0;
  let readsOk = 0;
  const unanswered = new EvidenceSample();
  let traceChecked = 0;
  // The demoted cluster's probes belong to the promotion check.
  const probeList = writeProbes(idx, false);
  const probes = probeList.length;
  for (const { invoke, completion, v, base, answer } of probeList) {
    if (answer === "accepted") {
      failures.add({
        ...base,
        kind: "write accepted",
        message: `the standby ACCEPTED write probe op ${invoke.id} (${v.collection} key ${v.pk})`,
      });
    } else if (answer === "refused") {
      refused += 1;
    } else {
      const why =
        completion?.type === "fail"
          ? `was refused with another error: ${completion.error ?? JSON.stringify(completion.detail ?? {})}`
          : "has an unknown outcome";
      inconclusive.add({ ...base, message: `write probe op ${invoke.id} on the standby ${why}` });
    }
    const readOk = completion?.detail?.readOk;
    const readError = completion?.detail?.readError;
    if (readOk === true) readsOk += 1;
    else if (readOk === false) {
      failures.add({
        ...base,
        kind: "read failed",
        message: `a read of ${v.collection} on the standby failed right after write probe op ${invoke.id}${typeof readError === "string" ? `: ${readError}` : ""}`,
      });
    } else if (typeof readError === "string") {
      // No answer (no connection, a timeout): the standby neither served nor refused the read.
      unanswered.add({
        ...base,
        message: `a read of ${v.collection} on the standby after write probe op ${invoke.id} got no answer: ${readError}`,
      });
    }
    const side = final.collections.find((c) => c.name === v.collection)?.target;
    if (!side?.reachable) continue;
    traceChecked += 1;
    const trace = side.versions[v.pk];
    if (trace !== undefined) {
      failures.add({
        ...base,
        kind: "trace left",
        message: `probe key ${v.pk} is on the standby in ${v.collection} (ver ${trace}) at the end`,
      });
    }
  }
  if (probes === 0) return skipped("standby-read-only", "no write probes were sent to the standby");
  if (refused === 0) for (const e of inconclusive.items) blind.add(e);
  if (readsOk === 0) {
    if (unanswered.total === 0)
      blind.add({ message: "no read of the standby was tried after a write probe" });
    for (const e of unanswered.items) blind.add(e);
  }
  if (traceChecked === 0)
    blind.add({ message: "the standby was not scanned at the end: a probe could have left a row" });
  return judge("standby-read-only", {
    failures,
    blind,
    observed: Math.min(refused, readsOk, traceChecked),
    tooFew: "no write probe was refused with the replicate-violation error",
    passSummary: `${refused}/${probes} write probe(s) refused by the standby, which still served reads and kept no trace`,
    stats: { probes, refused, readsOk, readsUnanswered: unanswered.total, inconclusive: inconclusive.total },
  });
}
