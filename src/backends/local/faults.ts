/**
 * Fault modes of the reference replicator: deliberate CDC bugs, chosen at start, so that tests can prove
 * the drill's checkers catch each kind of damage. Each mode really does what its name says to the
 * stream of messages; nothing here fakes a result on the standby.
 */
import { method } from "../../milvus/proto.js";
import type { WalEntry } from "./wal-reader.js";

export const LOCAL_FAULT_MODES = [
  "none",
  "drop",
  "duplicate-on-restart",
  "reorder",
  "skip-on-restart",
  "stale-checkpoint",
  "drop-ddl",
  "stall",
  "corrupt-vector",
] as const;

export type LocalFaultMode = (typeof LOCAL_FAULT_MODES)[number];

export function parseFaultMode(value: string, input = "faultMode"): LocalFaultMode {
  if ((LOCAL_FAULT_MODES as readonly string[]).includes(value)) return value as LocalFaultMode;
  throw new Error(`${input}: "${value}" is not a fault mode; allowed: ${LOCAL_FAULT_MODES.join(", ")}`);
}

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
  /** corrupt-vector damages exactly one vector, across restarts too (see onCorrupted). */
  corrupted: boolean;
  /** Called (synchronously, before the damaged message is sent) to remember it beyond this process. */
  onCorrupted?: () => void;
}

const WRITE_METHODS = new Set(["Insert", "Upsert"]);

/**
 * The per-channel filter between the log and the stream. push() returns what to send now (in order);
 * flush() releases a write held back by reorder when no Delete followed it in time.
 */
export class FaultFilter {
  private dmlSeen = 0;
  private held: Outgoing | undefined;

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

  /** Whether a write is held back waiting to see if a Delete follows it (reorder). */
  get holding(): boolean {
    return this.held !== undefined;
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
      case "drop-ddl":
        if (entry.kind === "ddl" && DROPPABLE_DDL.has(entry.method)) {
          this.log(`fault drop-ddl: skipping ${entry.method} on ${entry.collection} tt=${entry.tt}`);
          return [];
        }
        return [out];
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
      default:
        return [out];
    }
  }

  /** A new stream re-reads the log from the checkpoint: a write held for the old stream is read again. */
  newSession(): void {
    this.held = undefined;
  }

  flush(): Outgoing[] {
    const h = this.held;
    this.held = undefined;
    return h ? [h] : [];
  }

  /**
   * A Delete that follows a write on the same collection goes first. The write is then older than the
   * target's checkpoint, so it is sent with dedup off: otherwise the target would skip it and the
   * damage would be a lost row instead of the zombie this mode stands for.
   */
  private reorder(out: Outgoing): Outgoing[] {
    const e = out.entry;
    const h = this.held;
    if (h && e.method === "Delete" && e.db === h.entry.db && e.collection === h.entry.collection) {
      this.held = undefined;
      this.log(`fault reorder: Delete tt=${e.tt} sent before ${h.entry.method} tt=${h.entry.tt}`);
      return [out, { ...h, nodedup: true }];
    }
    const released = this.flush();
    if (WRITE_METHODS.has(e.method)) {
      this.held = out;
      return released;
    }
    return [...released, out];
  }
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
