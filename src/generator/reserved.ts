/**
 * Names and keys the drill reserves for its own rows. A module without imports: the reference
 * replicator (a child process that must start fast after every kill) recognises them without loading
 * the SDK or the row generator.
 */

/** Heartbeat collection (pt-heartbeat): one row per writer, upserted every interval on the source. */
export const HEARTBEAT_COLLECTION = "drill_heartbeat";

/** Settle markers: one upsert per collection after the workload; its arrival means that channel caught up. */
export const SETTLE_KEY = 990_000_001;

/** The primary key field of every drill collection. */
export const PK_FIELD = "pk";
