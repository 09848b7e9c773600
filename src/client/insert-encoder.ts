/**
 * Encodes the drill's Insert/Upsert requests column by column, straight to protobuf bytes.
 *
 * Why not the SDK's insert: per request it deep-copies every row through JSON (dynamic fields),
 * JSON-stringifies the whole request for a debug log it then drops, and pushes every float of every
 * vector through protobufjs one by one. At batch 500 x 128-d that caps a writer near 10k rows/s on
 * one core, well under what a real Milvus absorbs, so the drill could not load CDC hard enough.
 *
 * The request is the one the SDK sends (same fields, order, dynamic `$meta` column; the test compares
 * the two byte streams decoded), except that `schema_timestamp` is left out: the drill creates its
 * collections and never alters their schema, and 0 tells Milvus not to check it.
 * Like raw-query.ts, the descriptor is the SDK's own with `FloatArray.data` as `bytes` (same wire
 * encoding as packed `repeated float`), so a vector column is one copy of a Float32Array, and
 * `JSONArray.data` as `string`.
 */
import { DataType, type FieldType, type RowData } from "@zilliz/milvus2-sdk-node";
import protobuf from "protobufjs";
import { milvusDescriptorJson } from "../milvus/proto.js";

/** The SDK's name for the column that holds every key a row has outside the schema. */
export const DYNAMIC_FIELD = "$meta";

let cachedTypes: { insert: protobuf.Type; upsert: protobuf.Type } | undefined;

function types() {
  if (cachedTypes) return cachedTypes;
  const root = protobuf.Root.fromJSON(milvusDescriptorJson());
  const floatArray = root.lookupType("milvus.proto.schema.FloatArray");
  const old = floatArray.fields.data;
  if (old) floatArray.remove(old);
  floatArray.add(new protobuf.Field("data", 1, "bytes"));
  // JSON values as strings: `repeated bytes` and `repeated string` share the wire encoding, and this
  // spares a Buffer per row.
  const jsonArray = root.lookupType("milvus.proto.schema.JSONArray");
  const oldJson = jsonArray.fields.data;
  if (oldJson) jsonArray.remove(oldJson);
  jsonArray.add(new protobuf.Field("data", 1, "string", "repeated"));
  root.resolveAll();
  cachedTypes = {
    insert: root.lookupType("milvus.proto.milvus.InsertRequest"),
    upsert: root.lookupType("milvus.proto.milvus.UpsertRequest"),
  };
  return cachedTypes;
}

type Column = (rows: readonly RowData[]) => Record<string, unknown>;

function f32Bytes(values: ArrayLike<number>): Buffer {
  const a = values instanceof Float32Array ? values : Float32Array.from(values);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** One column's FieldData body (everything but type/name), or null when this encoder does not know the type. */
function columnOf(f: FieldType): Column | null {
  const name = f.name;
  const dt = Number(f.data_type) as DataType;
  const scalar = (key: string, map?: (v: unknown) => unknown) => (rows: readonly RowData[]) => {
    const data = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = (rows[i] as RowData)[name];
      if (v === undefined || v === null) throw new Error(`row ${i} has no value for field '${name}'`);
      data[i] = map ? map(v) : v;
    }
    return { scalars: { [key]: { data } } };
  };
  switch (dt) {
    case DataType.Bool:
      return scalar("bool_data");
    case DataType.Int8:
    case DataType.Int16:
    case DataType.Int32:
      return scalar("int_data");
    case DataType.Int64:
      return scalar("long_data");
    case DataType.Double:
      return scalar("double_data");
    case DataType.VarChar:
      return scalar("string_data");
    case DataType.JSON:
      return scalar("json_data", (v) => JSON.stringify(v));
    case DataType.Float:
      return (rows) => {
        const a = new Float32Array(rows.length);
        for (let i = 0; i < rows.length; i++) a[i] = Number((rows[i] as RowData)[name]);
        return { scalars: { float_data: { data: f32Bytes(a) } } };
      };
    case DataType.Array: {
      const et = Number(f.element_type) as DataType;
      const key =
        et === DataType.VarChar
          ? "string_data"
          : et === DataType.Int64
            ? "long_data"
            : et === DataType.Double
              ? "double_data"
              : et === DataType.Bool
                ? "bool_data"
                : et === DataType.Int32 || et === DataType.Int16 || et === DataType.Int8
                  ? "int_data"
                  : null;
      if (!key) return null;
      return (rows) => {
        const data = new Array(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const v = (rows[i] as RowData)[name];
          if (!Array.isArray(v)) throw new Error(`row ${i}: field '${name}' is not an array`);
          data[i] = { [key]: { data: v } };
        }
        return { scalars: { array_data: { data, element_type: et } } };
      };
    }
    case DataType.FloatVector: {
      const dim = Number(f.dim);
      return (rows) => {
        const a = new Float32Array(rows.length * dim);
        for (let i = 0; i < rows.length; i++) {
          const v = (rows[i] as RowData)[name] as ArrayLike<number> | undefined;
          if (!v || v.length !== dim) throw new Error(`row ${i}: field '${name}' is not a ${dim}-d vector`);
          a.set(v, i * dim);
        }
        return { vectors: { dim, float_vector: { data: f32Bytes(a) } } };
      };
    }
    default:
      return null;
  }
}

/** An encoder for one collection's writes; built once per collection from the schema it was created with. */
export class InsertEncoder {
  private constructor(
    private readonly columns: Array<{ name: string; type: DataType; body: Column }>,
    private readonly known: ReadonlySet<string>,
    private readonly dynamic: boolean,
  ) {}

  /**
   * null when the schema has a type this encoder does not write (sparse, half-precision and binary
   * vectors, structs, nullable or defaulted fields, auto-id keys): those collections keep the SDK path.
   */
  static forSchema(fields: readonly FieldType[], enableDynamicField: boolean): InsertEncoder | null {
    const columns: Array<{ name: string; type: DataType; body: Column }> = [];
    for (const f of fields) {
      if (f.nullable || f.default_value !== undefined || f.autoID || f.is_function_output) return null;
      const body = columnOf(f);
      if (!body) return null;
      columns.push({ name: f.name, type: Number(f.data_type) as DataType, body });
    }
    return new InsertEncoder(columns, new Set(fields.map((f) => f.name)), enableDynamicField);
  }

  encode(
    kind: "insert" | "upsert",
    req: { collection: string; partition?: string; rows: readonly RowData[] },
  ): Buffer {
    const { rows } = req;
    const fieldsData: Array<Record<string, unknown>> = this.columns.map((c) => ({
      type: c.type,
      field_name: c.name,
      is_dynamic: false,
      ...c.body(rows),
    }));
    if (this.dynamic) {
      const data = new Array<string>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as RowData;
        const extra: Record<string, unknown> = {};
        for (const k in row) if (!this.known.has(k)) extra[k] = row[k];
        data[i] = JSON.stringify(extra);
      }
      fieldsData.push({
        type: DataType.JSON,
        field_name: DYNAMIC_FIELD,
        is_dynamic: true,
        scalars: { json_data: { data } },
      });
    } else {
      for (const [i, row] of rows.entries())
        for (const k in row)
          if (!this.known.has(k))
            throw new Error(`row ${i} has field '${k}', which the schema lacks (no dynamic field)`);
    }
    const t = kind === "insert" ? types().insert : types().upsert;
    const body: Record<string, unknown> = {
      collection_name: req.collection,
      fields_data: fieldsData,
      num_rows: rows.length,
    };
    if (req.partition) body.partition_name = req.partition;
    const u = t.encode(body).finish();
    return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  }
}
