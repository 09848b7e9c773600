/**
 * add_collection_field on Milvus Lite, emulated as Milvus has it. Milvus Lite cannot change a
 * collection's schema: milvus_lite 3.2.2 (adapter/grpc/servicer.py) does not override
 * AddCollectionField, so the generated base class answers UNIMPLEMENTED. Milvus appends the field to
 * the schema; rows written before read null in it, or its default value.
 *
 * The request is first checked as Milvus's proxy checks it (validateAddField below). Then the
 * collection is rebuilt with the field appended, under the same name, so everything the front keeps by
 * (database, collection name) stays valid: the channel map's channel, load record, aliases and auto-id
 * record, the duplicate tracker, the scalar index records. Under the caller's channel lock:
 *   1. journal `copy`: the temporary name, Milvus Lite's load state and the aliases, on disk;
 *   2. a temporary collection with the new schema (Milvus Lite's own schema, auto_id off as auto-id.ts
 *      keeps it, plus the field), the collection's properties and partitions; every row copied into it,
 *      partition by partition, in primary-key order one page at a time (function outputs left out:
 *      Milvus Lite computes them again); the indexes as Milvus Lite holds them; flushed; the row counts
 *      of both compared;
 *   3. journal `swap`; the aliases are moved to the copy, the original is dropped, the copy renamed to
 *      the original's name (Milvus Lite's rename carries the aliases), and loaded again if it was;
 *   4. the journal entry is removed.
 * A crash (or a failure) leaves a journal entry, finished when the front next starts (and before the
 * next add_collection_field on the collection): in `copy` the original is untouched and the copy is dropped (rolled
 * back); in `swap` the copy is complete, so the swap is carried through (rolled forward). No row is
 * lost at any step: until the original is dropped, it holds every row; after, the complete copy does.
 *
 * Milvus Lite keeps neither a collection's description nor its consistency level (its
 * DescribeCollection answers neither), so there is nothing of them to carry over.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  decode,
  decodeResponse,
  encode,
  encodeRequest,
  encodeResponse,
  isSuccess,
  kvValue,
  type MilvusStatus,
  responseStatus,
  statusResponse,
} from "../../../milvus/proto.js";
import type { CollectionSchema, FieldSchema, KeyValuePair } from "../../../milvus/schema.js";
import { readJson, writeJsonAtomic } from "../common/state.js";
import { invalidParameter, MILVUS_UNEXPECTED_CODE, milvusStatus } from "../common/statuses.js";
import type { LiteLink } from "./lite-link.js";
import { rowPages } from "./lite-rows.js";

interface FieldData {
  field_name?: string;
  scalars?: { long_data?: { data?: string[] }; string_data?: { data?: string[] } };
  [k: string]: unknown;
}

/** What a crash may leave behind, per collection (see the header). */
interface JournalEntry {
  db: string;
  collection: string;
  temp: string;
  phase: "copy" | "swap";
  /** Milvus Lite's own load state of the original (it loads a collection without an index at once). */
  liteLoaded: boolean;
  aliases: string[];
}

const METHOD = "AddCollectionField";
/** Milvus's proxy limits (paramtable proxy.maxFieldNum, maxVectorFieldNum, maxVarCharLength, maxArrayCapacity defaults). */
const MAX_FIELD_NUM = 64;
const MAX_VECTOR_FIELD_NUM = 4;
const MAX_VARCHAR_LENGTH = 65535;
const MAX_ARRAY_CAPACITY = 4096;
/** Milvus's system field names (pkg/common: RowIDFieldName, TimeStampFieldName, MetaFieldName, VirtualPKFieldName). */
const SYSTEM_FIELDS = new Set(["RowID", "Timestamp", "$meta", "__virtual_pk__"]);
const VECTOR_TYPES = new Set([
  "BinaryVector",
  "FloatVector",
  "Float16Vector",
  "BFloat16Vector",
  "SparseFloatVector",
  "Int8Vector",
]);
/**
 * Rows per page of the copy, and the bytes a page may take (Milvus Lite's gRPC limit is 256 MiB). Few
 * large pages: Milvus Lite sorts the rows left to copy for each page (its query orders by primary key
 * before the limit), so the pages' count multiplies the cost.
 */
