/**
 * The kind backend's nemesis as Chaos Mesh resources, the engine Milvus's own chaos tests use
 * (milvus-io/milvus tests/python_client/chaos). Chaos Mesh is installed by the drill with helm, chart
 * 2.8.3 pinned, only when a nemesis needs it, and removed at teardown. Every resource selects the
 * drill's pods by the labels the Milvus operator puts on them:
 * - restart-standby / restart-primary: PodChaos pod-kill (grace period 0) of the cluster's Milvus pods,
 *   a crash rather than a graceful stop; the operator's Deployments start them again on the same
 *   etcd/MinIO data (milvus-io/milvus#45086; #44902, #49712). restart-primary spares the CDC pod, so it
 *   is a Milvus crash and not also a CDC kill.
 * - partition / delay: NetworkChaos between the primary's CDC pod and the standby's Milvus pods, both
 *   directions: the CDC dials the standby's Service, whose ClusterIP is translated outside the CDC pod,
 *   so rules on the standby side (matching the CDC pod's address) are what reliably hold. Clients (the
 *   drill's port-forwards) still reach both clusters (milvus-io/milvus#53368; #45639).
 * - stress-standby: StressChaos, CPU workers at full load in the standby's Milvus pods
 *   (milvus-io/milvus#44599).
 * pause-cdc is refused: Chaos Mesh has no process freeze (pod-failure swaps the container's image,
 * which is a restart, not a pause).
 */
import type { NemesisType } from "../../config/schema.js";
import type { FaultParams } from "../../nemesis/names.js";
import type { KindOptions } from "./options.js";

export const CHAOS_MESH_VERSION = "2.8.3";
export const CHAOS_MESH_REPO = "https://charts.chaos-mesh.org";
export const CHAOS_MESH_CHART = "chaos-mesh";
export const CHAOS_MESH_RELEASE = "chaos-mesh";
export const CHAOS_MESH_NAMESPACE = "chaos-mesh";
export const CHAOS_API_VERSION = "chaos-mesh.org/v1alpha1";

/** The nemesis types the kind backend brings through Chaos Mesh. */
export const KIND_CHAOS_TYPES: readonly NemesisType[] = [
  "restart-standby",
  "restart-primary",
  "partition",
  "delay",
  "stress-standby",
];

/** The nemesis types kind cannot bring, each with why (one line, before anything is provisioned). */
export const KIND_NEMESIS_REFUSALS: Partial<Record<NemesisType, string>> = {
  "pause-cdc":
    "Chaos Mesh cannot freeze a process (pod-failure swaps the container's image: a restart, not a pause); use the local backend",
};

/** Whether a plan with these nemesis types needs Chaos Mesh installed (kill-cdc alone does not). */
export function needsChaosMesh(types: readonly string[]): boolean {
  return types.some((t) => (KIND_CHAOS_TYPES as readonly string[]).includes(t));
}

/**
 * Chart values: kind nodes run containerd, not the chart's default docker runtime; the dashboard is
 * not needed by a drill.
 */
export function chaosMeshValues(): Record<string, Record<string, string | boolean>> {
  return {
    chaosDaemon: { runtime: "containerd", socketPath: "/run/containerd/containerd.sock" },
    dashboard: { create: false },
  };
}

export function chaosMeshInstallArgs(): string[] {
  const sets = Object.entries(chaosMeshValues()).flatMap(([group, kv]) =>
    Object.entries(kv).flatMap(([k, v]) => ["--set", `${group}.${k}=${String(v)}`]),
  );
  return [
    "upgrade",
    "--install",
    CHAOS_MESH_RELEASE,
    CHAOS_MESH_CHART,
    "--repo",
    CHAOS_MESH_REPO,
    "--version",
    CHAOS_MESH_VERSION,
    "-n",
    CHAOS_MESH_NAMESPACE,
    "--create-namespace",
    ...sets,
    "--wait",
    "--timeout",
    "5m",
  ];
}

export function chaosMeshUninstallArgs(): string[] {
  return ["uninstall", CHAOS_MESH_RELEASE, "-n", CHAOS_MESH_NAMESPACE, "--wait", "--timeout", "5m"];
}

/** The plan file holding one nemesis type's resource. */
export function chaosFile(type: NemesisType): string {
  return `chaos-${type}.yaml`;
}

/** The resource name of one nemesis type's chaos (one at a time per type, in the drill's namespace). */
export function chaosName(type: NemesisType): string {
  return `drill-${type}`;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export interface ChaosResource {
  apiVersion: string;
  kind: "PodChaos" | "NetworkChaos" | "StressChaos";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { [k: string]: Json };
}

/** A Chaos Mesh duration ("3s", "250ms"), as its CRDs' patterns take it. */
export function chaosDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.max(1, Math.round(ms))}ms`;
}

/** The operator's labels on every Milvus pod of instance `name` (not etcd, MinIO). */
function milvusPods(namespace: string, name: string, exceptCdc = false): { [k: string]: Json } {
  return {
    namespaces: [namespace],
    labelSelectors: { "app.kubernetes.io/instance": name, "app.kubernetes.io/name": "milvus" },
    ...(exceptCdc
      ? {
          expressionSelectors: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["cdc"] }],
        }
      : {}),
  };
}

function cdcPods(namespace: string, name: string): { [k: string]: Json } {
  return {
    namespaces: [namespace],
    labelSelectors: { "app.kubernetes.io/instance": name, "app.kubernetes.io/component": "cdc" },
  };
}

/** One nemesis type's Chaos Mesh resource; throws for a type kind does not bring through Chaos Mesh. */
export function chaosResource(o: KindOptions, type: NemesisType, p: FaultParams): ChaosResource {
  const metadata = {
    name: chaosName(type),
    namespace: o.namespace,
    labels: { "app.kubernetes.io/managed-by": "milvus-cdc-drill", "milvus-cdc-drill/nemesis": type },
  };
  const duration = chaosDuration(p.durationMs);
  switch (type) {
    case "restart-standby":
    case "restart-primary": {
      const name = type === "restart-standby" ? o.targetName : o.sourceName;
      return {
        apiVersion: CHAOS_API_VERSION,
        kind: "PodChaos",
        metadata,
        spec: {
          action: "pod-kill",
          mode: "all",
          gracePeriod: 0,
          selector: milvusPods(o.namespace, name, type === "restart-primary"),
        },
      };
    }
    case "partition":
    case "delay":
      return {
        apiVersion: CHAOS_API_VERSION,
        kind: "NetworkChaos",
        metadata,
        spec: {
          action: type,
          mode: "all",
          selector: cdcPods(o.namespace, o.sourceName),
          direction: "both",
          target: { mode: "all", selector: milvusPods(o.namespace, o.targetName) },
          duration,
          ...(type === "delay"
            ? {
                delay: {
                  latency: chaosDuration(p.delayMs),
                  jitter: chaosDuration(p.jitterMs),
                  correlation: "0",
                },
              }
            : {}),
        },
      };
    case "stress-standby":
      return {
        apiVersion: CHAOS_API_VERSION,
        kind: "StressChaos",
        metadata,
        spec: {
          mode: "all",
          selector: milvusPods(o.namespace, o.targetName),
          stressors: { cpu: { workers: 2, load: 100 } },
          duration,
        },
      };
    default:
      throw new Error(
        `${type}: not a Chaos Mesh fault on kind (allowed: ${KIND_CHAOS_TYPES.join(", ")})${type in KIND_NEMESIS_REFUSALS ? `: ${KIND_NEMESIS_REFUSALS[type]}` : ""}`,
      );
  }
}
