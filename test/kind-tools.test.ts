import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CommandError, ProcessRunner } from "../src/backends/kind/exec.js";
import {
  resolveTools,
  resolveToolsDetailed,
  sha256,
  TOOL_PINS,
  type ToolPin,
} from "../src/backends/kind/tools.js";
import { standins, stillAliveAfter } from "./stand-ins/harness.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("tool resolution", () => {
  it("uses the pinned tools by default even when PATH has newer ones, and says which ran", async () => {
    const env = standins();
    dirs.push(env.dir);
    const payloads = new Map<string, Buffer>();
    const pins = Object.fromEntries(
      Object.entries(TOOL_PINS).map(([tool, pin]) => {
        const data = Buffer.from(`#!/bin/sh\necho ${tool}\n`);
        payloads.set(pin.url("amd64"), data);
        return [tool, { ...pin, member: undefined, sha256: { amd64: sha256(data), arm64: "x" } }];
      }),
    ) as typeof TOOL_PINS;
    const r = await resolveToolsDetailed({
      runner: env.runner,
      log: () => {},
      pins,
      download: async (url) => payloads.get(url) as Buffer,
      cacheDir: join(env.dir, "cache"),
      arch: "amd64",
    });
    // The machine's tools were not even asked for their version: runs must not drift with the runner image.
    expect(env.calls()).toEqual([]);
    expect(r.paths.kind).toBe(join(env.dir, "cache", "kind-0.30.0-amd64", "kind"));
    expect(r.used).toEqual({
      kind: { version: TOOL_PINS.kind.version, source: "pinned" },
      kubectl: { version: TOOL_PINS.kubectl.version, source: "pinned" },
      helm: { version: TOOL_PINS.helm.version, source: "pinned" },
    });
  });

  it("uses kind, kubectl and helm from PATH with usePreinstalledTools when they meet the minimums", async () => {
    const env = standins();
    dirs.push(env.dir);
    const log: string[] = [];
    const tools = await resolveTools({
      runner: env.runner,
      log: (m) => log.push(m),
      download: async () => {
        throw new Error("must not download");
      },
      cacheDir: env.dir,
      arch: "amd64",
      preinstalled: true,
    });
    expect(tools).toEqual({ kind: "kind", kubectl: "kubectl", helm: "helm" });
    expect(log).toEqual([
      "kind 0.30.0 found on PATH (>= 0.24.0; usePreinstalledTools)",
      "kubectl 1.34.1 found on PATH (>= 1.27.0; usePreinstalledTools)",
      "helm 3.18.4 found on PATH (>= 3.12.0; usePreinstalledTools)",
    ]);
  });

  it("downloads a pinned tool when the machine's is too old, and refuses a checksum mismatch", async () => {
    const env = standins();
    dirs.push(env.dir);
    env.setRules([
      { tool: "kind", match: "^version$", respond: [{ stdout: "kind v0.11.1 go1.16.4 linux/amd64\n" }] },
    ]);
    const payload = Buffer.from("#!/bin/sh\necho kind v0.30.0\n");
    const fetched: string[] = [];
    const download = async (url: string) => {
      fetched.push(url);
      return payload;
    };
    const base = {
      runner: env.runner,
      log: () => {},
      download,
      cacheDir: join(env.dir, "cache"),
      arch: "amd64" as const,
      preinstalled: true,
    };
    const err = (await resolveTools(base).catch((e: Error) => e)) as Error;
    expect(err.message).toBe(
      `kind 0.30.0 from https://github.com/kubernetes-sigs/kind/releases/download/v0.30.0/kind-linux-amd64: sha256 ${sha256(payload)} does not match the pinned ${TOOL_PINS.kind.sha256.amd64}; refusing to run it`,
    );
    expect(existsSync(join(env.dir, "cache", "kind-0.30.0-amd64", "kind"))).toBe(false);

    const pin: ToolPin = { ...TOOL_PINS.kind, sha256: { amd64: sha256(payload), arm64: "x" } };
    const tools = await resolveTools({ ...base, pins: { ...TOOL_PINS, kind: pin } });
    expect(tools.kind).toBe(join(env.dir, "cache", "kind-0.30.0-amd64", "kind"));
    expect(readFileSync(tools.kind, "utf8")).toBe(payload.toString());
    expect(statSync(tools.kind).mode & 0o111).not.toBe(0);
    expect(fetched).toEqual([TOOL_PINS.kind.url("amd64"), TOOL_PINS.kind.url("amd64")]);
    // Cached: a second resolution downloads nothing.
    await resolveTools({ ...base, pins: { ...TOOL_PINS, kind: pin } });
    expect(fetched).toHaveLength(2);
  });

  it("pins official release URLs with sha256 for both Linux architectures", () => {
    for (const pin of Object.values(TOOL_PINS)) {
      for (const arch of ["amd64", "arm64"] as const) {
        expect(pin.url(arch)).toMatch(
          /^https:\/\/(github\.com\/kubernetes-sigs\/kind\/releases|dl\.k8s\.io\/release|get\.helm\.sh)\//,
        );
        expect(pin.url(arch)).toContain(pin.version);
        expect(pin.sha256[arch]).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });
});

describe("ProcessRunner", () => {
  it("masks secrets in failures and names the command and its stderr tail", async () => {
    const runner = new ProcessRunner({ secrets: ["s3cr3t-token"] });
    const err = (await runner
      .run("sh", ["-c", "echo line1 >&2; echo 'auth s3cr3t-token rejected' >&2; exit 3", "s3cr3t-token"], {
        timeoutMs: 5000,
      })
      .catch((e: Error) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.message).toBe(
      "sh -c 'echo line1 >&2; echo '\\''auth *** rejected'\\'' >&2; exit 3' *** failed (exit 3): line1\nauth *** rejected",
    );
    expect(err.message).not.toContain("s3cr3t");
  });

  it("kills the whole process tree at the timeout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runner-"));
    dirs.push(dir);
    const runner = new ProcessRunner();
    const err = (await runner
      .run(`sleep 30 & echo $! > ${dir}/child; wait`, [], {
        shell: true,
        timeoutMs: 300,
        purpose: "the sleeper",
      })
      .catch((e: Error) => e)) as CommandError;
    expect(err.timedOut).toBe(true);
    expect(err.message).toMatch(/timed out after 300ms waiting for the sleeper$/);
    const child = Number(readFileSync(join(dir, "child"), "utf8"));
    expect(await stillAliveAfter(child)).toBe(false);
  });
});
