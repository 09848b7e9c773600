/** kubectl operations shared by the kind and existing backends (pod listing, CDC kill, waiting). */
import type { FaultEvidence } from "../types.js";
import type { CommandRunner } from "./exec.js";
import { fmtMs } from "./exec.js";
import { cdcSelector } from "./manifests.js";

export interface Kube {
  runner: CommandRunner;
  kubectl: string;
  /** Leading arguments for every call, e.g. ["--context", "prod"]. */
  baseArgs: string[];
  env?: Record<string, string>;
  callTimeoutMs: number;
}

export async function kubectl(
  k: Kube,
  args: string[],
  purpose: string,
  extra: { input?: string; allowFailure?: boolean; timeoutMs?: number } = {},
) {
  return k.runner.run(k.kubectl, [...k.baseArgs, ...args], {
    timeoutMs: extra.timeoutMs ?? k.callTimeoutMs,
    purpose,
    env: k.env,
    input: extra.input,
    allowFailure: extra.allowFailure,
  });
}

export interface PodInfo {
  name: string;
  phase: string;
  ready: boolean;
  deleting: boolean;
}

interface PodJson {
  metadata?: { name?: string; deletionTimestamp?: string };
  status?: { phase?: string; conditions?: Array<{ type?: string; status?: string }> };
}

export function parsePods(json: string): PodInfo[] {
  const list = JSON.parse(json) as { items?: PodJson[] };
  return (list.items ?? []).map((p) => ({
    name: p.metadata?.name ?? "",
    phase: p.status?.phase ?? "Unknown",
    ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    deleting: Boolean(p.metadata?.deletionTimestamp),
  }));
}

export async function listPods(k: Kube, namespace: string, selector: string): Promise<PodInfo[]> {
  const r = await kubectl(
    k,
    ["get", "pods", "-n", namespace, "-l", selector, "-o", "json"],
    `the pods labelled ${selector}`,
  );
  return parsePods(r.stdout);
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
}

export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

/**
 * Polls until check returns a value. On timeout the error says what it waited for and the last
 * state seen, because "timed out" alone sends people to the logs for the one fact they need.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<{ done: T } | { pending: string }>,
  o: WaitOptions,
  progress?: (state: string) => void,
): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let last = "nothing observed yet";
  for (;;) {
    if (o.signal?.aborted) throw new Error(`aborted while waiting for ${what}`);
    try {
      const r = await check();
      if ("done" in r) return r.done;
      last = r.pending;
      progress?.(last);
    } catch (e) {
      last = `check failed: ${e instanceof Error ? e.message : String(e)}`;
      progress?.(last);
    }
    if (Date.now() + o.pollMs > deadline) {
      throw new WaitTimeoutError(
        `timed out after ${fmtMs(o.timeoutMs)} waiting for ${what}; last seen: ${last}`,
      );
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}

export interface KillCdcOptions extends WaitOptions {
  log: (m: string) => void;
}

/**
 * Deletes the CDC pod of `instance` without grace (a crash, not a shutdown) and waits for a
 * different pod to be Ready: the evidence says which pod died, which replaced it, and when.
 */
export async function killCdcPod(
  k: Kube,
  namespace: string,
  instance: string,
  o: KillCdcOptions,
): Promise<FaultEvidence> {
  const selector = cdcSelector(instance);
  const before = (await listPods(k, namespace, selector)).filter((p) => !p.deleting);
  if (before.length === 0) {
    throw new Error(`kill-cdc: no CDC pod labelled ${selector} in namespace ${namespace}`);
  }
  const oldPods = before.map((p) => p.name);
  const killedAt = Date.now();
  await kubectl(
    k,
    ["delete", "pod", "-n", namespace, "-l", selector, "--grace-period=0", "--force", "--wait=false"],
    `deletion of the CDC pod ${oldPods.join(", ")}`,
  );
  o.log(`kill-cdc: deleted ${oldPods.join(", ")}; waiting for a new Ready CDC pod`);
  const newPod = await waitUntil(
    `a new Ready CDC pod (${selector}) to replace ${oldPods.join(", ")}`,
    async () => {
      const pods = await listPods(k, namespace, selector);
      const fresh = pods.find((p) => !oldPods.includes(p.name) && p.ready && !p.deleting);
      if (fresh) return { done: fresh.name };
      const seen = pods.map((p) => `${p.name} ${p.phase}${p.ready ? " ready" : " not-ready"}`).join(", ");
      return { pending: seen || "no CDC pod" };
    },
    o,
  );
  const restoredAt = Date.now();
  o.log(`kill-cdc: ${newPod} Ready after ${fmtMs(restoredAt - killedAt)}`);
  return { injectedAt: killedAt, killedAt, restoredAt, oldPod: oldPods[0], oldPods, newPod };
}
