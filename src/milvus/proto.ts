/**
 * The Milvus protocol as the installed Node SDK describes it. Loaded once from the SDK's own protobuf
 * JSON descriptor, so the front, the replicator and the clients all speak exactly the SDK's version of
 * the protocol, and raw bytes can be passed through untouched where nothing needs decoding.
 */
import milvusDescriptor from "@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js";
import protobuf from "protobufjs";

export const MILVUS_SERVICE = "milvus.proto.milvus.MilvusService";

export interface MethodInfo {
  name: string;
  /** The gRPC path, `/milvus.proto.milvus.MilvusService/<name>`. */
  path: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
  requestStream: boolean;
  responseStream: boolean;
}

let cached: { root: protobuf.Root; methods: Map<string, MethodInfo> } | undefined;

/** The SDK's protobuf JSON descriptor, for callers that need a root of their own (e.g. a different field type). */
export function milvusDescriptorJson(): protobuf.INamespace {
  // The descriptor module is CommonJS: its JSON sits on `default` under Node, on the module itself in a bundle.
  const mod = milvusDescriptor as unknown as { default?: protobuf.INamespace } & protobuf.INamespace;
  return (mod.default ?? mod) as protobuf.INamespace;
}

function load(): { root: protobuf.Root; methods: Map<string, MethodInfo> } {
  if (cached) return cached;
  const root = protobuf.Root.fromJSON(milvusDescriptorJson());
  const service = root.lookupService(MILVUS_SERVICE);
  const methods = new Map<string, MethodInfo>();
  for (const [name, m] of Object.entries(service.methods)) {
    m.resolve();
    methods.set(name, {
      name,
      path: `/${MILVUS_SERVICE}/${name}`,
      requestType: m.resolvedRequestType as protobuf.Type,
      responseType: m.resolvedResponseType as protobuf.Type,
      requestStream: Boolean(m.requestStream),
      responseStream: Boolean(m.responseStream),
    });
  }
  cached = { root, methods };
  return cached;
}

export function protoRoot(): protobuf.Root {
  return load().root;
}

/** Every MilvusService method by name. */
export function milvusMethods(): ReadonlyMap<string, MethodInfo> {
  return load().methods;
}

export function method(name: string): MethodInfo {
  const m = load().methods.get(name);
  if (!m) throw new Error(`unknown MilvusService method '${name}'`);
  return m;
}

/** Resolves a message type by its full name, or by a name relative to milvus.proto (e.g. "common.Status"). */
export function messageType(name: string): protobuf.Type {
  const root = load().root;
  return root.lookupType(name.startsWith("milvus.proto.") ? name : `milvus.proto.${name}`);
}

/** Plain-object conversion that keeps uint64/int64 exact (decimal strings), like the SDK does. */
const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: false,
  arrays: true,
  objects: true,
};

export function decode<T = Record<string, unknown>>(type: protobuf.Type | string, bytes: Uint8Array): T {
  const t = typeof type === "string" ? messageType(type) : type;
  return t.toObject(t.decode(bytes), TO_OBJECT) as T;
}

export function encode(type: protobuf.Type | string, value: Record<string, unknown>): Buffer {
  const t = typeof type === "string" ? messageType(type) : type;
  const err = t.verify(t.fromObject(value) as unknown as Record<string, unknown>);
  if (err) throw new Error(`cannot encode ${t.fullName}: ${err}`);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

export function decodeRequest<T = Record<string, unknown>>(methodName: string, bytes: Uint8Array): T {
  return decode<T>(method(methodName).requestType, bytes);
}

export function decodeResponse<T = Record<string, unknown>>(methodName: string, bytes: Uint8Array): T {
  return decode<T>(method(methodName).responseType, bytes);
}

export function encodeRequest(methodName: string, value: Record<string, unknown>): Buffer {
  return encode(method(methodName).requestType, value);
}

export function encodeResponse(methodName: string, value: Record<string, unknown>): Buffer {
  return encode(method(methodName).responseType, value);
}

/** The value of `key` in a common.KeyValuePair list (search, index, type and query params). */
export function kvValue(
  kvs: ReadonlyArray<{ key?: string; value?: string }> | undefined,
  key: string,
): string | undefined {
  return kvs?.find((p) => p.key === key)?.value;
}

/** A common.Status as Milvus puts it in a response. */
import { isSuccess, type MilvusStatus } from "./status.js";

export { isSuccess, type MilvusStatus };

const STATUS_TYPE = "milvus.proto.common.Status";

/** The common.Status of a unary response, whether the response is a Status or holds one in `status`. */
export function responseStatus(methodName: string, bytes: Uint8Array): MilvusStatus | undefined {
  const t = method(methodName).responseType;
  if (t.fullName === `.${STATUS_TYPE}`) return decode<MilvusStatus>(t, bytes);
  if (!t.fields.status) return undefined;
  return decode<{ status?: MilvusStatus }>(t, bytes).status ?? {};
}

/** A response for `methodName` that carries only the given status (in-band error, like Milvus answers). */
export function statusResponse(methodName: string, status: MilvusStatus): Buffer {
  const t = method(methodName).responseType;
  if (t.fullName === `.${STATUS_TYPE}`) return encode(t, { ...status });
  return encode(t, { status: { ...status } });
}
