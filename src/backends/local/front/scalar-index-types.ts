/**
 * Scalar indexes Milvus Lite does not build. Scalar indexes change how fast a filter runs, not what it
 * answers, so the front stands in for them and reports them as asked (persisted in the state
 * directory). Applied on both clusters of a pair alike (lite-apply.ts), so a replicated index reads the
 * same on the standby:
 * - Trie, STL_SORT and BITMAP (Milvus Lite builds INVERTED only) are built as INVERTED, and
 *   DescribeIndex reports the type asked for;
 * - an index Milvus Lite refuses outright on a field Milvus indexes (INVERTED on an ARRAY field: "field
 *   type ARRAY does not support scalar index"; a JSON path index: "field 'j' has type JSON; create_index
 *   with index_type 'AUTOINDEX' requires a vector field") is kept by the front alone: DescribeIndex lists
 *   it as finished, DropIndex removes it, and filters on the field scan, as they would without it.
 */
import { join } from "node:path";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isSuccess,
  responseStatus,
} from "../../../milvus/proto.js";
import { readJson, writeJsonAtomic } from "../common/state.js";

type Kv = { key: string; value: string };

/** Milvus's scalar index types that Milvus Lite refuses, by their upper-case name. */
const EMULATED = new Set(["TRIE", "STL_SORT", "BITMAP"]);
/** Milvus Lite's refusal of a scalar index Milvus builds (the front then keeps the index itself). */
export const LITE_REFUSES_SCALAR_INDEX =
  /does not support scalar index|has type JSON; create_index with index_type '\w+' requires a vector field/;

interface Kept {
  /** The index type asked for. */
  type: string;
  /** The index's name (absent in state written before it was kept: then the field's name). */
  index_name?: string;
  /** Set when Milvus Lite holds no index at all for it (kept by the front alone). */
  virtual?: { index_name: string; params: Kv[] };
}

interface CreateIndexReq {
  collection_name?: string;
  field_name?: string;
  index_name?: string;
  extra_params?: Kv[];
}

const keyOf = (db: string, collection: string, field: string) => `${db}/${collection}/${field}`;

export class ScalarIndexTypes {
  private kept: Record<string, Kept> = {};
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, "scalar-index-types.json");
  }

  async load(): Promise<void> {
    this.kept = (await readJson<Record<string, Kept>>(this.file)) ?? {};
  }

  /**
   * A CreateIndex through Milvus Lite: an emulated type is sent as INVERTED, and a refusal of a scalar
   * index Milvus builds becomes an index the front keeps. `send` calls Milvus Lite.
   */
  async create(body: Buffer, db: string, send: (body: Buffer) => Promise<Buffer>): Promise<Buffer> {
    const req = decodeRequest<CreateIndexReq>("CreateIndex", body);
    const field = req.field_name ?? "";
    const key = keyOf(db, req.collection_name ?? "", field);
    const kv = (req.extra_params ?? []).find((p) => p.key === "index_type");
    const asked = kv?.value ?? "";
    let sent = body;
    if (kv && EMULATED.has(asked.toUpperCase())) {
      kv.value = "INVERTED";
      sent = encodeRequest("CreateIndex", req as Record<string, unknown>);
    }
    const res = await send(sent);
    const status = responseStatus("CreateIndex", res);
    if (isSuccess(status)) {
      if (sent !== body) this.kept[key] = { type: asked, index_name: req.index_name || field };
      else delete this.kept[key];
      await this.save();
      return res;
    }
    if (!LITE_REFUSES_SCALAR_INDEX.test(status?.reason ?? "")) return res;
    this.kept[key] = {
      type: asked,
      virtual: { index_name: req.index_name || field, params: req.extra_params ?? [] },
    };
    await this.save();
    return encodeResponse("CreateIndex", {});
  }

  /** The front-kept index a DropIndex names, if any: removed here, and Milvus Lite is not asked. */
  async dropVirtual(db: string, collection: string, field?: string, indexName?: string): Promise<boolean> {
    const hit = Object.entries(this.kept).find(
      ([k, v]) =>
        v.virtual &&
        k.startsWith(keyOf(db, collection, "")) &&
        ((field && k === keyOf(db, collection, field)) || (indexName && v.virtual.index_name === indexName)),
    );
    if (!hit) return false;
    delete this.kept[hit[0]];
    await this.save();
    return true;
  }

  /**
   * After a DropIndex or DropCollection that Milvus Lite applied. A DropIndex names its index by field,
   * by index name (pymilvus's drop_index sends only the name), or neither (every index of the collection).
   */
  dropped(
    method: "DropIndex" | "DropCollection",
    db: string,
    collection: string,
    field?: string,
    indexName?: string,
  ): Promise<void> {
    const prefix = keyOf(db, collection, "");
    if (method === "DropIndex" && field) return this.forget((k) => k === keyOf(db, collection, field));
    if (method === "DropIndex" && indexName)
      return this.forget(
        (k) =>
          k.startsWith(prefix) &&
          (this.kept[k]?.virtual?.index_name ?? this.kept[k]?.index_name ?? k.slice(prefix.length)) ===
            indexName,
      );
    return this.forget((k) => k.startsWith(prefix));
  }

  /**
   * A DescribeIndex answer with emulated indexes reported as asked and front-kept ones listed, for a
   * request naming `field` / `indexName` (either empty: every index of the collection).
   */
  describe(res: Buffer, db: string, collection: string, field: string, indexName: string): Buffer {
    const prefix = keyOf(db, collection, "");
    const mine = Object.entries(this.kept).filter(([k]) => k.startsWith(prefix));
    if (mine.length === 0) return res;
    type Desc = { field_name?: string; index_name?: string; params?: Kv[] };
    const out = decodeResponse<{ status?: { reason?: string }; index_descriptions?: Desc[] }>(
      "DescribeIndex",
      res,
    );
    const descs = isSuccess(out.status as never) ? (out.index_descriptions ?? []) : [];
    for (const d of descs) {
      const kept = this.kept[keyOf(db, collection, d.field_name ?? "")];
      const kv = d.params?.find((p) => p.key === "index_type");
      if (kept && !kept.virtual && kv) kv.value = kept.type;
    }
    for (const [k, v] of mine) {
      if (!v.virtual) continue;
      const f = k.slice(prefix.length);
      const wanted =
        (!field && !indexName) || f === field || v.virtual.index_name === indexName || f === indexName;
      if (wanted)
        descs.push({
          field_name: f,
          index_name: v.virtual.index_name,
          params: v.virtual.params,
          state: "Finished",
        } as Desc);
    }
    if (descs.length === 0) return res;
    return encodeResponse("DescribeIndex", { status: {}, index_descriptions: descs });
  }

  private async forget(match: (key: string) => boolean): Promise<void> {
    const before = Object.keys(this.kept).length;
    for (const k of Object.keys(this.kept)) if (match(k)) delete this.kept[k];
    if (Object.keys(this.kept).length !== before) await this.save();
  }

  private save(): Promise<void> {
    return writeJsonAtomic(this.file, this.kept);
  }
}
