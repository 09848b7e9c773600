import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { CatchUp } from "../checkers/types.js";
import { isSuccess } from "../client/outcome.js";
import type { Monitor } from "../monitor/monitor.js";

async function countOf(client: MilvusClient, collection: string): Promise<number | string> {
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

async function exists(client: MilvusClient, collection: string): Promise<boolean> {
  try {
    const res = await client.hasCollection({ collection_name: collection, timeout: 10_000 });
    return Boolean(res.value);
  } catch {
    return false;
  }
}

/**
 * After the workload: the standby has caught up when it shows the last heartbeat written and every
 * collection's count(*) equals the primary's (dropped collections gone on both). The time this takes
 * is the catch-up time; a standby that does not get there before the timeout fails the drill.
 */
export async function waitForCatchUp(o: {
  source: MilvusClient;
  target: MilvusClient;
  monitor: Monitor;
  collections: string[];
  timeoutMs: number;
  since: number;
  pollMs?: number;
  /** How long counts must stay unchanged past the last heartbeat to count as settled although different. */
  stableMs?: number;
  signal?: AbortSignal;
}): Promise<CatchUp> {
  const deadline = Date.now() + o.timeoutMs;
  // The heartbeat written after the workload ended is the mark the standby must reach.
  await o.monitor.writeHeartbeat();
  const mark = o.monitor.lastWrittenHbSeq;
  let waitingFor = "";
  const stableMs = o.stableMs ?? 3_000;
  let lastCounts = "";
  let stableSince = 0;
  for (;;) {
    const missing: string[] = [];
    await o.monitor.readHeartbeat();
    const seen = o.monitor.lastSeenHbSeq;
    if (seen === null || seen < mark) missing.push(`heartbeat ${mark} (standby shows ${seen ?? "none"})`);
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
      return { caughtUp: true, catchUpMs: Date.now() - o.since, timeoutMs: o.timeoutMs };
    // Past the last heartbeat, counts that differ but no longer move mean replication has settled on a
    // different state (lost or duplicated rows): that is for parity to report, not a catch-up timeout.
    if (heartbeatReached) {
      const key = counts.join(",");
      if (key !== lastCounts) {
        lastCounts = key;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= stableMs) {
        return {
          caughtUp: true,
          catchUpMs: stableSince - o.since,
          timeoutMs: o.timeoutMs,
          settledWith: missing.join("; "),
        };
      }
    }
    waitingFor = missing.join("; ");
    if (Date.now() >= deadline || o.signal?.aborted) {
      return { caughtUp: false, catchUpMs: null, waitingFor, timeoutMs: o.timeoutMs };
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
}
