import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistorySource, indexHistory } from "./history-index.js";
import { REPLICATE_VIOLATION, writeProbes } from "./standby-read-only.js";
import type { CheckResult } from "./types.js";

/**
 * No split brain: the new primary took a write, and the cluster that lost the role refused client
 * writes with Milvus's replicate-violation error. A demoted cluster that accepts a write is a second
 * writer; one that answers with another error, or not at all, proves nothing.
 */
export function checkPromotion(history: HistorySource): CheckResult {
  const idx = indexHistory(history);
  const rc = idx.roleChange;
  if (!rc) return skipped("promotion", "no role change in this run");
  const failures = new EvidenceSample();
  const unknowns = new EvidenceSample();
  const first = rc.steps.get("first-write");
  if (first && !first.ok) {
    failures.add({
      time: first.time,
      message: `the new primary${rc.newPrimary ? ` ${rc.newPrimary}` : ""} refused its first write: ${first.error ?? "no answer"}`,
    });
  } else if (!first) {
    unknowns.add({ message: "no write was sent to the new primary" });
  }
  let refused = 0;
  const inconclusive = new EvidenceSample();
  const probeList = writeProbes(idx, true);
  const probes = probeList.length;
  for (const { invoke, completion, v, base, answer } of probeList) {
    const where = v.cluster ? `the demoted cluster ${v.cluster}` : "the demoted cluster";
    if (answer === "accepted") {
      failures.add({
        ...base,
        cluster: v.cluster,
        message: `split brain: ${where} ACCEPTED client write op ${invoke.id} (${v.collection} key ${v.pk}) after the role change`,
      });
    } else if (answer === "refused") {
      refused += 1;
    } else {
      inconclusive.add({
        ...base,
        message: `write probe op ${invoke.id} on ${where} ${completion?.type === "fail" ? `was refused with another error than "${REPLICATE_VIOLATION}": ${completion.error ?? ""}` : "has an unknown outcome"}`,
      });
    }
  }
  if (probes === 0) unknowns.add({ message: "the demoted cluster was never probed with a client write" });
  else if (refused === 0) for (const e of inconclusive.items) unknowns.add(e);
  return judge("promotion", {
    failures,
    blind: unknowns,
    // No split brain is proven only by a refusal from the demoted cluster, not by the absence of probes.
    observed: refused,
    tooFew: "no client write to the demoted cluster was refused with the replicate-violation error",
    passSummary: `the new primary took writes; the demoted cluster refused ${refused}/${probes} client write(s)`,
    stats: { probes, refused },
  });
}
