import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  require_milvus,
  require_protobufjs
} from "./chunk-5QY7ERFD.js";
import {
  __toESM
} from "./chunk-XXWGZQIE.js";

// src/milvus/proto.ts
var import_milvus = __toESM(require_milvus(), 1);
var import_protobufjs = __toESM(require_protobufjs(), 1);
var MILVUS_SERVICE = "milvus.proto.milvus.MilvusService";
var cached;
function milvusDescriptorJson() {
  const mod = import_milvus.default;
  return mod.default ?? mod;
}
function load() {
  if (cached) return cached;
  const root = import_protobufjs.default.Root.fromJSON(milvusDescriptorJson());
  const service = root.lookupService(MILVUS_SERVICE);
  const methods = /* @__PURE__ */ new Map();
  for (const [name, m] of Object.entries(service.methods)) {
    m.resolve();
    methods.set(name, {
      name,
      path: `/${MILVUS_SERVICE}/${name}`,
      requestType: m.resolvedRequestType,
      responseType: m.resolvedResponseType,
      requestStream: Boolean(m.requestStream),
      responseStream: Boolean(m.responseStream)
    });
  }
  cached = { root, methods };
  return cached;
}
function protoRoot() {
  return load().root;
}
function milvusMethods() {
  return load().methods;
}
function method(name) {
  const m = load().methods.get(name);
  if (!m) throw new Error(`unknown MilvusService method '${name}'`);
  return m;
}
function messageType(name) {
  const root = load().root;
  return root.lookupType(name.startsWith("milvus.proto.") ? name : `milvus.proto.${name}`);
}
var TO_OBJECT = {
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: false,
  arrays: true,
  objects: true
};
function decode(type, bytes) {
  const t = typeof type === "string" ? messageType(type) : type;
  return t.toObject(t.decode(bytes), TO_OBJECT);
}
function encode(type, value) {
  const t = typeof type === "string" ? messageType(type) : type;
  const err = t.verify(t.fromObject(value));
  if (err) throw new Error(`cannot encode ${t.fullName}: ${err}`);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}
function decodeRequest(methodName, bytes) {
  return decode(method(methodName).requestType, bytes);
}
function decodeResponse(methodName, bytes) {
  return decode(method(methodName).responseType, bytes);
}
function encodeRequest(methodName, value) {
  return encode(method(methodName).requestType, value);
}
function encodeResponse(methodName, value) {
  return encode(method(methodName).responseType, value);
}
function kvValue(kvs, key) {
  return kvs?.find((p) => p.key === key)?.value;
}
var STATUS_TYPE = "milvus.proto.common.Status";
function responseStatus(methodName, bytes) {
  const t = method(methodName).responseType;
  if (t.fullName === `.${STATUS_TYPE}`) return decode(t, bytes);
  if (!t.fields.status) return void 0;
  return decode(t, bytes).status ?? {};
}
function statusResponse(methodName, status) {
  const t = method(methodName).responseType;
  if (t.fullName === `.${STATUS_TYPE}`) return encode(t, { ...status });
  return encode(t, { status: { ...status } });
}

export {
  MILVUS_SERVICE,
  milvusDescriptorJson,
  protoRoot,
  milvusMethods,
  method,
  messageType,
  decode,
  encode,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  kvValue,
  responseStatus,
  statusResponse
};
