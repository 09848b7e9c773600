import type { Pk } from "../history/types.js";
import { EvidenceSample, judge, skipped } from "./evidence.js";
import { type HistorySource, indexHistory, keyWrites } from "./history-index.js";
import type {
  CheckResult,
  CollectionFinal,
  FinalState,
  IndexInfo,
  NormalizedSchema,
  SideFinal,
} from "./types.js";

const OPS_PER_KEY = 5;

/** JSON with sorted object keys, so two structurally equal values compare equal whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === "object" && !Array.isArray(val)) {
      return Object.fromEntries(
        Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    }
    return val;
  });
}

function schemaKey(s: NormalizedSchema | undefined): string {
  if (!s) return "none";
  return canonical({ ...s, fields: [...s.fields].sort((a, b) => (a.name < b.name ? -1 : 1)) });
}

function indexesKey(list: readonly IndexInfo[]): string {
  return canonical([...list].map(canonical).sort());
}

function sortedKey(list: readonly string[]): string {
  return JSON.stringify([...list].sort());
}

/** Keys present on `a` and not on `b`, from the scanned version maps (the collector's lists may be cut). */
function missingFrom(a: SideFinal, b: SideFinal): Pk[] {
  return Object.keys(a.versions).filter((pk) => !(pk in b.versions));
}

/**
 * Final parity of every compared collection. The collector's onlySource/onlyTarget/mismatched lists are
 * merged with what the version maps show, so a collector that cut its lists cannot hide a difference.
 * A key only on the standby is a zombie when the history deleted it on the primary, else unexpected.
 */
export function checkParity(history: HistorySource, final: FinalState): CheckResult {
  const idx = indexHistory(history);
  if (final.collections.length === 0) {
    // The drill wrote data and then compared nothing: that is blindness, not a check that does not apply.
    if (idx.writes.size === 0) return skipped("parity", "no collections were compared");
  }
  const failures = new EvidenceSample();
  const blind = new EvidenceSample();
  const stats = {
    collections: 0,
    rowsCompared: 0,
    lost: 0,
    unexpected: 0,
    zombie: 0,
    mismatched: 0,
    countMismatch: 0,
    loadState: 0,
  };

  if (!final.sourceReachable) blind.add({ message: "the primary could not be read at the end" });
  if (!final.targetReachable) blind.add({ message: "the standby could not be read at the end" });

  for (const c of final.collections) {
    if (!c.source.reachable || !c.target.reachable) {
      const side = !c.source.reachable ? "primary" : "standby";
      const err = (!c.source.reachable ? c.source.error : c.target.error) ?? "unreachable";
      blind.add({ collection: c.name, message: `${c.name}: the ${side} could not be scanned (${err})` });
      continue;
    }
    compareShape(c, failures);
    stats.loadState += compareLoadState(c, failures, blind);
    const unread = c.source.rowsUnread ?? c.target.rowsUnread;
    if (unread !== undefined) {
      const side = c.source.rowsUnread !== undefined ? "primary" : "standby";
      blind.add({ collection: c.name, message: `${c.name}: rows not compared, the ${side}'s ${unread}` });
      continue;
    }
    stats.collections += 1;
    stats.rowsCompared += c.rowsCompared;

    if (c.source.count !== null && c.target.count !== null && c.source.count !== c.target.count) {
      stats.countMismatch += 1;
      failures.add({
        collection: c.name,
        kind: "count",
        message: `${c.name}: count(*) is ${c.source.count} on the primary and ${c.target.count} on the standby`,
        sourceCount: c.source.count,
        targetCount: c.target.count,
      });
    } else if (c.source.count === null || c.target.count === null) {
      blind.add({ collection: c.name, message: `${c.name}: count(*) was not read on both sides` });
    }

    const lost = new Set([...c.onlySource, ...missingFrom(c.source, c.target)]);
    const lostTotal = Math.max(c.onlySourceTotal, lost.size);
    stats.lost += lostTotal;
    for (const pk of lost) {
      const ops = keyWrites(idx, c.name, pk)
        .filter((w) => w.outcome !== "fail")
        .slice(-OPS_PER_KEY)
        .map((w) => w.opId);
      failures.add({
        collection: c.name,
        pk,
        opId: ops[ops.length - 1],
        ops,
        kind: "lost",
        message: `${c.name}: key ${pk} is on the primary (ver ${c.source.versions[pk] ?? "?"}) but lost on the standby; written by op(s) ${ops.join(", ") || "none in the history"}`,
      });
    }
    failures.count("lost", lostTotal - lost.size);

    const extra = new Set([...c.onlyTarget, ...missingFrom(c.target, c.source)]);
    const extraTotal = Math.max(c.onlyTargetTotal, extra.size);
    let zombies = 0;
    for (const pk of extra) {
      const deletes = keyWrites(idx, c.name, pk).filter((w) => w.kind === "delete" && w.outcome !== "fail");
      const last = deletes[deletes.length - 1];
      if (last) {
        zombies += 1;
        failures.add({
          collection: c.name,
          pk,
          opId: last.opId,
          kind: "zombie",
          message: `${c.name}: key ${pk} was deleted on the primary (op ${last.opId}, ver ${last.ver}) but is still on the standby (ver ${c.target.versions[pk] ?? "?"})`,
        });
      } else {
        failures.add({
          collection: c.name,
          pk,
          kind: "unexpected",
          message: `${c.name}: key ${pk} is on the standby but was never on the primary`,
        });
      }
    }
    // Keys the collector counted but did not list cannot be told zombie from unexpected.
    failures.count("unexpected", extraTotal - extra.size);
    stats.zombie += zombies;
    stats.unexpected += extraTotal - zombies;

    const mismatched = new Map<
      Pk,
      { fields: string[]; details?: Record<string, { source: string; target: string }> }
    >(c.mismatched.map((m) => [m.pk, m]));
    for (const [pk, ver] of Object.entries(c.source.versions)) {
      const tv = c.target.versions[pk];
      if (tv !== undefined && tv !== ver && !mismatched.has(pk))
        mismatched.set(pk, {
          fields: ["ver"],
          details: { ver: { source: String(ver), target: String(tv) } },
        });
    }
    const mismatchedTotal = Math.max(c.mismatchedTotal, mismatched.size);
    stats.mismatched += mismatchedTotal;
    for (const [pk, { fields, details }] of mismatched) {
      const values = fields
        .map((f) => {
          const d = details?.[f];
          return d ? `${f}: primary ${clipValue(d.source)}, standby ${clipValue(d.target)}` : f;
        })
        .join("; ");
      failures.add({
        collection: c.name,
        pk,
        kind: "mismatched",
        fields,
        message: `${c.name}: key ${pk} differs (${values}) (ver ${c.source.versions[pk] ?? "?"} on the primary, ${c.target.versions[pk] ?? "?"} on the standby)`,
      });
    }
    failures.count("mismatched", mismatchedTotal - mismatched.size);
  }
  return judge("parity", {
    failures,
    blind,
    observed: stats.collections,
    tooFew: "no collection could be read on both sides",
    passSummary: `${stats.collections} collection(s) identical, ${stats.rowsCompared} rows compared`,
    stats,
  });
}

