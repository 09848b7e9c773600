/**
 * Milvus Backup on kind (scenario seed; the failover's way back): the pin, the version's traps refused
 * by name, the Jobs' config and arguments, the backup points read from the backup's own meta, the
 * calls in order through stand-ins, and `plan` writing the seed steps.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { KindBackend, type KindTiming } from "../src/backends/kind/backend.js";
import {
  type BackupCommand,
  backupArgs,
  backupCommand,
  backupJobManifests,
  backupYaml,
  checkPin,
  flushAllPoint,
  jobName,
  jobState,
  layoutFor,
  META_END,
  MILVUS_BACKUP_PIN,
  type MilvusBackupPin,
  metaBegin,
  metaScript,
  milvusBackupImage,
  parseBackupMeta,
  refuseBucketTrap,
} from "../src/backends/kind/milvus-backup.js";
import { renderCommands, renderSeedFiles } from "../src/backends/kind/plan.js";
import { UsageError } from "../src/errors.js";
import { protoRoot } from "../src/milvus/proto.js";
import {
  alive,
  captureLog,
  STANDIN_KIND_OPTIONS as OPTS,
  STANDIN_MILVUS_BACKUP_PIN as PINNED,
  type Rule,
  STANDIN_BIN,
  standins,
} from "./stand-ins/harness.js";

const IMAGE = `milvus-cdc-drill/milvus-backup:v0.5.16-${PINNED.sha256.slice(0, 12)}`;

/** A FlushAll message as Milvus sends it: ImmutableMessage with its time tick in `_tt`, base 36. */
function flushAll(tt: bigint, id: string): string {
  const t = protoRoot().lookupType("milvus.proto.common.ImmutableMessage");
  const msg = t.fromObject({
    id: { id },
    payload: Buffer.from("flush"),
    properties: { _tt: tt.toString(36) },
  });
  return Buffer.from(t.encode(msg).finish()).toString("base64");
}

const PCH = (c: string, i: number) => `${c}-rootcoord-dml_${i}`;
const ALL = (c: string) => Array.from({ length: 16 }, (_, i) => PCH(c, i));

/** A create Job's log: milvus-backup's own lines, then the three meta files between markers. */
function createLog(flush: Record<string, string>): string {
  const files: Record<string, unknown> = {
    "backup_meta.json": { name: "b1", flush_all_msgs_base64: flush },
    "collection_meta.json": {
      infos: [
        {
          collection_id: 7,
          collection_name: "drill_items",
          physical_channel_names: [PCH("alpha", 3)],
          virtual_channel_names: [`${PCH("alpha", 3)}_7v0`],
        },
      ],
    },
    "segment_meta.json": {
      infos: [
        { collection_id: 7, num_of_rows: 1200 },
        { collection_id: 7, num_of_rows: 300 },
        { collection_id: 7, num_of_rows: 0, is_l0: true },
      ],
    },
  };
  return [
    '[2026/12/07 12:00:00.000 +00:00] [INFO] ["flush all done"]',
    ...Object.entries(files).flatMap(([f, v]) => [metaBegin(f), JSON.stringify(v), META_END]),
    "",
  ].join("\n");
}

