/**
 * Fault modes of the reference replicator: deliberate CDC bugs, chosen at start, so that tests can prove
 * the drill's checkers catch each kind of damage. Each mode really does what its name says to the
 * stream of messages; nothing here fakes a result on the standby.
 */
import { HEARTBEAT_COLLECTION, PK_FIELD, SETTLE_KEY } from "../../../generator/reserved.js";
import { decodeRequest, method } from "../../../milvus/proto.js";
import type { WalEntry } from "../wal/wal-reader.js";
import { LOCAL_FAULT_MODES, type LocalFaultMode } from "./fault-modes.js";

export { LOCAL_FAULT_MODES, type LocalFaultMode };

/** DDL that drop-ddl loses. CreateCollection is kept so the damage is missing objects, not a dead stream. */
export const DROPPABLE_DDL: ReadonlySet<string> = new Set([
  "CreatePartition",
  "CreateIndex",
  "CreateAlias",
  "AlterAlias",
  "DropPartition",
  "DropIndex",
  "DropAlias",
]);

/** How many messages before the checkpoint a stale-checkpoint restart resumes from. */
export const STALE_CHECKPOINT_BACK = 100;

/**
 * lose-tail-on-switchover: how long each message waits in the channel's delay line. The writes still
 * waiting there when the drill's settle marker arrives are the tail that is lost.
 */
export const LOSE_TAIL_HOLD_MS = 500;

/**
 * lose-on-partition (milvus-io/milvus#53368): every message waits this long in the channel's delay line
 * before it is sent; when the link breaks, what waits there and what was sent unconfirmed is skipped
 * (the next session starts after the last message read), so the next message applied moves the
 * target's checkpoint past messages it never applied.
 */
export const LOSE_ON_PARTITION_HOLD_MS = 500;

/** wedge-channel: the marker the lab appends to when a nemesis fault starts (next to the replicator's log). */
export function faultMarkerFile(logFile: string): string {
  return `${logFile}.fault-started`;
}

/** wedge-channel: the channel wedged for good, remembered across replicator restarts. */
export function wedgedChannelFile(logFile: string): string {
  return `${logFile}.wedged-channel`;
}

/**
 * wedge-channel (milvus-io/milvus#53382: one failed message wedged a secondary channel for good): the
 * first data write after a fault started wedges its channel; heartbeats go on, so the other channels
 * (and the heartbeat's, unless it is the same) keep replicating.
 */
export function wedgesOn(e: WalEntry): boolean {
  return e.kind === "dml" && e.collection !== HEARTBEAT_COLLECTION && DATA_METHODS.has(e.method);
}

/**
 * frozen-lag-metric: how long a restarted replicator sits on its backlog before sending anything, while
 * its metric keeps reading ~0 (milvus-io/milvus#51048). Longer than any smoke SLO plus grace period.
 */
export const FROZEN_LAG_HOLD_MS = 15_000;

/** Where a channel starts reading after (re)connecting. */
export type ResumePlan =
  /** Right after the target's checkpoint (correct CDC). */
  | { kind: "checkpoint" }
  /** The log head at the time of the restart: the backlog written while down is never sent. */
  | { kind: "head" }
  /** Re-send DML from an older point with dedup disabled, then continue after the checkpoint. */
  | { kind: "replay"; from: "start" | { back: number } };

/** The plan for a channel's sessions; `restarted` means this child is a restart of a killed one. */
export function resumePlan(mode: LocalFaultMode, restarted: boolean): ResumePlan {
  if (!restarted) return { kind: "checkpoint" };
  switch (mode) {
    case "skip-on-restart":
      return { kind: "head" };
    case "duplicate-on-restart":
      return { kind: "replay", from: "start" };
    case "stale-checkpoint":
      return { kind: "replay", from: { back: STALE_CHECKPOINT_BACK } };
    default:
      return { kind: "checkpoint" };
  }
}

/** A message ready to send: the entry, its request bytes, and whether the target must skip its dedup. */
export interface Outgoing {
  entry: WalEntry;
  payload: Buffer;
  nodedup: boolean;
}

/** State shared by all channels of one replicator process. */
export interface FaultShared {
  /** Messages handed to the stream so far (stall counts these). */
  sent: number;
  /** wedge-channel: the source channel wedged for good (by this or an earlier process). */
  wedged?: string;
  /** corrupt-vector damages exactly one vector, across restarts too (see onCorrupted). */
  corrupted: boolean;
  /** Called (synchronously, before the damaged message is sent) to remember it beyond this process. */
  onCorrupted?: () => void;
  /** promote-with-hole: the one insert skipped so far (per process). */
  holed?: boolean;
  /** lose-tail-on-switchover: the tail was lost (by this or an earlier process): pass everything on. */
  tailLost?: boolean;
  /** Called (synchronously, before the marker after the lost tail is sent) to remember it beyond this process. */
  onTailLost?: () => void;
  /** skip-add-field: AddCollectionField messages seen per collection (per process). */
  addFields?: Map<string, number>;
}

