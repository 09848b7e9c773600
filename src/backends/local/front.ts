/**
 * The front of a local cluster: a MilvusService gRPC server in front of one Milvus Lite server. Unary
 * calls pass through as raw bytes; the front routes to the parts that add what Milvus Lite lacks:
 * the replicate configuration (config-store), per-collection channels (channel-map), client writes and
 * the primary's WAL (primary-writes), the receiving end of replication (replicate-stream,
 * replicate-apply, checkpoints) and Milvus's duplicate-row behaviour (duplicates).
 */
import * as grpc from "@grpc/grpc-js";
import { decodeRequest, encodeResponse, milvusMethods, statusResponse } from "../../milvus/proto.js";
import { ChannelMap } from "./channel-map.js";
import { CheckpointStore, type ReplicateCheckpoint } from "./checkpoints.js";
import { ConfigStore, type ConfigUpdate } from "./config-store.js";
import { DuplicateTracker } from "./duplicates.js";
import { milvusStatus, toServiceError } from "./front-errors.js";
import { dbOf, identity, LiteLink } from "./lite-link.js";
import { MUTATING_METHODS } from "./methods.js";
import { KeyedMutex } from "./mutex.js";
import { PrimaryWrites } from "./primary-writes.js";
import { ReplicateApply } from "./replicate-apply.js";
import type { ReplicateConfiguration } from "./replicate-config.js";
import { serveReplicateStream } from "./replicate-stream.js";
import { WalWriter } from "./wal.js";

export type { ReplicateCheckpoint } from "./checkpoints.js";
export { REPLICATE_VIOLATION_REASON } from "./front-errors.js";

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

type Bytes = Buffer;
const UNAUTHENTICATED = {
  code: grpc.status.UNAUTHENTICATED,
  details: "auth check failure, please check token",
};

