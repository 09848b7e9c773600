/**
 * Applying a mutation to Milvus Lite the way Milvus would have it, where Milvus Lite differs. Used for a
 * client's write on the primary and for a replicated one on the standby alike, so both sides end equal:
 * - an auto-id collection is created with auto_id off (the front assigns the ids, see auto-id.ts);
 * - load state is the front's (see ChannelMap.loadedOf): Milvus has a collection NotLoad until a load,
 *   Milvus Lite has it loaded from creation and refuses drop_index on it, so a drop_index on a
 *   collection Milvus would have released releases it in Milvus Lite first;
 * - partition-level load and release (Milvus Lite does not implement them) load the whole collection
 *   and release it once no partition is left loaded; the front answers partition load states;
 * - RBAC is the front's (rbac.ts); so are resource groups, which are per cluster and never come here
 *   (resource-groups.ts);
 * - scalar indexes Milvus Lite does not build are stood in for (scalar-index-types.ts);
 * - analyzers Milvus Lite does not run are run by the front (text-match.ts): Milvus Lite is given
 *   `standard` for them, and an analyzer neither runs is refused with one line.
 * - add_collection_field, which Milvus Lite does not implement, rebuilds the collection with the field
 *   appended (add-field.ts).
 */
import type * as grpc from "@grpc/grpc-js";
import {
  decodeResponse,
  encodeRequest,
  isSuccess,
  responseStatus,
  statusResponse,
} from "../../../milvus/proto.js";
import { milvusStatus } from "../common/statuses.js";
import { autoIdOf, withoutAutoId } from "../replication/auto-id.js";
import type { ChannelMap } from "../replication/channel-map.js";
import type { FieldAdder } from "./add-field.js";
import type { LiteLink } from "./lite-link.js";
import { RBAC_WRITES, type Rbac } from "./rbac.js";
import type { ScalarIndexTypes } from "./scalar-index-types.js";
import type { AnalyzerStore } from "./text-match.js";

export class LiteApply {
  constructor(
    private readonly lite: LiteLink,
    private readonly channels: ChannelMap,
    /**
     * What the front keeps where Milvus Lite has nothing (RBAC, scalar index types, analyzers), and
     * its add_collection_field.
     */
    private readonly kept: {
      rbac: Rbac;
      indexTypes: ScalarIndexTypes;
      analyzers: AnalyzerStore;
      fields: FieldAdder;
    },
  ) {}

  async apply(
    method: string,
    req: Record<string, unknown>,
    body: Buffer,
    db: string,
    md: grpc.Metadata,
    deadline?: grpc.Deadline,
    /** A replicated message (not a client's write): see FieldAdder.add. */
    replicated = false,
  ): Promise<Buffer> {
    // Milvus Lite has no RBAC: the front keeps it (rbac.ts).
    if (RBAC_WRITES.has(method)) return this.kept.rbac.call(method, body);
    // Nor a schema change: the collection is rebuilt with the field (add-field.ts).
    if (method === "AddCollectionField") return this.kept.fields.add(req, db, md, replicated);
    const name = String(req.collection_name ?? "");
    if (method === "CreateIndex") {
      // Scalar indexes Milvus Lite does not build are stood in for (scalar-index-types.ts).
      return this.kept.indexTypes.create(body, db, (b) => this.toLite(method, req, b, db, md, deadline));
    }
    if (
      method === "DropIndex" &&
      (await this.kept.indexTypes.dropVirtual(
        db,
        name,
        req.field_name as string | undefined,
        req.index_name as string | undefined,
      ))
    )
      return statusResponse(method, {});
    const res = await this.toLite(method, req, body, db, md, deadline);
    if (!isSuccess(responseStatus(method, res))) return res;
    if (method === "DropIndex" || method === "DropCollection")
      await this.kept.indexTypes.dropped(
        method,
        db,
        name,
        req.field_name as string | undefined,
        req.index_name as string | undefined,
      );
    if (method === "DropCollection") await this.kept.analyzers.dropped(db, name);
    if (method === "DropDatabase") await this.kept.analyzers.dropped(String(req.db_name ?? db));
    if (method === "RenameCollection")
      await this.kept.analyzers.renamed(
        db,
        String(req.oldName ?? ""),
        String(req.newDBName || db),
        String(req.newName ?? ""),
      );
    return res;
  }

