/**
 * Resource groups on the local backend. Milvus Lite does not implement them; the front keeps them as
 * Milvus's querycoord ResourceManager keeps their configuration (internal/querycoordv2/meta/
 * resource_manager.go), persisted in the cluster's state directory:
 * - `__default_resource_group` always exists and cannot be dropped;
 * - create is idempotent for the same configuration and refused for a different one; a missing
 *   configuration is requests 0 / limits 0, as for an old client;
 * - drop of a group that does not exist succeeds; update of one that does not exist is refused.
 *
 * Resource groups are per-cluster state, as on Milvus: a change is never written to the WAL, so it is
 * never replicated, and a standby takes one like a primary. Milvus's suite says so "by design"
 * (tests/python_client/cdc/testcases/test_resource_group.py at milvus-io/milvus@1d1ca89,
 * `test_*_not_replicated`), and its code:
 * - a secondary refuses only what would be appended to its WAL without a replicate header:
 *   `non-replicate message cannot be received in secondary role` (streamingnode
 *   internal/streamingnode/server/wal/interceptors/replicate/replicates/impl.go, BeginReplicateMessage,
 *   milvus-io/milvus@089abf4);
 * - a resource-group change on a non-primary cluster never reaches that WAL: querycoord's
 *   broadcastCreateResourceGroup / broadcastUpdateResourceGroups (internal/querycoordv2/
 *   ddl_callbacks_alter_resource_group.go, milvus-io/milvus@0866654) get ErrNotPrimary from
 *   StartBroadcastWithResourceKeys and,
 *   for the message types in `streaming.replication.skipMessageTypes` (default
 *   "AlterResourceGroup,DropResourceGroup"), apply the change locally (shouldApplyLocallyOnNonPrimary,
 *   registry.CallMessageAckCallback) instead of broadcasting it.
 * So the front answers every resource-group call itself (answers() below), before the primary's write
 * path (primary-writes.ts: WAL and the secondary's fence) is reached. There are no query nodes here:
 * every group holds 0 nodes, and TransferNode / TransferReplica are refused with one line naming that
 * limit.
 */
import { join } from "node:path";
import { decodeRequest, encodeResponse, statusResponse } from "../../../milvus/proto.js";
import { readJson, writeJsonAtomic } from "../common/state.js";
import { milvusStatus } from "../common/statuses.js";

export const DEFAULT_RESOURCE_GROUP = "__default_resource_group";
/** Milvus's capacity of the default group (resource_manager.go defaultResourceGroupCapacity). */
const DEFAULT_CAPACITY = 1_000_000;

interface Config {
  requests?: { node_num?: number };
  limits?: { node_num?: number };
  transfer_from?: Array<{ resource_group?: string }>;
  transfer_to?: Array<{ resource_group?: string }>;
  node_filter?: unknown;
}

/** Changes of a cluster's own groups: answered here on a primary and a standby alike, never replicated. */
export const RESOURCE_GROUP_WRITES: ReadonlySet<string> = new Set([
  "CreateResourceGroup",
  "DropResourceGroup",
  "UpdateResourceGroups",
]);
const READS = new Set(["ListResourceGroups", "DescribeResourceGroup"]);
const NO_NODES = new Set(["TransferNode", "TransferReplica"]);

export const NO_QUERY_NODES_REASON =
  "the local backend has no query nodes to move between resource groups (Milvus Lite runs as one process); use the kind backend";

function normalized(cfg: Config | undefined): Config {
  return {
    requests: { node_num: Number(cfg?.requests?.node_num ?? 0) },
    limits: { node_num: Number(cfg?.limits?.node_num ?? 0) },
    transfer_from: (cfg?.transfer_from ?? []).map((t) => ({ resource_group: t.resource_group ?? "" })),
    transfer_to: (cfg?.transfer_to ?? []).map((t) => ({ resource_group: t.resource_group ?? "" })),
  };
}

export class ResourceGroups {
  private groups: Record<string, Config> = {};
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, "resource-groups.json");
  }

  async load(): Promise<void> {
    this.groups = (await readJson<Record<string, Config>>(this.file)) ?? {};
  }

  /** Every resource-group call is answered here: reads, writes (per cluster) and the refused node moves. */
  static answers(method: string): boolean {
    return READS.has(method) || RESOURCE_GROUP_WRITES.has(method) || NO_NODES.has(method);
  }

  private all(): Record<string, Config> {
    return {
      [DEFAULT_RESOURCE_GROUP]: normalized({
        requests: { node_num: 0 },
        limits: { node_num: DEFAULT_CAPACITY },
      }),
      ...this.groups,
    };
  }

  /** Answers one client's resource-group call, on whichever cluster it was made. */
  async call(method: string, request: Buffer): Promise<Buffer> {
    switch (method) {
      case "ListResourceGroups":
        return encodeResponse(method, { status: {}, resource_groups: Object.keys(this.all()) });
      case "DescribeResourceGroup": {
        const { resource_group: name = "" } = decodeRequest<{ resource_group?: string }>(method, request);
        const cfg = this.all()[name];
        if (!cfg) return statusResponse(method, milvusStatus(300, `resource group not found[rg=${name}]`));
        return encodeResponse(method, {
          status: {},
          resource_group: {
            name,
            capacity: name === DEFAULT_RESOURCE_GROUP ? DEFAULT_CAPACITY : 0,
            num_available_node: 0,
            config: cfg,
          },
        });
      }
      case "CreateResourceGroup": {
        const req = decodeRequest<{ resource_group?: string; config?: Config }>(method, request);
        const name = req.resource_group ?? "";
        if (!name)
          return statusResponse(
            method,
            milvusStatus(1802, "missing parameter[resource group name couldn't be empty]"),
          );
        const cfg = normalized(req.config);
        const had = this.all()[name];
        if (had) {
          if (JSON.stringify(had) === JSON.stringify(cfg)) return statusResponse(method, {});
          return statusResponse(method, milvusStatus(301, `resource group already exist[rg=${name}]`));
        }
        this.groups[name] = cfg;
        await this.save();
        return statusResponse(method, {});
      }
      case "UpdateResourceGroups": {
        const req = decodeRequest<{ resource_groups?: Record<string, Config> }>(method, request);
        const updates = Object.entries(req.resource_groups ?? {});
        for (const [name] of updates)
          if (!this.all()[name])
            return statusResponse(method, milvusStatus(300, `resource group not found[rg=${name}]`));
        for (const [name, cfg] of updates) this.groups[name] = normalized(cfg);
        await this.save();
        return statusResponse(method, {});
      }
      case "DropResourceGroup": {
        const { resource_group: name = "" } = decodeRequest<{ resource_group?: string }>(method, request);
        if (name === DEFAULT_RESOURCE_GROUP)
          return statusResponse(
            method,
            milvusStatus(1100, `delete default rg is not permitted: invalid parameter[rg=${name}]`),
          );
        if (!(name in this.groups)) return statusResponse(method, {});
        delete this.groups[name];
        await this.save();
        return statusResponse(method, {});
      }
      default:
        return statusResponse(method, milvusStatus(65535, `${method}: ${NO_QUERY_NODES_REASON}`));
    }
  }

  private save(): Promise<void> {
    return writeJsonAtomic(this.file, this.groups);
  }
}
