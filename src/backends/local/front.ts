/**
 * The front of a local cluster: a MilvusService gRPC server in front of one Milvus Lite server. Unary
 * calls pass through as raw bytes; the front decodes only what it needs to add what Milvus Lite lacks:
 * the replication API, the primary/secondary role, per-collection channels, the primary's WAL and the
 * receiving end of the replication stream.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  decode,
  decodeRequest,
  encode,
  encodeResponse,
  isSuccess,
  type MilvusStatus,
  milvusMethods,
  responseStatus,
  statusResponse,
} from "../../milvus/proto.js";
import { DuplicateTracker } from "./duplicates.js";
import { decideForcePromote } from "./force-promote.js";
import {
  CLUSTER_SCOPED_METHODS,
  COLLECTION_SCOPED_METHODS,
  kindOf,
  MUTATING_METHODS,
  SECRET_METHODS,
} from "./methods.js";
import { KeyedMutex } from "./mutex.js";
import {
  normalizeConfig,
  type ReplicateConfiguration,
  roleOf,
  sameConfig,
  sanitizeConfig,
  validateReplicateConfig,
} from "./replicate-config.js";
import { readJson, writeJsonAtomic } from "./state.js";
import { TimeTickAllocator, WalWriter } from "./wal.js";

/** Milvus's answer to a client write on a standby (pymilvus sees code 65535). */
export const REPLICATE_VIOLATION_REASON =
  "code: STREAMING_CODE_REPLICATE_VIOLATION, cause: non-replicate message cannot be received in secondary role";

export interface ReplicateCheckpoint {
  cluster_id: string;
  pchannel: string;
  message_id: { id: string };
  time_tick: string;
}

export interface FrontOptions {
  clusterId: string;
  pchannels: string[];
  /** host:port of this cluster's Milvus Lite server. */
  backendAddress: string;
  stateDir: string;
  walDir: string;
  /** When set, every call must carry `authorization: base64(token)` like the Milvus SDK sends it. */
  token?: string;
  log?: (message: string) => void;
  /**
   * Called when a configuration is accepted in which this cluster is a replication source, before the
   * call is answered (the lab starts its replicator here). A throw turns into an error answer.
   */
  onSourceConfigured?: (config: ReplicateConfiguration) => Promise<void>;
}

interface ChannelMap {
  /** db -> collection -> channel index. */
  collections: Record<string, Record<string, number>>;
  /** db -> alias -> collection. */
  aliases: Record<string, Record<string, string>>;
}

interface Plan {
  channels: number[];
  /** The channel the WAL entry goes to. */
  channel: number;
  collection: string;
  /** Updates the collection map after the mutation succeeded. */
  effect?: () => void;
}

type Bytes = Buffer;
const identity = (b: Bytes): Bytes => b;

const HOP_HEADERS = new Set(["authorization", "user-agent", "content-type", "te", "host"]);

function status(code: number, reason: string, errorCode = "UnexpectedError"): MilvusStatus {
  return { error_code: errorCode, code, reason };
}

