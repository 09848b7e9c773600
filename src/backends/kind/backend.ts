/**
 * The kind backend: two real Milvus clusters (operator-managed CRs) in one kind cluster, the source
 * running a CDC component. Provision runs the steps `plan` prints; faults act on pods by label.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { arch as osArch, tmpdir } from "node:os";
import { join } from "node:path";
import { EnvironmentError } from "../../errors.js";
import { milvusClient } from "../../milvus/client.js";
import { ImportJobError } from "../../milvus/import.js";
import { DEFAULT_FAULT_PARAMS } from "../../nemesis/nemesis.js";
import { cacheRoot } from "../../util/paths.js";
import type {
  Backend,
  BackendInfo,
  BulkImportDone,
  BulkImportRequest,
  ClusterBackup,
  ClusterEndpoint,
  ClusterPair,
  FaultEvidence,
  FaultName,
  FaultParams,
  Logger,
  NemesisType,
  SeedRestore,
} from "../types.js";
import { type ClosableImportClient, stageAndImport } from "./bulk-import.js";
import {
  chaosFile,
  chaosMeshUninstallArgs,
  chaosName,
  chaosResource,
  KIND_CHAOS_TYPES,
  needsChaosMesh,
} from "./chaos.js";
import { type CommandRunner, ProcessRunner, tail } from "./exec.js";
import { type Kube, killCdcPod, kubectl, listPods, waitUntil } from "./kube.js";
import {
  cdcSelector,
  endpointFor,
  imagePatch,
  instanceSelector,
  MILVUS_PORT,
  OPERATOR_NAMESPACE,
  OPERATOR_RELEASE,
  pchannelsFor,
  type Role,
  renderMilvusCr,
  starTargetNames,
  toYaml,
  usedImages,
} from "./manifests.js";
import { KUBE_METRICS_INTERVAL_MS, podMetricsPath, podMetricsScraper } from "./metrics.js";
import {
  BACKUP_JOB_TIMEOUT_MS,
  type BackupCommand,
  type BackupLayout,
  backupJobManifests,
  CREATE_CONTAINER,
  checkPin,
  clusterStorage,
  jobName,
  jobState,
  layoutFor,
  logContainer,
  META_CONTAINER,
  MILVUS_BACKUP_PIN,
  type MilvusBackupPin,
  milvusBackupImage,
  parseBackupMeta,
  refuseBucketTrap,
} from "./milvus-backup.js";
import { buildMilvusBackup, buildMilvusBackupImage, preflightGo } from "./milvus-backup-build.js";
import { initialMilvusVersion, type KindOptions, milvusImage, validateKindOptions } from "./options.js";
import {
  helmAccess,
  kubectlAccess,
  provisionSteps,
  renderPlanFiles,
  runUniqueClusterName,
  type Step,
} from "./plan.js";
import { PortForward } from "./portforward.js";
import { preflightImages, preloadImages, type ResolvedImage } from "./preload.js";
import { resolveToolsDetailed, type ToolName, type ToolPaths, type ToolUse } from "./tools.js";

/** Every wait and command budget; tests shrink them to milliseconds. */
export interface KindTiming {
  pollMs: number;
  callTimeoutMs: number;
  dockerTimeoutMs: number;
  freeDiskTimeoutMs: number;
  createTimeoutMs: number;
  /** Per image check; checks run in parallel, so the whole preflight stays under 2 minutes. */
  imagePreflightTimeoutMs: number;
  imageTimeoutMs: number;
  operatorTimeoutMs: number;
  operatorWaitTimeoutMs: number;
  applyTimeoutMs: number;
  cdcRestartTimeoutMs: number;
  standbyRestartTimeoutMs: number;
  portForwardReadyMs: number;
  portForwardRestartDelayMs: number;
  deleteTimeoutMs: number;
  diagnosticsCallTimeoutMs: number;
  /** One milvus-backup Job (create or restore secondary), image pull included; also its activeDeadlineSeconds. */
  backupJobTimeoutMs: number;
  /** One bulk import (trigger bulkImport): from the create call until the job completed or failed. */
  importTimeoutMs: number;
  /** Each go or docker build call of the pinned milvus-backup (a cold build fetches a toolchain and ~150 modules). */
  milvusBackupBuildTimeoutMs: number;
}

export const DEFAULT_KIND_TIMING: KindTiming = {
  pollMs: 10_000,
  callTimeoutMs: 60_000,
  dockerTimeoutMs: 30_000,
  freeDiskTimeoutMs: 10 * 60_000,
  createTimeoutMs: 5 * 60_000,
  imagePreflightTimeoutMs: 50_000,
  imageTimeoutMs: 10 * 60_000,
  // helm waits up to 5m itself (--timeout 5m); the outer budget adds the chart download.
  operatorTimeoutMs: 7 * 60_000,
  // kubectl wait --timeout=3m plus start-up.
  operatorWaitTimeoutMs: 4 * 60_000,
  applyTimeoutMs: 60_000,
  cdcRestartTimeoutMs: 5 * 60_000,
  standbyRestartTimeoutMs: 10 * 60_000,
  portForwardReadyMs: 30_000,
  portForwardRestartDelayMs: 1000,
  deleteTimeoutMs: 3 * 60_000,
  diagnosticsCallTimeoutMs: 60_000,
  backupJobTimeoutMs: BACKUP_JOB_TIMEOUT_MS,
  importTimeoutMs: 5 * 60_000,
  milvusBackupBuildTimeoutMs: 20 * 60_000,
};