const PAGE_ROWS = 10_000;
const PAGE_BYTES = 64 * 1024 * 1024;
/** Milvus Lite's partition every collection has. */
const DEFAULT_PARTITION = "_default";

/** merr.WrapErrParameterMissingMsg: code 1101, `<msg>: missing parameter`. */
const missing = (msg: string): MilvusStatus =>
  milvusStatus(1101, `${msg}: missing parameter`, "IllegalArgument");

const param = (f: FieldSchema, key: string) => kvValue(f.type_params, key);

/**
 * Milvus's refusal of an AddCollectionField, or undefined when Milvus takes it. The rules and texts
 * are milvus-io/milvus internal/proxy (task.go addCollectionFieldTask.PreExecute and
 * validateAddFieldRequest; util.go ValidateField, validateMaxLengthPerRow, getMaxCapacityPerRow; read at
 * commit b62429070cd0): in that order, the field count, a duplicate name, the data type, a system
 * name, a primary key, auto_id, a partition key, the vector field count and a vector's dimension; then
 * the field must be nullable ("User-added fields must be nullable so that old segments without this
 * field can return NULL", also with a default value); then VarChar max_length and Array max_capacity.
 * Last rootcoord's check of the default value's type (defaultMismatch). Left out: a second clustering
 * key (Milvus Lite drops is_clustering_key, so the front cannot tell) and the field name's characters
 * (merr's field-name error text differs between Milvus versions; Milvus Lite applies its own rules).
 */
export function validateAddField(schema: CollectionSchema, field: FieldSchema): MilvusStatus | undefined {
  const fields = schema.fields ?? [];
  const name = field.name ?? "";
  const type = field.data_type ?? "None";
  if (fields.length >= MAX_FIELD_NUM)
    return invalidParameter(`The number of fields has reached the maximum value ${MAX_FIELD_NUM}`);
  if (fields.some((f) => f.name === name)) return invalidParameter(`duplicated field name ${name}`);
  if (type === "None" || /^\d+$/.test(type))
    // merr.WrapErrParameterInvalid("valid field", ...): `expected=%v, actual=%v: invalid parameter`.
    return invalidParameter(`expected=valid field, actual=field data type: ${type} is not supported`);
  if (SYSTEM_FIELDS.has(name))
    return invalidParameter(`not support to add system field, field name = ${name}`);
  if (field.is_primary_key) return invalidParameter(`not support to add pk field, field name = ${name}`);
  if (field.autoID)
    return invalidParameter(`only primary field can speficy AutoID with true, field name = ${name}`);
  // Two spaces before "=": Milvus's own text.
  if (field.is_partition_key)
    return invalidParameter(`not support to add partition key field, field name  = ${name}`);
  if (VECTOR_TYPES.has(type)) {
    if (fields.filter((f) => VECTOR_TYPES.has(f.data_type ?? "")).length >= MAX_VECTOR_FIELD_NUM)
      // A plain fmt.Errorf in Milvus: not a merr error, so code 65535.
      return milvusStatus(
        MILVUS_UNEXPECTED_CODE,
        `maximum vector field's number should be limited to ${MAX_VECTOR_FIELD_NUM}`,
      );
    if (type !== "SparseFloatVector" && (field.type_params ?? []).length === 0)
      return invalidParameter(`vector field must have dimension specified, field name = ${name}`);
  }
  if (!field.nullable)
    return invalidParameter(`added field must be nullable, please check it, field name = ${name}`);
  const collection = schema.name ?? "";
  const maxLength = () => {
    const v = param(field, "max_length");
    if (v === undefined)
      return missing(
        `type param(max_length) should be specified for the field(${name}) of collection ${collection}`,
      );
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0 || n > MAX_VARCHAR_LENGTH)
      return invalidParameter(
        `the maximum length specified for the field(${name}) should be in (0, ${MAX_VARCHAR_LENGTH}], but got ${v} instead`,
      );
    return undefined;
  };
  if (type === "VarChar") return maxLength();
  if (type === "Array") {
    if (field.element_type === "VarChar") {
      const refused = maxLength();
      if (refused) return refused;
    }
    const v = param(field, "max_capacity");
    if (v === undefined)
      return missing(
        `type param(max_capacity) should be specified for array field ${name} of collection ${collection}`,
      );
    const n = Number(v);
    if (!Number.isInteger(n))
      return invalidParameter(`the value for max_capacity of field ${name} must be an integer`);
    if (n <= 0 || n > MAX_ARRAY_CAPACITY)
      return invalidParameter(
        `the maximum capacity specified for a Array should be in (0, ${MAX_ARRAY_CAPACITY}]`,
      );
  }
  return defaultMismatch(field);
}