/** A value in a one-line message: long vectors and strings are cut, both sides the same way. */
function clipValue(v: string): string {
  return v.length > 60 ? `${v.slice(0, 60)}…` : v;
}

/** A schema as JSON can be long; the evidence line stays readable and the diff is in the final state file. */
function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}...` : s;
}

function compareShape(c: CollectionFinal, failures: EvidenceSample): void {
  const parts: Array<[string, string, string]> = [
    ["schema", schemaKey(c.source.schema), schemaKey(c.target.schema)],
    ["indexes", indexesKey(c.source.indexes), indexesKey(c.target.indexes)],
    ["partitions", sortedKey(c.source.partitions), sortedKey(c.target.partitions)],
    ["aliases", sortedKey(c.source.aliases), sortedKey(c.target.aliases)],
  ];
  for (const [what, s, t] of parts) {
    if (s !== t) {
      const which = what === "schema" ? fieldsApart(c) : "";
      failures.add({
        collection: c.name,
        kind: what,
        message: `${c.name}: ${what} differ${which}: primary ${clip(s)}, standby ${clip(t)}`,
      });
    }
  }
}

/**
 * Load state is part of parity: a collection or partition loaded on the primary and released on the
 * standby (or the other way) is a difference, since a standby must serve the reads the primary serves
 * (milvus-io/milvus#44478: partition load/release not replicated).
 */
function compareLoadState(c: CollectionFinal, failures: EvidenceSample, blind: EvidenceSample): number {
  const s = c.source.load;
  const t = c.target.load;
  if (!s && !t) return 0;
  if (c.source.exists === false || c.target.exists === false) return 0;
  if (!s || !t) {
    const side = !s ? "primary" : "standby";
    blind.add({ collection: c.name, message: `${c.name}: the ${side}'s load state could not be read` });
    return 0;
  }
  const diffs: string[] = [];
  if (s.collection !== t.collection)
    diffs.push(`collection ${c.name} is ${s.collection} on the primary and ${t.collection} on the standby`);
  for (const p of Object.keys(s.partitions).sort()) {
    const sp = s.partitions[p];
    const tp = t.partitions[p];
    // A partition missing on one side is already a partitions difference.
    if (tp !== undefined && sp !== tp)
      diffs.push(`partition ${p} is ${sp} on the primary and ${tp} on the standby`);
  }
  for (const d of diffs) {
    failures.add({
      collection: c.name,
      kind: "load-state",
      message: `${c.name}: load state differs: ${d}`,
    });
  }
  return diffs.length;
}

/** A schema's JSON is clipped in the message: the fields only one side has are named up front. */
function fieldsApart(c: CollectionFinal): string {
  const names = (x: SideFinal) => new Set((x.schema?.fields ?? []).map((f) => f.name));
  const s = names(c.source);
  const t = names(c.target);
  const onlyS = [...s].filter((n) => !t.has(n)).sort();
  const onlyT = [...t].filter((n) => !s.has(n)).sort();
  const parts = [
    ...(onlyS.length ? [`fields only on the primary: ${onlyS.join(", ")}`] : []),
    ...(onlyT.length ? [`fields only on the standby: ${onlyT.join(", ")}`] : []),
  ];
  return parts.length ? ` (${parts.join("; ")})` : "";
}
