/**
 * Bulk import on kind (workload trigger bulkImport, issue 23) through stand-ins: the file staged into
 * the primary's own MinIO bucket by `kubectl exec`, then the import job run and waited for through a
 * stand-in client; a failed job, a job that never finishes and a failed staging each end the way the
 * history needs (fail: no row can be there; info: unknown).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExistingBackend, type ExistingOptions } from "../src/backends/existing/backend.js";
import { KindBackend, type KindTiming } from "../src/backends/kind/backend.js";
import { importKey, stageScript } from "../src/backends/kind/bulk-import.js";
import { clusterStorage } from "../src/backends/kind/milvus-backup.js";
import type { KindOptions } from "../src/backends/kind/options.js";
import { type ImportClient, ImportJobError, importJson } from "../src/milvus/import.js";
import {
  alive,
  captureLog,
  FAST_KIND_TIMING,
  FORWARD,
  HEALTHY_PAIR as HEALTHY,
  type Rule,
  STANDIN_KIND_OPTIONS,
  standins,
} from "./stand-ins/harness.js";

const OPTS: KindOptions = { ...STANDIN_KIND_OPTIONS, usePreinstalledTools: true };
const FAST: Partial<KindTiming> = {
  ...FAST_KIND_TIMING,
  importTimeoutMs: 300,
};

const STAGED: Rule = {
  tool: "kubectl",
  match: "^exec -i -n drills svc/alpha-minio",
  respond: [{ stdout: "staged" }],
};

/** A stand-in import client: records its calls, answers the progress reads in turn (the last repeats). */
function client(states: Array<{ state: string; row_count?: number; reason?: string }>, create?: unknown) {
  const calls: string[] = [];
  let i = 0;
  const c: ImportClient & { closeConnection: () => void } = {
    async bulkInsert(req) {
      calls.push(`bulkInsert ${req.collection_name} ${req.files.join(",")}`);
      return (create as never) ?? { status: { error_code: "Success" }, tasks: ["460123456789012345"] };
    },
    async getImportState(req) {
      calls.push(`getImportState ${req.task}`);
      const s = states[Math.min(i++, states.length - 1)] as (typeof states)[number];
      return {
        status: { error_code: "Success" },
        state: s.state,
        row_count: s.row_count ?? 0,
        infos: s.reason ? [{ key: "failed_reason", value: s.reason }] : [],
      };
    },
    closeConnection() {
      calls.push("close");
    },
  };
  return { c, calls };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(rules: Rule[], imp: ImportClient) {
  const env = standins();
  env.setRules([HEALTHY, FORWARD, ...rules]);
  const workDir = mkdtempSync(join(tmpdir(), "kind-import-"));
  const uris: string[] = [];
  const backend = new KindBackend(OPTS, {
    log: captureLog(),
    runner: env.runner,
    workDir,
    timing: FAST,
    env: { githubActions: false, ci: false },
    importClient: (uri) => {
      uris.push(uri);
      return imp;
    },
  });
  cleanups.push(async () => {
    await backend.teardown();
    for (const c of env.calls()) if (alive(c.pid)) process.kill(c.pid, "SIGKILL");
    env.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });
  const pair = await backend.provision();
  return { env, backend, pair, uris };
}

const FILE = importJson([{ pk: 960000001, ver: 1, vec: new Float32Array([0.5, -0.25]) }]);
const REQ = { collection: "drill_items", fileName: "import-1.json", content: FILE };

describe("the import file and its staging script", () => {
  it("JSON rows as Milvus imports them: a rows list, float vectors as plain numbers", () => {
    expect(JSON.parse(FILE)).toEqual({ rows: [{ pk: 960000001, ver: 1, vec: [0.5, -0.25] }] });
  });

  it("goes into the primary's own bucket; the MinIO keys stay in the pod; a short write is caught", () => {
    const s = clusterStorage(OPTS, "alpha");
    expect(s.bucket).toBe("alpha");
    const script = stageScript(s, importKey("import-1.json"), 42);
    expect(script).toContain(
      "mc --config-dir /tmp/.mc-drill --quiet pipe drill/alpha/drill-import/import-1.json",
    );
    expect(script).toContain(`*'"size":42,'*`);
    expect(script).toMatch(/"\$u" "\$p"/);
    expect(script).not.toMatch(/minioadmin/);
    expect(() => importKey("../etc/passwd")).toThrow(/not a plain name/);
  });
});

describe("KindBackend.bulkImport through stand-ins", () => {
  it("stages the file by kubectl exec into the primary's MinIO, then creates the job and waits for it, in that order", async () => {
    const imp = client([
      { state: "ImportPending" },
      { state: "ImportStarted" },
      { state: "ImportCompleted", row_count: 1 },
    ]);
    const { env, backend, pair, uris } = await setup([STAGED], imp.c);
    const done = await backend.bulkImport(REQ);
    expect(done).toMatchObject({
      jobId: "460123456789012345",
      rows: 1,
      object: "alpha/drill-import/import-1.json",
    });
    expect(done.waitedFor).toMatch(
      /^import job 460123456789012345 \(the import of drill-import\/import-1\.json into drill_items\)/,
    );
    // The import runs through the primary's client address.
    expect(uris).toEqual([pair.source.uri]);
    const exec = env.calls().filter((c) => c.args[0] === "exec");
    expect(exec.map((c) => c.args.slice(0, 8).join(" "))).toEqual([
      "exec -i -n drills svc/alpha-minio -- sh -c",
    ]);
    expect(exec[0]?.args.at(-1)).toContain(`"size":${Buffer.byteLength(FILE)},`);
    expect(imp.calls).toEqual([
      "bulkInsert drill_items drill-import/import-1.json",
      "getImportState 460123456789012345",
      "getImportState 460123456789012345",
      "getImportState 460123456789012345",
      "close",
    ]);
  });

  it("a failed job is outcome fail, with Milvus's reason and the job named", async () => {
    const imp = client([{ state: "ImportStarted" }, { state: "ImportFailed", reason: "field ver missing" }]);
    const { backend } = await setup([STAGED], imp.c);
    const err = await backend.bulkImport(REQ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportJobError);
    expect((err as ImportJobError).outcome).toBe("fail");
    expect((err as Error).message).toMatch(/import job 460123456789012345 .* failed: field ver missing/);
    expect(imp.calls.at(-1)).toBe("close");
  });

  it("a job that never finishes is a bounded wait naming the job; its outcome is unknown (info), never fail", async () => {
    const imp = client([{ state: "ImportStarted", row_count: 0 }]);
    const { backend } = await setup([STAGED], imp.c);
    const err = await backend.bulkImport(REQ).catch((e: unknown) => e);
    expect((err as ImportJobError).outcome).toBe("info");
    expect((err as Error).message).toMatch(
      /timed out after 300 ms waiting for import job 460123456789012345 \(the import of drill-import\/import-1\.json into drill_items\) to complete; last seen: ImportStarted, 0 rows/,
    );
  });

  it("a refused create is fail; a staging that failed is fail and no job is created", async () => {
    const refused = client([], { status: { error_code: "UnexpectedError", reason: "collection not found" } });
    const a = await setup([STAGED], refused.c);
    const e1 = await a.backend.bulkImport(REQ).catch((e: unknown) => e);
    expect((e1 as ImportJobError).outcome).toBe("fail");
    expect((e1 as Error).message).toMatch(/Milvus refused it: collection not found/);

    const imp = client([{ state: "ImportCompleted" }]);
    const b = await setup(
      [
        {
          tool: "kubectl",
          match: "^exec",
          respond: [{ code: 3, stderr: "no MinIO keys in the container environment" }],
        },
      ],
      imp.c,
    );
    const e2 = await b.backend.bulkImport(REQ).catch((e: unknown) => e);
    expect((e2 as ImportJobError).outcome).toBe("fail");
    expect((e2 as Error).message).toMatch(
      /staging the import file alpha\/drill-import\/import-1\.json in alpha's MinIO failed/,
    );
    expect(imp.calls).toEqual(["close"]);
  });
});

describe("ExistingBackend.bulkImport (storage configured: kube.importBucket)", () => {
  const base: ExistingOptions = {
    source: { uri: "http://prod-a:19530", token: "root:s3cret", clusterId: null, replicateUri: null },
    target: { uri: "http://prod-b:19530", clusterId: null, replicateUri: null },
    pchannels: 16,
    configureReplication: false,
    kube: { context: "prod", namespace: "milvus", sourceInstance: "my-release", importBucket: "milvus-data" },
    killCdcCommand: null,
  };
  function existing(options: ExistingOptions, imp: ImportClient) {
    const env = standins();
    env.setRules([STAGED_EXISTING]);
    cleanups.push(() => env.cleanup());
    const endpoints: Array<{ uri: string; token?: string }> = [];
    const backend = new ExistingBackend(options, {
      log: captureLog(),
      runner: env.runner,
      timing: { pollMs: 20, importTimeoutMs: 300 },
      importClient: (ep) => {
        endpoints.push(ep);
        return imp;
      },
    });
    return { env, backend, endpoints };
  }
  const STAGED_EXISTING: Rule = { tool: "kubectl", match: "^exec", respond: [{ stdout: "staged" }] };

  it("stages into the given bucket of the primary's MinIO through the given context, then imports on the primary with its token", async () => {
    const imp = client([{ state: "ImportCompleted", row_count: 1 }]);
    const { env, backend, endpoints } = existing(base, imp.c);
    const done = await backend.bulkImport(REQ);
    expect(done.object).toBe("milvus-data/drill-import/import-1.json");
    const exec = env.calls().filter((c) => c.args[0] === "exec");
    expect(exec.map((c) => [c.access.context, c.args.slice(0, 5).join(" ")])).toEqual([
      ["prod", "exec -i -n milvus svc/my-release-minio"],
    ]);
    expect(exec[0]?.args.at(-1)).toContain("pipe drill/milvus-data/drill-import/import-1.json");
    expect(endpoints).toEqual([{ uri: "http://prod-a:19530", token: "root:s3cret" }]);
    expect(imp.calls).toEqual([
      "bulkInsert drill_items drill-import/import-1.json",
      "getImportState 460123456789012345",
      "close",
    ]);
  });

  it("without importBucket nothing is staged or imported: fail, naming the setting", async () => {
    const imp = client([{ state: "ImportCompleted" }]);
    const { env, backend } = existing(
      {
        ...base,
        kube: { context: null, namespace: "milvus", sourceInstance: "my-release", importBucket: null },
      },
      imp.c,
    );
    const err = await backend.bulkImport(REQ).catch((e: unknown) => e);
    expect((err as ImportJobError).outcome).toBe("fail");
    expect((err as Error).message).toMatch(/backend\.existing\.kube\.importBucket is not set/);
    expect(env.calls()).toEqual([]);
    expect(imp.calls).toEqual([]);
  });
});
