/**
 * Milvus's rules for `force_promote` on UpdateReplicateConfiguration, with Milvus's own texts, so the
 * local fronts refuse and accept what a real cluster does. Source: milvus-io/milvus
 * internal/streamingcoord/server/service/assignment.go handleForcePromote and
 * validateForcePromoteConfiguration (PR 47352; 2.6 cherry-pick PR 48452, released in v2.6.14). The
 * fronts follow the merged behaviour: the request must carry no clusters and no topology, the cluster
 * must be a secondary, and the standalone configuration is built from the cluster's own entry.
 */
import type { ReplicateConfiguration } from "../../milvus/replicate.js";
import { normalizeConfig } from "./replicate-config.js";

export const FORCE_PROMOTE_NOT_EMPTY =
  "force promote requires empty cluster and topology fields; it promotes the cluster to primary automatically";
export const FORCE_PROMOTE_ON_PRIMARY =
  "force promote can only be used on secondary clusters, current cluster is primary";
export const FORCE_PROMOTE_NO_CONFIG =
  "force promote requires existing replicate configuration; current cluster has no configuration";

export type ForcePromoteDecision =
  | { ok: true; config: ReplicateConfiguration; unchanged: boolean }
  | { ok: false; error: string };

/**
 * What a cluster with `current` configuration and `role` answers to a force-promote request carrying
 * `incomingRaw`. Checks run in Milvus's order: shape first, then role, then the cluster's own entry.
 */
export function decideForcePromote(
  incomingRaw: unknown,
  current: ReplicateConfiguration | null,
  clusterId: string,
  role: "primary" | "secondary",
): ForcePromoteDecision {
  const incoming = normalizeConfig(incomingRaw);
  if (incoming.clusters.length > 0 || incoming.cross_cluster_topology.length > 0)
    return { ok: false, error: FORCE_PROMOTE_NOT_EMPTY };
  if (role === "primary") return { ok: false, error: FORCE_PROMOTE_ON_PRIMARY };
  if (!current) return { ok: false, error: FORCE_PROMOTE_NO_CONFIG };
  const self = normalizeConfig(current).clusters.find((c) => c.cluster_id === clusterId);
  if (!self)
    return {
      ok: false,
      error: `force promote requires current cluster in existing configuration; cluster ${clusterId} not found in config`,
    };
  const config: ReplicateConfiguration = { clusters: [self], cross_cluster_topology: [] };
  const unchanged = JSON.stringify(normalizeConfig(current)) === JSON.stringify(config);
  return { ok: true, config, unchanged };
}
