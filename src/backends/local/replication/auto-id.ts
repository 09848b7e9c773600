/**
 * Auto-id collections as Milvus has them, on Milvus Lite: the primary's front assigns the ids (Milvus-
 * style 64-bit ids: a hybrid timestamp, (ms << 18) | logical, as Milvus's rootcoord allocator hands
 * out), puts them into the Insert before Milvus Lite and the WAL see it, so Insert returns them and the
 * standby receives the very same ids through replication. Milvus Lite itself holds the collection with
 * auto_id off (it only ever sees explicit keys); DescribeCollection is answered with auto_id on.
 */
import { decode, decodeResponse, encode, encodeRequest, encodeResponse } from "../../../milvus/proto.js";
import type { CollectionSchema } from "../../../milvus/schema.js";

export interface AutoIdField {
  name: string;
  isString: boolean;
}

/** The auto-id primary key of a CreateCollection's schema, if it has one. */
export function autoIdOf(schemaBytes: Buffer | undefined): AutoIdField | undefined {
  if (!schemaBytes || schemaBytes.length === 0) return undefined;
  const schema = decode<CollectionSchema>("schema.CollectionSchema", schemaBytes);
  const pk = (schema.fields ?? []).find((f) => f.is_primary_key);
  if (!pk?.name || !(pk.autoID || schema.autoID)) return undefined;
  return { name: pk.name, isString: pk.data_type === "VarChar" };
}

/** The CreateCollection request Milvus Lite gets: the same schema with auto_id off. */
export function withoutAutoId(req: Record<string, unknown>): Buffer {
  const schema = decode<CollectionSchema>("schema.CollectionSchema", req.schema as Buffer);
  schema.autoID = false;
  for (const f of schema.fields ?? []) f.autoID = false;
  return encodeRequest("CreateCollection", {
    ...req,
    schema: encode("schema.CollectionSchema", schema as Record<string, unknown>),
  });
}

/** Milvus-style ids: strictly increasing hybrid timestamps, one per row. */
export class IdAllocator {
  private last = 0n;

  /** `n` consecutive ids. */
  next(n: number): bigint[] {
    const physical = BigInt(Date.now()) << 18n;
    const first = physical > this.last ? physical : this.last + 1n;
    this.last = first + BigInt(n) - 1n;
    return Array.from({ length: n }, (_, i) => first + BigInt(i));
  }
}

/** Whether an Insert carries values for `field` (a client must not; a replicated Insert does). */
export function carriesField(req: { fields_data?: Array<{ field_name?: string }> }, field: string): boolean {
  return (req.fields_data ?? []).some((f) => f.field_name === field);
}

/**
 * The Insert with ids for `field` added. Protobuf appends a repeated field when two encodings are
 * concatenated, so the client's bytes are kept as they are and the id column is appended.
 */
export function withIds(request: Buffer, field: AutoIdField, ids: bigint[]): Buffer {
  const values = ids.map(String);
  const column = field.isString
    ? { type: "VarChar", field_name: field.name, scalars: { string_data: { data: values } } }
    : { type: "Int64", field_name: field.name, scalars: { long_data: { data: values } } };
  return Buffer.concat([request, encodeRequest("Insert", { fields_data: [column] })]);
}

/** A DescribeCollection response showing the primary key as auto_id, as Milvus describes it. */
export function describedAsAutoId(response: Buffer, field: string): Buffer {
  const res = decodeResponse<{ schema?: CollectionSchema }>("DescribeCollection", response);
  if (!res.schema) return response;
  res.schema.autoID = true;
  for (const f of res.schema.fields ?? []) if (f.name === field) f.autoID = true;
  return encodeResponse("DescribeCollection", res as Record<string, unknown>);
}
