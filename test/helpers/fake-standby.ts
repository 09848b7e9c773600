/**
 * A small stand-in for the target front of the local backend: CreateReplicateStream + GetReplicateInfo
 * per the local backend contract, with an in-memory checkpoint per channel and a record of every
 * message it applied. Lets the replicator be tested without Milvus Lite, and lets tests break the
 * target on purpose (fail the n-th apply, slow applies).
 */

import * as grpc from "@grpc/grpc-js";
import { TimeTickAllocator, WalWriter } from "../../src/backends/local/wal/wal.js";
import { decode, encode, messageType } from "../../src/milvus/proto.js";

export interface AppliedMessage {
  /** Source pchannel (_pch). */
  pch: string;
  tt: bigint;
  offset: number;
  method: string;
  kind: string;
  collection: string;
  nodedup: boolean;
  payload: Buffer;
}

export interface FakeStandbyOptions {
  sourceClusterId: string;
  sourcePchannels: string[];
  targetPchannels: string[];
  /** Answer the apply of the n-th received message (1-based, counted over all streams) with INTERNAL. */
  failApplyAt?: number[];
  /** Delay every apply by this many ms (a slow standby). */
  applyDelayMs?: number;
}

interface Checkpoint {
  offset: string;
  tt: bigint;
}

export class FakeStandby {
  readonly applied: AppliedMessage[] = [];
  /** Messages received (applied or deduplicated). */
  received = 0;
  /** Messages skipped by dedup. */
  deduped = 0;
  /** Streams opened so far. */
  streams = 0;
  /** authorization headers seen (tests check the token is sent). */
  readonly authHeaders: string[] = [];
  readonly checkpoints = new Map<string, Checkpoint>();
  private server: grpc.Server | undefined;
  port = 0;

  constructor(readonly opts: FakeStandbyOptions) {}

