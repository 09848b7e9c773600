/**
 * Compares one collection between the primary (source) and the standby (target) by a merge-join of
 * both sides' pk-ordered page streams.
 *
 * Rows are compared cell by cell in canonical form (columns.ts) while both pages are in memory at
 * the merge point. That is what a hash comparison would buy us and more: hashing both rows first
 * costs the same pass over the bytes, and the cells are already at hand to name the differing
 * fields, so no second fetch is needed for the keys that differ. Memory: two pages per side
 * (current + prefetched), plus the per-key versions when a version field is asked for.
 */
import type { CollectionFinal, LoadStateInfo, SideFinal } from "../checkers/types.js";
import type { Pk } from "../history/types.js";
import { type Cell, type Column, cellsEqual, describeCell } from "./columns.js";
import { type CollectionMeta, fullyLoaded } from "./meta.js";
import type { Page, ScanOptions } from "./scan.js";
import { pkComparator } from "./scan.js";

/** What compareCollection needs from one side; the live implementation is in verify.ts. */
export interface SideReader {
  /** Whether the collection exists on this side (a missing collection is a difference, not an outage). */
  has(collection: string): Promise<boolean>;
  meta(collection: string): Promise<CollectionMeta>;
  count(collection: string): Promise<number>;
  pages(o: ScanOptions): AsyncIterable<Page>;
  /** The collection's and each partition's load state (absent: this side cannot tell). */
  loadState?(collection: string, partitions: readonly string[]): Promise<LoadStateInfo>;
  /** Loads a released collection for the comparison; resolves to what puts its load state back. */
  loadForRead?(collection: string, before: LoadStateInfo): Promise<() => Promise<void>>;
}

export interface CompareOptions {
  /** Per-key version field (the drill's `ver`); when set and present, SideFinal.versions is filled. */
  versionField?: string;
  /** How many keys to keep in each of onlySource / onlyTarget / mismatched (totals are always exact). */
  sampleLimit?: number;
  pageSize?: number;
}

export const DEFAULT_SAMPLE_LIMIT = 100;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function emptySide(error?: string): SideFinal {
  const s: SideFinal = {
    reachable: error === undefined,
    count: null,
    distinctKeys: null,
    versions: {},
    indexes: [],
    partitions: [],
    aliases: [],
  };
  if (error !== undefined) s.error = error;
  return s;
}

function withMeta(s: SideFinal, m: CollectionMeta): void {
  s.schema = m.schema;
  s.indexes = m.indexes;
  s.partitions = m.partitions;
  s.aliases = m.aliases;
}

/** A page cursor over one side; `fail` records why the side stopped (then it counts as unreachable). */
class Cursor {
  private readonly it: AsyncIterator<Page>;
  page: Page = { pks: [], columns: [] };
  aligned: Array<Column | undefined> = [];
  verCol: Column | undefined;
  i = 0;
  done = false;
  keys = 0;
  error: string | undefined;

  constructor(
    pages: AsyncIterable<Page>,
    private readonly fields: string[],
    private readonly versionField: string | undefined,
  ) {
    this.it = pages[Symbol.asyncIterator]();
  }

  /** Makes the current row available; false at the end (or after an error). */
  async ready(): Promise<boolean> {
    while (!this.done && this.i >= this.page.pks.length) {
      try {
        const r = await this.it.next();
        if (r.done) {
          this.done = true;
          break;
        }
        this.page = r.value;
        this.i = 0;
        const byName = new Map(r.value.columns.map((c) => [c.name, c]));
        this.aligned = this.fields.map((f) => byName.get(f));
        this.verCol = this.versionField ? byName.get(this.versionField) : undefined;
      } catch (e) {
        this.error = errorText(e);
        this.done = true;
      }
    }
    return !this.done;
  }

  get pk(): Pk {
    return this.page.pks[this.i] as Pk;
  }

  version(): number | undefined {
    const c = this.verCol?.cell(this.i);
    return typeof c === "string" ? Number(c) : undefined;
  }

