/**
 * Text filters and analyzers where Milvus Lite falls short of Milvus (text-analysis.ts says which):
 * - a field whose analyzer the front runs is created in Milvus Lite with `standard` (Milvus Lite
 *   refuses `english` on a BM25 input and ignores stemmers and stop lists); the analyzer asked for is
 *   kept here (persisted in the state directory) and DescribeCollection reports it as asked. Applied on
 *   both clusters of a pair alike (lite-apply.ts), so a replicated collection reads the same on the
 *   standby. An analyzer neither can run is refused with one line at CreateCollection;
 * - PHRASE_MATCH (Milvus Lite: "unknown function 'PHRASE_MATCH'"), and TEXT_MATCH on a field the front
 *   analyzes, are answered by the front: it reads the field's values, analyzes them as Milvus does, and
 *   puts `pk in [...]` of the matching rows where the call stood, so the rest of the filter, the
 *   partitions and the limit still apply in Milvus Lite. Every read scans the field (no index).
 */
import { join } from "node:path";
import {
  decode,
  decodeResponse,
  encode,
  encodeRequest,
  encodeResponse,
  kvValue,
} from "../../../milvus/proto.js";
import type { CollectionSchema, FieldSchema } from "../../../milvus/schema.js";
import { readJson, writeJsonAtomic } from "../common/state.js";
import { type LiteCall, pkLiteral, rowPages } from "./lite-rows.js";
import {
  type Analyze,
  type AnalyzerKind,
  analyzerFor,
  phraseMatches,
  standardAnalyzer,
  textMatches,
} from "./text-analysis.js";

export type { LiteCall };

/** What Milvus Lite is given for a field the front analyzes. */
const LITE_ANALYZER = JSON.stringify({ type: "standard" });

const param = (f: FieldSchema, key: string) => kvValue(f.type_params, key);
const analyzed = (f: FieldSchema) => (param(f, "enable_analyzer") ?? "").toLowerCase() === "true";

/** The analyzers of a collection the front keeps, by field name: the `analyzer_params` asked for. */
type Kept = Record<string, string>;

export class AnalyzerStore {
  private kept: Record<string, Kept> = {};
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, "analyzers.json");
  }

  async load(): Promise<void> {
    this.kept = (await readJson<Record<string, Kept>>(this.file)) ?? {};
  }

  /**
   * A CreateCollection's schema as Milvus Lite gets it: fields the front analyzes get `standard`.
   * Returns the refusal of an analyzer neither runs, or the schema to send and what to keep once
   * Milvus Lite took it (`created`).
   */
  plan(schemaBytes: Buffer | undefined): { refused: string } | { schema?: Buffer; keep: Kept } {
    if (!schemaBytes || schemaBytes.length === 0) return { keep: {} };
    const schema = decode<CollectionSchema>("schema.CollectionSchema", schemaBytes);
    const keep: Kept = {};
    for (const f of schema.fields ?? []) {
      if (f.data_type !== "VarChar" || !analyzed(f)) continue;
      if (param(f, "multi_analyzer_params") !== undefined)
        return {
          refused: `field '${f.name}': multi_analyzer_params is not supported by the local backend; use the kind backend`,
        };
      const asked = param(f, "analyzer_params");
      const kind = analyzerFor(asked);
      if (kind.kind === "refused") return { refused: `field '${f.name}': ${kind.reason}` };
      if (kind.kind !== "front") continue;
      keep[f.name ?? ""] = asked ?? "";
      for (const p of f.type_params ?? []) if (p.key === "analyzer_params") p.value = LITE_ANALYZER;
    }
    if (Object.keys(keep).length === 0) return { keep };
    return { schema: encode("schema.CollectionSchema", schema as Record<string, unknown>), keep };
  }

  async created(db: string, collection: string, keep: Kept): Promise<void> {
    const key = `${db}/${collection}`;
    if (Object.keys(keep).length === 0 && !(key in this.kept)) return;
    if (Object.keys(keep).length === 0) delete this.kept[key];
    else this.kept[key] = keep;
    await this.save();
  }

  async dropped(db: string, collection?: string): Promise<void> {
    const before = Object.keys(this.kept).length;
    for (const k of Object.keys(this.kept))
      if (collection === undefined ? k.startsWith(`${db}/`) : k === `${db}/${collection}`)
        delete this.kept[k];
    if (Object.keys(this.kept).length !== before) await this.save();
  }

  async renamed(db: string, from: string, toDb: string, to: string): Promise<void> {
    const k = `${db}/${from}`;
    const v = this.kept[k];
    if (!v) return;
    delete this.kept[k];
    this.kept[`${toDb}/${to}`] = v;
    await this.save();
  }

  keptOf(db: string, collection: string): Kept | undefined {
    return this.kept[`${db}/${collection}`];
  }

  /** A DescribeCollection answer with the analyzers the front runs reported as asked. */
  describe(res: Buffer, db: string, collection: string): Buffer {
    const kept = this.keptOf(db, collection);
    if (!kept) return res;
    const out = decodeResponse<{ schema?: CollectionSchema }>("DescribeCollection", res);
    let changed = false;
    for (const f of out.schema?.fields ?? []) {
      const asked = kept[f.name ?? ""];
      if (asked === undefined) continue;
      for (const p of f.type_params ?? [])
        if (p.key === "analyzer_params") {
          p.value = asked;
          changed = true;
        }
    }
    return changed ? encodeResponse("DescribeCollection", out as Record<string, unknown>) : res;
  }

  private save(): Promise<void> {
    return writeJsonAtomic(this.file, this.kept);
  }
}

