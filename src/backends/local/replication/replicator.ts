/**
 * The reference replicator of the local backend: what Milvus's CDC node does, for two Milvus Lite
 * clusters. One loop per source pchannel: ask the target where it is (GetReplicateInfo), resume the
 * primary's log right after that checkpoint, stream messages over CreateReplicateStream with a bounded
 * window of unconfirmed ones, and on any error start over from GetReplicateInfo. The replicator keeps no
 * state of its own, so a SIGKILL at any instant loses nothing: at-least-once sending plus the target's
 * time-tick dedup gives exactly-once per channel.
 */
import { setMaxListeners } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { z } from "zod";
import { decode, decodeRequest, messageType } from "../../../milvus/proto.js";
import {
  FaultFilter,
  type FaultShared,
  FROZEN_LAG_HOLD_MS,
  faultMarkerFile,
  LOCAL_FAULT_MODES,
  type LocalFaultMode,
  type Outgoing,
  REPOINT_SKIP_WRITES,
  type ResumePlan,
  resumePlan,
  skippedOnRepoint,
  wedgedChannelFile,
  wedgesOn,
} from "../faults/faults.js";
import { ANNOUNCE_METHOD } from "../wal/wal.js";
import { readWholeWal, WalDirWatcher, WalReader } from "../wal/wal-reader.js";
import { serveMetrics } from "./metrics-endpoint.js";

export type { LocalFaultMode } from "../faults/faults.js";

export interface ReplicatorOptions {
  walDir: string;
  source: { clusterId: string; pchannels: string[] };
  target: { clusterId: string; uri: string; token?: string; pchannels: string[] };
  faultMode: LocalFaultMode;
  /** drop: skip 1 in N messages; stall: stop after N messages. */
  faultEvery: number;
  restartDelayMs: number;
  logFile: string;
  /** Serve Milvus's replication metrics on 127.0.0.1:metricsPort (see metrics-endpoint.ts); absent: none. */
  metricsPort?: number;
}

const Options = z
  .object({
    walDir: z.string().min(1),
    source: z.object({ clusterId: z.string().min(1), pchannels: z.array(z.string().min(1)).min(1) }),
    target: z.object({
      clusterId: z.string().min(1),
      uri: z.string().min(1),
      token: z.string().optional(),
      pchannels: z.array(z.string().min(1)).min(1),
    }),
    faultMode: z.enum(LOCAL_FAULT_MODES),
    faultEvery: z.number().int().min(0),
    restartDelayMs: z.number().int().min(0),
    logFile: z.string().min(1),
    metricsPort: z.number().int().min(1).max(65_535).optional(),
  })
  .refine((o) => o.source.pchannels.length === o.target.pchannels.length, {
    message: "source and target must have the same number of pchannels",
  });

/** Validates options; a bad one gets one line naming the field, its value and what is allowed. */
export function parseReplicatorOptions(raw: unknown): ReplicatorOptions {
  const r = Options.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.join(".") ?? "";
  let value: unknown = raw;
  for (const k of issue?.path ?? [])
    value = (value as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey];
  const shown = path === "target.token" ? "<redacted>" : JSON.stringify(value);
  throw new Error(`replicator option ${path || "(root)"} = ${shown}: ${issue?.message ?? "invalid"}`);
}

/** The options with the token removed, for logs. */
export function redactOptions(o: ReplicatorOptions): ReplicatorOptions {
  const { token, ...target } = o.target;
  return { ...o, target: token ? { ...target, token: "<redacted>" } : target };
}

/** Environment variables the supervisor passes to the child (see replicator-main.ts). */
export const OPTIONS_ENV = "MILVUS_CDC_REPLICATOR_OPTIONS";
export const GENERATION_ENV = "MILVUS_CDC_REPLICATOR_GENERATION";

/** IPC messages the child sends to its supervisor. */
export type ReplicatorChildMessage = { type: "ready"; pid: number } | { type: "fatal"; message: string };

export interface RunContext {
  /** 0 for the first child, n for the n-th restart: the *-on-restart faults act only when > 0. */
  generation: number;
  log: (message: string) => void;
  signal: AbortSignal;
  /** Unconfirmed messages allowed per channel. */
  window?: number;
  /** Per-call deadline of GetReplicateInfo. */
  infoDeadlineMs?: number;
  /** A session with unconfirmed messages and no confirmation for this long is torn down and redone. */
  ackTimeoutMs?: number;
  /** Called once every channel loop has been started. */
  onReady?: () => void;
}

