import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  configureReplication
} from "./chunk-QHN2IWLS.js";
import "./chunk-FE5CAR44.js";
import {
  freePort
} from "./chunk-ATWVWLQA.js";
import {
  ANNOUNCE_METHOD,
  GENERATION_ENV,
  OPTIONS_ENV,
  TimeTickAllocator,
  WalWriter,
  parseReplicatorOptions
} from "./chunk-VCKBEZ23.js";
import {
  MILVUS_SERVICE,
  decode,
  decodeRequest,
  decodeResponse,
  encode,
  encodeRequest,
  encodeResponse,
  milvusMethods,
  responseStatus,
  statusResponse
} from "./chunk-7BZWHGNN.js";
import {
  isSuccess,
  require_src2 as require_src
} from "./chunk-UXO2L5LN.js";
import {
  MILVUS_LITE_VERSION,
  PYMILVUS_VERSION,
  ensureMilvusLite
} from "./chunk-Q6667EWZ.js";
import "./chunk-TEO4V65Y.js";
import "./chunk-TXPUYXQ7.js";
import {
  __toESM
} from "./chunk-XXWGZQIE.js";

// src/backends/local/backend.ts
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { join as join9 } from "node:path";

// src/backends/local/lab.ts
import { randomBytes } from "node:crypto";
import { mkdirSync as mkdirSync4 } from "node:fs";
import { mkdtemp, rm as rm2 } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join8 } from "node:path";

// src/backends/local/front.ts
var grpc4 = __toESM(require_src(), 1);

// src/backends/local/auto-id.ts
function autoIdOf(schemaBytes) {
  if (!schemaBytes || schemaBytes.length === 0) return void 0;
  const schema = decode("schema.CollectionSchema", schemaBytes);
  const pk = (schema.fields ?? []).find((f) => f.is_primary_key);
  if (!pk?.name || !(pk.autoID || schema.autoID)) return void 0;
  return { name: pk.name, isString: pk.data_type === "VarChar" };
}
function withoutAutoId(req) {
  const schema = decode(
    "schema.CollectionSchema",
    req.schema
  );
  schema.autoID = false;
  for (const f of schema.fields ?? []) f.autoID = false;
  return encodeRequest("CreateCollection", {
    ...req,
    schema: encode("schema.CollectionSchema", schema)
  });
}
var IdAllocator = class {
  last = 0n;
  /** `n` consecutive ids. */
  next(n) {
    const physical = BigInt(Date.now()) << 18n;
    const first = physical > this.last ? physical : this.last + 1n;
    this.last = first + BigInt(n) - 1n;
    return Array.from({ length: n }, (_, i) => first + BigInt(i));
  }
};
function carriesField(req, field) {
  return (req.fields_data ?? []).some((f) => f.field_name === field);
}
function withIds(request, field, ids) {
  const values = ids.map(String);
  const column = field.isString ? { type: "VarChar", field_name: field.name, scalars: { string_data: { data: values } } } : { type: "Int64", field_name: field.name, scalars: { long_data: { data: values } } };
  return Buffer.concat([request, encodeRequest("Insert", { fields_data: [column] })]);
}
function describedAsAutoId(response, field) {
  const res = decodeResponse(
    "DescribeCollection",
    response
  );
  if (!res.schema) return response;
  res.schema.autoID = true;
  for (const f of res.schema.fields ?? []) if (f.name === field) f.autoID = true;
  return encodeResponse("DescribeCollection", res);
}

// src/backends/local/channel-map.ts
import { join } from "node:path";

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
  "DropRowPolicy",
  // Kept by the front (resource-groups.ts), not Milvus Lite; replicated like the rest.
  "CreateResourceGroup",
  "DropResourceGroup",
  "UpdateResourceGroups"
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

// src/backends/local/channel-map.ts
var ChannelMap = class {
  constructor(channelCount, stateDir) {
    this.channelCount = channelCount;
    this.file = join(stateDir, "channels.json");
  }
  state = { collections: {}, aliases: {} };
  saving = Promise.resolve();
  /** Creations in flight per channel, so concurrent creations spread out. */
  pending = /* @__PURE__ */ new Map();
  file;
  async load() {
    this.state = await readJson(this.file) ?? { collections: {}, aliases: {} };
  }
  /** The collection a name (or alias) stands for. */
  realName(db, name) {
    return this.state.aliases[db]?.[name] ?? name;
  }
  /** The auto-id primary key of a collection (by name or alias), if it has one. */
  autoIdOf(db, name) {
    return this.state.autoIds?.[db]?.[this.realName(db, name)];
  }
  /** What of a collection is loaded: "all", some partitions, or undefined (NotLoad). */
  loadedOf(db, name) {
    return this.state.loaded?.[db]?.[this.realName(db, name)];
  }
  channelOf(db, name) {
    return this.state.collections[db]?.[this.realName(db, name)];
  }
  /** The least-used channel (collections already there plus creations in flight). */
  pickChannel() {
    const use = new Array(this.channelCount).fill(0);
    for (const db of Object.values(this.state.collections))
      for (const ch of Object.values(db)) use[ch] = (use[ch] ?? 0) + 1;
    for (const [ch, n] of this.pending) use[ch] = (use[ch] ?? 0) + n;
    let best = 0;
    for (let i = 1; i < use.length; i++) if ((use[i] ?? 0) < (use[best] ?? 0)) best = i;
    return best;
  }
  /**
   * What a mutation touches and how it changes the map. `forced` = the channel a replicated message came
   * on. A CreateCollection plan reserves its channel until release() is called with it.
   */
  plan(method, req, db, forced) {
    const s = this.state;
    const str = (k) => typeof req[k] === "string" ? req[k] : "";
    const realName = (n) => this.realName(db, n);
    const at = (ch, collection, effect) => {
      const c = forced ?? ch ?? 0;
      return { channels: [c], channel: c, collection, effect };
    };
    const setColl = (name, ch) => {
      s.collections[db] ??= {};
      s.collections[db][name] = ch;
      const auto = autoIdOf(req.schema);
      if (auto) {
        s.autoIds ??= {};
        s.autoIds[db] ??= {};
        s.autoIds[db][name] = auto;
      }
    };
    const setLoaded = (name, v) => {
      s.loaded ??= {};
      s.loaded[db] ??= {};
      if (v === void 0 || Array.isArray(v) && v.length === 0) delete s.loaded[db][name];
      else s.loaded[db][name] = v;
    };
    const dropColl = (name) => {
      delete s.collections[db]?.[name];
      delete s.autoIds?.[db]?.[name];
      delete s.loaded?.[db]?.[name];
      const aliases = s.aliases[db] ?? {};
      for (const [a, c] of Object.entries(aliases)) if (c === name) delete aliases[a];
    };
    switch (method) {
      case "CreateCollection": {
        const name = str("collection_name");
        const ch = forced ?? this.pickChannel();
        if (forced === void 0) this.pending.set(ch, (this.pending.get(ch) ?? 0) + 1);
        return at(ch, name, () => setColl(name, ch));
      }
      case "DropCollection": {
        const name = realName(str("collection_name"));
        return at(this.channelOf(db, name), name, () => dropColl(name));
      }
      case "RenameCollection": {
        const oldName = realName(str("oldName"));
        const newName = str("newName");
        const newDb = str("newDBName") || db;
        const ch = this.channelOf(db, oldName);
        return at(ch, oldName, () => {
          const c = s.collections[db]?.[oldName] ?? forced ?? 0;
          delete s.collections[db]?.[oldName];
          s.collections[newDb] ??= {};
          s.collections[newDb][newName] = c;
          const loaded = s.loaded?.[db]?.[oldName];
          if (loaded && s.loaded) {
            delete s.loaded[db]?.[oldName];
            s.loaded[newDb] ??= {};
            s.loaded[newDb][newName] = loaded;
          }
          const auto = s.autoIds?.[db]?.[oldName];
          if (auto && s.autoIds) {
            delete s.autoIds[db]?.[oldName];
            s.autoIds[newDb] ??= {};
            s.autoIds[newDb][newName] = auto;
          }
        });
      }
      case "CreateAlias":
      case "AlterAlias": {
        const coll = realName(str("collection_name"));
        const alias = str("alias");
        return at(this.channelOf(db, coll), coll, () => {
          s.aliases[db] ??= {};
          s.aliases[db][alias] = coll;
        });
      }
      case "DropAlias": {
        const alias = str("alias");
        const coll = s.aliases[db]?.[alias] ?? "";
        return at(this.channelOf(db, coll), coll, () => {
          delete s.aliases[db]?.[alias];
        });
      }
      case "Flush": {
        const names = (req.collection_names ?? []).map(realName);
        const chans = [...new Set(names.map((n) => this.channelOf(db, n) ?? 0))];
        const first = forced ?? chans[0] ?? 0;
        return {
          channels: forced !== void 0 ? [forced] : chans.length ? chans : [0],
          channel: first,
          collection: names[0] ?? ""
        };
      }
      case "DropDatabase":
        return at(0, "", () => {
          delete s.collections[db];
          delete s.aliases[db];
          delete s.autoIds?.[db];
          delete s.loaded?.[db];
        });
    }
    if (COLLECTION_SCOPED_METHODS.has(method)) {
      const name = realName(str("collection_name"));
      const parts = req.partition_names ?? [];
      const loadEffect = {
        LoadCollection: () => setLoaded(name, "all"),
        ReleaseCollection: () => setLoaded(name, void 0),
        LoadPartitions: () => {
          const was = s.loaded?.[db]?.[name];
          if (was !== "all") setLoaded(name, [.../* @__PURE__ */ new Set([...was ?? [], ...parts])]);
        },
        // Releasing from a fully loaded collection: the caller passes what stays loaded (`remaining`).
        ReleasePartitions: () => setLoaded(name, req.remaining_partitions ?? []),
        DropPartition: () => {
          const was = s.loaded?.[db]?.[name];
          if (Array.isArray(was))
            setLoaded(
              name,
              was.filter((p) => p !== str("partition_name"))
            );
        }
      };
      return at(this.channelOf(db, name), name, loadEffect[method]);
    }
    if (CLUSTER_SCOPED_METHODS.has(method)) return at(0, "");
    return at(0, "");
  }
  /** Ends a client CreateCollection's reservation of its channel (whatever its outcome). */
  release(method, plan, forced) {
    if (method !== "CreateCollection" || forced !== void 0) return;
    const n = (this.pending.get(plan.channel) ?? 1) - 1;
    if (n > 0) this.pending.set(plan.channel, n);
    else this.pending.delete(plan.channel);
  }
  /** Applies a succeeded mutation's change to the map and makes it durable. */
  async commit(plan) {
    if (!plan.effect) return;
    plan.effect();
    await this.persist();
  }
  persist() {
    this.saving = this.saving.then(() => writeJsonAtomic(this.file, this.state));
    return this.saving;
  }
  /** Resolves once every pending write is on disk. */
  flushed() {
    return this.saving.catch(() => {
    });
  }
};

