/**
 * A minimal gRPC Query/count client for full scans.
 *
 * Why not the SDK's `query`: it decodes `repeated float` vectors into JS numbers and then builds one
 * object per row with an Object.assign per field, which is slow for wide rows and loses the raw
 * float32 bits we must compare. Here the protobuf descriptor is the SDK's own, with one change:
 * `FloatArray.data` is read as `bytes`. A packed `repeated float` and a `bytes` field share the same
 * wire encoding (length-delimited), so a page's float vectors arrive as one Buffer of little-endian
 * float32 values, bit for bit as the server sent them, with no per-float decoding.
 */

import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { parseMilvusUri } from "../milvus/client.js";
import { milvusDescriptorJson } from "../milvus/proto.js";

export interface Endpoint {
  uri: string;
  token?: string;
  /** Database name; default "default". */
  db?: string;
}

/** Decoded QueryResults: plain protobufjs messages (fields keep their snake_case proto names). */
export interface RawFieldData {
  type: number;
  field_name: string;
  is_dynamic?: boolean;
  valid_data?: boolean[];
  scalars?: Record<string, { data?: unknown[]; element_type?: number } | undefined>;
  vectors?: {
    dim?: unknown;
    float_vector?: { data: Buffer };
    binary_vector?: Buffer;
    float16_vector?: Buffer;
    bfloat16_vector?: Buffer;
    int8_vector?: Buffer;
    sparse_float_vector?: { contents: Buffer[] };
  };
}

export interface RawQueryResults {
  status?: { code?: number; error_code?: number | string; reason?: string };
  fields_data: RawFieldData[];
  /** The MVCC timestamp the server read at (uint64; 0 when the server does not say). */
  session_ts?: unknown;
}

export type ConsistencyLevel = "Strong" | "Session" | "Bounded" | "Eventually";

let cachedTypes: { req: protobuf.Type; res: protobuf.Type; dataTypes: Record<number, string> } | undefined;

function types() {
  if (cachedTypes) return cachedTypes;
  // A root of its own (not the shared one in milvus/proto.ts): it reads float vectors as raw bytes.
  const root = protobuf.Root.fromJSON(milvusDescriptorJson());
  const floatArray = root.lookupType("milvus.proto.schema.FloatArray");
  const old = floatArray.fields.data;
  if (old) floatArray.remove(old);
  floatArray.add(new protobuf.Field("data", 1, "bytes"));
  root.resolveAll();
  const dataTypeEnum = root.lookupEnum("milvus.proto.schema.DataType");
  const dataTypes: Record<number, string> = {};
  for (const [name, id] of Object.entries(dataTypeEnum.values)) dataTypes[id] = name;
  cachedTypes = {
    req: root.lookupType("milvus.proto.milvus.QueryRequest"),
    res: root.lookupType("milvus.proto.milvus.QueryResults"),
    dataTypes,
  };
  return cachedTypes;
}

/** The proto enum name of a DataType number ("FloatVector", "Int64", ...). */
export function dataTypeName(id: number): string {
  return types().dataTypes[id] ?? `DataType(${id})`;
}

/** The client factory's URI parsing (one set of accepted forms for every client). */
export const parseUri = parseMilvusUri;

export class RawQueryClient {
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;

  constructor(
    endpoint: Endpoint,
    private readonly timeoutMs = 120_000,
  ) {
    const { address, tls } = parseUri(endpoint.uri);
    this.client = new grpc.Client(
      address,
      tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(),
      // A page of 16k rows x 128-d floats is ~8 MiB; leave room for wide schemas.
      {
        "grpc.max_receive_message_length": 512 * 1024 * 1024,
        "grpc.max_send_message_length": 64 * 1024 * 1024,
      },
    );
    this.metadata = new grpc.Metadata();
    this.metadata.set("dbname", endpoint.db || "default");
    // Same header the SDK sends; the token itself is never logged or stored.
    if (endpoint.token) this.metadata.set("authorization", Buffer.from(endpoint.token).toString("base64"));
  }

  async query(req: {
    collection: string;
    expr: string;
    outputFields: string[];
    params?: Record<string, string>;
    consistency?: ConsistencyLevel;
    /** Read at (at least) this hybrid timestamp: pins an iterator's pages to one snapshot. */
    guaranteeTs?: string;
    db?: string;
  }): Promise<RawQueryResults> {
    const t = types();
    const levels: Record<ConsistencyLevel, number> = { Strong: 0, Session: 1, Bounded: 2, Eventually: 3 };
    const msg = t.req.create({
      db_name: req.db ?? "",
      collection_name: req.collection,
      expr: req.expr,
      output_fields: req.outputFields,
      query_params: Object.entries(req.params ?? {}).map(([key, value]) => ({ key, value })),
      consistency_level: levels[req.consistency ?? "Strong"],
      use_default_consistency: req.consistency === undefined,
      ...(req.guaranteeTs ? { guarantee_timestamp: req.guaranteeTs } : {}),
    });
    const res = await new Promise<RawQueryResults>((resolve, reject) => {
      this.client.makeUnaryRequest(
        "/milvus.proto.milvus.MilvusService/Query",
        (m: protobuf.Message) => Buffer.from(t.req.encode(m).finish()),
        (b: Buffer) => t.res.decode(b) as unknown as RawQueryResults,
        msg,
        this.metadata,
        { deadline: Date.now() + this.timeoutMs },
        (err, value) => {
          if (err) {
            reject(
              new Error(
                err.code === grpc.status.DEADLINE_EXCEEDED
                  ? `query on ${req.collection} got no answer within ${this.timeoutMs} ms`
                  : `query on ${req.collection} failed: ${err.details || err.message}`,
              ),
            );
          } else if (value) resolve(value);
          else reject(new Error(`query on ${req.collection} returned no message`));
        },
      );
    });
    const code = Number(res.status?.code ?? 0);
    const errorCode = res.status?.error_code;
    if (code !== 0 || (errorCode !== undefined && errorCode !== 0 && errorCode !== "Success")) {
      throw new Error(`query on ${req.collection} failed: ${res.status?.reason || `code ${code}`}`);
    }
    return res;
  }

  /** count(*) as the server reports it: counts a re-inserted primary key twice on real Milvus. */
  async count(collection: string, consistency?: ConsistencyLevel): Promise<number> {
    const res = await this.query({ collection, expr: "", outputFields: ["count(*)"], consistency });
    const col = res.fields_data.find((f) => f.field_name === "count(*)");
    const v = col?.scalars?.long_data?.data?.[0];
    if (v === undefined) throw new Error(`count(*) on ${collection} returned no value`);
    return Number(String(v));
  }

  close(): void {
    this.client.close();
  }
}
