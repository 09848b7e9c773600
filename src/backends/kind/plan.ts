/**
 * The kind backend's provisioning as data: the files it applies and the commands it runs, in order.
 * `milvus-cdc-drill plan` writes them out without running anything; KindBackend runs the same steps,
 * so what a user reviews is what runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FaultParams, NemesisType } from "../../nemesis/names.js";
import {
  CHAOS_MESH_NAMESPACE,
  chaosFile,
  chaosMeshInstallArgs,
  chaosMeshUninstallArgs,
  chaosResource,
  KIND_CHAOS_TYPES,
  needsChaosMesh,
} from "./chaos.js";
import { formatCommand } from "./exec.js";
import {
  cdcSelector,
  endpointFor,
  helmInstallArgs,
  instanceSelector,
  kindConfigPath,
  kindCreateArgs,
  MILVUS_PORT,
  maskedReplicateConfig,
  namespaceManifest,
  OPERATOR_NAMESPACE,
  operatorValues,
  operatorWaitArgs,
  RUNNER_DISK_HOGS,
  renderMilvusCr,
  starTargetNames,
  toYaml,
  usedImages,
} from "./manifests.js";
import {
  type BackupCommand,
  backupJobManifests,
  jobName,
  layoutFor,
  MILVUS_BACKUP_DOCKERFILE,
  MILVUS_BACKUP_PIN,
  type MilvusBackupPin,
  milvusBackupImage,
  refuseBucketTrap,
} from "./milvus-backup.js";
import { GO_HINT, goBuildArgs, goEnv } from "./milvus-backup-build.js";
import { initialMilvusVersion, type KindOptions, milvusImage } from "./options.js";

export const PLAN_FILES = {
  kindConfig: "kind-config.yaml",
  operatorValues: "operator-values.yaml",
  source: "source.yaml",
  target: "target.yaml",
  replicateConfig: "replicate-config.json",
  commands: "commands.sh",
  seedBackup: "milvus-backup-create.yaml",
  seedRestore: "milvus-backup-restore-secondary.yaml",
  seedDockerfile: "milvus-backup.Dockerfile",
} as const;

/**
 * The CR file of standby k (1-based): target.yaml for the first, as for a pair, then target-2.yaml..
 * (a star), so a pair's plan is unchanged and a star's files sort in standby order.
 */
export function targetFile(k: number): string {
  return k === 1 ? PLAN_FILES.target : `target-${k}.yaml`;
}

/** A star's standbys as the plan renders them: each one's CR name and file, in order. */
export function planStandbys(o: KindOptions, standbys = 1): Array<{ name: string; file: string }> {
  return starTargetNames(o, standbys).map((name, i) => ({ name, file: targetFile(i + 1) }));
}

export type Tool = "docker" | "kind" | "kubectl" | "helm" | "sudo";

export interface Step {
  /** Which timeout budget applies (see KindTiming). */
  phase: "docker" | "free-disk" | "create" | "images" | "operator" | "operator-wait" | "chaos-mesh" | "apply";
  tool: Tool;
  args: string[];
  /** Steps that run only when an option asks for them carry the reason, for commands.txt. */
  when?: string;
}

/** A cluster name unique to this run: several drills may share one Docker daemon. */
export function runUniqueClusterName(now = Date.now(), rand = Math.random()): string {
  return `mcd-${now.toString(36)}-${Math.floor(rand * 36 ** 4)
    .toString(36)
    .padStart(4, "0")}`;
}

/** The nemesis a plan brings: its types (in turn) and what shapes the lasting ones. */
export interface PlanNemesis {
  types: readonly NemesisType[];
  params: FaultParams;
}

/** The nemesis types of a plan that are Chaos Mesh resources, each once, in the order first named. */
export function chaosTypes(nemesis: PlanNemesis | undefined): NemesisType[] {
  const out: NemesisType[] = [];
  for (const t of nemesis?.types ?? []) if (KIND_CHAOS_TYPES.includes(t) && !out.includes(t)) out.push(t);
  return out;
}

/**
 * `cdcOnTarget`: a scenario that reverses replication (switchover, failover) needs CDC on every
 * cluster that may become primary (every standby).
 * `nemesis`: one chaos-<type>.yaml per Chaos Mesh fault it brings.
 * `standbys`: a star (2..KIND_MAX_STANDBYS): one CR file per standby (targetFile) and one edge each.
 */
