/**
 * Milvus's rules for a replicate configuration, with Milvus's own error texts, so a drill against the
 * local backend sees the same refusals it would see on a real cluster.
 */
import type { ReplicateConfiguration } from "../../../milvus/replicate.js";

export type { ReplicateConfiguration };

/** Fills absent repeated fields and connection params so configs from the wire compare reliably. */
export function normalizeConfig(raw: unknown): ReplicateConfiguration {
  const c = (raw ?? {}) as Partial<ReplicateConfiguration>;
  return {
    clusters: (c.clusters ?? []).map((k) => ({
      cluster_id: k?.cluster_id ?? "",
      connection_param: {
        uri: k?.connection_param?.uri ?? "",
        token: k?.connection_param?.token ?? "",
      },
      pchannels: [...(k?.pchannels ?? [])],
    })),
    cross_cluster_topology: (c.cross_cluster_topology ?? []).map((t) => ({
      source_cluster_id: t?.source_cluster_id ?? "",
      target_cluster_id: t?.target_cluster_id ?? "",
    })),
  };
}

export function sameConfig(a: ReplicateConfiguration, b: ReplicateConfiguration): boolean {
  return JSON.stringify(normalizeConfig(a)) === JSON.stringify(normalizeConfig(b));
}

/** A copy with tokens blanked, as Milvus returns it from GetReplicateConfiguration. */
export function sanitizeConfig(c: ReplicateConfiguration): ReplicateConfiguration {
  const n = normalizeConfig(c);
  for (const k of n.clusters) k.connection_param.token = "";
  return n;
}

/** Like Go's url.ParseRequestURI: an absolute URI with a scheme, or an absolute path. */
function parsableRequestUri(uri: string): boolean {
  // Go refuses spaces and control characters, and a scheme followed by anything but a path ("host:port").
  if ([...uri].some((ch) => /\s/.test(ch) || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f))
    return false;
  if (uri.startsWith("/")) return true;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\//.test(uri)) return false;
  try {
    new URL(uri);
    return true;
  } catch {
    return false;
  }
}

function fmtList(a: string[]): string {
  return `[${a.join(" ")}]`;
}

/**
 * Returns null if `incoming` may replace `current` on the cluster `currentClusterId` whose real
 * channels are `currentPchannels`, else Milvus's error text.
 */
