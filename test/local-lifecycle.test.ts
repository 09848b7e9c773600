import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { describe, expect, it } from "vitest";
import { alive, listening, startTestLab, waitFor } from "./helpers/lab.js";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

function runTs(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", tsx, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function firstLine(child: ChildProcess, what: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${what}; stderr: ${err.slice(-500)}`)),
      timeoutMs,
    );
    child.stderr?.on("data", (d) => {
      err += d;
    });
    child.stdout?.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what}: process exited (code ${code}) before printing; stderr: ${err.slice(-500)}`));
    });
  });
}

describe("local lab lifecycle", () => {
  it("two labs run at once; after stop() none of their processes or ports remain", async () => {
    const [a, b] = await Promise.all([
      startTestLab({ replicate: true, pchannels: 1 }),
      startTestLab({ pchannels: 1 }),
    ]);
    const pids = [...a.pids(), ...b.pids()];
    const ports = [...a.ports(), ...b.ports()];
    try {
      expect(new Set(ports).size).toBe(ports.length);
      expect(a.replicatorPid).toBeDefined();
      for (const uri of [a.source.uri, a.target.uri, b.source.uri, b.target.uri]) {
        const c = new MilvusClient({ address: uri, logLevel: "error" });
        expect((await c.listCollections()).status.error_code).toBe("Success");
        await c.closeConnection();
      }
      for (const pid of pids) expect(alive(pid)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await a.stop(); // idempotent
    }
    // 2 Milvus Lite + 2 watchdogs per lab, plus lab a's replicator.
    expect(pids).toHaveLength(9);
    for (const pid of pids) await waitFor(`pid ${pid} to exit`, () => !alive(pid), 10_000);
    for (const port of ports) expect(await listening(port)).toBe(false);
    expect(existsSync(a.dirs.root)).toBe(false);
  });

  it("a lab whose process is SIGKILLed leaves no Milvus Lite (or replicator) behind", async () => {
    const child = runTs(["test/helpers/lab-child.ts", "--replicate"]);
    let info: { pids: number[]; ports: number[]; root: string } | undefined;
    try {
      info = JSON.parse(await firstLine(child, "the lab child to report its pids"));
      expect(info?.pids.length).toBe(5);
      for (const pid of info?.pids ?? []) expect(alive(pid)).toBe(true);
      child.kill("SIGKILL");
      for (const pid of info?.pids ?? [])
        await waitFor(`orphaned pid ${pid} to exit`, () => !alive(pid), 8_000, 100);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      if (info) await rm(info.root, { recursive: true, force: true });
    }
  });

  it("`lab --json` prints exactly one JSON line and exits 0 on SIGTERM", async () => {
    const child = runTs(["src/cli/main.ts", "lab", "--json", "--pchannels", "1"]);
    let stdout = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const line = await firstLine(child, "lab --json to print its endpoints");
      const parsed = JSON.parse(line) as {
        source: { uri: string; clusterId: string };
        target: { uri: string; clusterId: string };
      };
      expect(parsed.source.clusterId).toMatch(/^primary-[0-9a-f]{6}$/);
      expect(parsed.target.clusterId).toMatch(/^standby-[0-9a-f]{6}$/);
      expect(Object.keys(parsed)).toEqual(["source", "target"]);
      expect(await listening(Number(new URL(parsed.source.uri).port))).toBe(true);
      child.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 20_000))]);
      expect(code).toBe(0);
      expect(stdout.trimEnd().split("\n")).toHaveLength(1);
      expect(await listening(Number(new URL(parsed.source.uri).port))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("`lab` refuses a bad flag with one line naming the flag, the value and what is allowed", async () => {
    const child = runTs(["src/cli/main.ts", "lab", "--restart-delay-ms", "5s"]);
    let err = "";
    child.stderr?.on("data", (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toMatch(/--restart-delay-ms '5s' is not allowed \(an integer from 0 to 600000\)/);
  });
});