export function renderPlanFiles(
  o: KindOptions,
  cr: { cdcOnTarget?: boolean; nemesis?: PlanNemesis; standbys?: number } = {},
): Record<string, string> {
  const source = renderMilvusCr(o, "source");
  const extra = planStandbys(o, cr.standbys).slice(1);
  const target = renderMilvusCr(o, "target", { cdc: cr.cdcOnTarget === true });
  const pair = {
    source: endpointFor(o, "source", "(port-forward)"),
    target: endpointFor(o, "target", "(port-forward)"),
    extraStandbys: extra.map((s) => endpointFor(o, "target", "(port-forward)", s.name)),
  };
  return {
    [PLAN_FILES.kindConfig]: readFileSync(kindConfigPath(), "utf8"),
    [PLAN_FILES.operatorValues]: toYaml(operatorValues(o)),
    // The namespace travels with the source CR so one apply creates both, in order.
    [PLAN_FILES.source]: `${toYaml(namespaceManifest(o.namespace))}---\n${toYaml(source)}`,
    [PLAN_FILES.target]: toYaml(target),
    ...Object.fromEntries(
      extra.map((s) => [
        s.file,
        toYaml(renderMilvusCr(o, "target", { cdc: cr.cdcOnTarget === true, name: s.name })),
      ]),
    ),
    [PLAN_FILES.replicateConfig]: `${JSON.stringify(maskedReplicateConfig(pair), null, 2)}\n`,
    ...Object.fromEntries(
      chaosTypes(cr.nemesis).map((t) => [
        chaosFile(t),
        toYaml(chaosResource(o, t, (cr.nemesis as PlanNemesis).params)),
      ]),
    ),
  };
}

/** The context kind writes for a cluster into the kubeconfig it is given. */
export function kubeContext(clusterName: string): string {
  return `kind-${clusterName}`;
}

/**
 * Leading arguments of every kubectl call: the drill's own kubeconfig and context, always explicit.
 * With KUBECONFIG alone, a missing file makes kubectl fall back to the pod's in-cluster credentials
 * on a self-hosted runner inside Kubernetes, and a deleted context to the file's current one.
 */
export function kubectlAccess(kubeconfig: string, clusterName: string): string[] {
  return ["--kubeconfig", kubeconfig, "--context", kubeContext(clusterName)];
}

/** helm spells the context flag --kube-context. */
export function helmAccess(kubeconfig: string, clusterName: string): string[] {
  return ["--kubeconfig", kubeconfig, "--kube-context", kubeContext(clusterName)];
}

/**
 * The static steps of provision, with plan files referenced inside dir. Image preflight (before
 * create) and preload (right after create) depend on what the machine holds, so the backend runs
 * them itself; commands.sh spells them out as shell.
 */
export function provisionSteps(
  o: KindOptions,
  clusterName: string,
  dir: string,
  env: { githubActions: boolean } = { githubActions: process.env.GITHUB_ACTIONS === "true" },
  nemesis: readonly string[] = [],
  standbys = 1,
): Step[] {
  const kubeconfig = join(dir, "kubeconfig");
  const kube = kubectlAccess(kubeconfig, clusterName);
  const steps: Step[] = [{ phase: "docker", tool: "docker", args: ["info"] }];
  if (o.freeDisk) {
    steps.push({
      phase: "free-disk",
      tool: "sudo",
      args: ["rm", "-rf", ...RUNNER_DISK_HOGS],
      when: env.githubActions ? "freeDisk" : "freeDisk, on GitHub runners only (skipped here)",
    });
  }
  steps.push({
    phase: "create",
    tool: "kind",
    args: [...kindCreateArgs(o, clusterName, join(dir, PLAN_FILES.kindConfig)), "--kubeconfig", kubeconfig],
  });
  steps.push({
    phase: "operator",
    tool: "helm",
    args: [...helmInstallArgs(o), ...helmAccess(kubeconfig, clusterName)],
  });
  steps.push({ phase: "operator-wait", tool: "kubectl", args: [...kube, ...operatorWaitArgs()] });
  if (needsChaosMesh(nemesis)) {
    steps.push({
      phase: "chaos-mesh",
      tool: "helm",
      args: [...chaosMeshInstallArgs(), ...helmAccess(kubeconfig, clusterName)],
      when: `the nemesis brings ${nemesis.filter((t) => (KIND_CHAOS_TYPES as readonly string[]).includes(t)).join(", ")} (Chaos Mesh, for kind's containerd)`,
    });
  }
  steps.push({
    phase: "apply",
    tool: "kubectl",
    args: [...kube, "apply", "-f", join(dir, PLAN_FILES.source)],
  });
  for (const s of planStandbys(o, standbys))
    steps.push({ phase: "apply", tool: "kubectl", args: [...kube, "apply", "-f", join(dir, s.file)] });
  return steps;
}