// ---- filters -------------------------------------------------------------------------------------

export interface MatchCall {
  fn: "TEXT_MATCH" | "PHRASE_MATCH";
  start: number;
  end: number;
  field: string;
  text: string;
  /** PHRASE_MATCH's slop, TEXT_MATCH's minimum_should_match. */
  number?: number;
}

/** Whether a request's bytes may hold a TEXT_MATCH or PHRASE_MATCH call (cheap test before decoding). */
export function mayMatch(request: Buffer): boolean {
  return request.includes("_MATCH") || request.includes("_match") || request.includes("_Match");
}

const CALL = /\b(TEXT_MATCH|PHRASE_MATCH)\s*\(/giy;

/** A string literal at `i` ('...' or "..." with backslash escapes): its value and where it ends. */
function literal(expr: string, i: number): { value: string; end: number } | undefined {
  const q = expr[i];
  if (q !== "'" && q !== '"') return undefined;
  let value = "";
  for (let j = i + 1; j < expr.length; j++) {
    const c = expr[j] as string;
    if (c === "\\" && j + 1 < expr.length) {
      const n = expr[++j] as string;
      value += n === "n" ? "\n" : n === "t" ? "\t" : n;
    } else if (c === q) return { value, end: j + 1 };
    else value += c;
  }
  return undefined;
}

/**
 * The TEXT_MATCH / PHRASE_MATCH calls of a filter, outside string literals. A call the parser cannot
 * read (a template value, a missing quote) throws with one line naming it.
 */
export function matchCalls(expr: string): MatchCall[] {
  const calls: MatchCall[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === "'" || c === '"') {
      i = literal(expr, i)?.end ?? expr.length;
      continue;
    }
    CALL.lastIndex = i;
    const m =
      /[A-Za-z_]/.test(c) && (i === 0 || !/[\w$]/.test(expr[i - 1] as string)) ? CALL.exec(expr) : null;
    if (!m) {
      i++;
      continue;
    }
    const fn = (m[1] as string).toUpperCase() as MatchCall["fn"];
    const bad = () => new Error(`cannot read ${fn} at ${m.index} of the filter '${expr}'`);
    let j = m.index + m[0].length;
    const ws = () => {
      while (j < expr.length && /\s/.test(expr[j] as string)) j++;
    };
    ws();
    const fm = /^[A-Za-z_$][\w$]*/.exec(expr.slice(j));
    if (!fm) throw bad();
    const field = fm[0];
    j += field.length;
    ws();
    if (expr[j] !== ",") throw bad();
    j++;
    ws();
    const lit = literal(expr, j);
    if (!lit) throw bad();
    j = lit.end;
    ws();
    let number: number | undefined;
    if (expr[j] === ",") {
      j++;
      ws();
      const nm = /^(?:minimum_should_match\s*=\s*)?(\d+)/.exec(expr.slice(j));
      if (!nm) throw bad();
      number = Number(nm[1]);
      j += nm[0].length;
      ws();
    }
    if (expr[j] !== ")") throw bad();
    calls.push({ fn, start: m.index, end: j + 1, field, text: lit.value, number });
    i = j + 1;
  }
  return calls;
}

/** The analyzer each analyzed field runs with (the front's where it keeps one). */
export function fieldAnalyzers(schema: CollectionSchema, kept: Kept | undefined): Map<string, AnalyzerKind> {
  const out = new Map<string, AnalyzerKind>();
  for (const f of schema.fields ?? []) {
    if (!analyzed(f)) continue;
    const name = f.name ?? "";
    out.set(name, analyzerFor(kept?.[name] ?? param(f, "analyzer_params")));
  }
  return out;
}

/** A filter for a list of primary keys (Int64 keys as decimal strings, as protobuf gives them). */
export function pkList(pk: FieldSchema, keys: string[]): string {
  return `${pk.name} in [${keys.map((k) => pkLiteral(pk, k)).join(",")}]`;
}

export interface CollectionText {
  schema: CollectionSchema;
  pk: FieldSchema;
  analyzers: Map<string, AnalyzerKind>;
}

