/**
 * Turns one column of a Query page into canonical cells, so two sides compare with `===` (strings,
 * null) or Buffer.equals (binary). Canonical means: equal data gives equal cells whatever the
 * transport did — float vectors as their raw float32 bytes, float16/bfloat16/binary/int8 vectors as
 * bytes, sparse vectors as (index, value) pairs sorted by index, JSON with sorted object keys.
 */
import { dataTypeName, type RawFieldData } from "./raw-query.js";

export type Cell = string | Buffer | null;

export interface Column {
  name: string;
  type: string;
  rows: number;
  cell(i: number): Cell;
}

export function cellsEqual(a: Cell, b: Cell): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === "string" || typeof b === "string") return false;
  return a.equals(b);
}

/** A short human form of a cell for mismatch details (vectors abbreviated). */
export function describeCell(type: string, c: Cell): string {
  if (c === null) return "null";
  if (typeof c === "string") return c.length > 80 ? `${c.slice(0, 77)}...` : c;
  if (type === "FloatVector") {
    const n = Math.min(4, c.length / 4);
    const head = Array.from({ length: n }, (_, k) => c.readFloatLE(k * 4));
    return `[${head.join(", ")}${c.length / 4 > n ? ", ..." : ""}] (bits ${c.subarray(0, 16).toString("hex")}${c.length > 16 ? "..." : ""})`;
  }
  if (type === "SparseFloatVector") {
    const parts: string[] = [];
    for (let o = 0; o + 8 <= c.length && parts.length < 4; o += 8)
      parts.push(`${c.readUInt32LE(o)}:${c.readFloatLE(o + 4)}`);
    return `{${parts.join(", ")}${c.length > 32 ? ", ..." : ""}}`;
  }
  return `0x${c.subarray(0, 24).toString("hex")}${c.length > 24 ? "..." : ""}`;
}

