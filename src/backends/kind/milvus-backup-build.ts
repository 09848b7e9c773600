/**
 * The pinned milvus-backup, built from source and checked (why: milvus-backup.ts), then put into the
 * kind node as a `FROM scratch` image:
 * 1. `go mod download -json <module>@<version>`: the module from the Go proxy, verified by the Go
 *    checksum database; refused unless its Sum is the pinned one.
 * 2. `go build` in the module's directory with the pinned toolchain (GOTOOLCHAIN fetches it through
 *    the module proxy, also checked by the checksum database), -trimpath, CGO off, fixed ldflags;
 *    refused unless the binary's sha256 is the pinned one.
 * 3. `docker build` of the binary alone; the image is loaded into the node like every other image
 *    (preload.ts: kind load docker-image, or the image archive of kind#3795).
 * The checked binary is cached by its pin, so a second drill neither downloads nor builds.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { EnvironmentError } from "../../errors.js";
import { type CommandRunner, tail } from "./exec.js";
import { MILVUS_BACKUP_DOCKERFILE, type MilvusBackupPin, milvusBackupImage } from "./milvus-backup.js";
import { compareVersions, parseVersion } from "./options.js";

/** The pinned milvus-backup could not be had, or is not what was pinned: exit 3, like a tool. */
export class MilvusBackupBuildError extends EnvironmentError {
  override name = "MilvusBackupBuildError";
}

/** GOTOOLCHAIN (switching to a pinned toolchain) exists from Go 1.21. */
export const GO_MINIMUM = "1.21.0";

export const GO_HINT =
  "install Go >= 1.21 (on GitHub runners it is preinstalled, or use actions/setup-go); it fetches the pinned toolchain itself";

export interface BuildOps {
  runner: CommandRunner;
  /** Per go/docker call (a cold build downloads ~150 modules and compiles ~110 MB). */
  timeoutMs: number;
  /** Where checked binaries are kept, one directory per pin. */
  cacheDir: string;
  signal?: AbortSignal;
  log: (m: string) => void;
}

