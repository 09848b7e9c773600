/**
 * Collection metadata that must be equal on both sides: schema, indexes, partitions, aliases.
 * Read through the SDK (small messages, no performance concern), each reduced to an
 * order-independent form so that two equal collections compare equal with a deep-equal.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { IndexInfo, LoadStateInfo, LoadStateName, NormalizedSchema } from "../checkers/types.js";
import { milvusClient } from "../milvus/client.js";
import { isSuccess } from "../milvus/status.js";
import type { Endpoint } from "./raw-query.js";

export interface CollectionMeta {
  schema: NormalizedSchema;
  pkField: string;
  intPk: boolean;
  /** The server's id for this incarnation of the collection (differs between clusters). */
  collectionId?: string;
  /** Float/sparse/... vector fields with their type and dim. */
  vectorFields: Array<{ name: string; type: string; dim?: number }>;
  indexes: IndexInfo[];
  partitions: string[];
  aliases: string[];
}

interface Status {
  error_code?: string | number;
  code?: number;
  reason?: string;
}

function ok(what: string, status: Status | undefined): void {
  if (!status) return;
  if (!isSuccess(status))
    throw new Error(`${what} failed: ${status.reason || `code ${status.code ?? status.error_code}`}`);
}

export function sdkClient(endpoint: Endpoint, timeoutMs = 60_000): MilvusClient {
  // An unreachable side must be reported quickly, not retried for minutes. The client sits idle while
  // the raw client scans pages for minutes: at the SDK's 10 s pings Milvus Lite answers GOAWAY "excess
  // pings" and grpc-js logs it on stderr (see keepaliveMs in the factory); one every 5 minutes is enough.
  return milvusClient(endpoint, { timeoutMs, retries: 1, keepaliveMs: 300_000 });
}

export async function listCollections(client: MilvusClient): Promise<string[]> {
  const res = await client.showCollections();
  ok("showCollections", res.status);
  return res.data.map((c) => c.name).sort();
}

interface RawField {
  name: string;
  data_type: string;
  is_primary_key?: boolean;
  autoID?: boolean;
  is_dynamic?: boolean;
  nullable?: boolean;
  element_type?: string;
  type_params?: Array<{ key: string; value: string }>;
}

