import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  configureReplication
} from "./chunk-IYM5XVOV.js";
import "./chunk-FE5CAR44.js";
import {
  MILVUS_LITE_VERSION,
  PYMILVUS_VERSION,
  ensureMilvusLite,
  freePort
} from "./chunk-CFSSCVKP.js";
import "./chunk-TY4HBTWS.js";
import {
  GENERATION_ENV,
  OPTIONS_ENV,
  parseReplicatorOptions
} from "./chunk-KZ3LGST3.js";
import {
  decode,
  decodeRequest,
  decodeResponse,
  encode,
  encodeRequest,
  encodeResponse,
  milvusMethods,
  responseStatus,
  statusResponse
} from "./chunk-5UIHCJMA.js";
import {
  isSuccess,
  require_src2 as require_src
} from "./chunk-HVPKY5OD.js";
import "./chunk-TXPUYXQ7.js";
import {
  __toESM
} from "./chunk-XXWGZQIE.js";

// src/backends/local/backend.ts
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { join as join5 } from "node:path";

// src/backends/local/lab.ts
import { randomBytes } from "node:crypto";
import { mkdirSync as mkdirSync5 } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join4 } from "node:path";

// src/backends/local/front.ts
var grpc = __toESM(require_src(), 1);
import { createHash } from "node:crypto";
import { join as join2 } from "node:path";

// src/backends/local/duplicates.ts
function pkValues(fields, pk) {
  const f = (fields ?? []).find((x) => x.field_name === pk);
  return (f?.scalars?.long_data?.data ?? f?.scalars?.string_data?.data ?? []).map(String);
}
var DuplicateTracker = class {
  constructor(call) {
    this.call = call;
  }
  /** db/collection -> pk -> extra copies (> 0 only). */
  extra = /* @__PURE__ */ new Map();
  pks = /* @__PURE__ */ new Map();
  key(db, collection) {
    return `${db}/${collection}`;
  }
  async pkOf(db, collection) {
    const k = this.key(db, collection);
    const known = this.pks.get(k);
    if (known) return known;
    const res = decodeResponse(
      "DescribeCollection",
      await this.call(
        "DescribeCollection",
        encodeRequest("DescribeCollection", { db_name: db, collection_name: collection })
      )
    );
    const f = res.schema?.fields?.find((x) => x.is_primary_key);
    if (!f?.name) return void 0;
    const info = { name: f.name, isString: f.data_type === "VarChar" };
    this.pks.set(k, info);
    return info;
  }
  literal(pk, v) {
    return pk.isString ? JSON.stringify(v) : v;
  }
  /** Keys among `candidates` (or matching `expr`) that exist now. */
  async existing(db, collection, pk, expr) {
    const res = decodeResponse(
      "Query",
      await this.call(
        "Query",
        encodeRequest("Query", {
          db_name: db,
          collection_name: collection,
          expr,
          output_fields: [pk.name],
          consistency_level: "Strong"
        })
      )
    );
    return pkValues(res.fields_data, pk.name);
  }
  /**
   * Call before a mutation is forwarded; returns what to record once it succeeded. Only Insert, Upsert,
   * Delete, DropCollection and RenameCollection matter; others return undefined.
   */
  async before(method, request, db, collection) {
    const k = this.key(db, collection);
    switch (method) {
      case "Insert": {
        const pk = await this.pkOf(db, collection);
        if (!pk) return void 0;
        const req = decodeRequest("Insert", request);
        const keys = pkValues(req.fields_data, pk.name);
        if (keys.length === 0) return void 0;
        const present = await this.existing(
          db,
          collection,
          pk,
          `${pk.name} in [${keys.map((v) => this.literal(pk, v)).join(",")}]`
        );
        if (present.length === 0) return void 0;
        return () => {
          const m = this.extra.get(k) ?? /* @__PURE__ */ new Map();
          for (const v of present) m.set(v, (m.get(v) ?? 0) + 1);
          this.extra.set(k, m);
        };
      }
      case "Upsert": {
        const m = this.extra.get(k);
        const pk = m && m.size > 0 ? await this.pkOf(db, collection) : void 0;
        if (!m || !pk) return void 0;
        const keys = pkValues(
          decodeRequest("Upsert", request).fields_data,
          pk.name
        );
        return () => {
          for (const v of keys) m.delete(v);
        };
      }
      case "Delete": {
        const m = this.extra.get(k);
        const pk = m && m.size > 0 ? await this.pkOf(db, collection) : void 0;
        if (!m || !pk) return void 0;
        const expr = decodeRequest("Delete", request).expr ?? "";
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
        const req = decodeRequest("RenameCollection", request);
        const to = this.key(req.new_db_name || db, req.newName ?? "");
        return () => {
          const m = this.extra.get(k);
          this.extra.delete(k);
          this.pks.delete(k);
          if (m) this.extra.set(to, m);
        };
      }
      default:
        return void 0;
    }
  }
  /** A count(*) query answered by Milvus Lite, corrected to count the extra copies Milvus would keep. */
  async adjustCount(request, response, db, collection) {
    const m = this.extra.get(this.key(db, collection));
    if (!m || m.size === 0) return response;
    const req = decodeRequest(
      "Query",
      request
    );
    if (!(req.output_fields ?? []).some((f) => f.replace(/\s/g, "").toLowerCase() === "count(*)"))
      return response;
    const res = decodeResponse("Query", response);
    const col = res.fields_data?.find((f) => f.field_name === "count(*)");
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
    data[0] = (BigInt(data[0]) + BigInt(extra)).toString();
    return encodeResponse("Query", res);
  }
  /** For diagnostics: extra copies per collection. */
  summary() {
    const out = {};
    for (const [k, m] of this.extra) {
      let n = 0;
      for (const v of m.values()) n += v;
      if (n > 0) out[k] = n;
    }
    return out;
  }
};

// src/backends/local/methods.ts
var DML_METHODS = /* @__PURE__ */ new Set(["Insert", "Delete", "Upsert"]);
var COLLECTION_SCOPED = [
  "CreateCollection",
  "DropCollection",
  "LoadCollection",
  "ReleaseCollection",
  "AlterCollection",
  "AlterCollectionField",
  "AlterCollectionSchema",
  "AddCollectionField",
  "AddCollectionStructField",
  "AddCollectionFunction",
  "AlterCollectionFunction",
  "DropCollectionFunction",
  "TruncateCollection",
  "CreatePartition",
  "DropPartition",
  "LoadPartitions",
  "ReleasePartitions",
  "CreateAlias",
  "AlterAlias",
  "CreateIndex",
  "AlterIndex",
  "DropIndex",
  "Insert",
  "Delete",
  "Upsert",
  "Import"
];
var CLUSTER_SCOPED = [
  "FlushAll",
  "CreateDatabase",
  "DropDatabase",
  "AlterDatabase",
  "CreateCredential",
  "UpdateCredential",
  "DeleteCredential",
  "CreateRole",
  "AlterRole",
  "DropRole",
  "OperateUserRole",
  "OperatePrivilege",
  "OperatePrivilegeV2",
  "RestoreRBAC",
  "CreatePrivilegeGroup",
  "DropPrivilegeGroup",
  "OperatePrivilegeGroup",
  "AddUserTags",
  "DeleteUserTags",
  "CreateRowPolicy",
  "DropRowPolicy"
];
var SPECIAL = ["DropAlias", "RenameCollection", "Flush"];
var COLLECTION_SCOPED_METHODS = new Set(COLLECTION_SCOPED);
var CLUSTER_SCOPED_METHODS = new Set(CLUSTER_SCOPED);
var MUTATING_METHODS = /* @__PURE__ */ new Set([
  ...COLLECTION_SCOPED,
  ...CLUSTER_SCOPED,
  ...SPECIAL
]);
var SECRET_METHODS = /* @__PURE__ */ new Set(["CreateCredential", "UpdateCredential"]);
function kindOf(method) {
  return DML_METHODS.has(method) ? "dml" : "ddl";
}