// src/backends/local/checkpoints.ts
import { rm } from "node:fs/promises";
import { join as join2 } from "node:path";
var CheckpointStore = class {
  constructor(pchannels, stateDir) {
    this.pchannels = pchannels;
    this.stateDir = stateDir;
  }
  byChannel = /* @__PURE__ */ new Map();
  file(pchannel) {
    return join2(this.stateDir, "checkpoints", `${pchannel}.json`);
  }
  async load() {
    for (const p of this.pchannels) {
      const cp = await readJson(this.file(p));
      if (cp) this.byChannel.set(p, cp);
    }
  }
  /** The checkpoint of this cluster's `pchannel`, when it came from `sourceClusterId`. */
  get(pchannel, sourceClusterId) {
    const cp = this.byChannel.get(pchannel);
    return cp && cp.cluster_id === sourceClusterId ? cp : void 0;
  }
  async set(pchannel, cp) {
    await writeJsonAtomic(this.file(pchannel), cp);
    this.byChannel.set(pchannel, cp);
  }
  /** Forgets every checkpoint (on disk too): the cluster no longer replicates from anyone. */
  async clear() {
    for (const p of [...this.byChannel.keys()]) await rm(this.file(p), { force: true });
    this.byChannel.clear();
  }
  list() {
    return [...this.byChannel.values()];
  }
};

// src/backends/local/config-store.ts
import { createHash } from "node:crypto";
import { join as join3 } from "node:path";

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

// src/backends/local/force-promote.ts
var FORCE_PROMOTE_NOT_EMPTY = "force promote requires empty cluster and topology fields; it promotes the cluster to primary automatically";
var FORCE_PROMOTE_ON_PRIMARY = "force promote can only be used on secondary clusters, current cluster is primary";
var FORCE_PROMOTE_NO_CONFIG = "force promote requires existing replicate configuration; current cluster has no configuration";
var forcePromoteClusterCount = (n) => `force promote requires configuration with exactly one cluster (current cluster only), got ${n} clusters`;
var forcePromoteOtherCluster = (current, got) => `force promote requires configuration with only current cluster ${current}, got cluster ${got}`;
var forcePromoteTopology = (n) => `force promote requires configuration with no topology (single primary cluster), got ${n} topology edges`;
function decideForcePromote(incomingRaw, current, clusterId, role, rules = {}) {
  const incoming = normalizeConfig(incomingRaw);
  if ((rules.shapes ?? "either") === "either" && incoming.clusters.length > 0)
    return decideCurrentCluster(incoming, current, clusterId, role, rules.pchannels);
  return decideEmpty(incoming, current, clusterId, role);
}
function decideEmpty(incoming, current, clusterId, role) {
  if (incoming.clusters.length > 0 || incoming.cross_cluster_topology.length > 0)
    return { ok: false, error: FORCE_PROMOTE_NOT_EMPTY };
  if (role === "primary") return { ok: false, error: FORCE_PROMOTE_ON_PRIMARY };
  if (!current) return { ok: false, error: FORCE_PROMOTE_NO_CONFIG };
  const self = normalizeConfig(current).clusters.find((c) => c.cluster_id === clusterId);
  if (!self)
    return {
      ok: false,
      error: `force promote requires current cluster in existing configuration; cluster ${clusterId} not found in config`
    };
  const config = { clusters: [self], cross_cluster_topology: [] };
  const unchanged = JSON.stringify(normalizeConfig(current)) === JSON.stringify(config);
  return { ok: true, config, unchanged };
}
function decideCurrentCluster(incoming, current, clusterId, role, pchannels) {
  if (current !== null && JSON.stringify(normalizeConfig(current)) === JSON.stringify(incoming))
    return { ok: true, config: incoming, unchanged: true };
  if (pchannels) {
    const err = validateReplicateConfig(incoming, current, clusterId, pchannels);
    if (err) return { ok: false, error: err };
  }
  if (role === "primary") return { ok: false, error: FORCE_PROMOTE_ON_PRIMARY };
  if (incoming.clusters.length !== 1)
    return { ok: false, error: forcePromoteClusterCount(incoming.clusters.length) };
  const got = incoming.clusters[0]?.cluster_id ?? "";
  if (got !== clusterId) return { ok: false, error: forcePromoteOtherCluster(clusterId, got) };
  if (incoming.cross_cluster_topology.length > 0)
    return { ok: false, error: forcePromoteTopology(incoming.cross_cluster_topology.length) };
  return { ok: true, config: incoming, unchanged: false };
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

// src/backends/local/config-store.ts
var ConfigStore = class {
  constructor(clusterId, pchannels, stateDir, forcePromoteShapes = "either") {
    this.clusterId = clusterId;
    this.pchannels = pchannels;
    this.forcePromoteShapes = forcePromoteShapes;
    this.file = join3(stateDir, "replicate-config.json");
  }
  current = null;
  waiters = /* @__PURE__ */ new Set();
  lock = new KeyedMutex();
  file;
  async load() {
    const cfg = await readJson(this.file);
    this.current = cfg ? normalizeConfig(cfg) : null;
  }
  get config() {
    return this.current;
  }
  get role() {
    return roleOf(this.current, this.clusterId);
  }
  /** As GetReplicateConfiguration answers it: tokens blanked. */
  sanitized() {
    return this.current ? sanitizeConfig(this.current) : {};
  }
  /** Milvus's refusal of `raw` as the next configuration, or null. */
  validate(raw) {
    return validateReplicateConfig(raw, this.current, this.clusterId, this.pchannels);
  }
  /**
   * Resolves true once the configuration in force equals `want` (tokens aside: they are never
   * announced), false when `timeoutMs` passes first.
   */
  waitUntilSame(want, timeoutMs) {
    const same = () => this.current !== null && sameConfig(sanitizeConfig(this.current), sanitizeConfig(want));
    if (same()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!same()) return;
        done(true);
      };
      const done = (v) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(check);
    });
  }
  /**
   * UpdateReplicateConfiguration. `whileLocked` runs after the new configuration is saved and before the
   * next update may start (the lab moves its replicators there); its throw is the caller's to report.
   */
  update(raw, whileLocked) {
    return this.lock.run(["config"], async () => {
      const incoming = normalizeConfig(raw);
      if (this.current && sameConfig(incoming, this.current)) {
        return { ok: true, changed: false, previous: this.current, config: this.current };
      }
      const err = validateReplicateConfig(raw, this.current, this.clusterId, this.pchannels);
      if (err) return { ok: false, reason: err };
      const previous = this.current;
      await this.save(incoming);
      const u = { ok: true, changed: true, previous, config: incoming };
      await whileLocked?.(u);
      return u;
    });
  }
  /**
   * Force promote (failover): a secondary drops every replication edge and becomes a standalone primary,
   * keeping only itself in the configuration, with Milvus's rules and texts (force-promote.ts).
   * `request` is the configuration the client sent alongside force_promote.
   */
  forcePromote(request, whileLocked) {
    return this.lock.run(["config"], async () => {
      const d = decideForcePromote(request, this.current, this.clusterId, this.role, {
        shapes: this.forcePromoteShapes,
        pchannels: this.pchannels
      });
      if (!d.ok) return { ok: false, reason: d.error };
      const previous = this.current;
      if (d.unchanged && previous) return { ok: true, changed: false, previous, config: previous };
      await this.save(d.config);
      const u = { ok: true, changed: true, previous, config: d.config };
      await whileLocked?.(u);
      return u;
    });
  }
  async save(config) {
    const onDisk = {
      ...sanitizeConfig(config),
      token_sha256: Object.fromEntries(
        config.clusters.map((c) => [
          c.cluster_id,
          c.connection_param.token ? createHash("sha256").update(c.connection_param.token).digest("hex") : ""
        ])
      )
    };
    await writeJsonAtomic(this.file, onDisk);
    this.current = config;
    for (const w of [...this.waiters]) w();
  }
};

// src/backends/local/duplicates.ts
var IN_LIST_MAX = 5e3;
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
  /**
   * before() for a run of Inserts into one collection applied back to back with nothing else in
   * between: one Query for the keys of all of them instead of one per Insert (the cost that made a
   * replicated backlog of small inserts twice as slow to apply as the inserts themselves). A key is
   * present for an Insert if it was before the run or an earlier Insert of the run wrote it. The
   * recorders are for the Inserts in order; call each only once its Insert succeeded.
   */
  async beforeInserts(requests, db, collection) {
    const pk = await this.pkOf(db, collection);
    if (!pk) return requests.map(() => void 0);
    const keysPer = requests.map(
      (r) => new Set(pkValues(decodeRequest("Insert", r).fields_data, pk.name))
    );
    const all = [...new Set(keysPer.flatMap((k2) => [...k2]))];
    const present = /* @__PURE__ */ new Set();
    for (let i = 0; i < all.length; i += IN_LIST_MAX) {
      const chunk = all.slice(i, i + IN_LIST_MAX);
      const expr = `${pk.name} in [${chunk.map((v) => this.literal(pk, v)).join(",")}]`;
      for (const v of await this.existing(db, collection, pk, expr)) present.add(v);
    }
    const k = this.key(db, collection);
    return keysPer.map((keys) => {
      const dup = [...keys].filter((v) => present.has(v));
      for (const v of keys) present.add(v);
      if (dup.length === 0) return void 0;
      return () => {
        const m = this.extra.get(k) ?? /* @__PURE__ */ new Map();
        for (const v of dup) m.set(v, (m.get(v) ?? 0) + 1);
        this.extra.set(k, m);
      };
    });
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

// src/backends/local/front-errors.ts
var grpc = __toESM(require_src(), 1);
var REPLICATE_VIOLATION_REASON = "code: STREAMING_CODE_REPLICATE_VIOLATION, cause: non-replicate message cannot be received in secondary role";
var MILVUS_UNEXPECTED_CODE = 65535;
function milvusStatus(code, reason, errorCode = "UnexpectedError") {
  return { error_code: errorCode, code, reason };
}
var FrontError = class extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
};
function toServiceError(e) {
  if (e instanceof FrontError) return { code: e.code, details: e.message };
  const se = e;
  if (typeof se?.code === "number")
    return { code: se.code, details: se.details ?? se.message, metadata: se.metadata };
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}

