/**
 * Applying replicated messages on a target cluster: check that the configuration has the edge each came
 * on, map its source pchannel to ours, skip it if the checkpoint already covers it (time-tick dedup), apply
 * it to Milvus Lite under the channel's lock, then move the checkpoint, once per run of messages on one
 * channel. Answers the confirmations the replicator waits for. Nothing here is written to this cluster's
 * own WAL.
 */
import * as grpc from "@grpc/grpc-js";
import { decode, decodeRequest, encode, isSuccess, responseStatus } from "../../../milvus/proto.js";
import { MUTATING_METHODS } from "../common/methods.js";
import type { KeyedMutex } from "../common/mutex.js";
import { FrontError } from "../common/statuses.js";
import { ANNOUNCE_METHOD, FLUSH_ALL_METHOD } from "../wal/wal.js";
import type { ChannelMap } from "./channel-map.js";
import type { CheckpointStore, ReplicateCheckpoint } from "./checkpoints.js";
import type { ConfigStore } from "./config-store.js";
import { normalizeConfig, type ReplicateConfiguration } from "./replicate-config.js";

/**
 * What this cluster's front does with a message (front/lite-apply.ts): applies it to Milvus Lite the way
 * Milvus would. Declared here, not imported, so replication never reaches into the front.
 */
export interface MessageApplier {
  apply(
    method: string,
    req: Record<string, unknown>,
    body: Buffer,
    db: string,
    md: grpc.Metadata,
    deadline?: grpc.Deadline,
    replicated?: boolean,
  ): Promise<Buffer>;
}

/**
 * The front's bookkeeping of inserts Milvus keeps twice (front/duplicates.ts): called before a message
 * is applied, it returns what to record once the apply succeeded.
 */
export interface DuplicateBookkeeping {
  before(method: string, request: Buffer, db: string, collection: string): Promise<(() => void) | undefined>;
  beforeInserts(
    requests: readonly Buffer[],
    db: string,
    collection: string,
  ): Promise<Array<(() => void) | undefined>>;
}

export interface ReplicateApplyDeps {
  clusterId: string;
  pchannels: readonly string[];
  config: ConfigStore;
  channels: ChannelMap;
  checkpoints: CheckpointStore;
  /** Channel locks shared with client writes. */
  locks: KeyedMutex<number>;
  liteApply: MessageApplier;
  dups: DuplicateBookkeeping;
  /**
   * A configuration change the source put into its WAL has arrived on one of our channels (called under
   * that channel's lock, before its checkpoint moves).
   */
  onAnnouncement: (pchannel: string, config: ReplicateConfiguration) => Promise<void>;
}

/** One replicated message, checked against the configuration and mapped to this cluster's channel. */
interface Incoming {
  source: string;
  srcPch: string;
  targetPch: string;
  channel: number;
  method: string;
  tt: bigint;
  payload: Buffer;
  db: string;
  collection: string;
  messageId: string;
  nodedup: boolean;
}

/** How the receiver has been batching: runs applied, messages in them, the longest run. */
export interface ApplyStats {
  runs: number;
  messages: number;
  largestRun: number;
}

export class ReplicateApply {
  readonly stats: ApplyStats = { runs: 0, messages: 0, largestRun: 0 };

  constructor(private readonly d: ReplicateApplyDeps) {}