function sh(args: string[]): string {
  return formatCommand(args[0] as string, args.slice(1));
}

/** Scenario seed in a plan: the backup's name, the pinned milvus-backup, each Job's bound. */
export interface SeedPlan {
  backupName: string;
  pin?: MilvusBackupPin;
  /** Each Job's bound (its activeDeadlineSeconds and the kubectl wait). */
  jobTimeoutMs: number;
}

/**
 * The seed's two Jobs (create on the primary into the standby's bucket; restore secondary into the
 * standby), as files. Refuses an unpinned milvus-backup and the v0.5.16 bucket trap by name.
 */
export function renderSeedFiles(o: KindOptions, seed: SeedPlan): Record<string, string> {
  const pin = seed.pin ?? MILVUS_BACKUP_PIN;
  const image = milvusBackupImage(pin);
  const reader = milvusImage(initialMilvusVersion(o), o.images.milvus);
  const deadline = Math.ceil(seed.jobTimeoutMs / 1000);
  const restoreLayout = layoutFor(o, o.targetName, o.targetName);
  refuseBucketTrap(pin, restoreLayout);
  const docs = (c: BackupCommand, l: ReturnType<typeof layoutFor>) =>
    backupJobManifests(o, c, l, image, reader, deadline).map(toYaml).join("---\n");
  return {
    [PLAN_FILES.seedDockerfile]: MILVUS_BACKUP_DOCKERFILE,
    [PLAN_FILES.seedBackup]: docs(
      { kind: "create", name: seed.backupName },
      layoutFor(o, o.sourceName, o.targetName),
    ),
    [PLAN_FILES.seedRestore]: docs(
      {
        kind: "restore-secondary",
        name: seed.backupName,
        sourceClusterId: o.sourceName,
        targetClusterId: o.targetName,
      },
      restoreLayout,
    ),
  };
}

/**
 * commands.sh: what provision, replication, one CDC kill and teardown run, as a script that runs as
 * written (`bash commands.sh`) against a real Docker. Only the workload and the checks are missing.
 */
