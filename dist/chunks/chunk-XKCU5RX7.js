import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  STANDBY_FAULTS
} from "./chunk-5QY7ERFD.js";

// src/backends/kind/chaos.ts
var CHAOS_MESH_VERSION = "2.8.3";
var CHAOS_MESH_REPO = "https://charts.chaos-mesh.org";
var CHAOS_MESH_CHART = "chaos-mesh";
var CHAOS_MESH_RELEASE = "chaos-mesh";
var CHAOS_MESH_NAMESPACE = "chaos-mesh";
var CHAOS_API_VERSION = "chaos-mesh.org/v1alpha1";
var KIND_CHAOS_TYPES = [
  "restart-standby",
  "restart-primary",
  "partition",
  "delay",
  "stress-standby"
];
var KIND_NEMESIS_REFUSALS = {
  "pause-cdc": "Chaos Mesh cannot freeze a process (pod-failure swaps the container's image: a restart, not a pause); use the local backend"
};
function needsChaosMesh(types) {
  return types.some((t) => KIND_CHAOS_TYPES.includes(t));
}
function chaosMeshValues() {
  return {
    chaosDaemon: { runtime: "containerd", socketPath: "/run/containerd/containerd.sock" },
    dashboard: { create: false }
  };
}
function chaosMeshInstallArgs() {
  const sets = Object.entries(chaosMeshValues()).flatMap(
    ([group, kv]) => Object.entries(kv).flatMap(([k, v]) => ["--set", `${group}.${k}=${String(v)}`])
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
    "5m"
  ];
}
function chaosMeshUninstallArgs() {
  return ["uninstall", CHAOS_MESH_RELEASE, "-n", CHAOS_MESH_NAMESPACE, "--wait", "--timeout", "5m"];
}
function chaosFile(type) {
  return `chaos-${type}.yaml`;
}
function chaosName(type) {
  return `drill-${type}`;
}
function chaosDuration(ms) {
  return ms % 1e3 === 0 ? `${ms / 1e3}s` : `${Math.max(1, Math.round(ms))}ms`;
}
function milvusPods(namespace, name, exceptCdc = false) {
  return {
    namespaces: [namespace],
    labelSelectors: { "app.kubernetes.io/instance": name, "app.kubernetes.io/name": "milvus" },
    ...exceptCdc ? {
      expressionSelectors: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["cdc"] }]
    } : {}
  };
}
function cdcPods(namespace, name) {
  return {
    namespaces: [namespace],
    labelSelectors: { "app.kubernetes.io/instance": name, "app.kubernetes.io/component": "cdc" }
  };
}
function chaosResource(o, type, p) {
  const metadata = {
    name: chaosName(type),
    namespace: o.namespace,
    labels: { "app.kubernetes.io/managed-by": "milvus-cdc-drill", "milvus-cdc-drill/nemesis": type }
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
          selector: milvusPods(o.namespace, name, type === "restart-primary")
        }
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
          ...type === "delay" ? {
            delay: {
              latency: chaosDuration(p.delayMs),
              jitter: chaosDuration(p.jitterMs),
              correlation: "0"
            }
          } : {}
        }
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
          duration
        }
      };
    default:
      throw new Error(
        `${type}: not a Chaos Mesh fault on kind (allowed: ${KIND_CHAOS_TYPES.join(", ")})${type in KIND_NEMESIS_REFUSALS ? `: ${KIND_NEMESIS_REFUSALS[type]}` : ""}`
      );
  }
}

// src/nemesis/nemesis.ts
var DEFAULT_FAULT_PARAMS = { durationMs: 5e3, delayMs: 200, jitterMs: 50 };
var Nemesis = class {
  constructor(backend, history, fault, schedule, hooks = {}, signal, params = DEFAULT_FAULT_PARAMS, aim) {
    this.backend = backend;
    this.history = history;
    this.schedule = schedule;
    this.hooks = hooks;
    this.signal = signal;
    this.params = params;
    this.aim = aim;
    this.faults = typeof fault === "string" ? [fault] : [...fault];
    if (this.faults.length === 0) throw new Error("the nemesis needs at least one fault type");
    const scheduled = schedule.kind === "at" ? schedule.fractions.length > 0 : schedule.times > 0;
    for (const f of scheduled ? this.faults : []) {
      if (!backend.faults.includes(f)) {
        throw new Error(
          `backend ${backend.info.name} cannot inject fault ${f} (it supports: ${backend.faults.join(", ") || "none"})`
        );
      }
    }
  }
  nextId = 1;
  done = [];
  timer;
  current = Promise.resolve();
  stopped = false;
  faultsInjected = 0;
  faults;
  /** Faults aimed at one standby so far (the turn of the next one). */
  aimed = 0;
  /** Timed schedules start their clock here. */
  start() {
    if (this.schedule.kind !== "every") return;
    const { everyMs, times } = this.schedule;
    const tick = () => {
      if (this.stopped || this.faultsInjected >= times) return;
      this.current = this.current.then(() => this.inject());
      this.timer = setTimeout(tick, everyMs);
    };
    this.timer = setTimeout(tick, everyMs);
  }
  /** Progress-driven schedules: call with the workload's progress in [0, 1]. */
  onProgress(fraction) {
    if (this.schedule.kind !== "at" || this.stopped) return;
    this.schedule.fractions.forEach((at, i) => {
      if (fraction >= at && !this.done.includes(i)) {
        this.done.push(i);
        this.current = this.current.then(() => this.inject());
      }
    });
  }
  /** Stops scheduling and waits for a fault in progress to finish (a half-injected fault is never left). */
  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }
  async inject() {
    if (this.signal?.aborted) return;
    const id = this.nextId++;
    const fault = this.faults[(id - 1) % this.faults.length];
    this.faultsInjected++;
    const standby = this.target(fault);
    await this.hooks.around?.(id, "before");
    this.history.append({
      type: "fault",
      id,
      name: fault,
      phase: "start",
      time: Date.now(),
      ...standby !== void 0 ? { standby } : {}
    });
    try {
      const params = standby !== void 0 ? { ...this.params, standby } : this.params;
      const evidence = await this.backend.inject(fault, this.signal, params);
      this.history.append({ type: "fault", id, name: fault, phase: "end", time: Date.now(), evidence });
    } catch (e) {
      this.history.append({
        type: "fault",
        id,
        name: fault,
        phase: "end",
        time: Date.now(),
        error: e instanceof Error ? e.message : String(e)
      });
    }
    await this.hooks.around?.(id, "after");
  }
  /** A star: the standby a fault on one standby is aimed at; undefined for a pair or a fault on every edge. */
  target(fault) {
    const aim = this.aim;
    if (!aim || aim.standbys < 2 || !STANDBY_FAULTS.has(fault)) return void 0;
    return aim.standby ?? this.aimed++ % aim.standbys + 1;
  }
};

export {
  KIND_CHAOS_TYPES,
  KIND_NEMESIS_REFUSALS,
  needsChaosMesh,
  chaosMeshInstallArgs,
  chaosMeshUninstallArgs,
  chaosFile,
  chaosName,
  chaosResource,
  DEFAULT_FAULT_PARAMS,
  Nemesis
};
