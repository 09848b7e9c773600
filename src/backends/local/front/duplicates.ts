/**
 * Milvus keeps every insert of a primary key: a second insert of an existing key is a second row, which
 * count(*) counts while a query returns the key once (a replayed insert hides from plain queries).
 * Milvus Lite instead replaces the row. The front emulates Milvus here, so a replicator that re-sends
 * inserts leaves on the local backend the same trace it would leave on Milvus: count(*) > distinct keys.
 *
 * Per collection it tracks how many extra copies each key has: an insert of a key that exists adds one;
 * an upsert or a delete of the key removes them all (as on Milvus, where both delete by primary key).
 */
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../../milvus/proto.js";

type Fields = Array<{
  field_name?: string;
  scalars?: { long_data?: { data?: string[] }; string_data?: { data?: string[] } };
}>;

/** Runs a Query on this cluster's Milvus Lite (raw bytes in, raw bytes out). */
export type RawCall = (method: string, request: Buffer) => Promise<Buffer>;

interface PkInfo {
  name: string;
  isString: boolean;
}

/** Keys per existence Query: keeps a run's `in [...]` list to a size Milvus parses quickly. */
const IN_LIST_MAX = 5000;

function pkValues(fields: Fields | undefined, pk: string): string[] {
  const f = (fields ?? []).find((x) => x.field_name === pk);
  return (f?.scalars?.long_data?.data ?? f?.scalars?.string_data?.data ?? []).map(String);
}

export class DuplicateTracker {
  /** db/collection -> pk -> extra copies (> 0 only). */
  private readonly extra = new Map<string, Map<string, number>>();
  private readonly pks = new Map<string, PkInfo>();

  constructor(private readonly call: RawCall) {}

  private key(db: string, collection: string): string {
    return `${db}/${collection}`;
  }

  private async pkOf(db: string, collection: string): Promise<PkInfo | undefined> {
    const k = this.key(db, collection);
    const known = this.pks.get(k);
    if (known) return known;
    const res = decodeResponse<{
      schema?: { fields?: Array<{ name?: string; is_primary_key?: boolean; data_type?: string }> };
    }>(
      "DescribeCollection",
      await this.call(
        "DescribeCollection",
        encodeRequest("DescribeCollection", { db_name: db, collection_name: collection }),
      ),
    );
    const f = res.schema?.fields?.find((x) => x.is_primary_key);
    if (!f?.name) return undefined;
    const info = { name: f.name, isString: f.data_type === "VarChar" };
    this.pks.set(k, info);
    return info;
  }

  private literal(pk: PkInfo, v: string): string {
    return pk.isString ? JSON.stringify(v) : v;
  }

  /** Keys among `candidates` (or matching `expr`) that exist now. */
  private async existing(db: string, collection: string, pk: PkInfo, expr: string): Promise<string[]> {
    const res = decodeResponse<{ status?: { code?: number }; fields_data?: Fields }>(
      "Query",
      await this.call(
        "Query",
        encodeRequest("Query", {
          db_name: db,
          collection_name: collection,
          expr,
          output_fields: [pk.name],
          consistency_level: "Strong",
        }),
      ),
    );
    return pkValues(res.fields_data, pk.name);
  }

  /**
   * Call before a mutation is forwarded; returns what to record once it succeeded. Only Insert, Upsert,
   * Delete, DropCollection and RenameCollection matter; others return undefined.
   */
  async before(
    method: string,
    request: Buffer,
    db: string,
    collection: string,
  ): Promise<(() => void) | undefined> {
    const k = this.key(db, collection);
    switch (method) {
      case "Insert": {
        const pk = await this.pkOf(db, collection);
        if (!pk) return undefined;
        const req = decodeRequest<{ fields_data?: Fields }>("Insert", request);
        const keys = pkValues(req.fields_data, pk.name);
        if (keys.length === 0) return undefined;
        const present = await this.existing(
          db,
          collection,
          pk,
          `${pk.name} in [${keys.map((v) => this.literal(pk, v)).join(",")}]`,
        );
        if (present.length === 0) return undefined;
        return () => {
          const m = this.extra.get(k) ?? new Map<string, number>();
          for (const v of present) m.set(v, (m.get(v) ?? 0) + 1);
          this.extra.set(k, m);
        };
      }
      case "Upsert": {
        const m = this.extra.get(k);
        const pk = m && m.size > 0 ? await this.pkOf(db, collection) : undefined;
        if (!m || !pk) return undefined;
        const keys = pkValues(
          decodeRequest<{ fields_data?: Fields }>("Upsert", request).fields_data,
          pk.name,
        );
        return () => {
          for (const v of keys) m.delete(v);
        };
      }
      case "Delete": {
        const m = this.extra.get(k);
        const pk = m && m.size > 0 ? await this.pkOf(db, collection) : undefined;
        if (!m || !pk) return undefined;
        const expr = decodeRequest<{ expr?: string }>("Delete", request).expr ?? "";
        const hit = await this.existing(db, collection, pk, expr);
        return () => {
          for (const v of hit) m.delete(v);
        };
      }
      case "DropCollection":
        return () => {
          this.extra.delete(k);
          this.pks.delete(k);
        };
      case "RenameCollection": {
        const req = decodeRequest<{ newName?: string; new_db_name?: string }>("RenameCollection", request);
        const to = this.key(req.new_db_name || db, req.newName ?? "");
        return () => {
          const m = this.extra.get(k);
          this.extra.delete(k);
          this.pks.delete(k);
          if (m) this.extra.set(to, m);
        };
      }
      default:
        return undefined;
    }
  }

