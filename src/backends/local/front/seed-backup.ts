/**
 * Milvus Backup's `create`, emulated on one local cluster: what the cluster holds at the backup's point,
 * as the requests that rebuild it (per collection: create, partitions, indexes, rows, aliases, load), each
 * on the collection's channel. The caller holds every channel's lock from the FlushAll point until the
 * reads are done, so the snapshot is exactly the data at the point (Milvus Backup reads the segments the
 * FlushAll sealed; here the locks stand in for that seal). Schemas and indexes are read through the
 * front (what a client sees: auto-id, scalar index types), rows straight from Milvus Lite.
 */
import {
  decodeResponse,
  encode,
  encodeRequest,
  isSuccess,
  type MilvusStatus,
} from "../../../milvus/proto.js";
import type { CollectionSchema, KeyValuePair } from "../../../milvus/schema.js";
import type { SnapshotMessage } from "../replication/restore-secondary.js";
import { rowPages } from "./lite-rows.js";

/** A unary call with an encoded request. */
type Call = (method: string, body: Buffer) => Promise<Buffer>;

const DB = "default";
const DEFAULT_PARTITION = "_default";
const PAGE_ROWS = 1_000;

export interface SnapshotDeps {
  /** Through the front: a client's view. */
  call: Call;
  /** Straight to Milvus Lite. */
  lite: Call;
  channelOf(db: string, collection: string): number | undefined;
  loadedOf(db: string, collection: string): "all" | string[] | undefined;
}

async function read<T>(
  call: Call,
  method: string,
  req: Record<string, unknown>,
): Promise<T & { status?: MilvusStatus }> {
  const res = decodeResponse<T & { status?: MilvusStatus }>(
    method,
    await call(method, encodeRequest(method, req)),
  );
  if (res.status && !isSuccess(res.status))
    throw new Error(
      `backup: ${method} ${String(req.collection_name ?? "")} failed: ${res.status.reason ?? res.status.code}`,
    );
  return res;
}

/** The requests that rebuild every collection of the default database, and the rows per collection. */
export async function snapshotRequests(d: SnapshotDeps): Promise<{
  messages: SnapshotMessage[];
  collections: Array<{ name: string; channel: number; rows: number }>;
}> {
  const messages: SnapshotMessage[] = [];
  const collections: Array<{ name: string; channel: number; rows: number }> = [];
  const shown = await read<{ collection_names?: string[] }>(d.call, "ShowCollections", { db_name: DB });
  for (const name of [...(shown.collection_names ?? [])].sort()) {
    const channel = d.channelOf(DB, name);
    if (channel === undefined) continue;
    const push = (method: string, req: Record<string, unknown>, rows?: number) =>
      messages.push({
        channel,
        method,
        db: DB,
        collection: name,
        payload: encodeRequest(method, { db_name: DB, collection_name: name, ...req }),
        ...(rows !== undefined ? { rows } : {}),
      });
    const described = await read<{
      schema?: CollectionSchema;
      shards_num?: number;
      consistency_level?: string;
      properties?: KeyValuePair[];
    }>(d.call, "DescribeCollection", { db_name: DB, collection_name: name });
    const schema = described.schema;
    if (!schema) throw new Error(`backup: DescribeCollection ${name} returned no schema`);
    push("CreateCollection", {
      schema: encode("schema.CollectionSchema", { ...schema, name }),
      shards_num: described.shards_num ?? 1,
      consistency_level: described.consistency_level,
      properties: described.properties ?? [],
    });
    const fields = schema.fields ?? [];
    const byKey = fields.some((f) => f.is_partition_key);
    const parts = byKey
      ? [DEFAULT_PARTITION]
      : ((
          await read<{ partition_names?: string[] }>(d.call, "ShowPartitions", {
            db_name: DB,
            collection_name: name,
          })
        ).partition_names ?? [DEFAULT_PARTITION]);
    for (const p of parts) if (p !== DEFAULT_PARTITION) push("CreatePartition", { partition_name: p });
    const indexes = decodeResponse<{
      status?: MilvusStatus;
      index_descriptions?: Array<{ field_name?: string; index_name?: string; params?: KeyValuePair[] }>;
    }>(
      "DescribeIndex",
      await d.call("DescribeIndex", encodeRequest("DescribeIndex", { db_name: DB, collection_name: name })),
    );
    // A collection without an index answers "index not found": nothing to restore.
    if (isSuccess(indexes.status))
      for (const ix of indexes.index_descriptions ?? [])
        push("CreateIndex", {
          field_name: ix.field_name,
          index_name: ix.index_name,
          extra_params: (ix.params ?? []).filter((kv) => !(kv.key === "metric_type" && !kv.value)),
        });
    const pk = fields.find((f) => f.is_primary_key);
    if (!pk?.name) throw new Error(`backup: collection '${name}' has no primary key`);
    const outputs = new Set([
      ...fields.filter((f) => f.is_function_output).map((f) => f.name ?? ""),
      ...(schema.functions ?? []).flatMap((fn) => fn.output_field_names ?? []),
    ]);
    const columns = [
      ...fields.filter((f) => f.name && !outputs.has(f.name) && !f.is_dynamic).map((f) => f.name as string),
      ...(schema.enable_dynamic_field ? ["$meta"] : []),
    ];
    let rows = 0;
    for (const p of byKey ? [undefined] : parts) {
      const pages = rowPages(d.lite, {
        db: DB,
        collection: name,
        pk,
        fields: columns,
        page: PAGE_ROWS,
        partition: p,
      });
      for await (const page of pages) {
        push(
          "Insert",
          {
            partition_name: p ?? "",
            fields_data: page.columns.filter((c) => !outputs.has(c.field_name ?? "")),
            num_rows: page.keys.length,
          },
          page.keys.length,
        );
        rows += page.keys.length;
      }
    }
    const aliases = await read<{ aliases?: string[] }>(d.call, "ListAliases", {
      db_name: DB,
      collection_name: name,
    });
    for (const a of aliases.aliases ?? []) push("CreateAlias", { alias: a });
    const loaded = d.loadedOf(DB, name);
    if (loaded === "all") push("LoadCollection", {});
    else if (Array.isArray(loaded) && loaded.length > 0) push("LoadPartitions", { partition_names: loaded });
    collections.push({ name, channel, rows });
  }
  return { messages, collections };
}
