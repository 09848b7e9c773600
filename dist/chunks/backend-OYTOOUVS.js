import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  configureReplication
} from "./chunk-FHZ3BUOL.js";
import {
  freePort
} from "./chunk-ATWVWLQA.js";
import "./chunk-3II6UGC6.js";
import "./chunk-FE5CAR44.js";
import {
  ANNOUNCE_METHOD,
  FLUSH_ALL_METHOD,
  GENERATION_ENV,
  OPTIONS_ENV,
  TargetClient,
  TimeTickAllocator,
  WalWriter,
  faultMarkerFile,
  parseReplicatorOptions,
  readWholeWal,
  walFile
} from "./chunk-HUYQHS7B.js";
import "./chunk-KORQFNEC.js";
import {
  MILVUS_SERVICE,
  decode,
  decodeRequest,
  decodeResponse,
  encode,
  encodeRequest,
  encodeResponse,
  kvValue,
  milvusMethods,
  responseStatus,
  statusResponse
} from "./chunk-75SGTU5M.js";
import {
  LOCAL_NEMESIS_REFUSALS,
  LOCAL_NEMESIS_TYPES,
  isSuccess,
  require_src2 as require_src
} from "./chunk-5QY7ERFD.js";
import {
  MILVUS_LITE_VERSION,
  PYMILVUS_VERSION,
  ensureMilvusLite
} from "./chunk-FJHRFNDX.js";
import "./chunk-TEO4V65Y.js";
import "./chunk-TXPUYXQ7.js";
import {
  __commonJS,
  __toESM
} from "./chunk-XXWGZQIE.js";

