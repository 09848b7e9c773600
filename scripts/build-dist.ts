/**
 * Bundles the Action and the child processes it starts into dist/ (committed: a runner executes
 * dist/ straight from the checkout, with no node_modules). Output must be byte-identical for the
 * same sources, because CI compares a fresh build with the committed one (scripts/check-dist.ts).
 *
 *   npx tsx scripts/build-dist.ts [--out DIR] [--from-head]
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Every file that must exist in dist/: the two Action steps and the local backend's child processes
 * (their parents start them as siblings of the running file, dist/<name>.js).
 * Entries that do not exist yet are skipped so the Action can be bundled while they are written.
 */
export const ENTRIES: ReadonlyArray<{ out: string; src: string }> = [
  { out: "main", src: "src/action/main.ts" },
  { out: "post", src: "src/action/post.ts" },
  { out: "replicator-main", src: "src/backends/local/replication/replicator-main.ts" },
  { out: "watchdog", src: "src/backends/local/processes/watchdog.ts" },
];

/**
 * @actions/* and the SDK are ESM, but grpc-js and protobufjs are CommonJS: inside an ESM bundle they
 * need `require`, `__filename` and `__dirname`, which only CommonJS modules get for free.
 */
const BANNER = [
  'import { createRequire as __drillCreateRequire } from "node:module";',
  'import { fileURLToPath as __drillFileURLToPath } from "node:url";',
  'import { dirname as __drillDirname } from "node:path";',
  "const require = __drillCreateRequire(import.meta.url);",
  "const __drillFilename = __drillFileURLToPath(import.meta.url);",
  "const __drillDir = __drillDirname(__drillFilename);",
].join("\n");

/** `root` is the source tree to bundle (default: this checkout; see --from-head). */
export async function buildDist(outDir: string, root = ROOT): Promise<string[]> {
  const entries = ENTRIES.filter((e) => existsSync(join(root, e.src)));
  await mkdir(outDir, { recursive: true });
  // Stale bundles of removed entries must not linger in a committed dist/.
  for (const f of await readdir(outDir)) {
    if (f.endsWith(".js") || f.endsWith(".js.map") || f === "licenses.txt")
      await rm(join(outDir, f), { force: true });
  }
  await rm(join(outDir, "chunks"), { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    // A --from-head tree links node_modules: keep its paths (and so the output) as in the checkout.
    preserveSymlinks: true,
    metafile: true,
    entryPoints: Object.fromEntries(entries.map((e) => [e.out, e.src])),
    outdir: outDir,
    bundle: true,
    platform: "node",
    format: "esm",
    // Code the entries share (the SDK, the drill library) goes into chunk files once, which keeps
    // every file of the committed dist/ small enough to review and diff.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    target: "node20",
    banner: { js: BANNER },
    // CommonJS dependencies use __filename/__dirname freely; ESM dependencies may declare their own
    // top-level variables of those names (the artifact client's storage SDK does), so the banner's
    // values go under other names and only free uses are pointed at them.
    define: { __filename: "__drillFilename", __dirname: "__drillDir" },
    // Deterministic output: no content hashes, no absolute paths, no timestamps.
    sourcemap: false,
    legalComments: "eof",
    minify: false,
    logLevel: "warning",
    charset: "utf8",
  });
  if (root === ROOT) {
    warnUncommitted(Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/")));
  }
  // Entries and their shared chunks, relative to outDir.
  return Object.keys(result.metafile.outputs)
    .map((f) => relative(resolve(root, outDir), resolve(root, f)))
    .sort();
}

/**
 * Bundles the committed sources (HEAD) instead of the working tree, for a dist/ that check-dist
 * will accept while other edits are still in progress in the checkout.
 */
export async function buildDistFromHead(outDir: string): Promise<string[]> {
  const tree = await mkdtemp(join(tmpdir(), "drill-head-"));
  try {
    const archive = execFileSync("git", ["archive", "--format=tar", "HEAD"], {
      cwd: ROOT,
      maxBuffer: 512 * 1024 * 1024,
    });
    execFileSync("tar", ["-x", "-C", tree], { input: archive });
    await symlink(join(ROOT, "node_modules"), join(tree, "node_modules"), "dir");
    return await buildDist(outDir, tree);
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}

/**
 * dist/ is committed and checked against the committed sources: a bundle of edited, uncommitted
 * files would fail that check later, so say which files it holds.
 */
function warnUncommitted(sources: string[]): void {
  let changed: string[] = [];
  try {
    const out = execFileSync("git", ["status", "--porcelain", "--", ...sources], {
      cwd: ROOT,
      encoding: "utf8",
    });
    changed = out
      .split("\n")
      .filter(Boolean)
      .map((l) => l.slice(3));
  } catch {
    return; // not a git checkout (e.g. an unpacked package): nothing to compare with
  }
  if (changed.length > 0) {
    console.error(
      `build-dist: bundled uncommitted changes in ${changed.join(", ")}; rebuild once they are committed`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--out");
  const out = i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1] as string) : join(ROOT, "dist");
  const fromHead = process.argv.includes("--from-head");
  (fromHead ? buildDistFromHead(out) : buildDist(out)).then(
    (files) => console.log(`built ${files.join(", ")} into ${out}`),
    (e: unknown) => {
      console.error(`build-dist: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