export function renderCommands(
  o: KindOptions,
  clusterName: string,
  drill = "npx --yes milvus-cdc-drill",
  nemesis?: PlanNemesis,
  seed?: SeedPlan,
  standbys = 1,
): string {
  const images = usedImages(o);
  const targets = starTargetNames(o, standbys);
  const names = [o.sourceName, ...targets];
  const chaos = chaosTypes(nemesis);
  const steps = provisionSteps(o, clusterName, ".", { githubActions: false }, chaos, standbys);
  const kube = kubectlAccess(join(".", "kubeconfig"), clusterName);
  const helmKube = helmAccess(join(".", "kubeconfig"), clusterName);
  const kubectl = (...args: string[]) => sh(["kubectl", ...kube, ...args]);
  const L: string[] = [
    "#!/usr/bin/env bash",
    "# milvus-cdc-drill kind backend: the commands a drill runs, in order, minus the workload and checks.",
    "# Run it as written: bash commands.sh (needs docker, kind, kubectl, helm, and npx for the replication step).",
    "# The drill keeps its kubeconfig apart from yours: every call names ./kubeconfig and its context.",
    "set -euo pipefail",
    'cd "$(dirname "$0")"',
    "",
    "# Preflight: every image must resolve before anything is created.",
    `for image in ${images.map((i) => formatCommand(i.ref, [])).join(" ")}; do`,
    '  docker image inspect "$image" >/dev/null 2>&1 || docker manifest inspect "$image" >/dev/null \\',
    '    || { echo "image $image cannot be pulled; point kind.images at a registry that serves it" >&2; exit 1; }',
    "done",
    "",
    ...(seed ? buildCommands(seed.pin ?? MILVUS_BACKUP_PIN) : []),
  ];
  for (const s of steps) {
    if (s.phase === "free-disk") {
      L.push(
        "# freeDisk: only on GitHub-hosted runners (never on your own machine).",
        'if [ "${GITHUB_ACTIONS:-}" = true ]; then',
        `  ${sh([s.tool, ...s.args])}`,
        "fi",
      );
      continue;
    }
    if (s.phase === "chaos-mesh") {
      L.push(
        "",
        `# Chaos Mesh ${CHAOS_MESH_NAMESPACE}: only because ${s.when}.`,
        "# kind nodes run containerd, so the daemon gets containerd's runtime and socket; no dashboard.",
      );
    }
    L.push(sh([s.tool, ...s.args]));
    if (s.phase === "create") {
      L.push(
        "",
        "# Port-forwards and the cluster go away when the script ends (the drill does the same).",
        "forwards=()",
        `cleanup() { kill "\${forwards[@]:-}" 2>/dev/null || true;${
          o.keepCluster
            ? chaos.length > 0
              ? ` ${sh(["helm", ...chaosMeshUninstallArgs(), ...helmKube])} || true;`
              : ""
            : ` ${sh(["kind", "delete", "cluster", "--name", clusterName, "--kubeconfig", join(".", "kubeconfig")])};`
        } }`,
        "trap cleanup EXIT",
      );
      L.push(
        "",
        "# Loads a host image into the node; falls back to an image archive when `kind load docker-image`",
        "# fails on Docker's containerd image store (kind#3795).",
        "load_image() {",
        `  if ! kind load docker-image "$1" --name ${clusterName}; then`,
        '    docker save --platform "linux/$(docker version -f "{{.Server.Arch}}")" -o image.tar "$1"',
        `    kind load image-archive image.tar --name ${clusterName}`,
        "    rm -f image.tar",
        "  fi",
        "}",
      );
      if (o.preloadImages) {
        L.push(
          "",
          "# preloadImages: pull what is missing, load it into the node. Host copies this script pulled are",
          "# removed only on CI runners.",
          "pulled=()",
          `for image in ${images
            .filter((i) => i.preload)
            .map((i) => formatCommand(i.ref, []))
            .join(" ")}; do`,
          '  if ! docker image inspect "$image" >/dev/null 2>&1; then docker pull "$image"; pulled+=("$image"); fi',
          '  load_image "$image"',
          "done",
          'if [ "${CI:-}" = true ] && [ ${#pulled[@]} -gt 0 ]; then docker rmi "${pulled[@]}" || true; fi',
        );
      }
      L.push("");
    }
  }
  const waitSec = Math.round(o.readyTimeoutMs / 1000);
  L.push(
    "",
    `# Wait until ${names.length === 2 ? "both report" : `all ${names.length} report`} .status.status == Healthy (the drill also waits for the latest generation).`,
    ...names.map((n) =>
      kubectl(
        "wait",
        "-n",
        o.namespace,
        `milvus/${n}`,
        "--for=jsonpath={.status.status}=Healthy",
        `--timeout=${waitSec}s`,
      ),
    ),
    "",
    "# Client access (the drill picks free ports and restarts a forward that dies).",
    [
      "SOURCE_PORT=${SOURCE_PORT:-29530}",
      ...targets.map((_, i) => `${portVar(i + 1)}=\${${portVar(i + 1)}:-${29531 + i}}`),
    ].join(" "),
    `${kubectl("port-forward", "--address", "127.0.0.1", "-n", o.namespace, `svc/${o.sourceName}-milvus`)} "$SOURCE_PORT:${MILVUS_PORT}" & forwards+=($!)`,
    ...targets.map(
      (name, i) =>
        `${kubectl("port-forward", "--address", "127.0.0.1", "-n", o.namespace, `svc/${name}-milvus`)} "$${portVar(i + 1)}:${MILVUS_PORT}" & forwards+=($!)`,
    ),
    "sleep 5",
    "",
    "# The drill's own CLI (the one that wrote this plan); override with MILVUS_CDC_DRILL.",
    `DRILL=\${MILVUS_CDC_DRILL:-${JSON.stringify(drill)}}`,
    ...(seed ? seedCommands(o, seed, kubectl) : replicateCommands(targets.length)),
    "",
    "# Fault kill-cdc: delete the CDC pod without grace; the operator starts a new one.",
    kubectl(
      "delete",
      "pod",
      "-n",
      o.namespace,
      "-l",
      cdcSelector(o.sourceName),
      "--grace-period=0",
      "--force",
      "--wait=false",
    ),
    kubectl(
      "wait",
      "-n",
      o.namespace,
      "pod",
      "-l",
      cdcSelector(o.sourceName),
      "--for=condition=Ready",
      "--timeout=300s",
    ),
    ...chaos.flatMap((t) => chaosSection(o, t, (nemesis as PlanNemesis).params, kubectl)),
    "",
    o.keepCluster
      ? `# keepCluster: the cluster stays${chaos.length > 0 ? " (Chaos Mesh is uninstalled on exit)" : ""}; delete it later with: kind delete cluster --name ${clusterName}`
      : "# Teardown: the EXIT trap deletes the kind cluster.",
    `# operator namespace: ${OPERATOR_NAMESPACE}`,
  );
  return `${L.join("\n")}\n`;
}