/** Which data types a default value's slot fits, and the name Milvus's refusal gives it. */
const DEFAULT_SLOTS: Record<string, { types: string[]; expected: string }> = {
  bool_data: { types: ["Bool"], expected: "DataType_Bool" },
  int_data: { types: ["Int32", "Int16", "Int8"], expected: "DataType_Int" },
  long_data: { types: ["Int64"], expected: "DataType_Int64" },
  float_data: { types: ["Float"], expected: "DataType_Float" },
  double_data: { types: ["Double"], expected: "DataType_Double" },
  string_data: { types: ["VarChar"], expected: "DataType_VarChar" },
};

/**
 * A default value of another type than the field's, refused as rootcoord's checkFieldSchema refuses it
 * (merr.WrapErrParameterInvalid(expected, "not match", "default value type mismatches field schema
 * type"), which errors.Wrap puts before `expected=..., actual=...: invalid parameter`). Milvus Lite
 * would take it and then fail every insert that falls back on it. Slots of newer types pass.
 */
function defaultMismatch(field: FieldSchema): MilvusStatus | undefined {
  const slot = Object.keys(field.default_value ?? {}).find((k) => k in DEFAULT_SLOTS);
  const want = slot ? DEFAULT_SLOTS[slot] : undefined;
  if (!want || want.types.includes(field.data_type ?? "")) return undefined;
  return invalidParameter(
    `default value type mismatches field schema type: expected=${want.expected}, actual=not match`,
  );
}

/** The same field as one the schema has already (a replicated AddCollectionField applied before). */
function sameField(a: FieldSchema, b: FieldSchema): boolean {
  return (
    a.name === b.name &&
    (a.data_type ?? "None") === (b.data_type ?? "None") &&
    Boolean(a.nullable) === Boolean(b.nullable) &&
    JSON.stringify(a.default_value ?? null) === JSON.stringify(b.default_value ?? null)
  );
}

/**
 * A failure Milvus Lite answered in-band, passed to the client: its code and reason. Its legacy
 * error_code is kept only when it is a name the protocol has: Milvus Lite answers some as numbers
 * outside the enum (adapter/grpc/errors.py), which the response could not carry.
 */
function passOn(st: MilvusStatus | undefined): MilvusStatus {
  const known = typeof st?.error_code === "string" ? st.error_code : "UnexpectedError";
  return { error_code: known, code: st?.code ?? MILVUS_UNEXPECTED_CODE, reason: st?.reason ?? "" };
}

class Refused extends Error {
  readonly status: MilvusStatus;
  constructor(st: MilvusStatus | undefined) {
    super(st?.reason ?? "refused");
    this.status = passOn(st);
  }
}

/** Tests only: a crash planted at a step; nothing after it runs, the journal stays as it is. */
export class PlantedCrash extends Error {}

export class FieldAdder {
  private journal: Record<string, JournalEntry> = {};
  /** Collections whose add is under way now (their journal entries are not leftovers). */
  private readonly running = new Set<string>();
  /** Swaps under way, by collection: reads wait for them (see settled). */
  private readonly swaps = new Map<string, Promise<void>>();
  private readonly file: string;