  get uri(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0 = any free port); a restart passes the old port so clients find it again. */
  async start(port = 0): Promise<void> {
    const server = new grpc.Server();
    const reqT = messageType("milvus.ReplicateRequest");
    const resT = messageType("milvus.ReplicateResponse");
    const infoReqT = messageType("milvus.GetReplicateInfoRequest");
    const infoResT = messageType("milvus.GetReplicateInfoResponse");
    server.addService(
      {
        CreateReplicateStream: {
          path: "/milvus.proto.milvus.MilvusService/CreateReplicateStream",
          requestStream: true,
          responseStream: true,
          requestSerialize: (v: Record<string, unknown>) => encode(reqT, v),
          requestDeserialize: (b: Buffer) => reqT.decode(b),
          responseSerialize: (v: Record<string, unknown>) => encode(resT, v),
          responseDeserialize: (b: Buffer) => decode(resT, b),
        },
        GetReplicateInfo: {
          path: "/milvus.proto.milvus.MilvusService/GetReplicateInfo",
          requestStream: false,
          responseStream: false,
          requestSerialize: (v: Record<string, unknown>) => encode(infoReqT, v),
          requestDeserialize: (b: Buffer) => decode(infoReqT, b),
          responseSerialize: (v: Record<string, unknown>) => encode(infoResT, v),
          responseDeserialize: (b: Buffer) => decode(infoResT, b),
        },
      },
      {
        CreateReplicateStream: (call: grpc.ServerDuplexStream<unknown, unknown>) => this.onStream(call),
        GetReplicateInfo: (
          call: grpc.ServerUnaryCall<{ source_cluster_id?: string; target_pchannel?: string }, unknown>,
          cb: grpc.sendUnaryData<unknown>,
        ) => this.onInfo(call, cb),
      },
    );
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, bound) =>
        e ? reject(e) : resolve(bound),
      ),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) s.forceShutdown();
  }

  private onInfo(
    call: grpc.ServerUnaryCall<{ source_cluster_id?: string; target_pchannel?: string }, unknown>,
    cb: grpc.sendUnaryData<unknown>,
  ): void {
    const auth = call.metadata.get("authorization")[0];
    if (auth) this.authHeaders.push(String(auth));
    const tp = call.request.target_pchannel ?? "";
    const i = this.opts.targetPchannels.indexOf(tp);
    // Like Milvus: an unknown channel is never answered; the caller's deadline expires.
    if (i < 0 || call.request.source_cluster_id !== this.opts.sourceClusterId) return;
    const cp = this.checkpoints.get(tp);
    cb(
      null,
      cp
        ? {
            checkpoint: {
              cluster_id: this.opts.sourceClusterId,
              pchannel: this.opts.sourcePchannels[i],
              message_id: { id: cp.offset },
              time_tick: cp.tt.toString(),
            },
          }
        : {},
    );
  }

  private onStream(call: grpc.ServerDuplexStream<unknown, unknown>): void {
    this.streams += 1;
    const auth = call.metadata.get("authorization")[0];
    if (auth) this.authHeaders.push(String(auth));
    let dead = false;
    const confirm = (tt: bigint) => {
      if (!dead) call.write({ replicate_confirmed_message_info: { confirmed_time_tick: tt.toString() } });
    };
    // Applies run one at a time per stream, in arrival order, like the real front.
    let chain = Promise.resolve();
    call.on("data", (req: unknown) => {
      chain = chain.then(async () => {
        if (dead) return;
        const err = await this.apply(req, confirm);
        if (err) {
          dead = true;
          call.emit("error", err);
        }
      });
    });
    call.on("end", () => {
      chain.then(() => {
        if (!dead) call.end();
      });
    });
    call.on("error", () => {
      dead = true;
    });
    call.on("cancelled", () => {
      dead = true;
    });
  }

  /** Returns a gRPC error to end the stream with, or undefined after confirming. */
  private async apply(raw: unknown, confirm: (tt: bigint) => void): Promise<grpc.StatusObject | undefined> {
    const req = messageType("milvus.ReplicateRequest").toObject(raw as never, {
      longs: String,
      bytes: Buffer,
    }) as {
      replicate_message?: {
        source_cluster_id?: string;
        message?: { id?: { id?: string }; payload?: Buffer; properties?: Record<string, string> };
      };
    };
    const rm = req.replicate_message;
    const props = rm?.message?.properties ?? {};
    const pch = props._pch ?? "";
    const i = this.opts.sourcePchannels.indexOf(pch);
    if (i < 0 || rm?.source_cluster_id !== this.opts.sourceClusterId) {
      return mkErr(grpc.status.FAILED_PRECONDITION, `unknown source ${rm?.source_cluster_id}/${pch}`);
    }
    this.received += 1;
    const tp = this.opts.targetPchannels[i] as string;
    const tt = BigInt(props._tt ?? "0");
    const cp = this.checkpoints.get(tp);
    const nodedup = props._nodedup === "1";
    if (cp && tt <= cp.tt && !nodedup) {
      this.deduped += 1;
    } else {
      if (this.opts.failApplyAt?.includes(this.received)) {
        return mkErr(grpc.status.INTERNAL, `${props._method}: injected apply failure #${this.received}`);
      }
      if (this.opts.applyDelayMs) await new Promise((r) => setTimeout(r, this.opts.applyDelayMs));
      this.applied.push({
        pch,
        tt,
        offset: Number(rm?.message?.id?.id ?? "-1"),
        method: props._method ?? "",
        kind: props._kind ?? "",
        collection: props._coll ?? "",
        nodedup,
        payload: rm?.message?.payload ?? Buffer.alloc(0),
      });
      this.checkpoints.set(tp, { offset: rm?.message?.id?.id ?? "", tt });
    }
    confirm(tt);
    return undefined;
  }
}

function mkErr(code: grpc.status, details: string): grpc.StatusObject {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

export interface TestEntry {
  method: string;
  kind?: "dml" | "ddl";
  collection?: string;
  payload?: Buffer;
}

/**
 * Appends entries through the front's own WalWriter and time-tick allocator, so the replicator is
 * tested against the log exactly as the source front writes it. Returns each entry's offset and tt.
 */
export class TestWal {
  private readonly writer: WalWriter;
  private readonly ticks = new TimeTickAllocator();

  constructor(readonly walDir: string) {
    this.writer = new WalWriter(walDir);
  }

  async append(pchannel: string, e: TestEntry): Promise<{ offset: number; tt: bigint }> {
    const tt = this.ticks.next();
    const id = await this.writer.append(pchannel, {
      tt: tt.toString(),
      method: e.method,
      kind:
        e.kind ?? (e.method === "Insert" || e.method === "Upsert" || e.method === "Delete" ? "dml" : "ddl"),
      db: "default",
      collection: e.collection ?? "c",
      payload: (e.payload ?? Buffer.from(`${pchannel}:${tt}`)).toString("base64"),
    });
    return { offset: Number(id), tt };
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