  cell(k: number): Cell {
    return this.aligned[k]?.cell(this.i) ?? null;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** Field names compared row by row: those both schemas have (a field only one side has is a schema difference). */
function commonFields(a: CollectionMeta, b: CollectionMeta): { names: string[]; types: string[] } {
  const bt = new Map(b.schema.fields.map((f) => [f.name, f.type]));
  const names: string[] = [];
  const types: string[] = [];
  for (const f of a.schema.fields) {
    if (f.primary || !bt.has(f.name)) continue;
    names.push(f.name);
    types.push(f.type);
  }
  if (a.schema.dynamicField && b.schema.dynamicField) {
    names.push("$meta");
    types.push("JSON");
  }
  return { names, types };
}

export async function compareCollection(
  name: string,
  source: SideReader,
  target: SideReader,
  opts: CompareOptions = {},
): Promise<CollectionFinal> {
  const limit = opts.sampleLimit ?? DEFAULT_SAMPLE_LIMIT;
  const [hs, ht] = await Promise.allSettled([source.has(name), target.has(name)]);
  const missing = (h: PromiseSettledResult<boolean>) => h.status === "fulfilled" && !h.value;
  const metaOf = (h: PromiseSettledResult<boolean>, r: SideReader) =>
    h.status === "rejected" ? Promise.reject(h.reason) : h.value ? r.meta(name) : Promise.resolve(undefined);
  const [sm, tm] = await Promise.allSettled([metaOf(hs, source), metaOf(ht, target)]);
  const src = emptySide(sm.status === "rejected" ? errorText(sm.reason) : undefined);
  const tgt = emptySide(tm.status === "rejected" ? errorText(tm.reason) : undefined);
  if (sm.status === "fulfilled" && sm.value) withMeta(src, sm.value);
  if (tm.status === "fulfilled" && tm.value) withMeta(tgt, tm.value);
  for (const [h, side] of [
    [hs, src],
    [ht, tgt],
  ] as const) {
    if (!missing(h)) continue;
    side.exists = false;
    side.count = 0;
    side.distinctKeys = 0;
  }
  const out: CollectionFinal = {
    name,
    source: src,
    target: tgt,
    onlySource: [],
    onlySourceTotal: 0,
    onlyTarget: [],
    onlyTargetTotal: 0,
    mismatched: [],
    mismatchedTotal: 0,
    rowsCompared: 0,
  };
  const smeta = sm.status === "fulfilled" ? sm.value : undefined;
  const tmeta = tm.status === "fulfilled" ? tm.value : undefined;
  const layout = smeta ?? tmeta;
  if (!layout) return out;

  // Load state is part of parity; a released collection's rows are still compared: it is loaded for
  // the comparison and put back after (source first: on a CDC pair its load reaches the standby too).
  // Both states are read before anything is loaded: a load of the primary reaches the standby.
  const sides = [
    [source, smeta, src],
    [target, tmeta, tgt],
  ] as const;
  for (const [r, meta, side] of sides) {
    if (!meta || !r.loadState) continue;
    try {
      side.load = await r.loadState(name, meta.partitions);
    } catch {
      // Unknown load state: parity says it could not compare it; the scan below still runs.
    }
  }
  const restores: Array<{ side: SideFinal; restore: () => Promise<void> }> = [];
  for (const [r, , side] of sides) {
    if (!side.load || fullyLoaded(side.load) || !r.loadForRead) continue;
    try {
      restores.push({ side, restore: await r.loadForRead(name, side.load) });
    } catch (e) {
      side.rowsUnread = errorText(e);
    }
  }
  try {
    return await compareRows(name, source, target, opts, out, smeta, tmeta, layout, limit);
  } finally {
    for (const { side, restore } of restores.reverse()) {
      await restore().catch((e) => {
        side.loadRestoreError = errorText(e);
      });
    }
  }
}

async function compareRows(
  name: string,
  source: SideReader,
  target: SideReader,
  opts: CompareOptions,
  out: CollectionFinal,
  smeta: CollectionMeta | undefined,
  tmeta: CollectionMeta | undefined,
  layout: CollectionMeta,
  limit: number,
): Promise<CollectionFinal> {
  const src = out.source;
  const tgt = out.target;
  // A side whose rows could not be read (a released collection it would not load) is left out; the
  // other side is still scanned, for its versions and count, but no difference is drawn from it.
  const readable = (s: SideFinal) => s.reachable && s.rowsUnread === undefined;

  // count(*) runs while the scan streams (it is a full pass on the server too); read after the merge.
  const counting = Promise.allSettled([
    smeta && readable(src) ? source.count(name) : Promise.reject(new Error(src.error)),
    tmeta && readable(tgt) ? target.count(name) : Promise.reject(new Error(tgt.error)),
  ]);

  const both = smeta !== undefined && tmeta !== undefined;
  const { names, types } =
    smeta && tmeta ? commonFields(smeta, tmeta) : { names: [] as string[], types: [] as string[] };
  const scan = (r: SideReader, meta: CollectionMeta, fieldsWanted: boolean): Cursor => {
    const outputFields = fieldsWanted
      ? ["*"]
      : [
          meta.pkField,
          ...(opts.versionField && hasField(meta, opts.versionField) ? [opts.versionField] : []),
        ];
    return new Cursor(
      r.pages({
        collection: name,
        pkField: meta.pkField,
        intPk: meta.intPk,
        pageSize: opts.pageSize ?? pageSizeFor(meta),
        collectionId: meta.collectionId,
        outputFields,
      }),
      names,
      opts.versionField && hasField(meta, opts.versionField) ? opts.versionField : undefined,
    );
  };
  // A side without the collection is an empty stream: every key of the other side is then "only".
  const none = (): Cursor => new Cursor((async function* () {})(), names, undefined);
  const a = !readable(src) ? undefined : smeta ? scan(source, smeta, both && readable(tgt)) : none();
  const b = !readable(tgt) ? undefined : tmeta ? scan(target, tmeta, both && readable(src)) : none();
  const cmp = pkComparator(layout.intPk);

  const recordVersion = (c: Cursor, side: SideFinal) => {
    const v = c.version();
    if (v !== undefined) side.versions[c.pk] = v;
  };
  const takeOnly = (c: Cursor, side: SideFinal, which: "onlySource" | "onlyTarget") => {
    c.keys++;
    recordVersion(c, side);
    if (a && b) {
      if (which === "onlySource") {
        if (out.onlySource.length < limit) out.onlySource.push(c.pk);
        out.onlySourceTotal++;
      } else {
        if (out.onlyTarget.length < limit) out.onlyTarget.push(c.pk);
        out.onlyTargetTotal++;
      }
    }
    c.i++;
  };

  try {
    for (;;) {
      const ra = a ? await a.ready() : false;
      const rb = b ? await b.ready() : false;
      // A side that failed mid-scan makes the rest of the join meaningless (its result is discarded below).
      if ((!ra && !rb) || a?.error !== undefined || b?.error !== undefined) break;
      if (ra && a && (!rb || !b)) {
        takeOnly(a, src, "onlySource");
        continue;
      }
      if (rb && b && (!ra || !a)) {
        takeOnly(b, tgt, "onlyTarget");
        continue;
      }
      if (!a || !b) break;
      const c = cmp(a.pk, b.pk);
      if (c < 0) takeOnly(a, src, "onlySource");
      else if (c > 0) takeOnly(b, tgt, "onlyTarget");
      else {
        a.keys++;
        b.keys++;
        recordVersion(a, src);
        recordVersion(b, tgt);
        out.rowsCompared++;
        let differing: string[] | undefined;
        for (let k = 0; k < names.length; k++) {
          if (cellsEqual(a.cell(k), b.cell(k))) continue;
          differing = differing ?? [];
          differing.push(names[k] as string);
        }
        if (differing) {
          out.mismatchedTotal++;
          if (out.mismatched.length < limit) {
            const details: Record<string, { source: string; target: string }> = {};
            for (const f of differing) {
              const k = names.indexOf(f);
              const t = types[k] ?? "";
              details[f] = { source: describeCell(t, a.cell(k)), target: describeCell(t, b.cell(k)) };
            }
            out.mismatched.push({ pk: a.pk, fields: differing, details });
          }
        }
        a.i++;
        b.i++;
      }
    }
  } finally {
    await Promise.all([a?.close(), b?.close()]);
  }

  const counts = await counting;
  for (const [k, side] of [src, tgt].entries()) {
    const c = counts[k] as PromiseSettledResult<number>;
    if (!readable(side) || side.exists === false) continue;
    if (c.status === "fulfilled") side.count = c.value;
    else {
      side.reachable = false;
      side.error = errorText(c.reason);
    }
  }
  for (const [c, side] of [
    [a, src],
    [b, tgt],
  ] as const) {
    if (!c) continue;
    if (c.error !== undefined) {
      side.reachable = false;
      side.error = c.error;
    } else if (side.exists !== false && c.done) side.distinctKeys = c.keys;
  }
  // A side that failed mid-scan leaves the key sets incomplete: report no differences rather than false ones.
  if (!readable(src) || !readable(tgt)) {
    out.onlySource = [];
    out.onlySourceTotal = 0;
    out.onlyTarget = [];
    out.onlyTargetTotal = 0;
    out.mismatched = [];
    out.mismatchedTotal = 0;
  }
  return out;
}

function hasField(m: CollectionMeta, f: string): boolean {
  return m.schema.fields.some((x) => x.name === f);
}

/** Bytes per row a page should be sized for (vectors dominate; variable fields are a guess). */
function rowBytes(m: CollectionMeta): number {
  let n = 0;
  for (const f of m.schema.fields) {
    const dim = f.dim ?? 0;
    switch (f.type) {
      case "FloatVector":
        n += dim * 4;
        break;
      case "Float16Vector":
      case "BFloat16Vector":
        n += dim * 2;
        break;
      case "BinaryVector":
        n += dim / 8;
        break;
      case "Int8Vector":
        n += dim;
        break;
      case "VarChar":
        n += Math.min(f.maxLength ?? 256, 512);
        break;
      case "JSON":
      case "Array":
      case "SparseFloatVector":
        n += 512;
        break;
      default:
        n += 8;
    }
  }
  return n + (m.schema.dynamicField ? 256 : 0);
}

/** Milvus caps a query window at 16384 rows. */
export const MAX_PAGE_ROWS = 16_384;
/** ~8 MiB pages: with a page in use and one prefetched per side, a scan holds ~32 MiB of rows at most. */
const PAGE_BYTES = 8 * 1024 * 1024;

/**
 * Big pages are what makes the scan fast (a server makes one pass over the collection per page),
 * wide rows are what makes them expensive in memory: size the page for ~8 MiB.
 */
export function pageSizeFor(m: CollectionMeta): number {
  return Math.max(256, Math.min(MAX_PAGE_ROWS, Math.floor(PAGE_BYTES / Math.max(1, rowBytes(m)))));
}