export function validateReplicateConfig(
  incomingRaw: unknown,
  current: ReplicateConfiguration | null,
  currentClusterId: string,
  currentPchannels: readonly string[],
): string | null {
  if (incomingRaw === null || incomingRaw === undefined) return "config cannot be nil";
  const incoming = normalizeConfig(incomingRaw);
  const clusters = incoming.clusters;
  if (clusters.length === 0) return "clusters list cannot be empty";
  const clusterMap = new Map<string, (typeof clusters)[number]>();
  const uriSet = new Map<string, string>();
  let expected = 0;
  let firstId = "";
  for (const [i, cluster] of clusters.entries()) {
    const id = cluster.cluster_id;
    if (id === "") return `cluster at index ${i} has empty clusterID`;
    if (/[ \t\n\r]/.test(id))
      return `cluster at index ${i} has clusterID '${id}' containing whitespace characters`;
    const uri = cluster.connection_param.uri;
    if (uri === "") return `cluster '${id}' has empty URI`;
    if (!parsableRequestUri(uri)) return `cluster '${id}' has invalid URI format: '${uri}'`;
    const existing = uriSet.get(uri);
    if (existing !== undefined)
      return `duplicate URI found: '${uri}' is used by both cluster '${existing}' and cluster '${id}'`;
    uriSet.set(uri, id);
    if (cluster.pchannels.length === 0) return `cluster '${id}' has empty pchannels`;
    const seen = new Set<string>();
    for (const [j, p] of cluster.pchannels.entries()) {
      if (p === "") return `cluster '${id}' has empty pchannel at index ${j}`;
      if (seen.has(p)) return `cluster '${id}' has duplicate pchannel: '${p}'`;
      seen.add(p);
    }
    if (i === 0) {
      expected = cluster.pchannels.length;
      firstId = id;
    } else if (cluster.pchannels.length !== expected) {
      return `cluster '${id}' has ${cluster.pchannels.length} pchannels, but expected ${expected} (same as cluster '${firstId}')`;
    }
    if (clusterMap.has(id)) return `duplicate clusterID found: '${id}'`;
    clusterMap.set(id, cluster);
  }
  const self = clusterMap.get(currentClusterId);
  if (!self) return `current Milvus cluster '${currentClusterId}' must be included in the clusters list`;
  const a = [...currentPchannels].sort();
  const b = [...self.pchannels].sort();
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
    return `current pchannels do not match the pchannels in the config, current pchannels: ${fmtList([...currentPchannels])}, config pchannels: ${fmtList(self.pchannels)}`;
  }
  const topologies = incoming.cross_cluster_topology;
  const edges = new Set<string>();
  for (const [i, t] of topologies.entries()) {
    if (!clusterMap.has(t.source_cluster_id))
      return `topology at index ${i} references non-existent source cluster: '${t.source_cluster_id}'`;
    if (!clusterMap.has(t.target_cluster_id))
      return `topology at index ${i} references non-existent target cluster: '${t.target_cluster_id}'`;
    const key = `${t.source_cluster_id}->${t.target_cluster_id}`;
    if (edges.has(key)) return `duplicate topology relationship found: '${key}'`;
    edges.add(key);
  }
  if (topologies.length > 0) {
    const inDeg = new Map<string, number>();
    const outDeg = new Map<string, number>();
    for (const id of clusterMap.keys()) {
      inDeg.set(id, 0);
      outDeg.set(id, 0);
    }
    for (const t of topologies) {
      outDeg.set(t.source_cluster_id, (outDeg.get(t.source_cluster_id) ?? 0) + 1);
      inDeg.set(t.target_cluster_id, (inDeg.get(t.target_cluster_id) ?? 0) + 1);
    }
    let center = "";
    for (const id of clusterMap.keys()) {
      if (outDeg.get(id) === clusterMap.size - 1 && inDeg.get(id) === 0) {
        if (center !== "")
          return "multiple center nodes found, only one center node is allowed in star topology";
        center = id;
      }
    }
    if (center === "") return "no center node found, star topology must have exactly one center node";
    for (const id of clusterMap.keys()) {
      if (id === center) continue;
      if (inDeg.get(id) !== 1 || outDeg.get(id) !== 0) {
        return `cluster '${id}' does not follow star topology pattern (in-degree=${inDeg.get(id)}, out-degree=${outDeg.get(id)})`;
      }
    }
  }
  if (current) {
    const cur = new Map(normalizeConfig(current).clusters.map((c) => [c.cluster_id, c]));
    for (const inc of clusters) {
      const was = cur.get(inc.cluster_id);
      if (!was) continue;
      if (inc.pchannels.length < was.pchannels.length)
        return `cluster '${was.cluster_id}' pchannels cannot decrease: current=${was.pchannels.length}, incoming=${inc.pchannels.length}`;
      if (was.pchannels.some((p, i) => inc.pchannels[i] !== p))
        return `cluster '${was.cluster_id}' existing pchannels must be preserved at the same positions: current=${fmtList(was.pchannels)}, incoming=${fmtList(inc.pchannels)}`;
      if (was.connection_param.uri !== inc.connection_param.uri)
        return `cluster '${was.cluster_id}' connection_param.uri cannot be changed: current=${was.connection_param.uri}, incoming=${inc.connection_param.uri}`;
      if (was.connection_param.token !== inc.connection_param.token)
        return `cluster '${was.cluster_id}' connection_param.token cannot be changed`;
    }
  }
  return null;
}

/** The role a configuration gives a cluster: a target of any edge is secondary. */
export function roleOf(config: ReplicateConfiguration | null, clusterId: string): "primary" | "secondary" {
  if (!config) return "primary";
  return config.cross_cluster_topology.some((t) => t.target_cluster_id === clusterId)
    ? "secondary"
    : "primary";
}