describe("milvus-backup pin and traps", () => {
  it("the pin is source, toolchain and binary; the image is named by the binary's sha256; a malformed pin is refused naming the field", () => {
    expect(() => checkPin(MILVUS_BACKUP_PIN)).not.toThrow();
    expect(MILVUS_BACKUP_PIN).toMatchObject({
      module: "github.com/zilliztech/milvus-backup",
      version: "v0.5.16",
      sum: "h1:zkKFh8ddUi32gG5V8h+GvEsc2hWfxcrZ5ziOxSA7iCg=",
      toolchain: "go1.25.5",
    });
    expect(milvusBackupImage(MILVUS_BACKUP_PIN)).toBe("milvus-cdc-drill/milvus-backup:v0.5.16-5a711e621d0e");
    expect(milvusBackupImage(PINNED)).toBe(IMAGE);
    expect(() => milvusBackupImage({ ...PINNED, sha256: "abc" })).toThrow(UsageError);
    expect(() => checkPin({ ...PINNED, sum: "h1:short" })).toThrow(/milvus-backup pin: sum 'h1:short'/);
    expect(() => checkPin({ ...PINNED, toolchain: "latest" })).toThrow(/toolchain 'latest'/);
  });

  it("create always passes --backup_index_extra; restore secondary names both cluster ids", () => {
    expect(backupArgs({ kind: "create", name: "b1" })).toEqual([
      "create",
      "-n",
      "b1",
      "--backup_index_extra",
      "--config",
      "/config/backup.yaml",
    ]);
    expect(
      backupArgs({
        kind: "restore-secondary",
        name: "b1",
        sourceClusterId: "alpha",
        targetClusterId: "bravo",
      }),
    ).toEqual([
      "restore",
      "secondary",
      "-n",
      "b1",
      "--source_cluster_id",
      "alpha",
      "--target_cluster_id",
      "bravo",
      "--config",
      "/config/backup.yaml",
    ]);
  });

  it("v0.5.16: a backup outside the standby's own bucket is refused by name (#1166); the drill's layout passes; a fixed version is not refused", () => {
    const restore = layoutFor(OPTS, "bravo", "bravo");
    expect(() => refuseBucketTrap(PINNED, restore)).not.toThrow();
    // The backup kept in the primary's bucket, as a naive config would: the trap.
    const elsewhere = { ...restore, backup: { ...layoutFor(OPTS, "bravo", "alpha").backup } };
    expect(() => refuseBucketTrap(PINNED, elsewhere)).toThrow(/zilliztech\/milvus-backup#1166.*refused/);
    expect(() => refuseBucketTrap({ ...PINNED, version: "v0.5.17" }, elsewhere)).not.toThrow();
  });

  it("backup.yaml: each cluster's own storage as the operator lays it out, the backup in the standby's bucket, no credential", () => {
    const create = parse(backupYaml(layoutFor(OPTS, "alpha", "bravo"), { kind: "create", name: "b1" }));
    expect(create.milvus).toMatchObject({ address: "alpha-milvus.drills.svc.cluster.local", port: 19530 });
    expect(create.milvus.etcd).toEqual({
      endpoints: "alpha-etcd.drills.svc.cluster.local:2379",
      rootPath: "alpha",
    });
    expect(create.minio).toMatchObject({
      address: "alpha-minio.drills.svc.cluster.local",
      bucketName: "alpha",
      rootPath: "files",
      backupAddress: "bravo-minio.drills.svc.cluster.local",
      backupBucketName: "bravo",
      backupRootPath: "backup",
      // Two MinIO services of one type: milvus-backup copies through itself only when told.
      crossStorage: true,
    });
    expect(create.backup.gcPause).toEqual({
      enable: true,
      address: "http://alpha-milvus.drills.svc.cluster.local:9091",
    });
    const restore = parse(
      backupYaml(layoutFor(OPTS, "bravo", "bravo"), {
        kind: "restore-secondary",
        name: "b1",
        sourceClusterId: "alpha",
        targetClusterId: "bravo",
      }),
    );
    expect(restore.minio).toMatchObject({
      bucketName: "bravo",
      backupBucketName: "bravo",
      crossStorage: false,
    });
    for (const y of [create, restore]) {
      expect(JSON.stringify(y)).not.toMatch(/minioadmin|accessKeyID|secretAccessKey/);
    }
  });

  it("the Job: no retries, its own deadline, the keys from the operator's Secrets; create as an init container in exec form, then the meta printed by the Milvus image", () => {
    const l = layoutFor(OPTS, "alpha", "bravo");
    type Container = {
      name: string;
      image: string;
      imagePullPolicy: string;
      command: string[];
      env: Array<{ name: string }>;
    };
    type Doc = {
      kind: string;
      spec: {
        backoffLimit: number;
        activeDeadlineSeconds: number;
        template: { spec: { initContainers?: Container[]; containers: Container[] } };
      };
    };
    const [cm, job] = backupJobManifests(
      OPTS,
      { kind: "create", name: "b1" },
      l,
      IMAGE,
      "milvusdb/milvus:v2.6.6",
      900,
    ) as Doc[];
    expect(cm?.kind).toBe("ConfigMap");
    expect(job?.spec.backoffLimit).toBe(0);
    expect(job?.spec.activeDeadlineSeconds).toBe(900);
    const pod = job?.spec.template.spec;
    const c = pod?.initContainers?.[0] as Container;
    expect(c).toMatchObject({ name: "milvus-backup", image: IMAGE, imagePullPolicy: "Never" });
    // The scratch image has no shell: the command is the binary itself.
    expect(c.command).toEqual([
      "/app/milvus-backup",
      "create",
      "-n",
      "b1",
      "--backup_index_extra",
      "--config",
      "/config/backup.yaml",
    ]);
    const reader = pod?.containers[0] as Container;
    expect(reader).toMatchObject({ name: "meta", image: "milvusdb/milvus:v2.6.6" });
    expect(reader.command.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(reader.env.map((e) => e.name)).toEqual(["MINIO_BACKUP_ACCESS_KEY", "MINIO_BACKUP_SECRET_KEY"]);
    expect(c.env).toContainEqual({
      name: "MINIO_BACKUP_SECRET_KEY",
      valueFrom: { secretKeyRef: { name: "bravo-minio", key: "secretkey" } },
    });
    expect(c.env).toContainEqual({
      name: "MINIO_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: "alpha-minio", key: "accesskey" } },
    });
    const script = metaScript(l, { kind: "create", name: "b1" });
    expect(reader.command[2]).toBe(script);
    expect(script).toContain(
      "http://bravo-minio.drills.svc.cluster.local:9000/bravo/backup/b1/meta/backup_meta.json",
    );
    expect(jobName({ kind: "create", name: "Drill_Seed_1" })).toBe("mb-create-drill-seed-1");
    const restore: BackupCommand = {
      kind: "restore-secondary",
      name: "b1",
      sourceClusterId: "alpha",
      targetClusterId: "bravo",
    };
    const [, rjob] = backupJobManifests(
      OPTS,
      restore,
      layoutFor(OPTS, "bravo", "bravo"),
      IMAGE,
      "milvusdb/milvus:v2.6.6",
      900,
    ) as Doc[];
    expect(rjob?.spec.template.spec.initContainers).toBeUndefined();
    expect(rjob?.spec.template.spec.containers).toHaveLength(1);
    expect(rjob?.spec.template.spec.containers[0]?.command).toEqual(backupCommand(restore));
  });

  it("jobState: complete, failed with its reason, pending with the pod's waiting reason, failed at once on an image error", () => {
    expect(jobState(JSON.stringify({ status: { succeeded: 1 } })).done).toBe(true);
    const failed = jobState(
      JSON.stringify({
        status: {
          conditions: [
            {
              type: "Failed",
              status: "True",
              reason: "BackoffLimitExceeded",
              message: "Job has reached the specified backoff limit",
            },
          ],
        },
      }),
    );
    expect(failed).toMatchObject({ done: false, failed: expect.stringMatching(/^BackoffLimitExceeded/) });
    const pod = (statuses: Record<string, unknown>) =>
      JSON.stringify({
        items: [{ metadata: { name: "mb-create-b1-x" }, status: { phase: "Pending", ...statuses } }],
      });
    const pending = jobState(
      JSON.stringify({ status: { active: 1 } }),
      pod({
        initContainerStatuses: [{ name: "milvus-backup", state: { waiting: { reason: "PodInitializing" } } }],
      }),
    );
    expect(pending).toEqual({
      done: false,
      failed: null,
      pending: "mb-create-b1-x Pending (PodInitializing)",
    });
    const neverPull = jobState(
      JSON.stringify({ status: { active: 1 } }),
      pod({
        initContainerStatuses: [
          {
            name: "milvus-backup",
            state: {
              waiting: {
                reason: "ErrImageNeverPull",
                message: `Container image "${IMAGE}" is not present with pull policy of Never`,
              },
            },
          },
        ],
      }),
    );
    expect(neverPull.failed).toBe(
      `container milvus-backup of pod mb-create-b1-x Pending (ErrImageNeverPull: Container image "${IMAGE}" is not present with pull policy of Never)`,
    );
    expect(
      jobState(
        JSON.stringify({ status: { active: 1 } }),
        pod({ containerStatuses: [{ name: "meta", state: { waiting: { reason: "ImagePullBackOff" } } }] }),
      ).failed,
    ).toMatch(/^container meta of pod .*ImagePullBackOff/);
  });
});

describe("the backup's points, from its own meta", () => {
  it("decodes each channel's FlushAll time tick (base 36) and message id, each collection's channel and rows", () => {
    const flush = Object.fromEntries(
      ALL("alpha").map((p, i) => [p, flushAll(470979683601612800n + BigInt(i), `m${i}`)]),
    );
    const b = parseBackupMeta(createLog(flush), "b1", "alpha", ALL("alpha"));
    expect(b.points).toHaveLength(16);
    expect(b.points[0]).toEqual({
      pchannel: PCH("alpha", 0),
      timeTick: "470979683601612800",
      messageId: "m0",
    });
    expect(b.points[15]?.timeTick).toBe("470979683601612815");
    expect(b.collections).toEqual([{ name: "drill_items", pchannel: PCH("alpha", 3), rows: 1500 }]);
    expect(b.rows).toBe(1500);
    expect(flushAllPoint("p", flushAll(42n, "x")).timeTick).toBe("42");
  });

  it("a backup without a FlushAll point on a channel cannot seed: refused by name before the restore (#1185)", () => {
    const flush = Object.fromEntries(
      ALL("alpha")
        .slice(1)
        .map((p) => [p, flushAll(1n, "m")]),
    );
    expect(() => parseBackupMeta(createLog(flush), "b1", "alpha", ALL("alpha"))).toThrow(
      /no FlushAll point on alpha-rootcoord-dml_0: .*zilliztech\/milvus-backup#1185.*refused before the restore/,
    );
  });

  it("a log without the meta says so instead of seeding from nothing", () => {
    expect(() => parseBackupMeta("create done\n", "b1", "alpha", ALL("alpha"))).toThrow(
      /holds no backup_meta\.json/,
    );
  });
});

const FAST: Partial<KindTiming> = {
  pollMs: 20,
  callTimeoutMs: 5000,
  applyTimeoutMs: 5000,
  portForwardReadyMs: 5000,
  portForwardRestartDelayMs: 50,
  deleteTimeoutMs: 5000,
  diagnosticsCallTimeoutMs: 5000,
  backupJobTimeoutMs: 2000,
};
const TOOLS = { kind: "kind", kubectl: "kubectl", helm: "helm" };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(rules: Rule[], pin: MilvusBackupPin, seeding = false, timing: Partial<KindTiming> = {}) {
  const env = standins();
  env.setRules(rules);
  const workDir = mkdtempSync(join(tmpdir(), "kind-mb-"));
  const backend = new KindBackend(OPTS, {
    log: captureLog(),
    runner: env.runner,
    workDir,
    tools: TOOLS,
    timing: { ...FAST, ...timing },
    env: { githubActions: false, ci: false },
    milvusBackup: pin,
    seeding,
    // The failover's way back: the backend offers create and restore secondary.
    wayBack: true,
  });
  cleanups.push(async () => {
    await backend.teardown();
    for (const c of env.calls()) if (alive(c.pid)) process.kill(c.pid, "SIGKILL");
    env.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });
  return { env, backend, workDir };
}

const jobJson = (status: Record<string, unknown>) => JSON.stringify({ status });
const NO_PODS = JSON.stringify({ items: [] });

describe("KindBackend: create then restore secondary through stand-ins", () => {
  it("applies each Job, waits for it, reads its log; create on the primary, restore secondary into the standby, in that order", async () => {
    const flush = Object.fromEntries(ALL("alpha").map((p) => [p, flushAll(470979683601612800n, "m")]));
    const { env, backend, workDir } = setup(
      [
        { tool: "kubectl", match: "^apply -f", respond: [{ stdout: "applied" }] },
        {
          tool: "kubectl",
          match: "^get job mb-create-b1",
          respond: [{ stdout: jobJson({ active: 1 }) }, { stdout: jobJson({ succeeded: 1 }) }],
        },
        {
          tool: "kubectl",
          match: "^get job mb-restore-b1",
          respond: [{ stdout: jobJson({ succeeded: 1 }) }],
        },
        { tool: "kubectl", match: "^get pods", respond: [{ stdout: NO_PODS }] },
        {
          tool: "kubectl",
          match: "^logs -n drills job/mb-create-b1",
          respond: [{ stdout: createLog(flush) }],
        },
        {
          tool: "kubectl",
          match: "^logs -n drills job/mb-restore-b1",
          respond: [{ stdout: "restore done" }],
        },
      ],
      PINNED,
    );
    expect(backend.backup).toBeTypeOf("function");
    const b = await backend.backup?.("source", "b1");
    expect(b?.clusterId).toBe("alpha");
    expect(b?.points[0]?.timeTick).toBe("470979683601612800");
    const r = await backend.restoreSecondary?.(b as NonNullable<typeof b>, "target");
    expect(r?.detail).toMatchObject({ job: "mb-restore-b1", image: IMAGE });
    const calls = env
      .calls()
      .map((c) => c.args.join(" "))
      .filter((c) => !c.startsWith("get pods"));
    expect(calls).toEqual([
      `apply -f ${join(workDir, "mb-create-b1.yaml")}`,
      "get job mb-create-b1 -n drills -o json",
      "get job mb-create-b1 -n drills -o json",
      "logs -n drills job/mb-create-b1 -c meta --tail=-1",
      `apply -f ${join(workDir, "mb-restore-b1.yaml")}`,
      "get job mb-restore-b1 -n drills -o json",
      "logs -n drills job/mb-restore-b1 -c milvus-backup --tail=-1",
    ]);
    const restoreJob = parseAllDocuments(readFileSync(join(workDir, "mb-restore-b1.yaml"), "utf8"))
      .map((d) => d.toJS())
      .find((d) => d.kind === "Job");
    expect(restoreJob.spec.template.spec.containers[0].command.join(" ")).toContain(
      "restore secondary -n b1 --source_cluster_id alpha --target_cluster_id bravo",
    );
  });

  it("a failed Job throws with its reason and the tail of its log", async () => {
    const { backend } = setup(
      [
        { tool: "kubectl", match: "^apply -f", respond: [{ stdout: "applied" }] },
        {
          tool: "kubectl",
          match: "^get job",
          respond: [
            {
              stdout: jobJson({
                conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded" }],
              }),
            },
          ],
        },
        { tool: "kubectl", match: "^get pods", respond: [{ stdout: NO_PODS }] },
        {
          tool: "kubectl",
          match: "^logs .* -c milvus-backup",
          respond: [{ stdout: "panic: connect etcd: context deadline exceeded" }],
        },
        { tool: "kubectl", match: "^logs", respond: [{ stdout: "" }] },
      ],
      PINNED,
    );
    await expect(backend.backup?.("source", "b1")).rejects.toThrow(
      /milvus-backup create b1 \(Job mb-create-b1 in drills\) failed: DeadlineExceeded.*milvus-backup: panic: connect etcd/,
    );
  });

  it("a Job that never finishes is a bounded wait naming the Job and why its pod waits", async () => {
    const { backend } = setup(
      [
        { tool: "kubectl", match: "^apply -f", respond: [{ stdout: "applied" }] },
        { tool: "kubectl", match: "^get job", respond: [{ stdout: jobJson({ active: 1 }) }] },
        {
          tool: "kubectl",
          match: "^get pods",
          respond: [
            {
              stdout: JSON.stringify({
                items: [
                  {
                    metadata: { name: "mb-create-b1-q" },
                    status: {
                      phase: "Pending",
                      initContainerStatuses: [{ state: { waiting: { reason: "ContainerCreating" } } }],
                    },
                  },
                ],
              }),
            },
          ],
        },
      ],
      PINNED,
    );
    await expect(backend.backup?.("source", "b1")).rejects.toThrow(
      /timed out after .* waiting for milvus-backup create b1 \(Job mb-create-b1 in drills\) to complete; last seen: mb-create-b1-q Pending \(ContainerCreating\)/,
    );
  });

  it("an image the node does not hold (ErrImageNeverPull) fails the Job's wait at once with the reason, not at its bound", async () => {
    const { backend } = setup(
      [
        { tool: "kubectl", match: "^apply -f", respond: [{ stdout: "applied" }] },
        { tool: "kubectl", match: "^get job", respond: [{ stdout: jobJson({ active: 1 }) }] },
        {
          tool: "kubectl",
          match: "^get pods",
          respond: [
            {
              stdout: JSON.stringify({
                items: [
                  {
                    metadata: { name: "mb-restore-b1-q" },
                    status: {
                      phase: "Pending",
                      containerStatuses: [
                        { name: "milvus-backup", state: { waiting: { reason: "ErrImageNeverPull" } } },
                      ],
                    },
                  },
                ],
              }),
            },
          ],
        },
        { tool: "kubectl", match: "^logs", respond: [{ stdout: "" }] },
      ],
      PINNED,
      false,
      { backupJobTimeoutMs: 60_000 },
    );
    const t0 = Date.now();
    const b = { name: "b1", clusterId: "alpha", points: [], collections: [], rows: 0 };
    await expect(backend.restoreSecondary?.(b, "target")).rejects.toThrow(
      /restore secondary b1 \(Job mb-restore-b1 in drills\) failed: container milvus-backup of pod mb-restore-b1-q Pending \(ErrImageNeverPull\)/,
    );
    // Well under the 60 s bound: the first poll that saw the reason ended the wait.
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it("the way back's direction: a backup of the target is written into the source's bucket, and restored there", async () => {
    const flush = Object.fromEntries(ALL("bravo").map((p) => [p, flushAll(9n, "m")]));
    const { backend, workDir } = setup(
      [
        { tool: "kubectl", match: "^apply -f", respond: [{ stdout: "applied" }] },
        { tool: "kubectl", match: "^get job", respond: [{ stdout: jobJson({ succeeded: 1 }) }] },
        { tool: "kubectl", match: "^get pods", respond: [{ stdout: NO_PODS }] },
        { tool: "kubectl", match: "^logs -n drills job/mb-create", respond: [{ stdout: createLog(flush) }] },
        { tool: "kubectl", match: "^logs", respond: [{ stdout: "ok" }] },
      ],
      PINNED,
    );
    const b = await backend.backup?.("target", "back");
    expect(b?.clusterId).toBe("bravo");
    await backend.restoreSecondary?.(b as NonNullable<typeof b>, "source");
    const docs = (f: string) =>
      parseAllDocuments(readFileSync(join(workDir, f), "utf8")).map((d) => d.toJS());
    const createCfg = parse(docs("mb-create-back.yaml")[0].data["backup.yaml"]);
    expect(createCfg.milvus.address).toBe("bravo-milvus.drills.svc.cluster.local");
    expect(createCfg.minio.backupBucketName).toBe("alpha");
    const restoreJob = docs("mb-restore-back.yaml").find((d) => d.kind === "Job");
    expect(restoreJob.spec.template.spec.containers[0].command.join(" ")).toContain(
      "--source_cluster_id bravo --target_cluster_id alpha",
    );
  });
});

describe("plan for scenario seed", () => {
  it("commands.sh builds the pinned milvus-backup (Sum and sha256 checked), loads its image, and runs the seed steps in restore secondary order", () => {
    const seed = { backupName: "drill-seed-7", pin: PINNED, jobTimeoutMs: 900_000 };
    const files = renderSeedFiles(OPTS, seed);
    expect(Object.keys(files)).toEqual([
      "milvus-backup.Dockerfile",
      "milvus-backup-create.yaml",
      "milvus-backup-restore-secondary.yaml",
    ]);
    expect(files["milvus-backup.Dockerfile"]).toMatch(
      /^FROM scratch\nCOPY milvus-backup \/app\/milvus-backup\n/,
    );
    const sh = renderCommands(OPTS, "drill-test", "drill", undefined, seed);
    const syntax = spawnSync("/bin/bash", ["-n", "-c", sh], { encoding: "utf8" });
    expect(syntax.status, syntax.stderr).toBe(0);
    for (const pinned of [PINNED.module, PINNED.version, PINNED.sum, PINNED.sha256, PINNED.toolchain])
      expect(sh).toContain(pinned);
    const order = [
      "GOTOOLCHAIN=go1.25.5 CGO_ENABLED=0 GOFLAGS=-mod=readonly timeout 1200 go mod download -json github.com/zilliztech/milvus-backup@v0.5.16",
      `[ "$mb_sum" = h1:zkKFh8ddUi32gG5V8h+GvEsc2hWfxcrZ5ziOxSA7iCg= ]`,
      `go build -C "$mb_dir" -trimpath -ldflags '-X "github.com/zilliztech/milvus-backup/version.Version=v0.5.16" -X "github.com/zilliztech/milvus-backup/version.Commit=719e9acbb5430ad04a2bdc7cb9c14f298846f8ba"' -o "$PWD/milvus-backup-bin/milvus-backup" .`,
      `echo '${PINNED.sha256}  milvus-backup-bin/milvus-backup' | sha256sum -c -`,
      `timeout 1200 docker build -t ${IMAGE} -f milvus-backup.Dockerfile milvus-backup-bin`,
      "kind create cluster",
      `load_image ${IMAGE}`,
      "apply -f milvus-backup-create.yaml",
      "job/mb-create-drill-seed-7 --for=condition=complete --timeout=900s",
      "--only standby",
      "apply -f milvus-backup-restore-secondary.yaml",
      "job/mb-restore-drill-seed-7 --for=condition=complete --timeout=900s",
      "--only primary",
    ].map((s) => sh.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The plain replication step (both clusters at once) is not there: the seed configures each side.
    expect(sh).not.toMatch(/replicate --config replicate-config\.json [^\n]*TARGET_PORT"\n/);
    const restore = parseAllDocuments(files["milvus-backup-restore-secondary.yaml"] as string)
      .map((d) => d.toJS())
      .find((d) => d.kind === "Job");
    expect(restore.spec.template.spec.containers[0].command).toEqual([
      "/app/milvus-backup",
      "restore",
      "secondary",
      "-n",
      "drill-seed-7",
      "--source_cluster_id",
      "alpha",
      "--target_cluster_id",
      "bravo",
      "--config",
      "/config/backup.yaml",
    ]);
  });

  it("commands.sh's shell for the Sum reads go's own JSON: the pinned Sum passes, another is refused, no go is refused naming it", () => {
    const sh = renderCommands(OPTS, "drill-test", "drill", undefined, {
      backupName: "x",
      pin: PINNED,
      jobTimeoutMs: 1000,
    });
    const lines = sh.split("\n");
    const from = lines.findIndex((l) => l.startsWith("command -v go"));
    const to = lines.findIndex((l) => l.startsWith('[ "$mb_sum" ='));
    // The download replaced by what go prints; the rest runs as written.
    const script = (sum: string) =>
      [
        "set -euo pipefail",
        ...lines
          .slice(from, to + 1)
          .map((l) =>
            l.startsWith("mb_json=")
              ? `mb_json=$(printf '{\\n\\t"Dir": "/m/mb@v0.5.16",\\n\\t"Sum": "%s",\\n\\t"GoModSum": "h1:x"\\n}' '${sum}')`
              : l,
          ),
        'echo "sum ok $mb_dir"',
      ].join("\n");
    const run = (text: string, path = process.env.PATH) =>
      spawnSync("/bin/bash", ["-c", text], { encoding: "utf8", env: { ...process.env, PATH: path } });
    const ok = run(script(PINNED.sum), `${STANDIN_BIN}:${process.env.PATH}`);
    expect(ok.stdout).toBe("sum ok /m/mb@v0.5.16\n");
    const bad = run(
      script("h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="),
      `${STANDIN_BIN}:${process.env.PATH}`,
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/its Sum is h1:BBBB.*not the pinned h1:zkKF.*refused/);
    const noGo = run(script(PINNED.sum), "/nonexistent");
    expect(noGo.status).toBe(1);
    expect(noGo.stderr).toMatch(/go is not on PATH: install Go >= 1\.21.*actions\/setup-go/);
  });

  it("a malformed pin is refused for a seed plan, in one line", () => {
    expect(() =>
      renderSeedFiles(OPTS, { backupName: "x", pin: { ...PINNED, sha256: "" }, jobTimeoutMs: 1000 }),
    ).toThrow(UsageError);
  });
});
