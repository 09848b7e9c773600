/**
 * Maintainers: re-derive the milvus-backup pin (MILVUS_BACKUP_PIN in src/backends/kind/milvus-backup.ts)
 * by downloading the module and building it here, exactly as the kind backend does, and printing what
 * the pin must hold. Not run by `npm test` (it needs Go and the module proxy).
 *
 *   npx tsx scripts/pin-milvus-backup.ts [--version v0.5.16] [--toolchain go1.25.5] [--builds 2]
 *
 * --builds N (default 1) builds N times, the second and later each with an empty build cache of its
 * own (a cold build: minutes), and refuses when the sha256 differ (not reproducible).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ProcessRunner } from "../src/backends/kind/exec.js";
import { MILVUS_BACKUP_PIN, type MilvusBackupPin } from "../src/backends/kind/milvus-backup.js";
import { goBuildArgs, goEnv, sha256File } from "../src/backends/kind/milvus-backup-build.js";

const { values } = parseArgs({
  options: {
    version: { type: "string", default: MILVUS_BACKUP_PIN.version },
    toolchain: { type: "string", default: MILVUS_BACKUP_PIN.toolchain },
    builds: { type: "string", default: "1" },
  },
});
const runner = new ProcessRunner({});
const timeoutMs = 30 * 60_000;
const base: MilvusBackupPin = {
  ...MILVUS_BACKUP_PIN,
  version: values.version as string,
  toolchain: values.toolchain as string,
};
const mod = `${base.module}@${base.version}`;
const dl = await runner.run("go", ["mod", "download", "-json", mod], {
  timeoutMs,
  purpose: `go mod download ${mod}`,
  env: goEnv(base),
});
const info = JSON.parse(dl.stdout) as { Dir: string; Sum: string; Origin?: { Hash?: string; Ref?: string } };
const commit = info.Origin?.Hash ?? "";
if (!/^[a-f0-9]{40}$/.test(commit)) throw new Error(`${mod}: go printed no Origin commit`);
const pin: MilvusBackupPin = { ...base, sum: info.Sum, commit };
const out = await mkdtemp(join(tmpdir(), "pin-milvus-backup-"));
const shas: string[] = [];
try {
  for (let i = 0; i < Number(values.builds); i++) {
    const bin = join(out, `milvus-backup-${i}`);
    // After the first, each build gets an empty cache: nothing is reused from an earlier build.
    const cache: Record<string, string> = i === 0 ? {} : { GOCACHE: join(out, `cache-${i}`) };
    await runner.run("go", goBuildArgs(pin, info.Dir, bin), {
      timeoutMs,
      purpose: `go build ${i + 1} of ${mod}`,
      env: { ...goEnv(pin), ...cache },
    });
    shas.push(await sha256File(bin));
  }
} finally {
  await rm(out, { recursive: true, force: true });
}
if (new Set(shas).size !== 1)
  throw new Error(`${mod}: the builds differ (${shas.join(", ")}): not reproducible`);
pin.sha256 = shas[0] as string;
console.log(JSON.stringify(pin, null, 2));
const same = (Object.keys(pin) as Array<keyof MilvusBackupPin>).filter(
  (k) => pin[k] !== MILVUS_BACKUP_PIN[k],
);
console.log(
  same.length === 0
    ? "matches MILVUS_BACKUP_PIN"
    : `differs from MILVUS_BACKUP_PIN in: ${same.join(", ")} (${info.Origin?.Ref ?? "no ref"})`,
);