export function normalizeSchema(fields: RawField[], dynamic: boolean): NormalizedSchema {
  const out: NormalizedSchema["fields"] = [];
  for (const f of fields) {
    // The dynamic field ($meta) is an implementation detail of enable_dynamic_field.
    if (f.is_dynamic) continue;
    const p = new Map((f.type_params ?? []).map((kv) => [kv.key, kv.value]));
    const n: NormalizedSchema["fields"][number] = { name: f.name, type: f.data_type };
    if (f.is_primary_key) n.primary = true;
    if (f.autoID) n.autoId = true;
    if (p.has("dim")) n.dim = Number(p.get("dim"));
    if (p.has("max_length")) n.maxLength = Number(p.get("max_length"));
    if (f.element_type && f.element_type !== "None") n.elementType = f.element_type;
    if (p.has("max_capacity")) n.maxCapacity = Number(p.get("max_capacity"));
    if (f.nullable) n.nullable = true;
    out.push(n);
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { fields: out, dynamicField: dynamic };
}

const VECTOR_TYPES = new Set([
  "FloatVector",
  "Float16Vector",
  "BFloat16Vector",
  "BinaryVector",
  "SparseFloatVector",
  "Int8Vector",
]);

export async function readMeta(client: MilvusClient, collection: string): Promise<CollectionMeta> {
  const desc = await client.describeCollection({ collection_name: collection });
  ok(`describeCollection ${collection}`, desc.status);
  const fields = desc.schema.fields as unknown as RawField[];
  const schema = normalizeSchema(fields, Boolean(desc.schema.enable_dynamic_field));
  const pk = schema.fields.find((f) => f.primary);
  if (!pk) throw new Error(`describeCollection ${collection}: no primary key field`);
  const vectorFields = schema.fields
    .filter((f) => VECTOR_TYPES.has(f.type))
    .map((f) => ({ name: f.name, type: f.type, dim: f.dim }));

  const idx = await client.describeIndex({ collection_name: collection });
  // A collection without any index answers with an "index not found" status: that is an empty list.
  const noIndex = /index not (exist|found)|IndexNotExist|no index/i.test(idx.status?.reason ?? "");
  if (!noIndex) ok(`describeIndex ${collection}`, idx.status);
  const indexes: IndexInfo[] = (noIndex ? [] : (idx.index_descriptions ?? [])).map((d) => {
    const params: Record<string, string> = {};
    let type = "";
    let metric: string | undefined;
    for (const kv of d.params ?? []) {
      if (kv.key === "index_type") type = String(kv.value);
      else if (kv.key === "metric_type") metric = String(kv.value);
      else params[kv.key] = String(kv.value);
    }
    const info: IndexInfo = { field: d.field_name, name: d.index_name, type };
    if (metric) info.metric = metric;
    if (Object.keys(params).length > 0) info.params = params;
    return info;
  });
  indexes.sort((a, b) => (a.field + a.name < b.field + b.name ? -1 : 1));

  const parts = await client.showPartitions({ collection_name: collection });
  ok(`showPartitions ${collection}`, parts.status);
  const partitions = [...parts.partition_names].sort();

  const al = await client.listAliases({ collection_name: collection });
  ok(`listAliases ${collection}`, al.status);
  const aliases = [...(al.aliases ?? [])].sort();

  return {
    schema,
    collectionId: desc.collectionID ? String(desc.collectionID) : undefined,
    pkField: pk.name,
    intPk: pk.type === "Int64",
    vectorFields,
    indexes,
    partitions,
    aliases,
  };
}

function loadStateName(what: string, res: { status?: Status; state?: string }): LoadStateName {
  ok(what, res.status);
  switch (res.state) {
    case "LoadStateLoaded":
      return "loaded";
    case "LoadStateLoading":
      return "loading";
    case "LoadStateNotLoad":
      return "released";
    default:
      throw new Error(`${what}: unexpected load state '${res.state}'`);
  }
}

/**
 * The collection's load state and each partition's. A standby that serves reads must hold what the
 * primary holds loaded: a release the CDC did not replicate leaves it unable to serve them
 * (milvus-io/milvus#44478: partition load/release not synced).
 */
export async function readLoadState(
  client: MilvusClient,
  collection: string,
  partitions: readonly string[],
): Promise<LoadStateInfo> {
  const collectionState = loadStateName(
    `getLoadState ${collection}`,
    await client.getLoadState({ collection_name: collection }),
  );
  const out: LoadStateInfo = { collection: collectionState, partitions: {} };
  for (const p of partitions) {
    out.partitions[p] = loadStateName(
      `getLoadState ${collection}/${p}`,
      await client.getLoadState({ collection_name: collection, partition_names: [p] }),
    );
  }
  return out;
}

export function fullyLoaded(s: LoadStateInfo): boolean {
  return s.collection === "loaded" && Object.values(s.partitions).every((p) => p === "loaded");
}

/** How long a side whose own load was refused may take to show the load replicated from its primary. */
const REPLICATED_LOAD_WAIT_MS = 15_000;

/**
 * Makes a collection readable for the comparison: Milvus answers no query on a released collection
 * (nor, for a partly loaded one, on the released partitions). Loads it and returns how to put the
 * load state back as it was. A CDC standby refuses a client's load (milvus-cdc-facts: no DDL on the
 * standby), but shows a load replicated from its primary: that is waited for, briefly. Throws with
 * the reason when the collection stays unreadable.
 */
export async function loadForRead(
  client: MilvusClient,
  collection: string,
  before: LoadStateInfo,
  timeoutMs: number,
): Promise<() => Promise<void>> {
  const partitions = Object.keys(before.partitions);
  // The SDK's load throws on a refusal (it polls the progress): a refusal is a status here.
  const res: Status = await client
    .loadCollectionSync({ collection_name: collection, timeout: timeoutMs })
    .catch((e: unknown) => ({ code: -1, reason: e instanceof Error ? e.message : String(e) }));
  if (isSuccess(res)) {
    return async () => {
      const released = await client.releaseCollection({ collection_name: collection, timeout: timeoutMs });
      ok(`releaseCollection ${collection}`, released);
      const keep = partitions.filter((p) => before.partitions[p] === "loaded");
      if (keep.length === 0 || before.collection !== "loaded") return;
      const again = await client.loadPartitions({
        collection_name: collection,
        partition_names: keep,
        timeout: timeoutMs,
      });
      ok(`loadPartitions ${collection}`, again);
    };
  }
  const refused = res.reason || `code ${res.code ?? res.error_code}`;
  const until = Date.now() + REPLICATED_LOAD_WAIT_MS;
  while (Date.now() < until) {
    const now = await readLoadState(client, collection, partitions).catch(() => undefined);
    if (now && fullyLoaded(now)) return async () => {};
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${collection} is released and could not be loaded to read its rows (load: ${refused}; no replicated load within ${REPLICATED_LOAD_WAIT_MS / 1000} s)`,
  );
}