// src/backends/local/mutex.ts
var KeyedMutex = class {
  tails = /* @__PURE__ */ new Map();
  async run(keys, fn) {
    const ordered = [...new Set(keys)].sort();
    const releases = [];
    try {
      for (const key of ordered) releases.push(await this.acquire(key));
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }
  async acquire(key) {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release;
    const current = new Promise((resolve) => {
      release = resolve;
    });
    const tail2 = previous.then(() => current);
    this.tails.set(key, tail2);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail2) this.tails.delete(key);
    };
  }
};

// src/backends/local/replicate-config.ts
function normalizeConfig(raw) {
  const c = raw ?? {};
  return {
    clusters: (c.clusters ?? []).map((k) => ({
      cluster_id: k?.cluster_id ?? "",
      connection_param: {
        uri: k?.connection_param?.uri ?? "",
        token: k?.connection_param?.token ?? ""
      },
      pchannels: [...k?.pchannels ?? []]
    })),
    cross_cluster_topology: (c.cross_cluster_topology ?? []).map((t) => ({
      source_cluster_id: t?.source_cluster_id ?? "",
      target_cluster_id: t?.target_cluster_id ?? ""
    }))
  };
}
function sameConfig(a, b) {
  return JSON.stringify(normalizeConfig(a)) === JSON.stringify(normalizeConfig(b));
}
function sanitizeConfig(c) {
  const n = normalizeConfig(c);
  for (const k of n.clusters) k.connection_param.token = "";
  return n;
}
function parsableRequestUri(uri) {
  if ([...uri].some((ch) => /\s/.test(ch) || ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127))
    return false;
  if (uri.startsWith("/")) return true;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\//.test(uri)) return false;
  try {
    new URL(uri);
    return true;
  } catch {
    return false;
  }
}
function fmtList(a) {
  return `[${a.join(" ")}]`;
}
function validateReplicateConfig(incomingRaw, current, currentClusterId, currentPchannels) {
  if (incomingRaw === null || incomingRaw === void 0) return "config cannot be nil";
  const incoming = normalizeConfig(incomingRaw);
  const clusters = incoming.clusters;
  if (clusters.length === 0) return "clusters list cannot be empty";
  const clusterMap = /* @__PURE__ */ new Map();
  const uriSet = /* @__PURE__ */ new Map();
  let expected = 0;
  let firstId = "";
  for (const [i, cluster] of clusters.entries()) {
    const id = cluster.cluster_id;
    if (id === "") return `cluster at index ${i} has empty clusterID`;
    if (/[ \t\n\r]/.test(id))
      return `cluster at index ${i} has clusterID '${id}' containing whitespace characters`;
    const uri = cluster.connection_param.uri;
    if (uri === "") return `cluster '${id}' has empty URI`;
    if (!parsableRequestUri(uri)) return `cluster '${id}' has invalid URI format: '${uri}'`;
    const existing = uriSet.get(uri);
    if (existing !== void 0)
      return `duplicate URI found: '${uri}' is used by both cluster '${existing}' and cluster '${id}'`;
    uriSet.set(uri, id);
    if (cluster.pchannels.length === 0) return `cluster '${id}' has empty pchannels`;
    const seen = /* @__PURE__ */ new Set();
    for (const [j, p] of cluster.pchannels.entries()) {
      if (p === "") return `cluster '${id}' has empty pchannel at index ${j}`;
      if (seen.has(p)) return `cluster '${id}' has duplicate pchannel: '${p}'`;
      seen.add(p);
    }
    if (i === 0) {
      expected = cluster.pchannels.length;
      firstId = id;
    } else if (cluster.pchannels.length !== expected) {
      return `cluster '${id}' has ${cluster.pchannels.length} pchannels, but expected ${expected} (same as cluster '${firstId}')`;
    }
    if (clusterMap.has(id)) return `duplicate clusterID found: '${id}'`;
    clusterMap.set(id, cluster);
  }
  const self = clusterMap.get(currentClusterId);
  if (!self) return `current Milvus cluster '${currentClusterId}' must be included in the clusters list`;
  const a = [...currentPchannels].sort();
  const b = [...self.pchannels].sort();
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
    return `current pchannels do not match the pchannels in the config, current pchannels: ${fmtList([...currentPchannels])}, config pchannels: ${fmtList(self.pchannels)}`;
  }
  const topologies = incoming.cross_cluster_topology;
  const edges = /* @__PURE__ */ new Set();
  for (const [i, t] of topologies.entries()) {
    if (!clusterMap.has(t.source_cluster_id))
      return `topology at index ${i} references non-existent source cluster: '${t.source_cluster_id}'`;
    if (!clusterMap.has(t.target_cluster_id))
      return `topology at index ${i} references non-existent target cluster: '${t.target_cluster_id}'`;
    const key = `${t.source_cluster_id}->${t.target_cluster_id}`;
    if (edges.has(key)) return `duplicate topology relationship found: '${key}'`;
    edges.add(key);
  }
  if (topologies.length > 0) {
    const inDeg = /* @__PURE__ */ new Map();
    const outDeg = /* @__PURE__ */ new Map();
    for (const id of clusterMap.keys()) {
      inDeg.set(id, 0);
      outDeg.set(id, 0);
    }
    for (const t of topologies) {
      outDeg.set(t.source_cluster_id, (outDeg.get(t.source_cluster_id) ?? 0) + 1);
      inDeg.set(t.target_cluster_id, (inDeg.get(t.target_cluster_id) ?? 0) + 1);
    }
    let center = "";
    for (const id of clusterMap.keys()) {
      if (outDeg.get(id) === clusterMap.size - 1 && inDeg.get(id) === 0) {
        if (center !== "")
          return "multiple center nodes found, only one center node is allowed in star topology";
        center = id;
      }
    }
    if (center === "") return "no center node found, star topology must have exactly one center node";
    for (const id of clusterMap.keys()) {
      if (id === center) continue;
      if (inDeg.get(id) !== 1 || outDeg.get(id) !== 0) {
        return `cluster '${id}' does not follow star topology pattern (in-degree=${inDeg.get(id)}, out-degree=${outDeg.get(id)})`;
      }
    }
  }
  if (current) {
    const cur = new Map(normalizeConfig(current).clusters.map((c) => [c.cluster_id, c]));
    for (const inc of clusters) {
      const was = cur.get(inc.cluster_id);
      if (!was) continue;
      if (inc.pchannels.length < was.pchannels.length)
        return `cluster '${was.cluster_id}' pchannels cannot decrease: current=${was.pchannels.length}, incoming=${inc.pchannels.length}`;
      if (was.pchannels.some((p, i) => inc.pchannels[i] !== p))
        return `cluster '${was.cluster_id}' existing pchannels must be preserved at the same positions: current=${fmtList(was.pchannels)}, incoming=${fmtList(inc.pchannels)}`;
      if (was.connection_param.uri !== inc.connection_param.uri)
        return `cluster '${was.cluster_id}' connection_param.uri cannot be changed: current=${was.connection_param.uri}, incoming=${inc.connection_param.uri}`;
      if (was.connection_param.token !== inc.connection_param.token)
        return `cluster '${was.cluster_id}' connection_param.token cannot be changed`;
    }
  }
  return null;
}
function roleOf(config, clusterId) {
  if (!config) return "primary";
  return config.cross_cluster_topology.some((t) => t.target_cluster_id === clusterId) ? "secondary" : "primary";
}