export class Front {
  readonly clusterId: string;
  readonly pchannels: string[];
  private readonly server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024 });
  private readonly lite: LiteLink;
  private readonly wal: WalWriter;
  private readonly config: ConfigStore;
  private readonly channels: ChannelMap;
  private readonly checkpoints: CheckpointStore;
  /** Makes a re-inserted key count twice in count(*), as on Milvus (Milvus Lite would replace the row). */
  private readonly dups: DuplicateTracker;
  private readonly writes: PrimaryWrites;
  private readonly receiver: ReplicateApply;
  private stopped = false;
  private port = 0;
  private readonly log: (m: string) => void;

  private constructor(private readonly opts: FrontOptions) {
    this.clusterId = opts.clusterId;
    this.pchannels = [...opts.pchannels];
    this.log = opts.log ?? (() => {});
    this.lite = new LiteLink(opts.backendAddress);
    this.wal = new WalWriter(opts.walDir);
    this.config = new ConfigStore(opts.clusterId, this.pchannels, opts.stateDir);
    this.channels = new ChannelMap(this.pchannels.length, opts.stateDir);
    this.checkpoints = new CheckpointStore(this.pchannels, opts.stateDir);
    this.dups = new DuplicateTracker((method, request) => this.lite.call(method, request));
    const locks = new KeyedMutex<number>();
    const shared = {
      clusterId: this.clusterId,
      pchannels: this.pchannels,
      config: this.config,
      channels: this.channels,
      locks,
      lite: this.lite,
      dups: this.dups,
    };
    this.writes = new PrimaryWrites({ ...shared, wal: this.wal });
    this.receiver = new ReplicateApply({ ...shared, checkpoints: this.checkpoints });
  }

  static async start(opts: FrontOptions): Promise<Front> {
    const front = new Front(opts);
    await front.config.load();
    await front.channels.load();
    await front.checkpoints.load();
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
    return this.config.role;
  }

  get replicateConfiguration(): ReplicateConfiguration | null {
    return this.config.config;
  }

  walSizes(): Record<string, number> {
    return this.wal.sizes();
  }

  checkpointList(): ReplicateCheckpoint[] {
    return this.checkpoints.list();
  }

  /** Where a collection lives (for tests and diagnostics). */
  channelOf(collection: string, db = "default"): string | undefined {
    const i = this.channels.channelOf(db, collection);
    return i === undefined ? undefined : this.pchannels[i];
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // In-flight calls (and GetReplicateInfo calls parked on an unknown channel) are cancelled, not awaited.
    this.server.forceShutdown();
    this.lite.close();
    await this.channels.flushed();
    await this.wal.close();
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
        impl[m.name] = (call: grpc.ServerDuplexStream<Bytes, Bytes>) => {
          if (!this.authorized(call.metadata)) call.emit("error", UNAUTHENTICATED);
          else serveReplicateStream(call, (buf) => this.receiver.apply(buf));
        };
      } else if (m.requestStream || m.responseStream) {
        impl[m.name] = (call: grpc.ServerWritableStream<Bytes, Bytes>) =>
          call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: `${m.name} is not served locally` });
      } else {
        impl[m.name] = (call: grpc.ServerUnaryCall<Bytes, Bytes>, callback: grpc.sendUnaryData<Bytes>) => {
          if (!this.authorized(call.metadata)) {
            callback(UNAUTHENTICATED);
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
        return encodeResponse(method, { status: {}, configuration: this.config.sanitized() });
      case "GetReplicateInfo":
        return this.replicateInfo(request);
      case "Query": {
        const res = await this.lite.call(method, request, md, deadline);
        const req = decodeRequest<{ db_name?: string; collection_name?: string }>(method, request);
        const db = dbOf(req, md);
        return this.dups.adjustCount(request, res, db, this.channels.realName(db, req.collection_name ?? ""));
      }
    }
    if (!MUTATING_METHODS.has(method)) return this.lite.call(method, request, md, deadline);
    return this.writes.mutate(method, request, md, deadline);
  }

  // ---- the replication API -------------------------------------------------------------------

  private async updateConfig(request: Bytes): Promise<Bytes> {
    const req = decodeRequest<{ replicate_configuration?: unknown; force_promote?: boolean }>(
      "UpdateReplicateConfiguration",
      request,
    );
    const answer = (u: ConfigUpdate) =>
      statusResponse("UpdateReplicateConfiguration", u.ok ? {} : milvusStatus(65535, u.reason));
    if (req.force_promote) return answer(await this.forcePromote());
    let startFailure: string | undefined;
    const u = await this.config.update(req.replicate_configuration, async ({ config }) => {
      this.log(`${this.clusterId}: replicate configuration accepted, role ${this.config.role}`);
      if (!config.cross_cluster_topology.some((t) => t.source_cluster_id === this.clusterId)) return;
      try {
        await this.opts.onSourceConfigured?.(config);
      } catch (e) {
        startFailure = `configuration saved, but replication could not start: ${(e as Error).message}`;
      }
    });
    if (!u.ok) this.log(`${this.clusterId}: replicate configuration refused: ${u.reason}`);
    if (startFailure) return answer({ ok: false, reason: startFailure });
    return answer(u);
  }

  /**
   * Failover: this secondary becomes a standalone primary (UpdateReplicateConfiguration with
   * force_promote, or called directly by a drill that lost its primary).
   */
  forcePromote(): Promise<ConfigUpdate> {
    return this.config.forcePromote(async () => {
      this.log(`${this.clusterId}: force promoted, role ${this.config.role}`);
    });
  }

  private replicateInfo(request: Bytes): Promise<Bytes> {
    const req = decodeRequest<{ source_cluster_id?: string; target_pchannel?: string }>(
      "GetReplicateInfo",
      request,
    );
    const pch = req.target_pchannel ?? "";
    // Milvus blocks until the caller's deadline on a channel it does not own: so does the front.
    if (!this.pchannels.includes(pch)) return new Promise<Bytes>(() => {});
    const cp = this.checkpoints.get(pch, req.source_cluster_id ?? "");
    return Promise.resolve(encodeResponse("GetReplicateInfo", cp ? { checkpoint: cp } : {}));
  }
}