  /**
   * before() for a run of Inserts into one collection applied back to back with nothing else in
   * between: one Query for the keys of all of them instead of one per Insert (the cost that made a
   * replicated backlog of small inserts twice as slow to apply as the inserts themselves). A key is
   * present for an Insert if it was before the run or an earlier Insert of the run wrote it. The
   * recorders are for the Inserts in order; call each only once its Insert succeeded.
   */
  async beforeInserts(
    requests: readonly Buffer[],
    db: string,
    collection: string,
  ): Promise<Array<(() => void) | undefined>> {
    const pk = await this.pkOf(db, collection);
    if (!pk) return requests.map(() => undefined);
    const keysPer = requests.map(
      (r) => new Set(pkValues(decodeRequest<{ fields_data?: Fields }>("Insert", r).fields_data, pk.name)),
    );
    const all = [...new Set(keysPer.flatMap((k) => [...k]))];
    const present = new Set<string>();
    for (let i = 0; i < all.length; i += IN_LIST_MAX) {
      const chunk = all.slice(i, i + IN_LIST_MAX);
      const expr = `${pk.name} in [${chunk.map((v) => this.literal(pk, v)).join(",")}]`;
      for (const v of await this.existing(db, collection, pk, expr)) present.add(v);
    }
    const k = this.key(db, collection);
    return keysPer.map((keys) => {
      const dup = [...keys].filter((v) => present.has(v));
      for (const v of keys) present.add(v);
      if (dup.length === 0) return undefined;
      return () => {
        const m = this.extra.get(k) ?? new Map<string, number>();
        for (const v of dup) m.set(v, (m.get(v) ?? 0) + 1);
        this.extra.set(k, m);
      };
    });
  }

  /** A count(*) query answered by Milvus Lite, corrected to count the extra copies Milvus would keep. */
  async adjustCount(request: Buffer, response: Buffer, db: string, collection: string): Promise<Buffer> {
    const m = this.extra.get(this.key(db, collection));
    if (!m || m.size === 0) return response;
    const req = decodeRequest<{ output_fields?: string[]; expr?: string; partition_names?: string[] }>(
      "Query",
      request,
    );
    if (!(req.output_fields ?? []).some((f) => f.replace(/\s/g, "").toLowerCase() === "count(*)"))
      return response;
    const res = decodeResponse<{
      status?: Record<string, unknown>;
      fields_data?: Array<Record<string, unknown>>;
    }>("Query", response);
    const col = res.fields_data?.find((f) => f.field_name === "count(*)") as
      | { scalars?: { long_data?: { data?: string[] } } }
      | undefined;
    const data = col?.scalars?.long_data?.data;
    if (!data || data.length === 0) return response;
    let extra = 0;
    const expr = (req.expr ?? "").trim();
    if (!expr && (req.partition_names ?? []).length === 0) {
      for (const n of m.values()) extra += n;
    } else {
      const pk = await this.pkOf(db, collection);
      if (!pk) return response;
      const keys = [...m.keys()];
      const scoped = `${pk.name} in [${keys.map((v) => this.literal(pk, v)).join(",")}]${expr ? ` and (${expr})` : ""}`;
      const hit = await this.existing(db, collection, pk, scoped);
      for (const v of hit) extra += m.get(v) ?? 0;
    }
    data[0] = (BigInt(data[0] as string) + BigInt(extra)).toString();
    return encodeResponse("Query", res as Record<string, unknown>);
  }

  /** For diagnostics: extra copies per collection. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, m] of this.extra) {
      let n = 0;
      for (const v of m.values()) n += v;
      if (n > 0) out[k] = n;
    }
    return out;
  }
}
