import type { BackupPoint } from "../backends/types.js";
import type { Pk, StepEvent } from "../history/types.js";
import type { SeedSummary } from "../report/model.js";
import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistorySource, indexHistory, type KeyWrite } from "./history-index.js";
import { holds } from "./role-change.js";
import type { CheckResult, FinalState } from "./types.js";

/** Which side of its channel's backup point a write was on, judged on what the client saw. */
export type PointSide = "before" | "after" | "at";

/** What the history says about a seeding (scenario seed): the backup's points and where the restore left the standby. */
export interface SeedFacts {
  backup: StepEvent;
  restore: StepEvent | undefined;
  /** Source pchannel -> its point. */
  points: Map<string, BackupPoint>;
  /** Where the points came from when not from the backup's meta (existing: the standby's checkpoint). */
  pointsFrom?: string;
  /** Collection -> the source pchannel it lived on at the backup, and its rows then. */
  collections: Map<string, { pchannel: string; rows: number }>;
  /** Source pchannel -> the standby's checkpoint right after the restore (null: none). */
  checkpoints: Map<string, string | null>;
  /** Whether the standby still held the configuration as a secondary right after the restore (seed.ts standbyRole). */
  standby?: { role: string; why: string };
  /** The first write after replication was configured (seed.ts): failed when the standby did not show it. */
  firstWrite?: StepEvent;
}

/** Wall-clock ms of a hybrid time tick (physical << 18 | logical). */
export function wallMs(tt: string): number {
  return Number(BigInt(tt) >> 18n);
}

/** The seeding's facts, from the first backup and restore steps; null when the run seeded nothing. */
export function seedFacts(history: HistorySource): SeedFacts | null {
  const idx = indexHistory(history);
  const backup = idx.steps.find((s) => s.name === "backup");
  if (!backup) return null;
  const restore = idx.steps.find((s) => s.name === "restore");
  const firstWrite = idx.steps.find((s) => s.name === "first-replicated-write");
  const d = (backup.detail ?? {}) as {
    points?: BackupPoint[];
    collections?: Array<{ name: string; pchannel: string; rows: number }>;
  };
  const r = (restore?.detail ?? {}) as {
    checkpoints?: Array<{ pchannel: string; timeTick: string | null }>;
    standby?: { role: string; why: string };
    points?: BackupPoint[];
    pointsFrom?: string;
  };
  // A backend that cannot read the backup's meta (existing) gives the points as the restore left them:
  // the standby's checkpoint per channel (backends/existing/backend.ts restoreSecondary says why the
  // check still sees a gap or an overlap there).
  const points = d.points?.length ? d.points : (r.points ?? []);
  return {
    backup,
    restore,
    ...(d.points?.length || !r.pointsFrom ? {} : { pointsFrom: r.pointsFrom }),
    points: new Map(points.map((p) => [p.pchannel, p])),
    collections: new Map((d.collections ?? []).map((c) => [c.name, { pchannel: c.pchannel, rows: c.rows }])),
    checkpoints: new Map((r.checkpoints ?? []).map((c) => [c.pchannel, c.timeTick])),
    ...(r.standby ? { standby: r.standby } : {}),
    ...(firstWrite ? { firstWrite } : {}),
  };
}

/** A write's side of a point: acknowledged before it, invoked after it, or in flight across it. */
export function sideOf(w: Pick<KeyWrite, "invokeTime" | "completeTime">, pointMs: number): PointSide {
  if (w.completeTime < pointMs) return "before";
  if (w.invokeTime > pointMs) return "after";
  return "at";
}

const SIDE_TEXT: Record<PointSide, string> = {
  before: "before the backup point (it came with the backup)",
  after: "after the backup point (it came through CDC)",
  at: "in flight at the backup point (either way)",
};

/**
 * Scenario seed: every write the primary acknowledged is on the standby exactly once, judged per channel
 * around the backup point. A write acknowledged before its channel's point came with the backup; one
 * sent after it came through CDC, which resumes strictly after the point. A missing key (its last
 * acknowledged write not held: a gap between the point and where CDC resumed) and a doubled key (held
 * twice: a replay of writes the backup already had) are named with the side of the point they were on,
 * and with where the restore left that channel's checkpoint.
 */