/** JSON with object keys sorted at every level, so key order on the wire does not matter. */
export function canonicalJson(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON (should not happen for a JSON field): compare the raw text.
    return `raw:${text}`;
  }
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Sparse rows are little-endian (uint32 index, float32 value) pairs; order them by index. */
export function canonicalSparse(b: Buffer): Buffer {
  const n = Math.floor(b.length / 8);
  let sorted = true;
  for (let k = 1; k < n; k++) {
    if (b.readUInt32LE(k * 8) <= b.readUInt32LE((k - 1) * 8)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return b;
  const pairs = Array.from({ length: n }, (_, k) => b.subarray(k * 8, k * 8 + 8));
  pairs.sort((x, y) => x.readUInt32LE(0) - y.readUInt32LE(0));
  return Buffer.concat(pairs);
}

function longToString(v: unknown): string {
  return typeof v === "string" ? v : String(v);
}

function doubleBits(v: number): string {
  // String(x) round-trips every double except -0 and NaN payloads: keep the bits for those.
  if (Number.isNaN(v) || Object.is(v, -0)) {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return `bits:${b.toString("hex")}`;
  }
  return String(v);
}

/** One scalar value of a ScalarField oneof, as a canonical string (used for arrays). */
function scalarList(sf: Record<string, { data?: unknown[]; element_type?: number } | undefined>): string {
  for (const [kind, arr] of Object.entries(sf)) {
    if (!arr || !Array.isArray(arr.data)) continue;
    if (kind === "float_data") {
      const buf = arr.data as unknown as Buffer;
      return `f32:${Buffer.from(buf).toString("hex")}`;
    }
    const items = arr.data.map((x) =>
      Buffer.isBuffer(x) ? x.toString("base64") : typeof x === "number" ? doubleBits(x) : longToString(x),
    );
    return `${kind}:${JSON.stringify(items)}`;
  }
  // A float_data FloatArray is decoded as bytes (see raw-query.ts), so it has no array `data`.
  const f = sf.float_data as unknown as { data?: Buffer } | undefined;
  if (f?.data && Buffer.isBuffer(f.data)) return `f32:${f.data.toString("hex")}`;
  return "empty";
}

function valuesOf(sf: RawFieldData["scalars"]): { kind: string; data: unknown } | null {
  if (!sf) return null;
  for (const [kind, arr] of Object.entries(sf)) {
    if (arr && (arr as { data?: unknown }).data !== undefined)
      return { kind, data: (arr as { data: unknown }).data };
  }
  return null;
}

/**
 * Nullable columns carry valid_data. Scalars are sent full length (a placeholder in null slots);
 * vectors may be sent compacted (only valid rows). Map row -> data index for both layouts.
 */
function validity(f: RawFieldData, rows: number, dataRows: number): (i: number) => number {
  const valid = f.valid_data;
  if (!valid || valid.length === 0) return (i) => i;
  if (dataRows >= rows) return (i) => (valid[i] ? i : -1);
  const index = new Int32Array(rows);
  let d = 0;
  for (let i = 0; i < rows; i++) index[i] = valid[i] ? d++ : -1;
  return (i) => index[i] ?? -1;
}

/** Builds the columns of one page; `rows` is the number of rows (length of the pk column). */
export function toColumn(f: RawFieldData, rows: number): Column {
  const type = dataTypeName(f.type);
  const name = f.field_name;
  const v = f.vectors;
  if (v) {
    const dim = Number(String(v.dim ?? 0));
    let buf: Buffer | undefined;
    let width = 0;
    if (v.float_vector) {
      buf = v.float_vector.data;
      width = dim * 4;
    } else if (v.float16_vector) {
      buf = v.float16_vector;
      width = dim * 2;
    } else if (v.bfloat16_vector) {
      buf = v.bfloat16_vector;
      width = dim * 2;
    } else if (v.binary_vector) {
      buf = v.binary_vector;
      width = dim / 8;
    } else if (v.int8_vector) {
      buf = v.int8_vector;
      width = dim;
    }
    if (buf && width > 0) {
      const b = buf;
      const at = validity(f, rows, b.length / width);
      return {
        name,
        type,
        rows,
        cell: (i) => {
          const d = at(i);
          return d < 0 ? null : b.subarray(d * width, (d + 1) * width);
        },
      };
    }
    if (v.sparse_float_vector) {
      const contents = v.sparse_float_vector.contents ?? [];
      const at = validity(f, rows, contents.length);
      return {
        name,
        type,
        rows,
        cell: (i) => {
          const d = at(i);
          const c = d < 0 ? undefined : contents[d];
          return c === undefined ? null : canonicalSparse(c);
        },
      };
    }
    return { name, type, rows, cell: () => null };
  }
  const vals = valuesOf(f.scalars);
  if (!vals) return { name, type, rows, cell: () => null };
  const { kind, data } = vals;
  if (kind === "float_data") {
    const b = data as Buffer;
    const at = validity(f, rows, b.length / 4);
    return {
      name,
      type,
      rows,
      cell: (i) => {
        const d = at(i);
        return d < 0 ? null : b.subarray(d * 4, d * 4 + 4);
      },
    };
  }
  const arr = data as unknown[];
  const at = validity(f, rows, arr.length);
  let conv: (x: unknown) => Cell;
  switch (kind) {
    case "json_data":
      conv = (x) => canonicalJson(Buffer.isBuffer(x) ? x.toString("utf8") : String(x));
      break;
    case "double_data":
      conv = (x) => doubleBits(x as number);
      break;
    case "bool_data":
      conv = (x) => (x ? "true" : "false");
      break;
    case "array_data":
      conv = (x) => scalarList(x as Record<string, { data?: unknown[] } | undefined>);
      break;
    default:
      conv = (x) => (Buffer.isBuffer(x) ? x : longToString(x));
  }
  return {
    name,
    type,
    rows,
    cell: (i) => {
      const d = at(i);
      if (d < 0) return null;
      const x = arr[d];
      return x === undefined ? null : conv(x);
    },
  };
}