/** Reads a collection's schema (Milvus Lite's) with the front's analyzers over it. */
export async function collectionText(
  call: LiteCall,
  store: AnalyzerStore,
  db: string,
  collection: string,
): Promise<CollectionText | undefined> {
  const res = decodeResponse<{ status?: { code?: number; error_code?: string }; schema?: CollectionSchema }>(
    "DescribeCollection",
    await call(
      "DescribeCollection",
      encodeRequest("DescribeCollection", { db_name: db, collection_name: collection }),
    ),
  );
  const pk = res.schema?.fields?.find((f) => f.is_primary_key);
  if (!res.schema || !pk) return undefined;
  return { schema: res.schema, pk, analyzers: fieldAnalyzers(res.schema, store.keptOf(db, collection)) };
}

/** How many rows one scan page asks Milvus Lite for. */
const PAGE = 10_000;

/**
 * Every row's primary key and `fields` values (of the partitions named, every row when none; matching
 * `expr` when given), in primary-key order per partition.
 */
export async function scanRows(
  call: LiteCall,
  db: string,
  collection: string,
  pk: FieldSchema,
  fields: string[],
  opts: { expr?: string; partitions?: string[] } = {},
): Promise<{ keys: string[]; values: Map<string, Array<string | null>> }> {
  const keys: string[] = [];
  const values = new Map<string, Array<string | null>>(fields.map((f) => [f, []]));
  const partitions = opts.partitions?.length ? opts.partitions : [undefined];
  for (const partition of partitions)
    for await (const page of rowPages(call, {
      db,
      collection,
      pk,
      fields,
      page: PAGE,
      expr: opts.expr,
      partition,
    })) {
      keys.push(...page.keys);
      const n = page.keys.length;
      for (const f of fields) {
        const col = page.columns.find((c) => c.field_name === f);
        const data = col?.scalars?.string_data?.data ?? [];
        const valid = col?.valid_data;
        const out = values.get(f) as Array<string | null>;
        // Milvus returns a nullable column dense (a placeholder where valid_data says null) or compact.
        let k = 0;
        for (let r = 0; r < n; r++) {
          if (valid && valid.length === n && !valid[r]) {
            out.push(null);
            if (data.length === n) k++;
          } else out.push(data[k++] ?? null);
        }
      }
    }
  return { keys, values };
}

function analyzerOfField(text: CollectionText, fn: string, field: string): Analyze {
  const kind = text.analyzers.get(field);
  if (!kind)
    throw new Error(`field '${field}' is not analyzed: ${fn} needs enable_analyzer and enable_match`);
  if (kind.kind === "refused") throw new Error(`field '${field}': ${kind.reason}`);
  if (!kind.analyze)
    throw new Error(
      `${fn} on field '${field}' is not supported by the local backend (its analyzer runs in Milvus Lite only); use the kind backend`,
    );
  return kind.analyze;
}

/**
 * A filter with the calls the front answers replaced by `pk in [...]`: every PHRASE_MATCH, and a
 * TEXT_MATCH on a field the front analyzes. Returns the filter unchanged when there is none.
 */
export async function rewriteMatches(
  expr: string,
  text: () => Promise<CollectionText | undefined>,
  call: LiteCall,
  db: string,
  collection: string,
): Promise<string> {
  const calls = matchCalls(expr);
  if (calls.length === 0) return expr;
  const t = await text();
  if (!t) return expr; // Milvus Lite answers "collection not found" itself.
  const mine = calls.filter((c) => c.fn === "PHRASE_MATCH" || t.analyzers.get(c.field)?.kind === "front");
  if (mine.length === 0) return expr;
  const fields = [...new Set(mine.map((c) => c.field))];
  const analyzers = new Map(
    fields.map((f) => [f, analyzerOfField(t, mine.find((c) => c.field === f)?.fn ?? "", f)]),
  );
  const rows = await scanRows(call, db, collection, t.pk, fields);
  const docs = new Map<string, ReturnType<Analyze>[]>();
  for (const f of fields) {
    const analyze = analyzers.get(f) as Analyze;
    docs.set(
      f,
      (rows.values.get(f) ?? []).map((v) => (v === null ? [] : analyze(v))),
    );
  }
  let out = "";
  let at = 0;
  for (const c of calls) {
    out += expr.slice(at, c.start);
    at = c.end;
    if (!mine.includes(c)) {
      out += expr.slice(c.start, c.end);
      continue;
    }
    const analyze = analyzers.get(c.field) ?? standardAnalyzer;
    const q = analyze(c.text);
    const fieldDocs = docs.get(c.field) ?? [];
    const hits = rows.keys.filter((_, r) =>
      c.fn === "PHRASE_MATCH"
        ? phraseMatches(fieldDocs[r] ?? [], q, c.number ?? 0)
        : textMatches(fieldDocs[r] ?? [], q, c.number ?? 1),
    );
    out += `(${pkList(t.pk, hits)})`;
  }
  return out + expr.slice(at);
}
