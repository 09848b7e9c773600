/**
 * Milvus's replication metrics on Kubernetes, for the lag-metric check: the Prometheus text of every
 * Milvus pod that serves one of the two gauges the docs' lag query reads (src/monitor/prom.ts), read
 * through the API server's pod proxy at METRICS_PORT, as the diagnostics do.
 *
 * - The CDC node serves `milvus_cdc_last_replicated_time_tick`. It has no Service, and a CDC kill
 *   replaces its pod, so pods are found by label, not by name.
 * - The primary's WAL (`milvus_wal_last_confirmed_time_tick`) is on the standalone pod, or on the
 *   streaming nodes in cluster mode.
 *
 * Both clusters' pods are read: channel names carry the cluster id, so a target's own WAL series pair
 * with no CDC series and count for nothing, and after a role change the reverse CDC is found the same
 * way. The pod list is read again when a pod's read fails or it is older than refreshMs.
 */
import { type Kube, kubectl, listPods, type PodInfo } from "./kube.js";
import { METRICS_PORT } from "./manifests.js";

/** The Milvus components serving the gauges the lag query reads. */
export const METRICS_SELECTOR =
  "app.kubernetes.io/name=milvus,app.kubernetes.io/component in (cdc,standalone,streamingnode)";

/** A scrape through kubectl is a process per pod: at most one a second. */
export const KUBE_METRICS_INTERVAL_MS = 1_000;

export function podMetricsPath(namespace: string, pod: string): string {
  return `/api/v1/namespaces/${namespace}/pods/${pod}:${METRICS_PORT}/proxy/metrics`;
}

export interface PodMetricsOptions {
  /** Read the pod list again after this long (default 10 s). */
  refreshMs?: number;
  now?: () => number;
}

/**
 * Returns a scrape: the metrics text of every ready Milvus pod serving the gauges, each read within
 * timeoutMs; throws (naming the pod) when one cannot be read, or when no such pod is running.
 */
export function podMetricsScraper(
  k: Kube,
  namespace: string,
  o: PodMetricsOptions = {},
): (timeoutMs: number) => Promise<string[]> {
  const refreshMs = o.refreshMs ?? 10_000;
  const now = o.now ?? Date.now;
  let pods: PodInfo[] | null = null;
  let listedAt = 0;
  return async (timeoutMs) => {
    if (pods === null || now() - listedAt > refreshMs) {
      pods = (await listPods({ ...k, callTimeoutMs: timeoutMs }, namespace, METRICS_SELECTOR)).filter(
        (p) => p.phase === "Running" && p.ready && !p.deleting,
      );
      listedAt = now();
    }
    const current = pods;
    if (current.length === 0) {
      pods = null;
      throw new Error(`no ready Milvus pod labelled ${METRICS_SELECTOR} in namespace ${namespace}`);
    }
    try {
      return await Promise.all(
        current.map(async (p) => {
          const r = await kubectl(
            k,
            ["get", "--raw", podMetricsPath(namespace, p.name)],
            `metrics of ${p.name}`,
            {
              timeoutMs,
            },
          );
          return r.stdout;
        }),
      );
    } catch (e) {
      // A replaced pod (a CDC kill) is found on the next scrape.
      pods = null;
      throw e;
    }
  };
}