/** What skip-release loses. */
const RELEASES: ReadonlySet<string> = new Set(["ReleaseCollection", "ReleasePartitions"]);

const WRITE_METHODS = new Set(["Insert", "Upsert"]);
const DATA_METHODS = new Set(["Insert", "Upsert", "Delete"]);

/** The drill's settle marker: a write of SETTLE_KEY to a workload collection. */
function isSettleMarker(e: WalEntry, payload: Buffer): boolean {
  if (!WRITE_METHODS.has(e.method) || e.collection === HEARTBEAT_COLLECTION) return false;
  try {
    return writtenKeys(payload, PK_FIELD, e.method).includes(String(SETTLE_KEY));
  } catch {
    return false;
  }
}

/**
 * repoint-skip (a hypothetical fault, issue 25): how many of the new primary's first data writes per
 * channel the replicator of an edge a re-point created never sends. Milvus starts such an edge at the
 * new primary's AlterReplicateConfig message (the target has no checkpoint for the new source:
 * milvus-io/milvus internal/cdc/replication/replicatemanager/channel_replicator.go@72dab801
 * getReplicateCheckpoint -> InitializedCheckpoint); this replicator starts a few writes past it.
 */
export const REPOINT_SKIP_WRITES = 3;

/** repoint-skip: a workload write (not a heartbeat, not the drill's settle marker) it may skip. */
export function skippedOnRepoint(e: WalEntry): boolean {
  if (!DATA_METHODS.has(e.method) || e.collection === HEARTBEAT_COLLECTION) return false;
  return !isSettleMarker(e, Buffer.from(e.payload, "base64"));
}

/**
 * The per-channel filter between the log and the stream. push() returns what to send now (in order);
 * flush() releases a write held back by reorder when no Delete followed it in time.
 */
/** reorder: how many writes a channel holds back while it looks for a Delete of one of their keys. */
export const REORDER_WINDOW = 32;

export class FaultFilter {
  private dmlSeen = 0;
  private held: Outgoing[] = [];
  /** lose-tail-on-switchover: messages read but not yet sent, with when each was read. */
  private line: Array<{ out: Outgoing; at: number }> = [];
  /** lose-tail-on-switchover: this channel lost its tail. */
  private tailLost = false;

  constructor(
    readonly mode: LocalFaultMode,
    readonly every: number,
    private readonly shared: FaultShared,
    private readonly log: (m: string) => void = () => {},
  ) {
    if ((mode === "drop" || mode === "stall") && !(Number.isInteger(every) && every >= 1))
      throw new Error(`faultEvery: ${every} is not allowed for fault mode ${mode}; expected an integer >= 1`);
  }

  /** stall: true once `every` messages went out; the caller then keeps the stream open and sends nothing. */
  get stalled(): boolean {
    return this.mode === "stall" && this.shared.sent >= this.every;
  }

  /** How long a message waits in the delay line (lose-tail-on-switchover, lose-on-partition). */
  private get holdMs(): number {
    return this.mode === "lose-on-partition" ? LOSE_ON_PARTITION_HOLD_MS : LOSE_TAIL_HOLD_MS;
  }

  /** Whether a write is held back waiting to see if a Delete follows it (reorder). */
  get holding(): boolean {
    return this.held.length > 0 || this.line.length > 0;
  }

  /** The caller reports each message it actually wrote to the stream. */
  noteSent(): void {
    this.shared.sent += 1;
  }