/** What each Chaos Mesh fault does and the upstream bug it stands for, for commands.sh. */
const CHAOS_NOTES: Partial<Record<NemesisType, string>> = {
  "restart-standby":
    "PodChaos pod-kill (grace 0) of the standby's Milvus pods: a crash, back on its own etcd/MinIO data (milvus-io/milvus#45086)",
  "restart-primary":
    "PodChaos pod-kill (grace 0) of the primary's Milvus pods, not its CDC: a crash, not a failover (milvus-io/milvus#44902, #49712)",
  partition:
    "NetworkChaos partition between the primary's CDC pod and the standby's Milvus pods; clients still reach both (milvus-io/milvus#53368)",
  delay: "NetworkChaos delay on the same link (milvus-io/milvus#45639)",
  "stress-standby":
    "StressChaos: CPU workers at full load in the standby's Milvus pods (milvus-io/milvus#44599)",
};

/** One chaos fault in commands.sh: apply, last (or wait for the restart), remove. */
function chaosSection(
  o: KindOptions,
  type: NemesisType,
  p: FaultParams,
  kubectl: (...args: string[]) => string,
): string[] {
  const file = chaosFile(type);
  const L = ["", `# Fault ${type}: ${CHAOS_NOTES[type] ?? type}.`, kubectl("apply", "-f", file)];
  if (type === "restart-standby" || type === "restart-primary") {
    const name = type === "restart-standby" ? o.targetName : o.sourceName;
    L.push(
      "sleep 10",
      kubectl(
        "wait",
        "-n",
        o.namespace,
        "pod",
        "-l",
        instanceSelector(name),
        "--for=condition=Ready",
        "--timeout=600s",
      ),
      kubectl(
        "wait",
        "-n",
        o.namespace,
        `milvus/${name}`,
        "--for=jsonpath={.status.status}=Healthy",
        "--timeout=600s",
      ),
    );
  } else {
    L.push(`sleep ${Math.ceil(p.durationMs / 1000)}`);
  }
  L.push(kubectl("delete", "-f", file, "--wait=true", "--timeout=120s"));
  return L;
}

/** The shell variable holding standby k's local port (TARGET_PORT for the first, as for a pair). */
function portVar(k: number): string {
  return k === 1 ? "TARGET_PORT" : `TARGET_${k}_PORT`;
}

/** `--target-uri` once per standby, in the order of the configuration's edges. */
const REPLICATE = (only?: "primary" | "standby", standbys = 1) =>
  `$DRILL replicate --config ${PLAN_FILES.replicateConfig} --source-uri "http://127.0.0.1:$SOURCE_PORT"${Array.from(
    { length: standbys },
    (_, i) => ` --target-uri "http://127.0.0.1:$${portVar(i + 1)}"`,
  ).join("")}${only ? ` --only ${only}` : ""}`;

function replicateCommands(standbys: number): string[] {
  return [
    standbys === 1
      ? `# Replication: apply ${PLAN_FILES.replicateConfig} to the primary, then the standby, and read it back.`
      : `# Replication: apply ${PLAN_FILES.replicateConfig} (${standbys} edges from the primary) to the primary, then each standby, and read it back.`,
    REPLICATE(undefined, standbys),
  ];
}

/** Each go/docker build call's bound in commands.sh, as the backend's milvusBackupBuildTimeoutMs. */
const BUILD_TIMEOUT_S = 20 * 60;

/**
 * The pinned milvus-backup built and checked in shell, before anything is created: the module's Sum,
 * then the binary's sha256 (`sha256sum -c`), then the scratch image (why: milvus-backup.ts).
 */