// src/backends/local/rbac.ts
import { join as join4 } from "node:path";
var BUILTIN_USERS = ["root"];
var BUILTIN_ROLES = ["admin", "public"];
var RBAC_WRITES = /* @__PURE__ */ new Set([
  "CreateCredential",
  "UpdateCredential",
  "DeleteCredential",
  "CreateRole",
  "DropRole",
  "OperateUserRole",
  "OperatePrivilege",
  "OperatePrivilegeV2",
  "CreatePrivilegeGroup",
  "DropPrivilegeGroup",
  "OperatePrivilegeGroup"
]);
var RBAC_READS = /* @__PURE__ */ new Set([
  "ListCredUsers",
  "SelectRole",
  "SelectUser",
  "SelectGrant",
  "ListPrivilegeGroups"
]);
function walPayload(method, body) {
  if (method !== "CreateCredential" && method !== "UpdateCredential") return body;
  const req = decodeRequest(method, body);
  for (const k of ["password", "oldPassword", "newPassword"]) if (k in req) req[k] = "";
  return encodeRequest(method, req);
}
var ok = (method) => statusResponse(method, {});
var refuse = (method, code, reason) => statusResponse(method, milvusStatus(code, reason));
var Rbac = class {
  s = { users: [], roles: [], userRoles: {}, grants: [], groups: {} };
  file;
  constructor(stateDir) {
    this.file = join4(stateDir, "rbac.json");
  }
  async load() {
    const saved = await readJson(this.file);
    if (saved) this.s = saved;
  }
  /** Calls answered here directly; the writes go through the WAL first (lite-apply.ts). */
  static answers(method) {
    return RBAC_READS.has(method);
  }
  users() {
    return [...BUILTIN_USERS, ...this.s.users];
  }
  roles() {
    return [...BUILTIN_ROLES, ...this.s.roles];
  }
  save() {
    return writeJsonAtomic(this.file, this.s);
  }
  async call(method, body) {
    const req = decodeRequest(method, body);
    switch (method) {
      case "ListCredUsers":
        return encodeResponse(method, { status: {}, usernames: this.users() });
      case "CreateCredential": {
        const name = String(req.username ?? "");
        if (!name) return refuse(method, 1100, "username should not be empty: invalid parameter");
        if (this.users().includes(name)) return refuse(method, 65535, `user already exists: ${name}`);
        this.s.users.push(name);
        await this.save();
        return ok(method);
      }
      case "UpdateCredential": {
        const name = String(req.username ?? "");
        if (!this.users().includes(name)) return refuse(method, 65535, `user not found: ${name}`);
        return ok(method);
      }
      case "DeleteCredential": {
        const name = String(req.username ?? "");
        if (name === "root") return refuse(method, 1100, "user root cannot be deleted: invalid parameter");
        this.s.users = this.s.users.filter((u) => u !== name);
        delete this.s.userRoles[name];
        await this.save();
        return ok(method);
      }
      case "CreateRole": {
        const name = String(req.entity?.name ?? "");
        if (!name) return refuse(method, 1100, "role name should not be empty: invalid parameter");
        if (this.roles().includes(name)) return refuse(method, 65535, `role [name:"${name}"] already exists`);
        this.s.roles.push(name);
        await this.save();
        return ok(method);
      }
      case "DropRole": {
        const name = String(req.role_name ?? "");
        if (BUILTIN_ROLES.includes(name))
          return refuse(
            method,
            1100,
            `the role[${name}] is a default role, which can't be dropped: invalid parameter`
          );
        if (!this.s.roles.includes(name))
          return refuse(
            method,
            65535,
            `not found the role, maybe the role isn't existed or internal system error`
          );
        this.s.roles = this.s.roles.filter((r) => r !== name);
        for (const u of Object.keys(this.s.userRoles))
          this.s.userRoles[u] = (this.s.userRoles[u] ?? []).filter((r) => r !== name);
        this.s.grants = this.s.grants.filter((g) => g.role !== name);
        await this.save();
        return ok(method);
      }
      case "OperateUserRole": {
        const user = String(req.username ?? "");
        const role = String(req.role_name ?? "");
        if (!this.users().includes(user))
          return refuse(method, 65535, `not found the user, username: ${user}`);
        if (!this.roles().includes(role))
          return refuse(method, 65535, `not found the role, role name: ${role}`);
        const had = this.s.userRoles[user] ?? [];
        const remove = req.type === "RemoveUserFromRole";
        this.s.userRoles[user] = remove ? had.filter((r) => r !== role) : [.../* @__PURE__ */ new Set([...had, role])];
        await this.save();
        return ok(method);
      }
      case "SelectRole": {
        const want = req.role?.name;
        const names = want ? this.roles().filter((r) => r === want) : this.roles();
        const withUsers = req.include_user_info === true;
        return encodeResponse(method, {
          status: {},
          results: names.map((r) => ({
            role: { name: r },
            users: withUsers ? Object.entries(this.s.userRoles).filter(([, rs]) => rs.includes(r)).map(([u]) => ({ name: u })) : []
          }))
        });
      }
      case "SelectUser": {
        const want = req.user?.name;
        const names = want ? this.users().filter((u) => u === want) : this.users();
        const withRoles = req.include_role_info === true;
        return encodeResponse(method, {
          status: {},
          results: names.map((u) => ({
            user: { name: u },
            roles: withRoles ? (this.s.userRoles[u] ?? []).map((r) => ({ name: r })) : []
          }))
        });
      }
      case "OperatePrivilege":
      case "OperatePrivilegeV2": {
        const g = method === "OperatePrivilege" ? grantOf(req) : grantOfV2(req);
        if (!this.roles().includes(g.role))
          return refuse(method, 65535, `not found the role, role name: ${g.role}`);
        if (!g.privilege)
          return refuse(method, 1100, "privilege name should not be empty: invalid parameter");
        const same = (x) => x.role === g.role && x.objectType === g.objectType && x.objectName === g.objectName && x.db === g.db && x.privilege === g.privilege;
        if (req.type === "Revoke") this.s.grants = this.s.grants.filter((x) => !same(x));
        else if (!this.s.grants.some(same)) this.s.grants.push(g);
        await this.save();
        return ok(method);
      }
      case "SelectGrant": {
        const e = req.entity ?? {};
        const role = e.role?.name ?? "";
        const entities = this.s.grants.filter(
          (g) => g.role === role && (!e.object?.name || g.objectType === e.object.name) && (!e.object_name || g.objectName === e.object_name) && (!e.db_name || g.db === e.db_name)
        ).map((g) => ({
          role: { name: g.role },
          object: { name: g.objectType },
          object_name: g.objectName,
          db_name: g.db,
          grantor: { user: { name: g.grantor }, privilege: { name: g.privilege } }
        }));
        return encodeResponse(method, { status: {}, entities });
      }
      case "CreatePrivilegeGroup": {
        const name = String(req.group_name ?? "");
        if (!name) return refuse(method, 1100, "privilege group name should not be empty: invalid parameter");
        if (name in this.s.groups) return refuse(method, 65535, `privilege group [${name}] already exists`);
        this.s.groups[name] = [];
        await this.save();
        return ok(method);
      }
      case "DropPrivilegeGroup": {
        const name = String(req.group_name ?? "");
        delete this.s.groups[name];
        await this.save();
        return ok(method);
      }
      case "ListPrivilegeGroups":
        return encodeResponse(method, {
          status: {},
          privilege_groups: Object.entries(this.s.groups).map(([group_name, ps]) => ({
            group_name,
            privileges: ps.map((name) => ({ name }))
          }))
        });
      case "OperatePrivilegeGroup": {
        const name = String(req.group_name ?? "");
        const had = this.s.groups[name];
        if (!had) return refuse(method, 65535, `there is no privilege group name [${name}] to operate`);
        const ps = (req.privileges ?? []).map((p) => p.name ?? "");
        this.s.groups[name] = req.type === "RemovePrivilegesFromGroup" ? had.filter((p) => !ps.includes(p)) : [.../* @__PURE__ */ new Set([...had, ...ps])];
        await this.save();
        return ok(method);
      }
      default:
        return refuse(method, 65535, `${method} is not supported by the local backend`);
    }
  }
};
function grantOf(req) {
  const g = req.entity ?? {};
  return {
    role: g.role?.name ?? "",
    objectType: g.object?.name ?? "",
    objectName: g.object_name ?? "",
    db: g.db_name || "default",
    privilege: g.grantor?.privilege?.name ?? "",
    grantor: g.grantor?.user?.name || "root"
  };
}
function grantOfV2(req) {
  const grantor = req.grantor ?? {};
  return {
    role: req.role?.name ?? "",
    objectType: "Collection",
    objectName: String(req.collection_name || "*"),
    db: String(req.db_name || "default"),
    privilege: grantor.privilege?.name ?? "",
    grantor: grantor.user?.name || "root"
  };
}

// src/backends/local/resource-groups.ts
import { join as join5 } from "node:path";
var DEFAULT_RESOURCE_GROUP = "__default_resource_group";
var DEFAULT_CAPACITY = 1e6;
var RESOURCE_GROUP_WRITES = /* @__PURE__ */ new Set([
  "CreateResourceGroup",
  "DropResourceGroup",
  "UpdateResourceGroups"
]);
var READS = /* @__PURE__ */ new Set(["ListResourceGroups", "DescribeResourceGroup"]);
var NO_NODES = /* @__PURE__ */ new Set(["TransferNode", "TransferReplica"]);
var NO_QUERY_NODES_REASON = "the local backend has no query nodes to move between resource groups (Milvus Lite runs as one process); use the kind backend";
function normalized(cfg) {
  return {
    requests: { node_num: Number(cfg?.requests?.node_num ?? 0) },
    limits: { node_num: Number(cfg?.limits?.node_num ?? 0) },
    transfer_from: (cfg?.transfer_from ?? []).map((t) => ({ resource_group: t.resource_group ?? "" })),
    transfer_to: (cfg?.transfer_to ?? []).map((t) => ({ resource_group: t.resource_group ?? "" }))
  };
}
var ResourceGroups = class {
  groups = {};
  file;
  constructor(stateDir) {
    this.file = join5(stateDir, "resource-groups.json");
  }
  async load() {
    this.groups = await readJson(this.file) ?? {};
  }
  /** Calls answered here directly; the writes go through the WAL first (lite-apply.ts). */
  static answers(method) {
    return READS.has(method) || NO_NODES.has(method);
  }
  all() {
    return {
      [DEFAULT_RESOURCE_GROUP]: normalized({
        requests: { node_num: 0 },
        limits: { node_num: DEFAULT_CAPACITY }
      }),
      ...this.groups
    };
  }
  /** Answers one resource-group call (a client's, or a replicated write on the standby). */
  async call(method, request) {
    switch (method) {
      case "ListResourceGroups":
        return encodeResponse(method, { status: {}, resource_groups: Object.keys(this.all()) });
      case "DescribeResourceGroup": {
        const { resource_group: name = "" } = decodeRequest(method, request);
        const cfg = this.all()[name];
        if (!cfg) return statusResponse(method, milvusStatus(300, `resource group not found[rg=${name}]`));
        return encodeResponse(method, {
          status: {},
          resource_group: {
            name,
            capacity: name === DEFAULT_RESOURCE_GROUP ? DEFAULT_CAPACITY : 0,
            num_available_node: 0,
            config: cfg
          }
        });
      }
      case "CreateResourceGroup": {
        const req = decodeRequest(method, request);
        const name = req.resource_group ?? "";
        if (!name)
          return statusResponse(
            method,
            milvusStatus(1802, "missing parameter[resource group name couldn't be empty]")
          );
        const cfg = normalized(req.config);
        const had = this.all()[name];
        if (had) {
          if (JSON.stringify(had) === JSON.stringify(cfg)) return statusResponse(method, {});
          return statusResponse(method, milvusStatus(301, `resource group already exist[rg=${name}]`));
        }
        this.groups[name] = cfg;
        await this.save();
        return statusResponse(method, {});
      }
      case "UpdateResourceGroups": {
        const req = decodeRequest(method, request);
        const updates = Object.entries(req.resource_groups ?? {});
        for (const [name] of updates)
          if (!this.all()[name])
            return statusResponse(method, milvusStatus(300, `resource group not found[rg=${name}]`));
        for (const [name, cfg] of updates) this.groups[name] = normalized(cfg);
        await this.save();
        return statusResponse(method, {});
      }
      case "DropResourceGroup": {
        const { resource_group: name = "" } = decodeRequest(method, request);
        if (name === DEFAULT_RESOURCE_GROUP)
          return statusResponse(
            method,
            milvusStatus(1100, `delete default rg is not permitted: invalid parameter[rg=${name}]`)
          );
        if (!(name in this.groups)) return statusResponse(method, {});
        delete this.groups[name];
        await this.save();
        return statusResponse(method, {});
      }
      default:
        return statusResponse(method, milvusStatus(65535, `${method}: ${NO_QUERY_NODES_REASON}`));
    }
  }
  save() {
    return writeJsonAtomic(this.file, this.groups);
  }
};

