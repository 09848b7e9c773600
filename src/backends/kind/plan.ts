/**
 * The kind backend's provisioning as data: the files it applies and the commands it runs, in order.
 * `milvus-cdc-drill plan` writes them out without running anything; KindBackend runs the same steps,
 * so what a user reviews is what runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatCommand } from "./exec.js";
import {
  cdcSelector,
  endpointFor,
  helmInstallArgs,
  kindConfigPath,
  kindCreateArgs,
  MILVUS_PORT,
  maskedReplicateConfig,
  namespaceManifest,
  OPERATOR_NAMESPACE,
  operatorValues,
  operatorWaitArgs,
  preloadImages,
  RUNNER_DISK_HOGS,
  renderMilvusCr,
  toYaml,
} from "./manifests.js";
import type { KindOptions } from "./options.js";

export const PLAN_FILES = {
  kindConfig: "kind-config.yaml",
  operatorValues: "operator-values.yaml",
  source: "source.yaml",
  target: "target.yaml",
  replicateConfig: "replicate-config.json",
  commands: "commands.txt",
} as const;

export type Tool = "docker" | "kind" | "kubectl" | "helm" | "sudo";

export interface Step {
  /** Which timeout budget applies (see KindTiming). */
  phase: "docker" | "free-disk" | "create" | "images" | "operator" | "operator-wait" | "apply";
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

export function renderPlanFiles(o: KindOptions): Record<string, string> {
  const source = renderMilvusCr(o, "source");
  const target = renderMilvusCr(o, "target");
  const pair = {
    source: endpointFor(o, "source", "(port-forward)"),
    target: endpointFor(o, "target", "(port-forward)"),
  };
  return {
    [PLAN_FILES.kindConfig]: readFileSync(kindConfigPath(), "utf8"),
    [PLAN_FILES.operatorValues]: toYaml(operatorValues()),
    // The namespace travels with the source CR so one apply creates both, in order.
    [PLAN_FILES.source]: `${toYaml(namespaceManifest(o.namespace))}---\n${toYaml(source)}`,
    [PLAN_FILES.target]: toYaml(target),
    [PLAN_FILES.replicateConfig]: `${JSON.stringify(maskedReplicateConfig(pair), null, 2)}\n`,
  };
}

/** The static steps of provision, with plan files referenced inside dir. */
export function provisionSteps(
  o: KindOptions,
  clusterName: string,
  dir: string,
  env: { githubActions: boolean } = { githubActions: process.env.GITHUB_ACTIONS === "true" },
): Step[] {
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
    args: kindCreateArgs(o, clusterName, join(dir, PLAN_FILES.kindConfig)),
  });
  if (o.preloadImages) {
    for (const image of preloadImages(o)) {
      steps.push({ phase: "images", tool: "docker", args: ["pull", image], when: "preloadImages" });
      steps.push({
        phase: "images",
        tool: "kind",
        args: ["load", "docker-image", image, "--name", clusterName],
        when: "preloadImages",
      });
      // The node now holds the image; the host copy only eats the runner's scarce disk.
      steps.push({ phase: "images", tool: "docker", args: ["rmi", image], when: "preloadImages" });
    }
  }
  steps.push({ phase: "operator", tool: "helm", args: helmInstallArgs(o) });
  steps.push({ phase: "operator-wait", tool: "kubectl", args: operatorWaitArgs() });
  steps.push({ phase: "apply", tool: "kubectl", args: ["apply", "-f", join(dir, PLAN_FILES.source)] });
  steps.push({ phase: "apply", tool: "kubectl", args: ["apply", "-f", join(dir, PLAN_FILES.target)] });
  return steps;
}

export function renderCommands(o: KindOptions, clusterName: string): string {
  const lines = [
    "# milvus-cdc-drill kind backend: the commands provision runs, in order.",
    "# Run them from this directory. The drill keeps its kubeconfig apart from yours:",
    "export KUBECONFIG=$PWD/kubeconfig",
    "",
  ];
  let lastWhen: string | undefined;
  for (const s of provisionSteps(o, clusterName, ".", { githubActions: false })) {
    if (s.when && s.when !== lastWhen) lines.push(`# only with ${s.when}:`);
    lastWhen = s.when;
    lines.push(formatCommand(s.tool, s.args));
  }
  const names = [o.sourceName, o.targetName];
  lines.push(
    "",
    `# poll until both report .status.status == Healthy (timeout ${Math.round(o.readyTimeoutMs / 1000)}s)`,
    formatCommand("kubectl", ["get", "milvus", ...names, "-n", o.namespace, "-o", "json"]),
    "",
    "# client access (the drill picks free local ports and restarts a forward that dies)",
  );
  for (const n of names) {
    lines.push(
      `${formatCommand("kubectl", ["port-forward", "--address", "127.0.0.1", "-n", o.namespace, `svc/${n}-milvus`, `LOCAL_PORT:${MILVUS_PORT}`])} &`,
    );
  }
  lines.push(
    "",
    `# replication: the drill applies ${PLAN_FILES.replicateConfig} to both clusters (primary first) with UpdateReplicateConfiguration`,
    "",
    "# fault kill-cdc",
    formatCommand("kubectl", [
      "delete",
      "pod",
      "-n",
      o.namespace,
      "-l",
      cdcSelector(o.sourceName),
      "--grace-period=0",
      "--force",
      "--wait=false",
    ]),
    "",
    o.keepCluster ? "# teardown skipped (keepCluster); delete later with:" : "# teardown",
    formatCommand("kind", ["delete", "cluster", "--name", clusterName]),
    "",
    `# operator namespace: ${OPERATOR_NAMESPACE}`,
  );
  return `${lines.join("\n")}\n`;
}
