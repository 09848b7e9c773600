/**
 * Images before and after the kind cluster exists: a preflight that proves every image can be had
 * before anything is created, and a preload that puts them into the node the way the operator's own
 * CI does, without eating a developer's image cache.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { EnvironmentError } from "../../errors.js";
import { type CommandRunner, tail } from "./exec.js";
import type { UsedImage } from "./manifests.js";

export interface ResolvedImage extends UsedImage {
  /** repo@sha256:... when Docker knows it (after a pull, or for an image already on the host). */
  digest: string | null;
  /** The host already held the image before this run. */
  present: boolean;
}

export interface ImageOps {
  runner: CommandRunner;
  /** Per docker call. */
  timeoutMs: number;
  signal?: AbortSignal;
}

async function localDigest(ops: ImageOps, ref: string): Promise<{ present: boolean; digest: string | null }> {
  const r = await ops.runner.run("docker", ["image", "inspect", "--format", "{{json .RepoDigests}}", ref], {
    timeoutMs: ops.timeoutMs,
    purpose: `docker image inspect ${ref}`,
    allowFailure: true,
    signal: ops.signal,
  });
  if (r.code !== 0) return { present: false, digest: null };
  try {
    const digests = JSON.parse(r.stdout.trim() || "[]") as string[];
    return { present: true, digest: digests[0] ?? null };
  } catch {
    return { present: true, digest: null };
  }
}

/**
 * Resolves every image before the cluster is created: present on the host, or its manifest answers
 * from the registry. A missing image fails here in one line naming it, instead of a pod sitting in
 * ImagePullBackOff until the 15-minute readiness wait expires (what a removed `minio/minio` did:
 * milvus-io/milvus#53430). Checks run in parallel; each is bounded by ops.timeoutMs.
 */
export async function preflightImages(ops: ImageOps, images: readonly UsedImage[]): Promise<ResolvedImage[]> {
  const results = await Promise.all(
    images.map(async (img): Promise<ResolvedImage | { img: UsedImage; problem: string }> => {
      const local = await localDigest(ops, img.ref).catch(() => ({ present: false, digest: null }));
      if (local.present) return { ...img, ...local };
      try {
        await ops.runner.run("docker", ["manifest", "inspect", img.ref], {
          timeoutMs: ops.timeoutMs,
          purpose: `the registry to describe ${img.ref}`,
          signal: ops.signal,
        });
        return { ...img, present: false, digest: null };
      } catch (e) {
        return { img, problem: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
  const missing = results.filter((r): r is { img: UsedImage; problem: string } => "problem" in r);
  if (missing.length > 0) {
    const first = missing[0] as { img: UsedImage; problem: string };
    const names = missing.map((m) => `${m.img.name} ${m.img.ref}`).join(", ");
    throw new EnvironmentError(
      `image preflight: cannot pull ${names} (set kind.images.${first.img.name} or --image ${first.img.name}=REF to a registry that serves it); nothing was created. ${tail(first.problem, 2).replace(/\n/g, " ")}`,
    );
  }
  return results as ResolvedImage[];
}

export interface PreloadOptions extends ImageOps {
  kind: string;
  clusterName: string;
  /** Where an image archive may be written for the fallback (deleted right after). */
  workDir: string;
  /** Remove host copies this run pulled: only on throwaway CI runners. */
  removePulled: boolean;
  /** Host platform, for a single-platform `docker save` (e.g. linux/amd64). */
  platform: string;
  warn: (m: string) => void;
  info: (m: string) => void;
}

export interface PreloadResult {
  images: ResolvedImage[];
  pulled: string[];
  /** Images that needed the archive fallback. */
  viaArchive: string[];
  removed: string[];
}

/**
 * Pulls what the host lacks, loads every image into the kind node, and (on CI only) removes the
 * host copies this run pulled. `kind load docker-image` fails with "content digest ... not found"
 * when Docker uses the containerd image store (default from Docker 29; kubernetes-sigs/kind#3795,
 * #4066); the workaround kind documents (kind PR #4247) is a single-platform `docker save` loaded
 * with `kind load image-archive`, which is what the fallback does.
 */
export async function preloadImages(
  o: PreloadOptions,
  images: readonly ResolvedImage[],
): Promise<PreloadResult> {
  const out: PreloadResult = { images: [], pulled: [], viaArchive: [], removed: [] };
  for (const img of images) {
    if (!img.preload) {
      out.images.push(img);
      continue;
    }
    let digest = img.digest;
    if (!img.present) {
      await o.runner.run("docker", ["pull", img.ref], {
        timeoutMs: o.timeoutMs,
        purpose: `docker pull ${img.ref}`,
        signal: o.signal,
      });
      out.pulled.push(img.ref);
      digest = (await localDigest(o, img.ref).catch(() => ({ digest: null }))).digest;
    }
    out.images.push({ ...img, digest });
    try {
      await o.runner.run(o.kind, ["load", "docker-image", img.ref, "--name", o.clusterName], {
        timeoutMs: o.timeoutMs,
        purpose: `kind load docker-image ${img.ref}`,
        signal: o.signal,
      });
    } catch (e) {
      o.warn(
        `kind load docker-image ${img.ref} failed (${tail(e instanceof Error ? e.message : String(e), 1)}); loading it as an image archive instead`,
      );
      const archive = join(o.workDir, `image-${out.viaArchive.length}.tar`);
      try {
        const save = (platform: string[]) =>
          o.runner.run("docker", ["save", ...platform, "-o", archive, img.ref], {
            timeoutMs: o.timeoutMs,
            purpose: `docker save ${img.ref}`,
            signal: o.signal,
          });
        // `docker save --platform` is recent (Docker 28); an older daemon with the classic image store
        // exports one platform anyway, so there the plain save is the same archive.
        await save(["--platform", o.platform]).catch((e: unknown) => {
          if (!/unknown flag: --platform/.test(e instanceof Error ? e.message : String(e))) throw e;
          return save([]);
        });
        await o.runner.run(o.kind, ["load", "image-archive", archive, "--name", o.clusterName], {
          timeoutMs: o.timeoutMs,
          purpose: `kind load image-archive ${img.ref}`,
          signal: o.signal,
        });
      } finally {
        await rm(archive, { force: true }).catch(() => {});
      }
      out.viaArchive.push(img.ref);
    }
  }
  if (o.removePulled && out.pulled.length > 0) {
    // Giving disk back is a courtesy: a failure (a container still using the tag) never fails the run.
    const r = await o.runner
      .run("docker", ["rmi", ...out.pulled], {
        timeoutMs: o.timeoutMs,
        purpose: "docker rmi of the images this run pulled",
        allowFailure: true,
      })
      .catch((e: unknown) => ({ code: 1, stdout: "", stderr: e instanceof Error ? e.message : String(e) }));
    if (r.code === 0) out.removed.push(...out.pulled);
    else o.warn(`docker rmi of pulled images failed (ignored): ${tail(r.stderr || r.stdout, 2)}`);
  } else if (out.pulled.length > 0) {
    o.info(`kept the ${out.pulled.length} image(s) this run pulled (removed only on CI runners)`);
  }
  return out;
}
