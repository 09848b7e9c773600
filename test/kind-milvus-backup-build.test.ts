/**
 * The pinned milvus-backup on kind, built from source through a stand-in go: the calls in order
 * (go preflight, go mod download, go build, docker build, all before kind create; kind load after it),
 * the cache by pin, and each refusal in one line before anything is created: no go, a go too old,
 * the proxy refused, go's own checksum mismatch, a Sum that is not the pin, a binary whose sha256 is
 * not the pin.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KindBackend, type KindTiming } from "../src/backends/kind/backend.js";
import { ProcessRunner } from "../src/backends/kind/exec.js";
import type { MilvusBackupPin } from "../src/backends/kind/milvus-backup.js";
import { cachedBinary } from "../src/backends/kind/milvus-backup-build.js";
import { EnvironmentError } from "../src/errors.js";
import {
  alive,
  type Call,
  captureLog,
  FAST_KIND_TIMING,
  FORWARD,
  goRules,
  HEALTHY_PAIR as HEALTHY,
  STANDIN_KIND_OPTIONS as OPTS,
  STANDIN_MILVUS_BACKUP_PIN as PINNED,
  type Rule,
  STANDIN_BIN,
  STANDIN_MILVUS_BACKUP_BINARY,
  standins,
} from "./stand-ins/harness.js";

const IMAGE = `milvus-cdc-drill/milvus-backup:v0.5.16-${PINNED.sha256.slice(0, 12)}`;

const FAST: Partial<KindTiming> = {
  ...FAST_KIND_TIMING,
  milvusBackupBuildTimeoutMs: 5000,
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A PATH of the stand-ins without go (and node, which they run on). */
function pathWithoutGo(): string {
  const bin = mkdtempSync(join(tmpdir(), "nogo-"));
  for (const t of ["docker", "kind", "kubectl", "helm", "standin.mjs"])
    symlinkSync(join(STANDIN_BIN, t), join(bin, t));
  const nodeDir = join(bin, "node");
  mkdirSync(nodeDir);
  symlinkSync(process.execPath, join(nodeDir, "node"));
  cleanups.push(() => rmSync(bin, { recursive: true, force: true }));
  return `${bin}:${nodeDir}`;
}

function setup(
  rules: Rule[],
  o: { pin?: MilvusBackupPin; cacheDir?: string; path?: string; scenario?: "seed" | "failover" } = {},
) {
  const env = standins();
  env.setRules([HEALTHY, FORWARD, ...rules]);
  const workDir = mkdtempSync(join(tmpdir(), "kind-mb-build-"));
  const cacheDir = o.cacheDir ?? join(workDir, "cache");
  const runner = o.path ? new ProcessRunner({ env: { PATH: o.path, STANDIN_DIR: env.dir } }) : env.runner;
  const backend = new KindBackend(OPTS, {
    log: captureLog(),
    runner,
    workDir,
    tools: { kind: "kind", kubectl: "kubectl", helm: "helm" },
    timing: FAST,
    env: { githubActions: false, ci: false },
    milvusBackup: o.pin ?? PINNED,
    milvusBackupCacheDir: cacheDir,
    seeding: (o.scenario ?? "seed") === "seed",
    wayBack: o.scenario === "failover",
  });
  cleanups.push(async () => {
    await backend.teardown();
    for (const c of env.calls()) if (alive(c.pid)) process.kill(c.pid, "SIGKILL");
    env.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });
  return { env, backend, workDir, cacheDir };
}

const shown = (c: Call) => `${c.tool} ${c.args.join(" ")}`;
/** The calls that build, create and load, in order (waits, inspects and reads left out). */
const buildAndCreate = (calls: Call[]) =>
  calls
    .filter(
      (c) =>
        c.tool === "go" ||
        (c.tool === "docker" && c.args[0] === "build") ||
        (c.tool === "kind" && c.args[0] !== "version"),
    )
    .map(shown);

