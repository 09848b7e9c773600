/**
 * Milvus Backup's `restore secondary`, emulated for the local backend (zilliztech/milvus-backup, since
 * v0.5.10; core/restore/secondary/task.go): the backup's DDL and data are sent to the standby through a
 * replicate stream under the source's cluster id, then the FlushAll message the backup recorded on each
 * physical channel is forwarded as it is, so the standby's checkpoint lands exactly on the backup point.
 * The primary's CDC, configured afterwards, resumes strictly after it (GetReplicateInfo answers the
 * checkpoint; the replicator skips everything up to it).
 *
 * The standby must already hold the replicate configuration naming the source (Milvus Backup's CI applies
 * it to the standby first): the receiver refuses a stream from a source it does not replicate from.
 */
import type { LocalFaultMode } from "../faults/fault-modes.js";
import { seedCheckpoint } from "../faults/seed-faults.js";
import { FLUSH_ALL_METHOD, walFile } from "../wal/wal.js";
import { readWholeWal } from "../wal/wal-reader.js";
import { TargetClient } from "./replicator.js";

/** One request of a backup, to be replayed on the collection's channel. */
export interface SnapshotMessage {
  /** Index of the source pchannel the collection lives on. */
  channel: number;
  method: string;
  db: string;
  collection: string;
  /** The protobuf-encoded MilvusService request. */
  payload: Buffer;
  /** Rows the message carries (Insert), for the report. */
  rows?: number;
}

/** The FlushAll entry a backup recorded on one physical channel of its source. */
export interface SnapshotPoint {
  pchannel: string;
  /** Its message id in the source's WAL (the entry's byte offset). */
  messageId: string;
  timeTick: string;
}

/** A backup of one local cluster: its points and what was in it at them. */
export interface ClusterSnapshot {
  name: string;
  clusterId: string;
  pchannels: string[];
  walDir: string;
  points: SnapshotPoint[];
  messages: SnapshotMessage[];
  collections: Array<{ name: string; pchannel: string; rows: number }>;
}

export interface RestoreSecondaryOptions {
  snapshot: ClusterSnapshot;
  target: { clusterId: string; uri: string; token?: string };
  faultMode: LocalFaultMode;
  timeoutMs: number;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

export interface RestoreSecondaryResult {
  messages: number;
  rows: number;
  /** Where the standby's checkpoint was left per source channel (the point, unless a fault moved it). */
  checkpoints: Array<{ pchannel: string; messageId: string; timeTick: string; planted?: "gap" | "overlap" }>;
}

/** Sends the backup through one replicate stream and waits for every confirmation (bounded by timeoutMs). */
export async function restoreSecondary(o: RestoreSecondaryOptions): Promise<RestoreSecondaryResult> {
  const s = o.snapshot;
  const log = o.log ?? (() => {});
  const pointTt = BigInt(s.points[0]?.timeTick ?? "0");
  // Below the point on every channel and increasing: each message is new to a standby with no checkpoint.
  // Message ids that are not WAL offsets: nothing may resume at a backup's own message.
  let tt = pointTt - BigInt(s.messages.length + 1);
  const outgoing: Array<{
    pch: string;
    method: string;
    db: string;
    coll: string;
    id: string;
    tt: bigint;
    payload: Buffer;
    nodedup?: boolean;
  }> = [];
  s.messages.forEach((m, i) => {
    tt += 1n;
    outgoing.push({
      pch: s.pchannels[m.channel] as string,
      method: m.method,
      db: m.db,
      coll: m.collection,
      id: `backup:${s.name}:${i}`,
      tt,
      payload: m.payload,
    });
  });
  const checkpoints: RestoreSecondaryResult["checkpoints"] = [];
  for (const p of s.points) {
    const planted =
      o.faultMode === "seed-gap" || o.faultMode === "seed-overlap"
        ? seedCheckpoint(o.faultMode, await readWholeWal(walFile(s.walDir, p.pchannel)).catch(() => []), {
            offset: Number(p.messageId),
            tt: p.timeTick,
          })
        : undefined;
    const at = planted ? { messageId: String(planted.offset), timeTick: planted.tt } : p;
    if (planted)
      log(
        `restore secondary ${s.name}: fault ${o.faultMode}: checkpoint of ${p.pchannel} left at message ${at.messageId} (tt ${at.timeTick}) instead of the backup point ${p.messageId} (tt ${p.timeTick})`,
      );
    outgoing.push({
      pch: p.pchannel,
      method: FLUSH_ALL_METHOD,
      db: "",
      coll: "",
      id: at.messageId,
      tt: BigInt(at.timeTick),
      payload: Buffer.alloc(0),
      nodedup: planted?.backwards === true,
    });
    checkpoints.push({
      pchannel: p.pchannel,
      messageId: at.messageId,
      timeTick: at.timeTick,
      ...(planted ? { planted: o.faultMode === "seed-gap" ? ("gap" as const) : ("overlap" as const) } : {}),
    });
  }

  const client = new TargetClient(o.target.uri, o.target.token);
  try {
    await new Promise<void>((resolve, reject) => {
      const call = client.openStream();
      let confirmed = 0;
      let done = false;
      const finish = (e?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        o.signal?.removeEventListener("abort", onAbort);
        call.removeAllListeners("end");
        call.on("error", () => {});
        call.cancel();
        if (e) reject(e);
        else resolve();
      };
      const onAbort = () => finish(new Error(`restore secondary ${s.name}: cancelled`));
      o.signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `restore secondary ${s.name} into ${o.target.clusterId}: ${confirmed} of ${outgoing.length} messages confirmed within ${o.timeoutMs} ms`,
            ),
          ),
        o.timeoutMs,
      );
      call.on("data", () => {
        confirmed += 1;
        if (confirmed === outgoing.length) finish();
      });
      call.on("error", (e: Error) =>
        finish(new Error(`restore secondary ${s.name} into ${o.target.clusterId}: ${e.message}`)),
      );
      call.on("end", () =>
        finish(
          new Error(
            `restore secondary ${s.name} into ${o.target.clusterId}: stream closed after ${confirmed} of ${outgoing.length} confirmations`,
          ),
        ),
      );
      if (outgoing.length === 0) finish();
      for (const m of outgoing) {
        const properties: Record<string, string> = {
          _tt: m.tt.toString(),
          _pch: m.pch,
          _method: m.method,
          _kind: m.method === "Insert" || m.method === "Upsert" || m.method === "Delete" ? "dml" : "ddl",
          _db: m.db,
          _coll: m.coll,
        };
        if (m.nodedup) properties._nodedup = "1";
        call.write({
          replicate_message: {
            source_cluster_id: s.clusterId,
            message: { id: { id: m.id }, payload: m.payload, properties },
          },
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
