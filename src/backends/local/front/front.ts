/**
 * The front of a local cluster: a MilvusService gRPC server in front of one Milvus Lite server. Unary
 * calls pass through as raw bytes; the front routes to the parts that add what Milvus Lite lacks:
 * the replicate configuration (config-store), per-collection channels (channel-map), client writes and
 * the primary's WAL (primary-writes), the receiving end of replication (replicate-stream,
 * replicate-apply, checkpoints), Milvus's duplicate-row behaviour (duplicates), search iterator v2
 * (search-iterator), resource groups (resource-groups), RBAC (rbac) and the scalar index types Milvus Lite
 * lacks (scalar-index-types), and the analyzers, PHRASE_MATCH and BM25 ranking Milvus Lite does not run
 * (text-match, bm25).
 */
import * as grpc from "@grpc/grpc-js";
import {
  decodeRequest,
  encodeRequest,
  encodeResponse,
  isSuccess,
  milvusMethods,
  responseStatus,
  statusResponse,
} from "../../../milvus/proto.js";
import { MUTATING_METHODS } from "../common/methods.js";
import { KeyedMutex } from "../common/mutex.js";
import { milvusStatus, toServiceError } from "../common/statuses.js";
import { describedAsAutoId } from "../replication/auto-id.js";
import { ChannelMap } from "../replication/channel-map.js";
import { CheckpointStore, type ReplicateCheckpoint } from "../replication/checkpoints.js";
import { type ConfigChange, ConfigStore, type ConfigUpdate } from "../replication/config-store.js";
import type { ForcePromoteShapes } from "../replication/force-promote.js";
import { type ApplyStats, ReplicateApply } from "../replication/replicate-apply.js";
import {
  normalizeConfig,
  type ReplicateConfiguration,
  sameConfig,
  sanitizeConfig,
} from "../replication/replicate-config.js";
import { serveReplicateStream } from "../replication/replicate-stream.js";
import type { ClusterSnapshot } from "../replication/restore-secondary.js";
import { WalWriter } from "../wal/wal.js";
import { FieldAdder, withoutHidden } from "./add-field.js";
import { bm25Search, hybridRefusal, liteBm25AsMilvus, parseSearch, withBm25Metric } from "./bm25.js";
import { DuplicateTracker } from "./duplicates.js";
import { LiteApply } from "./lite-apply.js";
import { dbOf, identity, LiteLink } from "./lite-link.js";
import { PrimaryWrites } from "./primary-writes.js";
import { Rbac } from "./rbac.js";
import { ResourceGroups } from "./resource-groups.js";
import { ScalarIndexTypes } from "./scalar-index-types.js";
import { ITER_KEYS, searchIteratorV2 } from "./search-iterator.js";
import { snapshotRequests } from "./seed-backup.js";
import { AnalyzerStore, collectionText, type LiteCall, mayMatch, rewriteMatches } from "./text-match.js";

export { REPLICATE_VIOLATION_REASON } from "../common/statuses.js";
export type { ReplicateCheckpoint } from "../replication/checkpoints.js";

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
  /** Port to listen on (a cluster rebuilt in place keeps its URI); default: any free port. */
  port?: number;
  /**
   * Called after every accepted change of the configuration (a client's update, one that arrived through
   * replication, a force promote), before a client's call is answered: the lab starts or stops the
   * replicator whose source this cluster is here. A throw turns a client's call into an error answer.
   */
  onConfigured?: (change: ConfigChange) => Promise<void>;
  /** Fault mode stale-primary: keep taking client writes once demoted (the fault the promotion check must catch). */
  staleWhenDemoted?: boolean;
  /** Which Milvus versions' force-promote request shapes to accept (force-promote.ts); default both. */
  forcePromoteShapes?: ForcePromoteShapes;
  /**
   * Self-test fault stall-after-standby-restart (milvus-io/milvus#45086, a restarted standby kept a
   * wrong checkpoint and rejected every message after it): every replicate stream is refused with
   * this reason, so replication makes no more progress. Unset: streams are served.
   */
  rejectReplicated?: string;
}

/** How long a secondary's UpdateReplicateConfiguration waits for its primary's broadcast at most. */
const SECONDARY_UPDATE_WAIT_MS = 600_000;