describe("the pinned milvus-backup, built through a stand-in go", () => {
  for (const scenario of ["seed", "failover"] as const) {
    it(`${scenario}: go preflight, download, build and docker build run before kind create; the image is loaded into the node after it`, async () => {
      const { env, backend, workDir, cacheDir } = setup(goRules(PINNED, { dir: "/m/mb@v0.5.16" }), {
        scenario,
      });
      await backend.provision();
      const bin = cachedBinary(cacheDir, PINNED);
      const ldflags = `-X "github.com/zilliztech/milvus-backup/version.Version=v0.5.16" -X "github.com/zilliztech/milvus-backup/version.Commit=719e9acbb5430ad04a2bdc7cb9c14f298846f8ba"`;
      const calls = buildAndCreate(env.calls());
      expect(calls).toEqual([
        "go version",
        "go mod download -json github.com/zilliztech/milvus-backup@v0.5.16",
        `go build -C /m/mb@v0.5.16 -trimpath -ldflags ${ldflags} -o ${bin}.${process.pid}.partial .`,
        `docker build -t ${IMAGE} ${join(workDir, "milvus-backup-image")}`,
        expect.stringMatching(/^kind create cluster --name drill-test /),
        `kind load docker-image ${IMAGE} --name drill-test`,
      ]);
      // The checked binary stays in the cache under its pin; the image context is gone.
      expect(readFileSync(bin, "utf8")).toBe(STANDIN_MILVUS_BACKUP_BINARY);
      expect(existsSync(join(workDir, "milvus-backup-image"))).toBe(false);
      expect(backend.backup).toBeTypeOf("function");
      expect(backend.info.details.milvusBackup).toContain(`sha256 ${PINNED.sha256}`);
    });
  }

  it("a second drill finds the checked binary in the cache: no go call at all (go need not even be installed)", async () => {
    const first = setup(goRules(PINNED));
    await first.backend.provision();
    const again = setup([], { cacheDir: first.cacheDir, path: pathWithoutGo() });
    await again.backend.provision();
    const calls = buildAndCreate(again.env.calls());
    expect(calls.filter((c) => c.startsWith("go "))).toEqual([]);
    expect(calls[0]).toMatch(/^docker build -t milvus-cdc-drill\/milvus-backup:v0\.5\.16-/);
  });

  it("kind load docker-image failing (kind#3795) falls back to an image archive, through preload's own fallback", async () => {
    const { env, backend } = setup([
      ...goRules(PINNED),
      {
        tool: "kind",
        match: "^load docker-image milvus-cdc-drill",
        respond: [{ code: 1, stderr: "ERROR: content digest sha256:1 not found" }],
      },
    ]);
    await backend.provision();
    const calls = env.calls().map(shown);
    const load = calls.findIndex((c) => c.startsWith("kind load docker-image milvus-cdc-drill"));
    expect(calls.slice(load + 1, load + 3)).toEqual([
      expect.stringMatching(
        new RegExp(`^docker save --platform linux/\\w+ -o .*image-0\\.tar ${IMAGE.replace(/[.]/g, "\\.")}$`),
      ),
      expect.stringMatching(/^kind load image-archive .*image-0\.tar --name drill-test$/),
    ]);
  });
});

describe("refusals, each in one line before anything is created", () => {
  async function refused(rules: Rule[], o: Parameters<typeof setup>[1] = {}) {
    const s = setup(rules, o);
    const err = (await s.backend.provision().catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message.split("\n")).toHaveLength(1);
    expect(s.env.calls().some((c) => c.tool === "kind" && c.args[0] === "create")).toBe(false);
    expect(s.env.calls().some((c) => c.tool === "docker" && c.args[0] === "build")).toBe(false);
    return { err, ...s };
  }

  it("no go on PATH: names go and how to get it", async () => {
    const { err } = await refused([], { path: pathWithoutGo() });
    expect(err.message).toMatch(
      /^go: not found on PATH .*builds the pinned milvus-backup v0\.5\.16 from source .*actions\/setup-go.*nothing was created$/,
    );
  });

  it("a go older than 1.21 cannot fetch the pinned toolchain", async () => {
    const { err, env } = await refused([
      { tool: "go", match: "^version$", respond: [{ stdout: "go version go1.20.14 linux/amd64\n" }] },
    ]);
    expect(err.message).toMatch(
      /^go: 1\.20\.14 is older than 1\.21\.0 and cannot fetch the pinned toolchain go1\.25\.5/,
    );
    expect(
      env
        .calls()
        .filter((c) => c.tool === "go")
        .map(shown),
    ).toEqual(["go version"]);
  });

  it("the module proxy refused (network): go's own error, named", async () => {
    const { err } = await refused(goRules(PINNED, { fail: "network" }));
    expect(err.message).toMatch(
      /^go mod download github\.com\/zilliztech\/milvus-backup@v0\.5\.16 failed: .*proxy\.golang\.org.*connection refused; nothing was created$/,
    );
  });

  it("the pinned toolchain cannot be fetched (network): go's stderr, named", async () => {
    const { err } = await refused(goRules(PINNED, { fail: "toolchain-network" }));
    expect(err.message).toMatch(/failed: .*download go1\.25\.5.*connection refused/);
  });

  it("go's checksum database disagrees with the download: go's SECURITY ERROR, named", async () => {
    const { err } = await refused(goRules(PINNED, { fail: "checksum-mismatch" }));
    expect(err.message).toMatch(/failed: verifying .*checksum mismatch.*SECURITY ERROR/);
  });

  it("a Sum that is not the pinned one (another proxy, GONOSUMDB): refused naming both, nothing built", async () => {
    const other = "h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";
    const { err, env } = await refused(goRules(PINNED, { sum: other }));
    expect(err.message).toBe(
      `go mod download github.com/zilliztech/milvus-backup@v0.5.16: its Sum is ${other}, not the pinned ${PINNED.sum}; refused (MILVUS_BACKUP_PIN in src/backends/kind/milvus-backup.ts); nothing was created`,
    );
    expect(env.calls().some((c) => c.tool === "go" && c.args[0] === "build")).toBe(false);
  });

  it("a binary whose sha256 is not the pinned one: refused naming both, nothing kept in the cache", async () => {
    const { err, cacheDir } = await refused(goRules(PINNED, { binary: "another binary\n" }));
    const got = createHash("sha256").update("another binary\n").digest("hex");
    expect(err.message).toMatch(
      new RegExp(
        `the binary's sha256 is ${got}, not the pinned ${PINNED.sha256}; refused .*nothing was created$`,
      ),
    );
    const dir = dirname(cachedBinary(cacheDir, PINNED));
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it("a build that writes nothing is refused, not loaded", async () => {
    const rules = goRules(PINNED).filter((r) => !r.match.startsWith("^build"));
    const { err } = await refused([...rules, { tool: "go", match: "^build ", respond: [{}] }]);
    expect(err.message).toMatch(/wrote no binary/);
  });
});
