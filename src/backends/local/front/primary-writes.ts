/**
 * A client's mutation on this cluster: refused on a secondary (as Milvus refuses it), else applied to
 * Milvus Lite and appended to the cluster's WAL under its channel's lock, so the WAL order is the order
 * Milvus Lite applied. The WAL is what the replicator reads when this cluster is a source.
 */
import type * as grpc from "@grpc/grpc-js";
import {
  decodeRequest,
  encodeRequest,
  isSuccess,
  responseStatus,
  statusResponse,
} from "../../../milvus/proto.js";
import { kindOf, SECRET_METHODS } from "../common/methods.js";
import type { KeyedMutex } from "../common/mutex.js";
import { MILVUS_UNEXPECTED_CODE, milvusStatus, REPLICATE_VIOLATION_REASON } from "../common/statuses.js";
import { carriesField, IdAllocator, withIds } from "../replication/auto-id.js";
import type { ChannelMap } from "../replication/channel-map.js";
import type { ConfigStore } from "../replication/config-store.js";
import { type ReplicateConfiguration, sanitizeConfig } from "../replication/replicate-config.js";
import { ANNOUNCE_METHOD, FLUSH_ALL_METHOD, TimeTickAllocator, type WalWriter } from "../wal/wal.js";
import type { DuplicateTracker } from "./duplicates.js";
import type { LiteApply } from "./lite-apply.js";
import { dbOf } from "./lite-link.js";
import { walPayload } from "./rbac.js";

export interface PrimaryWritesDeps {
  clusterId: string;
  pchannels: readonly string[];
  config: ConfigStore;
  channels: ChannelMap;
  /** Channel locks shared with the replicate-stream receiver. */
  locks: KeyedMutex<number>;
  liteApply: LiteApply;
  wal: WalWriter;
  dups: DuplicateTracker;
  /** Fault mode stale-primary: this cluster keeps taking client writes after it is demoted (split brain). */
  staleWhenDemoted?: boolean;
}

export class PrimaryWrites {
  private readonly tt = new TimeTickAllocator();
  private readonly ids = new IdAllocator();

  constructor(private readonly d: PrimaryWritesDeps) {}

  /** A secondary refuses client writes, unless a planted stale-primary fault keeps it writable. */
  private fenced(): boolean {
    return this.d.config.role === "secondary" && this.d.staleWhenDemoted !== true;
  }

  async mutate(method: string, request: Buffer, md: grpc.Metadata, deadline: grpc.Deadline): Promise<Buffer> {
    const d = this.d;
    if (this.fenced())
      return statusResponse(method, milvusStatus(MILVUS_UNEXPECTED_CODE, REPLICATE_VIOLATION_REASON));
    const cfg = d.config.config;
    if (method === "Import" && cfg && cfg.cross_cluster_topology.length > 0) {
      return statusResponse(
        method,
        milvusStatus(
          65535,
          `import is not supported while replication is configured (cluster '${d.clusterId}' is in a replication topology); remove the replication configuration first`,
        ),
      );
    }
    const req = decodeRequest<Record<string, unknown>>(method, request);
    const db = dbOf(req as { db_name?: string }, md);
    let body = request;
    const auto = method === "Insert" ? d.channels.autoIdOf(db, String(req.collection_name ?? "")) : undefined;
    if (auto) {
      if (carriesField(req, auto.name))
        return statusResponse(
          method,
          milvusStatus(
            1100,
            `the primary key field '${auto.name}' of collection '${String(req.collection_name)}' is auto_id: insert rows without it`,
            "IllegalArgument",
          ),
        );
      body = withIds(request, auto, this.ids.next(Number(req.num_rows ?? 0)));
    }
    const plan = d.channels.plan(method, req, db);
    try {
      return await d.locks.run(plan.channels, async () => {
        // Checked again under the lock: a switchover that took the locks first has fenced this write.
        if (this.fenced())
          return statusResponse(method, milvusStatus(MILVUS_UNEXPECTED_CODE, REPLICATE_VIOLATION_REASON));
        const recordDuplicates = await d.dups.before(method, body, db, plan.collection);
        const res = await d.liteApply.apply(method, req, body, db, md, deadline);
        if (!isSuccess(responseStatus(method, res))) return res;
        recordDuplicates?.();
        await d.wal.append(d.pchannels[plan.channel] as string, {
          tt: this.tt.next().toString(),
          method,
          kind: kindOf(method),
          db,
          collection: plan.collection,
          payload: (SECRET_METHODS.has(method) ? walPayload(method, body) : body).toString("base64"),
        });
        await d.channels.commit(plan);
        return res;
      });
    } finally {
      d.channels.release(method, plan);
    }
  }

  /** Every channel, for a change that must be ordered against all writes (a switchover's fence). */
  get allChannels(): number[] {
    return this.d.pchannels.map((_, i) => i);
  }

  /**
   * Puts a configuration change into every channel's WAL, after every write acknowledged before it, as
   * Milvus broadcasts AlterReplicateConfig: the replicator delivers it to the target last, and the target
   * takes the new configuration once it has come through on all of its channels. Tokens are blanked:
   * the WAL holds no secrets. Call with every channel locked.
   */
  async announce(config: ReplicateConfiguration): Promise<void> {
    const payload = encodeRequest(ANNOUNCE_METHOD, { replicate_configuration: sanitizeConfig(config) });
    const tt = this.tt.next().toString();
    for (const pch of this.d.pchannels) {
      await this.d.wal.append(pch, {
        tt,
        method: ANNOUNCE_METHOD,
        kind: "ddl",
        db: "",
        collection: "",
        payload: payload.toString("base64"),
      });
    }
  }

  /**
   * A flush-all point on every channel, after every write acknowledged before it: one FlushAll entry per
   * channel sharing one time tick, as Milvus Backup's `create` records a FlushAll message per physical
   * channel (the backup's point). Returns each channel's entry. Call with every channel locked.
   */
  async flushAllPoint(): Promise<Array<{ pchannel: string; messageId: string; timeTick: string }>> {
    const payload = encodeRequest(FLUSH_ALL_METHOD, {}).toString("base64");
    const tt = this.tt.next().toString();
    const points: Array<{ pchannel: string; messageId: string; timeTick: string }> = [];
    for (const pch of this.d.pchannels) {
      const messageId = await this.d.wal.append(pch, {
        tt,
        method: FLUSH_ALL_METHOD,
        kind: kindOf(FLUSH_ALL_METHOD),
        db: "",
        collection: "",
        payload,
      });
      points.push({ pchannel: pch, messageId, timeTick: tt });
    }
    return points;
  }
}