type Bytes = Buffer;
/** Reads that name partitions, refused for a partition that is not loaded. */
const PARTITION_READS = new Set(["Search", "Query", "HybridSearch"]);

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
  private readonly liteApply: LiteApply;
  private readonly resourceGroups: ResourceGroups;
  private readonly rbac: Rbac;
  private readonly indexTypes: ScalarIndexTypes;
  private readonly analyzers: AnalyzerStore;
  private readonly fields: FieldAdder;
  private readonly receiver: ReplicateApply;
  /** Channel locks, shared by client writes and replicated applies. */
  private readonly locks = new KeyedMutex<number>();
  private stopped = false;
  private port = 0;
  private readonly log: (m: string) => void;

  private constructor(private readonly opts: FrontOptions) {
    this.clusterId = opts.clusterId;
    this.pchannels = [...opts.pchannels];
    this.log = opts.log ?? (() => {});
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
      fields: this.fields,
    });
    const shared = {
      clusterId: this.clusterId,
      pchannels: this.pchannels,
      config: this.config,
      channels: this.channels,
      locks,
      liteApply: this.liteApply,
      dups: this.dups,
    };
    this.writes = new PrimaryWrites({
      ...shared,
      wal: this.wal,
      staleWhenDemoted: opts.staleWhenDemoted === true,
    });
    this.receiver = new ReplicateApply({
      ...shared,
      checkpoints: this.checkpoints,
      onAnnouncement: (pch, config) => this.announced(pch, config),
    });
  }

  static async start(opts: FrontOptions): Promise<Front> {
    const front = new Front(opts);
    await front.config.load();
    await front.channels.load();
    await front.checkpoints.load();
    await front.resourceGroups.load();
    await front.rbac.load();
    await front.indexTypes.load();
    await front.analyzers.load();
    // Finishes an add_collection_field a crash interrupted, before anything is served.
    await front.fields.load();
    await front.reloadCollections();
    front.server.addService(front.serviceDefinition(), front.implementation());
    front.port = await new Promise<number>((resolve, reject) =>
      front.server.bindAsync(
        `127.0.0.1:${opts.port ?? 0}`,
        grpc.ServerCredentials.createInsecure(),
        (err, port) => (err ? reject(err) : resolve(port)),
      ),
    );
    return front;
  }

  /**
   * A restarted Milvus loads again what was loaded before it went down (its query coordinator recovers
   * the load state); Milvus Lite opens every indexed collection released. Loads them again here, from
   * the load state the front keeps, before anything is served. Nothing to do on a fresh start.
   */
  private async reloadCollections(): Promise<void> {
    for (const { db, name } of this.channels.loadedCollections()) {
      const res = await this.lite.call(
        "LoadCollection",
        encodeRequest("LoadCollection", { db_name: db, collection_name: name }),
      );
      const st = responseStatus("LoadCollection", res);
      if (!isSuccess(st)) this.log(`restart: could not load ${db}.${name} again: ${st?.reason ?? "?"}`);
    }
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

  /** How replicated messages have been batched on this cluster (tests check that batches formed). */
  replicateApplyStats(): ApplyStats {
    return { ...this.receiver.stats };
  }

  checkpointList(): ReplicateCheckpoint[] {
    return this.checkpoints.list();
  }

  /**
   * Milvus Backup's `create` on this cluster (seed-backup.ts): a FlushAll point on every channel and the
   * requests that rebuild what the cluster holds at it, read while every channel is locked (no write
   * lands between the point and the reads). `walDir` lets a restore find the point in this WAL.
   */
  async backup(name: string): Promise<ClusterSnapshot> {
    return this.writesLocked(async () => {
      const points = await this.writes.flushAllPoint();
      const md = new grpc.Metadata();
      const snap = await snapshotRequests({
        // Reads only: none of them waits for a channel lock.
        call: (m, b) => this.unary(m, b, md, Number.POSITIVE_INFINITY),
        lite: (m, b) => this.lite.call(m, b, md),
        channelOf: (db, c) => this.channels.channelOf(db, c),
        loadedOf: (db, c) => this.channels.loadedOf(db, c),
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
          pchannel: this.pchannels[c.channel] as string,
          rows: c.rows,
        })),
      };
    });
  }

  /** Where a collection lives (for tests and diagnostics). */
  channelOf(collection: string, db = "default"): string | undefined {
    const i = this.channels.channelOf(db, collection);
    return i === undefined ? undefined : this.pchannels[i];
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
  async crash(kill: () => Promise<void>): Promise<void> {
    await this.writesLocked(kill);
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
          else if (this.opts.rejectReplicated !== undefined) {
            this.log(`replicate stream refused: ${this.opts.rejectReplicated}`);
            call.emit("error", {
              code: grpc.status.FAILED_PRECONDITION,
              details: this.opts.rejectReplicated,
            });
          } else serveReplicateStream(call, (bufs) => this.receiver.applyBatch(bufs));
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
    if (!MUTATING_METHODS.has(method)) await this.swapSettled(method, request, md);
    if (method === "GetLoadState") {
      const answer = await this.loadState(method, request, md);
      if (answer) return answer;
    }
    if (PARTITION_READS.has(method)) {
      const refused = this.unloadedPartitionRead(method, request, md);
      if (refused) return refused;
    }
    const call: LiteCall = (m, body) => this.lite.call(m, body, md, deadline);
    // PHRASE_MATCH, and TEXT_MATCH on a field the front analyzes (text-match.ts); the byte scan keeps
    // every other request from being decoded here.
    if (mayMatch(request)) {
      const filtered = await this.textFilters(method, request, md, call);
      if ("answer" in filtered) return filtered.answer;
      request = filtered.request;
    }
    // Iterator v2 (search-iterator.ts); the byte scan keeps every other Search from being decoded.
    if (method === "Search" && request.includes(ITER_KEYS.v2)) {
      const answer = await searchIteratorV2(request, (r) => this.search(r, md, call));
      if (answer) return answer;
    }
    if (method === "Search") return this.search(request, md, call);
    if (method === "HybridSearch") {
      const req = decodeRequest<{ db_name?: string }>(method, request);
      const db = dbOf(req, md);
      const refused = await hybridRefusal(request, db, call, this.analyzers, (n) =>
        this.channels.realName(db, n),
      );
      if (refused) return refused;
    }
    switch (method) {
      case "UpdateReplicateConfiguration":
        return this.updateConfig(request, deadline);
      case "GetReplicateConfiguration":
        return encodeResponse(method, { status: {}, configuration: this.config.sanitized() });
      case "GetReplicateInfo":
        return this.replicateInfo(request);
      case "ShowCollections": {
        // The copy an add_collection_field builds is not a collection a client made.
        const res = await this.lite.call(method, request, md, deadline);
        const req = decodeRequest<{ db_name?: string }>(method, request);
        return withoutHidden(res, this.fields.hidden(dbOf(req, md)));
      }
      case "Query": {
        const res = await this.lite.call(method, request, md, deadline);
        const req = decodeRequest<{ db_name?: string; collection_name?: string }>(method, request);
        const db = dbOf(req, md);
        return this.dups.adjustCount(request, res, db, this.channels.realName(db, req.collection_name ?? ""));
      }
    }
    if (method === "DescribeIndex") {
      const res = await this.lite.call(method, request, md, deadline);
      const req = decodeRequest<{
        db_name?: string;
        collection_name?: string;
        field_name?: string;
        index_name?: string;
      }>(method, request);
      return this.indexTypes.describe(
        res,
        dbOf(req, md),
        req.collection_name ?? "",
        req.field_name ?? "",
        req.index_name ?? "",
      );
    }
    if (method === "DescribeCollection") {
      const res = await this.lite.call(method, request, md, deadline);
      const req = decodeRequest<{ db_name?: string; collection_name?: string }>(method, request);
      const db = dbOf(req, md);
      const auto = this.channels.autoIdOf(db, req.collection_name ?? "");
      const described = this.analyzers.describe(
        res,
        db,
        this.channels.realName(db, req.collection_name ?? ""),
      );
      return auto ? describedAsAutoId(described, auto.name) : described;
    }
    // Resource groups are per cluster (resource-groups.ts): every call, a write too and on a standby
    // too, is answered here, never written to the WAL. RBAC reads are the front's; its writes replicate.
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
  private async search(request: Bytes, md: grpc.Metadata, call: LiteCall): Promise<Bytes> {
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
  private async textFilters(
    method: string,
    request: Bytes,
    md: grpc.Metadata,
    call: LiteCall,
  ): Promise<{ request: Bytes } | { answer: Bytes }> {
    const exprKey = { Query: "expr", Delete: "expr", Search: "dsl" } as Record<string, string>;
    if (!(method in exprKey) && method !== "HybridSearch") return { request };
    const req = decodeRequest<Record<string, unknown>>(method, request);
    const db = dbOf(req as { db_name?: string }, md);
    const name = this.channels.realName(db, String(req.collection_name ?? ""));
    let text: ReturnType<typeof collectionText> | undefined;
    const once = () => {
      text ??= collectionText(call, this.analyzers, db, name);
      return text;
    };
    const rewrite = (expr: unknown) =>
      typeof expr === "string" && expr !== ""
        ? rewriteMatches(expr, once, call, db, name)
        : Promise.resolve(expr);
    let changed = false;
    try {
      if (method === "HybridSearch") {
        for (const sub of (req.requests as Array<Record<string, unknown>> | undefined) ?? []) {
          const out = await rewrite(sub.dsl);
          if (out !== sub.dsl) {
            sub.dsl = out;
            changed = true;
          }
        }
      } else {
        const key = exprKey[method] as string;
        const out = await rewrite(req[key]);
        if (out !== req[key]) {
          req[key] = out;
          changed = true;
        }
      }
    } catch (e) {
      // As Milvus answers a filter it cannot plan: in the response, code 1100.
      return { answer: statusResponse(method, milvusStatus(1100, (e as Error).message, "IllegalArgument")) };
    }
    return { request: changed ? encodeRequest(method, req) : request };
  }

  /** Waits out an add_collection_field's swap of the collection a read names (add-field.ts settled). */
  private async swapSettled(method: string, request: Bytes, md: grpc.Metadata): Promise<void> {
    if (!this.fields.swapping) return;
    let req: { db_name?: string; collection_name?: string };
    try {
      req = decodeRequest(method, request);
    } catch {
      return;
    }
    const db = dbOf(req, md);
    const name = typeof req.collection_name === "string" ? req.collection_name : "";
    await this.fields.settled(db, name ? this.channels.realName(db, name) : undefined);
  }

  /**
   * GetLoadState as Milvus answers it: Milvus Lite has a collection loaded from creation and knows no
   * partition-level load, so the front answers from what was loaded. Returns undefined for a
   * collection the front does not know (Milvus Lite answers NotExist).
   */
  private async loadState(method: string, request: Bytes, md: grpc.Metadata): Promise<Bytes | undefined> {
    const req = decodeRequest<{ db_name?: string; collection_name?: string; partition_names?: string[] }>(
      method,
      request,
    );
    const db = dbOf(req, md);
    const name = req.collection_name ?? "";
    if (this.channels.channelOf(db, name) === undefined) return undefined;
    const parts = req.partition_names ?? [];
    const loaded = this.channels.loadedOf(db, name);
    const isLoaded =
      loaded === "all" ||
      (loaded !== undefined &&
        (parts.length > 0 ? parts.every((p) => loaded.includes(p)) : loaded.length > 0));
    return encodeResponse(method, { status: {}, state: isLoaded ? "LoadStateLoaded" : "LoadStateNotLoad" });
  }

  /**
   * A read naming a partition that is not loaded while others are gets Milvus's refusal (code 201,
   * "partition not loaded"; Milvus's own tests/python_client/milvus_client suite expects it after
   * release_partitions). Milvus Lite knows no partition-level load, so it would answer with whatever the
   * partition holds. A collection with nothing loaded is left to Milvus Lite (see the README).
   */
  private unloadedPartitionRead(method: string, request: Bytes, md: grpc.Metadata): Bytes | undefined {
    const req = decodeRequest<{ db_name?: string; collection_name?: string; partition_names?: string[] }>(
      method,
      request,
    );
    const parts = req.partition_names ?? [];
    if (parts.length === 0) return undefined;
    const loaded = this.channels.loadedOf(dbOf(req, md), req.collection_name ?? "");
    if (!Array.isArray(loaded)) return undefined;
    const missing = parts.find((p) => !loaded.includes(p));
    if (missing === undefined) return undefined;
    return statusResponse(method, milvusStatus(201, `partition not loaded[partition=${missing}]`));
  }

  // ---- the replication API -------------------------------------------------------------------

  private async updateConfig(request: Bytes, deadline: grpc.Deadline): Promise<Bytes> {
    const req = decodeRequest<{ replicate_configuration?: unknown; force_promote?: boolean }>(
      "UpdateReplicateConfiguration",
      request,
    );
    const answer = (u: ConfigUpdate) =>
      statusResponse("UpdateReplicateConfiguration", u.ok ? {} : milvusStatus(65535, u.reason));
    if (req.force_promote) return answer(await this.forcePromote(req.replicate_configuration));
    const incoming = normalizeConfig(req.replicate_configuration);
    const current = this.config.config;
    if (this.config.role === "secondary" && current && !sameConfig(incoming, current)) {
      // Milvus: a secondary takes a new configuration only from its primary, through CDC
      // (streamingcoord waitUntilPrimaryChangeOrConfigurationSame); the client's call waits for it.
      const err = this.config.validate(req.replicate_configuration);
      if (err) return answer({ ok: false, reason: err });
      const left = deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now();
      const waitMs = Number.isFinite(left) && left > 0 ? left : SECONDARY_UPDATE_WAIT_MS;
      this.log(`${this.clusterId}: secondary waits for the new configuration to arrive from its primary`);
      if (!(await this.config.waitUntilSame(incoming, waitMs))) {
        return answer({
          ok: false,
          reason: `cluster '${this.clusterId}' is secondary: the new configuration did not arrive from its primary within ${waitMs} ms`,
        });
      }
      // Tokens are never announced: the client's copy (same topology) carries them.
      return answer(await this.config.update(req.replicate_configuration));
    }
    let change: ConfigChange | undefined;
    const u = await this.writesLocked(() =>
      this.config.update(req.replicate_configuration, async (c) => {
        change = c;
        await this.freshStateOnNewSource(c);
        // Every change after the first is announced after the last write before it (Milvus broadcasts
        // AlterReplicateConfig): targets take it from there, and a new edge starts there.
        if (c.previous) await this.writes.announce(c.config);
      }),
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
          reason: `configuration saved, but replication could not start: ${(e as Error).message}`,
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
  private async freshStateOnNewSource(c: ConfigChange): Promise<void> {
    const sourceOf = (cfg: ReplicateConfiguration | null) =>
      cfg?.cross_cluster_topology.find((t) => t.target_cluster_id === this.clusterId)?.source_cluster_id;
    const next = sourceOf(c.config);
    if (next !== undefined && next !== sourceOf(c.previous)) await this.checkpoints.clear();
  }

  /** Runs `fn` with every channel locked: no client write or replicated apply runs beside it. */
  private writesLocked<T>(fn: () => Promise<T>): Promise<T> {
    return this.locks.run(this.writes.allChannels, fn);
  }

  /** Channels on which the source's announcement of a configuration has arrived, per configuration. */
  private arrivals = new Map<string, Set<string>>();

  /** Called under `pch`'s lock: once every channel has it, the announced configuration takes effect. */
  private async announced(pch: string, config: ReplicateConfiguration): Promise<void> {
    const key = JSON.stringify(sanitizeConfig(config));
    const seen = this.arrivals.get(key) ?? new Set<string>();
    seen.add(pch);
    this.arrivals.set(key, seen);
    if (seen.size < this.pchannels.length) return;
    this.arrivals.delete(key);
    // Tokens of clusters this one already knows are kept (Milvus forbids changing them).
    const known = new Map(
      (this.config.config?.clusters ?? []).map((c) => [c.cluster_id, c.connection_param.token]),
    );
    const withTokens = normalizeConfig(config);
    for (const c of withTokens.clusters) c.connection_param.token = known.get(c.cluster_id) ?? "";
    // A configuration that makes this cluster a source is written into its own WAL first, as Milvus
    // appends the replicated AlterReplicateConfig message to the secondary's WAL: the new edge starts
    // there, and what the cluster held before (e.g. restored into it after a rebuild) is not replayed.
    const makesSource = withTokens.cross_cluster_topology.some((t) => t.source_cluster_id === this.clusterId);
    if (makesSource && this.config.validate(withTokens) === null) await this.writes.announce(withTokens);
    let change: ConfigChange | undefined;
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
    // Not awaited: this runs under a channel lock, and starting a replicator must not hold the stream.
    void this.opts
      .onConfigured?.(change)
      .catch((e) => this.log(`${this.clusterId}: replication could not start: ${(e as Error).message}`));
  }

  /**
   * Failover: this secondary becomes a standalone primary (UpdateReplicateConfiguration with
   * force_promote, or called directly by a drill that lost its primary).
   */
  async forcePromote(request: unknown = {}): Promise<ConfigUpdate> {
    let change: ConfigChange | undefined;
    const u = await this.writesLocked(() =>
      this.config.forcePromote(request, async (c) => {
        change = c;
        // As Milvus: a force-promoted cluster keeps its last checkpoint only as the salvage point and
        // replicates from nobody (streamingnode recovery storage, RolePrimary: ReplicateCheckpoint = nil),
        // so a source rebuilt under the same cluster id later starts afresh instead of after a position
        // its new WAL never had.
        if (c.changed) await this.checkpoints.clear();
      }),
    );
    if (change) {
      this.log(`${this.clusterId}: force promoted, role ${this.config.role}`);
      await this.opts.onConfigured?.(change);
    }
    return u;
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