/** The binary's place in the cache: keyed by version and sha256, so another pin never reuses it. */
export function cachedBinary(cacheDir: string, pin: MilvusBackupPin): string {
  return join(cacheDir, `${pin.version}-${pin.sha256}`, "milvus-backup");
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** The go build arguments, exactly as pinned (scripts/pin-milvus-backup.ts and commands.sh use them too). */
export function goBuildArgs(pin: MilvusBackupPin, dir: string, out: string): string[] {
  const ldflags = `-X "${pin.module}/version.Version=${pin.version}" -X "${pin.module}/version.Commit=${pin.commit}"`;
  return ["build", "-C", dir, "-trimpath", "-ldflags", ldflags, "-o", out, "."];
}

/** The environment of every go call: the pinned toolchain; the build static and read-only on go.mod. */
export function goEnv(pin: MilvusBackupPin): Record<string, string> {
  return { GOTOOLCHAIN: pin.toolchain, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" };
}

/** Whether the cache already holds the checked binary (then Go is not needed). */
export async function cachedAndChecked(cacheDir: string, pin: MilvusBackupPin): Promise<string | null> {
  const bin = cachedBinary(cacheDir, pin);
  if (!existsSync(bin)) return null;
  return (await sha256File(bin)) === pin.sha256 ? bin : null;
}

/**
 * Preflight, before anything is provisioned: `go` must be on PATH and know GOTOOLCHAIN, unless the
 * cache holds the checked binary already.
 */
export async function preflightGo(ops: BuildOps, pin: MilvusBackupPin): Promise<string | null> {
  if (await cachedAndChecked(ops.cacheDir, pin)) return null;
  const r = await ops.runner
    .run("go", ["version"], {
      timeoutMs: ops.timeoutMs,
      purpose: "go to print its version",
      env: { GOTOOLCHAIN: "local" },
      allowFailure: true,
      signal: ops.signal,
    })
    .catch((e: unknown) => ({ code: 127, stdout: "", stderr: e instanceof Error ? e.message : String(e) }));
  const m = /go(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout);
  const v = m?.[1] ? parseVersion(m[1].split(".").length === 2 ? `${m[1]}.0` : m[1]) : null;
  if (r.code !== 0 || !v)
    throw new MilvusBackupBuildError(
      `go: not found on PATH ('go version' failed: ${tail(r.stderr || r.stdout, 1) || `exit ${r.code}`}); the kind backend builds the pinned milvus-backup ${pin.version} from source for scenario seed and the failover's way back: ${GO_HINT}; nothing was created`,
    );
  if (compareVersions(v, parseVersion(GO_MINIMUM) as NonNullable<typeof v>) < 0)
    throw new MilvusBackupBuildError(
      `go: ${m?.[1]} is older than ${GO_MINIMUM} and cannot fetch the pinned toolchain ${pin.toolchain} (GOTOOLCHAIN); ${GO_HINT}; nothing was created`,
    );
  return m?.[1] ?? null;
}

interface ModDownloadJson {
  Path?: string;
  Version?: string;
  Error?: string;
  Dir?: string;
  Sum?: string;
}

/** Downloads, checks and builds the pinned binary into the cache (or finds it there); returns its path. */
export async function buildMilvusBackup(ops: BuildOps, pin: MilvusBackupPin): Promise<string> {
  const cached = await cachedAndChecked(ops.cacheDir, pin);
  if (cached) {
    ops.log(`milvus-backup ${pin.version}: the checked binary is cached (${cached}), sha256 ${pin.sha256}`);
    return cached;
  }
  const mod = `${pin.module}@${pin.version}`;
  const dl = await ops.runner.run("go", ["mod", "download", "-json", mod], {
    timeoutMs: ops.timeoutMs,
    purpose: `go mod download ${mod}`,
    env: goEnv(pin),
    allowFailure: true,
    signal: ops.signal,
  });
  let info: ModDownloadJson = {};
  try {
    info = JSON.parse(dl.stdout || "{}") as ModDownloadJson;
  } catch {
    // go printed no JSON (it failed before the download: e.g. fetching the toolchain).
  }
  if (dl.code !== 0 || info.Error || !info.Dir)
    throw new MilvusBackupBuildError(
      `go mod download ${mod} failed: ${(info.Error ?? tail(dl.stderr || dl.stdout, 2)).replace(/\n/g, " ") || `exit ${dl.code}`}; nothing was created`,
    );
  if (info.Sum !== pin.sum)
    throw new MilvusBackupBuildError(
      `go mod download ${mod}: its Sum is ${info.Sum ?? "missing"}, not the pinned ${pin.sum}; refused (MILVUS_BACKUP_PIN in src/backends/kind/milvus-backup.ts); nothing was created`,
    );
  // Absolute: go build -C reads -o relative to the module's directory.
  const bin = resolve(cachedBinary(ops.cacheDir, pin));
  await mkdir(join(bin, ".."), { recursive: true });
  const partial = `${bin}.${process.pid}.partial`;
  try {
    ops.log(`milvus-backup ${pin.version}: Sum ${info.Sum} as pinned; building it with ${pin.toolchain}`);
    await ops.runner.run("go", goBuildArgs(pin, info.Dir, partial), {
      timeoutMs: ops.timeoutMs,
      purpose: `go build of ${mod} with ${pin.toolchain}`,
      env: goEnv(pin),
      signal: ops.signal,
    });
    if (!existsSync(partial))
      throw new MilvusBackupBuildError(
        `go build of ${mod} wrote no binary at ${partial}; nothing was created`,
      );
    const got = await sha256File(partial);
    if (got !== pin.sha256)
      throw new MilvusBackupBuildError(
        `go build of ${mod} with ${pin.toolchain}: the binary's sha256 is ${got}, not the pinned ${pin.sha256}; refused (a different toolchain, platform or source makes another binary); nothing was created`,
      );
    await rename(partial, bin);
  } finally {
    await rm(partial, { force: true }).catch(() => {});
  }
  ops.log(`milvus-backup ${pin.version}: built, sha256 ${pin.sha256} as pinned (${bin})`);
  return bin;
}

/** `docker build` of the scratch image from the checked binary, in a context under workDir. */
export async function buildMilvusBackupImage(
  ops: BuildOps & { workDir: string },
  pin: MilvusBackupPin,
  binary: string,
): Promise<string> {
  const image = milvusBackupImage(pin);
  const ctx = join(ops.workDir, "milvus-backup-image");
  await rm(ctx, { recursive: true, force: true });
  await mkdir(ctx, { recursive: true });
  await link(binary, join(ctx, "milvus-backup")).catch(() => copyFile(binary, join(ctx, "milvus-backup")));
  await writeFile(join(ctx, "Dockerfile"), MILVUS_BACKUP_DOCKERFILE);
  try {
    await ops.runner.run("docker", ["build", "-t", image, ctx], {
      timeoutMs: ops.timeoutMs,
      purpose: `docker build of ${image}`,
      signal: ops.signal,
    });
  } finally {
    await rm(ctx, { recursive: true, force: true }).catch(() => {});
  }
  return image;
}