  constructor(
    private readonly lite: LiteLink,
    stateDir: string,
    private readonly log: (m: string) => void = () => {},
    private readonly testing: {
      /** Stop right after this step, as a crash there would, leaving the journal as it is. */
      crashAfter?: "copied" | "dropped";
      /** Rows per page of the copy. */
      pageRows?: number;
    } = {},
  ) {
    this.file = join(stateDir, "add-field-journal.json");
  }

  /** Reads the journal and finishes what a crash left (call before the front serves). */
  async load(): Promise<void> {
    this.journal = (await readJson<Record<string, JournalEntry>>(this.file)) ?? {};
    await this.recoverLeftovers();
  }

  /** Temporary collections of adds under way or left unfinished: hidden from ShowCollections. */
  hidden(db: string): Set<string> {
    return new Set(
      Object.values(this.journal)
        .filter((e) => e.db === db)
        .map((e) => e.temp),
    );
  }

  get swapping(): boolean {
    return this.swaps.size > 0;
  }

  /**
   * Resolves once no swap is under way for the collection (for any collection of the database, without
   * a name); undefined when none is. For a moment of a swap Milvus Lite has the collection dropped,
   * then renamed but not yet loaded again; Milvus's add_collection_field shows no such moment, so
   * reads wait it out (the front's unary).
   */
  settled(db: string, collection?: string): Promise<void> | undefined {
    if (!this.swapping) return undefined;
    if (collection) return this.swaps.get(`${db}/${collection}`);
    const mine = [...this.swaps].filter(([k]) => k.startsWith(`${db}/`)).map(([, p]) => p);
    return mine.length > 0 ? Promise.all(mine).then(() => {}) : undefined;
  }

  /**
   * Applies an AddCollectionField (the caller holds the collection's channel lock). `replicated`: the
   * request came through replication, so one already applied (a crash before the checkpoint moved)
   * is taken again as done, instead of refused as a duplicate.
   */
  async add(
    req: Record<string, unknown>,
    db: string,
    md: grpc.Metadata,
    replicated: boolean,
  ): Promise<Buffer> {
    const name = String(req.collection_name ?? "");
    // What an earlier add on this collection left (its recovery failed then): finished first, under
    // this collection's lock. Other collections' leftovers wait for theirs, or for the next start.
    await this.recoverLeftovers((e) => e.db === db && (e.collection === name || e.aliases.includes(name)));
    const described = decodeResponse<{
      status?: MilvusStatus;
      schema?: CollectionSchema;
      collection_name?: string;
      properties?: KeyValuePair[];
    }>(
      "DescribeCollection",
      await this.call("DescribeCollection", { db_name: db, collection_name: name }, md),
    );
    if (!isSuccess(described.status) || !described.schema)
      return statusResponse(
        METHOD,
        described.status
          ? passOn(described.status)
          : milvusStatus(100, `collection not found[collection=${name}]`),
      );
    const collection = described.collection_name || name;
    const schema: CollectionSchema = { ...described.schema, name: collection };
    const field = decode<FieldSchema>(
      "schema.FieldSchema",
      (req.schema as Buffer | undefined) ?? Buffer.alloc(0),
    );
    if (replicated) {
      const had = schema.fields?.find((f) => f.name === field.name);
      if (had && sameField(had, field)) return statusResponse(METHOD, {});
    }
    const refused = validateAddField(schema, field);
    if (refused) return statusResponse(METHOD, refused);

    const key = `${db}/${collection}`;
    this.running.add(key);
    try {
      const entry: JournalEntry = {
        db,
        collection,
        temp: await this.freeName(db, collection, md),
        phase: "copy",
        liteLoaded: await this.liteLoaded(db, collection, md),
        aliases: await this.aliases(db, collection, md),
      };
      await this.record(key, entry);
      try {
        await this.copy(entry, schema, field, described.properties ?? [], md);
      } catch (e) {
        if (e instanceof PlantedCrash) throw e;
        await this.rollBack(entry, md).catch((r) =>
          this.log(
            `add_collection_field on '${key}': rolling back failed (${(r as Error).message}); retried later`,
          ),
        );
        if (!this.journal[key]) {
          if (e instanceof Refused) return statusResponse(METHOD, e.status);
          return statusResponse(
            METHOD,
            milvusStatus(
              MILVUS_UNEXPECTED_CODE,
              `add_collection_field on '${collection}' was not applied (the collection is unchanged): ${(e as Error).message}`,
            ),
          );
        }
        throw e;
      }
      if (this.testing.crashAfter === "copied") throw new PlantedCrash("crash planted after the copy");
      entry.phase = "swap";
      await this.record(key, entry);
      let swapped = () => {};
      this.swaps.set(
        key,
        new Promise<void>((resolve) => {
          swapped = resolve;
        }),
      );
      try {
        await this.rollForward(entry, md);
      } catch (e) {
        if (e instanceof PlantedCrash) throw e;
        // Every step of the swap is safe to repeat: once more at once, else at the next start or add.
        this.log(`add_collection_field on '${key}': the swap failed (${(e as Error).message}); once more`);
        try {
          await this.rollForward(entry, md);
        } catch (again) {
          throw new Error(
            `add_collection_field on '${collection}': the copy with the new field is complete as '${entry.temp}', but taking the original's place failed (${(again as Error).message}); the front completes it when it starts again or at the next add_collection_field`,
          );
        }
      } finally {
        this.swaps.delete(key);
        swapped();
      }
      await this.record(key, undefined);
      return statusResponse(METHOD, {});
    } finally {
      this.running.delete(key);
    }
  }

