import { DataType, type MilvusClient, type RowData } from "@zilliz/milvus2-sdk-node";
import { HEARTBEAT_COLLECTION } from "../generator/reserved.js";
import {
  addedField,
  type CollectionSpec,
  collectionFields,
  PK_FIELD,
  VECTOR_FIELD,
} from "../generator/rows.js";
import type { PlannedDdl, PlannedWrite } from "../generator/workload.js";
import { InsertEncoder } from "./insert-encoder.js";
import { type Outcome, outcomeOf } from "./outcome.js";
import { sendEncoded } from "./raw-write.js";

/** A write's outcome; an auto-id insert's also names the keys Milvus assigned (int64 as decimal strings). */
export type WriteOutcome = Outcome & { assigned?: string[] };

export { HEARTBEAT_COLLECTION };

/** Milvus index type and params for a drill collection's vector field. */
export function vectorIndex(spec: CollectionSpec): {
  index_type: string;
  metric_type: string;
  params: Record<string, number>;
} {
  const metric_type = spec.metric;
  if (spec.vectorType === "sparse") return { index_type: "SPARSE_INVERTED_INDEX", metric_type, params: {} };
  if (spec.vectorType === "binary") {
    return spec.index === "IVF_FLAT"
      ? { index_type: "BIN_IVF_FLAT", metric_type, params: { nlist: 64 } }
      : { index_type: "BIN_FLAT", metric_type, params: {} };
  }
  switch (spec.index) {
    case "HNSW":
      return { index_type: "HNSW", metric_type, params: { M: 16, efConstruction: 64 } };
    case "IVF_FLAT":
      return { index_type: "IVF_FLAT", metric_type, params: { nlist: 64 } };
    default:
      return { index_type: spec.index, metric_type, params: {} };
  }
}

function partitionNames(op: PlannedDdl): string[] {
  return (op.detail.partitions as string[] | undefined) ?? [];
}

/** The SDK copies rows through JSON, which turns a Float32Array into an object: hand it plain arrays. */
function plainVectors(row: RowData): RowData {
  let out: RowData | undefined;
  for (const k in row) {
    const v = row[k];
    if (v instanceof Float32Array) {
      out ??= { ...row };
      out[k] = Array.from(v);
    }
  }
  return out ?? row;
}

/**
 * The client role: turns planned ops into Milvus calls on the primary and says what happened.
 * It never retries a write (see connect.ts): the outcome goes to the history as is.
 */
export class DrillExecutor {
  /** Per collection: the encoder for its inserts/upserts, or null where the SDK encodes them. */
  private readonly encoders = new Map<string, InsertEncoder | null>();

  constructor(
    private readonly client: MilvusClient,
    private readonly specs: Map<string, CollectionSpec>,
    private readonly timeoutMs: number,
  ) {}

  private encoderFor(collection: string): InsertEncoder | null {
    let e = this.encoders.get(collection);
    if (e === undefined) {
      const spec = this.specs.get(collection);
      e = spec ? InsertEncoder.forSchema(collectionFields(spec), spec.dynamicField) : null;
      this.encoders.set(collection, e);
    }
    return e;
  }

  write(op: PlannedWrite): Promise<WriteOutcome> {
    // Auto-id inserts and upserts go through the SDK: the outcome must carry the keys Milvus assigned.
    // So do rows of a collection that gained fields mid-drill (nullable: the encoder writes none).
    if (op.kind !== "delete" && !op.autoId && !op.reassigns && !op.addedFields?.length) {
      const encoder = this.encoderFor(op.collection);
      if (encoder) {
        let bytes: Buffer;
        try {
          bytes = encoder.encode(op.kind, {
            collection: op.collection,
            partition: op.partition,
            rows: op.rows,
          });
        } catch (e) {
          // Rows that cannot be encoded never left the process: definitely not applied.
          return Promise.resolve({ type: "fail", error: `not sent: ${(e as Error).message}` });
        }
        const method = op.kind === "insert" ? "Insert" : "Upsert";
        return outcomeOf(() => sendEncoded(this.client, method, bytes, this.timeoutMs));
      }
    }
    const base = {
      collection_name: op.collection,
      timeout: this.timeoutMs,
      ...(op.partition ? { partition_name: op.partition } : {}),
    };
    switch (op.kind) {
      case "insert":
        if (op.autoId) return this.autoIdInsert(op, base);
        return outcomeOf(() => this.client.insert({ ...base, data: op.rows.map(plainVectors) }));
      case "upsert":
        if (op.reassigns) return this.autoIdUpsert(op, base);
        return outcomeOf(() => this.client.upsert({ ...base, data: op.rows.map(plainVectors) }));
      case "delete":
        return outcomeOf(() =>
          this.client.delete({ ...base, filter: `${PK_FIELD} in [${op.keys.map((k) => k.pk).join(",")}]` }),
        );
    }
  }

  /** An insert into an auto-id collection: the outcome carries the keys Milvus assigned, in row order. */
  private async autoIdInsert(op: PlannedWrite, base: { collection_name: string }): Promise<WriteOutcome> {
    let assigned: string[] | undefined;
    const outcome = await outcomeOf(async () => {
      const res = await this.client.insert({ ...base, data: op.rows.map(plainVectors) });
      const ids = res.IDs as { int_id?: { data?: unknown[] }; str_id?: { data?: unknown[] } } | undefined;
      const data = ids?.int_id?.data ?? ids?.str_id?.data;
      if (data && data.length === op.rows.length) assigned = data.map(String);
      return res;
    });
    return outcome.type === "ok" && assigned ? { ...outcome, assigned } : outcome;
  }

