/**
 * A star (topology.standbys > 1, issue 25): what the drill does for standbys 2..N beside the pair's
 * standby. The monitor watches the first standby; each further one is waited for after the workload
 * (the same heartbeat mark, settle markers and counts as the first) and read at the end.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { ClusterEndpoint } from "../backends/types.js";
import type { CatchUp } from "../checkers/types.js";
import { connect } from "../client/connect.js";
import { HEARTBEAT_COLLECTION } from "../client/executor.js";
import { isSuccess } from "../client/outcome.js";
import { type SettleMarker, waitForCatchUp } from "./settle.js";

/** The heartbeat as one further standby shows it: the monitor's writes, read on that standby. */
class StandbyHeartbeat {
  lastSeenHbSeq: number | null = null;
  lastWrittenHbSeq = 0;
  constructor(
    private readonly client: MilvusClient,
    /** The monitor's heartbeat written after the workload, and the sequence it reached. */
    private readonly written: () => Promise<number>,
  ) {}
  async writeHeartbeat(): Promise<void> {
    this.lastWrittenHbSeq = await this.written();
  }
  async readHeartbeat(): Promise<boolean> {
    try {
      const res = await this.client.query({
        collection_name: HEARTBEAT_COLLECTION,
        filter: "writer == 1",
        output_fields: ["hb_seq"],
        consistency_level: "Eventually" as never,
        timeout: 10_000,
      });
      if (!isSuccess(res)) return false;
      const row = res.data[0];
      if (row) this.lastSeenHbSeq = Number(row.hb_seq);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Waits for each further standby as waitForCatchUp waits for the first (same mark, markers and
 * timeout, counted from the workload's end), all at once; resolves with each one's catch-up.
 */
export async function waitForStandbys(o: {
  standbys: readonly ClusterEndpoint[];
  source: MilvusClient;
  /** The monitor's post-workload heartbeat: resolves with the sequence written. */
  written: () => Promise<number>;
  collections: string[];
  markers: SettleMarker[];
  timeoutMs: number;
  since: number;
  signal?: AbortSignal;
}): Promise<Array<{ clusterId: string; catchUp: CatchUp }>> {
  return Promise.all(
    o.standbys.map(async (s) => {
      const client = connect(s, { timeoutMs: 10_000 });
      try {
        const catchUp = await waitForCatchUp({
          source: o.source,
          target: client,
          monitor: new StandbyHeartbeat(client, o.written),
          collections: o.collections,
          markers: o.markers,
          timeoutMs: o.timeoutMs,
          since: o.since,
          ...(o.signal ? { signal: o.signal } : {}),
        });
        return { clusterId: s.clusterId, catchUp };
      } finally {
        await client.closeConnection().catch(() => {});
      }
    }),
  );
}