  push(entry: WalEntry): Outgoing[] {
    const out: Outgoing = { entry, payload: Buffer.from(entry.payload, "base64"), nodedup: false };
    switch (this.mode) {
      case "drop":
        if (entry.kind === "dml") {
          this.dmlSeen += 1;
          if (this.dmlSeen % this.every === 0) {
            this.log(`fault drop: skipping ${entry.method} tt=${entry.tt} offset=${entry.offset}`);
            return [];
          }
        }
        return [out];
      case "promote-with-hole":
        // One insert in the middle of a channel never reaches the standby, while later ones do: a
        // standby force-promoted after it holds no prefix of what the primary acknowledged.
        if (!this.shared.holed && entry.method === "Insert") {
          this.dmlSeen += 1;
          if (this.dmlSeen >= Math.max(1, Math.floor(this.every / 5))) {
            this.shared.holed = true;
            this.log(
              `fault promote-with-hole: skipping ${entry.method} tt=${entry.tt} offset=${entry.offset}`,
            );
            return [];
          }
        }
        return [out];
      case "drop-ddl":
        if (entry.kind === "ddl" && DROPPABLE_DDL.has(entry.method)) {
          this.log(`fault drop-ddl: skipping ${entry.method} on ${entry.collection} tt=${entry.tt}`);
          return [];
        }
        return [out];
      case "skip-release":
        // A release that never reaches the standby: it keeps serving (and paying for) what the primary
        // released, the load state CDC lost in milvus-io/milvus#44478.
        if (entry.kind === "ddl" && RELEASES.has(entry.method)) {
          this.log(`fault skip-release: skipping ${entry.method} on ${entry.collection} tt=${entry.tt}`);
          return [];
        }
        return [out];
      case "skip-add-field": {
        // The second add_collection_field of a collection never reaches the standby: its schema stays one
        // field short (milvus-io/milvus#50364, #51835: two add-field DDLs in a row broke the target).
        if (entry.method !== "AddCollectionField") return [out];
        const n = (this.shared.addFields?.get(entry.collection) ?? 0) + 1;
        this.shared.addFields ??= new Map();
        this.shared.addFields.set(entry.collection, n);
        if (n === 2) {
          this.log(
            `fault skip-add-field: skipping the 2nd AddCollectionField on ${entry.collection} tt=${entry.tt}`,
          );
          return [];
        }
        return [out];
      }
      case "corrupt-vector":
        // Inserts only: an upserted row (a heartbeat, a hot key) is soon overwritten on both sides,
        // which would heal the damage before anyone could see it.
        if (!this.shared.corrupted && entry.method === "Insert") {
          const damaged = flipOneVectorBit(entry.method, out.payload);
          if (damaged) {
            this.shared.corrupted = true;
            this.shared.onCorrupted?.();
            this.log(`fault corrupt-vector: flipped one bit in ${entry.method} tt=${entry.tt}`);
            return [{ ...out, payload: damaged }];
          }
        }
        return [out];
      case "reorder":
        return this.reorder(out);
      case "lose-tail-on-switchover":
        return this.loseTail(out);
      case "lose-on-partition": {
        const now = Date.now();
        this.line.push({ out, at: now });
        return this.due(now);
      }
      default:
        return [out];
    }
  }

  /**
   * A new stream re-reads the log from the checkpoint: a write held for the old stream is read again
   * (lose-on-partition: it is not, the session skips what was read; see LOSE_ON_PARTITION_HOLD_MS).
   */
  newSession(): void {
    this.held = [];
    this.line = [];
  }

  /** What a quiet channel sends now: messages whose time in the delay line is up (lose-tail-on-switchover). */
  due(now = Date.now()): Outgoing[] {
    const out: Outgoing[] = [];
    while (this.line.length > 0 && now - (this.line[0]?.at ?? now) >= this.holdMs)
      out.push((this.line.shift() as { out: Outgoing }).out);
    return out;
  }

  flush(): Outgoing[] {
    const h = this.held;
    this.held = [];
    return h;
  }

  /**
   * A CDC that acknowledges a checkpoint past messages it never applied, at the moment writes stop
   * before a switchover. Every message waits LOSE_TAIL_HOLD_MS in a delay line (in order, so nothing
   * is lost while the primary takes writes, across kills too: what waits was never confirmed). The
   * drill's settle marker, its first write after the workload, is this replicator's sign that writes
   * stopped: the data writes still waiting are dropped, and the marker goes out, moving the target's
   * checkpoint past them for good. Heartbeats and DDL waiting with them still go out, and so does the
   * marker: the standby shows what the drill's caught-up wait looks for, and count(*) settles on a
   * smaller number, so the drill proceeds to the switchover having lost acknowledged writes (what
   * `rpo` must catch). Once per lab: the reverse direction after the switchover replicates faithfully.
   */
  private loseTail(out: Outgoing): Outgoing[] {
    if (this.tailLost || this.shared.tailLost) return [...this.line.splice(0).map((l) => l.out), out];
    const e = out.entry;
    if (isSettleMarker(e, out.payload)) {
      const kept: Outgoing[] = [];
      const lost: Outgoing[] = [];
      for (const { out: o } of this.line.splice(0)) {
        const data = o.entry.kind === "dml" && o.entry.collection !== HEARTBEAT_COLLECTION;
        (data && DATA_METHODS.has(o.entry.method) ? lost : kept).push(o);
      }
      this.tailLost = true;
      this.shared.onTailLost?.();
      if (lost.length > 0) {
        const first = lost[0]?.entry;
        const last = lost[lost.length - 1]?.entry;
        this.log(
          `fault lose-tail-on-switchover: dropping the last ${lost.length} data message(s) before the settle marker (tt ${first?.tt}..${last?.tt}, offsets ${first?.offset}..${last?.offset}); the marker moves the checkpoint past them`,
        );
      } else {
        this.log(
          "fault lose-tail-on-switchover: the settle marker came with no data message waiting; nothing lost on this channel",
        );
      }
      return [...kept, out];
    }
    const now = Date.now();
    this.line.push({ out, at: now });
    return this.due(now);
  }

