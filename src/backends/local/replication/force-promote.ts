/**
 * Milvus's rules for `force_promote` on UpdateReplicateConfiguration, with Milvus's own texts, so the
 * local fronts refuse and accept what a real cluster does. Milvus has shipped two validations of it
 * (milvus-io/milvus internal/streamingcoord/server/service/assignment.go; feature PR 47352, in 2.6
 * from v2.6.14 through PR 48452):
 * - "current-cluster" (the first cut, `validateForcePromoteConfiguration(config, currentClusterID)`):
 *   after the general checks every update gets, refused on a primary, then the request must hold
 *   exactly one cluster, the current one, and no topology; the cluster keeps the configuration it was
 *   sent. Milvus's own CDC suite
 *   (tests/python_client/cdc/testcases/test_force_promote.py) and pymilvus 3.0.2, which requires a
 *   `clusters` key, send this shape.
 * - "empty" (the later `handleForcePromote` with `StartBroadcastWithSecondaryClusterResourceKey`):
 *   `config.Clusters != nil || config.CrossClusterTopology != nil` is refused before the role is
 *   looked at, and the standalone configuration is built from the cluster's own entry. Go decodes an
 *   empty repeated field as nil, so `clusters: []` passes.
 * The local backend stands in for any Milvus 2.6.x from v2.6.14 on, so by default it takes the union:
 * a request naming clusters is judged by the first version's rules, one naming none by the later
 * version's. "empty-only" emulates the later version alone (the drill client's fallback is tested on it).
 */
import type { ReplicateConfiguration } from "../../../milvus/replicate.js";
import { normalizeConfig, validateReplicateConfig } from "./replicate-config.js";

export const FORCE_PROMOTE_NOT_EMPTY =
  "force promote requires empty cluster and topology fields; it promotes the cluster to primary automatically";
export const FORCE_PROMOTE_ON_PRIMARY =
  "force promote can only be used on secondary clusters, current cluster is primary";
export const FORCE_PROMOTE_NO_CONFIG =
  "force promote requires existing replicate configuration; current cluster has no configuration";
export const forcePromoteClusterCount = (n: number) =>
  `force promote requires configuration with exactly one cluster (current cluster only), got ${n} clusters`;
export const forcePromoteOtherCluster = (current: string, got: string) =>
  `force promote requires configuration with only current cluster ${current}, got cluster ${got}`;
export const forcePromoteTopology = (n: number) =>
  `force promote requires configuration with no topology (single primary cluster), got ${n} topology edges`;

/** Which Milvus validation(s) a front applies: both (default) or only the later, empty-request one. */
export type ForcePromoteShapes = "either" | "empty-only";

export type ForcePromoteDecision =
  | { ok: true; config: ReplicateConfiguration; unchanged: boolean }
  | { ok: false; error: string };

export interface ForcePromoteRules {
  shapes?: ForcePromoteShapes;
  /**
   * The cluster's pchannels, for the general validator a current-cluster request passes first; without
   * them only validateForcePromoteConfiguration's own checks run.
   */
  pchannels?: readonly string[];
}

/**
 * What a cluster with `current` configuration and `role` answers to a force-promote request carrying
 * `incomingRaw`, each shape checked in its Milvus version's order.
 */
export function decideForcePromote(
  incomingRaw: unknown,
  current: ReplicateConfiguration | null,
  clusterId: string,
  role: "primary" | "secondary",
  rules: ForcePromoteRules = {},
): ForcePromoteDecision {
  const incoming = normalizeConfig(incomingRaw);
  if ((rules.shapes ?? "either") === "either" && incoming.clusters.length > 0)
    return decideCurrentCluster(incoming, current, clusterId, role, rules.pchannels);
  return decideEmpty(incoming, current, clusterId, role);
}

/** The later version: empty request, secondary only, config built from the cluster's own entry. */
function decideEmpty(
  incoming: ReplicateConfiguration,
  current: ReplicateConfiguration | null,
  clusterId: string,
  role: "primary" | "secondary",
): ForcePromoteDecision {
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

/**
 * The first version. Its UpdateReplicateConfiguration runs the general checks before it looks at
 * force_promote: a request equal to the held configuration is a no-op success, and one the general
 * validator refuses gets that validator's text (so a cluster list without this cluster, or a topology,
 * is refused there). Then handleForcePromote: the role, then validateForcePromoteConfiguration.
 */
function decideCurrentCluster(
  incoming: ReplicateConfiguration,
  current: ReplicateConfiguration | null,
  clusterId: string,
  role: "primary" | "secondary",
  pchannels: readonly string[] | undefined,
): ForcePromoteDecision {
  if (current !== null && JSON.stringify(normalizeConfig(current)) === JSON.stringify(incoming))
    return { ok: true, config: incoming, unchanged: true };
  if (pchannels) {
    const err = validateReplicateConfig(incoming, current, clusterId, pchannels);
    if (err) return { ok: false, error: err };
  }
  if (role === "primary") return { ok: false, error: FORCE_PROMOTE_ON_PRIMARY };
  if (incoming.clusters.length !== 1)
    return { ok: false, error: forcePromoteClusterCount(incoming.clusters.length) };
  const got = incoming.clusters[0]?.cluster_id ?? "";
  if (got !== clusterId) return { ok: false, error: forcePromoteOtherCluster(clusterId, got) };
  if (incoming.cross_cluster_topology.length > 0)
    return { ok: false, error: forcePromoteTopology(incoming.cross_cluster_topology.length) };
  return { ok: true, config: incoming, unchanged: false };
}
