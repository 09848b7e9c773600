/**
 * kind, kubectl and helm: by default a pinned release downloaded from its official URL, verified
 * against a sha256 pinned here, and cached (the Action's tool cache on GitHub runners,
 * `<cacheRoot>/tools` elsewhere). ubuntu-latest ships all three on PATH, so preferring PATH would
 * make every run drift with the runner image; the machine's own are used only when asked
 * (usePreinstalledTools) and new enough.
 */

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { arch as osArch, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { EnvironmentError } from "../../errors.js";
import { cacheRoot } from "../../util/paths.js";
import type { CommandRunner } from "./exec.js";
import { compareVersions, parseVersion } from "./options.js";

export type ToolName = "kind" | "kubectl" | "helm";
export type Arch = "amd64" | "arm64";

export interface ToolPin {
  version: string;
  /** Oldest version on PATH the backend accepts (features it relies on, e.g. strict field validation). */
  minimum: string;
  url(arch: Arch): string;
  sha256: Record<Arch, string>;
  /** For archives: the path of the executable inside the .tar.gz. */
  member?(arch: Arch): string;
}

export const TOOL_PINS: Record<ToolName, ToolPin> = {
  kind: {
    version: "0.30.0",
    minimum: "0.24.0",
    url: (a) => `https://github.com/kubernetes-sigs/kind/releases/download/v0.30.0/kind-linux-${a}`,
    sha256: {
      amd64: "517ab7fc89ddeed5fa65abf71530d90648d9638ef0c4cde22c2c11f8097b8889",
      arm64: "7ea2de9d2d190022ed4a8a4e3ac0636c8a455e460b9a13ccf19f15d07f4f00eb",
    },
  },
  kubectl: {
    version: "1.34.1",
    // Server-side strict field validation by default (unknown CR fields are errors) from 1.27.
    minimum: "1.27.0",
    url: (a) => `https://dl.k8s.io/release/v1.34.1/bin/linux/${a}/kubectl`,
    sha256: {
      amd64: "7721f265e18709862655affba5343e85e1980639395d5754473dafaadcaa69e3",
      arm64: "420e6110e3ba7ee5a3927b5af868d18df17aae36b720529ffa4e9e945aa95450",
    },
  },
  helm: {
    version: "3.18.4",
    minimum: "3.12.0",
    url: (a) => `https://get.helm.sh/helm-v3.18.4-linux-${a}.tar.gz`,
    sha256: {
      amd64: "f8180838c23d7c7d797b208861fecb591d9ce1690d8704ed1e4cb8e2add966c1",
      arm64: "c0a45e67eef0c7416a8a8c9e9d5d2d30d70e4f4d3f7bea5de28241fffa8f3b89",
    },
    member: (a) => `linux-${a}/helm`,
  },
};

export type ToolPaths = Record<ToolName, string>;

/** kind, kubectl or helm cannot be found or downloaded: exit 3. */
export class ToolError extends EnvironmentError {
  override name = "ToolError";
}

export interface ResolveToolsOptions {
  runner: CommandRunner;
  log: (m: string) => void;
  pins?: Record<ToolName, ToolPin>;
  /** Downloads a URL into memory; injectable so tests never touch the network. */
  download?: (url: string) => Promise<Buffer>;
  cacheDir?: string;
  arch?: Arch;
  timeoutMs?: number;
  /** Use the machine's tools when they meet the minimums (else the pinned ones). Default false. */
  preinstalled?: boolean;
}

export interface ToolUse {
  version: string;
  source: "pinned" | "preinstalled";
}

export interface ResolvedTools {
  paths: ToolPaths;
  /** What ran, for the report. */
  used: Record<ToolName, ToolUse>;
}

const VERSION_ARGS: Record<ToolName, string[]> = {
  kind: ["version"],
  kubectl: ["version", "--client", "-o", "json"],
  helm: ["version", "--template", "{{.Version}}"],
};

/** Reads the version a tool prints; null when it is missing or prints nothing recognisable. */
export async function installedVersion(
  runner: CommandRunner,
  tool: ToolName,
  timeoutMs = 20_000,
): Promise<string | null> {
  try {
    const r = await runner.run(tool, VERSION_ARGS[tool], {
      timeoutMs,
      purpose: `${tool} to print its version`,
    });
    if (tool === "kubectl") {
      const parsed = JSON.parse(r.stdout) as { clientVersion?: { gitVersion?: string } };
      return parsed.clientVersion?.gitVersion?.replace(/^v/, "") ?? null;
    }
    const m = /v?(\d+\.\d+\.\d+)/.exec(r.stdout);
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}

function hostArch(): Arch {
  if (platform() !== "linux") {
    throw new ToolError(
      `the kind backend downloads Linux tools only (this is ${platform()}); install kind, kubectl and helm yourself`,
    );
  }
  const a = osArch();
  if (a === "x64") return "amd64";
  if (a === "arm64") return "arm64";
  throw new ToolError(
    `the kind backend has no pinned tools for CPU architecture '${a}' (allowed: x64, arm64)`,
  );
}

async function defaultDownload(url: string): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5 * 60_000), redirect: "follow" });
  if (!res.ok) throw new ToolError(`download of ${url} failed: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Downloads, verifies and unpacks one pinned tool into dir; returns the executable's path. */
export async function installPinned(
  tool: ToolName,
  pin: ToolPin,
  arch: Arch,
  dir: string,
  runner: CommandRunner,
  download: (url: string) => Promise<Buffer>,
): Promise<string> {
  const url = pin.url(arch);
  const data = await download(url);
  const actual = sha256(data);
  const expected = pin.sha256[arch];
  if (actual !== expected) {
    throw new ToolError(
      `${tool} ${pin.version} from ${url}: sha256 ${actual} does not match the pinned ${expected}; refusing to run it`,
    );
  }
  await mkdir(dir, { recursive: true });
  const target = join(dir, tool);
  const staging = await mkdtemp(join(tmpdir(), `mcd-${tool}-`));
  try {
    if (pin.member) {
      const archive = join(staging, "archive.tar.gz");
      await writeFile(archive, data);
      await runner.run("tar", ["-xzf", archive, "-C", staging, pin.member(arch)], {
        timeoutMs: 60_000,
        purpose: `tar to unpack ${tool}`,
      });
      await rename(join(staging, pin.member(arch)), `${target}.tmp`);
    } else {
      await writeFile(`${target}.tmp`, data);
    }
    await chmod(`${target}.tmp`, 0o755);
    // Renaming last means a crashed install never leaves a half-written executable behind.
    await rename(`${target}.tmp`, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return target;
}

async function viaActionsToolCache(
  tool: ToolName,
  pin: ToolPin,
  arch: Arch,
  runner: CommandRunner,
  download: (url: string) => Promise<Buffer>,
): Promise<string> {
  const tc = await import("@actions/tool-cache");
  const found = tc.find(tool, pin.version, arch);
  if (found) return join(found, tool);
  const staging = await mkdtemp(join(tmpdir(), `mcd-tc-${tool}-`));
  try {
    const exe = await installPinned(tool, pin, arch, staging, runner, download);
    const cached = await tc.cacheFile(exe, tool, tool, pin.version, arch);
    return join(cached, tool);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Finds or installs kind, kubectl and helm; the paths only (see resolveToolsDetailed). */
export async function resolveTools(opts: ResolveToolsOptions): Promise<ToolPaths> {
  return (await resolveToolsDetailed(opts)).paths;
}

/**
 * Finds or installs kind, kubectl and helm, and says which version of each runs. The returned paths
 * are absolute for pinned tools and bare names for preinstalled tools found on PATH.
 */
export async function resolveToolsDetailed(opts: ResolveToolsOptions): Promise<ResolvedTools> {
  const pins = opts.pins ?? TOOL_PINS;
  const download = opts.download ?? defaultDownload;
  const out = {} as ToolPaths;
  const used = {} as Record<ToolName, ToolUse>;
  for (const tool of ["kind", "kubectl", "helm"] as const) {
    const pin = pins[tool];
    if (opts.preinstalled) {
      const have = await installedVersion(opts.runner, tool, opts.timeoutMs);
      const haveV = have ? parseVersion(have) : null;
      const minV = parseVersion(pin.minimum);
      if (have && haveV && minV && compareVersions(haveV, minV) >= 0) {
        opts.log(`${tool} ${have} found on PATH (>= ${pin.minimum}; usePreinstalledTools)`);
        out[tool] = tool;
        used[tool] = { version: have, source: "preinstalled" };
        continue;
      }
      opts.log(
        have
          ? `${tool} ${have} on PATH is older than ${pin.minimum}; using pinned ${pin.version}`
          : `${tool} not found on PATH; using pinned ${pin.version}`,
      );
    } else {
      opts.log(`${tool}: pinned ${pin.version} (sha256-checked; usePreinstalledTools: true uses PATH)`);
    }
    used[tool] = { version: pin.version, source: "pinned" };
    const arch = opts.arch ?? hostArch();
    if (process.env.GITHUB_ACTIONS === "true" && !opts.cacheDir) {
      out[tool] = await viaActionsToolCache(tool, pin, arch, opts.runner, download);
      continue;
    }
    const dir = join(opts.cacheDir ?? join(cacheRoot(), "tools"), `${tool}-${pin.version}-${arch}`);
    const exe = join(dir, tool);
    out[tool] = existsSync(exe) ? exe : await installPinned(tool, pin, arch, dir, opts.runner, download);
  }
  return { paths: out, used };
}