// node_modules/wink-porter2-stemmer/src/wink-porter2-stemmer.js
var require_wink_porter2_stemmer = __commonJS({
  "node_modules/wink-porter2-stemmer/src/wink-porter2-stemmer.js"(exports, module) {
    var rgxDouble = /(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/;
    var rgxSFXsses = /(.+)(sses)$/;
    var rgxSFXiedORies2 = /(.{2,})(ied|ies)$/;
    var rgxSFXiedORies1 = /(.{1})(ied|ies)$/;
    var rgxSFXusORss = /(.+)(us|ss)$/;
    var rgxSFXs = /(.+)(s)$/;
    var rgxSFXeedlyOReed = /(.*)(eedly|eed)$/;
    var rgxSFXedORedlyORinglyORing = /([aeiouy].*)(ed|edly|ingly|ing)$/;
    var rgxSFXatORblORiz = /(at|bl|iz)$/;
    var rgxSFXyOR3 = /(.+[^aeiouy])([y3])$/;
    var rgxSFXstep2 = /(ization|ational|fulness|ousness|iveness|tional|biliti|lessli|entli|ation|alism|aliti|ousli|iviti|fulli|enci|anci|abli|izer|ator|alli|bli|ogi|li)$/;
    var rgxSFXstep2WithReplacements = [
      // Length 7.
      { rgx: /ational$/, replacement: "ate" },
      { rgx: /ization$/, replacement: "ize" },
      { rgx: /fulness$/, replacement: "ful" },
      { rgx: /ousness$/, replacement: "ous" },
      { rgx: /iveness$/, replacement: "ive" },
      // Length 6.
      { rgx: /tional$/, replacement: "tion" },
      { rgx: /biliti$/, replacement: "ble" },
      { rgx: /lessli$/, replacement: "less" },
      // Length 5.
      { rgx: /iviti$/, replacement: "ive" },
      { rgx: /ousli$/, replacement: "ous" },
      { rgx: /ation$/, replacement: "ate" },
      { rgx: /entli$/, replacement: "ent" },
      { rgx: /(.*)(alism|aliti)$/, replacement: "$1al" },
      { rgx: /fulli$/, replacement: "ful" },
      // Length 4.
      { rgx: /alli$/, replacement: "al" },
      { rgx: /ator$/, replacement: "ate" },
      { rgx: /izer$/, replacement: "ize" },
      { rgx: /enci$/, replacement: "ence" },
      { rgx: /anci$/, replacement: "ance" },
      { rgx: /abli$/, replacement: "able" },
      // Length 3.
      { rgx: /bli$/, replacement: "ble" },
      { rgx: /(.*)(l)(ogi)$/, replacement: "$1$2og" },
      // Length 2.
      { rgx: /(.*)([cdeghkmnrt])(li)$/, replacement: "$1$2" }
    ];
    var rgxSFXstep3 = /(ational|tional|alize|icate|iciti|ative|ical|ness|ful)$/;
    var rgxSFXstep3WithReplacements = [
      { rgx: /ational$/, replacement: "ate" },
      { rgx: /tional$/, replacement: "tion" },
      { rgx: /alize$/, replacement: "al" },
      { rgx: /(.*)(icate|iciti|ical)$/, replacement: "$1ic" },
      { rgx: /(ness|ful)$/, replacement: "" }
    ];
    var rgxSFXstep4 = /(ement|ance|ence|able|ible|ment|ant|ent|ism|ate|iti|ous|ive|ize|al|er|ic)$/;
    var rgxSFXstep4Full = /(ement|ance|ence|able|ible|ment|ant|ent|ism|ate|iti|ous|ive|ize|ion|al|er|ic)$/;
    var rgxSFXstep4ion = /(.*)(s|t)(ion)$/;
    var exceptions1 = /* @__PURE__ */ Object.create(null);
    exceptions1.skis = "ski";
    exceptions1.skies = "sky";
    exceptions1.dying = "die";
    exceptions1.lying = "lie";
    exceptions1.tying = "tie";
    exceptions1.idly = "idl";
    exceptions1.gently = "gentl";
    exceptions1.ugly = "ugli";
    exceptions1.early = "earli";
    exceptions1.only = "onli";
    exceptions1.singly = "singl";
    exceptions1.sky = "sky";
    exceptions1.news = "news";
    exceptions1.atlas = "atlas";
    exceptions1.cosmos = "cosmos";
    exceptions1.bias = "bias";
    exceptions1.andes = "andes";
    var rgxException2 = /^(inning|outing|canning|herring|proceed|exceed|succeed|earring)$/;
    var prelude = function(s) {
      return s.replace(/^y/, "3").replace(/([aeiou])y/, "$13").replace(/\’s$|\'s$/, "").replace(/s\’$|s\'$/, "").replace(/[\’\']$/, "");
    };
    var isShort = function(s) {
      return /[^aeiouy][aeiouy][^aeiouywx3]$/.test(s) || /^[aeiouy][^aeiouy]{0,1}$/.test(s);
    };
    var markRegions = function(s) {
      var m1, m2;
      var rgxRegions = /[aeiouy]+([^aeiouy]{1}.+)/;
      m1 = rgxRegions.exec(s);
      if (!m1) return { r1: "", r2: "" };
      m1 = m1[1].slice(1);
      m1 = /^(gener|commun|arsen)/.test(s) ? s.replace(/^(gener|commun|arsen)(.*)/, "$2") : m1;
      m2 = rgxRegions.exec(m1);
      if (!m2) return { r1: m1, r2: "" };
      m2 = m2[1].slice(1);
      return { r1: m1, r2: m2 };
    };
    var step1a = function(s) {
      var wordPart;
      if (rgxSFXsses.test(s)) return s.replace(rgxSFXsses, "$1ss");
      if (rgxSFXiedORies2.test(s)) return s.replace(rgxSFXiedORies2, "$1i");
      if (rgxSFXiedORies1.test(s)) return s.replace(rgxSFXiedORies1, "$1ie");
      if (rgxSFXusORss.test(s)) return s;
      wordPart = s.replace(rgxSFXs, "$1");
      if (/[aeiuouy](.+)$/.test(wordPart)) return s.replace(rgxSFXs, "$1");
      return s;
    };
    var step1b = function(s) {
      var rgn = markRegions(s), sd;
      if (rgxSFXeedlyOReed.test(s))
        return rgxSFXeedlyOReed.test(rgn.r1) ? s.replace(rgxSFXeedlyOReed, "$1ee") : s;
      if (rgxSFXedORedlyORinglyORing.test(s)) {
        sd = s.replace(rgxSFXedORedlyORinglyORing, "$1");
        rgn = markRegions(sd);
        return rgxSFXatORblORiz.test(sd) ? sd + "e" : (
          // or
          rgxDouble.test(sd) ? sd.replace(/.$/, "") : (
            // or
            isShort(sd) && rgn.r1 === "" ? sd + "e" : (
              // or
              sd
            )
          )
        );
      }
      return s;
    };
    var step1c = function(s) {
      return s.replace(rgxSFXyOR3, "$1i");
    };
    var step2 = function(s) {
      var i, imax, rgn = markRegions(s), us;
      var match = s.match(rgxSFXstep2);
      match = match === null ? "$$$$$" : match[1];
      if (rgn.r1.indexOf(match) !== -1) {
        for (i = 0, imax = rgxSFXstep2WithReplacements.length; i < imax; i += 1) {
          us = s.replace(rgxSFXstep2WithReplacements[i].rgx, rgxSFXstep2WithReplacements[i].replacement);
          if (s !== us) return us;
        }
      }
      return s;
    };
    var step3 = function(s) {
      var i, imax, rgn = markRegions(s), us;
      var match = s.match(rgxSFXstep3);
      match = match === null ? "$$$$$" : match[1];
      if (rgn.r1.indexOf(match) !== -1) {
        for (i = 0, imax = rgxSFXstep3WithReplacements.length; i < imax; i += 1) {
          us = s.replace(rgxSFXstep3WithReplacements[i].rgx, rgxSFXstep3WithReplacements[i].replacement);
          if (s !== us) return us;
        }
        if (/ative/.test(rgn.r2)) return s.replace(/ative$/, "");
      }
      return s;
    };
    var step4 = function(s) {
      var rgn = markRegions(s);
      var match = s.match(rgxSFXstep4Full);
      match = match === null ? "$$$$$" : match[1];
      if (rgxSFXstep4Full.test(s) && rgn.r2.indexOf(match) !== -1) {
        return rgxSFXstep4.test(s) ? s.replace(rgxSFXstep4, "") : rgxSFXstep4ion.test(s) ? s.replace(rgxSFXstep4ion, "$1$2") : s;
      }
      return s;
    };
    var step5 = function(s) {
      var preceding, rgn;
      rgn = markRegions(s);
      if (/e$/i.test(s)) {
        preceding = s.replace(/e$/, "");
        return (
          // Found: delete if in R2, or in R1 and not preceded by a short syllable
          /e/.test(rgn.r2) || /e/.test(rgn.r1) && !isShort(preceding) ? preceding : s
        );
      }
      if (/l$/.test(s)) {
        rgn = markRegions(s);
        return rgn.r2 && /l$/.test(rgn.r2) ? s.replace(/ll$/, "l") : s;
      }
      return s;
    };
    var stem2 = function(word) {
      var str = word.toLowerCase();
      if (str.length < 3) return str;
      if (exceptions1[str]) return exceptions1[str];
      str = prelude(str);
      str = step1a(str);
      if (!rgxException2.test(str)) {
        str = step1b(str);
        str = step1c(str);
        str = step2(str);
        str = step3(str);
        str = step4(str);
        str = step5(str);
      }
      str = str.replace(/3/g, "y");
      return str;
    };
    module.exports = stem2;
  }
});

// src/backends/local/backend.ts
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { join as join11 } from "node:path";

// src/backends/local/lab.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import { mkdirSync as mkdirSync4, writeFileSync } from "node:fs";
import { mkdtemp, rm as rm2 } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join10 } from "node:path";

// src/backends/local/faults/link-proxy.ts
import { connect, createServer } from "node:net";
var LinkProxy = class _LinkProxy {
  constructor(server, port, upstreamPort, random) {
    this.server = server;
    this.port = port;
    this.upstreamPort = upstreamPort;
    this.random = random;
  }
  state = { kind: "up" };
  pairs = /* @__PURE__ */ new Set();
  stats = { connections: 0, cut: 0, refused: 0, delayed: 0 };
  /** Listens on a free port of 127.0.0.1 (or `port`, to keep a URI) and relays to upstreamPort(). */
  static async start(upstreamPort, opts = {}) {
    let proxy;
    const server = createServer((s) => proxy?.accept(s));
    const port = await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, "127.0.0.1", () => {
        const a = server.address();
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
    proxy = new _LinkProxy(server, port, upstreamPort, opts.random ?? Math.random);
    return proxy;
  }
  get uri() {
    return `http://127.0.0.1:${this.port}`;
  }
  get current() {
    return this.state;
  }
  /** A partition: every open connection is torn down, new ones are refused until heal(). */
  cut() {
    this.state = { kind: "cut", since: Date.now() };
    const n = this.pairs.size;
    for (const p of [...this.pairs]) this.drop(p);
    this.stats.cut += n;
    return n;
  }
  /** Latency on the link: each chunk waits ms +- jitterMs (never below 0), in order. */
  delay(ms, jitterMs) {
    this.state = { kind: "delay", ms, jitterMs, since: Date.now() };
  }
  heal() {
    this.state = { kind: "up" };
  }
  async close() {
    for (const p of [...this.pairs]) this.drop(p);
    await new Promise((r) => this.server.close(() => r()));
  }
  drop(p) {
    this.pairs.delete(p);
    p.client.destroy();
    p.upstream.destroy();
  }
  accept(client) {
    const port = this.upstreamPort();
    if (this.state.kind === "cut" || port === void 0) {
      this.stats.refused += 1;
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = connect({ host: "127.0.0.1", port });
    upstream.setNoDelay(true);
    const pair = { client, upstream };
    this.pairs.add(pair);
    this.stats.connections += 1;
    const end = () => this.drop(pair);
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }
  /**
   * Passes chunks from a to b, late while the link is delayed. One queue and one timer per direction:
   * chunks leave strictly in arrival order. (A timer per chunk does not keep order: Node files timers
   * by their loop's cached clock, so two chunks due at the same moment could swap, and swapped whole
   * HTTP/2 frames reorder gRPC messages, which the standby's time-tick dedup then drops as replays.)
   */
  pipe(a, b) {
    const queue = [];
    let lastRelease = 0;
    let timer;
    const drain = () => {
      timer = void 0;
      const now = Date.now();
      while (queue.length > 0 && queue[0].at <= now) {
        const { chunk } = queue.shift();
        if (!b.destroyed) b.write(chunk);
      }
      const next = queue[0];
      if (next) timer = setTimeout(drain, Math.max(1, next.at - now));
    };
    a.on("close", () => {
      clearTimeout(timer);
      queue.length = 0;
    });
    a.on("data", (chunk) => {
      const s = this.state;
      if (s.kind !== "delay" && queue.length === 0) {
        if (!b.destroyed) b.write(chunk);
        return;
      }
      const wait = s.kind === "delay" ? Math.max(0, s.ms + (this.random() * 2 - 1) * s.jitterMs) : 0;
      const at = Math.max(lastRelease, Date.now() + wait);
      lastRelease = at;
      this.stats.delayed += 1;
      queue.push({ chunk, at });
      if (timer === void 0)
        timer = setTimeout(drain, Math.max(0, queue[0].at - Date.now()));
    });
  }
};

// src/backends/local/front/front.ts
var grpc5 = __toESM(require_src(), 1);

// src/backends/local/common/methods.ts
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

// src/backends/local/common/mutex.ts
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

// src/backends/local/common/statuses.ts
var grpc = __toESM(require_src(), 1);
var REPLICATE_VIOLATION_REASON = "code: STREAMING_CODE_REPLICATE_VIOLATION, cause: non-replicate message cannot be received in secondary role";
var MILVUS_UNEXPECTED_CODE = 65535;
function milvusStatus(code, reason, errorCode = "UnexpectedError") {
  return { error_code: errorCode, code, reason };
}
function invalidParameter(msg) {
  return milvusStatus(1100, `${msg}: invalid parameter`, "IllegalArgument");
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

// src/backends/local/replication/auto-id.ts
function autoIdOf(schemaBytes) {
  if (!schemaBytes || schemaBytes.length === 0) return void 0;
  const schema = decode("schema.CollectionSchema", schemaBytes);
  const pk = (schema.fields ?? []).find((f) => f.is_primary_key);
  if (!pk?.name || !(pk.autoID || schema.autoID)) return void 0;
  return { name: pk.name, isString: pk.data_type === "VarChar" };
}
function withoutAutoId(req) {
  const schema = decode("schema.CollectionSchema", req.schema);
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
  const res = decodeResponse("DescribeCollection", response);
  if (!res.schema) return response;
  res.schema.autoID = true;
  for (const f of res.schema.fields ?? []) if (f.name === field) f.autoID = true;
  return encodeResponse("DescribeCollection", res);
}

// src/backends/local/replication/channel-map.ts
import { join } from "node:path";

// src/backends/local/common/state.ts
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

// src/backends/local/replication/channel-map.ts
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
  /** Every collection something of which is loaded (what a restarted cluster loads again). */
  loadedCollections() {
    return Object.entries(this.state.loaded ?? {}).flatMap(
      ([db, colls]) => Object.keys(colls).map((name) => ({ db, name }))
    );
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

// src/backends/local/replication/checkpoints.ts
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

// src/backends/local/replication/config-store.ts
import { createHash } from "node:crypto";
import { join as join3 } from "node:path";

// src/backends/local/replication/replicate-config.ts
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

// src/backends/local/replication/force-promote.ts
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

// src/backends/local/replication/config-store.ts
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

// src/backends/local/replication/replicate-apply.ts
var grpc2 = __toESM(require_src(), 1);
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
              } else if (m.method === FLUSH_ALL_METHOD) {
                newest = m;
                confirms.push(confirmation(m));
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
        grpc2.status.FAILED_PRECONDITION,
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
        grpc2.status.FAILED_PRECONDITION,
        `pchannel '${srcPch}' is not a pchannel of source cluster '${source}' in the replicate configuration`
      );
    }
    const method = props._method ?? "";
    if (!MUTATING_METHODS.has(method) && method !== ANNOUNCE_METHOD) {
      throw new FrontError(grpc2.status.INVALID_ARGUMENT, `replicated message has unknown method '${method}'`);
    }
    let tt;
    try {
      tt = BigInt(props._tt ?? "");
    } catch {
      throw new FrontError(grpc2.status.INVALID_ARGUMENT, `replicated message has invalid _tt '${props._tt}'`);
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
    const md = new grpc2.Metadata();
    md.set("dbname", m.db);
    let res;
    let recordDuplicates;
    try {
      recordDuplicates = prepared ? prepared.recorder : await d.dups.before(m.method, m.payload, m.db, plan.collection);
      res = await d.liteApply.apply(m.method, mreq, m.payload, m.db, md, void 0, true);
    } catch (e) {
      throw new FrontError(
        grpc2.status.INTERNAL,
        `apply of ${m.method} on '${m.collection}' failed: ${e.details ?? e.message}`
      );
    }
    const st = responseStatus(m.method, res);
    if (!isSuccess(st)) {
      throw new FrontError(
        grpc2.status.INTERNAL,
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

// src/backends/local/replication/replicate-stream.ts
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

// src/backends/local/front/add-field.ts
var grpc3 = __toESM(require_src(), 1);
import { randomBytes } from "node:crypto";
import { join as join4 } from "node:path";

// src/backends/local/front/lite-rows.ts
function pkLiteral(pk, key) {
  return pk.data_type === "VarChar" ? JSON.stringify(key) : key;
}
function pkColumn(columns, pk) {
  const col = columns.find((c) => c.field_name === pk.name);
  return (pk.data_type === "VarChar" ? col?.scalars?.string_data?.data : col?.scalars?.long_data?.data) ?? [];
}
async function* rowPages(call, o) {
  const pkName = o.pk.name ?? "";
  const filter = o.expr?.trim() ? `(${o.expr})` : "";
  let last;
  for (; ; ) {
    const after = last === void 0 ? "" : `${pkName} > ${pkLiteral(o.pk, last)}`;
    const res = decodeResponse(
      "Query",
      await call(
        "Query",
        encodeRequest("Query", {
          db_name: o.db,
          collection_name: o.collection,
          expr: filter && after ? `${filter} and ${after}` : filter || after,
          output_fields: [.../* @__PURE__ */ new Set([pkName, ...o.fields])],
          partition_names: o.partition ? [o.partition] : [],
          consistency_level: "Strong",
          query_params: [
            { key: "limit", value: String(o.page) },
            { key: "iterator", value: "True" }
          ]
        })
      )
    );
    if (!isSuccess(res.status))
      throw (o.fail ?? ((st) => new Error(`reading '${o.collection}' failed: ${st?.reason ?? st?.code}`)))(
        res.status
      );
    const columns = res.fields_data ?? [];
    const keys = pkColumn(columns, o.pk);
    if (keys.length === 0) return;
    yield { columns, keys };
    if (keys.length < o.page) return;
    last = keys[keys.length - 1];
  }
}

// src/backends/local/front/add-field.ts
var METHOD = "AddCollectionField";
var MAX_FIELD_NUM = 64;
var MAX_VECTOR_FIELD_NUM = 4;
var MAX_VARCHAR_LENGTH = 65535;
var MAX_ARRAY_CAPACITY = 4096;
var SYSTEM_FIELDS = /* @__PURE__ */ new Set(["RowID", "Timestamp", "$meta", "__virtual_pk__"]);
var VECTOR_TYPES = /* @__PURE__ */ new Set([
  "BinaryVector",
  "FloatVector",
  "Float16Vector",
  "BFloat16Vector",
  "SparseFloatVector",
  "Int8Vector"
]);
var PAGE_ROWS = 1e4;
var PAGE_BYTES = 64 * 1024 * 1024;
var DEFAULT_PARTITION = "_default";
var missing = (msg) => milvusStatus(1101, `${msg}: missing parameter`, "IllegalArgument");
var param = (f, key) => kvValue(f.type_params, key);
function validateAddField(schema, field) {
  const fields = schema.fields ?? [];
  const name = field.name ?? "";
  const type = field.data_type ?? "None";
  if (fields.length >= MAX_FIELD_NUM)
    return invalidParameter(`The number of fields has reached the maximum value ${MAX_FIELD_NUM}`);
  if (fields.some((f) => f.name === name)) return invalidParameter(`duplicated field name ${name}`);
  if (type === "None" || /^\d+$/.test(type))
    return invalidParameter(`expected=valid field, actual=field data type: ${type} is not supported`);
  if (SYSTEM_FIELDS.has(name))
    return invalidParameter(`not support to add system field, field name = ${name}`);
  if (field.is_primary_key) return invalidParameter(`not support to add pk field, field name = ${name}`);
  if (field.autoID)
    return invalidParameter(`only primary field can speficy AutoID with true, field name = ${name}`);
  if (field.is_partition_key)
    return invalidParameter(`not support to add partition key field, field name  = ${name}`);
  if (VECTOR_TYPES.has(type)) {
    if (fields.filter((f) => VECTOR_TYPES.has(f.data_type ?? "")).length >= MAX_VECTOR_FIELD_NUM)
      return milvusStatus(
        MILVUS_UNEXPECTED_CODE,
        `maximum vector field's number should be limited to ${MAX_VECTOR_FIELD_NUM}`
      );
    if (type !== "SparseFloatVector" && (field.type_params ?? []).length === 0)
      return invalidParameter(`vector field must have dimension specified, field name = ${name}`);
  }
  if (!field.nullable)
    return invalidParameter(`added field must be nullable, please check it, field name = ${name}`);
  const collection = schema.name ?? "";
  const maxLength = () => {
    const v = param(field, "max_length");
    if (v === void 0)
      return missing(
        `type param(max_length) should be specified for the field(${name}) of collection ${collection}`
      );
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0 || n > MAX_VARCHAR_LENGTH)
      return invalidParameter(
        `the maximum length specified for the field(${name}) should be in (0, ${MAX_VARCHAR_LENGTH}], but got ${v} instead`
      );
    return void 0;
  };
  if (type === "VarChar") return maxLength();
  if (type === "Array") {
    if (field.element_type === "VarChar") {
      const refused2 = maxLength();
      if (refused2) return refused2;
    }
    const v = param(field, "max_capacity");
    if (v === void 0)
      return missing(
        `type param(max_capacity) should be specified for array field ${name} of collection ${collection}`
      );
    const n = Number(v);
    if (!Number.isInteger(n))
      return invalidParameter(`the value for max_capacity of field ${name} must be an integer`);
    if (n <= 0 || n > MAX_ARRAY_CAPACITY)
      return invalidParameter(
        `the maximum capacity specified for a Array should be in (0, ${MAX_ARRAY_CAPACITY}]`
      );
  }
  return defaultMismatch(field);
}
var DEFAULT_SLOTS = {
  bool_data: { types: ["Bool"], expected: "DataType_Bool" },
  int_data: { types: ["Int32", "Int16", "Int8"], expected: "DataType_Int" },
  long_data: { types: ["Int64"], expected: "DataType_Int64" },
  float_data: { types: ["Float"], expected: "DataType_Float" },
  double_data: { types: ["Double"], expected: "DataType_Double" },
  string_data: { types: ["VarChar"], expected: "DataType_VarChar" }
};
function defaultMismatch(field) {
  const slot = Object.keys(field.default_value ?? {}).find((k) => k in DEFAULT_SLOTS);
  const want = slot ? DEFAULT_SLOTS[slot] : void 0;
  if (!want || want.types.includes(field.data_type ?? "")) return void 0;
  return invalidParameter(
    `default value type mismatches field schema type: expected=${want.expected}, actual=not match`
  );
}
function sameField(a, b) {
  return a.name === b.name && (a.data_type ?? "None") === (b.data_type ?? "None") && Boolean(a.nullable) === Boolean(b.nullable) && JSON.stringify(a.default_value ?? null) === JSON.stringify(b.default_value ?? null);
}
function passOn(st) {
  const known = typeof st?.error_code === "string" ? st.error_code : "UnexpectedError";
  return { error_code: known, code: st?.code ?? MILVUS_UNEXPECTED_CODE, reason: st?.reason ?? "" };
}
var Refused = class extends Error {
  status;
  constructor(st) {
    super(st?.reason ?? "refused");
    this.status = passOn(st);
  }
};
var PlantedCrash = class extends Error {
};
var FieldAdder = class {
  constructor(lite, stateDir, log = () => {
  }, testing = {}) {
    this.lite = lite;
    this.log = log;
    this.testing = testing;
    this.file = join4(stateDir, "add-field-journal.json");
  }
  journal = {};
  /** Collections whose add is under way now (their journal entries are not leftovers). */
  running = /* @__PURE__ */ new Set();
  /** Swaps under way, by collection: reads wait for them (see settled). */
  swaps = /* @__PURE__ */ new Map();
  file;
  /** Reads the journal and finishes what a crash left (call before the front serves). */
  async load() {
    this.journal = await readJson(this.file) ?? {};
    await this.recoverLeftovers();
  }
  /** Temporary collections of adds under way or left unfinished: hidden from ShowCollections. */
  hidden(db) {
    return new Set(
      Object.values(this.journal).filter((e) => e.db === db).map((e) => e.temp)
    );
  }
  get swapping() {
    return this.swaps.size > 0;
  }
  /**
   * Resolves once no swap is under way for the collection (for any collection of the database, without
   * a name); undefined when none is. For a moment of a swap Milvus Lite has the collection dropped,
   * then renamed but not yet loaded again; Milvus's add_collection_field shows no such moment, so
   * reads wait it out (the front's unary).
   */
  settled(db, collection) {
    if (!this.swapping) return void 0;
    if (collection) return this.swaps.get(`${db}/${collection}`);
    const mine = [...this.swaps].filter(([k]) => k.startsWith(`${db}/`)).map(([, p]) => p);
    return mine.length > 0 ? Promise.all(mine).then(() => {
    }) : void 0;
  }
  /**
   * Applies an AddCollectionField (the caller holds the collection's channel lock). `replicated`: the
   * request came through replication, so one already applied (a crash before the checkpoint moved)
   * is taken again as done, instead of refused as a duplicate.
   */
  async add(req, db, md, replicated) {
    const name = String(req.collection_name ?? "");
    await this.recoverLeftovers((e) => e.db === db && (e.collection === name || e.aliases.includes(name)));
    const described = decodeResponse(
      "DescribeCollection",
      await this.call("DescribeCollection", { db_name: db, collection_name: name }, md)
    );
    if (!isSuccess(described.status) || !described.schema)
      return statusResponse(
        METHOD,
        described.status ? passOn(described.status) : milvusStatus(100, `collection not found[collection=${name}]`)
      );
    const collection = described.collection_name || name;
    const schema = { ...described.schema, name: collection };
    const field = decode(
      "schema.FieldSchema",
      req.schema ?? Buffer.alloc(0)
    );
    if (replicated) {
      const had = schema.fields?.find((f) => f.name === field.name);
      if (had && sameField(had, field)) return statusResponse(METHOD, {});
    }
    const refused2 = validateAddField(schema, field);
    if (refused2) return statusResponse(METHOD, refused2);
    const key = `${db}/${collection}`;
    this.running.add(key);
    try {
      const entry = {
        db,
        collection,
        temp: await this.freeName(db, collection, md),
        phase: "copy",
        liteLoaded: await this.liteLoaded(db, collection, md),
        aliases: await this.aliases(db, collection, md)
      };
      await this.record(key, entry);
      try {
        await this.copy(entry, schema, field, described.properties ?? [], md);
      } catch (e) {
        if (e instanceof PlantedCrash) throw e;
        await this.rollBack(entry, md).catch(
          (r) => this.log(
            `add_collection_field on '${key}': rolling back failed (${r.message}); retried later`
          )
        );
        if (!this.journal[key]) {
          if (e instanceof Refused) return statusResponse(METHOD, e.status);
          return statusResponse(
            METHOD,
            milvusStatus(
              MILVUS_UNEXPECTED_CODE,
              `add_collection_field on '${collection}' was not applied (the collection is unchanged): ${e.message}`
            )
          );
        }
        throw e;
      }
      if (this.testing.crashAfter === "copied") throw new PlantedCrash("crash planted after the copy");
      entry.phase = "swap";
      await this.record(key, entry);
      let swapped = () => {
      };
      this.swaps.set(
        key,
        new Promise((resolve) => {
          swapped = resolve;
        })
      );
      try {
        await this.rollForward(entry, md);
      } catch (e) {
        if (e instanceof PlantedCrash) throw e;
        this.log(`add_collection_field on '${key}': the swap failed (${e.message}); once more`);
        try {
          await this.rollForward(entry, md);
        } catch (again) {
          throw new Error(
            `add_collection_field on '${collection}': the copy with the new field is complete as '${entry.temp}', but taking the original's place failed (${again.message}); the front completes it when it starts again or at the next add_collection_field`
          );
        }
      } finally {
        this.swaps.delete(key);
        swapped();
      }
      await this.record(key, void 0);
      return statusResponse(METHOD, {});
    } finally {
      this.running.delete(key);
    }
  }
  // ---- steps ---------------------------------------------------------------------------------
  async copy(e, schema, field, properties, md) {
    const { db, collection, temp } = e;
    const fields = schema.fields ?? [];
    const pk = fields.find((f) => f.is_primary_key);
    if (!pk?.name) throw new Error(`collection '${collection}' has no primary key in Milvus Lite's schema`);
    const outputs = /* @__PURE__ */ new Set([
      ...fields.filter((f) => f.is_function_output).map((f) => f.name ?? ""),
      ...(schema.functions ?? []).flatMap((fn) => fn.output_field_names ?? [])
    ]);
    const created = await this.call(
      "CreateCollection",
      {
        db_name: db,
        collection_name: temp,
        schema: encode("schema.CollectionSchema", { ...schema, name: temp, fields: [...fields, field] }),
        properties
      },
      md
    );
    const st = responseStatus("CreateCollection", created);
    if (!isSuccess(st)) throw new Refused(st);
    const byKey = fields.some((f) => f.is_partition_key);
    const partitions = byKey ? [void 0] : await this.partitions(db, collection, md);
    for (const p of partitions)
      if (p && p !== DEFAULT_PARTITION)
        await this.ok("CreatePartition", { db_name: db, collection_name: temp, partition_name: p }, md);
    if (!e.liteLoaded) await this.ok("LoadCollection", { db_name: db, collection_name: collection }, md);
    const read2 = [
      ...fields.filter((f) => f.name && !outputs.has(f.name)).map((f) => f.name),
      ...schema.enable_dynamic_field ? ["$meta"] : []
    ];
    const rowBytes = fields.reduce(
      (n, f) => n + (f.data_type === "FloatVector" ? Number(param(f, "dim") ?? 0) * 4 : 0),
      1024
    );
    const page = Math.max(1, Math.min(this.testing.pageRows ?? PAGE_ROWS, Math.floor(PAGE_BYTES / rowBytes)));
    let copied = 0;
    for (const p of partitions) copied += await this.copyRows(e, pk, read2, outputs, p, page, md);
    const indexes = decodeResponse("DescribeIndex", await this.call("DescribeIndex", { db_name: db, collection_name: collection }, md));
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
            extra_params: (d.params ?? []).filter((kv) => !(kv.key === "metric_type" && !kv.value))
          },
          md
        );
    await this.ok("Flush", { db_name: db, collection_names: [temp] }, md);
    const [had, has] = [await this.count(db, collection, md), await this.count(db, temp, md)];
    if (had !== copied || has !== copied)
      throw new Error(
        `the copy is incomplete: '${collection}' holds ${had} rows, ${copied} were read, the copy holds ${has}`
      );
  }
  /** Copies one partition's rows (all rows: `partition` undefined) in primary-key order; returns how many. */
  async copyRows(e, pk, read2, outputs, partition, page, md) {
    let copied = 0;
    const pages = rowPages((m, b) => this.lite.call(m, b, md), {
      db: e.db,
      collection: e.collection,
      pk,
      fields: read2,
      page,
      partition,
      fail: (st) => new Refused(st)
    });
    for await (const { columns, keys } of pages) {
      await this.ok(
        "Insert",
        {
          db_name: e.db,
          collection_name: e.temp,
          partition_name: partition ?? "",
          fields_data: columns.filter((c) => !outputs.has(c.field_name ?? "")),
          num_rows: keys.length
        },
        md
      );
      copied += keys.length;
    }
    return copied;
  }
  /** Original untouched: the copy is dropped, and the original released again if it was. */
  async rollBack(e, md) {
    if (await this.has(e.db, e.temp, md))
      await this.ok("DropCollection", { db_name: e.db, collection_name: e.temp }, md);
    if (!e.liteLoaded && await this.has(e.db, e.collection, md))
      await this.ok("ReleaseCollection", { db_name: e.db, collection_name: e.collection }, md);
    await this.record(`${e.db}/${e.collection}`, void 0);
  }
  /** The copy is complete: it takes the original's place (every step safe to repeat). */
  async rollForward(e, md) {
    const { db, collection, temp } = e;
    if (await this.has(db, temp, md)) {
      if (await this.has(db, collection, md)) {
        for (const alias of e.aliases)
          await this.ok("AlterAlias", { db_name: db, alias, collection_name: temp }, md);
        await this.ok("DropCollection", { db_name: db, collection_name: collection }, md);
        if (this.testing.crashAfter === "dropped") throw new PlantedCrash("crash planted after the drop");
      }
      await this.ok("RenameCollection", { db_name: db, oldName: temp, newName: collection }, md);
    } else if (!await this.has(db, collection, md)) {
      throw new Error(`neither '${collection}' nor its copy '${temp}' exists in Milvus Lite`);
    }
    if (e.liteLoaded) await this.ok("LoadCollection", { db_name: db, collection_name: collection }, md);
  }
  async recoverLeftovers(which = () => true) {
    for (const [key, e] of Object.entries(this.journal)) {
      if (this.running.has(key) || !which(e)) continue;
      const md = new grpc3.Metadata();
      try {
        if (e.phase === "copy") await this.rollBack(e, md);
        else {
          await this.rollForward(e, md);
          await this.record(key, void 0);
        }
        this.log(
          `add_collection_field on '${key}' left unfinished: ${e.phase === "copy" ? "rolled back" : "completed"}`
        );
      } catch (err) {
        this.log(
          `add_collection_field on '${key}' left unfinished, not recovered yet: ${err.message}`
        );
      }
    }
  }
  // ---- Milvus Lite calls -----------------------------------------------------------------------
  call(method, req, md) {
    return this.lite.call(method, encodeRequest(method, req), md);
  }
  /** A call that must succeed. */
  async ok(method, req, md) {
    const res = await this.call(method, req, md);
    const st = responseStatus(method, res);
    if (!isSuccess(st)) throw new Error(`${method} on Milvus Lite failed: ${st?.reason || st?.code}`);
    return res;
  }
  async has(db, name, md) {
    const res = decodeResponse(
      "HasCollection",
      await this.ok("HasCollection", { db_name: db, collection_name: name }, md)
    );
    return res.value === true;
  }
  async freeName(db, collection, md) {
    for (; ; ) {
      const temp = `_add_field_${randomBytes(6).toString("hex")}_${collection}`.slice(0, 200);
      if (!await this.has(db, temp, md)) return temp;
    }
  }
  async liteLoaded(db, name, md) {
    const res = decodeResponse(
      "GetLoadState",
      await this.ok("GetLoadState", { db_name: db, collection_name: name }, md)
    );
    return res.state === "LoadStateLoaded";
  }
  async aliases(db, name, md) {
    const res = decodeResponse(
      "ListAliases",
      await this.ok("ListAliases", { db_name: db, collection_name: name }, md)
    );
    return res.aliases ?? [];
  }
  async partitions(db, name, md) {
    const res = decodeResponse(
      "ShowPartitions",
      await this.ok("ShowPartitions", { db_name: db, collection_name: name }, md)
    );
    return res.partition_names ?? [];
  }
  /** Rows Milvus Lite holds (count(*) without a filter: its live-row count). */
  async count(db, name, md) {
    const res = decodeResponse(
      "Query",
      await this.ok(
        "Query",
        { db_name: db, collection_name: name, expr: "", output_fields: ["count(*)"] },
        md
      )
    );
    return Number(res.fields_data?.[0]?.scalars?.long_data?.data?.[0] ?? -1);
  }
  async record(key, entry) {
    if (entry) this.journal[key] = { ...entry };
    else delete this.journal[key];
    await writeJsonAtomic(this.file, this.journal);
  }
};
function withoutHidden(response, hidden) {
  if (hidden.size === 0) return response;
  const res = decodeResponse(
    "ShowCollections",
    response
  );
  const names = res.collection_names ?? [];
  const keep = names.map((n) => !hidden.has(n));
  if (keep.every(Boolean)) return response;
  for (const [k, v] of Object.entries(res))
    if (Array.isArray(v) && v.length === names.length) res[k] = v.filter((_, i) => keep[i]);
  return encodeResponse("ShowCollections", res);
}

// src/backends/local/front/text-match.ts
import { join as join5 } from "node:path";

// src/backends/local/front/text-analysis.ts
var import_wink_porter2_stemmer = __toESM(require_wink_porter2_stemmer(), 1);
var ENGLISH_STOP_WORDS = [
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "but",
  "by",
  "for",
  "if",
  "in",
  "into",
  "is",
  "it",
  "no",
  "not",
  "of",
  "on",
  "or",
  "such",
  "that",
  "the",
  "their",
  "then",
  "there",
  "these",
  "they",
  "this",
  "to",
  "was",
  "will",
  "with"
];
var ALPHANUMERIC = /[\p{Alphabetic}\p{N}]+/gu;
function standardTokens(text) {
  const out = [];
  let position = 0;
  for (const m of text.matchAll(ALPHANUMERIC)) out.push({ text: m[0], position: position++ });
  return out;
}
var lowercase = (tokens) => tokens.map((t) => ({ ...t, text: t.text.toLowerCase() }));
var englishStemmer = (tokens) => tokens.map((t) => ({ ...t, text: (0, import_wink_porter2_stemmer.default)(t.text) }));
var stopFilter = (words) => (tokens) => {
  const stop = new Set(words);
  return tokens.filter((t) => !stop.has(t.text));
};
var chain = (filters) => (text) => filters.reduce((tokens, f) => f(tokens), standardTokens(text));
var standardAnalyzer = chain([lowercase]);
function stopWords(v) {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || !list.every((w) => typeof w === "string")) return void 0;
  const out = [];
  for (const w of list) {
    if (w === "_english_") out.push(...ENGLISH_STOP_WORDS);
    else if (/^_[a-z]+_$/.test(w)) return void 0;
    else out.push(w);
  }
  return out;
}
var LOCAL = "the local backend runs the standard and english analyzers and the lowercase, English stemmer and stop filters (Milvus Lite runs jieba); use the kind backend";
function refused(what) {
  return { kind: "refused", reason: `${what} is not supported: ${LOCAL}` };
}
function filterOf(f) {
  if (f === "lowercase") return lowercase;
  if (typeof f === "string") return `analyzer filter '${f}'`;
  if (!f || typeof f !== "object") return `analyzer filter ${JSON.stringify(f)}`;
  const o = f;
  if (o.type === "stemmer") {
    return o.language === "english" ? englishStemmer : `stemmer language '${String(o.language)}'`;
  }
  if (o.type === "stop") {
    const words = stopWords(o.stop_words);
    return words ? stopFilter(words) : `stop filter stop_words ${JSON.stringify(o.stop_words)}`;
  }
  if (o.type === "lowercase") return lowercase;
  return `analyzer filter '${String(o.type)}'`;
}
function analyzerFor(params) {
  let p = params;
  if (typeof p === "string") {
    if (p.trim() === "") p = {};
    else {
      try {
        p = JSON.parse(p);
      } catch {
        return { kind: "refused", reason: `analyzer_params is not JSON: ${p}` };
      }
    }
  }
  if (p === void 0 || p === null) p = {};
  if (typeof p !== "object" || Array.isArray(p)) return refused(`analyzer_params ${JSON.stringify(p)}`);
  const o = p;
  if (o.type !== void 0) {
    const extra2 = Object.keys(o).filter((k) => k !== "type" && k !== "stop_words");
    if (extra2.length > 0) return refused(`analyzer option '${extra2[0]}'`);
    const words = o.stop_words === void 0 ? [] : stopWords(o.stop_words);
    if (!words) return refused(`stop_words ${JSON.stringify(o.stop_words)}`);
    if (o.type === "standard") {
      return words.length === 0 ? { kind: "lite", analyze: standardAnalyzer } : { kind: "front", analyze: chain([lowercase, stopFilter(words)]) };
    }
    if (o.type === "english") {
      const filters2 = [lowercase, englishStemmer, stopFilter(ENGLISH_STOP_WORDS)];
      if (words.length > 0) filters2.push(stopFilter(words));
      return { kind: "front", analyze: chain(filters2) };
    }
    return refused(`analyzer type '${String(o.type)}'`);
  }
  if (Object.keys(o).length === 0) return { kind: "lite", analyze: standardAnalyzer };
  const tokenizer = typeof o.tokenizer === "object" && o.tokenizer ? o.tokenizer.type : o.tokenizer;
  if (tokenizer === "jieba" && o.filter === void 0) return { kind: "lite" };
  if (tokenizer !== "standard") return refused(`tokenizer ${JSON.stringify(o.tokenizer)}`);
  if (typeof o.tokenizer === "object" && Object.keys(o.tokenizer).some((k) => k !== "type"))
    return refused(`tokenizer options ${JSON.stringify(o.tokenizer)}`);
  const extra = Object.keys(o).filter((k) => k !== "tokenizer" && k !== "filter");
  if (extra.length > 0) return refused(`analyzer option '${extra[0]}'`);
  const raw = o.filter === void 0 ? [] : o.filter;
  if (!Array.isArray(raw)) return refused(`analyzer filter ${JSON.stringify(raw)}`);
  const filters = [];
  for (const f of raw) {
    const got = filterOf(f);
    if (typeof got === "string") return refused(got);
    filters.push(got);
  }
  if (filters.length === 0) return { kind: "front", analyze: chain([]) };
  if (filters.length === 1 && raw[0] === "lowercase") return { kind: "lite", analyze: standardAnalyzer };
  return { kind: "front", analyze: chain(filters) };
}
function textMatches(doc, query, minimumShouldMatch = 1) {
  const terms = new Set(query.map((t) => t.text));
  const seen = /* @__PURE__ */ new Set();
  for (const t of doc) if (terms.has(t.text)) seen.add(t.text);
  return seen.size >= Math.max(1, Math.min(minimumShouldMatch, terms.size));
}
function phraseMatches(doc, phrase, slop) {
  if (phrase.length === 0) return false;
  const base = phrase[0]?.position ?? 0;
  const terms = phrase.map((t) => ({ text: t.text, offset: t.position - base }));
  const positions = terms.map((t) => doc.filter((d) => d.text === t.text).map((d) => d.position));
  if (positions.some((p) => p.length === 0)) return false;
  const used = /* @__PURE__ */ new Set();
  const pick = (i, lo, hi) => {
    if (i === terms.length) return hi - lo <= slop;
    const term = terms[i];
    for (const p of positions[i]) {
      if (used.has(p)) continue;
      const d = p - term.offset;
      const nlo = Math.min(lo, d);
      const nhi = Math.max(hi, d);
      if (nhi - nlo > slop) continue;
      used.add(p);
      if (pick(i + 1, nlo, nhi)) return true;
      used.delete(p);
    }
    return false;
  };
  return pick(0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
}

// src/backends/local/front/text-match.ts
var LITE_ANALYZER = JSON.stringify({ type: "standard" });
var param2 = (f, key) => kvValue(f.type_params, key);
var analyzed = (f) => (param2(f, "enable_analyzer") ?? "").toLowerCase() === "true";
var AnalyzerStore = class {
  kept = {};
  file;
  constructor(stateDir) {
    this.file = join5(stateDir, "analyzers.json");
  }
  async load() {
    this.kept = await readJson(this.file) ?? {};
  }
  /**
   * A CreateCollection's schema as Milvus Lite gets it: fields the front analyzes get `standard`.
   * Returns the refusal of an analyzer neither runs, or the schema to send and what to keep once
   * Milvus Lite took it (`created`).
   */
  plan(schemaBytes) {
    if (!schemaBytes || schemaBytes.length === 0) return { keep: {} };
    const schema = decode("schema.CollectionSchema", schemaBytes);
    const keep = {};
    for (const f of schema.fields ?? []) {
      if (f.data_type !== "VarChar" || !analyzed(f)) continue;
      if (param2(f, "multi_analyzer_params") !== void 0)
        return {
          refused: `field '${f.name}': multi_analyzer_params is not supported by the local backend; use the kind backend`
        };
      const asked = param2(f, "analyzer_params");
      const kind = analyzerFor(asked);
      if (kind.kind === "refused") return { refused: `field '${f.name}': ${kind.reason}` };
      if (kind.kind !== "front") continue;
      keep[f.name ?? ""] = asked ?? "";
      for (const p of f.type_params ?? []) if (p.key === "analyzer_params") p.value = LITE_ANALYZER;
    }
    if (Object.keys(keep).length === 0) return { keep };
    return { schema: encode("schema.CollectionSchema", schema), keep };
  }
  async created(db, collection, keep) {
    const key = `${db}/${collection}`;
    if (Object.keys(keep).length === 0 && !(key in this.kept)) return;
    if (Object.keys(keep).length === 0) delete this.kept[key];
    else this.kept[key] = keep;
    await this.save();
  }
  async dropped(db, collection) {
    const before = Object.keys(this.kept).length;
    for (const k of Object.keys(this.kept))
      if (collection === void 0 ? k.startsWith(`${db}/`) : k === `${db}/${collection}`)
        delete this.kept[k];
    if (Object.keys(this.kept).length !== before) await this.save();
  }
  async renamed(db, from, toDb, to) {
    const k = `${db}/${from}`;
    const v = this.kept[k];
    if (!v) return;
    delete this.kept[k];
    this.kept[`${toDb}/${to}`] = v;
    await this.save();
  }
  keptOf(db, collection) {
    return this.kept[`${db}/${collection}`];
  }
  /** A DescribeCollection answer with the analyzers the front runs reported as asked. */
  describe(res, db, collection) {
    const kept = this.keptOf(db, collection);
    if (!kept) return res;
    const out = decodeResponse("DescribeCollection", res);
    let changed = false;
    for (const f of out.schema?.fields ?? []) {
      const asked = kept[f.name ?? ""];
      if (asked === void 0) continue;
      for (const p of f.type_params ?? [])
        if (p.key === "analyzer_params") {
          p.value = asked;
          changed = true;
        }
    }
    return changed ? encodeResponse("DescribeCollection", out) : res;
  }
  save() {
    return writeJsonAtomic(this.file, this.kept);
  }
};
function mayMatch(request) {
  return request.includes("_MATCH") || request.includes("_match") || request.includes("_Match");
}
var CALL = /\b(TEXT_MATCH|PHRASE_MATCH)\s*\(/giy;
function literal(expr, i) {
  const q = expr[i];
  if (q !== "'" && q !== '"') return void 0;
  let value = "";
  for (let j = i + 1; j < expr.length; j++) {
    const c = expr[j];
    if (c === "\\" && j + 1 < expr.length) {
      const n = expr[++j];
      value += n === "n" ? "\n" : n === "t" ? "	" : n;
    } else if (c === q) return { value, end: j + 1 };
    else value += c;
  }
  return void 0;
}
function matchCalls(expr) {
  const calls = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === "'" || c === '"') {
      i = literal(expr, i)?.end ?? expr.length;
      continue;
    }
    CALL.lastIndex = i;
    const m = /[A-Za-z_]/.test(c) && (i === 0 || !/[\w$]/.test(expr[i - 1])) ? CALL.exec(expr) : null;
    if (!m) {
      i++;
      continue;
    }
    const fn = m[1].toUpperCase();
    const bad = () => new Error(`cannot read ${fn} at ${m.index} of the filter '${expr}'`);
    let j = m.index + m[0].length;
    const ws = () => {
      while (j < expr.length && /\s/.test(expr[j])) j++;
    };
    ws();
    const fm = /^[A-Za-z_$][\w$]*/.exec(expr.slice(j));
    if (!fm) throw bad();
    const field = fm[0];
    j += field.length;
    ws();
    if (expr[j] !== ",") throw bad();
    j++;
    ws();
    const lit = literal(expr, j);
    if (!lit) throw bad();
    j = lit.end;
    ws();
    let number;
    if (expr[j] === ",") {
      j++;
      ws();
      const nm = /^(?:minimum_should_match\s*=\s*)?(\d+)/.exec(expr.slice(j));
      if (!nm) throw bad();
      number = Number(nm[1]);
      j += nm[0].length;
      ws();
    }
    if (expr[j] !== ")") throw bad();
    calls.push({ fn, start: m.index, end: j + 1, field, text: lit.value, number });
    i = j + 1;
  }
  return calls;
}
function fieldAnalyzers(schema, kept) {
  const out = /* @__PURE__ */ new Map();
  for (const f of schema.fields ?? []) {
    if (!analyzed(f)) continue;
    const name = f.name ?? "";
    out.set(name, analyzerFor(kept?.[name] ?? param2(f, "analyzer_params")));
  }
  return out;
}
function pkList(pk, keys) {
  return `${pk.name} in [${keys.map((k) => pkLiteral(pk, k)).join(",")}]`;
}
async function collectionText(call, store, db, collection) {
  const res = decodeResponse(
    "DescribeCollection",
    await call(
      "DescribeCollection",
      encodeRequest("DescribeCollection", { db_name: db, collection_name: collection })
    )
  );
  const pk = res.schema?.fields?.find((f) => f.is_primary_key);
  if (!res.schema || !pk) return void 0;
  return { schema: res.schema, pk, analyzers: fieldAnalyzers(res.schema, store.keptOf(db, collection)) };
}
var PAGE = 1e4;
async function scanRows(call, db, collection, pk, fields, opts = {}) {
  const keys = [];
  const values = new Map(fields.map((f) => [f, []]));
  const partitions = opts.partitions?.length ? opts.partitions : [void 0];
  for (const partition of partitions)
    for await (const page of rowPages(call, {
      db,
      collection,
      pk,
      fields,
      page: PAGE,
      expr: opts.expr,
      partition
    })) {
      keys.push(...page.keys);
      const n = page.keys.length;
      for (const f of fields) {
        const col = page.columns.find((c) => c.field_name === f);
        const data = col?.scalars?.string_data?.data ?? [];
        const valid = col?.valid_data;
        const out = values.get(f);
        let k = 0;
        for (let r = 0; r < n; r++) {
          if (valid && valid.length === n && !valid[r]) {
            out.push(null);
            if (data.length === n) k++;
          } else out.push(data[k++] ?? null);
        }
      }
    }
  return { keys, values };
}
function analyzerOfField(text, fn, field) {
  const kind = text.analyzers.get(field);
  if (!kind)
    throw new Error(`field '${field}' is not analyzed: ${fn} needs enable_analyzer and enable_match`);
  if (kind.kind === "refused") throw new Error(`field '${field}': ${kind.reason}`);
  if (!kind.analyze)
    throw new Error(
      `${fn} on field '${field}' is not supported by the local backend (its analyzer runs in Milvus Lite only); use the kind backend`
    );
  return kind.analyze;
}
async function rewriteMatches(expr, text, call, db, collection) {
  const calls = matchCalls(expr);
  if (calls.length === 0) return expr;
  const t = await text();
  if (!t) return expr;
  const mine = calls.filter((c) => c.fn === "PHRASE_MATCH" || t.analyzers.get(c.field)?.kind === "front");
  if (mine.length === 0) return expr;
  const fields = [...new Set(mine.map((c) => c.field))];
  const analyzers = new Map(
    fields.map((f) => [f, analyzerOfField(t, mine.find((c) => c.field === f)?.fn ?? "", f)])
  );
  const rows = await scanRows(call, db, collection, t.pk, fields);
  const docs = /* @__PURE__ */ new Map();
  for (const f of fields) {
    const analyze = analyzers.get(f);
    docs.set(
      f,
      (rows.values.get(f) ?? []).map((v) => v === null ? [] : analyze(v))
    );
  }
  let out = "";
  let at = 0;
  for (const c of calls) {
    out += expr.slice(at, c.start);
    at = c.end;
    if (!mine.includes(c)) {
      out += expr.slice(c.start, c.end);
      continue;
    }
    const analyze = analyzers.get(c.field) ?? standardAnalyzer;
    const q = analyze(c.text);
    const fieldDocs = docs.get(c.field) ?? [];
    const hits = rows.keys.filter(
      (_, r) => c.fn === "PHRASE_MATCH" ? phraseMatches(fieldDocs[r] ?? [], q, c.number ?? 0) : textMatches(fieldDocs[r] ?? [], q, c.number ?? 1)
    );
    out += `(${pkList(t.pk, hits)})`;
  }
  return out + expr.slice(at);
}

// src/backends/local/front/bm25.ts
var refusal = (reason) => statusResponse("Search", invalidParameter(reason));
function textQueries(req) {
  if (!req.placeholder_group || req.placeholder_group.length === 0) return void 0;
  const group = decode(
    "common.PlaceholderGroup",
    req.placeholder_group
  );
  const p = group.placeholders?.[0];
  if (p?.type !== "VarChar") return void 0;
  return (p.values ?? []).map((v) => v.toString("utf8"));
}
function numberParam(kvs, key) {
  const flat = kvValue(kvs, key);
  if (flat !== void 0) return Number(flat);
  const json = kvValue(kvs, "params");
  if (!json) return void 0;
  try {
    const v = JSON.parse(json)[key];
    return v === void 0 ? void 0 : Number(v);
  } catch {
    return void 0;
  }
}
async function indexParams(call, db, collection, field) {
  const res = decodeResponse(
    "DescribeIndex",
    await call(
      "DescribeIndex",
      encodeRequest("DescribeIndex", { db_name: db, collection_name: collection, field_name: field })
    )
  );
  const params = res.index_descriptions?.find((d) => d.field_name === field)?.params;
  return { k1: numberParam(params, "bm25_k1") ?? 1.2, b: numberParam(params, "bm25_b") ?? 0.75 };
}
function bm25Scores(docs, query, k1, b) {
  const n = docs.length;
  const avgdl = n === 0 ? 0 : docs.reduce((s, d) => s + d.length, 0) / n;
  const qtf = /* @__PURE__ */ new Map();
  for (const t of query) qtf.set(t.text, (qtf.get(t.text) ?? 0) + 1);
  const tfs = docs.map((d) => {
    const m = /* @__PURE__ */ new Map();
    for (const t of d) if (qtf.has(t.text)) m.set(t.text, (m.get(t.text) ?? 0) + 1);
    return m;
  });
  const idf = /* @__PURE__ */ new Map();
  for (const term of qtf.keys()) {
    const df = tfs.reduce((s, m) => s + (m.has(term) ? 1 : 0), 0);
    idf.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  }
  return tfs.map((m, i) => {
    const dl = docs[i].length;
    let score = 0;
    for (const [term, tf] of m) {
      const norm = avgdl === 0 ? 1 : 1 - b + b * dl / avgdl;
      score += (qtf.get(term) ?? 0) * (idf.get(term) ?? 0) * (tf * (k1 + 1) / (tf + k1 * norm));
    }
    return score;
  });
}
function takeRows(col, rows, total) {
  const out = { ...col };
  if (col.valid_data && col.valid_data.length === total)
    out.valid_data = rows.map((r) => col.valid_data?.[r] ?? false);
  if (col.scalars) {
    const scalars = {};
    for (const [k, v] of Object.entries(col.scalars)) {
      if (!v || !Array.isArray(v.data)) {
        scalars[k] = v;
        continue;
      }
      const data = v.data;
      if (data.length !== total && data.length > 0)
        throw new Error(
          `cannot order the column '${col.field_name}' (${data.length} values for ${total} rows)`
        );
      scalars[k] = { ...v, data: data.length === 0 ? [] : rows.map((r) => data[r]) };
    }
    out.scalars = scalars;
  }
  if (col.vectors) {
    const dim = Number(col.vectors.dim ?? 0);
    const fv = col.vectors.float_vector;
    const sv = col.vectors.sparse_float_vector;
    if (fv?.data)
      out.vectors = {
        ...col.vectors,
        float_vector: { data: rows.flatMap((r) => fv.data?.slice(r * dim, (r + 1) * dim) ?? []) }
      };
    else if (sv?.contents)
      out.vectors = {
        ...col.vectors,
        sparse_float_vector: { ...sv, contents: rows.map((r) => sv.contents?.[r]) }
      };
    else
      throw new Error(
        `cannot return the vector field '${col.field_name}' from a BM25 search on the local backend`
      );
  }
  return out;
}
function parseSearch(request) {
  const req = decodeRequest("Search", request);
  return { req, queries: textQueries(req) };
}
async function bm25Target(req, queries, db, call, store, realName) {
  if (!queries) return void 0;
  const collection = realName(req.collection_name ?? "");
  if (!store.keptOf(db, collection)) return void 0;
  const text = await collectionText(call, store, db, collection);
  if (!text) return void 0;
  const kvs = req.search_params ?? [];
  const bm25 = (text.schema.functions ?? []).filter((f) => f.type === "BM25");
  const anns = kvValue(kvs, "anns_field") || (bm25.length === 1 ? bm25[0]?.output_field_names?.[0] : void 0);
  const fn = bm25.find((f) => f.output_field_names?.includes(anns ?? ""));
  const input = fn?.input_field_names?.[0];
  const kind = input === void 0 ? void 0 : text.analyzers.get(input);
  if (!fn || !input || !anns || kind?.kind !== "front") return void 0;
  return { collection, queries, text, kvs, anns, input, analyze: kind.analyze };
}
async function hybridRefusal(request, db, call, store, realName) {
  const req = decodeRequest("HybridSearch", request);
  if (!store.keptOf(db, realName(req.collection_name ?? ""))) return void 0;
  for (const sub of req.requests ?? []) {
    const t = await bm25Target(
      { ...sub, collection_name: req.collection_name },
      textQueries(sub),
      db,
      call,
      store,
      realName
    );
    if (t)
      return statusResponse(
        "HybridSearch",
        invalidParameter(
          `a hybrid search with a BM25 request on '${t.input}', whose analyzer the local backend runs itself, is not supported; use the kind backend`
        )
      );
  }
  return void 0;
}
async function bm25Search(search, db, call, store, realName) {
  const { req, queries: asked } = search;
  const target = await bm25Target(req, asked, db, call, store, realName);
  if (!target) return void 0;
  const { collection, queries, text, kvs, anns, input, analyze } = target;
  const metric = kvValue(kvs, "metric_type");
  if (metric && metric.toUpperCase() !== "BM25")
    return refusal(`metric type not match: expected=BM25, actual=${metric}`);
  for (const key of ["group_by_field", "radius", "range_filter"])
    if (kvValue(kvs, key) !== void 0 || numberParam(kvs, key) !== void 0)
      return refusal(
        `${key} on a BM25 search of a field whose analyzer the local backend runs itself ('${input}') is not supported; use the kind backend`
      );
  const limit = Number(kvValue(kvs, "topk") ?? kvValue(kvs, "limit") ?? 10);
  const offset = Number(kvValue(kvs, "offset") ?? 0);
  const round = Number(kvValue(kvs, "round_decimal") ?? -1);
  if (!Number.isInteger(limit) || limit <= 0) return refusal(`topk must be a positive integer, got ${limit}`);
  const partitions = req.partition_names ?? [];
  const all = await scanRows(call, db, collection, text.pk, [input], { partitions });
  let candidates;
  if (req.dsl && req.dsl.trim() !== "") {
    const expr = await rewriteMatches(req.dsl, async () => text, call, db, collection);
    candidates = new Set((await scanRows(call, db, collection, text.pk, [], { expr, partitions })).keys);
  }
  const docs = (all.values.get(input) ?? []).map((v) => v === null ? [] : analyze(v));
  const { k1, b } = await indexParams(call, db, collection, anns);
  const ids = [];
  const scores = [];
  const topks = [];
  for (const q of queries) {
    const s = bm25Scores(docs, analyze(q), k1, b);
    const ranked = all.keys.map((key, i) => ({ key, score: s[i] })).filter((h) => h.score > 0 && (!candidates || candidates.has(h.key))).sort((x, y) => y.score - x.score).slice(offset, offset + limit);
    topks.push(ranked.length);
    for (const h of ranked) {
      ids.push(h.key);
      scores.push(round >= 0 ? Number(h.score.toFixed(round)) : h.score);
    }
  }
  const outputFields = req.output_fields ?? [];
  let fieldsData = [];
  let outputNames = [];
  if (outputFields.length > 0 && ids.length > 0) {
    const unique = [...new Set(ids)];
    const expr = pkList(text.pk, unique);
    const got = decodeResponse(
      "Query",
      await call(
        "Query",
        encodeRequest("Query", {
          db_name: db,
          collection_name: collection,
          expr,
          output_fields: [.../* @__PURE__ */ new Set([text.pk.name ?? "", ...outputFields])],
          consistency_level: "Strong"
        })
      )
    );
    if (got.status && !isSuccess(got.status)) return encodeResponse("Search", { status: got.status });
    const cols = got.fields_data ?? [];
    const keyCol = cols.find((c) => c.field_name === text.pk.name);
    const keys = (keyCol?.scalars?.long_data?.data ?? keyCol?.scalars?.string_data?.data ?? []).map(String);
    const at = new Map(keys.map((k, i) => [k, i]));
    const rows = ids.map((k) => at.get(String(k)) ?? -1);
    if (rows.includes(-1)) throw new Error(`rows of '${collection}' vanished during a BM25 search`);
    const wanted = cols.filter(
      (c) => c.field_name !== text.pk.name || outputFields.includes(text.pk.name ?? "")
    );
    fieldsData = wanted.map((c) => takeRows(c, rows, keys.length));
    outputNames = wanted.map((c) => c.field_name ?? "");
  }
  const isString = text.pk.data_type === "VarChar";
  return encodeResponse("Search", {
    status: {},
    collection_name: collection,
    results: {
      num_queries: queries.length,
      top_k: limit,
      scores,
      topks,
      ids: isString ? { str_id: { data: ids.map(String) } } : { int_id: { data: ids.map(String) } },
      fields_data: fieldsData,
      output_fields: outputNames,
      primary_field_name: text.pk.name
    }
  });
}
function liteBm25AsMilvus(search, response) {
  if (!search.queries) return response;
  const res = decodeResponse(
    "Search",
    response
  );
  if (res.status && !isSuccess(res.status) || !res.results) return response;
  const flip = (xs) => xs?.map((x) => x === 0 ? 0 : -x);
  res.results.scores = flip(res.results.scores);
  if (res.results.distances?.length) res.results.distances = flip(res.results.distances);
  return encodeResponse("Search", res);
}
function withBm25Metric(search, request) {
  const { req } = search;
  if (!search.queries || kvValue(req.search_params, "metric_type")) return request;
  const params = (req.search_params ?? []).filter((p) => p.key !== "metric_type");
  params.push({ key: "metric_type", value: "BM25" });
  return encodeRequest("Search", { ...req, search_params: params });
}

// src/backends/local/front/duplicates.ts
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

// src/backends/local/front/rbac.ts
import { join as join6 } from "node:path";
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
    this.file = join6(stateDir, "rbac.json");
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

// src/backends/local/front/lite-apply.ts
var LiteApply = class {
  constructor(lite, channels, kept) {
    this.lite = lite;
    this.channels = channels;
    this.kept = kept;
  }
  async apply(method, req, body, db, md, deadline, replicated = false) {
    if (RBAC_WRITES.has(method)) return this.kept.rbac.call(method, body);
    if (method === "AddCollectionField") return this.kept.fields.add(req, db, md, replicated);
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
    if (!isSuccess(responseStatus(method, res))) return res;
    if (method === "DropIndex" || method === "DropCollection")
      await this.kept.indexTypes.dropped(
        method,
        db,
        name,
        req.field_name,
        req.index_name
      );
    if (method === "DropCollection") await this.kept.analyzers.dropped(db, name);
    if (method === "DropDatabase") await this.kept.analyzers.dropped(String(req.db_name ?? db));
    if (method === "RenameCollection")
      await this.kept.analyzers.renamed(
        db,
        String(req.oldName ?? ""),
        String(req.newDBName || db),
        String(req.newName ?? "")
      );
    return res;
  }
  async toLite(method, req, body, db, md, deadline) {
    const name = String(req.collection_name ?? "");
    const scoped = { db_name: db, collection_name: name };
    switch (method) {
      case "CreateCollection": {
        const plan = this.kept.analyzers.plan(req.schema);
        if ("refused" in plan)
          return statusResponse(method, milvusStatus(1100, plan.refused, "IllegalArgument"));
        const asSent = plan.schema ? { ...req, schema: plan.schema } : req;
        const auto = autoIdOf(req.schema);
        const res = await this.lite.call(
          method,
          auto ? withoutAutoId(asSent) : plan.schema ? encodeRequest(method, asSent) : body,
          md,
          deadline
        );
        if (!isSuccess(responseStatus(method, res))) return res;
        await this.kept.analyzers.created(db, name, plan.keep);
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

// src/backends/local/front/lite-link.ts
var grpc4 = __toESM(require_src(), 1);
var identity = (b) => b;
var MAX_MESSAGE = 256 * 1024 * 1024;
var HOP_HEADERS = /* @__PURE__ */ new Set(["authorization", "user-agent", "content-type", "te", "host"]);
var LiteLink = class {
  client;
  constructor(address) {
    this.client = new grpc4.Client(address, grpc4.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE,
      "grpc.max_send_message_length": MAX_MESSAGE
    });
  }
  call(method, request, md = new grpc4.Metadata(), deadline) {
    const out = new grpc4.Metadata();
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
          else if (err.code === grpc4.status.UNIMPLEMENTED)
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

// src/backends/local/front/primary-writes.ts
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
  /**
   * A flush-all point on every channel, after every write acknowledged before it: one FlushAll entry per
   * channel sharing one time tick, as Milvus Backup's `create` records a FlushAll message per physical
   * channel (the backup's point). Returns each channel's entry. Call with every channel locked.
   */
  async flushAllPoint() {
    const payload = encodeRequest(FLUSH_ALL_METHOD, {}).toString("base64");
    const tt = this.tt.next().toString();
    const points = [];
    for (const pch of this.d.pchannels) {
      const messageId = await this.d.wal.append(pch, {
        tt,
        method: FLUSH_ALL_METHOD,
        kind: kindOf(FLUSH_ALL_METHOD),
        db: "",
        collection: "",
        payload
      });
      points.push({ pchannel: pch, messageId, timeTick: tt });
    }
    return points;
  }
};

// src/backends/local/front/resource-groups.ts
import { join as join7 } from "node:path";
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
    this.file = join7(stateDir, "resource-groups.json");
  }
  async load() {
    this.groups = await readJson(this.file) ?? {};
  }
  /** Every resource-group call is answered here: reads, writes (per cluster) and the refused node moves. */
  static answers(method) {
    return READS.has(method) || RESOURCE_GROUP_WRITES.has(method) || NO_NODES.has(method);
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
  /** Answers one client's resource-group call, on whichever cluster it was made. */
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

// src/backends/local/front/scalar-index-types.ts
import { join as join8 } from "node:path";
var EMULATED = /* @__PURE__ */ new Set(["TRIE", "STL_SORT", "BITMAP"]);
var LITE_REFUSES_SCALAR_INDEX = /does not support scalar index|has type JSON; create_index with index_type '\w+' requires a vector field/;
var keyOf = (db, collection, field) => `${db}/${collection}/${field}`;
var ScalarIndexTypes = class {
  kept = {};
  file;
  constructor(stateDir) {
    this.file = join8(stateDir, "scalar-index-types.json");
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
      if (sent !== body) this.kept[key] = { type: asked, index_name: req.index_name || field };
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
  /**
   * After a DropIndex or DropCollection that Milvus Lite applied. A DropIndex names its index by field,
   * by index name (pymilvus's drop_index sends only the name), or neither (every index of the collection).
   */
  dropped(method, db, collection, field, indexName) {
    const prefix = keyOf(db, collection, "");
    if (method === "DropIndex" && field) return this.forget((k) => k === keyOf(db, collection, field));
    if (method === "DropIndex" && indexName)
      return this.forget(
        (k) => k.startsWith(prefix) && (this.kept[k]?.virtual?.index_name ?? this.kept[k]?.index_name ?? k.slice(prefix.length)) === indexName
      );
    return this.forget((k) => k.startsWith(prefix));
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

// src/backends/local/front/search-iterator.ts
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
function truthy(v) {
  return v !== void 0 && v.toLowerCase() === "true";
}
function metricOf(kvs) {
  const direct = kvValue(kvs, "metric_type");
  if (direct) return direct.toUpperCase();
  const raw = kvValue(kvs, "params");
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
  if (!truthy(kvValue(kvs, ITER_KEYS.v2))) return void 0;
  const batch = Number(kvValue(kvs, ITER_KEYS.batchSize) ?? kvValue(kvs, "topk") ?? 0);
  if (!Number.isInteger(batch) || batch <= 0)
    return refusal2(`search iterator v2: ${ITER_KEYS.batchSize} must be a positive integer`);
  if (Number(req.nq ?? 1) > 1) return refusal2("search iterator v2 takes one query vector (nq = 1)");
  const token = kvValue(kvs, ITER_KEYS.id) || randomUUID();
  const boundRaw = kvValue(kvs, ITER_KEYS.lastBound);
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
function refusal2(reason) {
  return statusResponse("Search", invalidParameter(reason));
}

// src/backends/local/front/seed-backup.ts
var DB = "default";
var DEFAULT_PARTITION2 = "_default";
var PAGE_ROWS2 = 1e3;
async function read(call, method, req) {
  const res = decodeResponse(
    method,
    await call(method, encodeRequest(method, req))
  );
  if (res.status && !isSuccess(res.status))
    throw new Error(
      `backup: ${method} ${String(req.collection_name ?? "")} failed: ${res.status.reason ?? res.status.code}`
    );
  return res;
}
async function snapshotRequests(d) {
  const messages = [];
  const collections = [];
  const shown = await read(d.call, "ShowCollections", { db_name: DB });
  for (const name of [...shown.collection_names ?? []].sort()) {
    const channel = d.channelOf(DB, name);
    if (channel === void 0) continue;
    const push = (method, req, rows2) => messages.push({
      channel,
      method,
      db: DB,
      collection: name,
      payload: encodeRequest(method, { db_name: DB, collection_name: name, ...req }),
      ...rows2 !== void 0 ? { rows: rows2 } : {}
    });
    const described = await read(d.call, "DescribeCollection", { db_name: DB, collection_name: name });
    const schema = described.schema;
    if (!schema) throw new Error(`backup: DescribeCollection ${name} returned no schema`);
    push("CreateCollection", {
      schema: encode("schema.CollectionSchema", { ...schema, name }),
      shards_num: described.shards_num ?? 1,
      consistency_level: described.consistency_level,
      properties: described.properties ?? []
    });
    const fields = schema.fields ?? [];
    const byKey = fields.some((f) => f.is_partition_key);
    const parts = byKey ? [DEFAULT_PARTITION2] : (await read(d.call, "ShowPartitions", {
      db_name: DB,
      collection_name: name
    })).partition_names ?? [DEFAULT_PARTITION2];
    for (const p of parts) if (p !== DEFAULT_PARTITION2) push("CreatePartition", { partition_name: p });
    const indexes = decodeResponse(
      "DescribeIndex",
      await d.call("DescribeIndex", encodeRequest("DescribeIndex", { db_name: DB, collection_name: name }))
    );
    if (isSuccess(indexes.status))
      for (const ix of indexes.index_descriptions ?? [])
        push("CreateIndex", {
          field_name: ix.field_name,
          index_name: ix.index_name,
          extra_params: (ix.params ?? []).filter((kv) => !(kv.key === "metric_type" && !kv.value))
        });
    const pk = fields.find((f) => f.is_primary_key);
    if (!pk?.name) throw new Error(`backup: collection '${name}' has no primary key`);
    const outputs = /* @__PURE__ */ new Set([
      ...fields.filter((f) => f.is_function_output).map((f) => f.name ?? ""),
      ...(schema.functions ?? []).flatMap((fn) => fn.output_field_names ?? [])
    ]);
    const columns = [
      ...fields.filter((f) => f.name && !outputs.has(f.name) && !f.is_dynamic).map((f) => f.name),
      ...schema.enable_dynamic_field ? ["$meta"] : []
    ];
    let rows = 0;
    for (const p of byKey ? [void 0] : parts) {
      const pages = rowPages(d.lite, {
        db: DB,
        collection: name,
        pk,
        fields: columns,
        page: PAGE_ROWS2,
        partition: p
      });
      for await (const page of pages) {
        push(
          "Insert",
          {
            partition_name: p ?? "",
            fields_data: page.columns.filter((c) => !outputs.has(c.field_name ?? "")),
            num_rows: page.keys.length
          },
          page.keys.length
        );
        rows += page.keys.length;
      }
    }
    const aliases = await read(d.call, "ListAliases", {
      db_name: DB,
      collection_name: name
    });
    for (const a of aliases.aliases ?? []) push("CreateAlias", { alias: a });
    const loaded = d.loadedOf(DB, name);
    if (loaded === "all") push("LoadCollection", {});
    else if (Array.isArray(loaded) && loaded.length > 0) push("LoadPartitions", { partition_names: loaded });
    collections.push({ name, channel, rows });
  }
  return { messages, collections };
}

// src/backends/local/front/front.ts
var SECONDARY_UPDATE_WAIT_MS = 6e5;
var PARTITION_READS = /* @__PURE__ */ new Set(["Search", "Query", "HybridSearch"]);
var UNAUTHENTICATED = {
  code: grpc5.status.UNAUTHENTICATED,
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
    this.analyzers = new AnalyzerStore(opts.stateDir);
    this.fields = new FieldAdder(this.lite, opts.stateDir, this.log);
    this.liteApply = new LiteApply(this.lite, this.channels, {
      rbac: this.rbac,
      indexTypes: this.indexTypes,
      analyzers: this.analyzers,
      fields: this.fields
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
  server = new grpc5.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024 });
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
  analyzers;
  fields;
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
    await front.analyzers.load();
    await front.fields.load();
    await front.reloadCollections();
    front.server.addService(front.serviceDefinition(), front.implementation());
    front.port = await new Promise(
      (resolve, reject) => front.server.bindAsync(
        `127.0.0.1:${opts.port ?? 0}`,
        grpc5.ServerCredentials.createInsecure(),
        (err, port) => err ? reject(err) : resolve(port)
      )
    );
    return front;
  }
  /**
   * A restarted Milvus loads again what was loaded before it went down (its query coordinator recovers
   * the load state); Milvus Lite opens every indexed collection released. Loads them again here, from
   * the load state the front keeps, before anything is served. Nothing to do on a fresh start.
   */
  async reloadCollections() {
    for (const { db, name } of this.channels.loadedCollections()) {
      const res = await this.lite.call(
        "LoadCollection",
        encodeRequest("LoadCollection", { db_name: db, collection_name: name })
      );
      const st = responseStatus("LoadCollection", res);
      if (!isSuccess(st)) this.log(`restart: could not load ${db}.${name} again: ${st?.reason ?? "?"}`);
    }
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
  /**
   * Milvus Backup's `create` on this cluster (seed-backup.ts): a FlushAll point on every channel and the
   * requests that rebuild what the cluster holds at it, read while every channel is locked (no write
   * lands between the point and the reads). `walDir` lets a restore find the point in this WAL.
   */
  async backup(name) {
    return this.writesLocked(async () => {
      const points = await this.writes.flushAllPoint();
      const md = new grpc5.Metadata();
      const snap = await snapshotRequests({
        // Reads only: none of them waits for a channel lock.
        call: (m, b) => this.unary(m, b, md, Number.POSITIVE_INFINITY),
        lite: (m, b) => this.lite.call(m, b, md),
        channelOf: (db, c) => this.channels.channelOf(db, c),
        loadedOf: (db, c) => this.channels.loadedOf(db, c)
      });
      return {
        name,
        clusterId: this.clusterId,
        pchannels: [...this.pchannels],
        walDir: this.opts.walDir,
        points,
        messages: snap.messages,
        collections: snap.collections.map((c) => ({
          name: c.name,
          pchannel: this.pchannels[c.channel],
          rows: c.rows
        }))
      };
    });
  }
  /** Where a collection lives (for tests and diagnostics). */
  channelOf(collection, db = "default") {
    const i = this.channels.channelOf(db, collection);
    return i === void 0 ? void 0 : this.pchannels[i];
  }
  /**
   * A crash of this cluster's engine (`kill` SIGKILLs Milvus Lite) as Milvus's WAL makes it look: between
   * two writes, never inside one. Milvus appends a write to its WAL before it applies it, so no row is
   * ever on a cluster without being in its WAL. The front applies to Milvus Lite first and appends after
   * it: a kill between the two (Milvus Lite has the rows, the front got no answer and appends nothing)
   * would leave rows on the primary that the replicator never sees, a lost write the lab made up. So
   * the kill waits for the write under way on each channel (a client write, a replicated apply) and
   * runs before any other starts; the writes it held back then find the engine gone.
   */
  async crash(kill) {
    await this.writesLocked(kill);
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
          else if (this.opts.rejectReplicated !== void 0) {
            this.log(`replicate stream refused: ${this.opts.rejectReplicated}`);
            call.emit("error", {
              code: grpc5.status.FAILED_PRECONDITION,
              details: this.opts.rejectReplicated
            });
          } else serveReplicateStream(call, (bufs) => this.receiver.applyBatch(bufs));
        };
      } else if (m.requestStream || m.responseStream) {
        impl[m.name] = (call) => call.emit("error", { code: grpc5.status.UNIMPLEMENTED, details: `${m.name} is not served locally` });
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
    if (!MUTATING_METHODS.has(method)) await this.swapSettled(method, request, md);
    if (method === "GetLoadState") {
      const answer = await this.loadState(method, request, md);
      if (answer) return answer;
    }
    if (PARTITION_READS.has(method)) {
      const refused2 = this.unloadedPartitionRead(method, request, md);
      if (refused2) return refused2;
    }
    const call = (m, body) => this.lite.call(m, body, md, deadline);
    if (mayMatch(request)) {
      const filtered = await this.textFilters(method, request, md, call);
      if ("answer" in filtered) return filtered.answer;
      request = filtered.request;
    }
    if (method === "Search" && request.includes(ITER_KEYS.v2)) {
      const answer = await searchIteratorV2(request, (r) => this.search(r, md, call));
      if (answer) return answer;
    }
    if (method === "Search") return this.search(request, md, call);
    if (method === "HybridSearch") {
      const req = decodeRequest(method, request);
      const db = dbOf(req, md);
      const refused2 = await hybridRefusal(
        request,
        db,
        call,
        this.analyzers,
        (n) => this.channels.realName(db, n)
      );
      if (refused2) return refused2;
    }
    switch (method) {
      case "UpdateReplicateConfiguration":
        return this.updateConfig(request, deadline);
      case "GetReplicateConfiguration":
        return encodeResponse(method, { status: {}, configuration: this.config.sanitized() });
      case "GetReplicateInfo":
        return this.replicateInfo(request);
      case "ShowCollections": {
        const res = await this.lite.call(method, request, md, deadline);
        const req = decodeRequest(method, request);
        return withoutHidden(res, this.fields.hidden(dbOf(req, md)));
      }
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
      const db = dbOf(req, md);
      const auto = this.channels.autoIdOf(db, req.collection_name ?? "");
      const described = this.analyzers.describe(
        res,
        db,
        this.channels.realName(db, req.collection_name ?? "")
      );
      return auto ? describedAsAutoId(described, auto.name) : described;
    }
    if (ResourceGroups.answers(method)) return this.resourceGroups.call(method, request);
    if (Rbac.answers(method)) return this.rbac.call(method, request);
    if (!MUTATING_METHODS.has(method)) return this.lite.call(method, request, md, deadline);
    return this.writes.mutate(method, request, md, deadline);
  }
  /**
   * A Search: BM25 on a field the front analyzes is ranked here (bm25.ts); every other goes to Milvus
   * Lite, a BM25 one with its metric named (withBm25Metric) and its scores turned into Milvus's
   * (liteBm25AsMilvus).
   */
  async search(request, md, call) {
    const search = parseSearch(request);
    const db = dbOf(search.req, md);
    const answer = await bm25Search(search, db, call, this.analyzers, (n) => this.channels.realName(db, n));
    return answer ?? liteBm25AsMilvus(search, await call("Search", withBm25Metric(search, request)));
  }
  /**
   * The filters of a Query, Search, HybridSearch or Delete with the TEXT_MATCH / PHRASE_MATCH calls the
   * front answers replaced (text-match.ts). A Delete's rows are thereby fixed on the primary, as
   * Milvus's proxy resolves a delete filter to primary keys before the WAL sees it.
   */
  async textFilters(method, request, md, call) {
    const exprKey = { Query: "expr", Delete: "expr", Search: "dsl" };
    if (!(method in exprKey) && method !== "HybridSearch") return { request };
    const req = decodeRequest(method, request);
    const db = dbOf(req, md);
    const name = this.channels.realName(db, String(req.collection_name ?? ""));
    let text;
    const once = () => {
      text ??= collectionText(call, this.analyzers, db, name);
      return text;
    };
    const rewrite = (expr) => typeof expr === "string" && expr !== "" ? rewriteMatches(expr, once, call, db, name) : Promise.resolve(expr);
    let changed = false;
    try {
      if (method === "HybridSearch") {
        for (const sub of req.requests ?? []) {
          const out = await rewrite(sub.dsl);
          if (out !== sub.dsl) {
            sub.dsl = out;
            changed = true;
          }
        }
      } else {
        const key = exprKey[method];
        const out = await rewrite(req[key]);
        if (out !== req[key]) {
          req[key] = out;
          changed = true;
        }
      }
    } catch (e) {
      return { answer: statusResponse(method, milvusStatus(1100, e.message, "IllegalArgument")) };
    }
    return { request: changed ? encodeRequest(method, req) : request };
  }
  /** Waits out an add_collection_field's swap of the collection a read names (add-field.ts settled). */
  async swapSettled(method, request, md) {
    if (!this.fields.swapping) return;
    let req;
    try {
      req = decodeRequest(method, request);
    } catch {
      return;
    }
    const db = dbOf(req, md);
    const name = typeof req.collection_name === "string" ? req.collection_name : "";
    await this.fields.settled(db, name ? this.channels.realName(db, name) : void 0);
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
    const missing2 = parts.find((p) => !loaded.includes(p));
    if (missing2 === void 0) return void 0;
    return statusResponse(method, milvusStatus(201, `partition not loaded[partition=${missing2}]`));
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
        await this.freshStateOnNewSource(c);
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
  /**
   * A configuration that gives this cluster another source (a re-pointed standby, or a primary turned
   * secondary) starts fresh replication state for that source: as Milvus's SwitchReplicateMode replaces
   * the secondary state with a checkpoint of no message for the new source cluster (milvus-io/milvus
   * internal/streamingnode/server/wal/interceptors/replicate/replicates/impl.go@1336db9f,
   * secondary_state.go newSecondaryState). GetReplicateInfo then names no checkpoint for the new source,
   * and its CDC starts at its own announcement of the configuration (replication/replicator.ts edgeStart).
   */
  async freshStateOnNewSource(c) {
    const sourceOf = (cfg) => cfg?.cross_cluster_topology.find((t) => t.target_cluster_id === this.clusterId)?.source_cluster_id;
    const next = sourceOf(c.config);
    if (next !== void 0 && next !== sourceOf(c.previous)) await this.checkpoints.clear();
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
      await this.freshStateOnNewSource(c);
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

// src/backends/local/processes/milvus-lite-process.ts
var grpc6 = __toESM(require_src(), 1);
import { fork } from "node:child_process";
import { mkdirSync as mkdirSync2 } from "node:fs";
import { readFile as readFile2 } from "node:fs/promises";

// src/backends/local/processes/node-child.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname as dirname2, join as join9 } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
function nodeEntry(name, from) {
  const here = fileURLToPath(from);
  const dir = dirname2(here);
  if (here.endsWith(".js")) {
    for (const d of basename(dir) === "chunks" ? [dir, dirname2(dir)] : [dir]) {
      const js = join9(d, `${name}.js`);
      if (existsSync(js)) return { file: js, execArgv: [] };
    }
  }
  const ts = join9(dir, `${name}.ts`);
  if (!existsSync(ts))
    throw new Error(`entry ${name} not found: no ${name}.js or ${name}.ts next to ${here}`);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return { file: ts, execArgv: ["--import", tsx] };
}

// src/backends/local/processes/milvus-lite-process.ts
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
      const { file, execArgv } = nodeEntry("watchdog", import.meta.url);
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
    const client = new grpc6.Client(this.address, grpc6.credentials.createInsecure());
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
            new grpc6.Metadata(),
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

// src/backends/local/replication/metrics-relay.ts
import { createServer as createServer2 } from "node:http";
var EDGE_TIMEOUT_MS = 2e3;
async function serveMetricsRelay(port, edges) {
  const server = createServer2((req, res) => {
    if (req.method !== "GET" || !req.url?.startsWith("/metrics")) {
      res.writeHead(404).end();
      return;
    }
    const urls = edges();
    if (urls.length === 0) {
      res.writeHead(503, { "content-type": "text/plain" }).end("no CDC is running\n");
      return;
    }
    Promise.all(
      urls.map(async (u) => {
        const r = await fetch(u, { signal: AbortSignal.timeout(EDGE_TIMEOUT_MS) });
        if (r.status !== 200) throw new Error(`${u}: HTTP ${r.status}`);
        return r.text();
      })
    ).then(
      (texts) => {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end(texts.map((t) => t.endsWith("\n") || t === "" ? t : `${t}
`).join(""));
      },
      (e) => {
        res.writeHead(503, { "content-type": "text/plain" });
        res.end(`an edge's CDC did not answer: ${e instanceof Error ? e.cause ?? e.message : String(e)}
`);
      }
    );
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.unref();
  const { port: bound } = server.address();
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })
  };
}

// src/backends/local/replication/supervisor.ts
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
    const { file, execArgv } = nodeEntry("replicator-main", import.meta.url);
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

// src/backends/local/replication/replication-links.ts
var edgeKey = (source, target) => `${source}->${target}`;
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
    const edges = change.config.cross_cluster_topology.filter((t) => t.source_cluster_id === clusterId);
    const wanted = new Set(edges.map((e) => e.target_cluster_id));
    const links = [...this.active.values()].filter((l) => l.source === clusterId);
    for (const link of links) {
      if (wanted.has(link.target)) continue;
      this.active.delete(edgeKey(link.source, link.target));
      if (edges.length > 0) await this.stopLink(link);
      else this.retire(link, change.config);
    }
    for (const edge of edges) {
      if (this.active.has(edgeKey(clusterId, edge.target_cluster_id))) continue;
      await this.start(clusterId, edge.target_cluster_id, change.config);
    }
  }
  async start(source, target, config) {
    const src = config.clusters.find((c) => c.cluster_id === source);
    const tgt = config.clusters.find((c) => c.cluster_id === target);
    const cluster = this.opts.cluster(source);
    if (!src || !tgt || !cluster) throw new Error(`replicate configuration names no target for ${source}`);
    const faulted = this.opts.faultTarget === void 0 || this.opts.faultTarget === target;
    const metricsPort = this.opts.metricsPortFor?.(target);
    const supervisor = new ReplicatorSupervisor({
      walDir: cluster.walDir,
      source: { clusterId: source, pchannels: src.pchannels },
      target: {
        clusterId: target,
        uri: tgt.connection_param.uri,
        token: tgt.connection_param.token || void 0,
        pchannels: tgt.pchannels
      },
      faultMode: faulted ? this.opts.faultMode : "none",
      faultEvery: this.opts.faultEvery,
      restartDelayMs: this.opts.restartDelayMs,
      logFile: this.opts.logFileFor?.(target) ?? this.opts.logFile,
      ...metricsPort !== void 0 ? { metricsPort } : {}
    });
    await supervisor.start();
    this.active.set(edgeKey(source, target), { source, target, supervisor, config });
    this.opts.log(
      `Replicator ${source} -> ${target} started (pid ${supervisor.pid}, fault mode ${faulted ? this.opts.faultMode : "none"})`
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
    for (const link of [...this.active.values()].filter((l) => l.source === clusterId)) {
      this.active.delete(edgeKey(link.source, link.target));
      await this.stopLink(link);
    }
  }
  /** The link paused by pause(), until resume(). */
  paused;
  /** Stops the running replicator without a restart (CDC paused); resume() starts it again. */
  async pause() {
    const link = this.current();
    if (!link) throw new Error("pause: no replicator is running (replication not configured)");
    if (this.active.size > 1)
      throw new Error("pause: a star's CDC cannot be paused yet (one edge at a time)");
    this.active.delete(edgeKey(link.source, link.target));
    await this.stopLink(link);
    this.paused = link;
    return { source: link.source, target: link.target };
  }
  /** Starts the paused replicator again; it resumes from the target's checkpoint, as after a restart. */
  async resume() {
    const link = this.paused;
    if (!link) throw new Error("resume: no replicator is paused");
    this.paused = void 0;
    await this.start(link.source, link.target, link.config);
    return { source: link.source, target: link.target, pid: this.current()?.supervisor.pid };
  }
  /** The running replicator (the lab has at most one source at a time; in a star, its first edge). */
  current() {
    return [...this.active.values()][0];
  }
  /** Every running replicator: one per edge of the topology (a star has several). */
  all() {
    return [...this.active.values()];
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

// src/backends/local/faults/seed-faults.ts
var SEED_OVERLAP_ENTRIES = 40;
var DML = /* @__PURE__ */ new Set(["Insert", "Upsert", "Delete"]);
function seedCheckpoint(mode, entries, point) {
  const at = entries.findIndex((e) => e.offset === point.offset && e.tt === point.tt);
  if (at < 0) return void 0;
  if (mode === "seed-gap") {
    const last = entries[entries.length - 1];
    return last && entries.length - 1 > at ? { offset: last.offset, tt: last.tt, backwards: false } : void 0;
  }
  if (mode === "seed-overlap") {
    let first = at;
    while (first - 1 >= 0 && at - (first - 1) <= SEED_OVERLAP_ENTRIES && DML.has(entries[first - 1]?.method ?? ""))
      first -= 1;
    const before = first > 0 ? entries[first - 1] : entries[first];
    if (!before || before.offset >= point.offset) return void 0;
    if (first === 0 && at - first < 2) return void 0;
    return { offset: before.offset, tt: before.tt, backwards: true };
  }
  return void 0;
}

// src/backends/local/replication/restore-secondary.ts
async function restoreSecondary(o) {
  const s = o.snapshot;
  const log = o.log ?? (() => {
  });
  const pointTt = BigInt(s.points[0]?.timeTick ?? "0");
  let tt = pointTt - BigInt(s.messages.length + 1);
  const outgoing = [];
  s.messages.forEach((m, i) => {
    tt += 1n;
    outgoing.push({
      pch: s.pchannels[m.channel],
      method: m.method,
      db: m.db,
      coll: m.collection,
      id: `backup:${s.name}:${i}`,
      tt,
      payload: m.payload
    });
  });
  const checkpoints = [];
  for (const p of s.points) {
    const planted = o.faultMode === "seed-gap" || o.faultMode === "seed-overlap" ? seedCheckpoint(o.faultMode, await readWholeWal(walFile(s.walDir, p.pchannel)).catch(() => []), {
      offset: Number(p.messageId),
      tt: p.timeTick
    }) : void 0;
    const at = planted ? { messageId: String(planted.offset), timeTick: planted.tt } : p;
    if (planted)
      log(
        `restore secondary ${s.name}: fault ${o.faultMode}: checkpoint of ${p.pchannel} left at message ${at.messageId} (tt ${at.timeTick}) instead of the backup point ${p.messageId} (tt ${p.timeTick})`
      );
    outgoing.push({
      pch: p.pchannel,
      method: FLUSH_ALL_METHOD,
      db: "",
      coll: "",
      id: at.messageId,
      tt: BigInt(at.timeTick),
      payload: Buffer.alloc(0),
      nodedup: planted?.backwards === true
    });
    checkpoints.push({
      pchannel: p.pchannel,
      messageId: at.messageId,
      timeTick: at.timeTick,
      ...planted ? { planted: o.faultMode === "seed-gap" ? "gap" : "overlap" } : {}
    });
  }
  const client = new TargetClient(o.target.uri, o.target.token);
  try {
    await new Promise((resolve, reject) => {
      const call = client.openStream();
      let confirmed = 0;
      let done = false;
      const finish = (e) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        o.signal?.removeEventListener("abort", onAbort);
        call.removeAllListeners("end");
        call.on("error", () => {
        });
        call.cancel();
        if (e) reject(e);
        else resolve();
      };
      const onAbort = () => finish(new Error(`restore secondary ${s.name}: cancelled`));
      o.signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(
        () => finish(
          new Error(
            `restore secondary ${s.name} into ${o.target.clusterId}: ${confirmed} of ${outgoing.length} messages confirmed within ${o.timeoutMs} ms`
          )
        ),
        o.timeoutMs
      );
      call.on("data", () => {
        confirmed += 1;
        if (confirmed === outgoing.length) finish();
      });
      call.on(
        "error",
        (e) => finish(new Error(`restore secondary ${s.name} into ${o.target.clusterId}: ${e.message}`))
      );
      call.on(
        "end",
        () => finish(
          new Error(
            `restore secondary ${s.name} into ${o.target.clusterId}: stream closed after ${confirmed} of ${outgoing.length} confirmations`
          )
        )
      );
      if (outgoing.length === 0) finish();
      for (const m of outgoing) {
        const properties = {
          _tt: m.tt.toString(),
          _pch: m.pch,
          _method: m.method,
          _kind: m.method === "Insert" || m.method === "Upsert" || m.method === "Delete" ? "dml" : "ddl",
          _db: m.db,
          _coll: m.coll
        };
        if (m.nodedup) properties._nodedup = "1";
        call.write({
          replicate_message: {
            source_cluster_id: s.clusterId,
            message: { id: { id: m.id }, payload: m.payload, properties }
          }
        });
      }
    });
  } finally {
    client.close();
  }
  const rows = s.messages.reduce((n, m) => n + (m.rows ?? 0), 0);
  log(`restore secondary ${s.name} into ${o.target.clusterId}: ${outgoing.length} messages, ${rows} rows`);
  return { messages: outgoing.length, rows, checkpoints };
}

// src/backends/local/lab.ts
var DEFAULT_PCHANNELS = 16;
function pchannelNames(clusterId, n) {
  return Array.from({ length: n }, (_, i) => `${clusterId}-rootcoord-dml_${i}`);
}
function clusterDirs(root, id) {
  const base = join10(root, id);
  const d = {
    root: base,
    data: join10(base, "data"),
    state: join10(base, "state"),
    wal: join10(base, "wal"),
    milvusLog: join10(base, "milvus-lite.log")
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
  const standbys = opts.standbys ?? 1;
  if (!Number.isInteger(standbys) || standbys < 1 || standbys > 4)
    throw new Error(`startLab: standbys=${standbys} is not allowed (an integer from 1 to 4)`);
  const fs = opts.faultStandby;
  if (fs !== void 0 && (!Number.isInteger(fs) || fs < 1 || fs > standbys))
    throw new Error(`startLab: faultStandby=${fs} is not allowed (a standby from 1 to ${standbys})`);
  const bin = await ensureMilvusLite(log);
  const rand = randomBytes2(3).toString("hex");
  const extraKeys = Array.from({ length: standbys - 1 }, (_, i) => `standby${i + 2}`);
  const ids = { source: `primary-${rand}`, target: `standby-${rand}` };
  for (const k of extraKeys) ids[k] = `${k}-${rand}`;
  const root = await mkdtemp(join10(tmpdir(), "milvus-cdc-lab-"));
  const dirs = {
    root,
    source: clusterDirs(root, ids.source),
    target: clusterDirs(root, ids.target),
    replicatorLog: join10(root, "replicator.log"),
    extra: extraKeys.map((k) => ({
      clusterId: ids[k],
      dirs: clusterDirs(root, ids[k]),
      replicatorLog: join10(root, `replicator-${ids[k]}.log`)
    }))
  };
  const keys = ["source", "target", ...extraKeys];
  const dirsOf = (k) => k === "source" || k === "target" ? dirs[k] : dirs.extra.find((e) => e.clusterId === ids[k])?.dirs;
  const clusters = { source: {}, target: {} };
  for (const k of extraKeys) clusters[k] = {};
  const metricsPort = await freePort();
  const edgeMetricsPorts = /* @__PURE__ */ new Map();
  if (standbys > 1) for (const k of keys) edgeMetricsPorts.set(ids[k], await freePort());
  let relay;
  const processes = /* @__PURE__ */ new Set();
  const standbyKey = (k) => {
    if (!Number.isInteger(k) || k < 1 || k > standbys)
      throw new Error(`standby ${k} is not in this lab (a standby from 1 to ${standbys})`);
    return k === 1 ? "target" : `standby${k}`;
  };
  const faultKey = standbyKey(opts.faultStandby ?? 1);
  const sideOf = (clusterId) => clusterId === ids.source ? "source" : clusterId === ids.target ? "target" : void 0;
  const keyOf2 = (clusterId) => keys.find((k) => ids[k] === clusterId);
  const proxies = {};
  const paused = /* @__PURE__ */ new Set();
  const thaw = (pid) => {
    if (!paused.delete(pid)) return;
    try {
      process.kill(pid, "SIGCONT");
    } catch {
    }
  };
  const links = new ReplicationLinks({
    cluster: (id) => {
      const key = keyOf2(id);
      if (!key) return void 0;
      const front = clusters[key]?.front;
      return { walDir: dirsOf(key).wal, config: () => front ? front.replicateConfiguration : void 0 };
    },
    faultMode: opts.faultMode ?? "none",
    faultEvery: opts.faultEvery ?? 0,
    restartDelayMs: opts.restartDelayMs ?? 0,
    logFile: dirs.replicatorLog,
    // A pair: whichever edge runs serves the lab's one port. A star: each edge its own (edgeMetricsPorts),
    // and the relay serves them together on the lab's port, as Milvus's one CDC node serves every edge.
    metricsPortFor: (t) => standbys > 1 ? edgeMetricsPorts.get(t) : metricsPort,
    log,
    // A star: the fault on one standby's edge, each edge's replicator.log next to its standby's files.
    ...standbys > 1 ? {
      logFileFor: (t) => dirs.extra.find((e) => e.clusterId === t)?.replicatorLog ?? dirs.replicatorLog,
      ...opts.faultStandby !== void 0 ? { faultTarget: ids[opts.faultStandby === 1 ? "target" : `standby${opts.faultStandby}`] } : {}
    } : {}
  });
  let stopping = null;
  const backups = /* @__PURE__ */ new Map();
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
    for (const pid of [...paused]) thaw(pid);
    await links.close().catch((e) => log(`replicator stop: ${e.message}`));
    await relay?.close();
    await Promise.all(Object.values(clusters).map(stopCluster));
    await Promise.all([...processes].map((p) => p.stop().catch(() => {
    })));
    await Promise.all(Object.values(proxies).map((p) => p.close().catch(() => {
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
      dataDir: dirsOf(side).data,
      logFile: dirsOf(side).milvusLog,
      readyTimeoutMs: opts.readyTimeoutMs,
      signal: opts.signal
    });
    processes.add(p);
    clusters[side].lite = p;
    return p;
  };
  const startFront = async (side, lite, restarted = false) => {
    const id = ids[side];
    const c = clusters[side];
    const f = await Front.start({
      clusterId: id,
      pchannels: pchannelNames(id, n),
      backendAddress: lite.address,
      stateDir: dirsOf(side).state,
      walDir: dirsOf(side).wal,
      token: opts.token,
      port: c.port,
      log,
      onConfigured: (change) => links.configured(id, change),
      // The original primary is the one a role change demotes: the planted split brain lives there.
      staleWhenDemoted: opts.faultMode === "stale-primary" && side === "source",
      forcePromoteShapes: opts.forcePromoteShapes,
      // The self-test fault: once restarted, the standby rejects what it is sent (milvus-io/milvus#45086).
      rejectReplicated: restarted && opts.faultMode === "stall-after-standby-restart" && side === faultKey ? `fault stall-after-standby-restart: the restarted standby ${id} rejects every replicated message after its checkpoint (milvus-io/milvus#45086)` : void 0
    });
    c.front = f;
    c.port = Number(f.uri.split(":").pop());
    return f;
  };
  const crash = async (c) => {
    let killedAt = Date.now();
    const kill = async () => {
      killedAt = Date.now();
      await c.lite?.kill();
    };
    await (c.front ? c.front.crash(kill) : kill());
    return killedAt;
  };
  const lose = async (key) => {
    const c = clusters[key];
    await crash(c);
    await links.stopSource(ids[key]);
    await stopCluster(c);
  };
  const restart = async (key) => {
    const c = clusters[key];
    if (!c.front) throw new Error(`restartCluster: the ${key} cluster is down`);
    const killedAt = await crash(c);
    await stopCluster(c);
    checkStopped();
    const f = await startFront(key, await startLite(key), true);
    const restartedAt = Date.now();
    log(`Cluster ${ids[key]} restarted on its data at ${f.uri} (down ${restartedAt - killedAt} ms)`);
    return { killedAt, restartedAt };
  };
  const sideOfFront = (f) => keyOf2(f.clusterId);
  const endpoint = (f) => ({
    clusterId: f.clusterId,
    uri: f.uri,
    token: opts.token,
    replicateUri: proxies[sideOfFront(f)].uri,
    pchannels: [...f.pchannels]
  });
  const up = (side) => {
    const f = clusters[side].front;
    if (!f) throw new Error(`the ${side} cluster ${ids[side]} is down (killCluster); rebuild it first`);
    return f;
  };
  try {
    if (standbys > 1)
      relay = await serveMetricsRelay(
        metricsPort,
        () => links.all().flatMap((l) => {
          const port = edgeMetricsPorts.get(l.target);
          return port === void 0 ? [] : [`http://127.0.0.1:${port}/metrics`];
        })
      );
    for (const s of keys) proxies[s] = await LinkProxy.start(() => clusters[s]?.port);
    const lites = await Promise.all(keys.map((k) => startLite(k)));
    checkStopped();
    const fronts = [];
    for (const [i, k] of keys.entries()) fronts.push(await startFront(k, lites[i]));
    checkStopped();
    const [source, target, ...extraStandbys] = fronts.map(endpoint);
    log(`Lab up: source ${source.clusterId} at ${source.uri}, target ${target.clusterId} at ${target.uri}`);
    for (const e of extraStandbys) log(`Lab up: standby ${e.clusterId} at ${e.uri} (a star)`);
    if (opts.replicate)
      await configureReplication(
        { source, target, ...extraStandbys.length > 0 ? { extraStandbys } : {} },
        { timeoutMs: 6e4, log }
      );
    const lab = {
      source,
      target,
      extraStandbys,
      dirs,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      fronts: {
        get source() {
          return up("source");
        },
        get target() {
          return up("target");
        }
      },
      pauseReplicator: () => links.pause(),
      resumeReplicator: () => links.resume(),
      async killReplicator() {
        const all = links.all();
        const link = all[0];
        if (!link) throw new Error("killReplicator: no replicator is running (replication not configured)");
        const rs = await Promise.all(all.map((l) => l.supervisor.kill()));
        return {
          killedAt: Math.min(...rs.map((r) => r.killedAt)),
          restartedAt: Math.max(...rs.map((r) => r.restartedAt)),
          pid: link.supervisor.pid
        };
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
      enginePid: (side) => clusters[side].lite?.pid,
      ports() {
        const port = (u) => Number(u.split(":").pop());
        return [
          ...Object.values(clusters).flatMap((c) => c.front ? [port(c.front.uri)] : []),
          ...[...processes].map((p) => port(p.address))
        ];
      },
      walSizes: () => Object.assign({}, ...Object.values(clusters).map((c) => c.front?.walSizes() ?? {})),
      async killCluster(side) {
        await lose(side);
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
      restartCluster: (side) => restart(side),
      async restartStandby(k) {
        const key = standbyKey(k);
        return { ...await restart(key), clusterId: ids[key] };
      },
      async rebuildStandby(clusterId) {
        const key = keyOf2(clusterId);
        const entry = dirs.extra.find((e) => e.clusterId === clusterId);
        if (!key || !entry)
          throw new Error(`rebuildStandby: ${clusterId} is not one of the star's further standbys`);
        await lose(key);
        await rm2(entry.dirs.root, { recursive: true, force: true });
        entry.dirs = clusterDirs(root, clusterId);
        const f = await startFront(key, await startLite(key));
        log(`Standby ${clusterId} wiped and started again empty at ${f.uri}`);
        return endpoint(f);
      },
      link: (side) => proxies[side],
      standbyLink(k) {
        const key = standbyKey(k);
        return { link: proxies[key], clusterId: ids[key] };
      },
      noteFault(name) {
        if (opts.faultMode !== "wedge-channel") return;
        for (const log2 of [dirs.replicatorLog, ...dirs.extra.map((e) => e.replicatorLog)])
          writeFileSync(faultMarkerFile(log2), `${(/* @__PURE__ */ new Date()).toISOString()} ${name}
`, { flag: "a" });
      },
      get replicationTarget() {
        const l = links.current();
        return l ? sideOf(l.target) : void 0;
      },
      freezeReplicator() {
        const pids = links.all().map((l) => l.supervisor.pid).filter((p) => p !== void 0);
        const pid = pids[0];
        if (pid === void 0) throw new Error("freezeReplicator: no replicator is running");
        for (const p of pids) {
          process.kill(p, "SIGSTOP");
          paused.add(p);
        }
        return {
          pid,
          resume: () => {
            for (const p of pids) thaw(p);
          }
        };
      },
      async backup(side, name) {
        const snap = await up(side).backup(name);
        backups.set(name, snap);
        log(
          `Backup ${name} of ${snap.clusterId}: ${snap.messages.length} requests, points at tt ${snap.points[0]?.timeTick}`
        );
        return snap;
      },
      async restoreSecondary(name, side, signal) {
        const snap = backups.get(name);
        if (!snap) throw new Error(`restoreSecondary: no backup named ${name} in this lab`);
        const f = up(side);
        const r = await restoreSecondary({
          snapshot: snap,
          target: { clusterId: f.clusterId, uri: f.uri, token: opts.token },
          faultMode: opts.faultMode ?? "none",
          timeoutMs: 12e4,
          signal,
          log
        });
        if (opts.faultMode === "seed-standby-promoted") {
          const u = await f.forcePromote({});
          if (!u.ok) throw new Error(`restoreSecondary: fault seed-standby-promoted: ${u.reason}`);
          log(`restore secondary ${name}: fault seed-standby-promoted: ${f.clusterId} is now a primary`);
        }
        return r;
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
var LOCAL_FAULTS = LOCAL_NEMESIS_TYPES;
function sleepOrAbort(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
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
  faults = LOCAL_FAULTS;
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
    return {
      source: this.lab.source,
      target: this.lab.target,
      metricsUrls: [this.lab.metricsUrl],
      ...this.lab.extraStandbys.length > 0 ? { extraStandbys: this.lab.extraStandbys } : {}
    };
  }
  async inject(fault, signal, params) {
    const lab = this.lab;
    if (!lab) throw new Error(`inject(${fault}): the local backend is not provisioned`);
    if (!this.faults.includes(fault)) {
      throw new Error(
        `inject: fault '${fault}' is not supported by the local backend (allowed: ${this.faults.join(", ")})${fault in LOCAL_NEMESIS_REFUSALS ? `: ${LOCAL_NEMESIS_REFUSALS[fault]}` : ""}`
      );
    }
    const durationMs = params?.durationMs ?? 5e3;
    lab.noteFault(fault);
    switch (fault) {
      case "kill-cdc": {
        const r = await lab.killReplicator();
        return {
          injectedAt: r.killedAt,
          restoredAt: r.restartedAt,
          killedAt: r.killedAt,
          restartedAt: r.restartedAt,
          pid: r.pid
        };
      }
      case "restart-standby":
      case "restart-primary": {
        const side = fault === "restart-standby" ? "target" : "source";
        const r = side === "target" && params?.standby !== void 0 ? await lab.restartStandby(params.standby) : { ...await lab.restartCluster(side), clusterId: lab[side].clusterId };
        return {
          injectedAt: r.killedAt,
          restoredAt: r.restartedAt,
          cluster: r.clusterId,
          how: "SIGKILL of Milvus Lite between two writes, front closed at once; both started again on the same data, state and WAL",
          downMs: r.restartedAt - r.killedAt
        };
      }
      case "partition":
      case "delay": {
        const side = lab.replicationTarget;
        if (!side) throw new Error(`inject(${fault}): no replicator is running (replication not configured)`);
        const { link, clusterId } = params?.standby !== void 0 ? lab.standbyLink(params.standby) : { link: lab.link(side), clusterId: lab[side].clusterId };
        const injectedAt = Date.now();
        let cut = 0;
        const refusedBefore = link.stats.refused;
        const delayedBefore = link.stats.delayed;
        if (fault === "partition") cut = link.cut();
        else link.delay(params?.delayMs ?? 200, params?.jitterMs ?? 50);
        try {
          await sleepOrAbort(durationMs, signal);
        } finally {
          link.heal();
        }
        return {
          injectedAt,
          restoredAt: Date.now(),
          link: `replicator -> ${clusterId}`,
          ...fault === "partition" ? { connectionsCut: cut, connectionsRefused: link.stats.refused - refusedBefore } : {
            delayMs: params?.delayMs ?? 200,
            jitterMs: params?.jitterMs ?? 50,
            chunksDelayed: link.stats.delayed - delayedBefore
          }
        };
      }
      case "pause-cdc": {
        const injectedAt = Date.now();
        const p = lab.freezeReplicator();
        try {
          await sleepOrAbort(durationMs, signal);
        } finally {
          p.resume();
        }
        return { injectedAt, restoredAt: Date.now(), pid: p.pid, how: "SIGSTOP, then SIGCONT" };
      }
      default:
        throw new Error(`inject: fault '${fault}' is not supported by the local backend`);
    }
  }
  async pauseCdc() {
    if (!this.lab) throw new Error("pauseCdc: the local backend is not provisioned");
    const injectedAt = Date.now();
    const r = await this.lab.pauseReplicator();
    return { injectedAt, stoppedAt: Date.now(), how: "replicator stopped, no restart", ...r };
  }
  async resumeCdc() {
    if (!this.lab) throw new Error("resumeCdc: the local backend is not provisioned");
    const injectedAt = Date.now();
    const r = await this.lab.resumeReplicator();
    return { injectedAt, restoredAt: Date.now(), ...r };
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
  async rebuildStandby(clusterId) {
    if (!this.lab) throw new Error(`rebuildStandby(${clusterId}): the local backend is not provisioned`);
    return this.lab.rebuildStandby(clusterId);
  }
  /** Milvus Backup `create`, emulated: a FlushAll point per channel and the data at it (front/seed-backup.ts). */
  async backup(side, name) {
    if (!this.lab) throw new Error(`backup(${side}): the local backend is not provisioned`);
    const snap = await this.lab.backup(side, name);
    return {
      name,
      clusterId: snap.clusterId,
      points: snap.points.map((p) => ({ ...p })),
      collections: snap.collections,
      rows: snap.collections.reduce((n, c) => n + c.rows, 0)
    };
  }
  /** Milvus Backup `restore secondary`, emulated (replication/restore-secondary.ts). */
  async restoreSecondary(backup, side, signal) {
    if (!this.lab) throw new Error(`restoreSecondary(${side}): the local backend is not provisioned`);
    const r = await this.lab.restoreSecondary(backup.name, side, signal);
    return {
      rows: r.rows,
      detail: {
        messages: r.messages,
        tool: "emulated restore secondary (milvus-cdc-drill)",
        ...r.checkpoints.some((c) => c.planted) ? { planted: r.checkpoints.filter((c) => c.planted) } : {}
      }
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
        [join11(lab.dirs.source.state, "replicate-config.json"), "source-replicate-config.json"],
        [join11(lab.dirs.target.state, "replicate-config.json"), "target-replicate-config.json"],
        [join11(lab.dirs.source.state, "channels.json"), "source-channels.json"],
        [join11(lab.dirs.target.state, "channels.json"), "target-channels.json"],
        // A star: each extra standby's Milvus Lite log, configuration and replicator log.
        ...lab.dirs.extra.flatMap(
          (e) => [
            [e.dirs.milvusLog, `${e.clusterId}-milvus-lite.log`],
            [join11(e.dirs.state, "replicate-config.json"), `${e.clusterId}-replicate-config.json`],
            [e.replicatorLog, `replicator-${e.clusterId}.log`]
          ]
        )
      ];
      for (const [from, name] of copies) {
        const to = join11(dir, name);
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
      const stateFile = join11(dir, "local-lab-state.json");
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
  LOCAL_FAULTS,
  LocalBackend
};