  // ---- steps ---------------------------------------------------------------------------------

  private async copy(
    e: JournalEntry,
    schema: CollectionSchema,
    field: FieldSchema,
    properties: KeyValuePair[],
    md: grpc.Metadata,
  ): Promise<void> {
    const { db, collection, temp } = e;
    const fields = schema.fields ?? [];
    const pk = fields.find((f) => f.is_primary_key);
    if (!pk?.name) throw new Error(`collection '${collection}' has no primary key in Milvus Lite's schema`);
    // Function outputs (BM25 sparse vectors) are computed by Milvus Lite from their inputs, which it
    // refuses to be given ("BM25 output field ... is generated").
    const outputs = new Set([
      ...fields.filter((f) => f.is_function_output).map((f) => f.name ?? ""),
      ...(schema.functions ?? []).flatMap((fn) => fn.output_field_names ?? []),
    ]);
    const created = await this.call(
      "CreateCollection",
      {
        db_name: db,
        collection_name: temp,
        schema: encode("schema.CollectionSchema", { ...schema, name: temp, fields: [...fields, field] }),
        properties,
      },
      md,
    );
    const st = responseStatus("CreateCollection", created);
    if (!isSuccess(st)) throw new Refused(st);

    // A partition-key collection routes rows itself (its partitions are buckets Milvus Lite fills by hash).
    const byKey = fields.some((f) => f.is_partition_key);
    const partitions = byKey ? [undefined] : await this.partitions(db, collection, md);
    for (const p of partitions)
      if (p && p !== DEFAULT_PARTITION)
        await this.ok("CreatePartition", { db_name: db, collection_name: temp, partition_name: p }, md);
    // Milvus Lite reads only a loaded collection; the original is dropped after the copy, or released
    // again by the roll-back.
    if (!e.liteLoaded) await this.ok("LoadCollection", { db_name: db, collection_name: collection }, md);
    const read = [
      ...fields.filter((f) => f.name && !outputs.has(f.name)).map((f) => f.name as string),
      ...(schema.enable_dynamic_field ? ["$meta"] : []),
    ];
    const rowBytes = fields.reduce(
      (n, f) => n + (f.data_type === "FloatVector" ? Number(param(f, "dim") ?? 0) * 4 : 0),
      1024,
    );
    const page = Math.max(1, Math.min(this.testing.pageRows ?? PAGE_ROWS, Math.floor(PAGE_BYTES / rowBytes)));
    let copied = 0;
    for (const p of partitions) copied += await this.copyRows(e, pk, read, outputs, p, page, md);

    const indexes = decodeResponse<{
      status?: MilvusStatus;
      index_descriptions?: Array<{ field_name?: string; index_name?: string; params?: KeyValuePair[] }>;
    }>("DescribeIndex", await this.call("DescribeIndex", { db_name: db, collection_name: collection }, md));
    if (isSuccess(indexes.status))
      for (const d of indexes.index_descriptions ?? [])
        await this.ok(
          "CreateIndex",
          {
            db_name: db,
            collection_name: temp,
            field_name: d.field_name,
            index_name: d.index_name,
            // Milvus Lite describes a scalar index with an empty metric type, which it does not take back.
            extra_params: (d.params ?? []).filter((kv) => !(kv.key === "metric_type" && !kv.value)),
          },
          md,
        );
    await this.ok("Flush", { db_name: db, collection_names: [temp] }, md);
    const [had, has] = [await this.count(db, collection, md), await this.count(db, temp, md)];
    if (had !== copied || has !== copied)
      throw new Error(
        `the copy is incomplete: '${collection}' holds ${had} rows, ${copied} were read, the copy holds ${has}`,
      );
  }