  /**
   * An upsert into an auto-id collection: Milvus replaces each row's key by a new one (docs: upsert in
   * override mode) and answers with the keys it kept; the outcome carries them, in row order.
   */
  private async autoIdUpsert(op: PlannedWrite, base: { collection_name: string }): Promise<WriteOutcome> {
    let assigned: string[] | undefined;
    const outcome = await outcomeOf(async () => {
      const res = await this.client.upsert({ ...base, data: op.rows.map(plainVectors) });
      const ids = res.IDs as { int_id?: { data?: unknown[] }; str_id?: { data?: unknown[] } } | undefined;
      const data = ids?.int_id?.data ?? ids?.str_id?.data;
      if (data && data.length === op.rows.length) assigned = data.map(String);
      return res;
    });
    return outcome.type === "ok" && assigned ? { ...outcome, assigned } : outcome;
  }

  ddl(op: PlannedDdl): Promise<Outcome> {
    const c = this.client;
    const collection_name = op.collection;
    const timeout = this.timeoutMs;
    switch (op.action) {
      case "create-collection": {
        const spec = this.specs.get(collection_name);
        if (!spec)
          return Promise.resolve({ type: "fail", error: `no spec for collection ${collection_name}` });
        return outcomeOf(() =>
          c.createCollection({
            collection_name,
            fields: collectionFields(spec),
            enable_dynamic_field: spec.dynamicField,
            // One shard = one channel: the collection is totally ordered, which the prefix check relies on
            // (a collection given more shards is left out of it: see the history header).
            shards_num: spec.shards ?? 1,
            ...(spec.partitionKey ? { num_partitions: 8 } : {}),
            timeout,
          }),
        );
      }
      case "create-index": {
        const field = String(op.detail.field ?? VECTOR_FIELD);
        if (field === VECTOR_FIELD) {
          const spec = this.specs.get(collection_name);
          if (!spec)
            return Promise.resolve({ type: "fail", error: `no spec for collection ${collection_name}` });
          return outcomeOf(() =>
            c.createIndex({ collection_name, field_name: field, ...vectorIndex(spec), timeout }),
          );
        }
        return outcomeOf(() =>
          c.createIndex({
            collection_name,
            field_name: field,
            index_type: String(op.detail.indexType ?? "INVERTED"),
            timeout,
          }),
        );
      }
      case "load":
        return outcomeOf(() => c.loadCollectionSync({ collection_name, timeout }));
      case "release":
        return outcomeOf(() => c.releaseCollection({ collection_name, timeout }));
      case "load-partitions":
        return outcomeOf(() =>
          c.loadPartitions({ collection_name, partition_names: partitionNames(op), timeout }),
        );
      case "release-partitions":
        return outcomeOf(() =>
          c.releasePartitions({ collection_name, partition_names: partitionNames(op), timeout }),
        );
      case "add-field":
        return outcomeOf(() =>
          c.addCollectionField({ collection_name, field: addedField(String(op.detail.field)), timeout }),
        );
      case "flush":
        return outcomeOf(() => c.flushSync({ collection_names: [collection_name], timeout }));
      case "create-partition":
        return outcomeOf(() =>
          c.createPartition({ collection_name, partition_name: String(op.detail.partition), timeout }),
        );
      case "drop-partition":
        return outcomeOf(() =>
          c.dropPartition({ collection_name, partition_name: String(op.detail.partition), timeout }),
        );
      case "create-alias":
        return outcomeOf(() => c.createAlias({ collection_name, alias: String(op.detail.alias), timeout }));
      case "drop-alias":
        return outcomeOf(() => c.dropAlias({ alias: String(op.detail.alias), timeout }));
      case "drop-collection":
        return outcomeOf(() => c.dropCollection({ collection_name, timeout }));
      case "drop-index":
        return outcomeOf(() =>
          c.dropIndex({ collection_name, field_name: String(op.detail.field), timeout }),
        );
    }
  }

  /** Creates the heartbeat collection (a tiny vector field because Milvus requires one), indexed and loaded. */
  async createHeartbeatCollection(): Promise<Outcome> {
    const c = this.client;
    const created = await outcomeOf(() =>
      c.createCollection({
        collection_name: HEARTBEAT_COLLECTION,
        fields: [
          { name: "writer", data_type: DataType.Int64, is_primary_key: true, autoID: false },
          { name: "hb_seq", data_type: DataType.Int64 },
          { name: "wall_ms", data_type: DataType.Int64 },
          { name: "v", data_type: DataType.FloatVector, dim: 2 },
        ],
        shards_num: 1,
        timeout: this.timeoutMs,
      }),
    );
    if (created.type !== "ok") return created;
    const indexed = await outcomeOf(() =>
      c.createIndex({
        collection_name: HEARTBEAT_COLLECTION,
        field_name: "v",
        index_type: "FLAT",
        metric_type: "L2",
      }),
    );
    if (indexed.type !== "ok") return indexed;
    return outcomeOf(() =>
      c.loadCollectionSync({ collection_name: HEARTBEAT_COLLECTION, timeout: this.timeoutMs }),
    );
  }

  heartbeat(writer: number, hbSeq: number, wallMs: number): Promise<Outcome> {
    return outcomeOf(() =>
      this.client.upsert({
        collection_name: HEARTBEAT_COLLECTION,
        data: [{ writer, hb_seq: hbSeq, wall_ms: wallMs, v: [0, 0] }],
        timeout: this.timeoutMs,
      }),
    );
  }
}