// src/backends/local/lite-apply.ts
var LiteApply = class {
  constructor(lite, channels, kept) {
    this.lite = lite;
    this.channels = channels;
    this.kept = kept;
  }
  async apply(method, req, body, db, md, deadline) {
    if (RESOURCE_GROUP_WRITES.has(method)) return this.kept.resourceGroups.call(method, body);
    if (RBAC_WRITES.has(method)) return this.kept.rbac.call(method, body);
    const name = String(req.collection_name ?? "");
    if (method === "CreateIndex") {
      return this.kept.indexTypes.create(body, db, (b) => this.toLite(method, req, b, db, md, deadline));
    }
    if (method === "DropIndex" && await this.kept.indexTypes.dropVirtual(
      db,
      name,
      req.field_name,
      req.index_name
    ))
      return statusResponse(method, {});
    const res = await this.toLite(method, req, body, db, md, deadline);
    if ((method === "DropIndex" || method === "DropCollection") && isSuccess(responseStatus(method, res)))
      await this.kept.indexTypes.dropped(method, db, name, req.field_name);
    return res;
  }
  async toLite(method, req, body, db, md, deadline) {
    const name = String(req.collection_name ?? "");
    const scoped = { db_name: db, collection_name: name };
    switch (method) {
      case "CreateCollection": {
        const auto = autoIdOf(req.schema);
        const res = await this.lite.call(method, auto ? withoutAutoId(req) : body, md, deadline);
        if (!isSuccess(responseStatus(method, res))) return res;
        const released = await this.lite.call(
          "ReleaseCollection",
          encodeRequest("ReleaseCollection", scoped),
          md
        );
        const st = responseStatus("ReleaseCollection", released);
        if (!isSuccess(st))
          return statusResponse(method, {
            error_code: "UnexpectedError",
            code: 65535,
            reason: `collection '${name}' was created, but Milvus Lite could not release it: ${st?.reason}`
          });
        return res;
      }
      case "DropIndex": {
        if (this.channels.loadedOf(db, name) === void 0) {
          const released = await this.lite.call(
            "ReleaseCollection",
            encodeRequest("ReleaseCollection", scoped),
            md
          );
          const st = responseStatus("ReleaseCollection", released);
          if (!isSuccess(st)) return released;
        }
        return this.lite.call(method, body, md, deadline);
      }
      case "LoadPartitions":
        return this.lite.call("LoadCollection", encodeRequest("LoadCollection", scoped), md, deadline);
      case "ReleasePartitions": {
        const names = req.partition_names ?? [];
        const left = (await this.loadedPartitions(db, name, md)).filter((p) => !names.includes(p));
        req.remaining_partitions = left;
        if (left.length > 0) return statusResponse(method, {});
        return this.lite.call("ReleaseCollection", encodeRequest("ReleaseCollection", scoped), md, deadline);
      }
    }
    return this.lite.call(method, body, md, deadline);
  }
  /** The partitions of a collection that are loaded now (all of them after a collection-level load). */
  async loadedPartitions(db, name, md) {
    const loaded = this.channels.loadedOf(db, name);
    if (loaded !== "all") return loaded ?? [];
    return this.partitions(db, name, md);
  }
  async partitions(db, name, md) {
    const res = decodeResponse(
      "ShowPartitions",
      await this.lite.call(
        "ShowPartitions",
        encodeRequest("ShowPartitions", { db_name: db, collection_name: name }),
        md
      )
    );
    return res.partition_names ?? [];
  }
};

// src/backends/local/lite-link.ts
var grpc2 = __toESM(require_src(), 1);
var identity = (b) => b;
var MAX_MESSAGE = 256 * 1024 * 1024;
var HOP_HEADERS = /* @__PURE__ */ new Set(["authorization", "user-agent", "content-type", "te", "host"]);
var LiteLink = class {
  client;
  constructor(address) {
    this.client = new grpc2.Client(address, grpc2.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE,
      "grpc.max_send_message_length": MAX_MESSAGE
    });
  }
  call(method, request, md = new grpc2.Metadata(), deadline) {
    const out = new grpc2.Metadata();
    for (const [k, v] of Object.entries(md.getMap())) {
      if (HOP_HEADERS.has(k) || k.startsWith("grpc-") || k.startsWith(":")) continue;
      out.set(k, v);
    }
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `/${MILVUS_SERVICE}/${method}`,
        identity,
        identity,
        request,
        out,
        deadline !== void 0 && deadline !== Number.POSITIVE_INFINITY ? { deadline } : {},
        (err, res) => {
          if (!err) resolve(res ?? Buffer.alloc(0));
          else if (err.code === grpc2.status.UNIMPLEMENTED)
            reject(
              Object.assign(err, {
                details: `${method} is not supported by the local backend (Milvus Lite does not implement it); use the kind backend`
              })
            );
          else reject(err);
        }
      );
    });
  }
  close() {
    this.client.close();
  }
};
function dbOf(req, md) {
  if (req.db_name) return req.db_name;
  const fromMd = md?.get("dbname")[0];
  return fromMd ? String(fromMd) : "default";
}

// src/backends/local/primary-writes.ts
var PrimaryWrites = class {
  constructor(d) {
    this.d = d;
  }
  tt = new TimeTickAllocator();
  ids = new IdAllocator();
  /** A secondary refuses client writes, unless a planted stale-primary fault keeps it writable. */
  fenced() {
    return this.d.config.role === "secondary" && this.d.staleWhenDemoted !== true;
  }
  async mutate(method, request, md, deadline) {
    const d = this.d;
    if (this.fenced())
      return statusResponse(method, milvusStatus(MILVUS_UNEXPECTED_CODE, REPLICATE_VIOLATION_REASON));
    const cfg = d.config.config;
    if (method === "Import" && cfg && cfg.cross_cluster_topology.length > 0) {
      return statusResponse(
        method,
        milvusStatus(
          65535,
          `import is not supported while replication is configured (cluster '${d.clusterId}' is in a replication topology); remove the replication configuration first`
        )
      );
    }
    const req = decodeRequest(method, request);
    const db = dbOf(req, md);
    let body = request;
    const auto = method === "Insert" ? d.channels.autoIdOf(db, String(req.collection_name ?? "")) : void 0;
    if (auto) {
      if (carriesField(req, auto.name))
        return statusResponse(
          method,
          milvusStatus(
            1100,
            `the primary key field '${auto.name}' of collection '${String(req.collection_name)}' is auto_id: insert rows without it`,
            "IllegalArgument"
          )
        );
      body = withIds(request, auto, this.ids.next(Number(req.num_rows ?? 0)));
    }
    const plan = d.channels.plan(method, req, db);
    try {
      return await d.locks.run(plan.channels, async () => {
        if (this.fenced())
          return statusResponse(method, milvusStatus(MILVUS_UNEXPECTED_CODE, REPLICATE_VIOLATION_REASON));
        const recordDuplicates = await d.dups.before(method, body, db, plan.collection);
        const res = await d.liteApply.apply(method, req, body, db, md, deadline);
        if (!isSuccess(responseStatus(method, res))) return res;
        recordDuplicates?.();
        await d.wal.append(d.pchannels[plan.channel], {
          tt: this.tt.next().toString(),
          method,
          kind: kindOf(method),
          db,
          collection: plan.collection,
          payload: (SECRET_METHODS.has(method) ? walPayload(method, body) : body).toString("base64")
        });
        await d.channels.commit(plan);
        return res;
      });
    } finally {
      d.channels.release(method, plan);
    }
  }
  /** Every channel, for a change that must be ordered against all writes (a switchover's fence). */
  get allChannels() {
    return this.d.pchannels.map((_, i) => i);
  }
  /**
   * Puts a configuration change into every channel's WAL, after every write acknowledged before it, as
   * Milvus broadcasts AlterReplicateConfig: the replicator delivers it to the target last, and the target
   * takes the new configuration once it has come through on all of its channels. Tokens are blanked:
   * the WAL holds no secrets. Call with every channel locked.
   */
  async announce(config) {
    const payload = encodeRequest(ANNOUNCE_METHOD, { replicate_configuration: sanitizeConfig(config) });
    const tt = this.tt.next().toString();
    for (const pch of this.d.pchannels) {
      await this.d.wal.append(pch, {
        tt,
        method: ANNOUNCE_METHOD,
        kind: "ddl",
        db: "",
        collection: "",
        payload: payload.toString("base64")
      });
    }
  }
};