  /** Copies one partition's rows (all rows: `partition` undefined) in primary-key order; returns how many. */
  private async copyRows(
    e: JournalEntry,
    pk: FieldSchema,
    read: string[],
    outputs: Set<string>,
    partition: string | undefined,
    page: number,
    md: grpc.Metadata,
  ): Promise<number> {
    let copied = 0;
    const pages = rowPages((m, b) => this.lite.call(m, b, md), {
      db: e.db,
      collection: e.collection,
      pk,
      fields: read,
      page,
      partition,
      fail: (st) => new Refused(st),
    });
    for await (const { columns, keys } of pages) {
      await this.ok(
        "Insert",
        {
          db_name: e.db,
          collection_name: e.temp,
          partition_name: partition ?? "",
          fields_data: columns.filter((c) => !outputs.has(c.field_name ?? "")),
          num_rows: keys.length,
        },
        md,
      );
      copied += keys.length;
    }
    return copied;
  }

  /** Original untouched: the copy is dropped, and the original released again if it was. */
  private async rollBack(e: JournalEntry, md: grpc.Metadata): Promise<void> {
    if (await this.has(e.db, e.temp, md))
      await this.ok("DropCollection", { db_name: e.db, collection_name: e.temp }, md);
    if (!e.liteLoaded && (await this.has(e.db, e.collection, md)))
      await this.ok("ReleaseCollection", { db_name: e.db, collection_name: e.collection }, md);
    await this.record(`${e.db}/${e.collection}`, undefined);
  }

  /** The copy is complete: it takes the original's place (every step safe to repeat). */
  private async rollForward(e: JournalEntry, md: grpc.Metadata): Promise<void> {
    const { db, collection, temp } = e;
    if (await this.has(db, temp, md)) {
      if (await this.has(db, collection, md)) {
        // Milvus Lite drops a collection's aliases with it (db.py drop_collection) and moves them on a
        // rename (rename_collection): they go to the copy first.
        for (const alias of e.aliases)
          await this.ok("AlterAlias", { db_name: db, alias, collection_name: temp }, md);
        await this.ok("DropCollection", { db_name: db, collection_name: collection }, md);
        if (this.testing.crashAfter === "dropped") throw new PlantedCrash("crash planted after the drop");
      }
      await this.ok("RenameCollection", { db_name: db, oldName: temp, newName: collection }, md);
    } else if (!(await this.has(db, collection, md))) {
      throw new Error(`neither '${collection}' nor its copy '${temp}' exists in Milvus Lite`);
    }
    // A collection Milvus Lite opens with an index starts released (engine/collection.py).
    if (e.liteLoaded) await this.ok("LoadCollection", { db_name: db, collection_name: collection }, md);
  }