// src/backends/local/state.ts
import { mkdirSync } from "node:fs";
import { open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
var counter = 0;
async function writeJsonAtomic(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${counter++}`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(`${JSON.stringify(value, null, 2)}
`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
async function readJson(path) {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    if (e.code === "ENOENT") return void 0;
    throw new Error(`cannot read state file ${path}: ${e.message}`);
  }
}

// src/backends/local/wal.ts
import { mkdirSync as mkdirSync2 } from "node:fs";
import { open as open2 } from "node:fs/promises";
import { join } from "node:path";
function walFile(walDir, pchannel) {
  return join(walDir, `${pchannel}.log`);
}
var TimeTickAllocator = class {
  last = 0n;
  next() {
    const physical = BigInt(Date.now()) << 18n;
    this.last = physical > this.last ? physical : this.last + 1n;
    return this.last;
  }
};
var WalWriter = class {
  constructor(walDir) {
    this.walDir = walDir;
    mkdirSync2(walDir, { recursive: true });
  }
  files = /* @__PURE__ */ new Map();
  closed = false;
  /** Appends one entry and fsyncs it; returns its message id (the line's byte offset). */
  async append(pchannel, entry) {
    if (this.closed) throw new Error(`WAL ${this.walDir} is closed`);
    let f = this.files.get(pchannel);
    if (!f) {
      const fh = await open2(walFile(this.walDir, pchannel), "a");
      f = { fh, size: (await fh.stat()).size };
      this.files.set(pchannel, f);
    }
    const line = Buffer.from(`${JSON.stringify(entry)}
`);
    const offset = f.size;
    await f.fh.write(line, 0, line.length, null);
    await f.fh.datasync();
    f.size += line.length;
    return String(offset);
  }
  sizes() {
    return Object.fromEntries([...this.files].map(([k, v]) => [k, v.size]));
  }
  async close() {
    this.closed = true;
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => f.fh.close().catch(() => {
    })));
  }
};

// src/backends/local/front.ts
var REPLICATE_VIOLATION_REASON = "code: STREAMING_CODE_REPLICATE_VIOLATION, cause: non-replicate message cannot be received in secondary role";
var identity = (b) => b;
var HOP_HEADERS = /* @__PURE__ */ new Set(["authorization", "user-agent", "content-type", "te", "host"]);
function status2(code, reason, errorCode = "UnexpectedError") {
  return { error_code: errorCode, code, reason };
}
var FrontError = class extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
};
var Front = class _Front {
  constructor(opts) {
    this.opts = opts;
    this.clusterId = opts.clusterId;
    this.pchannels = [...opts.pchannels];
    this.log = opts.log ?? (() => {
    });
    this.wal = new WalWriter(opts.walDir);
    this.backend = new grpc.Client(opts.backendAddress, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 256 * 1024 * 1024,
      "grpc.max_send_message_length": 256 * 1024 * 1024
    });
  }
  clusterId;
  pchannels;
  server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024 });
  backend;
  mutex = new KeyedMutex();
  tt = new TimeTickAllocator();
  wal;
  config = null;
  map = { collections: {}, aliases: {} };
  mapSave = Promise.resolve();
  pending = /* @__PURE__ */ new Map();
  checkpoints = /* @__PURE__ */ new Map();
  configLock = new KeyedMutex();
  stopped = false;
  port = 0;
  log;
  /** Makes a re-inserted key count twice in count(*), as on Milvus (Milvus Lite would replace the row). */
  dups = new DuplicateTracker(
    (method, request) => this.forward(method, request, new grpc.Metadata())
  );
  static async start(opts) {
    const front = new _Front(opts);
    await front.loadState();
    front.server.addService(front.serviceDefinition(), front.implementation());
    front.port = await new Promise(
      (resolve, reject) => front.server.bindAsync(
        "127.0.0.1:0",
        grpc.ServerCredentials.createInsecure(),
        (err, port) => err ? reject(err) : resolve(port)
      )
    );
    return front;
  }
  get uri() {
    return `http://127.0.0.1:${this.port}`;
  }
  get role() {
    return roleOf(this.config, this.clusterId);
  }
  get replicateConfiguration() {
    return this.config;
  }
  walSizes() {
    return this.wal.sizes();
  }
  checkpointList() {
    return [...this.checkpoints.values()];
  }
  /** Where a collection lives (for tests and diagnostics). */
  channelOf(collection, db = "default") {
    const i = this.resolve(db, collection);
    return i === void 0 ? void 0 : this.pchannels[i];
  }
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.server.forceShutdown();
    this.backend.close();
    await this.mapSave.catch(() => {
    });
    await this.wal.close();
  }
  get files() {
    const d = this.opts.stateDir;
    return {
      config: join2(d, "replicate-config.json"),
      map: join2(d, "channels.json"),
      checkpoint: (pch) => join2(d, "checkpoints", `${pch}.json`)
    };
  }
  async loadState() {
    const cfg = await readJson(this.files.config);
    this.config = cfg ? normalizeConfig(cfg) : null;
    this.map = await readJson(this.files.map) ?? { collections: {}, aliases: {} };
    for (const p of this.pchannels) {
      const cp = await readJson(this.files.checkpoint(p));
      if (cp) this.checkpoints.set(p, cp);
    }
  }
  // ---- gRPC plumbing -------------------------------------------------------------------------
  serviceDefinition() {
    const def = {};
    for (const m of milvusMethods().values()) {
      def[m.name] = {
        path: m.path,
        requestStream: m.requestStream,
        responseStream: m.responseStream,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
        originalName: m.name
      };
    }
    return def;
  }
  implementation() {
    const impl = {};
    for (const m of milvusMethods().values()) {
      if (m.name === "CreateReplicateStream") {
        impl[m.name] = (call) => this.replicateStream(call);
      } else if (m.requestStream || m.responseStream) {
        impl[m.name] = (call) => call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: `${m.name} is not served locally` });
      } else {
        impl[m.name] = (call, callback) => {
          if (!this.authorized(call.metadata)) {
            callback({
              code: grpc.status.UNAUTHENTICATED,
              details: "auth check failure, please check token"
            });
            return;
          }
          this.unary(m.name, call.request, call.metadata, call.getDeadline()).then(
            (res) => callback(null, res),
            (err) => callback(toServiceError(err))
          );
        };
      }
    }
    return impl;
  }
  authorized(md) {
    if (!this.opts.token) return true;
    const want = Buffer.from(this.opts.token, "utf8").toString("base64");
    return md.get("authorization").some((v) => String(v) === want);
  }
  forward(method, request, md, deadline) {
    const out = new grpc.Metadata();
    for (const [k, v] of Object.entries(md.getMap())) {
      if (HOP_HEADERS.has(k) || k.startsWith("grpc-") || k.startsWith(":")) continue;
      out.set(k, v);
    }
    return new Promise((resolve, reject) => {
      this.backend.makeUnaryRequest(
        `/milvus.proto.milvus.MilvusService/${method}`,
        identity,
        identity,
        request,
        out,
        deadline !== void 0 && deadline !== Number.POSITIVE_INFINITY ? { deadline } : {},
        (err, res) => err ? reject(err) : resolve(res ?? Buffer.alloc(0))
      );
    });
  }
  // ---- unary calls ---------------------------------------------------------------------------
  async unary(method, request, md, deadline) {
    switch (method) {
      case "UpdateReplicateConfiguration":
        return this.updateConfig(request);
      case "GetReplicateConfiguration":
        return encodeResponse(method, {
          status: {},
          configuration: this.config ? sanitizeConfig(this.config) : {}
        });
      case "GetReplicateInfo":
        return this.replicateInfo(request);
    }
    if (method === "Query") {
      const res = await this.forward(method, request, md, deadline);
      const req = decodeRequest(method, request);
      const db = this.dbOf(req, md);
      const name = req.collection_name ?? "";
      return this.dups.adjustCount(request, res, db, this.map.aliases[db]?.[name] ?? name);
    }
    if (!MUTATING_METHODS.has(method)) return this.forward(method, request, md, deadline);
    return this.clientMutation(method, request, md, deadline);
  }
  async updateConfig(request) {
    const req = decodeRequest(
      "UpdateReplicateConfiguration",
      request
    );
    return this.configLock.run(["config"], async () => {
      const fail = (reason) => statusResponse("UpdateReplicateConfiguration", status2(65535, reason));
      if (req.force_promote) {
        if (this.role === "primary")
          return fail("force promote can only be used on secondary clusters, current cluster is primary");
        const self = this.config?.clusters.find((c) => c.cluster_id === this.clusterId);
        if (!self) return fail("current cluster not found");
        await this.saveConfig({ clusters: [self], cross_cluster_topology: [] });
        return statusResponse("UpdateReplicateConfiguration", {});
      }
      const incoming = normalizeConfig(req.replicate_configuration);
      if (this.config && sameConfig(incoming, this.config)) {
        return statusResponse("UpdateReplicateConfiguration", {});
      }
      const err = validateReplicateConfig(
        req.replicate_configuration,
        this.config,
        this.clusterId,
        this.pchannels
      );
      if (err) {
        this.log(`${this.clusterId}: replicate configuration refused: ${err}`);
        return fail(err);
      }
      await this.saveConfig(incoming);
      this.log(`${this.clusterId}: replicate configuration accepted, role ${this.role}`);
      if (incoming.cross_cluster_topology.some((t) => t.source_cluster_id === this.clusterId)) {
        try {
          await this.opts.onSourceConfigured?.(incoming);
        } catch (e) {
          return fail(`configuration saved, but replication could not start: ${e.message}`);
        }
      }
      return statusResponse("UpdateReplicateConfiguration", {});
    });
  }
  async saveConfig(config) {
    const onDisk = {
      ...sanitizeConfig(config),
      token_sha256: Object.fromEntries(
        config.clusters.map((c) => [
          c.cluster_id,
          c.connection_param.token ? createHash("sha256").update(c.connection_param.token).digest("hex") : ""
        ])
      )
    };
    await writeJsonAtomic(this.files.config, onDisk);
    this.config = config;
  }
  replicateInfo(request) {
    const req = decodeRequest(
      "GetReplicateInfo",
      request
    );
    const pch = req.target_pchannel ?? "";
    if (!this.pchannels.includes(pch)) return new Promise(() => {
    });
    const cp = this.checkpoints.get(pch);
    const body = cp && cp.cluster_id === req.source_cluster_id ? { checkpoint: cp } : {};
    return Promise.resolve(encodeResponse("GetReplicateInfo", body));
  }
  dbOf(req, md) {
    if (req.db_name) return req.db_name;
    const fromMd = md?.get("dbname")[0];
    return fromMd ? String(fromMd) : "default";
  }
  resolve(db, name) {
    const real = this.map.aliases[db]?.[name] ?? name;
    return this.map.collections[db]?.[real];
  }
  /** The least-used channel (collections already there plus creations in flight). */
  pickChannel() {
    const use = new Array(this.pchannels.length).fill(0);
    for (const db of Object.values(this.map.collections))
      for (const ch of Object.values(db)) use[ch] = (use[ch] ?? 0) + 1;
    for (const [ch, n] of this.pending) use[ch] = (use[ch] ?? 0) + n;
    let best = 0;
    for (let i = 1; i < use.length; i++) if ((use[i] ?? 0) < (use[best] ?? 0)) best = i;
    return best;
  }
  /** What a mutation touches and how it changes the collection map. `forced` = the channel a replicated message came on. */
  plan(method, req, db, forced) {
    const str = (k) => typeof req[k] === "string" ? req[k] : "";
    const realName = (n) => this.map.aliases[db]?.[n] ?? n;
    const at = (ch, collection, effect) => {
      const c = forced ?? ch ?? 0;
      return { channels: [c], channel: c, collection, effect };
    };
    const setColl = (name, ch) => {
      this.map.collections[db] ??= {};
      this.map.collections[db][name] = ch;
    };
    const dropColl = (name) => {
      delete this.map.collections[db]?.[name];
      const aliases = this.map.aliases[db] ?? {};
      for (const [a, c] of Object.entries(aliases)) if (c === name) delete aliases[a];
    };
    switch (method) {
      case "CreateCollection": {
        const name = str("collection_name");
        const ch = forced ?? this.pickChannel();
        return at(ch, name, () => setColl(name, ch));
      }
      case "DropCollection": {
        const name = realName(str("collection_name"));
        return at(this.resolve(db, name), name, () => dropColl(name));
      }
      case "RenameCollection": {
        const oldName = realName(str("oldName"));
        const newName = str("newName");
        const newDb = str("newDBName") || db;
        const ch = this.resolve(db, oldName);
        return at(ch, oldName, () => {
          const c = this.map.collections[db]?.[oldName] ?? forced ?? 0;
          delete this.map.collections[db]?.[oldName];
          this.map.collections[newDb] ??= {};
          this.map.collections[newDb][newName] = c;
        });
      }
      case "CreateAlias":
      case "AlterAlias": {
        const coll = realName(str("collection_name"));
        const alias = str("alias");
        return at(this.resolve(db, coll), coll, () => {
          this.map.aliases[db] ??= {};
          this.map.aliases[db][alias] = coll;
        });
      }
      case "DropAlias": {
        const alias = str("alias");
        const coll = this.map.aliases[db]?.[alias] ?? "";
        return at(this.resolve(db, coll), coll, () => {
          delete this.map.aliases[db]?.[alias];
        });
      }
      case "Flush": {
        const names = (req.collection_names ?? []).map(realName);
        const chans = [...new Set(names.map((n) => this.resolve(db, n) ?? 0))];
        const first = forced ?? chans[0] ?? 0;
        return {
          channels: forced !== void 0 ? [forced] : chans.length ? chans : [0],
          channel: first,
          collection: names[0] ?? ""
        };
      }
      case "DropDatabase":
        return at(0, "", () => {
          delete this.map.collections[db];
          delete this.map.aliases[db];
        });
    }
    if (COLLECTION_SCOPED_METHODS.has(method)) {
      const name = realName(str("collection_name"));
      return at(this.resolve(db, name), name);
    }
    if (CLUSTER_SCOPED_METHODS.has(method)) return at(0, "");
    return at(0, "");
  }
  persistMap() {
    this.mapSave = this.mapSave.then(() => writeJsonAtomic(this.files.map, this.map));
    return this.mapSave;
  }
  async clientMutation(method, request, md, deadline) {
    if (this.role === "secondary") return statusResponse(method, status2(65535, REPLICATE_VIOLATION_REASON));
    if (method === "Import" && this.config && this.config.cross_cluster_topology.length > 0) {
      return statusResponse(
        method,
        status2(
          65535,
          `import is not supported while replication is configured (cluster '${this.clusterId}' is in a replication topology); remove the replication configuration first`
        )
      );
    }
    const req = decodeRequest(method, request);
    const db = this.dbOf(req, md);
    if (method === "CreateCollection") {
      const refusal = this.checkCreateCollection(req);
      if (refusal) return statusResponse(method, status2(1100, refusal, "IllegalArgument"));
    }
    const plan = this.plan(method, req, db);
    if (method === "CreateCollection")
      this.pending.set(plan.channel, (this.pending.get(plan.channel) ?? 0) + 1);
    try {
      return await this.mutex.run(plan.channels, async () => {
        const recordDuplicates = await this.dups.before(method, request, db, plan.collection);
        const res = await this.forward(method, request, md, deadline);
        if (!isSuccess(responseStatus(method, res))) return res;
        recordDuplicates?.();
        if (!SECRET_METHODS.has(method)) {
          const pch = this.pchannels[plan.channel];
          await this.wal.append(pch, {
            tt: this.tt.next().toString(),
            method,
            kind: kindOf(method),
            db,
            collection: plan.collection,
            payload: request.toString("base64")
          });
        }
        if (plan.effect) {
          plan.effect();
          await this.persistMap();
        }
        return res;
      });
    } finally {
      if (method === "CreateCollection") {
        const n = (this.pending.get(plan.channel) ?? 1) - 1;
        if (n > 0) this.pending.set(plan.channel, n);
        else this.pending.delete(plan.channel);
      }
    }
  }
  /**
   * Auto-id keys are generated by each cluster on its own, so a replayed insert would get different keys
   * on the standby: the local backend refuses them instead of replicating them unfaithfully.
   * shards_num > 1 is accepted, but the collection still lives on one channel (Milvus Lite has no shards).
   */
  checkCreateCollection(req) {
    const bytes = req.schema;
    if (!bytes || bytes.length === 0) return null;
    const schema = decode("schema.CollectionSchema", bytes);
    const auto = (schema.fields ?? []).find((f) => f.autoID) ?? (schema.autoID ? { name: "(schema autoID)" } : void 0);
    if (auto) {
      return `collection '${String(req.collection_name)}': auto_id primary key '${auto.name}' is not supported by the local backend (auto-generated ids cannot be replicated faithfully by its replicator); use auto_id=false with explicit keys, or the kind backend`;
    }
    return null;
  }
  // ---- the receiving end of replication --------------------------------------------------------
  replicateStream(call) {
    if (!this.authorized(call.metadata)) {
      call.emit("error", {
        code: grpc.status.UNAUTHENTICATED,
        details: "auth check failure, please check token"
      });
      return;
    }
    let chain = Promise.resolve();
    let broken = false;
    call.on("data", (buf) => {
      chain = chain.then(async () => {
        if (broken) return;
        try {
          const res = await this.applyReplicated(buf);
          call.write(res);
        } catch (e) {
          broken = true;
          call.emit("error", toServiceError(e));
        }
      });
    });
    call.on("end", () => {
      chain.then(() => {
        if (!broken) call.end();
      });
    });
    call.on("error", () => {
      broken = true;
    });
  }
  async applyReplicated(buf) {
    const req = decode("milvus.ReplicateRequest", buf);
    const rm2 = req.replicate_message;
    const props = rm2?.message?.properties ?? {};
    const source = rm2?.source_cluster_id ?? "";
    const cfg = this.config;
    const edge = cfg?.cross_cluster_topology.find(
      (t) => t.source_cluster_id === source && t.target_cluster_id === this.clusterId
    );
    if (!cfg || !edge) {
      throw new FrontError(
        grpc.status.FAILED_PRECONDITION,
        `cluster '${this.clusterId}' has no replication from source cluster '${source}' configured`
      );
    }
    const srcPch = props._pch ?? "";
    const srcCluster = cfg.clusters.find((c) => c.cluster_id === source);
    const idx = srcCluster?.pchannels.indexOf(srcPch) ?? -1;
    const selfCluster = cfg.clusters.find((c) => c.cluster_id === this.clusterId);
    const targetPch = idx >= 0 ? selfCluster?.pchannels[idx] : void 0;
    const channel = targetPch === void 0 ? -1 : this.pchannels.indexOf(targetPch);
    if (channel < 0 || targetPch === void 0) {
      throw new FrontError(
        grpc.status.FAILED_PRECONDITION,
        `pchannel '${srcPch}' is not a pchannel of source cluster '${source}' in the replicate configuration`
      );
    }
    const method = props._method ?? "";
    if (!MUTATING_METHODS.has(method)) {
      throw new FrontError(grpc.status.INVALID_ARGUMENT, `replicated message has unknown method '${method}'`);
    }
    let tt;
    try {
      tt = BigInt(props._tt ?? "");
    } catch {
      throw new FrontError(grpc.status.INVALID_ARGUMENT, `replicated message has invalid _tt '${props._tt}'`);
    }
    const payload = rm2?.message?.payload ?? Buffer.alloc(0);
    const db = props._db || "default";
    const confirm = () => encode("milvus.ReplicateResponse", {
      replicate_confirmed_message_info: { confirmed_time_tick: tt.toString() }
    });
    return this.mutex.run([channel], async () => {
      const cp = this.checkpoints.get(targetPch);
      if (cp && tt <= BigInt(cp.time_tick) && props._nodedup !== "1") return confirm();
      const req2 = decodeRequest(method, payload);
      const plan = this.plan(method, req2, db, channel);
      const md = new grpc.Metadata();
      md.set("dbname", db);
      let res;
      let recordDuplicates;
      try {
        recordDuplicates = await this.dups.before(method, payload, db, plan.collection);
        res = await this.forward(method, payload, md);
      } catch (e) {
        throw new FrontError(
          grpc.status.INTERNAL,
          `apply of ${method} on '${props._coll ?? ""}' failed: ${e.details ?? e.message}`
        );
      }
      const st = responseStatus(method, res);
      if (!isSuccess(st)) {
        throw new FrontError(
          grpc.status.INTERNAL,
          `apply of ${method} on '${props._coll ?? ""}' failed: ${st?.reason ?? "error"}`
        );
      }
      recordDuplicates?.();
      if (plan.effect) {
        plan.effect();
        await this.persistMap();
      }
      const next = {
        cluster_id: source,
        pchannel: srcPch,
        message_id: { id: rm2?.message?.id?.id ?? "" },
        time_tick: tt.toString()
      };
      await writeJsonAtomic(this.files.checkpoint(targetPch), next);
      this.checkpoints.set(targetPch, next);
      return confirm();
    });
  }
};
function toServiceError(e) {
  if (e instanceof FrontError) return { code: e.code, details: e.message };
  const se = e;
  if (typeof se?.code === "number")
    return { code: se.code, details: se.details ?? se.message, metadata: se.metadata };
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}