// src/backends/local/replicate-apply.ts
var grpc3 = __toESM(require_src(), 1);
var ReplicateApply = class {
  constructor(d) {
    this.d = d;
  }
  stats = { runs: 0, messages: 0, largestRun: 0 };
  /**
   * Requests in arrival order. Consecutive ones on one channel are applied under one hold of the
   * channel's lock and share one durable checkpoint write (the cost that dominated catching up on a
   * backlog one fsync'd message at a time). Dedup stays per message: each is compared with the newest
   * message applied before it, written or not. The checkpoint covers exactly the messages applied, also
   * when one fails part-way (the failure comes back after the confirmations of those before it), so a
   * replicator that reconnects resumes right after the last message applied: exactly once.
   */
  async applyBatch(bufs) {
    const d = this.d;
    const responses = [];
    const parsed = /* @__PURE__ */ new Map();
    const parseAt = (j) => {
      let m = parsed.get(j);
      if (!m) {
        m = this.parse(bufs[j]);
        parsed.set(j, m);
      }
      return m;
    };
    const recorders = /* @__PURE__ */ new Map();
    let i = 0;
    try {
      while (i < bufs.length) {
        const first = parseAt(i);
        await d.locks.run([first.channel], async () => {
          let newest;
          let confirms = [];
          const persist = async () => {
            if (confirms.length > 0) {
              this.stats.runs++;
              this.stats.messages += confirms.length;
              this.stats.largestRun = Math.max(this.stats.largestRun, confirms.length);
            }
            if (newest) await d.checkpoints.set(newest.targetPch, checkpointOf(newest));
            newest = void 0;
            responses.push(...confirms);
            confirms = [];
          };
          try {
            let m = first;
            while (m) {
              this.requireEdge(m.source);
              const floor = newest && newest.source === m.source ? newest.tt : BigInt(d.checkpoints.get(m.targetPch, m.source)?.time_tick ?? -1);
              if (m.tt <= floor && !m.nodedup) {
                confirms.push(confirmation(m));
              } else if (m.method === ANNOUNCE_METHOD) {
                const announced = decodeRequest(m.method, m.payload);
                await d.onAnnouncement(m.targetPch, normalizeConfig(announced.replicate_configuration));
                newest = m;
                confirms.push(confirmation(m));
                i++;
                return;
              } else {
                if (m.method === "Insert" && !recorders.has(i))
                  await this.prepareInserts(i, floor, parseAt, bufs.length, recorders);
                await this.applyOne(m, recorders.has(i) ? { recorder: recorders.get(i) } : void 0);
                newest = m;
                confirms.push(confirmation(m));
              }
              i++;
              const next = i < bufs.length ? parseAt(i) : void 0;
              m = next && next.channel === first.channel ? next : void 0;
            }
          } finally {
            await persist();
          }
        });
      }
      return { responses };
    } catch (e) {
      return { responses, error: e };
    }
  }
  /** The configuration, when it replicates from `source` to this cluster; refuses the message otherwise. */
  requireEdge(source) {
    const d = this.d;
    const cfg = d.config.config;
    const edge = cfg?.cross_cluster_topology.some(
      (t) => t.source_cluster_id === source && t.target_cluster_id === d.clusterId
    );
    if (!cfg || !edge) {
      throw new FrontError(
        grpc3.status.FAILED_PRECONDITION,
        `cluster '${d.clusterId}' has no replication from source cluster '${source}' configured`
      );
    }
    return cfg;
  }
  parse(buf) {
    const d = this.d;
    const req = decode("milvus.ReplicateRequest", buf);
    const rm3 = req.replicate_message;
    const props = rm3?.message?.properties ?? {};
    const source = rm3?.source_cluster_id ?? "";
    const cfg = this.requireEdge(source);
    const srcPch = props._pch ?? "";
    const srcCluster = cfg.clusters.find((c) => c.cluster_id === source);
    const idx = srcCluster?.pchannels.indexOf(srcPch) ?? -1;
    const selfCluster = cfg.clusters.find((c) => c.cluster_id === d.clusterId);
    const targetPch = idx >= 0 ? selfCluster?.pchannels[idx] : void 0;
    const channel = targetPch === void 0 ? -1 : d.pchannels.indexOf(targetPch);
    if (channel < 0 || targetPch === void 0) {
      throw new FrontError(
        grpc3.status.FAILED_PRECONDITION,
        `pchannel '${srcPch}' is not a pchannel of source cluster '${source}' in the replicate configuration`
      );
    }
    const method = props._method ?? "";
    if (!MUTATING_METHODS.has(method) && method !== ANNOUNCE_METHOD) {
      throw new FrontError(grpc3.status.INVALID_ARGUMENT, `replicated message has unknown method '${method}'`);
    }
    let tt;
    try {
      tt = BigInt(props._tt ?? "");
    } catch {
      throw new FrontError(grpc3.status.INVALID_ARGUMENT, `replicated message has invalid _tt '${props._tt}'`);
    }
    return {
      source,
      srcPch,
      targetPch,
      channel,
      method,
      tt,
      payload: rm3?.message?.payload ?? Buffer.alloc(0),
      db: props._db || "default",
      collection: props._coll ?? "",
      messageId: rm3?.message?.id?.id ?? "",
      nodedup: props._nodedup === "1"
    };
  }
  /**
   * The Inserts from `start` on that will be applied back to back (same source, channel, database and
   * collection, nothing else in between, the ones dedup will skip left out exactly as the apply loop
   * will skip them) get their duplicate bookkeeping from one existence Query. A message that does not
   * parse ends the stretch; the apply loop reports it when it gets there.
   */
  async prepareInserts(start, floor, parseAt, count, recorders) {
    const first = parseAt(start);
    const stretch = [];
    let newest = floor;
    for (let j = start; j < count; j++) {
      let m;
      try {
        m = parseAt(j);
      } catch {
        break;
      }
      if (m.method !== "Insert" || m.channel !== first.channel || m.source !== first.source || m.db !== first.db || m.collection !== first.collection)
        break;
      if (m.tt <= newest && !m.nodedup) continue;
      stretch.push({ at: j, payload: m.payload });
      if (m.tt > newest) newest = m.tt;
    }
    const recs = await this.d.dups.beforeInserts(
      stretch.map((x) => x.payload),
      first.db,
      first.collection
    );
    stretch.forEach((x, k) => {
      recorders.set(x.at, recs[k]);
    });
  }
  /**
   * Applies one DML/DDL message to Milvus Lite (the caller holds the channel's lock). `prepared`: its
   * duplicate bookkeeping, when prepareInserts already did it.
   */
  async applyOne(m, prepared) {
    const d = this.d;
    const mreq = decodeRequest(m.method, m.payload);
    const plan = d.channels.plan(m.method, mreq, m.db, m.channel);
    const md = new grpc3.Metadata();
    md.set("dbname", m.db);
    let res;
    let recordDuplicates;
    try {
      recordDuplicates = prepared ? prepared.recorder : await d.dups.before(m.method, m.payload, m.db, plan.collection);
      res = await d.liteApply.apply(m.method, mreq, m.payload, m.db, md);
    } catch (e) {
      throw new FrontError(
        grpc3.status.INTERNAL,
        `apply of ${m.method} on '${m.collection}' failed: ${e.details ?? e.message}`
      );
    }
    const st = responseStatus(m.method, res);
    if (!isSuccess(st)) {
      throw new FrontError(
        grpc3.status.INTERNAL,
        `apply of ${m.method} on '${m.collection}' failed: ${st?.reason ?? "error"}`
      );
    }
    recordDuplicates?.();
    await d.channels.commit(plan);
  }
};
function confirmation(m) {
  return encode("milvus.ReplicateResponse", {
    replicate_confirmed_message_info: { confirmed_time_tick: m.tt.toString() }
  });
}
function checkpointOf(m) {
  return {
    cluster_id: m.source,
    pchannel: m.srcPch,
    message_id: { id: m.messageId },
    time_tick: m.tt.toString()
  };
}

// src/backends/local/replicate-stream.ts
function serveReplicateStream(call, applyBatch) {
  const queue = [];
  let draining = false;
  let broken = false;
  let ended = false;
  const fail = (e) => {
    broken = true;
    call.emit("error", toServiceError(e));
  };
  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0 && !broken) {
        const batch = queue.splice(0, queue.length);
        const { responses, error } = await applyBatch(batch);
        for (const r of responses) call.write(r);
        if (error !== void 0) fail(error);
      }
    } catch (e) {
      fail(e);
    } finally {
      draining = false;
    }
    if (ended && !broken) call.end();
  };
  call.on("data", (buf) => {
    if (broken) return;
    queue.push(buf);
    void drain();
  });
  call.on("end", () => {
    ended = true;
    if (!draining && !broken) call.end();
  });
  call.on("error", () => {
    broken = true;
  });
}

// src/backends/local/scalar-index-types.ts
import { join as join6 } from "node:path";
var EMULATED = /* @__PURE__ */ new Set(["TRIE", "STL_SORT", "BITMAP"]);
var LITE_REFUSES_SCALAR_INDEX = /does not support scalar index|has type JSON; create_index with index_type '\w+' requires a vector field/;
var keyOf = (db, collection, field) => `${db}/${collection}/${field}`;
var ScalarIndexTypes = class {
  kept = {};
  file;
  constructor(stateDir) {
    this.file = join6(stateDir, "scalar-index-types.json");
  }
  async load() {
    this.kept = await readJson(this.file) ?? {};
  }
  /**
   * A CreateIndex through Milvus Lite: an emulated type is sent as INVERTED, and a refusal of a scalar
   * index Milvus builds becomes an index the front keeps. `send` calls Milvus Lite.
   */
  async create(body, db, send) {
    const req = decodeRequest("CreateIndex", body);
    const field = req.field_name ?? "";
    const key = keyOf(db, req.collection_name ?? "", field);
    const kv = (req.extra_params ?? []).find((p) => p.key === "index_type");
    const asked = kv?.value ?? "";
    let sent = body;
    if (kv && EMULATED.has(asked.toUpperCase())) {
      kv.value = "INVERTED";
      sent = encodeRequest("CreateIndex", req);
    }
    const res = await send(sent);
    const status5 = responseStatus("CreateIndex", res);
    if (isSuccess(status5)) {
      if (sent !== body) this.kept[key] = { type: asked };
      else delete this.kept[key];
      await this.save();
      return res;
    }
    if (!LITE_REFUSES_SCALAR_INDEX.test(status5?.reason ?? "")) return res;
    this.kept[key] = {
      type: asked,
      virtual: { index_name: req.index_name || field, params: req.extra_params ?? [] }
    };
    await this.save();
    return encodeResponse("CreateIndex", {});
  }
  /** The front-kept index a DropIndex names, if any: removed here, and Milvus Lite is not asked. */
  async dropVirtual(db, collection, field, indexName) {
    const hit = Object.entries(this.kept).find(
      ([k, v]) => v.virtual && k.startsWith(keyOf(db, collection, "")) && (field && k === keyOf(db, collection, field) || indexName && v.virtual.index_name === indexName)
    );
    if (!hit) return false;
    delete this.kept[hit[0]];
    await this.save();
    return true;
  }
  /** After a DropIndex or DropCollection that Milvus Lite applied. */
  dropped(method, db, collection, field) {
    const prefix = keyOf(db, collection, "");
    return this.forget(
      (k) => method === "DropIndex" && field ? k === keyOf(db, collection, field) : k.startsWith(prefix)
    );
  }
  /**
   * A DescribeIndex answer with emulated indexes reported as asked and front-kept ones listed, for a
   * request naming `field` / `indexName` (either empty: every index of the collection).
   */
  describe(res, db, collection, field, indexName) {
    const prefix = keyOf(db, collection, "");
    const mine = Object.entries(this.kept).filter(([k]) => k.startsWith(prefix));
    if (mine.length === 0) return res;
    const out = decodeResponse(
      "DescribeIndex",
      res
    );
    const descs = isSuccess(out.status) ? out.index_descriptions ?? [] : [];
    for (const d of descs) {
      const kept = this.kept[keyOf(db, collection, d.field_name ?? "")];
      const kv = d.params?.find((p) => p.key === "index_type");
      if (kept && !kept.virtual && kv) kv.value = kept.type;
    }
    for (const [k, v] of mine) {
      if (!v.virtual) continue;
      const f = k.slice(prefix.length);
      const wanted = !field && !indexName || f === field || v.virtual.index_name === indexName || f === indexName;
      if (wanted)
        descs.push({
          field_name: f,
          index_name: v.virtual.index_name,
          params: v.virtual.params,
          state: "Finished"
        });
    }
    if (descs.length === 0) return res;
    return encodeResponse("DescribeIndex", { status: {}, index_descriptions: descs });
  }
  async forget(match) {
    const before = Object.keys(this.kept).length;
    for (const k of Object.keys(this.kept)) if (match(k)) delete this.kept[k];
    if (Object.keys(this.kept).length !== before) await this.save();
  }
  save() {
    return writeJsonAtomic(this.file, this.kept);
  }
};