function buildCommands(pin: MilvusBackupPin): string[] {
  const mod = `${pin.module}@${pin.version}`;
  const env = Object.entries(goEnv(pin)).map(([k, v]) => `${k}=${v}`);
  const out = "milvus-backup-bin/milvus-backup";
  const build = goBuildArgs(pin, "DIR", "OUT");
  const fail = (m: string) => `{ echo ${formatCommand(m, [])} >&2; exit 1; }`;
  return [
    `# milvus-backup ${mod}, pinned as its go.sum hash ${pin.sum}, the toolchain ${pin.toolchain}`,
    `# and the sha256 of the binary that toolchain builds from it: ${pin.sha256}.`,
    `command -v go >/dev/null || ${fail(`go is not on PATH: ${GO_HINT}`)}`,
    `mb_json=$(${sh([...env, "timeout", String(BUILD_TIMEOUT_S), "go", "mod", "download", "-json", mod])})`,
    String.raw`mb_sum=$(printf '%s\n' "$mb_json" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p')`,
    String.raw`mb_dir=$(printf '%s\n' "$mb_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')`,
    `[ "$mb_sum" = ${formatCommand(pin.sum, [])} ] || { echo "go mod download ${mod}: its Sum is $mb_sum, not the pinned ${pin.sum}; refused" >&2; exit 1; }`,
    "mkdir -p milvus-backup-bin",
    `${sh([...env, "timeout", String(BUILD_TIMEOUT_S), "go", ...build.slice(0, 2)])} "$mb_dir" ${formatCommand(build[3] as string, build.slice(4, -3))} -o "$PWD/${out}" .`,
    `echo ${formatCommand(`${pin.sha256}  ${out}`, [])} | sha256sum -c - || ${fail(`the binary's sha256 is not the pinned ${pin.sha256}; refused`)}`,
    sh([
      "timeout",
      String(BUILD_TIMEOUT_S),
      "docker",
      "build",
      "-t",
      milvusBackupImage(pin),
      "-f",
      PLAN_FILES.seedDockerfile,
      "milvus-backup-bin",
    ]),
    "",
  ];
}

/**
 * Scenario seed in Milvus Backup's restore secondary order (its CI job test-backup-restore-secondary):
 * backup on the primary, the configuration on the standby only, restore secondary, the configuration
 * on the primary. Each Job is waited for, bounded.
 */
function seedCommands(o: KindOptions, seed: SeedPlan, kubectl: (...args: string[]) => string): string[] {
  const pin = seed.pin ?? MILVUS_BACKUP_PIN;
  const timeout = `--timeout=${Math.ceil(seed.jobTimeoutMs / 1000)}s`;
  const create = jobName({ kind: "create", name: seed.backupName });
  const restore = jobName({
    kind: "restore-secondary",
    name: seed.backupName,
    sourceClusterId: o.sourceName,
    targetClusterId: o.targetName,
  });
  const wait = (job: string) =>
    kubectl("wait", "-n", o.namespace, `job/${job}`, "--for=condition=complete", timeout);
  return [
    `# Scenario seed: the primary already holds data (the drill writes it here: rows, indexes, partitions,`,
    "# aliases), and the standby is seeded from a backup in Milvus Backup's restore secondary order.",
    `# milvus-backup ${pin.module}@${pin.version}, built above from its pinned source (binary sha256 ${pin.sha256}),`,
    "# loaded into the node: its Jobs never pull it (imagePullPolicy Never).",
    sh(["load_image", milvusBackupImage(pin)]),
    `# 1. backup: milvus-backup create -n ${seed.backupName} --backup_index_extra on ${o.sourceName}, into ${o.targetName}'s own bucket`,
    "#    (a backup in another bucket makes v0.5.16's restore secondary loop forever: zilliztech/milvus-backup#1166).",
    kubectl("apply", "-f", PLAN_FILES.seedBackup),
    wait(create),
    "# 2. the replicate configuration on the standby only.",
    REPLICATE("standby"),
    `# 3. restore secondary into ${o.targetName} (the drill first refuses a standby that holds a collection or a`,
    "#    checkpoint: a second restore into one standby is dropped silently, zilliztech/milvus-backup#1176).",
    kubectl("apply", "-f", PLAN_FILES.seedRestore),
    wait(restore),
    "# 4. the same configuration on the primary: CDC resumes strictly after the backup point.",
    REPLICATE("primary"),
  ];
}
