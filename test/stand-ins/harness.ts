/** Test harness: a scratch dir for the stand-ins, a runner that finds them first on PATH, a capturing logger. */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KindTiming } from "../../src/backends/kind/backend.js";
import { ProcessRunner } from "../../src/backends/kind/exec.js";
import { MILVUS_BACKUP_PIN, type MilvusBackupPin } from "../../src/backends/kind/milvus-backup.js";
import { defaultKindOptions, type KindOptions } from "../../src/backends/kind/options.js";
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
  /** Written to the path after -o (a `go build` stand-in's binary). */
  writeOut?: string;
}

export interface Rule {
  tool: "kind" | "kubectl" | "helm" | "docker" | "sudo" | "go";
  match: string;
  respond: Response[];
}

/** Short bounds for a KindBackend driven by stand-ins: every wait answers in seconds, not minutes. */
export const FAST_KIND_TIMING: Partial<KindTiming> = {
  pollMs: 20,
  callTimeoutMs: 5000,
  dockerTimeoutMs: 5000,
  createTimeoutMs: 5000,
  imageTimeoutMs: 5000,
  operatorTimeoutMs: 5000,
  operatorWaitTimeoutMs: 5000,
  applyTimeoutMs: 5000,
  portForwardReadyMs: 5000,
  portForwardRestartDelayMs: 50,
  deleteTimeoutMs: 5000,
  diagnosticsCallTimeoutMs: 5000,
};

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

/**
 * The KindBackend the stand-in rules below answer to: kind cluster drill-test, the Milvus CRs alpha
 * (primary) and bravo (standby) in namespace drills, ready within 3 s.
 */
export const STANDIN_KIND_OPTIONS: KindOptions = {
  ...defaultKindOptions(),
  clusterName: "drill-test",
  sourceName: "alpha",
  targetName: "bravo",
  namespace: "drills",
  readyTimeoutMs: 3000,
};

/** `kubectl get milvus -o json` lists alpha and bravo, both Healthy. */
export const HEALTHY_PAIR: Rule = {
  tool: "kubectl",
  match: "^get milvus alpha bravo",
  respond: [{ stdout: milvusList([{ name: "alpha" }, { name: "bravo" }]) }],
};

/** Every `kubectl port-forward` comes up and stays up. */
export const FORWARD: Rule = { tool: "kubectl", match: "^port-forward", respond: [{ forward: {} }] };

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

/** What the go stand-in's `go build` writes by default (goRules). */
export const STANDIN_MILVUS_BACKUP_BINARY = "stand-in milvus-backup\n";

/** The real milvus-backup pin with the stand-in build's binary in place of the real one. */
export const STANDIN_MILVUS_BACKUP_PIN: MilvusBackupPin = {
  ...MILVUS_BACKUP_PIN,
  sha256: createHash("sha256").update(STANDIN_MILVUS_BACKUP_BINARY).digest("hex"),
};

/**
 * The go stand-in's answers for the pinned milvus-backup build, as the real go prints them (captured
 * from go1.26 here): `go mod download -json` prints the module's JSON (tab-indented) with its Dir and
 * Sum, or, when it fails, its Path, Version and Error with exit 1; when GOTOOLCHAIN must fetch a
 * toolchain and cannot, it prints no JSON, only stderr. `go build` writes `binary` at -o.
 */
export function goRules(
  pin: { module: string; version: string; sum: string },
  o: {
    dir?: string;
    sum?: string;
    binary?: string;
    fail?: "network" | "toolchain-network" | "checksum-mismatch";
  } = {},
): Rule[] {
  const mod = `${pin.module}@${pin.version}`;
  const json = (fields: Record<string, string>) =>
    `{\n${Object.entries(fields)
      .map(([k, v]) => `\t${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(",\n")}\n}\n`;
  const head = { Path: pin.module, Version: pin.version };
  const download =
    o.fail === "network"
      ? {
          code: 1,
          stdout: json({
            ...head,
            Error: `${mod}: Get "https://proxy.golang.org/${pin.module}/@v/${pin.version}.info": dial tcp: lookup proxy.golang.org on 127.0.0.53:53: connection refused`,
          }),
        }
      : o.fail === "toolchain-network"
        ? {
            code: 1,
            stderr:
              'go: downloading go1.25.5 (linux/amd64)\ngo: download go1.25.5: golang.org/toolchain@v0.0.1-go1.25.5.linux-amd64: Get "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go1.25.5.linux-amd64.zip": dial tcp: connect: connection refused\n',
          }
        : o.fail === "checksum-mismatch"
          ? {
              code: 1,
              stdout: json({
                ...head,
                Error: `verifying ${mod}: checksum mismatch\n\tdownloaded: h1:AAAA\n\tsum.golang.org: ${pin.sum}\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.`,
              }),
            }
          : {
              stdout: json({
                ...head,
                Dir: o.dir ?? `/go/pkg/mod/${mod}`,
                Sum: o.sum ?? pin.sum,
                GoModSum: "h1:4CWXSkJaIPOD6+Bq4/EU+7YcJtKElWqRKayRTJNU7ms=",
              }),
            };
  return [
    { tool: "go", match: "^mod download -json", respond: [download] },
    { tool: "go", match: "^build ", respond: [{ writeOut: o.binary ?? STANDIN_MILVUS_BACKUP_BINARY }] },
  ];
}
