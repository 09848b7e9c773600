import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  HEARTBEAT_COLLECTION,
  PK_FIELD,
  SETTLE_KEY
} from "./chunk-KORQFNEC.js";
import {
  decode,
  decodeRequest,
  messageType,
  method
} from "./chunk-75SGTU5M.js";
import {
  LOCAL_FAULT_MODES,
  external_exports,
  require_src2 as require_src
} from "./chunk-5QY7ERFD.js";
import {
  __toESM
} from "./chunk-XXWGZQIE.js";

// src/backends/local/replication/replicator.ts
var grpc = __toESM(require_src(), 1);
import { setMaxListeners } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join as join2 } from "node:path";
import { setTimeout as sleep2 } from "node:timers/promises";

// src/backends/local/faults/faults.ts
var DROPPABLE_DDL = /* @__PURE__ */ new Set([
  "CreatePartition",
  "CreateIndex",
  "CreateAlias",
  "AlterAlias",
  "DropPartition",
  "DropIndex",
  "DropAlias"
]);
var STALE_CHECKPOINT_BACK = 100;
var LOSE_TAIL_HOLD_MS = 500;
var LOSE_ON_PARTITION_HOLD_MS = 500;
function faultMarkerFile(logFile) {
  return `${logFile}.fault-started`;
}
function wedgedChannelFile(logFile) {
  return `${logFile}.wedged-channel`;
}
function wedgesOn(e) {
  return e.kind === "dml" && e.collection !== HEARTBEAT_COLLECTION && DATA_METHODS.has(e.method);
}
var FROZEN_LAG_HOLD_MS = 15e3;
function resumePlan(mode, restarted) {
  if (!restarted) return { kind: "checkpoint" };
  switch (mode) {
    case "skip-on-restart":
      return { kind: "head" };
    case "duplicate-on-restart":
      return { kind: "replay", from: "start" };
    case "stale-checkpoint":
      return { kind: "replay", from: { back: STALE_CHECKPOINT_BACK } };
    default:
      return { kind: "checkpoint" };
  }
}
var RELEASES = /* @__PURE__ */ new Set(["ReleaseCollection", "ReleasePartitions"]);
var WRITE_METHODS = /* @__PURE__ */ new Set(["Insert", "Upsert"]);
var DATA_METHODS = /* @__PURE__ */ new Set(["Insert", "Upsert", "Delete"]);
function isSettleMarker(e, payload) {
  if (!WRITE_METHODS.has(e.method) || e.collection === HEARTBEAT_COLLECTION) return false;
  try {
    return writtenKeys(payload, PK_FIELD, e.method).includes(String(SETTLE_KEY));
  } catch {
    return false;
  }
}
var REPOINT_SKIP_WRITES = 3;
function skippedOnRepoint(e) {
  if (!DATA_METHODS.has(e.method) || e.collection === HEARTBEAT_COLLECTION) return false;
  return !isSettleMarker(e, Buffer.from(e.payload, "base64"));
}
var REORDER_WINDOW = 32;
var FaultFilter = class {
  constructor(mode, every, shared, log = () => {
  }) {
    this.mode = mode;
    this.every = every;
    this.shared = shared;
    this.log = log;
    if ((mode === "drop" || mode === "stall") && !(Number.isInteger(every) && every >= 1))
      throw new Error(`faultEvery: ${every} is not allowed for fault mode ${mode}; expected an integer >= 1`);
  }
  dmlSeen = 0;
  held = [];
  /** lose-tail-on-switchover: messages read but not yet sent, with when each was read. */
  line = [];
  /** lose-tail-on-switchover: this channel lost its tail. */
  tailLost = false;
  /** stall: true once `every` messages went out; the caller then keeps the stream open and sends nothing. */
  get stalled() {
    return this.mode === "stall" && this.shared.sent >= this.every;
  }
  /** How long a message waits in the delay line (lose-tail-on-switchover, lose-on-partition). */
  get holdMs() {
    return this.mode === "lose-on-partition" ? LOSE_ON_PARTITION_HOLD_MS : LOSE_TAIL_HOLD_MS;
  }
  /** Whether a write is held back waiting to see if a Delete follows it (reorder). */
  get holding() {
    return this.held.length > 0 || this.line.length > 0;
  }
  /** The caller reports each message it actually wrote to the stream. */
  noteSent() {
    this.shared.sent += 1;
  }
  push(entry) {
    const out = { entry, payload: Buffer.from(entry.payload, "base64"), nodedup: false };
    switch (this.mode) {
      case "drop":
        if (entry.kind === "dml") {
          this.dmlSeen += 1;
          if (this.dmlSeen % this.every === 0) {
            this.log(`fault drop: skipping ${entry.method} tt=${entry.tt} offset=${entry.offset}`);
            return [];
          }
        }
        return [out];
      case "promote-with-hole":
        if (!this.shared.holed && entry.method === "Insert") {
          this.dmlSeen += 1;
          if (this.dmlSeen >= Math.max(1, Math.floor(this.every / 5))) {
            this.shared.holed = true;
            this.log(
              `fault promote-with-hole: skipping ${entry.method} tt=${entry.tt} offset=${entry.offset}`
            );
            return [];
          }
        }
        return [out];
      case "drop-ddl":
        if (entry.kind === "ddl" && DROPPABLE_DDL.has(entry.method)) {
          this.log(`fault drop-ddl: skipping ${entry.method} on ${entry.collection} tt=${entry.tt}`);
          return [];
        }
        return [out];
      case "skip-release":
        if (entry.kind === "ddl" && RELEASES.has(entry.method)) {
          this.log(`fault skip-release: skipping ${entry.method} on ${entry.collection} tt=${entry.tt}`);
          return [];
        }
        return [out];
      case "skip-add-field": {
        if (entry.method !== "AddCollectionField") return [out];
        const n = (this.shared.addFields?.get(entry.collection) ?? 0) + 1;
        this.shared.addFields ??= /* @__PURE__ */ new Map();
        this.shared.addFields.set(entry.collection, n);
        if (n === 2) {
          this.log(
            `fault skip-add-field: skipping the 2nd AddCollectionField on ${entry.collection} tt=${entry.tt}`
          );
          return [];
        }
        return [out];
      }
      case "corrupt-vector":
        if (!this.shared.corrupted && entry.method === "Insert") {
          const damaged = flipOneVectorBit(entry.method, out.payload);
          if (damaged) {
            this.shared.corrupted = true;
            this.shared.onCorrupted?.();
            this.log(`fault corrupt-vector: flipped one bit in ${entry.method} tt=${entry.tt}`);
            return [{ ...out, payload: damaged }];
          }
        }
        return [out];
      case "reorder":
        return this.reorder(out);
      case "lose-tail-on-switchover":
        return this.loseTail(out);
      case "lose-on-partition": {
        const now = Date.now();
        this.line.push({ out, at: now });
        return this.due(now);
      }
      default:
        return [out];
    }
  }
  /**
   * A new stream re-reads the log from the checkpoint: a write held for the old stream is read again
   * (lose-on-partition: it is not, the session skips what was read; see LOSE_ON_PARTITION_HOLD_MS).
   */
  newSession() {
    this.held = [];
    this.line = [];
  }
  /** What a quiet channel sends now: messages whose time in the delay line is up (lose-tail-on-switchover). */
  due(now = Date.now()) {
    const out = [];
    while (this.line.length > 0 && now - (this.line[0]?.at ?? now) >= this.holdMs)
      out.push(this.line.shift().out);
    return out;
  }
  flush() {
    const h = this.held;
    this.held = [];
    return h;
  }
  /**
   * A CDC that acknowledges a checkpoint past messages it never applied, at the moment writes stop
   * before a switchover. Every message waits LOSE_TAIL_HOLD_MS in a delay line (in order, so nothing
   * is lost while the primary takes writes, across kills too: what waits was never confirmed). The
   * drill's settle marker, its first write after the workload, is this replicator's sign that writes
   * stopped: the data writes still waiting are dropped, and the marker goes out, moving the target's
   * checkpoint past them for good. Heartbeats and DDL waiting with them still go out, and so does the
   * marker: the standby shows what the drill's caught-up wait looks for, and count(*) settles on a
   * smaller number, so the drill proceeds to the switchover having lost acknowledged writes (what
   * `rpo` must catch). Once per lab: the reverse direction after the switchover replicates faithfully.
   */
  loseTail(out) {
    if (this.tailLost || this.shared.tailLost) return [...this.line.splice(0).map((l) => l.out), out];
    const e = out.entry;
    if (isSettleMarker(e, out.payload)) {
      const kept = [];
      const lost = [];
      for (const { out: o } of this.line.splice(0)) {
        const data = o.entry.kind === "dml" && o.entry.collection !== HEARTBEAT_COLLECTION;
        (data && DATA_METHODS.has(o.entry.method) ? lost : kept).push(o);
      }
      this.tailLost = true;
      this.shared.onTailLost?.();
      if (lost.length > 0) {
        const first = lost[0]?.entry;
        const last = lost[lost.length - 1]?.entry;
        this.log(
          `fault lose-tail-on-switchover: dropping the last ${lost.length} data message(s) before the settle marker (tt ${first?.tt}..${last?.tt}, offsets ${first?.offset}..${last?.offset}); the marker moves the checkpoint past them`
        );
      } else {
        this.log(
          "fault lose-tail-on-switchover: the settle marker came with no data message waiting; nothing lost on this channel"
        );
      }
      return [...kept, out];
    }
    const now = Date.now();
    this.line.push({ out, at: now });
    return this.due(now);
  }
  /**
   * Swaps a Delete with the write before it on the same key: writes are held back (up to
   * REORDER_WINDOW); when a Delete names a key one of them wrote, the Delete goes first and the held
   * writes follow. They are then older than the target's checkpoint, so they are sent with dedup off:
   * otherwise the target would skip them and the damage would be lost rows instead of the zombie this
   * mode stands for. A Delete that matches no held write, and any other message, releases the held
   * writes first, so nothing else changes order.
   */
  reorder(out) {
    const e = out.entry;
    if (e.method === "Delete") {
      const keys = deletedKeys(out.payload);
      const hit = keys ? this.held.findLastIndex(
        (h) => h.entry.db === e.db && h.entry.collection === e.collection && writtenKeys(h.payload, keys.field, h.entry.method).some((k) => keys.values.has(k))
      ) : -1;
      if (hit >= 0) {
        const h = this.held[hit];
        this.log(
          `fault reorder: Delete tt=${e.tt} sent before ${h.entry.method} tt=${h.entry.tt} of the same key`
        );
        const released = this.held.map((x) => ({ ...x, nodedup: true }));
        this.held = [];
        return [out, ...released];
      }
    }
    if (WRITE_METHODS.has(e.method)) {
      this.held.push(out);
      return this.held.length > REORDER_WINDOW ? [this.held.shift()] : [];
    }
    return [...this.flush(), out];
  }
};
function deletedKeys(payload) {
  let req;
  try {
    req = decodeRequest("Delete", payload);
  } catch {
    return void 0;
  }
  const m = /^\s*\(?\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+\[([^\]]*)\]\s*\)?\s*$/.exec(req.expr ?? "");
  if (!m) return void 0;
  const values = new Set(
    (m[2] ?? "").split(",").map((v) => v.trim().replace(/^["']|["']$/g, "")).filter(Boolean)
  );
  return { field: m[1], values };
}
function writtenKeys(payload, field, methodName = "Insert") {
  const req = decodeRequest(methodName, payload);
  const f = req.fields_data?.find((x) => x.field_name === field);
  return (f?.scalars?.long_data?.data ?? f?.scalars?.string_data?.data ?? []).map(String);
}
function flipOneVectorBit(methodName, payload) {
  const type = method(methodName).requestType;
  const msg = type.decode(payload);
  for (const fd of msg.fields_data ?? []) {
    const data = fd.vectors?.float_vector?.data;
    if (data && data.length > 0) {
      data[0] = flipLowestMantissaBit(data[0]);
      return Buffer.from(type.encode(msg).finish());
    }
  }
  return void 0;
}
function flipLowestMantissaBit(x) {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] = u[0] ^ 1;
  return f[0];
}

// src/backends/local/wal/wal.ts
import { mkdirSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
var ANNOUNCE_METHOD = "UpdateReplicateConfiguration";
var FLUSH_ALL_METHOD = "FlushAll";
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
    mkdirSync(walDir, { recursive: true });
  }
  files = /* @__PURE__ */ new Map();
  closed = false;
  /** Appends one entry and fsyncs it; returns its message id (the line's byte offset). */
  async append(pchannel, entry) {
    if (this.closed) throw new Error(`WAL ${this.walDir} is closed`);
    let f = this.files.get(pchannel);
    if (!f) {
      const fh = await open(walFile(this.walDir, pchannel), "a");
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

// src/backends/local/wal/wal-reader.ts
import { watch } from "node:fs";
import { open as open2 } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
var WalFormatError = class extends Error {
  name = "WalFormatError";
};
var NEWLINE = 10;
var CHUNK = 1 << 20;
function parseWalLine(line, offset, where) {
  let raw;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new WalFormatError(`${where} offset ${offset}: not JSON: ${line.slice(0, 80)}`);
  }
  const r = raw;
  const str = (k) => {
    const v = r[k];
    if (typeof v !== "string")
      throw new WalFormatError(
        `${where} offset ${offset}: field "${k}" is ${JSON.stringify(v)}, expected a string`
      );
    return v;
  };
  const tt = str("tt");
  if (!/^\d+$/.test(tt))
    throw new WalFormatError(`${where} offset ${offset}: tt "${tt}" is not a decimal uint64`);
  const kind = str("kind");
  if (kind !== "dml" && kind !== "ddl")
    throw new WalFormatError(`${where} offset ${offset}: kind "${kind}" is not one of dml, ddl`);
  return {
    offset,
    tt,
    ttNum: BigInt(tt),
    method: str("method"),
    kind,
    db: str("db"),
    collection: typeof r.collection === "string" ? r.collection : "",
    payload: str("payload")
  };
}
var WalReader = class _WalReader {
  constructor(file, fromOffset = 0) {
    this.file = file;
    this.pos = fromOffset;
  }
  fh;
  /** Offset of the next unconsumed entry. */
  pos;
  buf = Buffer.allocUnsafe(CHUNK);
  /** Offset of the next entry this reader will return. */
  get position() {
    return this.pos;
  }
  /**
   * Returns the complete entries appended since the last call (at most `max`), or [] if none.
   * Only bytes past the last complete line are read again (an incomplete trailing line is re-read
   * until its "\n" arrives). A missing file is an empty log: the source front creates it on its first write.
   */
  async poll(max = 1024) {
    if (!this.fh) {
      try {
        this.fh = await open2(this.file, "r");
      } catch (e) {
        if (e.code === "ENOENT") return [];
        throw e;
      }
    }
    const out = [];
    let pending;
    let readPos = this.pos;
    while (out.length < max) {
      const { bytesRead } = await this.fh.read(this.buf, 0, CHUNK, readPos);
      if (bytesRead === 0) break;
      readPos += bytesRead;
      const fresh = this.buf.subarray(0, bytesRead);
      const data = pending ? Buffer.concat([pending, fresh]) : fresh;
      let start = 0;
      while (out.length < max) {
        const nl = data.indexOf(NEWLINE, start);
        if (nl < 0) break;
        if (nl > start) out.push(parseWalLine(data.toString("utf8", start, nl), this.pos + start, this.file));
        start = nl + 1;
      }
      this.pos += start;
      if (out.length >= max || bytesRead < CHUNK) break;
      pending = Buffer.from(data.subarray(start));
    }
    return out;
  }
  /** Byte length of the log right now (the head a skip-on-restart jumps to), rounded down to a line end. */
  async headOffset() {
    const r = new _WalReader(this.file, this.position);
    let last = this.position;
    for (; ; ) {
      const batch = await r.poll(4096);
      if (batch.length === 0) break;
      last = r.position;
    }
    await r.close();
    return last;
  }
  async close() {
    const fh = this.fh;
    this.fh = void 0;
    await fh?.close().catch(() => {
    });
  }
};
async function readWholeWal(file) {
  const r = new WalReader(file, 0);
  const all = [];
  try {
    for (; ; ) {
      const batch = await r.poll(4096);
      if (batch.length === 0) break;
      all.push(...batch);
    }
  } finally {
    await r.close();
  }
  return all;
}
var WalDirWatcher = class {
  constructor(dir) {
    this.dir = dir;
    this.ensure();
  }
  watcher;
  lastAttempt = 0;
  versions = /* @__PURE__ */ new Map();
  waiters = /* @__PURE__ */ new Map();
  closed = false;
  /** Whether notifications are active (else callers rely on the fallback interval alone). */
  get watching() {
    return this.watcher !== void 0;
  }
  ensure() {
    if (this.watcher || this.closed || Date.now() - this.lastAttempt < 1e3) return;
    this.lastAttempt = Date.now();
    try {
      const w = watch(this.dir, { persistent: false });
      w.on("change", (_event, name) => this.bump(name ? String(name) : void 0));
      w.on("error", () => {
        w.close();
        if (this.watcher === w) this.watcher = void 0;
        this.bump(void 0);
      });
      this.watcher = w;
    } catch {
    }
  }
  bump(name) {
    const names = name === void 0 ? [...this.waiters.keys()] : [name];
    for (const n of names) {
      this.versions.set(n, (this.versions.get(n) ?? 0) + 1);
      const ws = this.waiters.get(n);
      if (!ws) continue;
      this.waiters.delete(n);
      for (const w of ws) w();
    }
  }
  /** A number that grows whenever `file` (a base name in dir) may have changed. Read it before polling. */
  version(file) {
    return this.versions.get(file) ?? 0;
  }
  /** Resolves when `file` changed after `since` was read, after `fallbackMs`, or on abort. */
  async wait(file, since, fallbackMs, signal) {
    this.ensure();
    if (this.version(file) !== since || signal.aborted) return;
    let wake;
    const changed = new Promise((r) => {
      wake = r;
    });
    let set = this.waiters.get(file);
    if (!set) {
      set = /* @__PURE__ */ new Set();
      this.waiters.set(file, set);
    }
    set.add(wake);
    try {
      await Promise.race([changed, sleep(fallbackMs, void 0, { signal }).catch(() => {
      })]);
    } finally {
      this.waiters.get(file)?.delete(wake);
    }
  }
  close() {
    this.closed = true;
    this.watcher?.close();
    this.watcher = void 0;
    this.bump(void 0);
  }
};

// src/backends/local/replication/metrics-endpoint.ts
import { createServer } from "node:http";
function renderMetrics(channels, now) {
  const lines = [
    "# HELP milvus_cdc_last_replicated_time_tick Physical time (s) of the last time tick CDC replicated",
    "# TYPE milvus_cdc_last_replicated_time_tick gauge"
  ];
  for (const c of channels) {
    const t = c.tickMs(now);
    if (t === void 0) continue;
    lines.push(
      `milvus_cdc_last_replicated_time_tick{channel_name="${c.source}",target_channel_name="${c.target}"} ${(t / 1e3).toFixed(3)}`
    );
  }
  lines.push(
    "# HELP milvus_wal_last_confirmed_time_tick Current max confirmed time tick of wal (s)",
    "# TYPE milvus_wal_last_confirmed_time_tick gauge"
  );
  for (const c of channels)
    lines.push(`milvus_wal_last_confirmed_time_tick{channel_name="${c.source}"} ${(now / 1e3).toFixed(3)}`);
  return `${lines.join("\n")}
`;
}
function serveMetrics(port, channels, signal, log) {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || !req.url?.startsWith("/metrics")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(renderMetrics(channels, Date.now()));
  });
  let retry;
  let logged = false;
  const listen = () => {
    if (signal.aborted) return;
    server.listen(port, "127.0.0.1");
  };
  server.on("error", (e) => {
    if (!logged) log(`metrics endpoint 127.0.0.1:${port}: ${e.code ?? e.message}; retrying every 500 ms`);
    logged = true;
    retry = setTimeout(listen, 500);
    retry.unref();
  });
  server.on("listening", () => log(`metrics endpoint on http://127.0.0.1:${port}/metrics`));
  signal.addEventListener(
    "abort",
    () => {
      clearTimeout(retry);
      server.close();
      server.closeAllConnections();
    },
    { once: true }
  );
  server.unref();
  listen();
}

