/**
 * History and final-state builders the checker tests share. One op id sequence per test file (vitest
 * loads this module afresh for each file), so every event a file builds, here or in its own builders
 * through nextOpId, has its own id.
 */
import type { CollectionFinal, SideFinal, Thresholds } from "../../src/checkers/types.js";
import type { HistoryEvent, Pk, StepEvent, StepName, WriteKind } from "../../src/history/types.js";

let lastId = 0;
/** The next op id of this test file. */
export const nextOpId = (): number => ++lastId;

/** One write op on `collection`: invoke at t, its outcome at t + 5. */
export function write(
  t: number,
  kind: WriteKind,
  pk: Pk,
  ver: number,
  outcome: "ok" | "fail" | "info" = "ok",
  collection = "c",
): HistoryEvent[] {
  const id = nextOpId();
  return [
    { type: "invoke", id, process: 0, time: t, value: { f: "write", kind, collection, keys: [{ pk, ver }] } },
    { type: outcome, id, process: 0, time: t + 5 },
  ];
}

/** A role-change step that succeeded, unless `over` says otherwise. */
export const step = (
  name: StepName,
  startedAt: number,
  time: number,
  over: Partial<StepEvent> = {},
): StepEvent => ({ type: "step", name, startedAt, time, ok: true, ...over });

/** One side of collection "c" holding `versions` (key -> version), its count and keys as many. */
export function side(versions: Record<Pk, number>, extra: Partial<SideFinal> = {}): SideFinal {
  const n = Object.keys(versions).length;
  return {
    reachable: true,
    count: n,
    distinctKeys: n,
    versions,
    indexes: [],
    partitions: [],
    aliases: [],
    ...extra,
  };
}

/** Collection "c" compared: the keys only one side holds listed, no version mismatched. */
export function coll(
  src: Record<Pk, number>,
  tgt: Record<Pk, number>,
  targetReachable = true,
): CollectionFinal {
  const onlySource = Object.keys(src).filter((k) => !(k in tgt));
  const onlyTarget = Object.keys(tgt).filter((k) => !(k in src));
  return {
    name: "c",
    source: side(src),
    target: side(tgt, { reachable: targetReachable }),
    onlySource,
    onlySourceTotal: onlySource.length,
    onlyTarget,
    onlyTargetTotal: onlyTarget.length,
    mismatched: [],
    mismatchedTotal: 0,
    rowsCompared: Object.keys(src).length,
  };
}

/** The role-change checks' thresholds in their unit tests (an RPO of 100 ms). */
export const ROLE_CHANGE_THRESHOLDS: Thresholds = {
  lagSloMs: 1000,
  recoveryTimeoutMs: 500,
  catchUpTimeoutMs: 5000,
  minRecall: 0.8,
  distanceEpsilon: 1e-6,
  rpoMs: 100,
  rtoMs: 1000,
};
