/**
 * What each workload trigger (issue 23; docs/upstream-bugs.md) did and what it left on both sides, for
 * the report's closing note. Read from the history (the trigger DDLs, the writes per collection, the
 * run's config in the header) and the final state; judges nothing: parity, prefix and the row model do.
 */
import type { TriggerRecord } from "../report/model.js";
import type { HistoryIndex, OpRecord } from "./history-index.js";
import { standbyFinal } from "./star.js";
import type { CollectionFinal, FinalState, LoadStateInfo, SideFinal } from "./types.js";

interface CollectionShape {
  name: string;
  autoId?: boolean;
  partitionKey?: boolean;
  dynamicField?: boolean;
  shards?: number;
}

interface TriggerFlags {
  loadRelease?: boolean;
  addField?: boolean;
  autoIdUpserts?: boolean;
}

/** The run's triggers and collections, from the config the header carries (unknown shape: read with care). */
function runConfig(idx: HistoryIndex): { triggers: TriggerFlags; collections: CollectionShape[] } {
  const w = (idx.header?.config as { workload?: { triggers?: unknown; collections?: unknown } } | undefined)
    ?.workload;
  const triggers = (w?.triggers && typeof w.triggers === "object" ? w.triggers : {}) as TriggerFlags;
  const collections = Array.isArray(w?.collections)
    ? (w.collections as CollectionShape[]).filter((c) => typeof c?.name === "string")
    : [];
  return { triggers, collections };
}

/**
 * The closing note's records. A star: what each trigger left on every standby, each named, or once with
 * "(every standby)" when they all hold the same (parity judges each standby; this only describes).
 */
export function computeTriggers(idx: HistoryIndex, final: FinalState): TriggerRecord[] {
  const first = triggerRecords(idx, final);
  const star = final.star;
  if (!star || first.length === 0) return first;
  const others = star.others.map((o) => [o.clusterId, triggerRecords(idx, standbyFinal(final, o))] as const);
  return first.map((r, i) => {
    const all = [
      [star.first, r.produced] as const,
      ...others.map(([id, rs]) => [id, rs[i]?.produced] as const),
    ];
    const same = all.every(([, p]) => p === r.produced);
    return {
      ...r,
      produced: same
        ? `${r.produced} (every standby)`
        : all.map(([id, p]) => `${id}: ${p ?? "not read"}`).join("; "),
    };
  });
}

function triggerRecords(idx: HistoryIndex, final: FinalState): TriggerRecord[] {
  const { triggers, collections } = runConfig(idx);
  const any =
    Object.values(triggers).some((v) => v === true) ||
    idx.triggerDdl.length > 0 ||
    idx.importWrites.length > 0;
  if (!any) return [];
  const finalOf = (name: string) => final.collections.find((c) => c.name === name);
  const out: TriggerRecord[] = [];

  // DDL triggers, grouped by trigger and collection, in the order they first ran.
  const groups = new Map<string, { trigger: string; collection: string; ops: OpRecord[] }>();
  for (const op of idx.triggerDdl) {
    const v = op.invoke.value;
    if (v.f !== "ddl") continue;
    const trigger = String(v.detail?.trigger);
    const key = `${trigger}\u0000${v.collection}`;
    const g = groups.get(key) ?? { trigger, collection: v.collection, ops: [] };
    g.ops.push(op);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const c = finalOf(g.collection);
    out.push({
      trigger: g.trigger,
      collection: g.collection,
      ran: g.ops.map(stepText).join(", "),
      ...outcomes(g.ops),
      produced:
        g.trigger === "add-field"
          ? fieldsProduced(g.ops, c)
          : g.trigger === "load-release"
            ? loadProduced(g.ops, c)
            : rowsProduced(c),
    });
  }

  // Bulk import: each import job, as the history recorded it (its rows are an insert like any other).
  const imports = new Map<string, OpRecord[]>();
  for (const op of idx.importWrites) {
    const v = op.invoke.value;
    if (v.f !== "write") continue;
    imports.set(v.collection, [...(imports.get(v.collection) ?? []), op]);
  }
  for (const [collection, ops] of imports) {
    out.push({
      trigger: "bulk-import",
      collection,
      ran: ops.map(importText).join(", "),
      ...outcomes(ops),
      produced: rowsProduced(finalOf(collection)),
    });
  }

  // Write triggers: the collections whose shape is the trigger, with their writes counted.
  const shaped: Array<[string, (c: CollectionShape) => boolean]> = [
    ["auto-id-upserts", (c) => c.autoId === true && triggers.autoIdUpserts === true],
    ["partition-key", (c) => c.partitionKey === true],
    ["dynamic-field", (c) => c.dynamicField === true],
  ];
  for (const [trigger, has] of shaped) {
    for (const spec of collections.filter(has)) {
      const t = idx.writeTally.get(spec.name);
      const c = finalOf(spec.name);
      const shards = (spec.shards ?? 1) > 1 ? ` over ${spec.shards} shards` : "";
      out.push({
        trigger,
        collection: spec.name,
        ran: t ? `${t.insert} inserts, ${t.upsert} upserts, ${t.delete} deletes${shards}` : "no writes",
        ok: t?.ok ?? 0,
        fail: t?.fail ?? 0,
        info: t?.info ?? 0,
        produced:
          trigger === "auto-id-upserts"
            ? `${t?.replaced ?? 0} keys replaced by Milvus's answer; ${rowsProduced(c)}`
            : rowsProduced(c),
      });
    }
  }
  return out;
}