// src/backends/local/milvus-lite-process.ts
var grpc2 = __toESM(require_src(), 1);
import { fork } from "node:child_process";
import { mkdirSync as mkdirSync3 } from "node:fs";
import { readFile as readFile2 } from "node:fs/promises";

// src/backends/local/node-child.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname as dirname2, join as join3 } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
function nodeEntry(name) {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname2(here);
  if (here.endsWith(".js")) {
    for (const d of basename(dir) === "chunks" ? [dir, dirname2(dir)] : [dir]) {
      const js = join3(d, `${name}.js`);
      if (existsSync(js)) return { file: js, execArgv: [] };
    }
  }
  const ts = join3(dir, `${name}.ts`);
  if (!existsSync(ts))
    throw new Error(`entry ${name} not found: no ${name}.js or ${name}.ts next to ${here}`);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return { file: ts, execArgv: ["--import", tsx] };
}

// src/backends/local/milvus-lite-process.ts
async function tail(file, lines = 20) {
  const text = await readFile2(file, "utf8").catch(() => "");
  return text.trim().split("\n").slice(-lines).join("\n");
}
var MilvusLiteProcess = class _MilvusLiteProcess {
  constructor(address, logFile, watchdog) {
    this.address = address;
    this.logFile = logFile;
    this.watchdog = watchdog;
    this.exited = new Promise((resolve) => {
      watchdog.once("exit", (code, signal) => {
        this.exitInfo ??= `watchdog exited (code ${code}, signal ${signal})`;
        resolve();
      });
    });
    watchdog.on(
      "message",
      (m) => {
        if (m.type === "started") this.pid = m.pid;
        if (m.type === "exit") this.exitInfo = `Milvus Lite exited (code ${m.code}, signal ${m.signal})`;
        if (m.type === "error") this.exitInfo = `Milvus Lite could not start: ${m.message}`;
      }
    );
  }
  pid;
  exited;
  exitInfo;
  get watchdogPid() {
    return this.watchdog.pid;
  }
  static async start(opts) {
    mkdirSync3(opts.dataDir, { recursive: true });
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const { file, execArgv } = nodeEntry("watchdog");
      const child = fork(file, [opts.bin, opts.dataDir, String(port), opts.logFile], {
        execArgv,
        stdio: ["ignore", "ignore", "ignore", "ipc"]
      });
      const p = new _MilvusLiteProcess(`127.0.0.1:${port}`, opts.logFile, child);
      try {
        await p.waitReady(opts.readyTimeoutMs ?? 6e4);
        return p;
      } catch (e) {
        lastError = e;
        await p.stop();
        if (!/address already in use|bind|Failed to bind/i.test(await tail(opts.logFile, 5))) break;
      }
    }
    throw lastError ?? new Error("Milvus Lite did not start");
  }
  async waitReady(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const client = new grpc2.Client(this.address, grpc2.credentials.createInsecure());
    try {
      for (; ; ) {
        if (this.exitInfo) {
          throw new Error(
            `${this.exitInfo} before it was ready on ${this.address}; last log lines:
${await tail(this.logFile)}`
          );
        }
        const ok = await new Promise((resolve) => {
          client.makeUnaryRequest(
            "/milvus.proto.milvus.MilvusService/CheckHealth",
            (b) => b,
            (b) => b,
            Buffer.alloc(0),
            new grpc2.Metadata(),
            { deadline: Date.now() + 1e3 },
            (err) => resolve(!err)
          );
        });
        if (ok) return;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for Milvus Lite to answer CheckHealth on ${this.address}; last log lines:
${await tail(this.logFile)}`
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      client.close();
    }
  }
  /** Stops Milvus Lite and its watchdog; resolves once the watchdog (which outlives the server) is gone. */
  async stop() {
    if (this.watchdog.exitCode !== null || this.watchdog.signalCode !== null) return;
    if (this.watchdog.connected) this.watchdog.send("stop");
    const timer = setTimeout(() => this.watchdog.kill("SIGKILL"), 5e3);
    await this.exited;
    clearTimeout(timer);
    if (this.pid !== void 0) {
      try {
        process.kill(-this.pid, "SIGKILL");
      } catch {
      }
    }
  }
};

// src/backends/local/supervisor.ts
import { fork as fork2 } from "node:child_process";
import { closeSync, mkdirSync as mkdirSync4, openSync } from "node:fs";
import { dirname as dirname3 } from "node:path";
var ReplicatorSupervisor = class {
  restarts = [];
  opts;
  readyTimeoutMs;
  stopGraceMs;
  child;
  generation = 0;
  stopping = false;
  restartTimer;
  pending = [];
  /** When the current outage began (the child's death), for the restart record. */
  downSince;
  crashStreak = 0;
  constructor(opts, tuning = {}) {
    this.opts = parseReplicatorOptions(opts);
    this.readyTimeoutMs = tuning.readyTimeoutMs ?? 6e4;
    this.stopGraceMs = tuning.stopGraceMs ?? 3e3;
  }
  get pid() {
    return this.child?.pid;
  }
  /** Resolves when the first child reports ready. */
  async start() {
    if (this.child || this.stopping) throw new Error("ReplicatorSupervisor.start: already started");
    try {
      mkdirSync4(dirname3(this.opts.logFile), { recursive: true });
    } catch (e) {
      throw new Error(
        `replicator logFile ${this.opts.logFile}: cannot create its folder (${e.message})`
      );
    }
    try {
      await this.spawn();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }
  /** SIGKILL now; resolves once the restarted child is up again. */
  kill() {
    const child = this.child;
    if (this.stopping) return Promise.reject(new Error("ReplicatorSupervisor.kill: supervisor is stopped"));
    const killedAt = Date.now();
    const limit = this.opts.restartDelayMs + this.readyTimeoutMs + 5e3;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = this.pending.filter((p) => p !== entry);
        reject(new Error(`timed out after ${limit} ms waiting for the replicator to restart after SIGKILL`));
      }, limit);
      const entry = {
        killedAt,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        }
      };
      this.pending.push(entry);
      if (child && child.exitCode === null && child.signalCode === null) {
        this.downSince = killedAt;
        child.kill("SIGKILL");
      }
    });
  }
  /** No restart; the child is gone when this resolves. */
  async stop() {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = void 0;
    const waiting = this.pending;
    this.pending = [];
    for (const p of waiting)
      p.reject(new Error("the supervisor was stopped before the replicator restarted"));
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", () => r()));
    const within = (ms) => Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);
    child.kill("SIGTERM");
    if (await within(this.stopGraceMs)) return;
    child.kill("SIGKILL");
    if (!await within(5e3))
      throw new Error(`replicator pid ${child.pid} did not exit within 5000 ms of SIGKILL`);
  }
  spawn() {
    const { file, execArgv } = nodeEntry("replicator-main");
    const logFd = openSync(this.opts.logFile, "a");
    let child;
    try {
      child = fork2(file, [], {
        execArgv,
        env: {
          ...process.env,
          [OPTIONS_ENV]: JSON.stringify(this.opts),
          [GENERATION_ENV]: String(this.generation)
        },
        // The child's own crashes (stack traces) land in the same log file as its log lines.
        stdio: ["ignore", logFd, logFd, "ipc"]
      });
    } finally {
      closeSync(logFd);
    }
    this.child = child;
    this.generation += 1;
    return new Promise((resolve, reject) => {
      let settled = false;
      let ready = false;
      const settle = (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        settle(
          new Error(
            `timed out after ${this.readyTimeoutMs} ms waiting for the replicator (pid ${child.pid}) to report ready; see ${this.opts.logFile}`
          )
        );
        child.kill("SIGKILL");
      }, this.readyTimeoutMs);
      child.on("message", (m) => {
        if (m?.type === "ready") {
          ready = true;
          settle();
        } else if (m?.type === "fatal") settle(new Error(`replicator failed to start: ${m.message}`));
      });
      child.once("exit", (code, signal) => {
        settle(
          new Error(
            `replicator (pid ${child.pid}) exited before it was ready (${signal ?? `code ${code}`}); see ${this.opts.logFile}`
          )
        );
        if (!ready) this.crashStreak += 1;
        this.onExit(child);
      });
    });
  }
  onExit(child) {
    if (this.child !== child) return;
    if (this.stopping) return;
    this.downSince ??= Date.now();
    const delay = Math.min(
      this.opts.restartDelayMs * 2 ** this.crashStreak,
      Math.max(this.opts.restartDelayMs, 1e4)
    );
    this.restartTimer = setTimeout(() => this.restart(), delay);
  }
  restart() {
    this.restartTimer = void 0;
    if (this.stopping) return;
    this.spawn().then(
      () => {
        if (this.stopping) return;
        this.crashStreak = 0;
        const restartedAt = Date.now();
        const killedAt = this.downSince ?? restartedAt;
        this.downSince = void 0;
        this.restarts.push({ killedAt, restartedAt });
        const waiting = this.pending;
        this.pending = [];
        for (const p of waiting) p.resolve({ killedAt: p.killedAt, restartedAt });
      },
      () => {
      }
    );
  }
};

// src/backends/local/lab.ts
var DEFAULT_PCHANNELS = 16;
function pchannelNames(clusterId, n) {
  return Array.from({ length: n }, (_, i) => `${clusterId}-rootcoord-dml_${i}`);
}
function clusterDirs(root, id) {
  const base = join4(root, id);
  const d = {
    root: base,
    data: join4(base, "data"),
    state: join4(base, "state"),
    wal: join4(base, "wal"),
    milvusLog: join4(base, "milvus-lite.log")
  };
  for (const p of [d.data, d.state, d.wal]) mkdirSync5(p, { recursive: true });
  return d;
}
async function startLab(opts = {}) {
  const log = opts.log ?? (() => {
  });
  const n = opts.pchannels ?? DEFAULT_PCHANNELS;
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new Error(`startLab: pchannels=${n} is not allowed (an integer from 1 to 256)`);
  }
  const bin = await ensureMilvusLite(log);
  const rand = randomBytes(3).toString("hex");
  const ids = { source: `primary-${rand}`, target: `standby-${rand}` };
  const root = await mkdtemp(join4(tmpdir(), "milvus-cdc-lab-"));
  const dirs = {
    root,
    source: clusterDirs(root, ids.source),
    target: clusterDirs(root, ids.target),
    replicatorLog: join4(root, "replicator.log")
  };
  const processes = [];
  const fronts = [];
  let supervisor = null;
  let stopping = null;
  const cleanup = async () => {
    for (const sig of ["SIGINT", "SIGTERM"]) process.off(sig, onSignal);
    await supervisor?.stop().catch((e) => log(`replicator stop: ${e.message}`));
    await Promise.all(fronts.map((f) => f.stop().catch(() => {
    })));
    await Promise.all(processes.map((p) => p.stop().catch(() => {
    })));
    if (!opts.keep) await rm(root, { recursive: true, force: true }).catch(() => {
    });
  };
  const stop = () => {
    stopping ??= cleanup().then(() => {
      if (opts.keep) log(`Lab files kept in ${root}`);
    });
    return stopping;
  };
  const checkStopped = () => {
    if (stopping) throw new Error("the lab was stopped while it was starting");
  };
  const onSignal = (sig) => {
    const alone = process.listenerCount(sig) === 1;
    void stop().then(() => {
      if (alone) process.kill(process.pid, sig);
    });
  };
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, onSignal);
  try {
    const started = await Promise.all(
      ["source", "target"].map(
        (side) => MilvusLiteProcess.start({
          bin,
          dataDir: dirs[side].data,
          logFile: dirs[side].milvusLog,
          readyTimeoutMs: opts.readyTimeoutMs
        }).then((p) => {
          processes.push(p);
          return p;
        })
      )
    );
    checkStopped();
    const [srcLite, tgtLite] = started;
    const startSupervisor = async (config) => {
      const src = config.clusters.find((c) => c.cluster_id === ids.source);
      const edge = config.cross_cluster_topology.find((t) => t.source_cluster_id === ids.source);
      const tgt = config.clusters.find((c) => c.cluster_id === edge?.target_cluster_id);
      if (!src || !tgt) throw new Error("replicate configuration names no target for the source");
      await supervisor?.stop();
      supervisor = new ReplicatorSupervisor({
        walDir: dirs.source.wal,
        source: { clusterId: src.cluster_id, pchannels: src.pchannels },
        target: {
          clusterId: tgt.cluster_id,
          uri: tgt.connection_param.uri,
          token: tgt.connection_param.token || void 0,
          pchannels: tgt.pchannels
        },
        faultMode: opts.faultMode ?? "none",
        faultEvery: opts.faultEvery ?? 0,
        restartDelayMs: opts.restartDelayMs ?? 0,
        logFile: dirs.replicatorLog
      });
      await supervisor.start();
      log(`Replicator started (pid ${supervisor.pid}, fault mode ${opts.faultMode ?? "none"})`);
    };
    const frontOf = (side, lite) => Front.start({
      clusterId: ids[side],
      pchannels: pchannelNames(ids[side], n),
      backendAddress: lite.address,
      stateDir: dirs[side].state,
      walDir: dirs[side].wal,
      token: opts.token,
      log,
      onSourceConfigured: side === "source" ? startSupervisor : void 0
    }).then((f) => {
      fronts.push(f);
      return f;
    });
    const srcFront = await frontOf("source", srcLite);
    const tgtFront = await frontOf("target", tgtLite);
    const endpoint = (f) => ({
      clusterId: f.clusterId,
      uri: f.uri,
      token: opts.token,
      replicateUri: f.uri,
      pchannels: [...f.pchannels]
    });
    checkStopped();
    const source = endpoint(srcFront);
    const target = endpoint(tgtFront);
    log(`Lab up: source ${source.clusterId} at ${source.uri}, target ${target.clusterId} at ${target.uri}`);
    if (opts.replicate) await configureReplication({ source, target }, { timeoutMs: 6e4, log });
    const lab = {
      source,
      target,
      dirs,
      fronts: { source: srcFront, target: tgtFront },
      async killReplicator() {
        if (!supervisor)
          throw new Error("killReplicator: no replicator is running (replication not configured)");
        const r = await supervisor.kill();
        return { ...r, pid: supervisor.pid };
      },
      get restarts() {
        return supervisor?.restarts ?? [];
      },
      get replicatorPid() {
        return supervisor?.pid;
      },
      pids() {
        const out = [];
        for (const p of processes) {
          if (p.pid !== void 0) out.push(p.pid);
          if (p.watchdogPid !== void 0) out.push(p.watchdogPid);
        }
        if (supervisor?.pid !== void 0) out.push(supervisor.pid);
        return out;
      },
      ports() {
        const port = (u) => Number(u.split(":").pop());
        return [port(srcFront.uri), port(tgtFront.uri), ...processes.map((p) => port(p.address))];
      },
      walSizes: () => srcFront.walSizes(),
      stop
    };
    return lab;
  } catch (e) {
    await stop();
    await cleanup();
    throw e;
  }
}

// src/backends/local/backend.ts
var LocalBackend = class {
  constructor(opts) {
    this.opts = opts;
    this.info.details.faultMode = opts.faultMode ?? "none";
  }
  info = {
    name: "local",
    details: {
      engine: `milvus-lite ${MILVUS_LITE_VERSION} (pymilvus ${PYMILVUS_VERSION})`,
      replicator: "reference replicator (milvus-cdc-drill)"
    }
  };
  faults = ["kill-cdc"];
  lab;
  async provision(signal) {
    signal?.throwIfAborted();
    const { log, ...rest } = this.opts;
    this.lab = await startLab({ ...rest, replicate: false, log: (m) => log.info(m) });
    if (signal?.aborted) {
      await this.teardown();
      signal.throwIfAborted();
    }
    return { source: this.lab.source, target: this.lab.target };
  }
  async inject(fault) {
    if (!this.lab) throw new Error(`inject(${fault}): the local backend is not provisioned`);
    if (fault !== "kill-cdc") {
      throw new Error(
        `inject: fault '${fault}' is not supported by the local backend (allowed: ${this.faults.join(", ")})`
      );
    }
    const r = await this.lab.killReplicator();
    return {
      injectedAt: r.killedAt,
      restoredAt: r.restartedAt,
      killedAt: r.killedAt,
      restartedAt: r.restartedAt,
      pid: r.pid
    };
  }
  async collectDiagnostics(dir) {
    const lab = this.lab;
    if (!lab) return [];
    const written = [];
    try {
      await mkdir(dir, { recursive: true });
      const copies = [
        [lab.dirs.source.milvusLog, "source-milvus-lite.log"],
        [lab.dirs.target.milvusLog, "target-milvus-lite.log"],
        [lab.dirs.replicatorLog, "replicator.log"],
        [join5(lab.dirs.source.state, "replicate-config.json"), "source-replicate-config.json"],
        [join5(lab.dirs.target.state, "replicate-config.json"), "target-replicate-config.json"],
        [join5(lab.dirs.source.state, "channels.json"), "source-channels.json"],
        [join5(lab.dirs.target.state, "channels.json"), "target-channels.json"]
      ];
      for (const [from, name] of copies) {
        const to = join5(dir, name);
        if (await copyFile(from, to).then(
          () => true,
          () => false
        ))
          written.push(to);
      }
      const state = {
        source: lab.source.clusterId,
        target: lab.target.clusterId,
        walSizes: lab.walSizes(),
        walFiles: await readdir(lab.dirs.source.wal).catch(() => []),
        checkpoints: lab.fronts.target.checkpointList(),
        replicatorPid: lab.replicatorPid ?? null,
        restarts: lab.restarts
      };
      const stateFile = join5(dir, "local-lab-state.json");
      await writeFile(stateFile, `${JSON.stringify(state, null, 2)}
`);
      written.push(stateFile);
    } catch (e) {
      this.opts.log.warn(`collecting local diagnostics: ${e.message}`);
    }
    return written;
  }
  async teardown() {
    const lab = this.lab;
    this.lab = void 0;
    await lab?.stop().catch((e) => this.opts.log.warn(`local teardown: ${e.message}`));
  }
};
export {
  LocalBackend
};