const SERVICE_PATH = "/milvus.proto.milvus.MilvusService/";
// Long enough that a client's Delete right after its Insert arrives in time even on a loaded machine.
const REORDER_HOLD_MS = 1000;
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2000;

interface Checkpoint {
  offset: number | undefined;
  tt: bigint;
  ttStr: string;
}

function grpcTarget(uri: string): { address: string; creds: grpc.ChannelCredentials } {
  if (!/^[a-z]+:\/\//i.test(uri)) return { address: uri, creds: grpc.credentials.createInsecure() };
  const u = new URL(uri);
  const secure = u.protocol === "https:" || u.protocol === "grpcs:";
  const port = u.port || (secure ? "443" : "19530");
  return {
    address: `${u.hostname}:${port}`,
    creds: secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(),
  };
}

/** Milvus's SDKs send the token base64-encoded in the `authorization` header. */
function authMetadata(token: string | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token) md.set("authorization", Buffer.from(token).toString("base64"));
  return md;
}

export class TargetClient {
  private readonly client: grpc.Client;
  private readonly reqType = messageType("milvus.ReplicateRequest");
  private readonly infoReqType = messageType("milvus.GetReplicateInfoRequest");

  constructor(
    uri: string,
    private readonly token: string | undefined,
  ) {
    const { address, creds } = grpcTarget(uri);
    this.client = new grpc.Client(address, creds, {
      "grpc.max_send_message_length": 256 * 1024 * 1024,
      "grpc.max_receive_message_length": 256 * 1024 * 1024,
      // The channel's own reconnect backoff (grpc-js: up to 120 s) would outlast the replicator's retry
      // backoff: after a partition heals, every retry failed unsent ("No connection established") for
      // seconds more. Both wait at most BACKOFF_MAX_MS.
      "grpc.max_reconnect_backoff_ms": BACKOFF_MAX_MS,
    });
  }

  /** The target's checkpoint for its pchannel, or undefined when it has none. Fails at the deadline. */
  getReplicateInfo(
    sourceClusterId: string,
    targetPchannel: string,
    deadlineMs: number,
  ): Promise<Checkpoint | undefined> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `${SERVICE_PATH}GetReplicateInfo`,
        (v: Record<string, unknown>) =>
          Buffer.from(this.infoReqType.encode(this.infoReqType.fromObject(v)).finish()),
        (b: Buffer) =>
          decode<{ checkpoint?: { message_id?: { id?: string }; time_tick?: string } }>(
            "milvus.GetReplicateInfoResponse",
            b,
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
          if (!cp || cp.time_tick === undefined) {
            resolve(undefined);
            return;
          }
          const id = cp.message_id?.id;
          const offset = id !== undefined && /^\d+$/.test(id) ? Number(id) : undefined;
          resolve({ offset, tt: BigInt(cp.time_tick), ttStr: cp.time_tick });
        },
      );
    });
  }

  openStream(): grpc.ClientDuplexStream<Record<string, unknown>, { confirmed?: string }> {
    return this.client.makeBidiStreamRequest(
      `${SERVICE_PATH}CreateReplicateStream`,
      (v: Record<string, unknown>) => Buffer.from(this.reqType.encode(this.reqType.fromObject(v)).finish()),
      (b: Buffer) => {
        const r = decode<{ replicate_confirmed_message_info?: { confirmed_time_tick?: string } }>(
          "milvus.ReplicateResponse",
          b,
        );
        return { confirmed: r.replicate_confirmed_message_info?.confirmed_time_tick };
      },
      authMetadata(this.token),
    );
  }

  close(): void {
    this.client.close();
  }
}

/** One CreateReplicateStream call with its window of unconfirmed messages (confirmed in order). */
class StreamSession {
  private readonly call: ReturnType<TargetClient["openStream"]>;
  private readonly inflight: Outgoing[] = [];
  private wake: (() => void) | undefined;
  private lastProgress = Date.now();
  private readonly timer: NodeJS.Timeout;
  failure: Error | undefined;
  confirmed = 0;
  lastConfirmedTt = "";
  /** Physical ms of the source message the target confirmed last (the CDC tick metric). */
  lastConfirmedMs: number | undefined;

