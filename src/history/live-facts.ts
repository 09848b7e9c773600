import type { HistoryEvent, Pk } from "./types.js";

/**
 * What the drill's live roles read from the history while it is being written (a role change's
 * snapshot needs every key written; a failover waits for the CDC kills to heal), folded as each
 * event is appended: a soak never keeps its events in memory for them.
 */
export class LiveFacts {
  /** Every key a write op was sent for, per collection (from the invokes, as the snapshot reads them). */
  private readonly written = new Map<string, Set<Pk>>();
  /** Faults started and not yet ended. */
  readonly openFaults = new Set<number>();
  lastFaultEnd = 0;
  /** Newest heartbeat (its wall time on the primary) the standby was seen to show. */
  lastSeenWall = 0;
  /** A star: the same for each further standby, by cluster id (the monitor reads each one's heartbeat). */
  readonly lastSeenWallOf = new Map<string, number>();

  /** The keys written so far, copied: what a snapshot or a restore reads while writes may go on. */
  writtenKeys(): Map<string, Set<Pk>> {
    return new Map([...this.written].map(([c, keys]) => [c, new Set(keys)]));
  }

  add(e: HistoryEvent): void {
    if (e.type === "invoke" && e.value.f === "write") {
      let set = this.written.get(e.value.collection);
      if (!set) {
        set = new Set();
        this.written.set(e.value.collection, set);
      }
      for (const k of e.value.keys) set.add(k.pk);
    } else if (e.type === "fault") {
      if (e.phase === "start") this.openFaults.add(e.id);
      else {
        this.openFaults.delete(e.id);
        this.lastFaultEnd = Math.max(this.lastFaultEnd, e.time);
      }
    } else if (e.type === "obs" && e.kind === "heartbeat" && e.wallMs !== null && e.cluster === undefined) {
      this.lastSeenWall = Math.max(this.lastSeenWall, e.wallMs);
    } else if (e.type === "obs" && e.kind === "heartbeat" && e.wallMs !== null && e.cluster !== undefined) {
      this.lastSeenWallOf.set(e.cluster, Math.max(this.lastSeenWallOf.get(e.cluster) ?? 0, e.wallMs));
    }
  }
}
