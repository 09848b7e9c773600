/**
 * Applying one replicated message on a target cluster: check that the configuration has the edge it came
 * on, map its source pchannel to ours, skip it if the checkpoint already covers it (time-tick dedup), apply
 * it to Milvus Lite under the channel's lock, then move the checkpoint. Answers the confirmation the
 * replicator waits for. Nothing here is written to this cluster's own WAL.
 */
import * as grpc from "@grpc/grpc-js";
import { decode, decodeRequest, encode, isSuccess, responseStatus } from "../../milvus/proto.js";
import type { ChannelMap } from "./channel-map.js";
import type { CheckpointStore } from "./checkpoints.js";
import type { ConfigStore } from "./config-store.js";
import type { DuplicateTracker } from "./duplicates.js";
import { FrontError } from "./front-errors.js";
import type { LiteLink } from "./lite-link.js";
import { MUTATING_METHODS } from "./methods.js";
import type { KeyedMutex } from "./mutex.js";
import { normalizeConfig, type ReplicateConfiguration } from "./replicate-config.js";
import { ANNOUNCE_METHOD } from "./wal.js";

export interface ReplicateApplyDeps {
  clusterId: string;
  pchannels: readonly string[];
  config: ConfigStore;
  channels: ChannelMap;
  checkpoints: CheckpointStore;
  /** Channel locks shared with client writes. */
  locks: KeyedMutex<number>;
  lite: LiteLink;
  dups: DuplicateTracker;
  /**
   * A configuration change the source put into its WAL has arrived on one of our channels (called under
   * that channel's lock, before its checkpoint moves).
   */
  onAnnouncement: (pchannel: string, config: ReplicateConfiguration) => Promise<void>;
}

export class ReplicateApply {
  constructor(private readonly d: ReplicateApplyDeps) {}

  /** One ReplicateRequest in, its ReplicateResponse out; a FrontError ends the stream. */
  async apply(buf: Buffer): Promise<Buffer> {
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
    const cfg = d.config.config;
    const edge = cfg?.cross_cluster_topology.find(
      (t) => t.source_cluster_id === source && t.target_cluster_id === d.clusterId,
    );
    if (!cfg || !edge) {
      throw new FrontError(
        grpc.status.FAILED_PRECONDITION,
        `cluster '${d.clusterId}' has no replication from source cluster '${source}' configured`,
      );
    }
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
    const payload = rm?.message?.payload ?? Buffer.alloc(0);
    const db = props._db || "default";
    const confirm = () =>
      encode("milvus.ReplicateResponse", {
        replicate_confirmed_message_info: { confirmed_time_tick: tt.toString() },
      });
    const checkpoint = (): Promise<void> =>
      d.checkpoints.set(targetPch, {
        cluster_id: source,
        pchannel: srcPch,
        message_id: { id: rm?.message?.id?.id ?? "" },
        time_tick: tt.toString(),
      });
    return d.locks.run([channel], async () => {
      // Time ticks order one source's messages only: a checkpoint left by another source is no floor.
      const cp = d.checkpoints.get(targetPch, source);
      if (cp && tt <= BigInt(cp.time_tick) && props._nodedup !== "1") return confirm();
      if (method === ANNOUNCE_METHOD) {
        const announced = decodeRequest<{ replicate_configuration?: unknown }>(method, payload);
        await d.onAnnouncement(targetPch, normalizeConfig(announced.replicate_configuration));
        await checkpoint();
        return confirm();
      }
      const mreq = decodeRequest<Record<string, unknown>>(method, payload);
      const plan = d.channels.plan(method, mreq, db, channel);
      const md = new grpc.Metadata();
      md.set("dbname", db);
      let res: Buffer;
      let recordDuplicates: (() => void) | undefined;
      try {
        recordDuplicates = await d.dups.before(method, payload, db, plan.collection);
        res = await d.lite.call(method, payload, md);
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
      await d.channels.commit(plan);
      await checkpoint();
      return confirm();
    });
  }
}