  private async recoverLeftovers(which: (e: JournalEntry) => boolean = () => true): Promise<void> {
    for (const [key, e] of Object.entries(this.journal)) {
      if (this.running.has(key) || !which(e)) continue;
      const md = new grpc.Metadata();
      try {
        if (e.phase === "copy") await this.rollBack(e, md);
        else {
          await this.rollForward(e, md);
          await this.record(key, undefined);
        }
        this.log(
          `add_collection_field on '${key}' left unfinished: ${e.phase === "copy" ? "rolled back" : "completed"}`,
        );
      } catch (err) {
        this.log(
          `add_collection_field on '${key}' left unfinished, not recovered yet: ${(err as Error).message}`,
        );
      }
    }
  }

  // ---- Milvus Lite calls -----------------------------------------------------------------------

  private call(method: string, req: Record<string, unknown>, md: grpc.Metadata): Promise<Buffer> {
    return this.lite.call(method, encodeRequest(method, req), md);
  }

  /** A call that must succeed. */
  private async ok(method: string, req: Record<string, unknown>, md: grpc.Metadata): Promise<Buffer> {
    const res = await this.call(method, req, md);
    const st = responseStatus(method, res);
    if (!isSuccess(st)) throw new Error(`${method} on Milvus Lite failed: ${st?.reason || st?.code}`);
    return res;
  }

  private async has(db: string, name: string, md: grpc.Metadata): Promise<boolean> {
    const res = decodeResponse<{ value?: boolean }>(
      "HasCollection",
      await this.ok("HasCollection", { db_name: db, collection_name: name }, md),
    );
    return res.value === true;
  }

  private async freeName(db: string, collection: string, md: grpc.Metadata): Promise<string> {
    for (;;) {
      const temp = `_add_field_${randomBytes(6).toString("hex")}_${collection}`.slice(0, 200);
      if (!(await this.has(db, temp, md))) return temp;
    }
  }

  private async liteLoaded(db: string, name: string, md: grpc.Metadata): Promise<boolean> {
    const res = decodeResponse<{ state?: string }>(
      "GetLoadState",
      await this.ok("GetLoadState", { db_name: db, collection_name: name }, md),
    );
    return res.state === "LoadStateLoaded";
  }

  private async aliases(db: string, name: string, md: grpc.Metadata): Promise<string[]> {
    const res = decodeResponse<{ aliases?: string[] }>(
      "ListAliases",
      await this.ok("ListAliases", { db_name: db, collection_name: name }, md),
    );
    return res.aliases ?? [];
  }

  private async partitions(db: string, name: string, md: grpc.Metadata): Promise<string[]> {
    const res = decodeResponse<{ partition_names?: string[] }>(
      "ShowPartitions",
      await this.ok("ShowPartitions", { db_name: db, collection_name: name }, md),
    );
    return res.partition_names ?? [];
  }

  /** Rows Milvus Lite holds (count(*) without a filter: its live-row count). */
  private async count(db: string, name: string, md: grpc.Metadata): Promise<number> {
    const res = decodeResponse<{ fields_data?: FieldData[] }>(
      "Query",
      await this.ok(
        "Query",
        { db_name: db, collection_name: name, expr: "", output_fields: ["count(*)"] },
        md,
      ),
    );
    return Number(res.fields_data?.[0]?.scalars?.long_data?.data?.[0] ?? -1);
  }

  private async record(key: string, entry: JournalEntry | undefined): Promise<void> {
    if (entry) this.journal[key] = { ...entry };
    else delete this.journal[key];
    await writeJsonAtomic(this.file, this.journal);
  }
}

/** A ShowCollections answer without the temporary collections of adds under way. */
export function withoutHidden(response: Buffer, hidden: Set<string>): Buffer {
  if (hidden.size === 0) return response;
  const res = decodeResponse<Record<string, unknown> & { collection_names?: string[] }>(
    "ShowCollections",
    response,
  );
  const names = res.collection_names ?? [];
  const keep = names.map((n) => !hidden.has(n));
  if (keep.every(Boolean)) return response;
  for (const [k, v] of Object.entries(res))
    if (Array.isArray(v) && v.length === names.length) res[k] = v.filter((_, i) => keep[i]);
  return encodeResponse("ShowCollections", res);
}
