/**
 * The way back after a failover: the old primary comes back empty, and Milvus CDC only carries what is
 * written after a replication edge is configured (a new target starts at the configuration change), so
 * the data the new primary already holds must be restored into it first: the docs' path for a forked
 * old primary is wipe, restore from a backup of the new primary, then replicate back (milvus-io/milvus
 * issue 53512). This is that restore, through the Milvus protocol: collections with their partitions,
 * indexes and aliases, then every row, read from the new primary while nothing writes to it.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import type { DrillExecutor } from "../client/executor.js";
import { HEARTBEAT_COLLECTION } from "../client/executor.js";
import { PK_FIELD, VECTOR_FIELD } from "../generator/rows.js";
import type { Pk } from "../history/types.js";
import { isSuccess, type MilvusStatus } from "../milvus/status.js";
import { exists } from "./settle.js";

const BATCH = 500;

function must(what: string, status: MilvusStatus | undefined): void {
  if (!isSuccess(status)) throw new Error(`${what}: ${status?.reason || JSON.stringify(status)}`);
}

async function must2(what: string, p: Promise<{ type: string; error?: string }>): Promise<void> {
  const out = await p;
  if (out.type !== "ok") throw new Error(`${what}: ${out.error ?? out.type}`);
}

/**
 * Copies `collections` from `from` into the empty `to`. `keys` lists every primary key the drill may
 * have written per collection (the rows are read by key: a query needs a filter, and keys outside the
 * history were never written).
 */
export async function restoreInto(o: {
  from: MilvusClient;
  to: MilvusClient;
  toExec: DrillExecutor;
  collections: string[];
  keys: Map<string, Set<Pk>>;
}): Promise<{ collections: number; rows: number }> {
  let copied = 0;
  let rows = 0;
  for (const name of o.collections) {
    if (!(await exists(o.from, name))) continue;
    copied += 1;
    const heartbeat = name === HEARTBEAT_COLLECTION;
    if (heartbeat) await must2(`create ${name}`, o.toExec.createHeartbeatCollection());
    else {
      await must2(
        `create ${name}`,
        o.toExec.ddl({ f: "ddl", action: "create-collection", collection: name, detail: {} }),
      );
      const idx = await o.from.describeIndex({ collection_name: name });
      for (const d of idx.index_descriptions ?? []) {
        const indexType = d.params?.find((p) => p.key === "index_type")?.value;
        await must2(
          `index ${name}.${d.field_name}`,
          o.toExec.ddl({
            f: "ddl",
            action: "create-index",
            collection: name,
            detail:
              d.field_name === VECTOR_FIELD ? { field: VECTOR_FIELD } : { field: d.field_name, indexType },
          }),
        );
      }
      await must2(`load ${name}`, o.toExec.ddl({ f: "ddl", action: "load", collection: name, detail: {} }));
    }
    const parts = await o.from.listPartitions({ collection_name: name });
    must(`partitions of ${name}`, parts.status);
    for (const p of parts.partition_names ?? []) {
      if (p === "_default") continue;
      must(
        `partition ${name}.${p}`,
        await o.to.createPartition({ collection_name: name, partition_name: p }),
      );
    }
    const aliases = await o.from.listAliases({ collection_name: name });
    for (const a of aliases.aliases ?? [])
      must(`alias ${a}`, await o.to.createAlias({ collection_name: name, alias: a }));
    for (const partition of parts.partition_names ?? ["_default"]) {
      const filters = heartbeat
        ? ["writer >= 0"]
        : chunks([...(o.keys.get(name) ?? [])], BATCH).map((b) => `${PK_FIELD} in [${b.join(",")}]`);
      for (const filter of filters) {
        const res = await o.from.query({
          collection_name: name,
          partition_names: [partition],
          filter,
          output_fields: ["*"],
          consistency_level: "Strong" as never,
          limit: 16_384,
        });
        must(`read ${name}`, res.status);
        if (res.data.length === 0) continue;
        const ins = await o.to.insert({ collection_name: name, partition_name: partition, data: res.data });
        must(`write ${name}`, ins.status);
        rows += res.data.length;
      }
    }
  }
  return { collections: copied, rows };
}

function chunks<T>(a: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < a.length; i += n) out.push(a.slice(i, i + n));
  return out;
}