export function checkSeedAlignment(history: HistorySource, final: FinalState): CheckResult {
  const facts = seedFacts(history);
  if (!facts) return skipped("seed-alignment", "no standby was seeded from a backup in this run");
  const idx = indexHistory(history);
  const failures = new EvidenceSample();
  const blind = new EvidenceSample();
  if (!facts.backup.ok || !facts.restore?.ok || facts.points.size === 0) {
    const what = !facts.backup.ok ? "backup" : !facts.restore ? "restore (never ran)" : "restore";
    const err = !facts.backup.ok ? facts.backup.error : facts.restore?.error;
    blind.add({
      message:
        facts.backup.ok && facts.restore?.ok
          ? `no backup point was recorded on any channel${facts.pointsFrom ? ` (points from ${facts.pointsFrom}: the restore left none)` : ""}`
          : `the seeding did not complete: ${what}${err ? `: ${err}` : ""}`,
    });
  }
  // A standby that is no longer a secondary right after the restore: CDC stopped itself and the
  // secondary became a primary (milvus-io/milvus#52727). Unread (unknown) is not a failure.
  if (facts.standby?.role === "not-secondary")
    failures.add({
      kind: "not-secondary",
      message: `right after the restore the standby is no longer a secondary: ${facts.standby.why} (CDC stopped itself after seeding and the secondary became a primary: milvus-io/milvus#52727)`,
    });
  // The seeding completed but the stream did not carry the first write after it: CDC is not resuming
  // from where the restore left the standby (a gap that swallowed DDL the later writes need wedges it).
  if (facts.firstWrite && !facts.firstWrite.ok)
    failures.add({
      kind: "first-write-not-shown",
      message: `after the seeding, replication did not carry the first write: ${facts.firstWrite.error ?? "the step failed"}`,
    });
  // One point time for collections created after the backup (every write to them came through CDC).
  const anyPoint = [...facts.points.values()][0];
  // Points read from the standby's checkpoint (existing) come without the backup's collections: a
  // collection's channel is not known, so its writes are judged against the earliest point and named
  // with no channel. Missing and doubled keys show all the same; only their side leans on the point.
  const earliest = [...facts.points.values()].sort((a, b) =>
    BigInt(a.timeTick) < BigInt(b.timeTick) ? -1 : 1,
  )[0];
  const perChannel = new Map<string, { before: number; after: number; at: number }>();
  let keys = 0;
  const where = (pch: string, pointTt: string): string => {
    const cp = facts.checkpoints.get(pch);
    if (cp === undefined) return "";
    if (cp === null) return `; the restore left no checkpoint on ${pch}`;
    const d = wallMs(cp) - wallMs(pointTt);
    const rel =
      BigInt(cp) === BigInt(pointTt)
        ? "at the point"
        : d >= 0 && BigInt(cp) > BigInt(pointTt)
          ? `${d} ms past the point`
          : `${-d} ms before the point`;
    return `; the restore left ${pch}'s checkpoint at tt ${cp} (${rel})`;
  };
  if (blind.total === 0) {
    for (const c of final.collections) {
      const perKey = idx.writes.get(c.name);
      if (!perKey || perKey.size === 0) continue;
      const dropAt = idx.dropped.get(c.name);
      if (dropAt !== undefined && c.target.exists === false) continue;
      const known = facts.collections.get(c.name);
      const point = known ? facts.points.get(known.pchannel) : facts.pointsFrom ? earliest : anyPoint;
      if (!point) {
        blind.add({
          collection: c.name,
          message: `${c.name}: no backup point for channel ${known?.pchannel}`,
        });
        continue;
      }
      if (!c.target.reachable || (c.target.exists !== false && c.target.count === null)) {
        blind.add({
          collection: c.name,
          message: `${c.name}: not read on the standby${c.target.error ? ` (${c.target.error})` : ""}`,
        });
        continue;
      }
      const pch = known || !facts.pointsFrom ? point.pchannel : "channel not known";
      const pointMs = wallMs(point.timeTick);
      // Born after the backup: at the point it did not exist, so every write to it is on the CDC side.
      const born = known || facts.pointsFrom ? undefined : "after";
      const tally = perChannel.get(pch) ?? { before: 0, after: 0, at: 0 };
      perChannel.set(pch, tally);
      const doubled = new Set<Pk>(final.seed?.doubled[c.name] ?? []);
      for (const [pk, ws] of perKey) {
        let need: KeyWrite | undefined;
        let lastInsert: KeyWrite | undefined;
        for (const w of ws) {
          if (w.outcome === "ok" && (!need || w.ver > need.ver)) need = w;
          if (w.kind !== "delete" && w.outcome !== "fail") lastInsert = w;
        }
        if (!need) continue;
        keys += 1;
        const side = born ?? sideOf(need, pointMs);
        tally[side] += 1;
        const shown = c.target.versions[pk] ?? null;
        if (!holds(ws, need, shown)) {
          failures.add({
            collection: c.name,
            pk,
            opId: need.opId,
            kind: "missing",
            side,
            pchannel: pch,
            message: `${c.name} (${pch}): missing: key ${pk} ver ${need.ver} (op ${need.opId}, ${need.kind}) was acknowledged ${SIDE_TEXT[side]}; the standby has ${shown === null ? "the key absent" : `ver ${shown}`}${where(pch, point.timeTick)}`,
          });
        }
        if (doubled.has(pk)) {
          const w = lastInsert ?? need;
          const s = born ?? sideOf(w, pointMs);
          failures.add({
            collection: c.name,
            pk,
            opId: w.opId,
            kind: "doubled",
            side: s,
            pchannel: pch,
            message: `${c.name} (${pch}): doubled: key ${pk} is held more than once on the standby; its last insert (op ${w.opId}, ver ${w.ver}) was ${SIDE_TEXT[s]}${where(pch, point.timeTick)}`,
          });
        }
      }
      // Duplicates seen by count(*) but not attributed to keys: still a key written twice.
      const extra = (c.target.count ?? 0) - (c.target.distinctKeys ?? 0);
      if (extra > 0 && doubled.size === 0) {
        if (final.seed?.error || !final.seed)
          failures.add({
            collection: c.name,
            kind: "doubled",
            pchannel: pch,
            message: `${c.name} (${pch}): doubled: count(*) ${c.target.count} is above the ${c.target.distinctKeys} distinct keys on the standby (keys not identified${final.seed?.error ? `: ${final.seed.error}` : ""})${where(pch, point.timeTick)}`,
          });
      }
    }
  }
  const channels = perChannel.size;
  const sum = (k: keyof { before: number; after: number; at: number }) =>
    [...perChannel.values()].reduce((n, t) => n + t[k], 0);
  return judge("seed-alignment", {
    failures,
    blind,
    observed: keys,
    tooFew: "no acknowledged write was judged against the standby",
    passSummary: `every acknowledged write is on the standby exactly once: ${keys} key(s) on ${channels} channel(s), ${sum("before")} acknowledged before the backup point, ${sum("after")} after it, ${sum("at")} in flight at it`,
    stats: {
      keys,
      channels,
      before: sum("before"),
      after: sum("after"),
      at: sum("at"),
      missing: failures.byKind.get("missing") ?? 0,
      doubled: failures.byKind.get("doubled") ?? 0,
      notSecondary: failures.byKind.get("not-secondary") ?? 0,
      firstWriteNotShown: failures.byKind.get("first-write-not-shown") ?? 0,
    },
  });
}

/** The report's seed section, from the history's backup and restore steps; undefined when nothing was seeded. */
export function seedSummary(history: HistorySource): SeedSummary | undefined {
  const f = seedFacts(history);
  if (!f) return undefined;
  const d = (f.backup.detail ?? {}) as { name?: string; cluster?: string; rows?: number };
  const r = (f.restore?.detail ?? {}) as { rowsSeeded?: number };
  return {
    backup: d.name ?? "",
    cluster: d.cluster ?? "",
    points: [...f.points.values()].map((p) => ({ ...p, wallMs: wallMs(p.timeTick) })),
    rowsBackedUp: d.rows ?? 0,
    rowsSeeded: typeof r.rowsSeeded === "number" ? r.rowsSeeded : null,
    checkpoints: [...f.checkpoints].map(([pchannel, timeTick]) => ({ pchannel, timeTick })),
    ...(f.pointsFrom ? { pointsFrom: f.pointsFrom } : {}),
  };
}