// src/backends/local/search-iterator.ts
import { randomUUID } from "node:crypto";
var ITER_KEYS = {
  v2: "search_iter_v2",
  batchSize: "search_iter_batch_size",
  lastBound: "search_iter_last_bound",
  id: "search_iter_id",
  iterator: "iterator"
};
var MAX_TOPK_PLUS_OFFSET = 16384;
var LARGER_IS_CLOSER = /* @__PURE__ */ new Set(["IP", "COSINE", "BM25", "MAX_SIM", "MAX_SIM_IP", "MAX_SIM_COSINE"]);
function param(kvs, key) {
  return kvs.find((kv) => kv.key === key)?.value;
}
function truthy(v) {
  return v !== void 0 && v.toLowerCase() === "true";
}
function metricOf(kvs) {
  const direct = param(kvs, "metric_type");
  if (direct) return direct.toUpperCase();
  const raw = param(kvs, "params");
  if (!raw) return void 0;
  try {
    const p = JSON.parse(raw);
    return typeof p.metric_type === "string" ? p.metric_type.toUpperCase() : void 0;
  } catch {
    return void 0;
  }
}
function beyond(score, bound, largerIsCloser) {
  return largerIsCloser ? score < bound : score > bound;
}
function withParams(kvs, set) {
  const drop = /* @__PURE__ */ new Set([...Object.values(ITER_KEYS), "offset", "topk", ...Object.keys(set)]);
  return [
    ...kvs.filter((kv) => !drop.has(kv.key)),
    ...Object.entries(set).map(([key, value]) => ({ key, value }))
  ];
}
async function searchIteratorV2(request, search) {
  const req = decodeRequest("Search", request);
  const kvs = req.search_params ?? [];
  if (!truthy(param(kvs, ITER_KEYS.v2))) return void 0;
  const batch = Number(param(kvs, ITER_KEYS.batchSize) ?? param(kvs, "topk") ?? 0);
  if (!Number.isInteger(batch) || batch <= 0)
    return refusal(`search iterator v2: ${ITER_KEYS.batchSize} must be a positive integer`);
  if (Number(req.nq ?? 1) > 1) return refusal("search iterator v2 takes one query vector (nq = 1)");
  const token = param(kvs, ITER_KEYS.id) || randomUUID();
  const boundRaw = param(kvs, ITER_KEYS.lastBound);
  const bound = boundRaw === void 0 || boundRaw === "" ? void 0 : Number(boundRaw);
  const metric = metricOf(kvs);
  const send = async (set, outputFields) => {
    const body = { ...req, search_params: withParams(kvs, set) };
    if (outputFields) body.output_fields = outputFields;
    return decodeResponse("Search", await search(encodeRequest("Search", body)));
  };
  let skip = 0;
  let largerIsCloser = metric !== void 0 ? LARGER_IS_CLOSER.has(metric) : void 0;
  if (bound !== void 0 && Number.isFinite(bound)) {
    for (let k = Math.min(MAX_TOPK_PLUS_OFFSET, Math.max(batch * 2, 64)); ; ) {
      const probe = await send({ topk: String(k), offset: "0" }, []);
      if (!isSuccess(probe.status)) return encodeResponse("Search", probe);
      const scores2 = probe.results?.scores ?? [];
      if (largerIsCloser === void 0 && scores2.length >= 2)
        largerIsCloser = (scores2[0] ?? 0) > (scores2[scores2.length - 1] ?? 0);
      const i = scores2.findIndex((s) => beyond(s, bound, largerIsCloser ?? false));
      if (i >= 0) {
        skip = i;
        break;
      }
      skip = scores2.length;
      if (scores2.length < k || k >= MAX_TOPK_PLUS_OFFSET) break;
      k = Math.min(MAX_TOPK_PLUS_OFFSET, k * 2);
    }
  }
  const room = MAX_TOPK_PLUS_OFFSET - skip;
  if (room <= 0) return emptyPage(await send({ topk: "1", offset: "0" }), token, bound);
  const page = await send({ topk: String(Math.min(batch, room)), offset: String(skip) });
  if (!isSuccess(page.status)) return encodeResponse("Search", page);
  const scores = page.results?.scores ?? [];
  const last = scores.length > 0 ? scores[scores.length - 1] : bound;
  page.results = {
    ...page.results ?? {},
    search_iterator_v2_results: { token, ...last !== void 0 ? { last_bound: last } : {} }
  };
  return encodeResponse("Search", page);
}
function emptyPage(template, token, bound) {
  return encodeResponse("Search", {
    status: template.status ?? {},
    ...template.collection_name !== void 0 ? { collection_name: template.collection_name } : {},
    results: {
      num_queries: 1,
      top_k: 0,
      scores: [],
      topks: [0],
      search_iterator_v2_results: { token, ...bound !== void 0 ? { last_bound: bound } : {} }
    }
  });
}
function refusal(reason) {
  return encodeResponse("Search", {
    status: { error_code: "IllegalArgument", code: 1100, reason: `${reason}: invalid parameter` }
  });
}

