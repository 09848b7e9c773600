import { EvidenceSample } from "./evidence.js";
import type { KeysObservation } from "./history-index.js";

/**
 * When the standby answered none of the monitor's reads, the ordering checks are blind, and say so
 * with the first error (rather than "saw nothing", which would read like a quiet standby).
 */
export function standbyUnreadable(obs: readonly KeysObservation[]): EvidenceSample | undefined {
  const failed = obs.filter((o) => o.error !== undefined);
  if (failed.length === 0 || failed.length < obs.length) return undefined;
  const blind = new EvidenceSample();
  const first = failed[0] as KeysObservation;
  blind.add({
    collection: first.collection,
    time: first.time,
    message: `standby unreadable: all ${failed.length} read(s) failed (first: ${first.error})`,
  });
  return blind;
}
