/**
 * Streams one side of a collection in primary-key order, one page at a time, so memory stays at a
 * couple of pages whatever the collection size.
 *
 * Paging is a key cursor: `pk > last` with a limit, carrying the `iterator` query parameter.
 * What the servers do (checked against Milvus Lite 3.2.2's servicer and engine; pymilvus'
 * QueryIterator relies on the same contract with real Milvus):
 *  - Without `iterator`, a limited query returns rows in storage order ("segments first, then
 *    MemTable"), NOT by primary key. Taking the last row of such a page as the cursor skips every
 *    unread key below it. The SDK's queryIterator does exactly that (it sends no `iterator` flag),
 *    so on Milvus Lite it can silently miss rows unless the data happens to be stored in pk order.
 *  - With `iterator=True` (pymilvus' spelling), Milvus Lite sorts the live rows by pk before applying the limit, and real
 *    Milvus reduces per-segment results in pk order. We do not send `reduce_stop_for_best` (which
 *    lets real Milvus return short pages early), so every page but the last is full and a short
 *    page ends the scan without one more pass over the collection.
 * Every page is checked to be strictly ascending and above the cursor; if a server ever breaks that,
 * the scan fails loudly instead of skipping rows.
 */
import type { Pk } from "../history/types.js";
import { type Column, toColumn } from "./columns.js";
import type { ConsistencyLevel, RawQueryClient } from "./raw-query.js";

export interface Page {
  /** Primary keys in ascending order (int64 keys as decimal strings). */
  pks: Pk[];
  /** Every other output column, by field name (the dynamic field as `$meta`). */
  columns: Column[];
}

export interface ScanOptions {
  collection: string;
  pkField: string;
  /** true for Int64 keys, false for VarChar. */
  intPk: boolean;
  pageSize?: number;
  consistency?: ConsistencyLevel;
  /** Output fields; default ["*"] (all fields, including the dynamic ones). */
  outputFields?: string[];
  /** Real Milvus checks an iterator's collection id (a dropped and re-created collection must not be mixed in). */
  collectionId?: string;
}

export const DEFAULT_PAGE_SIZE = 4096;

/** Ascending order of int64 decimal strings without converting to numbers (which lose precision). */
export function compareIntPk(a: string, b: string): number {
  const an = a.startsWith("-");
  const bn = b.startsWith("-");
  if (an !== bn) return an ? -1 : 1;
  if (a === b) return 0;
  const sign = an ? -1 : 1;
  if (a.length !== b.length) return (a.length < b.length ? -1 : 1) * sign;
  return (a < b ? -1 : 1) * sign;
}

// UTF-16 code-unit order equals code-point order except where surrogates meet U+E000..U+FFFF.
const HIGH_UNITS = /[\uD800-\uFFFF]/;

/** Code-point (= UTF-8 byte) order, which is how Milvus (Go) and Milvus Lite (Python) sort VarChar keys. */
export function compareStrPk(a: string, b: string): number {
  if (!HIGH_UNITS.test(a) && !HIGH_UNITS.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export function pkComparator(intPk: boolean): (a: string, b: string) => number {
  return intPk ? compareIntPk : compareStrPk;
}

function cursorExpr(o: ScanOptions, last: Pk | undefined): string {
  if (last === undefined) return "";
  return o.intPk ? `${o.pkField} > ${last}` : `${o.pkField} > ${JSON.stringify(last)}`;
}

/**
 * Yields pages in ascending pk order. The next page is requested as soon as the current one has
 * arrived, so the network/server time overlaps with whatever the consumer does with the page.
 */
export async function* scanPages(client: RawQueryClient, o: ScanOptions): AsyncGenerator<Page> {
  const limit = o.pageSize ?? DEFAULT_PAGE_SIZE;
  const cmp = pkComparator(o.intPk);
  const params: Record<string, string> = { limit: String(limit), iterator: "True" };
  if (o.collectionId && o.collectionId !== "0") params.collection_id = o.collectionId;
  // Like pymilvus' QueryIterator: later pages read at the first page's MVCC timestamp, so the scan
  // is one snapshot even if writes were still arriving.
  let snapshot: string | undefined;
  const fetch = (last: Pk | undefined) =>
    client.query({
      collection: o.collection,
      expr: cursorExpr(o, last),
      outputFields: o.outputFields ?? ["*"],
      params,
      consistency: o.consistency,
      guaranteeTs: snapshot,
    });
  let last: Pk | undefined;
  let pending = fetch(undefined);
  for (;;) {
    const res = await pending;
    const ts = String(res.session_ts ?? "0");
    if (snapshot === undefined && ts !== "0") snapshot = ts;
    const pkCol = res.fields_data.find((f) => f.field_name === o.pkField);
    const raw = pkCol?.scalars?.long_data?.data ?? pkCol?.scalars?.string_data?.data ?? [];
    if (raw.length === 0) return;
    const pks = raw.map((x) => (typeof x === "string" ? x : String(x)));
    for (let i = 0; i < pks.length; i++) {
      const prev = i === 0 ? last : pks[i - 1];
      const cur = pks[i] as string;
      if (prev !== undefined && cmp(prev, cur) >= 0) {
        throw new Error(
          `${o.collection}: the server returned primary keys out of order (${prev} then ${cur}); ` +
            "cursor paging would skip rows, so the scan stops here",
        );
      }
    }
    last = pks[pks.length - 1];
    // A short page is the last one: without reduce_stop_for_best, servers fill every page up to the
    // limit while rows remain. Stopping here saves a full extra pass of the server over the collection.
    const more = pks.length >= limit;
    if (more) {
      pending = fetch(last);
      // An unawaited rejection must not crash the process if the consumer stops early.
      pending.catch(() => {});
    }
    const columns = res.fields_data
      .filter((f) => f.field_name !== o.pkField)
      .map((f) => toColumn(f, pks.length));
    yield { pks, columns };
    if (!more) return;
  }
}

/** Reads every key once (no row content): for counting distinct keys cheaply. */
export async function countDistinct(client: RawQueryClient, o: ScanOptions): Promise<number> {
  let n = 0;
  for await (const page of scanPages(client, { ...o, outputFields: [o.pkField] })) n += page.pks.length;
  return n;
}