// src/backends/local/replication/replicator.ts
var Options = external_exports.object({
  walDir: external_exports.string().min(1),
  source: external_exports.object({ clusterId: external_exports.string().min(1), pchannels: external_exports.array(external_exports.string().min(1)).min(1) }),
  target: external_exports.object({
    clusterId: external_exports.string().min(1),
    uri: external_exports.string().min(1),
    token: external_exports.string().optional(),
    pchannels: external_exports.array(external_exports.string().min(1)).min(1)
  }),
  faultMode: external_exports.enum(LOCAL_FAULT_MODES),
  faultEvery: external_exports.number().int().min(0),
  restartDelayMs: external_exports.number().int().min(0),
  logFile: external_exports.string().min(1),
  metricsPort: external_exports.number().int().min(1).max(65535).optional()
}).refine((o) => o.source.pchannels.length === o.target.pchannels.length, {
  message: "source and target must have the same number of pchannels"
});
function parseReplicatorOptions(raw) {
  const r = Options.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.join(".") ?? "";
  let value = raw;
  for (const k of issue?.path ?? [])
    value = value?.[k];
  const shown = path === "target.token" ? "<redacted>" : JSON.stringify(value);
  throw new Error(`replicator option ${path || "(root)"} = ${shown}: ${issue?.message ?? "invalid"}`);
}
function redactOptions(o) {
  const { token, ...target } = o.target;
  return { ...o, target: token ? { ...target, token: "<redacted>" } : target };
}
var OPTIONS_ENV = "MILVUS_CDC_REPLICATOR_OPTIONS";
var GENERATION_ENV = "MILVUS_CDC_REPLICATOR_GENERATION";
var SERVICE_PATH = "/milvus.proto.milvus.MilvusService/";
var REORDER_HOLD_MS = 1e3;
var BACKOFF_MIN_MS = 50;
var BACKOFF_MAX_MS = 2e3;
function grpcTarget(uri) {
  if (!/^[a-z]+:\/\//i.test(uri)) return { address: uri, creds: grpc.credentials.createInsecure() };
  const u = new URL(uri);
  const secure = u.protocol === "https:" || u.protocol === "grpcs:";
  const port = u.port || (secure ? "443" : "19530");
  return {
    address: `${u.hostname}:${port}`,
    creds: secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure()
  };
}
function authMetadata(token) {
  const md = new grpc.Metadata();
  if (token) md.set("authorization", Buffer.from(token).toString("base64"));
  return md;
}
var TargetClient = class {
  constructor(uri, token) {
    this.token = token;
    const { address, creds } = grpcTarget(uri);
    this.client = new grpc.Client(address, creds, {
      "grpc.max_send_message_length": 256 * 1024 * 1024,
      "grpc.max_receive_message_length": 256 * 1024 * 1024,
      // The channel's own reconnect backoff (grpc-js: up to 120 s) would outlast the replicator's retry
      // backoff: after a partition heals, every retry failed unsent ("No connection established") for
      // seconds more. Both wait at most BACKOFF_MAX_MS.
      "grpc.max_reconnect_backoff_ms": BACKOFF_MAX_MS
    });
  }
  client;
  reqType = messageType("milvus.ReplicateRequest");
  infoReqType = messageType("milvus.GetReplicateInfoRequest");
  /** The target's checkpoint for its pchannel, or undefined when it has none. Fails at the deadline. */
  getReplicateInfo(sourceClusterId, targetPchannel, deadlineMs) {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `${SERVICE_PATH}GetReplicateInfo`,
        (v) => Buffer.from(this.infoReqType.encode(this.infoReqType.fromObject(v)).finish()),
        (b) => decode(
          "milvus.GetReplicateInfoResponse",
          b
        ),
        { source_cluster_id: sourceClusterId, target_pchannel: targetPchannel },
        authMetadata(this.token),
        { deadline: Date.now() + deadlineMs },
        (err, res) => {
          if (err) {
            reject(new Error(`GetReplicateInfo(${targetPchannel}) failed: ${err.message}`));
            return;
          }
          const cp = res?.checkpoint;
          if (!cp || cp.time_tick === void 0) {
            resolve(void 0);
            return;
          }
          const id = cp.message_id?.id;
          const offset = id !== void 0 && /^\d+$/.test(id) ? Number(id) : void 0;
          resolve({ offset, tt: BigInt(cp.time_tick), ttStr: cp.time_tick });
        }
      );
    });
  }
  openStream() {
    return this.client.makeBidiStreamRequest(
      `${SERVICE_PATH}CreateReplicateStream`,
      (v) => Buffer.from(this.reqType.encode(this.reqType.fromObject(v)).finish()),
      (b) => {
        const r = decode(
          "milvus.ReplicateResponse",
          b
        );
        return { confirmed: r.replicate_confirmed_message_info?.confirmed_time_tick };
      },
      authMetadata(this.token)
    );
  }
  close() {
    this.client.close();
  }
};
var StreamSession = class {
  constructor(client, sourceClusterId, pchannel, window, ackTimeoutMs) {
    this.sourceClusterId = sourceClusterId;
    this.pchannel = pchannel;
    this.window = window;
    this.call = client.openStream();
    this.call.on("data", (r) => {
      const o = this.inflight.shift();
      if (!o) {
        this.fail(new Error(`target confirmed tt=${r.confirmed} on ${pchannel} but nothing was unconfirmed`));
        return;
      }
      this.confirmed += 1;
      this.lastConfirmedTt = r.confirmed ?? "";
      this.lastConfirmedMs = Number(BigInt(o.entry.tt) >> 18n);
      this.lastProgress = Date.now();
      this.notify();
    });
    this.call.on("error", (e) => this.fail(new Error(`replicate stream ${pchannel}: ${e.message}`)));
    this.call.on("end", () => this.fail(new Error(`replicate stream ${pchannel}: closed by the target`)));
    this.timer = setInterval(
      () => {
        if (this.inflight.length > 0 && Date.now() - this.lastProgress > ackTimeoutMs) {
          const head = this.inflight[0]?.entry;
          this.fail(
            new Error(
              `replicate stream ${pchannel}: no confirmation within ${ackTimeoutMs} ms for ${head?.method} tt=${head?.tt}`
            )
          );
        }
      },
      Math.min(1e3, ackTimeoutMs)
    );
    this.timer.unref();
  }
  call;
  inflight = [];
  wake;
  lastProgress = Date.now();
  timer;
  failure;
  confirmed = 0;
  lastConfirmedTt = "";
  /** Physical ms of the source message the target confirmed last (the CDC tick metric). */
  lastConfirmedMs;
  get unconfirmed() {
    return this.inflight.length;
  }
  /** Physical ms of the oldest message sent and not yet confirmed (metrics), if any. */
  oldestUnconfirmedMs() {
    const head = this.inflight[0];
    return head ? Number(BigInt(head.entry.tt) >> 18n) : void 0;
  }
  fail(e) {
    if (!this.failure) this.failure = e;
    this.notify();
  }
  notify() {
    const w = this.wake;
    this.wake = void 0;
    w?.();
  }
  /** Waits for a change (a confirmation or a failure); the ack timer bounds how long that can take. */
  changed() {
    return new Promise((r) => {
      this.wake = r;
    });
  }
  async send(o) {
    while (!this.failure && this.inflight.length >= this.window) await this.changed();
    if (this.failure) throw this.failure;
    const e = o.entry;
    const properties = {
      _tt: e.tt,
      _pch: this.pchannel,
      _method: e.method,
      _kind: e.kind,
      _db: e.db,
      _coll: e.collection
    };
    if (o.nodedup) properties._nodedup = "1";
    if (this.inflight.length === 0) this.lastProgress = Date.now();
    this.inflight.push(o);
    this.call.write({
      replicate_message: {
        source_cluster_id: this.sourceClusterId,
        message: { id: { id: String(e.offset) }, payload: o.payload, properties }
      }
    });
  }
  /** Resolves once every sent message is confirmed; throws the session's failure instead. */
  async drain() {
    while (!this.failure && this.inflight.length > 0) await this.changed();
    if (this.failure) throw this.failure;
  }
  /** Resolves (by throwing) only when the session fails: a stalled channel waits here. */
  async untilFailure(signal) {
    const aborted = new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));
    while (!this.failure && !signal.aborted) await Promise.race([this.changed(), aborted]);
    if (this.failure) throw this.failure;
  }
  close() {
    clearInterval(this.timer);
    this.call.removeAllListeners("end");
    this.call.on("error", () => {
    });
    this.call.cancel();
  }
};
async function edgeStartAt(file, sourceId, targetId) {
  let start = 0;
  let announced = false;
  let open3 = false;
  for (const e of await readWholeWal(file).catch(() => [])) {
    if (e.method !== ANNOUNCE_METHOD) continue;
    const cfg = decodeRequest(ANNOUNCE_METHOD, Buffer.from(e.payload, "base64")).replicate_configuration;
    const edge = (cfg?.cross_cluster_topology ?? []).some(
      (t) => t.source_cluster_id === sourceId && t.target_cluster_id === targetId
    );
    if (edge && !open3) {
      start = e.offset;
      announced = true;
    }
    open3 = edge;
    if (!edge) {
      start = 0;
      announced = false;
    }
  }
  return { offset: start, announced };
}
async function resumePoint(file, cp, log, fresh = async () => 0) {
  if (!cp) return { offset: await fresh(), floorTt: void 0 };
  if (cp.offset !== void 0) {
    const r = new WalReader(file, cp.offset);
    try {
      const [e] = await r.poll(1).catch(() => []);
      if (e && e.offset === cp.offset && e.tt === cp.ttStr) return { offset: r.position, floorTt: cp.tt };
    } finally {
      await r.close();
    }
  }
  log(
    `${file}: checkpoint message id ${cp.offset} does not hold tt ${cp.ttStr}; resuming after the first tt > it`
  );
  return { offset: 0, floorTt: cp.tt };
}
function backoff(attempt) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}
async function sleepUnlessAborted(ms, signal) {
  try {
    await sleep2(ms, void 0, { signal });
  } catch {
  }
}
async function runReplicator(opts, ctx) {
  const client = new TargetClient(opts.target.uri, opts.target.token);
  const corruptMarker = `${opts.logFile}.corrupt-vector-done`;
  const tailMarker = `${opts.logFile}.lose-tail-done`;
  const wedgedFile = wedgedChannelFile(opts.logFile);
  const wedgedBefore = existsSync(wedgedFile) ? readFileSync(wedgedFile, "utf8").trim() : void 0;
  const shared = {
    sent: 0,
    corrupted: existsSync(corruptMarker),
    onCorrupted: () => writeFileSync(corruptMarker, `${(/* @__PURE__ */ new Date()).toISOString()}
`),
    tailLost: existsSync(tailMarker),
    wedged: wedgedBefore,
    onTailLost: () => writeFileSync(tailMarker, `${(/* @__PURE__ */ new Date()).toISOString()}
`)
  };
  let faultStarted = false;
  const window = ctx.window ?? 64;
  const channels = opts.source.pchannels.map((source, index) => ({
    index,
    source,
    target: opts.target.pchannels[index],
    file: join2(opts.walDir, `${source}.log`),
    plan: resumePlan(opts.faultMode, ctx.generation > 0),
    replayDone: false,
    sent: 0,
    wedged: opts.faultMode === "wedge-channel" && source === wedgedBefore
  }));
  ctx.log(
    `replicator generation ${ctx.generation} starting: ${channels.length} channels, fault mode ${opts.faultMode}` + (opts.faultMode === "drop" || opts.faultMode === "stall" ? ` every ${opts.faultEvery}` : "")
  );
  for (const ch of channels) {
    if (ch.plan.kind !== "head") continue;
    const r = new WalReader(ch.file, 0);
    ch.skipFloor = await r.headOffset();
    await r.close();
  }
  setMaxListeners(Math.max(10, channels.length * 4), ctx.signal);
  const watcher = new WalDirWatcher(opts.walDir);
  const frozen = opts.faultMode === "frozen-lag-metric" && ctx.generation > 0;
  if (opts.metricsPort !== void 0)
    serveMetrics(
      opts.metricsPort,
      channels.map((ch) => ({
        source: ch.source,
        target: ch.target,
        // Milvus's tick T means every message before T is replicated (time ticks flow through the
        // channel). The local log has none, so: just before the oldest message not yet confirmed;
        // with none pending, the newest confirmed one or the last idle moment.
        tickMs: (now) => {
          if (frozen) return now;
          const pending = [ch.session?.oldestUnconfirmedMs(), ch.unsentFromMs].filter(
            (v) => v !== void 0
          );
          if (pending.length > 0) return Math.min(...pending) - 1;
          const confirmed = ch.session?.lastConfirmedMs;
          if (ch.tickMs === void 0) return confirmed;
          return confirmed === void 0 ? ch.tickMs : Math.max(ch.tickMs, confirmed);
        }
      })),
      ctx.signal,
      ctx.log
    );
  const loops = channels.map((ch) => channelLoop(ch));
  ctx.onReady?.();
  let reported = 0;
  const progress = setInterval(() => {
    const sent = channels.reduce((a, c) => a + c.sent, 0);
    if (sent === reported) return;
    reported = sent;
    const busy = channels.filter((c) => c.sent > 0).map((c) => `${c.index}:${c.sent}`);
    ctx.log(`progress: ${sent} messages sent since start (per channel ${busy.join(" ")})`);
  }, 1e4);
  progress.unref();
  await Promise.all(loops);
  clearInterval(progress);
  watcher.close();
  client.close();
  ctx.log("replicator stopped");
  async function channelLoop(ch) {
    let attempt = 0;
    const filter = new FaultFilter(
      opts.faultMode,
      opts.faultEvery,
      shared,
      (m) => ctx.log(`${ch.source}: ${m}`)
    );
    while (!ctx.signal.aborted) {
      try {
        await session(ch, filter);
        attempt = 0;
      } catch (e) {
        if (ctx.signal.aborted) break;
        const wait = backoff(attempt++);
        ctx.log(`${ch.source}: ${e.message}; retrying in ${Math.round(wait)} ms`);
        await sleepUnlessAborted(wait, ctx.signal);
      }
    }
  }
  async function session(ch, filter) {
    const cp = await client.getReplicateInfo(opts.source.clusterId, ch.target, ctx.infoDeadlineMs ?? 5e3);
    if (cp && ch.tickMs === void 0) ch.tickMs = Number(cp.tt >> 18n);
    let announced = false;
    let { offset, floorTt } = await resumePoint(ch.file, cp, ctx.log, async () => {
      const r = await edgeStartAt(ch.file, opts.source.clusterId, opts.target.clusterId);
      announced = r.announced;
      return r.offset;
    });
    if (opts.faultMode === "repoint-skip" && !cp && announced && ch.repointSkip === void 0)
      ch.repointSkip = REPOINT_SKIP_WRITES;
    if (opts.faultMode === "lose-on-partition" && ch.readTo !== void 0 && ch.readTo > offset) {
      ctx.log(
        `${ch.source}: fault lose-on-partition: the link broke with messages in flight; skipping log bytes ${offset}..${ch.readTo}: the target's checkpoint moves past them with the next message, they are never applied (milvus-io/milvus#53368)`
      );
      offset = ch.readTo;
    }
    if (ch.plan.kind === "head" && ch.skipFloor !== void 0 && ch.skipFloor > offset) {
      ctx.log(`${ch.source}: fault skip-on-restart: skipping log bytes ${offset}..${ch.skipFloor}`);
      offset = ch.skipFloor;
    }
    const s = new StreamSession(client, opts.source.clusterId, ch.source, window, ctx.ackTimeoutMs ?? 3e4);
    ch.session = s;
    const onAbort = () => s.close();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const reader = new WalReader(ch.file, offset);
    filter.newSession();
    try {
      if (frozen && !ch.held) {
        ch.held = true;
        ctx.log(`${ch.source}: fault frozen-lag-metric: holding the backlog for ${FROZEN_LAG_HOLD_MS} ms`);
        await sleepUnlessAborted(FROZEN_LAG_HOLD_MS, ctx.signal);
      }
      if (ch.plan.kind === "replay" && !ch.replayDone && cp) await replay(ch, s, cp, offset);
      await pump(ch, filter, s, reader, floorTt);
    } finally {
      const confirmed = s.lastConfirmedMs;
      if (confirmed !== void 0) ch.tickMs = Math.max(ch.tickMs ?? confirmed, confirmed);
      ctx.signal.removeEventListener("abort", onAbort);
      s.close();
      await reader.close();
    }
  }
  async function replay(ch, s, cp, resumeOffset) {
    if (ch.plan.kind !== "replay") return;
    const before = (await readWholeWal(ch.file)).filter((e) => e.offset < resumeOffset && e.ttNum <= cp.tt);
    const from = ch.plan.from === "start" ? 0 : Math.max(0, before.length - ch.plan.from.back);
    const again = before.slice(from).filter((e) => e.method === "Insert");
    ctx.log(
      `${ch.source}: fault ${opts.faultMode}: re-sending ${again.length} inserts from ${ch.plan.from === "start" ? "the start of the log" : `${before.length - from} messages before the checkpoint`} with dedup off`
    );
    for (const e of again) {
      await s.send({ entry: e, payload: Buffer.from(e.payload, "base64"), nodedup: true });
      ch.sent += 1;
    }
    await s.drain();
    ch.replayDone = true;
  }
  async function pump(ch, filter, s, reader, floorTt) {
    const name = basename(ch.file);
    let lastActivity = Date.now();
    let idleSince;
    let stallLogged = false;
    const sendAll = async (outs) => {
      for (const o of outs) {
        if (filter.stalled) {
          if (!stallLogged) {
            ctx.log(`${ch.source}: fault stall: stopped after ${shared.sent} messages; staying connected`);
            stallLogged = true;
          }
          await s.untilFailure(ctx.signal);
          return;
        }
        await s.send(o);
        filter.noteSent();
        ch.sent += 1;
      }
    };
    const wedge = async () => {
      await s.untilFailure(ctx.signal);
    };
    if (ch.wedged) return wedge();
    while (!ctx.signal.aborted) {
      if (s.failure) throw s.failure;
      const seen = watcher.version(name);
      const batch = await reader.poll(256);
      if (batch.length === 0) {
        if (!filter.holding && s.unconfirmed === 0 && !filter.stalled) ch.tickMs = Date.now();
        if (filter.holding) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince >= REORDER_HOLD_MS) await sendAll(filter.flush());
          await sendAll(filter.due());
        }
        let fallback = watcher.watching ? 100 : Date.now() - lastActivity < 2e3 ? 10 : 20;
        if (filter.holding) fallback = Math.min(fallback, 50);
        await watcher.wait(name, seen, fallback, ctx.signal);
        continue;
      }
      lastActivity = Date.now();
      idleSince = void 0;
      ch.readTo = reader.position;
      if (opts.faultMode === "wedge-channel" && !faultStarted)
        faultStarted = existsSync(faultMarkerFile(opts.logFile));
      for (const e of batch) {
        if (floorTt !== void 0 && e.ttNum <= floorTt) continue;
        if (ch.repointSkip && skippedOnRepoint(e)) {
          ch.repointSkip -= 1;
          ctx.log(
            `${ch.source}: fault repoint-skip: skipping ${e.method} on ${e.collection} tt=${e.tt} offset=${e.offset} (an edge a re-point created starts past the new primary's first writes)`
          );
          continue;
        }
        if (faultStarted && shared.wedged === void 0 && wedgesOn(e)) {
          shared.wedged = ch.source;
          ch.wedged = true;
          writeFileSync(wedgedFile, `${ch.source}
`);
          ctx.log(
            `${ch.source}: fault wedge-channel: ${e.method} on ${e.collection} tt=${e.tt} offset=${e.offset} failed; the channel sends nothing more, for good (milvus-io/milvus#53382)`
          );
          return wedge();
        }
        ch.unsentFromMs = Number(e.ttNum >> 18n);
        await sendAll(filter.push(e));
        ch.unsentFromMs = void 0;
        if (ctx.signal.aborted) return;
      }
    }
  }
}

export {
  faultMarkerFile,
  ANNOUNCE_METHOD,
  FLUSH_ALL_METHOD,
  walFile,
  TimeTickAllocator,
  WalWriter,
  readWholeWal,
  parseReplicatorOptions,
  redactOptions,
  OPTIONS_ENV,
  GENERATION_ENV,
  TargetClient,
  runReplicator
};
