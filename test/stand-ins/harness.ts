/** Test harness: a scratch dir for the stand-ins, a runner that finds them first on PATH, a capturing logger. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ProcessRunner } from "../../src/backends/kind/exec.js";
import type { Logger } from "../../src/backends/types.js";
import { alive } from "../helpers/wait.js";

export { alive };

export const STANDIN_BIN = dirname(fileURLToPath(import.meta.url));

export interface Call {
  tool: string;
  /** kubectl/helm: without --kubeconfig/--context/--kube-context (those are in access). */
  args: string[];
  access: { kubeconfig?: string; context?: string; "kube-context"?: string };
  /** Every argument as given. */
  argv: string[];
  pid: number;
  time: number;
  kubeconfig: string | null;
}

export interface Response {
  code?: number;
  stdout?: string;
  stderr?: string;
  delayMs?: number;
  hang?: boolean;
  forward?: { dieAfterMs?: number };
}

export interface Rule {
  tool: "kind" | "kubectl" | "helm" | "docker" | "sudo";
  match: string;
  respond: Response[];
}

export function standins() {
  const dir = mkdtempSync(join(tmpdir(), "standin-"));
  const env = { PATH: `${STANDIN_BIN}:${process.env.PATH}`, STANDIN_DIR: dir };
  const runner = new ProcessRunner({ env });
  return {
    dir,
    env,
    runner,
    setRules(rules: Rule[]) {
      writeFileSync(join(dir, "rules.json"), JSON.stringify(rules));
    },
    calls(): Call[] {
      const p = join(dir, "calls.jsonl");
      if (!existsSync(p)) return [];
      return readFileSync(p, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Call);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits (bounded) for pid to be gone; returns whether it still runs. Kills are asynchronous. */
export async function stillAliveAfter(pid: number, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return alive(pid);
}

export function captureLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    debug: () => {},
    group: async (name, fn) => {
      lines.push(`group ${name}`);
      return fn();
    },
  };
}

/** `kubectl get milvus ... -o json` output for CRs in the given states. */
export function milvusList(
  states: Array<{
    name: string;
    status?: string;
    falseConditions?: string[];
    generation?: number;
    observed?: number;
  }>,
): string {
  const all = ["EtcdReady", "StorageReady", "MsgStreamReady", "MilvusReady", "MilvusUpdated"];
  return JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: states.map((s) => ({
      metadata: { name: s.name, generation: s.generation ?? 1 },
      status: {
        status: s.status ?? "Healthy",
        observedGeneration: s.observed ?? s.generation ?? 1,
        conditions: all.map((type) => ({
          type,
          status: s.falseConditions?.includes(type) ? "False" : "True",
        })),
      },
    })),
  });
}

/** `kubectl get pods -o json` output. */
export function podList(
  pods: Array<{ name: string; ready?: boolean; deleting?: boolean; phase?: string }>,
): string {
  return JSON.stringify({
    items: pods.map((p) => ({
      metadata: { name: p.name, ...(p.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
      status: {
        phase: p.phase ?? "Running",
        conditions: [{ type: "Ready", status: p.ready ? "True" : "False" }],
      },
    })),
  });
}
