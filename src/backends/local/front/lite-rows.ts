/**
 * A collection's rows read out of Milvus Lite page by page, in primary-key order: for the front's own
 * scans (text-match.ts, bm25.ts) and add_collection_field's copy (add-field.ts). Milvus Lite sorts by
 * primary key before the limit only for an iterator's query (milvus_lite adapter/grpc/servicer.py
 * Query: order_by_pk=iterator_request, for any "iterator" key), so each page asks as an iterator and
 * the next one starts after the last key; paging by offset over an unordered answer could skip or
 * repeat rows.
 */
import { decodeResponse, encodeRequest, isSuccess, type MilvusStatus } from "../../../milvus/proto.js";
import type { FieldSchema } from "../../../milvus/schema.js";

/** A unary call to Milvus Lite with an encoded request. */
export type LiteCall = (method: string, body: Buffer) => Promise<Buffer>;

export interface RowColumn {
  field_name?: string;
  scalars?: { long_data?: { data?: string[] }; string_data?: { data?: string[] } };
  valid_data?: boolean[];
  [k: string]: unknown;
}

export interface RowPage {
  columns: RowColumn[];
  /** The page's primary keys, as protobuf gives them (Int64 keys as decimal strings). */
  keys: string[];
}

/** A primary key as a filter literal (a VarChar key quoted, an Int64 key as it is). */
export function pkLiteral(pk: FieldSchema, key: string): string {
  return pk.data_type === "VarChar" ? JSON.stringify(key) : key;
}

/** The keys column of a page. */
export function pkColumn(columns: RowColumn[], pk: FieldSchema): string[] {
  const col = columns.find((c) => c.field_name === pk.name);
  return (pk.data_type === "VarChar" ? col?.scalars?.string_data?.data : col?.scalars?.long_data?.data) ?? [];
}

/**
 * The rows of `collection` (of one partition when `partition` is set; matching `expr` when set), with
 * `fields` and the primary key, `page` rows at a time. A refused query throws `fail(status)`.
 */
export async function* rowPages(
  call: LiteCall,
  o: {
    db: string;
    collection: string;
    pk: FieldSchema;
    fields: string[];
    page: number;
    expr?: string;
    partition?: string;
    fail?: (status: MilvusStatus | undefined) => Error;
  },
): AsyncGenerator<RowPage> {
  const pkName = o.pk.name ?? "";
  const filter = o.expr?.trim() ? `(${o.expr})` : "";
  let last: string | undefined;
  for (;;) {
    const after = last === undefined ? "" : `${pkName} > ${pkLiteral(o.pk, last)}`;
    const res = decodeResponse<{ status?: MilvusStatus; fields_data?: RowColumn[] }>(
      "Query",
      await call(
        "Query",
        encodeRequest("Query", {
          db_name: o.db,
          collection_name: o.collection,
          expr: filter && after ? `${filter} and ${after}` : filter || after,
          output_fields: [...new Set([pkName, ...o.fields])],
          partition_names: o.partition ? [o.partition] : [],
          consistency_level: "Strong",
          query_params: [
            { key: "limit", value: String(o.page) },
            { key: "iterator", value: "True" },
          ],
        }),
      ),
    );
    if (!isSuccess(res.status))
      throw (o.fail ?? ((st) => new Error(`reading '${o.collection}' failed: ${st?.reason ?? st?.code}`)))(
        res.status,
      );
    const columns = res.fields_data ?? [];
    const keys = pkColumn(columns, o.pk);
    if (keys.length === 0) return;
    yield { columns, keys };
    if (keys.length < o.page) return;
    last = keys[keys.length - 1];
  }
}