  constructor(
    client: TargetClient,
    private readonly sourceClusterId: string,
    private readonly pchannel: string,
    private readonly window: number,
    ackTimeoutMs: number,
  ) {
    this.call = client.openStream();
    this.call.on("data", (r: { confirmed?: string }) => {
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
    this.call.on("error", (e: Error) => this.fail(new Error(`replicate stream ${pchannel}: ${e.message}`)));
    this.call.on("end", () => this.fail(new Error(`replicate stream ${pchannel}: closed by the target`)));
    this.timer = setInterval(
      () => {
        if (this.inflight.length > 0 && Date.now() - this.lastProgress > ackTimeoutMs) {
          const head = this.inflight[0]?.entry;
          this.fail(
            new Error(
              `replicate stream ${pchannel}: no confirmation within ${ackTimeoutMs} ms for ${head?.method} tt=${head?.tt}`,
            ),
          );
        }
      },
      Math.min(1000, ackTimeoutMs),
    );
    this.timer.unref();
  }

  get unconfirmed(): number {
    return this.inflight.length;
  }

  /** Physical ms of the oldest message sent and not yet confirmed (metrics), if any. */
  oldestUnconfirmedMs(): number | undefined {
    const head = this.inflight[0];
    return head ? Number(BigInt(head.entry.tt) >> 18n) : undefined;
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Waits for a change (a confirmation or a failure); the ack timer bounds how long that can take. */
  private changed(): Promise<void> {
    return new Promise((r) => {
      this.wake = r;
    });
  }

  async send(o: Outgoing): Promise<void> {
    while (!this.failure && this.inflight.length >= this.window) await this.changed();
    if (this.failure) throw this.failure;
    const e = o.entry;
    const properties: Record<string, string> = {
      _tt: e.tt,
      _pch: this.pchannel,
      _method: e.method,
      _kind: e.kind,
      _db: e.db,
      _coll: e.collection,
    };
    if (o.nodedup) properties._nodedup = "1";
    if (this.inflight.length === 0) this.lastProgress = Date.now();
    this.inflight.push(o);
    this.call.write({
      replicate_message: {
        source_cluster_id: this.sourceClusterId,
        message: { id: { id: String(e.offset) }, payload: o.payload, properties },
      },
    });
  }

  /** Resolves once every sent message is confirmed; throws the session's failure instead. */
  async drain(): Promise<void> {
    while (!this.failure && this.inflight.length > 0) await this.changed();
    if (this.failure) throw this.failure;
  }

  /** Resolves (by throwing) only when the session fails: a stalled channel waits here. */
  async untilFailure(signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
    while (!this.failure && !signal.aborted) await Promise.race([this.changed(), aborted]);
    if (this.failure) throw this.failure;
  }

  close(): void {
    clearInterval(this.timer);
    this.call.removeAllListeners("end");
    this.call.on("error", () => {});
    this.call.cancel();
  }
}

/**
 * Where a new edge starts on a channel: at the source's announcement of the configuration that created
 * it (Milvus starts a new target at the AlterReplicateConfig message; what the source held before has to
 * reach that target by other means, e.g. backup and restore), or at the start of the log when the edge
 * came with the source's first configuration.
 */
export async function edgeStart(file: string, sourceId: string, targetId: string): Promise<number> {
  return (await edgeStartAt(file, sourceId, targetId)).offset;
}

/** edgeStart, and whether the edge starts at an announcement (a later configuration created it). */
export async function edgeStartAt(
  file: string,
  sourceId: string,
  targetId: string,
): Promise<{ offset: number; announced: boolean }> {
  let start = 0;
  let announced = false;
  let open = false;
  for (const e of await readWholeWal(file).catch(() => [])) {
    if (e.method !== ANNOUNCE_METHOD) continue;
    const cfg = decodeRequest<{
      replicate_configuration?: {
        cross_cluster_topology?: Array<{ source_cluster_id?: string; target_cluster_id?: string }>;
      };
    }>(ANNOUNCE_METHOD, Buffer.from(e.payload, "base64")).replicate_configuration;
    const edge = (cfg?.cross_cluster_topology ?? []).some(
      (t) => t.source_cluster_id === sourceId && t.target_cluster_id === targetId,
    );
    // An edge dropped and added again starts at its re-creation.
    if (edge && !open) {
      start = e.offset;
      announced = true;
    }
    open = edge;
    if (!edge) {
      start = 0;
      announced = false;
    }
  }
  return { offset: start, announced };
}

/** Where to resume on a channel, given the target's checkpoint (`fresh`: where to start without one). */
export async function resumePoint(
  file: string,
  cp: Checkpoint | undefined,
  log: (m: string) => void,
  fresh: () => Promise<number> = async () => 0,
): Promise<{ offset: number; floorTt: bigint | undefined }> {
  if (!cp) return { offset: await fresh(), floorTt: undefined };
  if (cp.offset !== undefined) {
    const r = new WalReader(file, cp.offset);
    try {
      const [e] = await r.poll(1).catch(() => []);
      if (e && e.offset === cp.offset && e.tt === cp.ttStr) return { offset: r.position, floorTt: cp.tt };
    } finally {
      await r.close();
    }
  }
  // The message id does not point at the checkpoint's entry (a log rewritten, or an id from elsewhere):
  // fall back to the time tick, which orders every entry of the cluster.
  log(
    `${file}: checkpoint message id ${cp.offset} does not hold tt ${cp.ttStr}; resuming after the first tt > it`,
  );
  return { offset: 0, floorTt: cp.tt };
}

function backoff(attempt: number): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // aborted: the caller's loop checks signal.aborted
  }
}

interface ChannelState {
  index: number;
  source: string;
  target: string;
  file: string;
  plan: ResumePlan;
  /** skip-on-restart: the log head when this child first looked; nothing before it is ever sent. */
  skipFloor?: number;
  replayDone: boolean;
  sent: number;
  /** lose-on-partition: the log position after the last message read (sent or waiting to be). */
  readTo?: number;
  /** wedge-channel: this channel sends nothing more, ever. */
  wedged?: boolean;
  /** Physical ms of the last replicated tick (metrics), from checkpoints, confirmations and idle ticks. */
  tickMs?: number;
  /** The session running now, for its confirmations (metrics). */
  session?: StreamSession;
  /** Physical ms of the oldest entry read from the log and not yet sent (metrics). */
  unsentFromMs?: number;
  /** repoint-skip: workload writes still to skip on an edge a re-point created (set once per process). */
  repointSkip?: number;
  /** frozen-lag-metric: this restarted channel already sat on its backlog. */
  held?: boolean;
}

/** Runs the replicator until `ctx.signal` aborts. Never throws for target or network errors: it retries. */
export async function runReplicator(opts: ReplicatorOptions, ctx: RunContext): Promise<void> {
  const client = new TargetClient(opts.target.uri, opts.target.token);
  // corrupt-vector must damage one vector per run, not one per restart: a marker next to the log
  // file remembers it (fault-injection state only; replication itself keeps none).
  const corruptMarker = `${opts.logFile}.corrupt-vector-done`;
  // lose-tail-on-switchover loses one tail per lab: the replicator of the reverse direction, started
  // after the switchover, replicates faithfully.
  const tailMarker = `${opts.logFile}.lose-tail-done`;
  // wedge-channel: the channel wedged by an earlier process stays wedged (for good, as upstream).
  const wedgedFile = wedgedChannelFile(opts.logFile);
  const wedgedBefore = existsSync(wedgedFile) ? readFileSync(wedgedFile, "utf8").trim() : undefined;
  const shared: FaultShared = {
    sent: 0,
    corrupted: existsSync(corruptMarker),
    onCorrupted: () => writeFileSync(corruptMarker, `${new Date().toISOString()}\n`),
    tailLost: existsSync(tailMarker),
    wedged: wedgedBefore,
    onTailLost: () => writeFileSync(tailMarker, `${new Date().toISOString()}\n`),
  };
  let faultStarted = false;
  const window = ctx.window ?? 64;
  const channels: ChannelState[] = opts.source.pchannels.map((source, index) => ({
    index,
    source,
    target: opts.target.pchannels[index] as string,
    file: join(opts.walDir, `${source}.log`),
    plan: resumePlan(opts.faultMode, ctx.generation > 0),
    replayDone: false,
    sent: 0,
    wedged: opts.faultMode === "wedge-channel" && source === wedgedBefore,
  }));
  ctx.log(
    `replicator generation ${ctx.generation} starting: ${channels.length} channels, fault mode ${opts.faultMode}` +
      (opts.faultMode === "drop" || opts.faultMode === "stall" ? ` every ${opts.faultEvery}` : ""),
  );
  // skip-on-restart: the head is taken before reporting ready, so "written while down" means exactly
  // what was in the log when the replacement came up, whatever the target's latency.
  for (const ch of channels) {
    if (ch.plan.kind !== "head") continue;
    const r = new WalReader(ch.file, 0);
    ch.skipFloor = await r.headOffset();
    await r.close();
  }
  // Each channel listens on the one stop signal (its session, its sleeps): more than Node's default 10.
  setMaxListeners(Math.max(10, channels.length * 4), ctx.signal);
  const watcher = new WalDirWatcher(opts.walDir);
  // frozen-lag-metric: a restarted replicator's metric reads ~0 lag whatever its backlog (#51048).
  const frozen = opts.faultMode === "frozen-lag-metric" && ctx.generation > 0;
  if (opts.metricsPort !== undefined)
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
            (v): v is number => v !== undefined,
          );
          if (pending.length > 0) return Math.min(...pending) - 1;
          const confirmed = ch.session?.lastConfirmedMs;
          if (ch.tickMs === undefined) return confirmed;
          return confirmed === undefined ? ch.tickMs : Math.max(ch.tickMs, confirmed);
        },
      })),
      ctx.signal,
      ctx.log,
    );
  const loops = channels.map((ch) => channelLoop(ch));
  ctx.onReady?.();
  // One progress line every 10 s while messages move: enough for a post-mortem, not a log flood.
  let reported = 0;
  const progress = setInterval(() => {
    const sent = channels.reduce((a, c) => a + c.sent, 0);
    if (sent === reported) return;
    reported = sent;
    const busy = channels.filter((c) => c.sent > 0).map((c) => `${c.index}:${c.sent}`);
    ctx.log(`progress: ${sent} messages sent since start (per channel ${busy.join(" ")})`);
  }, 10_000);
  progress.unref();
  await Promise.all(loops);
  clearInterval(progress);
  watcher.close();
  client.close();
  ctx.log("replicator stopped");

  async function channelLoop(ch: ChannelState): Promise<void> {
    let attempt = 0;
    const filter = new FaultFilter(opts.faultMode, opts.faultEvery, shared, (m) =>
      ctx.log(`${ch.source}: ${m}`),
    );
    while (!ctx.signal.aborted) {
      try {
        await session(ch, filter);
        attempt = 0;
      } catch (e) {
        if (ctx.signal.aborted) break;
        const wait = backoff(attempt++);
        ctx.log(`${ch.source}: ${(e as Error).message}; retrying in ${Math.round(wait)} ms`);
        await sleepUnlessAborted(wait, ctx.signal);
      }
    }
  }

  async function session(ch: ChannelState, filter: FaultFilter): Promise<void> {
    const cp = await client.getReplicateInfo(opts.source.clusterId, ch.target, ctx.infoDeadlineMs ?? 5000);
    // The metric starts from the checkpoint, as milvus-io/milvus#51049 seeds it: a backlog reads as one.
    if (cp && ch.tickMs === undefined) ch.tickMs = Number(cp.tt >> 18n);
    let announced = false;
    let { offset, floorTt } = await resumePoint(ch.file, cp, ctx.log, async () => {
      const r = await edgeStartAt(ch.file, opts.source.clusterId, opts.target.clusterId);
      announced = r.announced;
      return r.offset;
    });
    // An edge a re-point created: the target has no checkpoint from this source and the edge starts at a
    // later configuration's announcement, not at the start of the log.
    if (opts.faultMode === "repoint-skip" && !cp && announced && ch.repointSkip === undefined)
      ch.repointSkip = REPOINT_SKIP_WRITES;
    if (opts.faultMode === "lose-on-partition" && ch.readTo !== undefined && ch.readTo > offset) {
      ctx.log(
        `${ch.source}: fault lose-on-partition: the link broke with messages in flight; skipping log bytes ${offset}..${ch.readTo}: the target's checkpoint moves past them with the next message, they are never applied (milvus-io/milvus#53368)`,
      );
      offset = ch.readTo;
    }
    if (ch.plan.kind === "head" && ch.skipFloor !== undefined && ch.skipFloor > offset) {
      ctx.log(`${ch.source}: fault skip-on-restart: skipping log bytes ${offset}..${ch.skipFloor}`);
      offset = ch.skipFloor;
    }
    const s = new StreamSession(client, opts.source.clusterId, ch.source, window, ctx.ackTimeoutMs ?? 30_000);
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
      if (confirmed !== undefined) ch.tickMs = Math.max(ch.tickMs ?? confirmed, confirmed);
      ctx.signal.removeEventListener("abort", onAbort);
      s.close();
      await reader.close();
    }
  }

  /** duplicate-on-restart / stale-checkpoint: re-send already-applied inserts with dedup off, once. */
  async function replay(
    ch: ChannelState,
    s: StreamSession,
    cp: Checkpoint,
    resumeOffset: number,
  ): Promise<void> {
    if (ch.plan.kind !== "replay") return;
    const before = (await readWholeWal(ch.file)).filter((e) => e.offset < resumeOffset && e.ttNum <= cp.tt);
    const from = ch.plan.from === "start" ? 0 : Math.max(0, before.length - ch.plan.from.back);
    // Only inserts are re-sent. DDL would fail on the target (the collection exists) and wedge the
    // stream. And Milvus Lite replaces a row on a second insert of its key (count(*) does not grow), so
    // an in-order replay of every DML message would leave no trace there; re-sent inserts alone leave
    // the trace a duplicate leaves: rows back at their inserted version, deleted keys back (and, on a
    // Milvus that keeps both copies, count(*) above the number of keys).
    const again = before.slice(from).filter((e) => e.method === "Insert");
    ctx.log(
      `${ch.source}: fault ${opts.faultMode}: re-sending ${again.length} inserts from ${
        ch.plan.from === "start"
          ? "the start of the log"
          : `${before.length - from} messages before the checkpoint`
      } with dedup off`,
    );
    for (const e of again) {
      await s.send({ entry: e, payload: Buffer.from(e.payload, "base64"), nodedup: true });
      ch.sent += 1;
    }
    await s.drain();
    ch.replayDone = true;
  }

  async function pump(
    ch: ChannelState,
    filter: FaultFilter,
    s: StreamSession,
    reader: WalReader,
    floorTt: bigint | undefined,
  ): Promise<void> {
    const name = basename(ch.file);
    let lastActivity = Date.now();
    let idleSince: number | undefined;
    let stallLogged = false;
    const sendAll = async (outs: Outgoing[]) => {
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
    const wedge = async (): Promise<void> => {
      await s.untilFailure(ctx.signal);
    };
    if (ch.wedged) return wedge();
    while (!ctx.signal.aborted) {
      if (s.failure) throw s.failure;
      // Read before polling: a change between this poll and the wait below then ends the wait at once.
      const seen = watcher.version(name);
      const batch = await reader.poll(256);
      if (batch.length === 0) {
        // Caught up and idle: Milvus replicates idle time ticks, so the CDC tick reads now (#46574).
        if (!filter.holding && s.unconfirmed === 0 && !filter.stalled) ch.tickMs = Date.now();
        if (filter.holding) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince >= REORDER_HOLD_MS) await sendAll(filter.flush());
          await sendAll(filter.due());
        }
        // With notifications the fallback only covers missed events; without them, poll fast while
        // data flows (lag) and a little slower once the channel has been idle (CPU).
        let fallback = watcher.watching ? 100 : Date.now() - lastActivity < 2000 ? 10 : 20;
        if (filter.holding) fallback = Math.min(fallback, 50);
        await watcher.wait(name, seen, fallback, ctx.signal);
        continue;
      }
      lastActivity = Date.now();
      idleSince = undefined;
      ch.readTo = reader.position;
      if (opts.faultMode === "wedge-channel" && !faultStarted)
        faultStarted = existsSync(faultMarkerFile(opts.logFile));
      for (const e of batch) {
        if (floorTt !== undefined && e.ttNum <= floorTt) continue;
        if (ch.repointSkip && skippedOnRepoint(e)) {
          ch.repointSkip -= 1;
          ctx.log(
            `${ch.source}: fault repoint-skip: skipping ${e.method} on ${e.collection} tt=${e.tt} offset=${e.offset} (an edge a re-point created starts past the new primary's first writes)`,
          );
          continue;
        }
        if (faultStarted && shared.wedged === undefined && wedgesOn(e)) {
          shared.wedged = ch.source;
          ch.wedged = true;
          writeFileSync(wedgedFile, `${ch.source}\n`);
          ctx.log(
            `${ch.source}: fault wedge-channel: ${e.method} on ${e.collection} tt=${e.tt} offset=${e.offset} failed; the channel sends nothing more, for good (milvus-io/milvus#53382)`,
          );
          return wedge();
        }
        ch.unsentFromMs = Number(e.ttNum >> 18n);
        await sendAll(filter.push(e));
        ch.unsentFromMs = undefined;
        if (ctx.signal.aborted) return;
      }
    }
  }
}
