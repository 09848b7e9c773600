import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { CatchUp } from "../checkers/types.js";
import { isSuccess } from "../client/outcome.js";
import { PK_FIELD, VER_FIELD } from "../generator/rows.js";
import type { Monitor } from "../monitor/monitor.js";

/** A row written on the source after the workload; seeing it on the standby means its channel caught up. */
export interface SettleMarker {
  collection: string;
  pk: string;
  ver: number;
}

export async function markerSeen(client: MilvusClient, m: SettleMarker): Promise<boolean> {
  try {
    const res = await client.query({
      collection_name: m.collection,
      filter: `${PK_FIELD} == ${m.pk}`,
      output_fields: [VER_FIELD],
      consistency_level: "Eventually" as never,
      timeout: 10_000,
    });
    return isSuccess(res) && res.data.some((r) => Number(r[VER_FIELD]) >= m.ver);
  } catch {
    return false;
  }
}

export async function countOf(client: MilvusClient, collection: string): Promise<number | string> {
  try {
    const res = await client.query({
      collection_name: collection,
      filter: "",
      output_fields: ["count(*)"],
      consistency_level: "Strong" as never,
      timeout: 10_000,
    });
    if (!isSuccess(res)) return res.status.reason || "error";
    return Number(res.data[0]?.["count(*)"] ?? 0);
  } catch (e) {
    return e instanceof Error ? (e.message.split("\n")[0] ?? "error") : String(e);
  }
}

/** has_collection's answer, or the error that kept it from answering (never guessed as absent). */
export async function hasCollection(
  client: MilvusClient,
  collection: string,
): Promise<boolean | { error: string }> {
  try {
    const res = await client.hasCollection({ collection_name: collection, timeout: 10_000 });
    if (!isSuccess(res)) return { error: res.status.reason || `code ${res.status.error_code}` };
    return Boolean(res.value);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Whether the collection is there; an error reads as absent (callers that must tell use hasCollection). */
export async function exists(client: MilvusClient, collection: string): Promise<boolean> {
  return (await hasCollection(client, collection)) === true;
}

/**
 * After the workload: the standby has caught up when it shows the last heartbeat written, a marker row
 * written into every collection after the workload (so every channel in use, not only the heartbeat's,
 * has caught up), and every collection's count(*) equals the primary's (dropped collections gone on
 * both). The time this takes is the catch-up time; a standby that does not get there before the
 * timeout fails the drill.
 */
export async function waitForCatchUp(o: {
  source: MilvusClient;
  target: MilvusClient;
  /** The heartbeat: written on the source, read on this target (a star's further standby: read only). */
  monitor: Pick<Monitor, "writeHeartbeat" | "readHeartbeat" | "lastSeenHbSeq" | "lastWrittenHbSeq">;
  collections: string[];
  /** One per collection written after the workload: each must arrive (its channel caught up). */
  markers?: SettleMarker[];
  timeoutMs: number;
  since: number;
  pollMs?: number;
  /** How long counts must stay unchanged past the last heartbeat to count as settled although different. */
  stableMs?: number;
  signal?: AbortSignal;
}): Promise<CatchUp> {
  // Counted from the end of the workload, like catchUpMs: a standby reported caught up is never over the timeout.
  const deadline = o.since + o.timeoutMs;
  // The heartbeat written after the workload ended is the mark the standby must reach.
  await o.monitor.writeHeartbeat();
  const mark = o.monitor.lastWrittenHbSeq;
  let waitingFor = "";
  const stableMs = o.stableMs ?? 3_000;
  let lastCounts = "";
  let stableSince = 0;
  let standbyReads = 0;
  for (;;) {
    const missing: string[] = [];
    if (await o.monitor.readHeartbeat()) standbyReads += 1;
    const seen = o.monitor.lastSeenHbSeq;
    if (seen === null || seen < mark) missing.push(`heartbeat ${mark} (standby shows ${seen ?? "none"})`);
    for (const m of o.markers ?? []) {
      if (!(await markerSeen(o.target, m)))
        missing.push(`settle marker of ${m.collection} (key ${m.pk} ver ${m.ver})`);
    }
    const heartbeatReached = missing.length === 0;
    const counts: string[] = [];
    if (heartbeatReached) {
      for (const c of o.collections) {
        const [onSource, onTarget] = await Promise.all([exists(o.source, c), exists(o.target, c)]);
        if (onSource !== onTarget) {
          missing.push(`${c} ${onSource ? "missing on the standby" : "still on the standby"}`);
          continue;
        }
        if (!onSource) continue;
        const [a, b] = await Promise.all([countOf(o.source, c), countOf(o.target, c)]);
        counts.push(`${c}:${a}:${b}`);
        if (a !== b) missing.push(`${c} count(*) primary ${a} vs standby ${b}`);
      }
    }
    if (missing.length === 0)
      return { caughtUp: true, catchUpMs: Date.now() - o.since, timeoutMs: o.timeoutMs, standbyReads };
    // Past the last heartbeat, counts that differ but no longer move mean replication has settled on a
    // different state (lost or duplicated rows): that is for parity to report, not a catch-up timeout.
    if (heartbeatReached) {
      const key = counts.join(",");
      if (key !== lastCounts || stableSince === 0) {
        lastCounts = key;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= stableMs) {
        return {
          caughtUp: true,
          catchUpMs: stableSince - o.since,
          timeoutMs: o.timeoutMs,
          settledWith: missing.join("; "),
          standbyReads,
        };
      }
    }
    waitingFor = missing.join("; ");
    if (Date.now() >= deadline || o.signal?.aborted) {
      return { caughtUp: false, catchUpMs: null, waitingFor, timeoutMs: o.timeoutMs, standbyReads };
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
}