export interface KindBackendDeps {
  log: Logger;
  runner?: CommandRunner;
  /** Holds the drill's kubeconfig and the applied manifests; a fresh temp dir by default. */
  workDir?: string;
  /** Where provision writes diagnostics when it fails (before it tears down). */
  diagnosticsDir?: string;
  /** Tool paths, or a resolver; by default the pinned downloads (or PATH with usePreinstalledTools). */
  tools?: ToolPaths | (() => Promise<ToolPaths>);
  timing?: Partial<KindTiming>;
  /** Called as soon as a kind cluster exists that must be deleted later. */
  onCreated?: (cleanup: { backend: "kind"; kindClusterName: string; keep: boolean }) => void;
  /** githubActions: free-disk may run; ci: host copies of pulled images may be removed. */
  env?: { githubActions: boolean; ci?: boolean };
  /**
   * A scenario that moves the primary role (switchover, failover): CDC runs on both clusters, as the
   * docs require for every cluster that may become primary (milvus_cdc_overview.md, "Architecture").
   */
  cdcOnTarget?: boolean;
  /**
   * The nemesis types of the run: when one is a Chaos Mesh fault (chaos.ts), provision installs
   * Chaos Mesh and the backend can inject it; teardown removes it.
   */
  nemesis?: readonly NemesisType[];
  /** Scenario seed: the pinned milvus-backup is built and loaded; no Go is refused before anything is created. */
  seeding?: boolean;
  /** Scenario failover: its way back seeds the rebuilt cluster with milvus-backup, built and loaded as for seed. */
  wayBack?: boolean;
  /**
   * A star (topology.standbys, 1..KIND_MAX_STANDBYS; default 1): standbys 2..N are Milvus CRs named by
   * extraTargetNames, returned as the pair's extraStandbys; the first stays `target`.
   */
  standbys?: number;
  /** The pinned milvus-backup (tests pin a stand-in build); MILVUS_BACKUP_PIN by default. */
  milvusBackup?: MilvusBackupPin;
  /** Where checked milvus-backup binaries are cached, by pin; `<cacheRoot>/milvus-backup` by default. */
  milvusBackupCacheDir?: string;
  /** The client a bulk import runs through (tests stand one in); the one client factory's by default. */
  importClient?: (uri: string) => ClosableImportClient;
}

export const KIND_FAULTS: readonly FaultName[] = ["kill-cdc", "kill-standby"];