function stepText(op: OpRecord): string {
  const v = op.invoke.value;
  if (v.f !== "ddl") return "";
  const d = v.detail ?? {};
  const what = [d.field, d.partition, ...((d.partitions as unknown[] | undefined) ?? [])]
    .filter((x) => x !== undefined)
    .join(" ");
  const outcome = op.completion?.type ?? "info";
  const how =
    outcome === "ok" ? "" : ` (${outcome}${op.completion?.error ? `: ${op.completion.error}` : ""})`;
  return `${v.action}${what ? ` ${what}` : ""}${how}`;
}

function importText(op: OpRecord): string {
  const v = op.invoke.value;
  const rows = v.f === "write" ? v.keys.length : 0;
  const outcome = op.completion?.type ?? "info";
  const how =
    outcome === "ok" ? "" : ` (${outcome}${op.completion?.error ? `: ${op.completion.error}` : ""})`;
  return `import of ${rows} rows${how}`;
}

function outcomes(ops: OpRecord[]): { ok: number; fail: number; info: number } {
  const n = { ok: 0, fail: 0, info: 0 };
  for (const op of ops) n[op.completion?.type ?? "info"] += 1;
  return n;
}

function rowsProduced(c: CollectionFinal | undefined): string {
  if (!c) return "not read at the end";
  const count = (s: SideFinal) => (s.count === null ? "?" : String(s.count));
  return `${c.rowsCompared} rows compared (count ${count(c.source)} on the primary, ${count(c.target)} on the standby)`;
}

/** The load state the trigger left: the collection's and that of each partition it named. */
function loadProduced(ops: OpRecord[], c: CollectionFinal | undefined): string {
  if (!c) return "not read at the end";
  const parts = new Set<string>();
  for (const op of ops) {
    const v = op.invoke.value;
    if (v.f !== "ddl") continue;
    for (const p of (v.detail?.partitions as unknown[] | undefined) ?? []) parts.add(String(p));
  }
  const text = (l: LoadStateInfo | undefined) =>
    l
      ? [
          `collection ${l.collection}`,
          ...[...parts].sort().map((p) => `${p} ${l.partitions[p] ?? "absent"}`),
        ].join(", ")
      : "load state not read";
  const s = text(c.source.load);
  const t = text(c.target.load);
  return s === t ? `${s} on both sides` : `primary: ${s}; standby: ${t}`;
}

/** The fields the trigger added, as each side's schema has them at the end. */
function fieldsProduced(ops: OpRecord[], c: CollectionFinal | undefined): string {
  if (!c) return "not read at the end";
  const added = ops.flatMap((op) =>
    op.invoke.value.f === "ddl" && op.invoke.value.detail?.field !== undefined
      ? [String(op.invoke.value.detail.field)]
      : [],
  );
  const has = (s: SideFinal) => new Set((s.schema?.fields ?? []).map((f) => f.name));
  const [src, tgt] = [has(c.source), has(c.target)];
  const where = (f: string) =>
    src.has(f) && tgt.has(f)
      ? "on both sides"
      : src.has(f)
        ? "on the primary only"
        : tgt.has(f)
          ? "on the standby only"
          : "on neither side";
  const by = new Map<string, string[]>();
  for (const f of added) by.set(where(f), [...(by.get(where(f)) ?? []), f]);
  return [...by].map(([w, fs]) => `${fs.join(", ")} ${w}`).join("; ");
}