  /**
   * Requests in arrival order. Consecutive ones on one channel are applied under one hold of the
   * channel's lock and share one durable checkpoint write (the cost that dominated catching up on a
   * backlog one fsync'd message at a time). Dedup stays per message: each is compared with the newest
   * message applied before it, written or not. The checkpoint covers exactly the messages applied, also
   * when one fails part-way (the failure comes back after the confirmations of those before it), so a
   * replicator that reconnects resumes right after the last message applied: exactly once.
   */
  async applyBatch(bufs: readonly Buffer[]): Promise<{ responses: Buffer[]; error?: unknown }> {
    const d = this.d;
    const responses: Buffer[] = [];
    const parsed = new Map<number, Incoming>();
    const parseAt = (j: number): Incoming => {
      let m = parsed.get(j);
      if (!m) {
        m = this.parse(bufs[j] as Buffer);
        parsed.set(j, m);
      }
      return m;
    };
    // Duplicate bookkeeping prepared for a stretch of Inserts at once (see prepareInserts).
    const recorders = new Map<number, (() => void) | undefined>();
    let i = 0;
    try {
      while (i < bufs.length) {
        const first = parseAt(i);
        await d.locks.run([first.channel], async () => {
          // Applied, not yet on disk: the checkpoint to write and the confirmations that wait for it.
          let newest: Incoming | undefined;
          let confirms: Buffer[] = [];
          const persist = async () => {
            if (confirms.length > 0) {
              this.stats.runs++;
              this.stats.messages += confirms.length;
              this.stats.largestRun = Math.max(this.stats.largestRun, confirms.length);
            }
            if (newest) await d.checkpoints.set(newest.targetPch, checkpointOf(newest));
            newest = undefined;
            responses.push(...confirms);
            confirms = [];
          };
          try {
            let m: Incoming | undefined = first;
            while (m) {
              // Checked again under the channel's lock: a force promote (which takes every channel's
              // lock) may have ended replication from this source while the message waited for it. A
              // stale message applied then would leave a checkpoint from the lost primary, and a
              // cluster rebuilt under its id would later be asked to resume at a position its new WAL
              // never had (the switch back after a failover stalled on that channel).
              this.requireEdge(m.source);
              // Time ticks order one source's messages only: a checkpoint left by another source is no floor.
              const floor =
                newest && newest.source === m.source
                  ? newest.tt
                  : BigInt(d.checkpoints.get(m.targetPch, m.source)?.time_tick ?? -1);
              if (m.tt <= floor && !m.nodedup) {
                confirms.push(confirmation(m));
              } else if (m.method === ANNOUNCE_METHOD) {
                const announced = decodeRequest<{ replicate_configuration?: unknown }>(m.method, m.payload);
                await d.onAnnouncement(m.targetPch, normalizeConfig(announced.replicate_configuration));
                newest = m;
                confirms.push(confirmation(m));
                // The configuration may have changed what the next messages mean: they start a new run.
                i++;
                return;
              } else if (m.method === FLUSH_ALL_METHOD) {
                // Milvus Lite keeps every write it applied: a flush-all has nothing to flush here. What it
                // does for a secondary is move the checkpoint: Milvus Backup's restore secondary forwards the
                // backup's FlushAll messages last, leaving the standby's checkpoint at the backup point.
                newest = m;
                confirms.push(confirmation(m));
              } else {
                if (m.method === "Insert" && !recorders.has(i))
                  await this.prepareInserts(i, floor, parseAt, bufs.length, recorders);
                await this.applyOne(m, recorders.has(i) ? { recorder: recorders.get(i) } : undefined);
                newest = m;
                confirms.push(confirmation(m));
              }
              i++;
              const next: Incoming | undefined = i < bufs.length ? parseAt(i) : undefined;
              m = next && next.channel === first.channel ? next : undefined;
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
  private requireEdge(source: string): ReplicateConfiguration {
    const d = this.d;
    const cfg = d.config.config;
    const edge = cfg?.cross_cluster_topology.some(
      (t) => t.source_cluster_id === source && t.target_cluster_id === d.clusterId,
    );
    if (!cfg || !edge) {
      throw new FrontError(
        grpc.status.FAILED_PRECONDITION,
        `cluster '${d.clusterId}' has no replication from source cluster '${source}' configured`,
      );
    }
    return cfg;
  }

  private parse(buf: Buffer): Incoming {
    const d = this.d;
    const req = decode<{
      replicate_message?: {
        source_cluster_id?: string;
        message?: { id?: { id?: string }; payload?: Buffer; properties?: Record<string, string> };
      };
    }>("milvus.ReplicateRequest", buf);
    const rm = req.replicate_message;
    const props = rm?.message?.properties ?? {};
    const source = rm?.source_cluster_id ?? "";
    const cfg = this.requireEdge(source);
    const srcPch = props._pch ?? "";
    const srcCluster = cfg.clusters.find((c) => c.cluster_id === source);
    const idx = srcCluster?.pchannels.indexOf(srcPch) ?? -1;
    const selfCluster = cfg.clusters.find((c) => c.cluster_id === d.clusterId);
    const targetPch = idx >= 0 ? selfCluster?.pchannels[idx] : undefined;
    const channel = targetPch === undefined ? -1 : d.pchannels.indexOf(targetPch);
    if (channel < 0 || targetPch === undefined) {
      throw new FrontError(
        grpc.status.FAILED_PRECONDITION,
        `pchannel '${srcPch}' is not a pchannel of source cluster '${source}' in the replicate configuration`,
      );
    }
    const method = props._method ?? "";
    if (!MUTATING_METHODS.has(method) && method !== ANNOUNCE_METHOD) {
      throw new FrontError(grpc.status.INVALID_ARGUMENT, `replicated message has unknown method '${method}'`);
    }
    let tt: bigint;
    try {
      tt = BigInt(props._tt ?? "");
    } catch {
      throw new FrontError(grpc.status.INVALID_ARGUMENT, `replicated message has invalid _tt '${props._tt}'`);
    }
    return {
      source,
      srcPch,
      targetPch,
      channel,
      method,
      tt,
      payload: rm?.message?.payload ?? Buffer.alloc(0),
      db: props._db || "default",
      collection: props._coll ?? "",
      messageId: rm?.message?.id?.id ?? "",
      nodedup: props._nodedup === "1",
    };
  }

  /**
   * The Inserts from `start` on that will be applied back to back (same source, channel, database and
   * collection, nothing else in between, the ones dedup will skip left out exactly as the apply loop
   * will skip them) get their duplicate bookkeeping from one existence Query. A message that does not
   * parse ends the stretch; the apply loop reports it when it gets there.
   */
  private async prepareInserts(
    start: number,
    floor: bigint,
    parseAt: (j: number) => Incoming,
    count: number,
    recorders: Map<number, (() => void) | undefined>,
  ): Promise<void> {
    const first = parseAt(start);
    const stretch: Array<{ at: number; payload: Buffer }> = [];
    let newest = floor;
    for (let j = start; j < count; j++) {
      let m: Incoming;
      try {
        m = parseAt(j);
      } catch {
        break;
      }
      if (
        m.method !== "Insert" ||
        m.channel !== first.channel ||
        m.source !== first.source ||
        m.db !== first.db ||
        m.collection !== first.collection
      )
        break;
      if (m.tt <= newest && !m.nodedup) continue;
      stretch.push({ at: j, payload: m.payload });
      if (m.tt > newest) newest = m.tt;
    }
    const recs = await this.d.dups.beforeInserts(
      stretch.map((x) => x.payload),
      first.db,
      first.collection,
    );
    stretch.forEach((x, k) => {
      recorders.set(x.at, recs[k]);
    });
  }

  /**
   * Applies one DML/DDL message to Milvus Lite (the caller holds the channel's lock). `prepared`: its
   * duplicate bookkeeping, when prepareInserts already did it.
   */
  private async applyOne(m: Incoming, prepared?: { recorder: (() => void) | undefined }): Promise<void> {
    const d = this.d;
    const mreq = decodeRequest<Record<string, unknown>>(m.method, m.payload);
    const plan = d.channels.plan(m.method, mreq, m.db, m.channel);
    const md = new grpc.Metadata();
    md.set("dbname", m.db);
    let res: Buffer;
    let recordDuplicates: (() => void) | undefined;
    try {
      recordDuplicates = prepared
        ? prepared.recorder
        : await d.dups.before(m.method, m.payload, m.db, plan.collection);
      res = await d.liteApply.apply(m.method, mreq, m.payload, m.db, md, undefined, true);
    } catch (e) {
      throw new FrontError(
        grpc.status.INTERNAL,
        `apply of ${m.method} on '${m.collection}' failed: ${(e as grpc.ServiceError).details ?? (e as Error).message}`,
      );
    }
    const st = responseStatus(m.method, res);
    if (!isSuccess(st)) {
      throw new FrontError(
        grpc.status.INTERNAL,
        `apply of ${m.method} on '${m.collection}' failed: ${st?.reason ?? "error"}`,
      );
    }
    recordDuplicates?.();
    await d.channels.commit(plan);
  }
}

function confirmation(m: Incoming): Buffer {
  return encode("milvus.ReplicateResponse", {
    replicate_confirmed_message_info: { confirmed_time_tick: m.tt.toString() },
  });
}

function checkpointOf(m: Incoming): ReplicateCheckpoint {
  return {
    cluster_id: m.source,
    pchannel: m.srcPch,
    message_id: { id: m.messageId },
    time_tick: m.tt.toString(),
  };
}