  private async toLite(
    method: string,
    req: Record<string, unknown>,
    body: Buffer,
    db: string,
    md: grpc.Metadata,
    deadline?: grpc.Deadline,
  ): Promise<Buffer> {
    const name = String(req.collection_name ?? "");
    const scoped = { db_name: db, collection_name: name };
    switch (method) {
      case "CreateCollection": {
        const plan = this.kept.analyzers.plan(req.schema as Buffer | undefined);
        if ("refused" in plan)
          return statusResponse(method, milvusStatus(1100, plan.refused, "IllegalArgument"));
        const asSent = plan.schema ? { ...req, schema: plan.schema } : req;
        const auto = autoIdOf(req.schema as Buffer | undefined);
        const res = await this.lite.call(
          method,
          auto ? withoutAutoId(asSent) : plan.schema ? encodeRequest(method, asSent) : body,
          md,
          deadline,
        );
        if (!isSuccess(responseStatus(method, res))) return res;
        await this.kept.analyzers.created(db, name, plan.keep);
        const released = await this.lite.call(
          "ReleaseCollection",
          encodeRequest("ReleaseCollection", scoped),
          md,
        );
        const st = responseStatus("ReleaseCollection", released);
        if (!isSuccess(st))
          return statusResponse(method, {
            error_code: "UnexpectedError",
            code: 65535,
            reason: `collection '${name}' was created, but Milvus Lite could not release it: ${st?.reason}`,
          });
        return res;
      }
      case "DropIndex": {
        // Milvus Lite loads a collection again when an index is built on it (a collection created,
        // indexed, never loaded is loaded there), and then refuses drop_index; Milvus drops it.
        if (this.channels.loadedOf(db, name) === undefined) {
          const released = await this.lite.call(
            "ReleaseCollection",
            encodeRequest("ReleaseCollection", scoped),
            md,
          );
          const st = responseStatus("ReleaseCollection", released);
          if (!isSuccess(st)) return released;
        }
        return this.lite.call(method, body, md, deadline);
      }
      case "LoadPartitions":
        return this.lite.call("LoadCollection", encodeRequest("LoadCollection", scoped), md, deadline);
      case "ReleasePartitions": {
        const names = (req.partition_names as string[] | undefined) ?? [];
        const left = (await this.loadedPartitions(db, name, md)).filter((p) => !names.includes(p));
        // What stays loaded, for the channel map's record of this release (see ChannelMap.plan).
        req.remaining_partitions = left;
        if (left.length > 0) return statusResponse(method, {});
        return this.lite.call("ReleaseCollection", encodeRequest("ReleaseCollection", scoped), md, deadline);
      }
    }
    return this.lite.call(method, body, md, deadline);
  }

  /** The partitions of a collection that are loaded now (all of them after a collection-level load). */
  async loadedPartitions(db: string, name: string, md: grpc.Metadata): Promise<string[]> {
    const loaded = this.channels.loadedOf(db, name);
    if (loaded !== "all") return loaded ?? [];
    return this.partitions(db, name, md);
  }

  async partitions(db: string, name: string, md: grpc.Metadata): Promise<string[]> {
    const res = decodeResponse<{ partition_names?: string[] }>(
      "ShowPartitions",
      await this.lite.call(
        "ShowPartitions",
        encodeRequest("ShowPartitions", { db_name: db, collection_name: name }),
        md,
      ),
    );
    return res.partition_names ?? [];
  }
}