// src/backends/local/front.ts
var SECONDARY_UPDATE_WAIT_MS = 6e5;
var PARTITION_READS = /* @__PURE__ */ new Set(["Search", "Query", "HybridSearch"]);
var UNAUTHENTICATED = {
  code: grpc4.status.UNAUTHENTICATED,
  details: "auth check failure, please check token"
};
var Front = class _Front {
  constructor(opts) {
    this.opts = opts;
    this.clusterId = opts.clusterId;
    this.pchannels = [...opts.pchannels];
    this.log = opts.log ?? (() => {
    });
    this.lite = new LiteLink(opts.backendAddress);
    this.wal = new WalWriter(opts.walDir);
    this.config = new ConfigStore(opts.clusterId, this.pchannels, opts.stateDir, opts.forcePromoteShapes);
    this.channels = new ChannelMap(this.pchannels.length, opts.stateDir);
    this.checkpoints = new CheckpointStore(this.pchannels, opts.stateDir);
    this.dups = new DuplicateTracker((method, request) => this.lite.call(method, request));
    const locks = this.locks;
    this.resourceGroups = new ResourceGroups(opts.stateDir);
    this.rbac = new Rbac(opts.stateDir);
    this.indexTypes = new ScalarIndexTypes(opts.stateDir);
    this.liteApply = new LiteApply(this.lite, this.channels, {
      resourceGroups: this.resourceGroups,
      rbac: this.rbac,
      indexTypes: this.indexTypes
    });
    const shared = {
      clusterId: this.clusterId,
      pchannels: this.pchannels,
      config: this.config,
      channels: this.channels,
      locks,
      liteApply: this.liteApply,
      dups: this.dups
    };
    this.writes = new PrimaryWrites({
      ...shared,
      wal: this.wal,
      staleWhenDemoted: opts.staleWhenDemoted === true
    });
    this.receiver = new ReplicateApply({
      ...shared,
      checkpoints: this.checkpoints,
      onAnnouncement: (pch, config) => this.announced(pch, config)
    });
  }
  clusterId;
  pchannels;
  server = new grpc4.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024 });
  lite;
  wal;
  config;
  channels;
  checkpoints;
  /** Makes a re-inserted key count twice in count(*), as on Milvus (Milvus Lite would replace the row). */
  dups;
  writes;
  liteApply;
  resourceGroups;
  rbac;
  indexTypes;
  receiver;
  /** Channel locks, shared by client writes and replicated applies. */
  locks = new KeyedMutex();
  stopped = false;
  port = 0;
  log;
  static async start(opts) {
    const front = new _Front(opts);
    await front.config.load();
    await front.channels.load();
    await front.checkpoints.load();
    await front.resourceGroups.load();
    await front.rbac.load();
    await front.indexTypes.load();
    front.server.addService(front.serviceDefinition(), front.implementation());
    front.port = await new Promise(
      (resolve, reject) => front.server.bindAsync(
        `127.0.0.1:${opts.port ?? 0}`,
        grpc4.ServerCredentials.createInsecure(),
        (err, port) => err ? reject(err) : resolve(port)
      )
    );
    return front;
  }
  get uri() {
    return `http://127.0.0.1:${this.port}`;
  }
  get role() {
    return this.config.role;
  }
  get replicateConfiguration() {
    return this.config.config;
  }
  walSizes() {
    return this.wal.sizes();
  }
  /** How replicated messages have been batched on this cluster (tests check that batches formed). */
  replicateApplyStats() {
    return { ...this.receiver.stats };
  }
  checkpointList() {
    return this.checkpoints.list();
  }
  /** Where a collection lives (for tests and diagnostics). */
  channelOf(collection, db = "default") {
    const i = this.channels.channelOf(db, collection);
    return i === void 0 ? void 0 : this.pchannels[i];
  }
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.server.forceShutdown();
    this.lite.close();
    await this.channels.flushed();
    await this.wal.close();
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
        impl[m.name] = (call) => {
          if (!this.authorized(call.metadata)) call.emit("error", UNAUTHENTICATED);
          else serveReplicateStream(call, (bufs) => this.receiver.applyBatch(bufs));
        };
      } else if (m.requestStream || m.responseStream) {
        impl[m.name] = (call) => call.emit("error", { code: grpc4.status.UNIMPLEMENTED, details: `${m.name} is not served locally` });
      } else {
        impl[m.name] = (call, callback) => {
          if (!this.authorized(call.metadata)) {
            callback(UNAUTHENTICATED);
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
  async unary(method, request, md, deadline) {
    if (method === "GetLoadState") {
      const answer = await this.loadState(method, request, md);
      if (answer) return answer;
    }
    if (PARTITION_READS.has(method)) {
      const refused = this.unloadedPartitionRead(method, request, md);
      if (refused) return refused;
    }
    if (method === "Search" && request.includes(ITER_KEYS.v2)) {
      const answer = await searchIteratorV2(request, (r) => this.lite.call(method, r, md, deadline));
      if (answer) return answer;
    }
    switch (method) {
      case "UpdateReplicateConfiguration":
        return this.updateConfig(request, deadline);
      case "GetReplicateConfiguration":
        return encodeResponse(method, { status: {}, configuration: this.config.sanitized() });
      case "GetReplicateInfo":
        return this.replicateInfo(request);
      case "Query": {
        const res = await this.lite.call(method, request, md, deadline);
        const req = decodeRequest(method, request);
        const db = dbOf(req, md);
        return this.dups.adjustCount(request, res, db, this.channels.realName(db, req.collection_name ?? ""));
      }
    }
    if (method === "DescribeIndex") {
      const res = await this.lite.call(method, request, md, deadline);
      const req = decodeRequest(method, request);
      return this.indexTypes.describe(
        res,
        dbOf(req, md),
        req.collection_name ?? "",
        req.field_name ?? "",
        req.index_name ?? ""
      );
    }
    if (method === "DescribeCollection") {
      const res = await this.lite.call(method, request, md, deadline);
      const req = decodeRequest(method, request);
      const auto = this.channels.autoIdOf(dbOf(req, md), req.collection_name ?? "");
      return auto ? describedAsAutoId(res, auto.name) : res;
    }
    if (ResourceGroups.answers(method)) return this.resourceGroups.call(method, request);
    if (Rbac.answers(method)) return this.rbac.call(method, request);
    if (!MUTATING_METHODS.has(method)) return this.lite.call(method, request, md, deadline);
    return this.writes.mutate(method, request, md, deadline);
  }
  /**
   * GetLoadState as Milvus answers it: Milvus Lite has a collection loaded from creation and knows no
   * partition-level load, so the front answers from what was loaded. Returns undefined for a
   * collection the front does not know (Milvus Lite answers NotExist).
   */
  async loadState(method, request, md) {
    const req = decodeRequest(
      method,
      request
    );
    const db = dbOf(req, md);
    const name = req.collection_name ?? "";
    if (this.channels.channelOf(db, name) === void 0) return void 0;
    const parts = req.partition_names ?? [];
    const loaded = this.channels.loadedOf(db, name);
    const isLoaded = loaded === "all" || loaded !== void 0 && (parts.length > 0 ? parts.every((p) => loaded.includes(p)) : loaded.length > 0);
    return encodeResponse(method, { status: {}, state: isLoaded ? "LoadStateLoaded" : "LoadStateNotLoad" });
  }
  /**
   * A read naming a partition that is not loaded while others are gets Milvus's refusal (code 201,
   * "partition not loaded"; Milvus's own tests/python_client/milvus_client suite expects it after
   * release_partitions). Milvus Lite knows no partition-level load, so it would answer with whatever the
   * partition holds. A collection with nothing loaded is left to Milvus Lite (see the README).
   */
  unloadedPartitionRead(method, request, md) {
    const req = decodeRequest(
      method,
      request
    );
    const parts = req.partition_names ?? [];
    if (parts.length === 0) return void 0;
    const loaded = this.channels.loadedOf(dbOf(req, md), req.collection_name ?? "");
    if (!Array.isArray(loaded)) return void 0;
    const missing = parts.find((p) => !loaded.includes(p));
    if (missing === void 0) return void 0;
    return statusResponse(method, milvusStatus(201, `partition not loaded[partition=${missing}]`));
  }
  // ---- the replication API -------------------------------------------------------------------
  async updateConfig(request, deadline) {
    const req = decodeRequest(
      "UpdateReplicateConfiguration",
      request
    );
    const answer = (u2) => statusResponse("UpdateReplicateConfiguration", u2.ok ? {} : milvusStatus(65535, u2.reason));
    if (req.force_promote) return answer(await this.forcePromote(req.replicate_configuration));
    const incoming = normalizeConfig(req.replicate_configuration);
    const current = this.config.config;
    if (this.config.role === "secondary" && current && !sameConfig(incoming, current)) {
      const err = this.config.validate(req.replicate_configuration);
      if (err) return answer({ ok: false, reason: err });
      const left = deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now();
      const waitMs = Number.isFinite(left) && left > 0 ? left : SECONDARY_UPDATE_WAIT_MS;
      this.log(`${this.clusterId}: secondary waits for the new configuration to arrive from its primary`);
      if (!await this.config.waitUntilSame(incoming, waitMs)) {
        return answer({
          ok: false,
          reason: `cluster '${this.clusterId}' is secondary: the new configuration did not arrive from its primary within ${waitMs} ms`
        });
      }
      return answer(await this.config.update(req.replicate_configuration));
    }
    let change;
    const u = await this.writesLocked(
      () => this.config.update(req.replicate_configuration, async (c) => {
        change = c;
        if (c.previous) await this.writes.announce(c.config);
      })
    );
    if (!u.ok) {
      this.log(`${this.clusterId}: replicate configuration refused: ${u.reason}`);
      return answer(u);
    }
    if (change) {
      this.log(`${this.clusterId}: replicate configuration accepted, role ${this.config.role}`);
      try {
        await this.opts.onConfigured?.(change);
      } catch (e) {
        return answer({
          ok: false,
          reason: `configuration saved, but replication could not start: ${e.message}`
        });
      }
    }
    return answer(u);
  }
  /** Runs `fn` with every channel locked: no client write or replicated apply runs beside it. */
  writesLocked(fn) {
    return this.locks.run(this.writes.allChannels, fn);
  }
  /** Channels on which the source's announcement of a configuration has arrived, per configuration. */
  arrivals = /* @__PURE__ */ new Map();
  /** Called under `pch`'s lock: once every channel has it, the announced configuration takes effect. */
  async announced(pch, config) {
    const key = JSON.stringify(sanitizeConfig(config));
    const seen = this.arrivals.get(key) ?? /* @__PURE__ */ new Set();
    seen.add(pch);
    this.arrivals.set(key, seen);
    if (seen.size < this.pchannels.length) return;
    this.arrivals.delete(key);
    const known = new Map(
      (this.config.config?.clusters ?? []).map((c) => [c.cluster_id, c.connection_param.token])
    );
    const withTokens = normalizeConfig(config);
    for (const c of withTokens.clusters) c.connection_param.token = known.get(c.cluster_id) ?? "";
    const makesSource = withTokens.cross_cluster_topology.some((t) => t.source_cluster_id === this.clusterId);
    if (makesSource && this.config.validate(withTokens) === null) await this.writes.announce(withTokens);
    let change;
    const u = await this.config.update(withTokens, async (c) => {
      change = c;
    });
    if (!u.ok) {
      this.log(`${this.clusterId}: configuration announced by the primary refused: ${u.reason}`);
      return;
    }
    if (!change) return;
    this.log(`${this.clusterId}: configuration arrived from the primary, role ${this.config.role}`);
    void this.opts.onConfigured?.(change).catch((e) => this.log(`${this.clusterId}: replication could not start: ${e.message}`));
  }
  /**
   * Failover: this secondary becomes a standalone primary (UpdateReplicateConfiguration with
   * force_promote, or called directly by a drill that lost its primary).
   */
  async forcePromote(request = {}) {
    let change;
    const u = await this.writesLocked(
      () => this.config.forcePromote(request, async (c) => {
        change = c;
        if (c.changed) await this.checkpoints.clear();
      })
    );
    if (change) {
      this.log(`${this.clusterId}: force promoted, role ${this.config.role}`);
      await this.opts.onConfigured?.(change);
    }
    return u;
  }
  replicateInfo(request) {
    const req = decodeRequest(
      "GetReplicateInfo",
      request
    );
    const pch = req.target_pchannel ?? "";
    if (!this.pchannels.includes(pch)) return new Promise(() => {
    });
    const cp = this.checkpoints.get(pch, req.source_cluster_id ?? "");
    return Promise.resolve(encodeResponse("GetReplicateInfo", cp ? { checkpoint: cp } : {}));
  }
};

// src/backends/local/milvus-lite-process.ts
var grpc5 = __toESM(require_src(), 1);
import { fork } from "node:child_process";
import { mkdirSync as mkdirSync2 } from "node:fs";
import { readFile as readFile2 } from "node:fs/promises";

// src/backends/local/node-child.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname as dirname2, join as join7 } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
function nodeEntry(name) {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname2(here);
  if (here.endsWith(".js")) {
    for (const d of basename(dir) === "chunks" ? [dir, dirname2(dir)] : [dir]) {
      const js = join7(d, `${name}.js`);
      if (existsSync(js)) return { file: js, execArgv: [] };
    }
  }
  const ts = join7(dir, `${name}.ts`);
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
    watchdog.on("error", (e) => {
      this.exitInfo ??= `watchdog channel failed: ${e.message}`;
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
    mkdirSync2(opts.dataDir, { recursive: true });
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
        await p.waitReady(opts.readyTimeoutMs ?? 6e4, opts.signal);
        return p;
      } catch (e) {
        lastError = e;
        await p.stop();
        if (opts.signal?.aborted) break;
        if (!/address already in use|bind|Failed to bind/i.test(await tail(opts.logFile, 5))) break;
      }
    }
    throw lastError ?? new Error("Milvus Lite did not start");
  }
  async waitReady(timeoutMs, signal) {
    const deadline = Date.now() + timeoutMs;
    const client = new grpc5.Client(this.address, grpc5.credentials.createInsecure());
    try {
      for (; ; ) {
        signal?.throwIfAborted();
        if (this.exitInfo) {
          throw new Error(
            `${this.exitInfo} before it was ready on ${this.address}; last log lines:
${await tail(this.logFile)}`
          );
        }
        const ok2 = await new Promise((resolve) => {
          client.makeUnaryRequest(
            "/milvus.proto.milvus.MilvusService/CheckHealth",
            (b) => b,
            (b) => b,
            Buffer.alloc(0),
            new grpc5.Metadata(),
            { deadline: Date.now() + 1e3 },
            (err) => resolve(!err)
          );
        });
        if (ok2) return;
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
  /** A lost server: SIGKILL to its process group first (no clean shutdown), then the watchdog goes. */
  async kill() {
    if (this.pid !== void 0) {
      try {
        process.kill(-this.pid, "SIGKILL");
      } catch {
      }
    }
    await this.stop();
  }
  /** Stops Milvus Lite and its watchdog; resolves once the watchdog (which outlives the server) is gone. */
  async stop() {
    if (this.watchdog.exitCode !== null || this.watchdog.signalCode !== null) return;
    if (this.watchdog.connected) this.watchdog.send("stop", (e) => void e);
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
import { closeSync, mkdirSync as mkdirSync3, openSync } from "node:fs";
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
      mkdirSync3(dirname3(this.opts.logFile), { recursive: true });
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
      child.on("error", (e) => settle(new Error(`replicator process: ${e.message}`)));
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

// src/backends/local/replication-links.ts
var ReplicationLinks = class {
  constructor(opts) {
    this.opts = opts;
  }
  active = /* @__PURE__ */ new Map();
  retiring = /* @__PURE__ */ new Set();
  retiringLinks = /* @__PURE__ */ new Set();
  /** Restarts of every replicator this lab ran, in order. */
  pastRestarts = [];
  closed = false;
  /** A cluster accepted a configuration change: start, keep or retire the replicator it is the source of. */
  async configured(clusterId, change) {
    if (this.closed) return;
    const edge = change.config.cross_cluster_topology.find((t) => t.source_cluster_id === clusterId);
    const link = this.active.get(clusterId);
    if (edge && link?.target === edge.target_cluster_id) return;
    if (link) {
      this.active.delete(clusterId);
      if (edge) await this.stopLink(link);
      else this.retire(link, change.config);
    }
    if (edge) await this.start(clusterId, edge.target_cluster_id, change.config);
  }
  async start(source, target, config) {
    const src = config.clusters.find((c) => c.cluster_id === source);
    const tgt = config.clusters.find((c) => c.cluster_id === target);
    const cluster = this.opts.cluster(source);
    if (!src || !tgt || !cluster) throw new Error(`replicate configuration names no target for ${source}`);
    const supervisor = new ReplicatorSupervisor({
      walDir: cluster.walDir,
      source: { clusterId: source, pchannels: src.pchannels },
      target: {
        clusterId: target,
        uri: tgt.connection_param.uri,
        token: tgt.connection_param.token || void 0,
        pchannels: tgt.pchannels
      },
      faultMode: this.opts.faultMode,
      faultEvery: this.opts.faultEvery,
      restartDelayMs: this.opts.restartDelayMs,
      logFile: this.opts.logFile
    });
    await supervisor.start();
    this.active.set(source, { source, target, supervisor });
    this.opts.log(
      `Replicator ${source} -> ${target} started (pid ${supervisor.pid}, fault mode ${this.opts.faultMode})`
    );
  }
  retire(link, config) {
    const timeoutMs = this.opts.retireTimeoutMs ?? 6e4;
    const want = sanitizeConfig(config);
    this.retiringLinks.add(link);
    const done = (async () => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !this.closed) {
        const got = this.opts.cluster(link.target)?.config();
        if (got === void 0) break;
        if (got && sameConfig(sanitizeConfig(got), want)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (Date.now() >= deadline)
        this.opts.log(
          `Replicator ${link.source} -> ${link.target}: the target did not take the new configuration within ${timeoutMs} ms; stopping it anyway`
        );
      await this.stopLink(link);
      this.retiringLinks.delete(link);
    })();
    this.retiring.add(done);
    void done.finally(() => this.retiring.delete(done));
  }
  async stopLink(link) {
    await link.supervisor.stop().catch((e) => this.opts.log(`replicator ${link.source} stop: ${e.message}`));
    this.pastRestarts.push(...link.supervisor.restarts);
    this.opts.log(`Replicator ${link.source} -> ${link.target} stopped`);
  }
  /** Stops the replicator whose source is `clusterId`, if any (its cluster is going down). */
  async stopSource(clusterId) {
    const link = this.active.get(clusterId);
    if (!link) return;
    this.active.delete(clusterId);
    await this.stopLink(link);
  }
  /** The running replicator (the lab has at most one source at a time). */
  current() {
    return [...this.active.values()][0];
  }
  get restarts() {
    return [...this.pastRestarts, ...this.current()?.supervisor.restarts ?? []];
  }
  pids() {
    return [...this.active.values(), ...this.retiringLinks].map((l) => l.supervisor.pid).filter((p) => p !== void 0);
  }
  async close() {
    this.closed = true;
    const links = [...this.active.values()];
    this.active.clear();
    await Promise.all([...links.map((l) => this.stopLink(l)), ...this.retiring]);
  }
};

// src/backends/local/lab.ts
var DEFAULT_PCHANNELS = 16;
function pchannelNames(clusterId, n) {
  return Array.from({ length: n }, (_, i) => `${clusterId}-rootcoord-dml_${i}`);
}
function clusterDirs(root, id) {
  const base = join8(root, id);
  const d = {
    root: base,
    data: join8(base, "data"),
    state: join8(base, "state"),
    wal: join8(base, "wal"),
    milvusLog: join8(base, "milvus-lite.log")
  };
  for (const p of [d.data, d.state, d.wal]) mkdirSync4(p, { recursive: true });
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
  const root = await mkdtemp(join8(tmpdir(), "milvus-cdc-lab-"));
  const dirs = {
    root,
    source: clusterDirs(root, ids.source),
    target: clusterDirs(root, ids.target),
    replicatorLog: join8(root, "replicator.log")
  };
  const clusters = { source: {}, target: {} };
  const processes = /* @__PURE__ */ new Set();
  const sideOf = (clusterId) => clusterId === ids.source ? "source" : clusterId === ids.target ? "target" : void 0;
  const links = new ReplicationLinks({
    cluster: (id) => {
      const side = sideOf(id);
      if (!side) return void 0;
      const front = clusters[side].front;
      return { walDir: dirs[side].wal, config: () => front ? front.replicateConfiguration : void 0 };
    },
    faultMode: opts.faultMode ?? "none",
    faultEvery: opts.faultEvery ?? 0,
    restartDelayMs: opts.restartDelayMs ?? 0,
    logFile: dirs.replicatorLog,
    log
  });
  let stopping = null;
  const stopCluster = async (c) => {
    await c.front?.stop().catch(() => {
    });
    await c.lite?.stop().catch(() => {
    });
    if (c.lite) processes.delete(c.lite);
    c.front = void 0;
    c.lite = void 0;
  };
  const cleanup = async () => {
    opts.signal?.removeEventListener("abort", onAbort);
    await links.close().catch((e) => log(`replicator stop: ${e.message}`));
    await Promise.all(Object.values(clusters).map(stopCluster));
    await Promise.all([...processes].map((p) => p.stop().catch(() => {
    })));
    if (!opts.keep) await rm2(root, { recursive: true, force: true }).catch(() => {
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
  const onAbort = () => void stop();
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  const startLite = async (side) => {
    const p = await MilvusLiteProcess.start({
      bin,
      dataDir: dirs[side].data,
      logFile: dirs[side].milvusLog,
      readyTimeoutMs: opts.readyTimeoutMs,
      signal: opts.signal
    });
    processes.add(p);
    clusters[side].lite = p;
    return p;
  };
  const startFront = async (side, lite) => {
    const f = await Front.start({
      clusterId: ids[side],
      pchannels: pchannelNames(ids[side], n),
      backendAddress: lite.address,
      stateDir: dirs[side].state,
      walDir: dirs[side].wal,
      token: opts.token,
      port: clusters[side].port,
      log,
      onConfigured: (change) => links.configured(ids[side], change),
      // The original primary is the one a role change demotes: the planted split brain lives there.
      staleWhenDemoted: opts.faultMode === "stale-primary" && side === "source",
      forcePromoteShapes: opts.forcePromoteShapes
    });
    clusters[side].front = f;
    clusters[side].port = Number(f.uri.split(":").pop());
    return f;
  };
  const endpoint = (f) => ({
    clusterId: f.clusterId,
    uri: f.uri,
    token: opts.token,
    replicateUri: f.uri,
    pchannels: [...f.pchannels]
  });
  const up = (side) => {
    const f = clusters[side].front;
    if (!f) throw new Error(`the ${side} cluster ${ids[side]} is down (killCluster); rebuild it first`);
    return f;
  };
  try {
    const [srcLite, tgtLite] = await Promise.all([startLite("source"), startLite("target")]);
    checkStopped();
    const srcFront = await startFront("source", srcLite);
    const tgtFront = await startFront("target", tgtLite);
    checkStopped();
    const source = endpoint(srcFront);
    const target = endpoint(tgtFront);
    log(`Lab up: source ${source.clusterId} at ${source.uri}, target ${target.clusterId} at ${target.uri}`);
    if (opts.replicate) await configureReplication({ source, target }, { timeoutMs: 6e4, log });
    const lab = {
      source,
      target,
      dirs,
      fronts: {
        get source() {
          return up("source");
        },
        get target() {
          return up("target");
        }
      },
      async killReplicator() {
        const link = links.current();
        if (!link) throw new Error("killReplicator: no replicator is running (replication not configured)");
        const r = await link.supervisor.kill();
        return { ...r, pid: link.supervisor.pid };
      },
      get restarts() {
        return links.restarts;
      },
      get replicatorPid() {
        return links.current()?.supervisor.pid;
      },
      get replicating() {
        const l = links.current();
        return l ? { source: l.source, target: l.target } : void 0;
      },
      pids() {
        const out = [];
        for (const p of processes) {
          if (p.pid !== void 0) out.push(p.pid);
          if (p.watchdogPid !== void 0) out.push(p.watchdogPid);
        }
        out.push(...links.pids());
        return out;
      },
      ports() {
        const port = (u) => Number(u.split(":").pop());
        return [
          ...Object.values(clusters).flatMap((c) => c.front ? [port(c.front.uri)] : []),
          ...[...processes].map((p) => port(p.address))
        ];
      },
      walSizes: () => Object.assign({}, ...Object.values(clusters).map((c) => c.front?.walSizes() ?? {})),
      async killCluster(side) {
        await clusters[side].lite?.kill();
        await links.stopSource(ids[side]);
        await stopCluster(clusters[side]);
        log(`Cluster ${ids[side]} killed`);
      },
      async rebuildCluster(side) {
        if (clusters[side].front) throw new Error(`rebuildCluster: the ${side} cluster is up; kill it first`);
        await rm2(dirs[side].root, { recursive: true, force: true });
        dirs[side] = clusterDirs(root, ids[side]);
        const f = await startFront(side, await startLite(side));
        log(`Cluster ${ids[side]} rebuilt empty at ${f.uri}`);
        return endpoint(f);
      },
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
  /** A provision under way: teardown waits for it, so a lab that was still starting is stopped too. */
  starting;
  async provision(signal) {
    signal?.throwIfAborted();
    const { log, ...rest } = this.opts;
    const starting = startLab({ ...rest, replicate: false, log: (m) => log.info(m), signal });
    this.starting = starting.catch(() => {
    });
    this.lab = await starting;
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
  async loseCluster(side) {
    if (!this.lab) throw new Error(`loseCluster(${side}): the local backend is not provisioned`);
    const injectedAt = Date.now();
    await this.lab.killCluster(side);
    return {
      injectedAt,
      cluster: this.lab[side].clusterId,
      how: "SIGKILL of Milvus Lite, front closed at once"
    };
  }
  async rebuildCluster(side) {
    if (!this.lab) throw new Error(`rebuildCluster(${side}): the local backend is not provisioned`);
    return this.lab.rebuildCluster(side);
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
        [join9(lab.dirs.source.state, "replicate-config.json"), "source-replicate-config.json"],
        [join9(lab.dirs.target.state, "replicate-config.json"), "target-replicate-config.json"],
        [join9(lab.dirs.source.state, "channels.json"), "source-channels.json"],
        [join9(lab.dirs.target.state, "channels.json"), "target-channels.json"]
      ];
      for (const [from, name] of copies) {
        const to = join9(dir, name);
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
      const stateFile = join9(dir, "local-lab-state.json");
      await writeFile(stateFile, `${JSON.stringify(state, null, 2)}
`);
      written.push(stateFile);
    } catch (e) {
      this.opts.log.warn(`collecting local diagnostics: ${e.message}`);
    }
    return written;
  }
  async teardown() {
    await this.starting;
    const lab = this.lab;
    this.lab = void 0;
    await lab?.stop().catch((e) => this.opts.log.warn(`local teardown: ${e.message}`));
  }
};
export {
  LocalBackend
};