interface MilvusStatusJson {
  metadata?: { name?: string; generation?: number };
  status?: {
    status?: string;
    observedGeneration?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

/** Healthy, and the operator has seen the latest spec (else "Healthy" may describe the old image). */
export function milvusReadiness(item: MilvusStatusJson): { ready: boolean; summary: string } {
  const name = item.metadata?.name ?? "?";
  const st = item.status?.status ?? "no status yet";
  const notTrue = (item.status?.conditions ?? [])
    .filter((c) => c.status !== "True")
    .map((c) => c.type ?? "?");
  const gen = item.metadata?.generation;
  const seen = item.status?.observedGeneration;
  const current = gen === undefined || seen === undefined || seen >= gen;
  const ready = st === "Healthy" && current && !notTrue.includes("MilvusUpdated");
  const parts = [st];
  if (notTrue.length) parts.push(`not ready: ${notTrue.join(", ")}`);
  if (!current) parts.push(`spec generation ${gen} not yet observed (at ${seen})`);
  return { ready, summary: `${name} ${parts.join("; ")}` };
}

export class KindBackend implements Backend {
  readonly faults: readonly FaultName[];
  readonly info: BackendInfo;
  readonly clusterName: string;
  private readonly t: KindTiming;
  private readonly runner: CommandRunner;
  private readonly log: Logger;
  private tools: ToolPaths = { kind: "kind", kubectl: "kubectl", helm: "helm" };
  private workDir: string | null;
  private ownsWorkDir = false;
  private created = false;
  private forwards: PortForward[] = [];
  /** The client port-forward of each Milvus CR, by name (a lost cluster's is stopped, a rebuilt one gets a new one). */
  private forwardOf = new Map<string, PortForward>();
  private teardownPromise: Promise<void> | null = null;
  private diagnostics: Promise<string[]> | null = null;
  /** Whether this run installs Chaos Mesh (a nemesis type needs it). */
  private readonly chaosMesh: boolean;
  private readonly pin: MilvusBackupPin;
  /** Whether provision builds and loads the pinned milvus-backup (scenario seed, failover). */
  private readonly usesBackup: boolean;
  /**
   * Milvus Backup's create and restore secondary (scenario seed; the failover's way back), offered when
   * provision builds and loads milvus-backup (seeding or wayBack); a switchover needs neither.
   */
  readonly backup?: (side: Role, name: string, signal?: AbortSignal) => Promise<ClusterBackup>;
  readonly restoreSecondary?: (
    backup: ClusterBackup,
    side: Role,
    signal?: AbortSignal,
  ) => Promise<SeedRestore>;

  constructor(
    readonly options: KindOptions,
    private readonly deps: KindBackendDeps,
  ) {
    this.t = { ...DEFAULT_KIND_TIMING, ...deps.timing };
    this.log = deps.log;
    this.runner = deps.runner ?? new ProcessRunner({ trace: (l) => deps.log.debug(l) });
    this.workDir = deps.workDir ?? null;
    this.clusterName = options.clusterName ?? runUniqueClusterName();
    this.chaosMesh = needsChaosMesh(deps.nemesis ?? []);
    this.faults = this.chaosMesh ? [...KIND_FAULTS, ...KIND_CHAOS_TYPES] : KIND_FAULTS;
    this.info = {
      name: "kind",
      details: {
        milvusVersion: initialMilvusVersion(options),
        operatorVersion: options.operatorVersion,
        mode: options.mode,
        kindCluster: this.clusterName,
        namespace: options.namespace,
        ...(options.upgradeTo ? { upgradeTo: options.upgradeTo } : {}),
      },
    };
    this.pin = deps.milvusBackup ?? MILVUS_BACKUP_PIN;
    this.usesBackup = deps.seeding === true || deps.wayBack === true;
    if (this.usesBackup) {
      const p = this.pin;
      this.info.details.milvusBackup = `${p.module}@${p.version} (${p.sum}), built with ${p.toolchain}, sha256 ${p.sha256}`;
      this.backup = (side, name, signal) => this.createBackup(side, name, signal);
      this.restoreSecondary = (backup, side, signal) => this.restoreBackup(backup, side, signal);
    }
  }

  private get kubeconfig(): string {
    return join(this.workDir ?? tmpdir(), "kubeconfig");
  }

  /**
   * The drill's own kubeconfig and context on every kubectl call (see kubectlAccess): the user's
   * kubeconfig stays untouched and nothing can fall back to ambient credentials.
   */
  private get access(): string[] {
    return kubectlAccess(this.kubeconfig, this.clusterName);
  }

  private get kube(): Kube {
    return {
      runner: this.runner,
      kubectl: this.tools.kubectl,
      baseArgs: this.access,
      callTimeoutMs: this.t.callTimeoutMs,
    };
  }

  private budget(step: Step): number {
    switch (step.phase) {
      case "docker":
        return this.t.dockerTimeoutMs;
      case "free-disk":
        return this.t.freeDiskTimeoutMs;
      case "create":
        return this.t.createTimeoutMs;
      case "images":
        return this.t.imageTimeoutMs;
      case "operator":
        return this.t.operatorTimeoutMs;
      case "operator-wait":
        return this.t.operatorWaitTimeoutMs;
      case "chaos-mesh":
        // helm waits up to 5m itself (--timeout 5m), as for the operator.
        return this.t.operatorTimeoutMs;
      case "apply":
        return this.t.applyTimeoutMs;
    }
  }

  private exe(step: Step): string {
    return step.tool === "docker" || step.tool === "sudo" ? step.tool : this.tools[step.tool];
  }

  private async runStep(step: Step, signal?: AbortSignal): Promise<void> {
    await this.runner.run(this.exe(step), step.args, {
      timeoutMs: this.budget(step),
      purpose: `${step.tool} ${step.args
        .filter((a) => !a.startsWith("-") && !this.access.includes(a))
        .slice(0, 2)
        .join(" ")}`,
      signal,
    });
  }

  async provision(signal?: AbortSignal): Promise<ClusterPair> {
    const o = this.options;
    // Options first: bad input must fail before anything is created or downloaded.
    validateKindOptions(o);
    if (this.usesBackup) checkPin(this.pin);
    try {
      return await this.provisionSteps(signal);
    } catch (e) {
      // Collected once, here, while the cluster and its kubeconfig still exist; the drill's own
      // later call gets the same files back instead of running kubectl against a deleted cluster.
      if (this.created && this.deps.diagnosticsDir) {
        this.log.warn(`provision failed; collecting diagnostics into ${this.deps.diagnosticsDir}`);
        await this.collectDiagnostics(this.deps.diagnosticsDir);
      }
      await this.teardown();
      throw e;
    }
  }

  private async provisionSteps(signal?: AbortSignal): Promise<ClusterPair> {
    const o = this.options;
    const githubActions = this.deps.env?.githubActions ?? process.env.GITHUB_ACTIONS === "true";
    const ci = this.deps.env?.ci ?? (githubActions || process.env.CI === "true");
    if (!this.workDir) {
      this.workDir = await mkdtemp(join(tmpdir(), "milvus-cdc-drill-kind-"));
      this.ownsWorkDir = true;
    }
    const dir = this.workDir;
    await mkdir(dir, { recursive: true });
    const nemesis = { types: this.deps.nemesis ?? [], params: DEFAULT_FAULT_PARAMS };
    const standbys = this.deps.standbys ?? 1;
    const files = renderPlanFiles(o, { cdcOnTarget: this.deps.cdcOnTarget === true, nemesis, standbys });
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);

    const steps = provisionSteps(o, this.clusterName, dir, { githubActions }, nemesis.types, standbys);
    const [dockerStep, ...rest] = steps;
    await this.log.group("Check Docker", async () => {
      try {
        if (dockerStep) await this.runStep(dockerStep, signal);
      } catch (e) {
        throw new EnvironmentError(
          `Docker is required for the kind backend and is not available ('docker info' failed): ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    });
    const build = {
      runner: this.runner,
      timeoutMs: this.t.milvusBackupBuildTimeoutMs,
      cacheDir: this.deps.milvusBackupCacheDir ?? join(cacheRoot(), "milvus-backup"),
      signal,
      log: (m: string) => this.log.info(m),
    };
    if (this.usesBackup)
      await this.log.group("Preflight: go, to build the pinned milvus-backup", async () => {
        const v = await preflightGo(build, this.pin);
        this.log.info(v ? `go ${v} on PATH` : "the checked milvus-backup binary is cached: go is not needed");
      });
    await this.log.group("Resolve kind, kubectl, helm", async () => {
      const t = this.deps.tools;
      if (typeof t === "function") this.tools = await t();
      else if (t) this.tools = t;
      else {
        const r = await resolveToolsDetailed({
          runner: this.runner,
          log: (m) => this.log.info(m),
          timeoutMs: this.t.callTimeoutMs,
          preinstalled: o.usePreinstalledTools,
        });
        this.tools = r.paths;
        this.recordTools(r.used);
      }
    });

    const resolved = await this.log.group("Preflight: every image can be pulled", async () => {
      const r = await preflightImages(
        { runner: this.runner, timeoutMs: this.t.imagePreflightTimeoutMs, signal },
        usedImages(o),
      );
      this.recordImages(r);
      return r;
    });
    // Built and checked before the cluster exists: a Sum or sha256 that differs creates nothing.
    const backupImage = this.usesBackup
      ? await this.log.group(`Build milvus-backup ${this.pin.version} from its pinned source`, async () => {
          const bin = await buildMilvusBackup(build, this.pin);
          const image = await buildMilvusBackupImage({ ...build, workDir: dir }, this.pin, bin);
          this.info.details["image.milvus-backup"] = image;
          return image;
        })
      : null;

    /** How images are loaded into the node: the preloaded ones and the milvus-backup build alike. */
    const preloadOps = (removePulled: boolean) => ({
      runner: this.runner,
      timeoutMs: this.t.imageTimeoutMs,
      signal,
      kind: this.tools.kind,
      clusterName: this.clusterName,
      workDir: dir,
      removePulled,
      platform: `linux/${osArch() === "arm64" ? "arm64" : "amd64"}`,
      warn: (m: string) => this.log.warn(m),
      info: (m: string) => this.log.info(m),
    });

    for (const step of rest) {
      if (step.phase === "free-disk" && !githubActions) {
        this.log.info("freeDisk: skipped (only on GitHub-hosted runners, GITHUB_ACTIONS=true)");
        continue;
      }
      if (step.phase === "create") {
        // Mark first: a create that fails half-way can leave a node container behind.
        this.created = true;
        this.deps.onCreated?.({ backend: "kind", kindClusterName: this.clusterName, keep: o.keepCluster });
        await this.log.group(`Create kind cluster ${this.clusterName}`, () => this.runStep(step, signal));
        if (o.preloadImages) {
          await this.log.group("Preload images into the kind node", async () => {
            const r = await preloadImages(preloadOps(ci), resolved);
            this.recordImages(r.images);
            if (r.viaArchive.length) this.info.details["images.loadedViaArchive"] = r.viaArchive.join(", ");
          });
        }
        if (backupImage) {
          // Always loaded, preloadImages or not: its Jobs never pull it (imagePullPolicy Never).
          await this.log.group(`Load ${backupImage} into the kind node`, async () => {
            await preloadImages(preloadOps(false), [
              { name: "milvus-backup", ref: backupImage, preload: true, present: true, digest: null },
            ]);
          });
        }
        continue;
      }
      await this.runStep(step, signal);
    }

    // A star: every standby's CR, in order (the first is targetName).
    const targets = starTargetNames(o, standbys);
    if (targets.length > 1) this.info.details.standbys = targets.join(", ");
    await this.log.group(
      targets.length === 1
        ? "Wait for both Milvus clusters to be Healthy"
        : `Wait for all ${targets.length + 1} Milvus clusters to be Healthy`,
      () => this.waitHealthy([o.sourceName, ...targets], o.readyTimeoutMs, signal),
    );

    const pair: ClusterPair = await this.log.group("Port-forward client access", async () => {
      const [src, tgt, ...more] = await Promise.all([o.sourceName, ...targets].map((n) => this.forward(n)));
      const extraStandbys = more.map((port, i) =>
        endpointFor(o, "target", `http://127.0.0.1:${port}`, targets[i + 1]),
      );
      return {
        source: endpointFor(o, "source", `http://127.0.0.1:${src}`),
        target: endpointFor(o, "target", `http://127.0.0.1:${tgt}`),
        ...(extraStandbys.length > 0 ? { extraStandbys } : {}),
        // Milvus's lag metric for lag-metric: the CDC and WAL pods' metrics port of every cluster in the
        // namespace (found by label), through the API server.
        scrapeMetrics: podMetricsScraper(this.kube, o.namespace),
        metricsIntervalMs: KUBE_METRICS_INTERVAL_MS,
      };
    });
    this.log.info(
      `kind: ${o.sourceName} at ${pair.source.uri}, ${[pair.target, ...(pair.extraStandbys ?? [])].map((s) => `${s.clusterId} at ${s.uri}`).join(", ")} (${milvusImage(initialMilvusVersion(o), o.images.milvus)})`,
    );
    this.uriOf.set("source", pair.source.uri);
    this.uriOf.set("target", pair.target.uri);
    return pair;
  }

  /** Tool versions into the report (backend details): `tool.kind = 0.30.0 (pinned)`. */
  private recordTools(used: Record<ToolName, ToolUse>): void {
    for (const [tool, u] of Object.entries(used))
      this.info.details[`tool.${tool}`] = `${u.version} (${u.source})`;
  }

  /** Image references into the report, with the digest when Docker knows it. */
  private recordImages(images: readonly ResolvedImage[]): void {
    const seen = new Map<string, string[]>();
    for (const i of images) {
      const shown = i.digest ? `${i.ref} (${i.digest.slice(i.digest.indexOf("@") + 1)})` : i.ref;
      seen.set(i.name, [...(seen.get(i.name) ?? []), shown]);
    }
    for (const [name, refs] of seen) this.info.details[`image.${name}`] = refs.join(", ");
  }

  private async forward(name: string): Promise<number> {
    const pf = new PortForward({
      runner: this.runner,
      kubectl: this.tools.kubectl,
      namespace: this.options.namespace,
      service: `${name}-milvus`,
      remotePort: MILVUS_PORT,
      baseArgs: this.access,
      warn: (m) => this.log.warn(m),
      readyTimeoutMs: this.t.portForwardReadyMs,
      restartDelayMs: this.t.portForwardRestartDelayMs,
    });
    this.forwards.push(pf);
    this.forwardOf.set(name, pf);
    return pf.start();
  }

  /** How often each port-forward was restarted (for the report). */
  portForwardRestarts(): Record<string, number> {
    return Object.fromEntries(this.forwards.map((f) => [f.target, f.restarts]));
  }

  async waitHealthy(names: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const ns = this.options.namespace;
    await waitUntil(
      `Milvus ${names.join(", ")} in namespace ${ns} to be Healthy`,
      async () => {
        const r = await kubectl(
          this.kube,
          ["get", "milvus", ...names, "-n", ns, "-o", "json"],
          `the status of Milvus ${names.join(", ")}`,
        );
        const parsed = JSON.parse(r.stdout) as MilvusStatusJson & { items?: MilvusStatusJson[] };
        const items = parsed.items ?? [parsed];
        const states = names.map((n) => {
          const item = items.find((i) => i.metadata?.name === n);
          return item ? milvusReadiness(item) : { ready: false, summary: `${n} not found` };
        });
        if (states.every((s) => s.ready)) return { done: true };
        return { pending: states.map((s) => s.summary).join("; ") };
      },
      { timeoutMs, pollMs: this.t.pollMs, signal },
      (state) => this.log.info(`waiting for Healthy: ${state}`),
    );
  }

  async inject(fault: FaultName, signal?: AbortSignal, params?: FaultParams): Promise<FaultEvidence> {
    const o = this.options;
    if (this.chaosMesh && (KIND_CHAOS_TYPES as readonly string[]).includes(fault)) {
      return this.injectChaos(fault as NemesisType, params ?? DEFAULT_FAULT_PARAMS, signal);
    }
    if (fault === "kill-cdc") {
      return killCdcPod(this.kube, o.namespace, o.sourceName, {
        timeoutMs: this.t.cdcRestartTimeoutMs,
        pollMs: this.t.pollMs,
        signal,
        log: (m) => this.log.info(m),
      });
    }
    if (fault === "kill-standby") return this.killStandby(signal);
    throw new Error(`kind backend cannot inject '${fault}' (allowed: ${this.faults.join(", ")})`);
  }

  /**
   * A Chaos Mesh fault: the resource `plan` writes (chaos.ts), applied, held for its duration (or, for
   * a restart, until the killed pods are replaced, Ready and the cluster Healthy again), then deleted,
   * which heals it. The resource is deleted even when the wait fails or is aborted.
   */
  private async injectChaos(type: NemesisType, p: FaultParams, signal?: AbortSignal): Promise<FaultEvidence> {
    const o = this.options;
    const file = join(this.workDir ?? tmpdir(), chaosFile(type));
    const resource = chaosResource(o, type, p);
    await writeFile(file, toYaml(resource));
    const restart = type === "restart-standby" || type === "restart-primary";
    const name = type === "restart-primary" ? o.sourceName : o.targetName;
    // The pods the PodChaos selects (restart-primary spares the CDC pod).
    const selector =
      type === "restart-primary"
        ? `${instanceSelector(name)},app.kubernetes.io/component!=cdc`
        : instanceSelector(name);
    const oldPods = restart ? (await listPods(this.kube, o.namespace, selector)).map((x) => x.name) : [];
    const injectedAt = Date.now();
    await kubectl(this.kube, ["apply", "-f", file], `${resource.kind} ${chaosName(type)}`);
    this.log.info(`${type}: ${resource.kind} ${chaosName(type)} applied`);
    let restoredAt: number;
    let newPods: string[] = [];
    try {
      if (restart) {
        newPods = await this.waitReplaced(name, selector, oldPods, signal);
        await this.waitHealthy([name], this.t.standbyRestartTimeoutMs, signal);
      } else {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, p.durationMs);
          signal?.addEventListener(
            "abort",
            () => {
              clearTimeout(t);
              reject(signal.reason);
            },
            { once: true },
          );
        });
      }
    } finally {
      await kubectl(
        this.kube,
        [
          "delete",
          "-f",
          file,
          "--ignore-not-found",
          "--wait=true",
          `--timeout=${Math.round(this.t.deleteTimeoutMs / 1000)}s`,
        ],
        `deletion of ${resource.kind} ${chaosName(type)}`,
      );
      restoredAt = Date.now();
    }
    this.log.info(`${type}: ${resource.kind} ${chaosName(type)} deleted`);
    return {
      injectedAt,
      restoredAt,
      resource: `${resource.kind}/${chaosName(type)}`,
      how: restart ? "Chaos Mesh pod-kill, grace period 0" : `Chaos Mesh, for ${p.durationMs} ms`,
      ...(restart ? { oldPods, newPods } : {}),
    };
  }

  /** Waits until the pods `selector` picks are all new (none of oldPods left) and Ready. */
  private waitReplaced(
    name: string,
    selector: string,
    oldPods: string[],
    signal?: AbortSignal,
  ): Promise<string[]> {
    const o = this.options;
    return waitUntil<string[]>(
      `${name} pods (${selector}) replaced and Ready`,
      async () => {
        const pods = await listPods(this.kube, o.namespace, selector);
        const fresh = pods.filter((x) => !oldPods.includes(x.name));
        const allReady = fresh.length > 0 && fresh.every((x) => x.ready) && pods.every((x) => !x.deleting);
        if (allReady && !pods.some((x) => oldPods.includes(x.name)))
          return { done: fresh.map((x) => x.name) };
        return { pending: pods.map((x) => `${x.name} ${x.phase}${x.ready ? " ready" : ""}`).join(", ") };
      },
      { timeoutMs: this.t.standbyRestartTimeoutMs, pollMs: this.t.pollMs, signal },
    );
  }

  /** Deletes every Milvus pod of the standby at once (not etcd/MinIO) and waits until it is Healthy again. */
  private async killStandby(signal?: AbortSignal): Promise<FaultEvidence> {
    const o = this.options;
    const selector = instanceSelector(o.targetName);
    const oldPods = (await listPods(this.kube, o.namespace, selector)).map((p) => p.name);
    const injectedAt = Date.now();
    await kubectl(
      this.kube,
      ["delete", "pod", "-n", o.namespace, "-l", selector, "--grace-period=0", "--force", "--wait=false"],
      `deletion of the standby's pods`,
    );
    const newPods = await waitUntil(
      `standby ${o.targetName} pods replaced and Ready`,
      async () => {
        const pods = await listPods(this.kube, o.namespace, selector);
        const fresh = pods.filter((p) => !oldPods.includes(p.name));
        const allReady = fresh.length > 0 && fresh.every((p) => p.ready) && pods.every((p) => !p.deleting);
        if (allReady && !pods.some((p) => oldPods.includes(p.name)))
          return { done: fresh.map((p) => p.name) };
        return { pending: pods.map((p) => `${p.name} ${p.phase}${p.ready ? " ready" : ""}`).join(", ") };
      },
      { timeoutMs: this.t.standbyRestartTimeoutMs, pollMs: this.t.pollMs, signal },
    );
    await this.waitHealthy([o.targetName], this.t.standbyRestartTimeoutMs, signal);
    return { injectedAt, restoredAt: Date.now(), oldPods, newPods };
  }

  private nameOf(side: Role): string {
    return side === "source" ? this.options.sourceName : this.options.targetName;
  }

  /**
   * Failover's primary loss: the cluster is completely unavailable at once and stays so, as
   * milvus.io/docs/cdc_failover.md assumes of the original primary (it must never take writes again).
   * The Milvus CR is deleted first, so the operator brings nothing back; its etcd and MinIO go with it
   * (the CRs set deletionPolicy Delete and pvcDeletion true: operator docs, milvus.md, dependencies).
   * Then every Milvus pod of the cluster (CDC included) is force-deleted, no graceful shutdown, as a
   * lost site would be; a pod its Deployment starts again before the operator removes the Deployment
   * is force-deleted too, until none is left.
   */
  async loseCluster(side: Role, signal?: AbortSignal): Promise<FaultEvidence> {
    const o = this.options;
    const name = this.nameOf(side);
    const selector = instanceSelector(name);
    const oldPods = (await listPods(this.kube, o.namespace, selector)).map((p) => p.name);
    const injectedAt = Date.now();
    await kubectl(
      this.kube,
      ["delete", "milvus", name, "-n", o.namespace, "--wait=false"],
      `deletion of Milvus ${name}`,
    );
    const forceDelete = () =>
      kubectl(
        this.kube,
        ["delete", "pod", "-n", o.namespace, "-l", selector, "--grace-period=0", "--force", "--wait=false"],
        `deletion of the pods of Milvus ${name}`,
      );
    await forceDelete();
    // Its client port-forward can only fail from now on.
    await this.forwardOf.get(name)?.stop();
    this.forwardOf.delete(name);
    await waitUntil(
      `every Milvus pod of ${name} (${selector}) gone`,
      async () => {
        const pods = await listPods(this.kube, o.namespace, selector);
        if (pods.length === 0) return { done: true };
        if (pods.some((p) => !p.deleting)) await forceDelete();
        return {
          pending: pods.map((p) => `${p.name} ${p.phase}${p.deleting ? " deleting" : ""}`).join(", "),
        };
      },
      { timeoutMs: this.t.deleteTimeoutMs, pollMs: this.t.pollMs, signal },
    );
    return { injectedAt, cluster: name, how: "Milvus CR deleted, its pods force-deleted", oldPods };
  }

  /**
   * The way back after a failover: the lost cluster comes back empty as a new Milvus CR of the same
   * name (so the same cluster id and channels), with fresh storage and a CDC component (it may become
   * primary again on a switch back). Waits until the old CR and its dependencies' volumes are gone, so
   * nothing of the old cluster is reused, then applies the CR, waits until it is Healthy and forwards
   * a client port to it.
   */
  async rebuildCluster(side: Role, signal?: AbortSignal): Promise<ClusterEndpoint> {
    const o = this.options;
    const name = this.nameOf(side);
    const ns = o.namespace;
    await waitUntil(
      `Milvus ${name} and the volumes of its etcd and MinIO deleted`,
      async () => {
        const cr = await kubectl(
          this.kube,
          ["get", "milvus", name, "-n", ns, "--ignore-not-found", "-o", "name"],
          `whether Milvus ${name} still exists`,
        );
        const pvcs = await kubectl(this.kube, ["get", "pvc", "-n", ns, "-o", "name"], `the volumes in ${ns}`);
        const left = [
          ...cr.stdout.split("\n").filter(Boolean),
          ...pvcs.stdout.split("\n").filter((l) => l.includes(`${name}-etcd`) || l.includes(`${name}-minio`)),
        ];
        return left.length === 0 ? { done: true } : { pending: left.join(", ") };
      },
      { timeoutMs: this.t.deleteTimeoutMs, pollMs: this.t.pollMs, signal },
    );
    const dir = this.workDir ?? tmpdir();
    const file = join(dir, `rebuilt-${side}.yaml`);
    await writeFile(file, toYaml(renderMilvusCr(o, side, { cdc: true })));
    await kubectl(this.kube, ["apply", "-f", file], `the new Milvus ${name}`, {
      timeoutMs: this.t.applyTimeoutMs,
    });
    await this.log.group(`Wait for the rebuilt ${name} to be Healthy`, () =>
      this.waitHealthy([name], o.readyTimeoutMs, signal),
    );
    const port = await this.forward(name);
    this.uriOf.set(side, `http://127.0.0.1:${port}`);
    return endpointFor(o, side, `http://127.0.0.1:${port}`);
  }

  /** The drill's client address of each cluster (its port-forward), for the import's client. */
  private readonly uriOf = new Map<Role, string>();

  /**
   * Workload trigger bulkImport: the file into the primary's own MinIO bucket (bulk-import.ts says why
   * by `kubectl exec`), then Milvus's import of it through the drill's client, bounded by
   * importTimeoutMs and naming the job it waited for. Upstream: import under two-phase commit lost or
   * diverged rows on the secondary (milvus-io/milvus#50499, #51667, #51070); the drill checks the
   * imported rows through the row model, parity and prefix like any insert.
   */
  async bulkImport(req: BulkImportRequest, signal?: AbortSignal): Promise<BulkImportDone> {
    const name = this.nameOf("source");
    const uri = this.uriOf.get("source");
    if (!uri) throw new ImportJobError(`no client address of ${name}: the pair is not provisioned`, "fail");
    const client = (this.deps.importClient ?? ((u: string) => milvusClient({ uri: u })))(uri);
    return stageAndImport(
      this.kube,
      this.options.namespace,
      clusterStorage(this.options, name),
      req,
      client,
      {
        stageTimeoutMs: this.t.applyTimeoutMs,
        importTimeoutMs: this.t.importTimeoutMs,
        pollMs: this.t.pollMs,
        signal,
      },
      (m) => this.log.info(m),
    );
  }

  private otherSide(side: Role): Role {
    return side === "source" ? "target" : "source";
  }

  /**
   * Milvus Backup's `create -n NAME --backup_index_extra` on `side`, written into the other cluster's
   * MinIO and bucket (the one it will seed: see milvus-backup.ts for the v0.5.16 bucket trap); the
   * points and collections come from the backup's own meta.
   */
  private async createBackup(side: Role, name: string, signal?: AbortSignal): Promise<ClusterBackup> {
    const from = this.nameOf(side);
    const layout = layoutFor(this.options, from, this.nameOf(this.otherSide(side)));
    const log = await this.runBackupJob({ kind: "create", name }, layout, signal);
    const b = parseBackupMeta(log, name, from, pchannelsFor(from));
    this.log.info(
      `milvus-backup create ${name} on ${from}: ${b.collections.length} collection(s), ${b.rows} row(s), FlushAll points on ${b.points.length} channel(s)`,
    );
    return b;
  }

  /** Milvus Backup's `restore secondary` of `backup` into `side`, from the backup kept in its own bucket. */
  private async restoreBackup(backup: ClusterBackup, side: Role, signal?: AbortSignal): Promise<SeedRestore> {
    const into = this.nameOf(side);
    const layout = layoutFor(this.options, into, into);
    refuseBucketTrap(this.pin, layout);
    const c: BackupCommand = {
      kind: "restore-secondary",
      name: backup.name,
      sourceClusterId: backup.clusterId,
      targetClusterId: into,
    };
    await this.runBackupJob(c, layout, signal);
    return { rows: backup.rows, detail: { job: jobName(c), image: milvusBackupImage(this.pin) } };
  }

  /**
   * Applies one command's ConfigMap and Job, waits (bounded, naming the Job) until it completed or
   * failed, and returns the log of the container the drill reads (logContainer: create's meta reader,
   * restore's milvus-backup). A failed Job throws with the tail of each container's log; a pod that
   * waits for a reason that never resolves (ErrImageNeverPull: the image is not in the node) fails the
   * wait at once with it.
   */
  private async runBackupJob(c: BackupCommand, layout: BackupLayout, signal?: AbortSignal): Promise<string> {
    const o = this.options;
    const image = milvusBackupImage(this.pin);
    const reader = milvusImage(initialMilvusVersion(o), o.images.milvus);
    const name = jobName(c);
    const dir = this.workDir ?? tmpdir();
    const file = join(dir, `${name}.yaml`);
    const deadline = Math.ceil(this.t.backupJobTimeoutMs / 1000);
    await writeFile(
      file,
      backupJobManifests(o, c, layout, image, reader, deadline).map(toYaml).join("---\n"),
    );
    const what = `milvus-backup ${c.kind === "create" ? "create" : "restore secondary"} ${c.name} (Job ${name} in ${o.namespace})`;
    await kubectl(this.kube, ["apply", "-f", file], `the ${what}`, { timeoutMs: this.t.applyTimeoutMs });
    const outcome = await waitUntil<{ failed: string | null }>(
      `${what} to complete`,
      async () => {
        const job = await kubectl(
          this.kube,
          ["get", "job", name, "-n", o.namespace, "-o", "json"],
          `the status of Job ${name}`,
        );
        const pods = await kubectl(
          this.kube,
          ["get", "pods", "-n", o.namespace, "-l", `job-name=${name}`, "-o", "json"],
          `the pod of Job ${name}`,
        );
        const st = jobState(job.stdout, pods.stdout);
        if (st.done) return { done: { failed: null } };
        if (st.failed) return { done: { failed: st.failed } };
        return { pending: st.pending };
      },
      { timeoutMs: this.t.backupJobTimeoutMs, pollMs: this.t.pollMs, signal },
      (state) => this.log.info(`waiting for ${what}: ${state}`),
    );
    const logOf = async (container: string) =>
      this.runner.redact(
        (
          await kubectl(
            this.kube,
            ["logs", "-n", o.namespace, `job/${name}`, "-c", container, "--tail=-1"],
            `the log of container ${container} of Job ${name}`,
            { allowFailure: true },
          )
        ).stdout,
      );
    if (outcome.failed) {
      const containers = c.kind === "create" ? [CREATE_CONTAINER, META_CONTAINER] : [CREATE_CONTAINER];
      const ends: string[] = [];
      for (const k of containers) {
        const text = await logOf(k);
        if (text.trim()) ends.push(`${k}: ${tail(text)}`);
      }
      throw new Error(`${what} failed: ${outcome.failed}; its log ends: ${ends.join(" | ") || "(empty)"}`);
    }
    return logOf(logContainer(c));
  }

  /**
   * Rolling upgrade of every cluster: the standbys first, in order (a newer standby can take an older
   * primary's stream; the reverse is not promised), then the primary, each waited Healthy.
   */
  async upgrade(from: string, to: string, signal?: AbortSignal): Promise<FaultEvidence> {
    const o = this.options;
    const injectedAt = Date.now();
    const steps: Array<{ name: string; startedAt: number; healthyAt: number }> = [];
    for (const name of [...starTargetNames(o, this.deps.standbys ?? 1), o.sourceName]) {
      const r = await kubectl(
        this.kube,
        ["get", "milvus", name, "-n", o.namespace, "-o", "jsonpath={.spec.components.image}"],
        `the image of Milvus ${name}`,
      );
      const current = r.stdout.trim();
      const repo = o.images.milvus;
      if (current && current !== milvusImage(from, repo) && current !== milvusImage(to, repo)) {
        throw new Error(
          `upgrade: Milvus ${name} runs ${current}, not ${milvusImage(from, repo)}; refusing to upgrade from an unexpected version`,
        );
      }
      const startedAt = Date.now();
      await this.log.group(`Upgrade ${name} to ${milvusImage(to, repo)}`, async () => {
        await kubectl(
          this.kube,
          ["patch", "milvus", name, "-n", o.namespace, "--type", "merge", "-p", imagePatch(to, repo)],
          `the image patch of Milvus ${name}`,
        );
        await this.waitHealthy([name], o.readyTimeoutMs, signal);
      });
      steps.push({ name, startedAt, healthyAt: Date.now() });
    }
    return {
      injectedAt,
      restoredAt: Date.now(),
      from: milvusImage(from, o.images.milvus),
      to: milvusImage(to, o.images.milvus),
      steps,
    };
  }

  /**
   * Logs and state for a post-mortem, collected once: the first call (provision's failure path, or
   * the drill before teardown) does the work, later calls get its files. After teardown there is no
   * cluster left to ask, so nothing runs.
   */
  collectDiagnostics(dir: string): Promise<string[]> {
    if (this.diagnostics) return this.diagnostics;
    if (this.teardownPromise && this.created) {
      this.log.warn("diagnostics: the kind cluster is already torn down; nothing to collect");
      return Promise.resolve([]);
    }
    this.diagnostics = this.doCollectDiagnostics(dir);
    return this.diagnostics;
  }

  private async doCollectDiagnostics(dir: string): Promise<string[]> {
    const written: string[] = [];
    const problems: string[] = [];
    const o = this.options;
    const to = this.t.diagnosticsCallTimeoutMs;
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      this.log.warn(`diagnostics: cannot create ${dir}: ${String(e)}`);
      return [];
    }
    const save = async (file: string, args: string[], tool: "kubectl" | "kind" = "kubectl") => {
      try {
        const r = await this.runner.run(
          this.tools[tool],
          tool === "kubectl" ? [...this.access, ...args] : args,
          {
            timeoutMs: to,
            purpose: `diagnostics ${file}`,
          },
        );
        const path = join(dir, file);
        await writeFile(path, this.runner.redact(r.stdout + (r.stderr ? `\n# stderr\n${r.stderr}` : "")));
        written.push(path);
      } catch (e) {
        problems.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    if (!this.created) {
      problems.push("no kind cluster was created; nothing to collect");
    } else {
      const ns = o.namespace;
      await save("milvus.yaml", ["get", "milvus", "-n", ns, "-o", "yaml"]);
      await save("milvus-describe.txt", ["describe", "milvus", "-n", ns]);
      await save("pods.txt", ["get", "pods", "-A", "-o", "wide"]);
      await save("pods-describe.txt", ["describe", "pods", "-n", ns]);
      await save("events.txt", ["get", "events", "-A", "--sort-by=.lastTimestamp"]);
      await save("operator.log", [
        "logs",
        "-n",
        OPERATOR_NAMESPACE,
        `deployment/${OPERATOR_RELEASE}`,
        "--tail=5000",
      ]);
      let pods: string[] = [];
      try {
        const cdc = (await listPods(this.kube, ns, cdcSelector(o.sourceName))).map((p) => p.name);
        const all = (await listPods(this.kube, ns, "app.kubernetes.io/name=milvus")).map((p) => p.name);
        // CDC first: when time runs out, its logs are the ones a CDC drill needs.
        pods = [...cdc, ...all.filter((p) => !cdc.includes(p))];
        for (const p of cdc) {
          await save(`${p}.metrics.txt`, ["get", "--raw", podMetricsPath(ns, p)]);
        }
      } catch (e) {
        problems.push(`pod list: ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const p of pods) {
        await save(`${p}.log`, ["logs", "-n", ns, p, "--all-containers", "--tail=20000"]);
        // --previous fails when the pod never restarted; that failure is expected, not a problem.
        try {
          const r = await this.runner.run(
            this.tools.kubectl,
            [...this.access, "logs", "-n", ns, p, "--all-containers", "--previous", "--tail=20000"],
            { timeoutMs: to, purpose: `previous logs of ${p}`, allowFailure: true },
          );
          if (r.code === 0 && r.stdout) {
            const path = join(dir, `${p}.previous.log`);
            await writeFile(path, this.runner.redact(r.stdout));
            written.push(path);
          }
        } catch (e) {
          problems.push(`${p}.previous.log: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      try {
        await this.runner.run(
          this.tools.kind,
          ["export", "logs", join(dir, "kind-logs"), "--name", this.clusterName],
          { timeoutMs: to * 3, purpose: "kind export logs" },
        );
        written.push(join(dir, "kind-logs"));
      } catch (e) {
        problems.push(`kind export logs: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (problems.length) {
      const path = join(dir, "diagnostics-errors.txt");
      await writeFile(path, `${problems.map((p) => tail(p, 4)).join("\n")}\n`).catch(() => {});
      written.push(path);
    }
    return written;
  }

  /** Stops port-forwards and deletes the kind cluster (unless keepCluster). Idempotent; never throws. */
  teardown(): Promise<void> {
    this.teardownPromise ??= this.doTeardown();
    return this.teardownPromise;
  }

  private async doTeardown(): Promise<void> {
    await Promise.all(this.forwards.map((f) => f.stop().catch(() => {})));
    if (this.created) {
      if (this.options.keepCluster) {
        // The cluster stays, the chaos engine the drill brought does not.
        if (this.chaosMesh) {
          await this.runner
            .run(
              this.tools.helm,
              [...chaosMeshUninstallArgs(), ...helmAccess(this.kubeconfig, this.clusterName)],
              {
                timeoutMs: this.t.deleteTimeoutMs,
              },
            )
            .catch((e) =>
              this.log.warn(
                `teardown: could not uninstall Chaos Mesh (helm uninstall chaos-mesh -n chaos-mesh): ${e instanceof Error ? e.message : String(e)}`,
              ),
            );
        }
        this.log.info(
          `keepCluster: kind cluster ${this.clusterName} kept (KUBECONFIG=${this.kubeconfig}); delete it with: kind delete cluster --name ${this.clusterName}`,
        );
        return;
      }
      await deleteKindCluster(this.clusterName, {
        runner: this.runner,
        log: this.log,
        kind: this.tools.kind,
        timeoutMs: this.t.deleteTimeoutMs,
        kubeconfig: this.kubeconfig,
      });
    }
    if (this.ownsWorkDir && this.workDir)
      await rm(this.workDir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Deletes a kind cluster by name; never throws. The Action's post step uses it with the name from the
 * CleanupRecord when the main step died before its own teardown.
 */
export async function deleteKindCluster(
  name: string,
  o: {
    log: Pick<Logger, "info" | "warn">;
    runner?: CommandRunner;
    kind?: string;
    timeoutMs?: number;
    /** The drill's kubeconfig, so kind removes the context there and never touches the user's. */
    kubeconfig?: string;
  },
): Promise<boolean> {
  const runner = o.runner ?? new ProcessRunner();
  try {
    await runner.run(
      o.kind ?? "kind",
      ["delete", "cluster", "--name", name, ...(o.kubeconfig ? ["--kubeconfig", o.kubeconfig] : [])],
      {
        timeoutMs: o.timeoutMs ?? DEFAULT_KIND_TIMING.deleteTimeoutMs,
        purpose: `deletion of kind cluster ${name}`,
      },
    );
    o.log.info(`kind cluster ${name} deleted`);
    return true;
  } catch (e) {
    o.log.warn(
      `teardown: could not delete kind cluster ${name} (delete it with: kind delete cluster --name ${name}): ${e instanceof Error ? e.message : String(e)}`,
    );
    return false;
  }
}