class FrontError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export class Front {
  readonly clusterId: string;
  readonly pchannels: string[];
  private server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024 });
  private backend: grpc.Client;
  private mutex = new KeyedMutex<number>();
  private tt = new TimeTickAllocator();
  private wal: WalWriter;
  private config: ReplicateConfiguration | null = null;
  private map: ChannelMap = { collections: {}, aliases: {} };
  private mapSave: Promise<void> = Promise.resolve();
  private pending = new Map<number, number>();
  private checkpoints = new Map<string, ReplicateCheckpoint>();
  private configLock = new KeyedMutex<string>();
  private stopped = false;
  private port = 0;
  private log: (m: string) => void;
  /** Makes a re-inserted key count twice in count(*), as on Milvus (Milvus Lite would replace the row). */
  private dups = new DuplicateTracker((method, request) =>
    this.forward(method, request, new grpc.Metadata()),
  );

  private constructor(private readonly opts: FrontOptions) {
    this.clusterId = opts.clusterId;
    this.pchannels = [...opts.pchannels];
    this.log = opts.log ?? (() => {});
    this.wal = new WalWriter(opts.walDir);
    this.backend = new grpc.Client(opts.backendAddress, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 256 * 1024 * 1024,
      "grpc.max_send_message_length": 256 * 1024 * 1024,
    });
  }

  static async start(opts: FrontOptions): Promise<Front> {
    const front = new Front(opts);
    await front.loadState();
    front.server.addService(front.serviceDefinition(), front.implementation());
    front.port = await new Promise<number>((resolve, reject) =>
      front.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    return front;
  }

  get uri(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get role(): "primary" | "secondary" {
    return roleOf(this.config, this.clusterId);
  }

  get replicateConfiguration(): ReplicateConfiguration | null {
    return this.config;
  }

  walSizes(): Record<string, number> {
    return this.wal.sizes();
  }

  checkpointList(): ReplicateCheckpoint[] {
    return [...this.checkpoints.values()];
  }

  /** Where a collection lives (for tests and diagnostics). */
  channelOf(collection: string, db = "default"): string | undefined {
    const i = this.resolve(db, collection);
    return i === undefined ? undefined : this.pchannels[i];
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // In-flight calls (and GetReplicateInfo calls parked on an unknown channel) are cancelled, not awaited.
    this.server.forceShutdown();
    this.backend.close();
    await this.mapSave.catch(() => {});
    await this.wal.close();
  }

  private get files() {
    const d = this.opts.stateDir;
    return {
      config: join(d, "replicate-config.json"),
      map: join(d, "channels.json"),
      checkpoint: (pch: string) => join(d, "checkpoints", `${pch}.json`),
    };
  }

  private async loadState(): Promise<void> {
    // A front restarted from disk knows the topology but not the tokens (they are not stored).
    const cfg = await readJson<ReplicateConfiguration>(this.files.config);
    this.config = cfg ? normalizeConfig(cfg) : null;
    this.map = (await readJson<ChannelMap>(this.files.map)) ?? { collections: {}, aliases: {} };
    for (const p of this.pchannels) {
      const cp = await readJson<ReplicateCheckpoint>(this.files.checkpoint(p));
      if (cp) this.checkpoints.set(p, cp);
    }
  }

  // ---- gRPC plumbing -------------------------------------------------------------------------

  private serviceDefinition(): grpc.ServiceDefinition {
    const def: Record<string, grpc.MethodDefinition<Bytes, Bytes>> = {};
    for (const m of milvusMethods().values()) {
      def[m.name] = {
        path: m.path,
        requestStream: m.requestStream,
        responseStream: m.responseStream,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
        originalName: m.name,
      };
    }
    return def;
  }

  private implementation(): grpc.UntypedServiceImplementation {
    const impl: grpc.UntypedServiceImplementation = {};
    for (const m of milvusMethods().values()) {
      if (m.name === "CreateReplicateStream") {
        impl[m.name] = (call: grpc.ServerDuplexStream<Bytes, Bytes>) => this.replicateStream(call);
      } else if (m.requestStream || m.responseStream) {
        impl[m.name] = (call: grpc.ServerWritableStream<Bytes, Bytes>) =>
          call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: `${m.name} is not served locally` });
      } else {
        impl[m.name] = (call: grpc.ServerUnaryCall<Bytes, Bytes>, callback: grpc.sendUnaryData<Bytes>) => {
          if (!this.authorized(call.metadata)) {
            callback({
              code: grpc.status.UNAUTHENTICATED,
              details: "auth check failure, please check token",
            });
            return;
          }
          this.unary(m.name, call.request, call.metadata, call.getDeadline()).then(
            (res) => callback(null, res),
            (err) => callback(toServiceError(err)),
          );
        };
      }
    }
    return impl;
  }

  private authorized(md: grpc.Metadata): boolean {
    if (!this.opts.token) return true;
    const want = Buffer.from(this.opts.token, "utf8").toString("base64");
    return md.get("authorization").some((v) => String(v) === want);
  }

  private forward(
    method: string,
    request: Bytes,
    md: grpc.Metadata,
    deadline?: grpc.Deadline,
  ): Promise<Bytes> {
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
        deadline !== undefined && deadline !== Number.POSITIVE_INFINITY ? { deadline } : {},
        (err, res) => (err ? reject(err) : resolve(res ?? Buffer.alloc(0))),
      );
    });
  }

  // ---- unary calls ---------------------------------------------------------------------------

  private async unary(
    method: string,
    request: Bytes,
    md: grpc.Metadata,
    deadline: grpc.Deadline,
  ): Promise<Bytes> {
    switch (method) {
      case "UpdateReplicateConfiguration":
        return this.updateConfig(request);
      case "GetReplicateConfiguration":
        return encodeResponse(method, {
          status: {},
          configuration: this.config ? sanitizeConfig(this.config) : {},
        });
      case "GetReplicateInfo":
        return this.replicateInfo(request);
    }
    if (method === "Query") {
      const res = await this.forward(method, request, md, deadline);
      const req = decodeRequest<{ db_name?: string; collection_name?: string }>(method, request);
      const db = this.dbOf(req, md);
      const name = req.collection_name ?? "";
      return this.dups.adjustCount(request, res, db, this.map.aliases[db]?.[name] ?? name);
    }
    if (!MUTATING_METHODS.has(method)) return this.forward(method, request, md, deadline);
    return this.clientMutation(method, request, md, deadline);
  }

  private async updateConfig(request: Bytes): Promise<Bytes> {
    const req = decodeRequest<{ replicate_configuration?: unknown; force_promote?: boolean }>(
      "UpdateReplicateConfiguration",
      request,
    );
    return this.configLock.run(["config"], async () => {
      const fail = (reason: string) => statusResponse("UpdateReplicateConfiguration", status(65535, reason));
      if (req.force_promote) {
        const d = decideForcePromote(req.replicate_configuration, this.config, this.clusterId, this.role);
        if (!d.ok) {
          this.log(`${this.clusterId}: force promote refused: ${d.error}`);
          return fail(d.error);
        }
        if (!d.unchanged) await this.saveConfig(d.config);
        this.log(`${this.clusterId}: force-promoted, role ${this.role}`);
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
        this.pchannels,
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
          return fail(`configuration saved, but replication could not start: ${(e as Error).message}`);
        }
      }
      return statusResponse("UpdateReplicateConfiguration", {});
    });
  }

  private async saveConfig(config: ReplicateConfiguration): Promise<void> {
    // Tokens never go to disk: the file keeps only a digest of each, enough to see that one changed.
    const onDisk = {
      ...sanitizeConfig(config),
      token_sha256: Object.fromEntries(
        config.clusters.map((c) => [
          c.cluster_id,
          c.connection_param.token ? createHash("sha256").update(c.connection_param.token).digest("hex") : "",
        ]),
      ),
    };
    await writeJsonAtomic(this.files.config, onDisk);
    this.config = config;
  }

  private replicateInfo(request: Bytes): Promise<Bytes> {
    const req = decodeRequest<{ source_cluster_id?: string; target_pchannel?: string }>(
      "GetReplicateInfo",
      request,
    );
    const pch = req.target_pchannel ?? "";
    // Milvus blocks until the caller's deadline on a channel it does not own: so does the front.
    if (!this.pchannels.includes(pch)) return new Promise<Bytes>(() => {});
    const cp = this.checkpoints.get(pch);
    const body = cp && cp.cluster_id === req.source_cluster_id ? { checkpoint: cp } : {};
    return Promise.resolve(encodeResponse("GetReplicateInfo", body));
  }

  private dbOf(req: { db_name?: string }, md?: grpc.Metadata): string {
    if (req.db_name) return req.db_name;
    const fromMd = md?.get("dbname")[0];
    return fromMd ? String(fromMd) : "default";
  }

  private resolve(db: string, name: string): number | undefined {
    const real = this.map.aliases[db]?.[name] ?? name;
    return this.map.collections[db]?.[real];
  }

  /** The least-used channel (collections already there plus creations in flight). */
  private pickChannel(): number {
    const use = new Array<number>(this.pchannels.length).fill(0);
    for (const db of Object.values(this.map.collections))
      for (const ch of Object.values(db)) use[ch] = (use[ch] ?? 0) + 1;
    for (const [ch, n] of this.pending) use[ch] = (use[ch] ?? 0) + n;
    let best = 0;
    for (let i = 1; i < use.length; i++) if ((use[i] ?? 0) < (use[best] ?? 0)) best = i;
    return best;
  }

  /** What a mutation touches and how it changes the collection map. `forced` = the channel a replicated message came on. */
  private plan(method: string, req: Record<string, unknown>, db: string, forced?: number): Plan {
    const str = (k: string) => (typeof req[k] === "string" ? (req[k] as string) : "");
    const realName = (n: string) => this.map.aliases[db]?.[n] ?? n;
    const at = (ch: number | undefined, collection: string, effect?: () => void): Plan => {
      const c = forced ?? ch ?? 0;
      return { channels: [c], channel: c, collection, effect };
    };
    const setColl = (name: string, ch: number) => {
      this.map.collections[db] ??= {};
      this.map.collections[db][name] = ch;
    };
    const dropColl = (name: string) => {
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
        const names = ((req.collection_names as string[] | undefined) ?? []).map(realName);
        const chans = [...new Set(names.map((n) => this.resolve(db, n) ?? 0))];
        const first = forced ?? chans[0] ?? 0;
        return {
          channels: forced !== undefined ? [forced] : chans.length ? chans : [0],
          channel: first,
          collection: names[0] ?? "",
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

  private persistMap(): Promise<void> {
    // Chained so the newest state is always the last one written.
    this.mapSave = this.mapSave.then(() => writeJsonAtomic(this.files.map, this.map));
    return this.mapSave;
  }

  private async clientMutation(
    method: string,
    request: Bytes,
    md: grpc.Metadata,
    deadline: grpc.Deadline,
  ): Promise<Bytes> {
    if (this.role === "secondary") return statusResponse(method, status(65535, REPLICATE_VIOLATION_REASON));
    if (method === "Import" && this.config && this.config.cross_cluster_topology.length > 0) {
      return statusResponse(
        method,
        status(
          65535,
          `import is not supported while replication is configured (cluster '${this.clusterId}' is in a replication topology); remove the replication configuration first`,
        ),
      );
    }
    const req = decodeRequest<Record<string, unknown>>(method, request);
    const db = this.dbOf(req as { db_name?: string }, md);
    if (method === "CreateCollection") {
      const refusal = this.checkCreateCollection(req);
      if (refusal) return statusResponse(method, status(1100, refusal, "IllegalArgument"));
    }
    const plan = this.plan(method, req, db);
    if (method === "CreateCollection")
      this.pending.set(plan.channel, (this.pending.get(plan.channel) ?? 0) + 1);
    try {
      // Forward, then append, under the channel's lock: the WAL order is the order Milvus Lite applied.
      return await this.mutex.run(plan.channels, async () => {
        const recordDuplicates = await this.dups.before(method, request, db, plan.collection);
        const res = await this.forward(method, request, md, deadline);
        if (!isSuccess(responseStatus(method, res))) return res;
        recordDuplicates?.();
        if (!SECRET_METHODS.has(method)) {
          const pch = this.pchannels[plan.channel] as string;
          await this.wal.append(pch, {
            tt: this.tt.next().toString(),
            method,
            kind: kindOf(method),
            db,
            collection: plan.collection,
            payload: request.toString("base64"),
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
  private checkCreateCollection(req: Record<string, unknown>): string | null {
    const bytes = req.schema as Buffer | undefined;
    if (!bytes || bytes.length === 0) return null;
    const schema = decode<{
      autoID?: boolean;
      fields?: Array<{ name?: string; autoID?: boolean; is_primary_key?: boolean }>;
    }>("schema.CollectionSchema", bytes);
    const auto =
      (schema.fields ?? []).find((f) => f.autoID) ??
      (schema.autoID ? { name: "(schema autoID)" } : undefined);
    if (auto) {
      return `collection '${String(req.collection_name)}': auto_id primary key '${auto.name}' is not supported by the local backend (auto-generated ids cannot be replicated faithfully by its replicator); use auto_id=false with explicit keys, or the kind backend`;
    }
    return null;
  }

  // ---- the receiving end of replication --------------------------------------------------------

  private replicateStream(call: grpc.ServerDuplexStream<Bytes, Bytes>): void {
    if (!this.authorized(call.metadata)) {
      call.emit("error", {
        code: grpc.status.UNAUTHENTICATED,
        details: "auth check failure, please check token",
      });
      return;
    }
    let chain: Promise<void> = Promise.resolve();
    let broken = false;
    call.on("data", (buf: Bytes) => {
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

  private async applyReplicated(buf: Bytes): Promise<Bytes> {
    const req = decode<{
      replicate_message?: {
        source_cluster_id?: string;
        message?: { id?: { id?: string }; payload?: Buffer; properties?: Record<string, string> };
      };
    }>("milvus.ReplicateRequest", buf);
    const rm = req.replicate_message;
    const props = rm?.message?.properties ?? {};
    const source = rm?.source_cluster_id ?? "";
    const cfg = this.config;
    const edge = cfg?.cross_cluster_topology.find(
      (t) => t.source_cluster_id === source && t.target_cluster_id === this.clusterId,
    );
    if (!cfg || !edge) {
      throw new FrontError(
        grpc.status.FAILED_PRECONDITION,
        `cluster '${this.clusterId}' has no replication from source cluster '${source}' configured`,
      );
    }
    const srcPch = props._pch ?? "";
    const srcCluster = cfg.clusters.find((c) => c.cluster_id === source);
    const idx = srcCluster?.pchannels.indexOf(srcPch) ?? -1;
    const selfCluster = cfg.clusters.find((c) => c.cluster_id === this.clusterId);
    const targetPch = idx >= 0 ? selfCluster?.pchannels[idx] : undefined;
    const channel = targetPch === undefined ? -1 : this.pchannels.indexOf(targetPch);
    if (channel < 0 || targetPch === undefined) {
      throw new FrontError(
        grpc.status.FAILED_PRECONDITION,
        `pchannel '${srcPch}' is not a pchannel of source cluster '${source}' in the replicate configuration`,
      );
    }
    const method = props._method ?? "";
    if (!MUTATING_METHODS.has(method)) {
      throw new FrontError(grpc.status.INVALID_ARGUMENT, `replicated message has unknown method '${method}'`);
    }
    let tt: bigint;
    try {
      tt = BigInt(props._tt ?? "");
    } catch {
      throw new FrontError(grpc.status.INVALID_ARGUMENT, `replicated message has invalid _tt '${props._tt}'`);
    }
    const payload = rm?.message?.payload ?? Buffer.alloc(0);
    const db = props._db || "default";
    const confirm = () =>
      encode("milvus.ReplicateResponse", {
        replicate_confirmed_message_info: { confirmed_time_tick: tt.toString() },
      });
    return this.mutex.run([channel], async () => {
      const cp = this.checkpoints.get(targetPch);
      if (cp && tt <= BigInt(cp.time_tick) && props._nodedup !== "1") return confirm();
      const req2 = decodeRequest<Record<string, unknown>>(method, payload);
      const plan = this.plan(method, req2, db, channel);
      const md = new grpc.Metadata();
      md.set("dbname", db);
      let res: Bytes;
      let recordDuplicates: (() => void) | undefined;
      try {
        recordDuplicates = await this.dups.before(method, payload, db, plan.collection);
        res = await this.forward(method, payload, md);
      } catch (e) {
        throw new FrontError(
          grpc.status.INTERNAL,
          `apply of ${method} on '${props._coll ?? ""}' failed: ${(e as grpc.ServiceError).details ?? (e as Error).message}`,
        );
      }
      const st = responseStatus(method, res);
      if (!isSuccess(st)) {
        throw new FrontError(
          grpc.status.INTERNAL,
          `apply of ${method} on '${props._coll ?? ""}' failed: ${st?.reason ?? "error"}`,
        );
      }
      recordDuplicates?.();
      if (plan.effect) {
        plan.effect();
        await this.persistMap();
      }
      const next: ReplicateCheckpoint = {
        cluster_id: source,
        pchannel: srcPch,
        message_id: { id: rm?.message?.id?.id ?? "" },
        time_tick: tt.toString(),
      };
      await writeJsonAtomic(this.files.checkpoint(targetPch), next);
      this.checkpoints.set(targetPch, next);
      return confirm();
    });
  }
}

function toServiceError(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof FrontError) return { code: e.code, details: e.message };
  const se = e as Partial<grpc.ServiceError>;
  if (typeof se?.code === "number")
    return { code: se.code, details: se.details ?? se.message, metadata: se.metadata };
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}