  /**
   * Swaps a Delete with the write before it on the same key: writes are held back (up to
   * REORDER_WINDOW); when a Delete names a key one of them wrote, the Delete goes first and the held
   * writes follow. They are then older than the target's checkpoint, so they are sent with dedup off:
   * otherwise the target would skip them and the damage would be lost rows instead of the zombie this
   * mode stands for. A Delete that matches no held write, and any other message, releases the held
   * writes first, so nothing else changes order.
   */
  private reorder(out: Outgoing): Outgoing[] {
    const e = out.entry;
    if (e.method === "Delete") {
      const keys = deletedKeys(out.payload);
      const hit = keys
        ? this.held.findLastIndex(
            (h) =>
              h.entry.db === e.db &&
              h.entry.collection === e.collection &&
              writtenKeys(h.payload, keys.field, h.entry.method).some((k) => keys.values.has(k)),
          )
        : -1;
      if (hit >= 0) {
        const h = this.held[hit] as Outgoing;
        this.log(
          `fault reorder: Delete tt=${e.tt} sent before ${h.entry.method} tt=${h.entry.tt} of the same key`,
        );
        const released = this.held.map((x) => ({ ...x, nodedup: true }));
        this.held = [];
        return [out, ...released];
      }
    }
    if (WRITE_METHODS.has(e.method)) {
      this.held.push(out);
      return this.held.length > REORDER_WINDOW ? [this.held.shift() as Outgoing] : [];
    }
    return [...this.flush(), out];
  }
}

/** The keys of a `field in [a, b, ...]` delete (the form the drill and the SDK's delete-by-ids use). */
export function deletedKeys(payload: Buffer): { field: string; values: Set<string> } | undefined {
  let req: { expr?: string };
  try {
    req = decodeRequest<{ expr?: string }>("Delete", payload);
  } catch {
    return undefined;
  }
  const m = /^\s*\(?\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+\[([^\]]*)\]\s*\)?\s*$/.exec(req.expr ?? "");
  if (!m) return undefined;
  const values = new Set(
    (m[2] ?? "")
      .split(",")
      .map((v) => v.trim().replace(/^["']|["']$/g, ""))
      .filter(Boolean),
  );
  return { field: m[1] as string, values };
}

/** The values of one field in an Insert/Upsert request, as strings. */
export function writtenKeys(payload: Buffer, field: string, methodName = "Insert"): string[] {
  const req = decodeRequest<{
    fields_data?: Array<{
      field_name?: string;
      scalars?: { long_data?: { data?: string[] }; string_data?: { data?: string[] } };
    }>;
  }>(methodName, payload);
  const f = req.fields_data?.find((x) => x.field_name === field);
  return (f?.scalars?.long_data?.data ?? f?.scalars?.string_data?.data ?? []).map(String);
}

/**
 * Flips the lowest mantissa bit of the first float of the first float_vector field of an
 * Insert/Upsert request. Returns undefined when the request has no float vector.
 */
export function flipOneVectorBit(methodName: string, payload: Buffer): Buffer | undefined {
  const type = method(methodName).requestType;
  // Work on the decoded message itself (not a plain-object copy) so int64 fields stay exact.
  const msg = type.decode(payload) as unknown as {
    fields_data?: Array<{ vectors?: { float_vector?: { data?: number[] } } }>;
  };
  for (const fd of msg.fields_data ?? []) {
    const data = fd.vectors?.float_vector?.data;
    if (data && data.length > 0) {
      data[0] = flipLowestMantissaBit(data[0] as number);
      return Buffer.from(type.encode(msg as unknown as protobufMessage).finish());
    }
  }
  return undefined;
}

type protobufMessage = Parameters<ReturnType<typeof method>["requestType"]["encode"]>[0];

export function flipLowestMantissaBit(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] = (u[0] as number) ^ 1;
  return f[0] as number;
}
