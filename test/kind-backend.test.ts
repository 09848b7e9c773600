import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { KindBackend, type KindTiming } from "../src/backends/kind/backend.js";
import { loadCrdValidator } from "../src/backends/kind/crd-schema.js";
import type { KindOptions } from "../src/backends/kind/options.js";
import { provisionSteps } from "../src/backends/kind/plan.js";
import { UsageError } from "../src/errors.js";
import {
  alive,
  type Call,
  captureLog,
  FAST_KIND_TIMING,
  FORWARD,
  HEALTHY_PAIR as HEALTHY,
  milvusList,
  STANDIN_KIND_OPTIONS as OPTS,
  podList,
  type Rule,
  standins,
  stillAliveAfter,
} from "./stand-ins/harness.js";

const FAST: Partial<KindTiming> = {
  ...FAST_KIND_TIMING,
  cdcRestartTimeoutMs: 3000,
  standbyRestartTimeoutMs: 3000,
};

type Env = ReturnType<typeof standins>;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOOLS = { kind: "kind", kubectl: "kubectl", helm: "helm" };

function setup(
  rules: Rule[],
  opts: Partial<KindOptions> = {},
  timing: Partial<KindTiming> = {},
  resolveToolsOnPath = false,
  cdcOnTarget = false,
  standbys?: number,
) {
  const env: Env = standins();
  env.setRules(rules);
  const workDir = mkdtempSync(join(tmpdir(), "kind-work-"));
  const diagnosticsDir = join(workDir, "diagnostics");
  const log = captureLog();
  const created: string[] = [];
  const backend = new KindBackend(
    { ...OPTS, ...opts },
    {
      log,
      runner: env.runner,
      workDir,
      diagnosticsDir,
      // Resolving tools costs three stand-in calls; only the first test exercises it.
      ...(resolveToolsOnPath ? {} : { tools: TOOLS }),
      timing: { ...FAST, ...timing },
      env: { githubActions: false, ci: false },
      cdcOnTarget,
      ...(standbys ? { standbys } : {}),
      onCreated: (c) => created.push(c.kindClusterName),
    },
  );
  cleanups.push(async () => {
    await backend.teardown();
    for (const c of env.calls()) if (alive(c.pid)) process.kill(c.pid, "SIGKILL");
    env.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });
  return { env, backend, log, workDir, diagnosticsDir, created };
}

const significant = (calls: Call[]) =>
  calls.filter(
    (c) =>
      !(c.args[0] === "version" || (c.tool === "docker" && c.args.slice(0, 2).join(" ") === "image inspect")),
  );
const isCall = (c: Call, tool: string, prefix: string) =>
  c.tool === tool && c.args.join(" ").startsWith(prefix);

describe("KindBackend.provision through stand-ins", () => {
  it("runs plan's steps in order, waits for Healthy with progress, forwards ports, tears down once", async () => {
    const { env, backend, log, workDir, created } = setup(
      [
        {
          tool: "kubectl",
          match: "^get milvus alpha bravo",
          respond: [
            {
              stdout: milvusList([
                { name: "alpha", status: "Pending", falseConditions: ["MilvusReady"] },
                { name: "bravo", status: "Pending", falseConditions: ["EtcdReady", "MilvusReady"] },
              ]),
            },
            {
              stdout: milvusList([
                { name: "alpha" },
                { name: "bravo", status: "Pending", falseConditions: ["MilvusReady"] },
              ]),
            },
            { stdout: milvusList([{ name: "alpha" }, { name: "bravo" }]) },
          ],
        },
        FORWARD,
      ],
      { usePreinstalledTools: true },
      {},
      true,
    );
    const pair = await backend.provision();
    expect(
      env
        .calls()
        .filter((c) => c.args[0] === "version")
        .map((c) => c.tool),
    ).toEqual(["kind", "kubectl", "helm"]);
    const calls = significant(env.calls());
    const expected = provisionSteps(OPTS, "drill-test", workDir, { githubActions: false });
    expect(calls.slice(0, expected.length).map((c) => [c.tool, ...c.argv])).toEqual(
      expected.map((s) => [s.tool, ...s.args]),
    );
    // Every kubectl and helm call names the drill's own kubeconfig and context explicitly: with
    // KUBECONFIG alone a missing file falls back to in-cluster credentials on a self-hosted runner.
    const kubeconfig = join(workDir, "kubeconfig");
    for (const c of calls.filter((c) => c.tool === "kubectl"))
      expect(c.access, c.args.join(" ")).toEqual({ kubeconfig, context: "kind-drill-test" });
    for (const c of calls.filter((c) => c.tool === "helm"))
      expect(c.access).toEqual({ kubeconfig, "kube-context": "kind-drill-test" });
    expect(calls.find((c) => isCall(c, "kind", "create cluster"))?.args.slice(-2)).toEqual([
      "--kubeconfig",
      kubeconfig,
    ]);
    // The report says which tools and images ran.
    expect(backend.info.details).toMatchObject({
      "tool.kind": "0.30.0 (preinstalled)",
      "tool.kubectl": "1.34.1 (preinstalled)",
      "tool.helm": "3.18.4 (preinstalled)",
      "image.minio": "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z (sha256:0000)",
    });
    expect(created).toEqual(["drill-test"]);
    expect(
      log.lines.some(
        (l) =>
          l.includes("waiting for Healthy") && l.includes("bravo Pending; not ready: EtcdReady, MilvusReady"),
      ),
    ).toBe(true);
    expect(calls.filter((c) => isCall(c, "kubectl", "get milvus"))).toHaveLength(3);
    expect(pair.source).toMatchObject({
      clusterId: "alpha",
      replicateUri: "http://alpha-milvus.drills.svc.cluster.local:19530",
    });
    expect(pair.target.clusterId).toBe("bravo");
    expect(pair.source.pchannels).toHaveLength(16);
    expect(pair.target.pchannels[15]).toBe("bravo-rootcoord-dml_15");
    expect(pair.source.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(pair.source.uri).not.toBe(pair.target.uri);
    const forwards = calls.filter((c) => isCall(c, "kubectl", "port-forward"));
    expect(forwards.map((c) => c.args.join(" ")).sort()).toEqual(
      [
        `port-forward --address 127.0.0.1 -n drills svc/alpha-milvus ${new URL(pair.source.uri).port}:19530`,
        `port-forward --address 127.0.0.1 -n drills svc/bravo-milvus ${new URL(pair.target.uri).port}:19530`,
      ].sort(),
    );

    await Promise.all([backend.teardown(), backend.teardown()]);
    await backend.teardown();
    const deletes = env.calls().filter((c) => isCall(c, "kind", "delete cluster --name drill-test"));
    expect(deletes).toHaveLength(1);
    for (const f of forwards) expect(await stillAliveAfter(f.pid)).toBe(false);
  });

  it("times out waiting for Healthy, names what was not ready, collects diagnostics, then deletes the cluster", async () => {
    const { env, backend, diagnosticsDir } = setup(
      [
        {
          tool: "kubectl",
          match: "^get milvus alpha bravo",
          respond: [
            {
              stdout: milvusList([
                { name: "alpha" },
                { name: "bravo", status: "Pending", falseConditions: ["MilvusReady"] },
              ]),
            },
          ],
        },
        {
          tool: "kubectl",
          match: "component=cdc",
          respond: [{ stdout: podList([{ name: "alpha-milvus-cdc-1", ready: true }]) }],
        },
        {
          tool: "kubectl",
          match: "^get pods -n drills -l app.kubernetes.io/name=milvus",
          respond: [
            {
              stdout: podList([
                { name: "alpha-milvus-standalone-0", ready: true },
                { name: "alpha-milvus-cdc-1", ready: true },
              ]),
            },
          ],
        },
        {
          tool: "kubectl",
          match: "--previous",
          respond: [
            {
              code: 1,
              stderr: 'Error from server (BadRequest): previous terminated container "cdc" not found',
            },
          ],
        },
        { tool: "kubectl", match: "^logs", respond: [{ stdout: "log line\n" }] },
      ],
      { readyTimeoutMs: 300 },
    );
    const err = await backend.provision().catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /timed out after 300ms waiting for Milvus alpha, bravo in namespace drills to be Healthy/,
    );
    expect((err as Error).message).toContain("bravo Pending; not ready: MilvusReady");
    const files = readdirSync(diagnosticsDir);
    expect(files).toEqual(
      expect.arrayContaining([
        "milvus.yaml",
        "pods.txt",
        "events.txt",
        "alpha-milvus-cdc-1.log",
        "alpha-milvus-cdc-1.metrics.txt",
        "alpha-milvus-standalone-0.log",
      ]),
    );
    const calls = env.calls();
    const logCalls = calls.filter((c) => isCall(c, "kubectl", "logs -n drills"));
    // The CDC pod's logs come first, and its previous container is asked for too.
    expect(logCalls[0]?.args).toContain("alpha-milvus-cdc-1");
    expect(logCalls.some((c) => c.args.includes("--previous") && c.args.includes("alpha-milvus-cdc-1"))).toBe(
      true,
    );
    expect(
      calls.some((c) =>
        isCall(
          c,
          "kubectl",
          "get --raw /api/v1/namespaces/drills/pods/alpha-milvus-cdc-1:9091/proxy/metrics",
        ),
      ),
    ).toBe(true);
    expect(calls.some((c) => isCall(c, "kind", "export logs"))).toBe(true);
    const lastDiag = Math.max(
      ...calls.map((c, i) => (c.args[0] === "logs" || c.args[0] === "export" ? i : -1)),
    );
    const del = calls.findIndex((c) => isCall(c, "kind", "delete cluster --name drill-test"));
    expect(del).toBeGreaterThan(lastDiag);
    expect(calls.some((c) => isCall(c, "kubectl", "port-forward"))).toBe(false);
    // Every diagnostics call named the drill's kubeconfig and context (no fallback to ambient credentials).
    for (const c of calls.filter((c) => c.tool === "kubectl"))
      expect(c.access.context).toBe("kind-drill-test");

    // The drill asks again after provision failed (its own diagnostics step): the files collected
    // before teardown come back, and no kubectl runs against the deleted cluster.
    const before = env.calls().length;
    const again = await backend.collectDiagnostics(join(diagnosticsDir, "..", "other"));
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((f) => f.startsWith(diagnosticsDir))).toBe(true);
    expect(env.calls().length).toBe(before);
  });

  it("collects no diagnostics after teardown (the cluster and its kubeconfig are gone)", async () => {
    const { env, backend, log } = setup([HEALTHY, FORWARD]);
    await backend.provision();
    await backend.teardown();
    const before = env.calls().length;
    expect(await backend.collectDiagnostics(join(tmpdir(), "never-written"))).toEqual([]);
    expect(env.calls().length).toBe(before);
    expect(log.lines).toContain(
      "warn diagnostics: the kind cluster is already torn down; nothing to collect",
    );
  });

  it("fails on a helm error with the command and its stderr, and tears down", async () => {
    const stderr =
      'Error: INSTALLATION FAILED: looks like "https://zilliztech.github.io/milvus-operator/" is not a valid chart repository or cannot be reached: Get "https://zilliztech.github.io/milvus-operator/index.yaml": dial tcp: lookup zilliztech.github.io: no such host';
    const { env, backend } = setup([
      { tool: "helm", match: "^upgrade --install", respond: [{ code: 1, stderr }] },
      HEALTHY,
      FORWARD,
    ]);
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^helm upgrade --install milvus-operator milvus-operator .* failed \(exit 1\): Error: INSTALLATION FAILED/,
    );
    expect(err.message).toContain("no such host");
    const calls = env.calls();
    expect(calls.some((c) => isCall(c, "kubectl", "apply"))).toBe(false);
    expect(calls.some((c) => isCall(c, "kind", "delete cluster --name drill-test"))).toBe(true);
  });

  it("kills a hung kubectl wait at its timeout and says what it waited for", async () => {
    const { env, backend } = setup(
      [{ tool: "kubectl", match: "wait --timeout=3m", respond: [{ hang: true }] }, HEALTHY, FORWARD],
      {},
      { operatorWaitTimeoutMs: 2000 },
    );
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^kubectl --kubeconfig \S+ --context kind-drill-test -n milvus-operator wait --timeout=3m --for=condition=available deployments\/milvus-operator: timed out after 2s waiting for kubectl milvus-operator wait/,
    );
    const hung = env.calls().find((c) => isCall(c, "kubectl", "-n milvus-operator wait"));
    expect(hung && (await stillAliveAfter(hung.pid))).toBe(false);
    expect(env.calls().some((c) => isCall(c, "kind", "delete cluster"))).toBe(true);
  });

  it("deletes the cluster even when kind create itself fails half-way", async () => {
    const stderr =
      'ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged drill-test-control-plane kubeadm init" failed with error: exit status 1';
    const { env, backend, created } = setup([
      { tool: "kind", match: "^create cluster", respond: [{ code: 1, stderr }] },
    ]);
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^kind create cluster --name drill-test --config .*kind-config\.yaml --wait 120s --kubeconfig \S+ failed \(exit 1\): ERROR: failed to create cluster/,
    );
    expect(created).toEqual(["drill-test"]);
    expect(env.calls().at(-1)?.tool).toBe("kind");
    expect(env.calls().at(-1)?.args.slice(0, 4)).toEqual(["delete", "cluster", "--name", "drill-test"]);
    expect(env.calls().some((c) => c.tool === "helm")).toBe(false);
  });

  it("fails when a port-forward never starts forwarding, naming the service and the port", async () => {
    const { env, backend } = setup(
      [
        HEALTHY,
        { tool: "kubectl", match: "^port-forward .*svc/bravo-milvus", respond: [{ hang: true }] },
        FORWARD,
      ],
      {},
      { portForwardReadyMs: 1500 },
    );
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^port-forward to svc\/bravo-milvus in namespace drills: timed out after 1\.5s waiting for 'Forwarding from' on port \d+$/,
    );
    const forwards = env.calls().filter((c) => isCall(c, "kubectl", "port-forward"));
    for (const f of forwards) expect(await stillAliveAfter(f.pid)).toBe(false);
    expect(env.calls().some((c) => isCall(c, "kind", "delete cluster --name drill-test"))).toBe(true);
  });

  it("says Docker is missing before creating anything", async () => {
    const { env, backend } = setup([
      {
        tool: "docker",
        match: "^info",
        respond: [
          {
            code: 1,
            stderr:
              "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
          },
        ],
      },
    ]);
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^Docker is required for the kind backend and is not available \('docker info' failed\): .*Is the docker daemon running\?/,
    );
    expect(env.calls().map((c) => c.tool)).toEqual(["docker"]);
  });

  it.each([
    [
      { mode: "swarm" as KindOptions["mode"] },
      "mode: 'swarm' is not a Milvus mode (allowed: standalone, cluster)",
    ],
    [{ milvusVersion: "2.6.5" }, "milvusVersion: '2.6.5' has no built-in CDC (allowed: v2.6.6 or newer"],
    [
      { sourceName: "milvus", targetName: "milvus-b" },
      "sourceName/targetName: 'milvus' and 'milvus-b' contain each other",
    ],
  ])("refuses bad options %j with one line and runs nothing", async (bad, message) => {
    const { env, backend } = setup([HEALTHY, FORWARD], bad);
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain(message);
    expect(err.message).not.toContain("\n");
    expect(env.calls()).toEqual([]);
  });

  it("restarts a port-forward that dies, on the same local port", async () => {
    const { env, backend, log } = setup([
      HEALTHY,
      {
        tool: "kubectl",
        match: "^port-forward .*svc/alpha-milvus",
        respond: [{ forward: { dieAfterMs: 150 } }, { forward: {} }],
      },
      FORWARD,
    ]);
    const pair = await backend.provision();
    const deadline = Date.now() + 5000;
    while (
      Date.now() < deadline &&
      env.calls().filter((c) => c.args.join(" ").includes("svc/alpha-milvus")).length < 2
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    const alpha = env.calls().filter((c) => c.args.join(" ").includes("svc/alpha-milvus"));
    expect(alpha).toHaveLength(2);
    expect(alpha[1]?.args.at(-1)).toBe(`${new URL(pair.source.uri).port}:19530`);
    expect(
      log.lines.some(
        (l) => l.startsWith("warn port-forward to svc/alpha-milvus") && l.includes("lost connection to pod"),
      ),
    ).toBe(true);
    expect(backend.portForwardRestarts()["svc/alpha-milvus in namespace drills"]).toBe(1);
    expect(await stillAliveAfter(alpha[0]?.pid ?? 0)).toBe(false);
    expect(alive(alpha[1]?.pid ?? 0)).toBe(true);
    await backend.teardown();
    expect(await stillAliveAfter(alpha[1]?.pid ?? 0)).toBe(false);
  });

  it("frees runner disk only on GitHub runners, before the cluster is created", async () => {
    const { env, backend } = setup([HEALTHY, FORWARD], { freeDisk: true });
    await backend.provision();
    expect(env.calls().some((c) => c.tool === "sudo")).toBe(false);

    const gh = standins();
    gh.setRules([HEALTHY, FORWARD]);
    const b2 = new KindBackend(
      { ...OPTS, freeDisk: true },
      { log: captureLog(), runner: gh.runner, timing: FAST, tools: TOOLS, env: { githubActions: true } },
    );
    cleanups.push(async () => {
      await b2.teardown();
      gh.cleanup();
    });
    await b2.provision();
    const sudo = gh.calls().find((c) => c.tool === "sudo");
    expect(sudo?.args).toEqual([
      "rm",
      "-rf",
      "/usr/share/dotnet",
      "/usr/local/lib/android",
      "/opt/ghc",
      "/usr/local/share/boost",
    ]);
    const createIdx = gh.calls().findIndex((c) => isCall(c, "kind", "create"));
    expect(gh.calls().indexOf(sudo as Call)).toBeLessThan(createIdx);
  });
});

describe("KindBackend images", () => {
  const MILVUS = "milvusdb/milvus:v2.6.22";
  const ETCD = "milvusdb/etcd:3.5.25-r1";
  const MINIO = "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z";
  /** The Milvus image is not on the host until this run pulls it; everything else is. */
  const MILVUS_ABSENT: Rule = {
    tool: "docker",
    match: `^image inspect .* ${MILVUS}$`,
    respond: [
      { code: 1, stderr: `Error: No such image: ${MILVUS}` },
      { stdout: '["milvusdb/milvus@sha256:abcd"]' },
    ],
  };
  const line = (c: Call) => `${c.tool} ${c.args.join(" ")}`;

  it("preflight fails fast naming an image no registry serves, before anything is created", async () => {
    const gone = "minio/minio:RELEASE.2024-12-18T13-15-44Z";
    const { env, backend, created } = setup(
      [
        {
          tool: "docker",
          match: `^image inspect .* ${gone}$`,
          respond: [{ code: 1, stderr: "No such image" }],
        },
        {
          tool: "docker",
          match: `^manifest inspect ${gone}$`,
          respond: [
            {
              code: 1,
              stderr:
                "Error response from daemon: pull access denied for minio/minio, repository does not exist or may require 'docker login'",
            },
          ],
        },
      ],
      { images: { ...OPTS.images, minio: gone } },
    );
    const started = Date.now();
    const err = (await backend.provision().catch((e: Error) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(err.name).toBe("EnvironmentError");
    expect(err.message).toMatch(
      /^image preflight: cannot pull minio minio\/minio:RELEASE\.2024-12-18T13-15-44Z \(set kind\.images\.minio or --image minio=REF to a registry that serves it\); nothing was created\. .*pull access denied/,
    );
    expect(err.message).not.toContain("\n");
    expect(created).toEqual([]);
    expect(env.calls().some((c) => c.tool === "kind" || c.tool === "helm")).toBe(false);
  });

  it("pulls only what the host lacks and keeps it on a developer machine", async () => {
    const { env, backend } = setup([MILVUS_ABSENT, HEALTHY, FORWARD], { preloadImages: true });
    await backend.provision();
    const calls = env.calls().map(line);
    expect(calls.filter((c) => c.startsWith("docker pull"))).toEqual([`docker pull ${MILVUS}`]);
    expect(calls.some((c) => c.startsWith("docker rmi"))).toBe(false);
    for (const ref of [MILVUS, ETCD, MINIO, "milvusdb/milvus-operator:v1.3.8"]) {
      expect(calls).toContain(`kind load docker-image ${ref} --name drill-test`);
    }
    const create = calls.findIndex((c) => c.startsWith("kind create cluster"));
    const firstLoad = calls.findIndex((c) => c.startsWith("kind load"));
    const helm = calls.findIndex((c) => c.startsWith("helm upgrade"));
    expect(create).toBeLessThan(firstLoad);
    expect(firstLoad).toBeLessThan(helm);
    // The digest Docker learnt from the pull is what the report records.
    expect(backend.info.details["image.milvus"]).toBe(`${MILVUS} (sha256:abcd)`);
  });

  it("on a CI runner removes only the images this run pulled, and a failed rmi is only a warning", async () => {
    const { env, backend, log } = setup(
      [
        MILVUS_ABSENT,
        {
          tool: "docker",
          match: "^rmi",
          respond: [{ code: 1, stderr: "conflict: image is being used by a container" }],
        },
        HEALTHY,
        FORWARD,
      ],
      { preloadImages: true },
    );
    (backend as unknown as { deps: { env: object } }).deps.env = { githubActions: false, ci: true };
    await backend.provision();
    const rmi = env.calls().filter((c) => isCall(c, "docker", "rmi"));
    expect(rmi.map((c) => c.args)).toEqual([["rmi", MILVUS]]);
    expect(log.lines.some((l) => l.startsWith("warn docker rmi of pulled images failed (ignored)"))).toBe(
      true,
    );
  });

  it("falls back to docker save | kind load image-archive when kind load docker-image fails", async () => {
    const { env, backend, workDir, log } = setup(
      [
        {
          tool: "kind",
          match: `^load docker-image ${ETCD}`,
          respond: [
            {
              code: 1,
              stderr:
                'ERROR: failed to load image: command "docker exec --privileged -i drill-test-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1\nCommand Output: ctr: content digest sha256:82014a3c: not found',
            },
          ],
        },
        HEALTHY,
        FORWARD,
      ],
      { preloadImages: true },
    );
    await backend.provision();
    const calls = env.calls().map(line);
    const archive = join(workDir, "image-0.tar");
    const i = calls.indexOf(`kind load docker-image ${ETCD} --name drill-test`);
    expect(calls.slice(i, i + 3)).toEqual([
      `kind load docker-image ${ETCD} --name drill-test`,
      `docker save --platform linux/${process.arch === "arm64" ? "arm64" : "amd64"} -o ${archive} ${ETCD}`,
      `kind load image-archive ${archive} --name drill-test`,
    ]);
    expect(backend.info.details["images.loadedViaArchive"]).toBe(ETCD);
    expect(log.lines.some((l) => l.includes(`kind load docker-image ${ETCD} failed`))).toBe(true);
    expect(readdirSync(workDir).some((f) => f.endsWith(".tar"))).toBe(false);
  });

  it("an older docker without save --platform saves the one platform it holds", async () => {
    const { env, backend, workDir } = setup(
      [
        {
          tool: "kind",
          match: `^load docker-image ${ETCD}`,
          respond: [{ code: 1, stderr: "failed to load image" }],
        },
        {
          tool: "docker",
          match: "^save --platform",
          respond: [{ code: 125, stderr: "unknown flag: --platform" }],
        },
        HEALTHY,
        FORWARD,
      ],
      { preloadImages: true },
    );
    await backend.provision();
    const archive = join(workDir, "image-0.tar");
    const calls = env.calls().map(line);
    const i = calls.findIndex((c) => c.startsWith("docker save --platform"));
    expect(calls.slice(i + 1, i + 3)).toEqual([
      `docker save -o ${archive} ${ETCD}`,
      `kind load image-archive ${archive} --name drill-test`,
    ]);
  });

  it("points every component at the configured images (a registry mirror)", async () => {
    const images = {
      milvus: "mirror.example.com/milvusdb/milvus",
      etcd: "mirror.example.com/milvusdb/etcd:3.5.25-r1",
      minio: "mirror.example.com/minio/minio:RELEASE.2024-12-18T13-15-44Z",
      operator: "mirror.example.com/milvusdb/milvus-operator:v1.3.8",
      node: "mirror.example.com/kindest/node:v1.34.0",
    };
    const { env, backend, workDir } = setup([HEALTHY, FORWARD], { images });
    await backend.provision();
    const calls = env.calls();
    const inspected = calls.filter((c) => isCall(c, "docker", "image inspect")).map((c) => c.args.at(-1));
    expect(inspected.sort()).toEqual(
      [`${images.milvus}:v2.6.22`, images.etcd, images.minio, images.operator, images.node].sort(),
    );
    expect(calls.find((c) => isCall(c, "kind", "create cluster"))?.args).toContain(images.node);
    const helm = calls.find((c) => isCall(c, "helm", "upgrade"))?.args.join(" ");
    expect(helm).toContain("--set-string image.repository=mirror.example.com/milvusdb/milvus-operator");
    expect(helm).toContain("--set-string image.tag=v1.3.8");
    const source = readFileSync(join(workDir, "source.yaml"), "utf8");
    expect(source).toContain("image: mirror.example.com/milvusdb/milvus:v2.6.22");
    expect(source).toContain("registry: mirror.example.com");
    expect(source).toContain("repository: mirror.example.com/minio/minio");
  });
});

describe("KindBackend faults and upgrade", () => {
  it("kill-cdc deletes the CDC pod by label and waits for a different Ready pod", async () => {
    const { env, backend } = setup([
      HEALTHY,
      FORWARD,
      {
        tool: "kubectl",
        match: "^get pods -n drills -l app.kubernetes.io/instance=alpha,app.kubernetes.io/component=cdc",
        respond: [
          { stdout: podList([{ name: "alpha-milvus-cdc-aaa", ready: true }]) },
          { stdout: podList([{ name: "alpha-milvus-cdc-aaa", ready: true, deleting: true }]) },
          { stdout: podList([{ name: "alpha-milvus-cdc-bbb", ready: false, phase: "Pending" }]) },
          { stdout: podList([{ name: "alpha-milvus-cdc-bbb", ready: true }]) },
        ],
      },
    ]);
    await backend.provision();
    const ev = await backend.inject("kill-cdc");
    expect(ev).toMatchObject({ oldPod: "alpha-milvus-cdc-aaa", newPod: "alpha-milvus-cdc-bbb" });
    expect(ev.restoredAt).toBeGreaterThanOrEqual(ev.injectedAt);
    const del = env.calls().find((c) => isCall(c, "kubectl", "delete pod"));
    expect(del?.args).toEqual([
      "delete",
      "pod",
      "-n",
      "drills",
      "-l",
      "app.kubernetes.io/instance=alpha,app.kubernetes.io/component=cdc",
      "--grace-period=0",
      "--force",
      "--wait=false",
    ]);
  });

  it("kill-cdc times out naming the pod it waited to replace and what it saw", async () => {
    const { backend } = setup(
      [
        HEALTHY,
        FORWARD,
        {
          tool: "kubectl",
          match: "component=cdc",
          respond: [
            { stdout: podList([{ name: "alpha-milvus-cdc-aaa", ready: true }]) },
            { stdout: podList([{ name: "alpha-milvus-cdc-ccc", ready: false, phase: "ContainerCreating" }]) },
          ],
        },
      ],
      {},
      { cdcRestartTimeoutMs: 300 },
    );
    await backend.provision();
    const err = (await backend.inject("kill-cdc").catch((e: Error) => e)) as Error;
    expect(err.message).toBe(
      "timed out after 300ms waiting for a new Ready CDC pod (app.kubernetes.io/instance=alpha,app.kubernetes.io/component=cdc) to replace alpha-milvus-cdc-aaa; last seen: alpha-milvus-cdc-ccc ContainerCreating not-ready",
    );
    await expect(backend.inject("pause-cdc")).rejects.toThrow(
      "kind backend cannot inject 'pause-cdc' (allowed: kill-cdc, kill-standby)",
    );
  });

  it("upgrade patches the standby first, then the primary, each waited Healthy", async () => {
    const { env, backend, workDir } = setup(
      [
        HEALTHY,
        FORWARD,
        {
          tool: "kubectl",
          match: "^get milvus (alpha|bravo) -n drills -o jsonpath",
          respond: [{ stdout: "milvusdb/milvus:v2.6.16" }],
        },
        {
          tool: "kubectl",
          match: "^get milvus bravo -n drills -o json$",
          respond: [
            { stdout: milvusList([{ name: "bravo", generation: 2, observed: 1 }]) },
            { stdout: milvusList([{ name: "bravo", generation: 2 }]) },
          ],
        },
        {
          tool: "kubectl",
          match: "^get milvus alpha -n drills -o json$",
          respond: [{ stdout: milvusList([{ name: "alpha", generation: 2 }]) }],
        },
      ],
      { upgradeFrom: "v2.6.16", upgradeTo: "v2.6.22" },
    );
    await backend.provision();
    const ev = await backend.upgrade("v2.6.16", "v2.6.22");
    const calls = env.calls().map((c) => c.args.join(" "));
    const patchB = calls.findIndex((c) => c.startsWith("patch milvus bravo"));
    const patchA = calls.findIndex((c) => c.startsWith("patch milvus alpha"));
    const healthyB = calls.filter(
      (c, i) => i > patchB && i < patchA && c === "get milvus bravo -n drills -o json",
    );
    expect(patchB).toBeGreaterThan(0);
    expect(patchA).toBeGreaterThan(patchB);
    expect(healthyB).toHaveLength(2);
    expect(calls[patchB]).toBe(
      'patch milvus bravo -n drills --type merge -p {"spec":{"components":{"image":"milvusdb/milvus:v2.6.22"}}}',
    );
    expect(ev).toMatchObject({ from: "milvusdb/milvus:v2.6.16", to: "milvusdb/milvus:v2.6.22" });
    const src = readFileSync(join(workDir, "source.yaml"), "utf8");
    expect(src).toContain("image: milvusdb/milvus:v2.6.16");
  });

  it("a failed cluster deletion is a warning with the command to run by hand, not an exception", async () => {
    const { backend, log } = setup([
      HEALTHY,
      FORWARD,
      {
        tool: "kind",
        match: "^delete cluster",
        respond: [{ code: 1, stderr: "ERROR: failed to delete cluster: permission denied" }],
      },
    ]);
    await backend.provision();
    await expect(backend.teardown()).resolves.toBeUndefined();
    expect(
      log.lines.some(
        (l) =>
          l.startsWith(
            "warn teardown: could not delete kind cluster drill-test (delete it with: kind delete cluster --name drill-test)",
          ) && l.includes("permission denied"),
      ),
    ).toBe(true);
  });

  it("keepCluster leaves the cluster and says how to delete it", async () => {
    const { env, backend, log } = setup([HEALTHY, FORWARD], { keepCluster: true });
    await backend.provision();
    await backend.teardown();
    expect(env.calls().some((c) => isCall(c, "kind", "delete"))).toBe(false);
    expect(log.lines.some((l) => l.includes("kind delete cluster --name drill-test"))).toBe(true);
  });
});

describe("KindBackend role changes: CDC on both clusters, primary loss and rebuild", () => {
  const MILVUS_PODS = "^get pods -n drills -l app.kubernetes.io/instance=alpha,app.kubernetes.io/name=milvus";
  const podsGoing: Rule = {
    tool: "kubectl",
    match: MILVUS_PODS,
    respond: [
      {
        stdout: podList([
          { name: "alpha-milvus-standalone-a1", ready: true },
          { name: "alpha-milvus-cdc-c1", ready: true },
        ]),
      },
      // Its Deployment started one again before the operator removed the Deployment.
      {
        stdout: podList([
          { name: "alpha-milvus-standalone-a1", deleting: true },
          { name: "alpha-milvus-standalone-a2", phase: "Pending" },
        ]),
      },
      { stdout: podList([{ name: "alpha-milvus-standalone-a2", deleting: true }]) },
      { stdout: podList([]) },
    ],
  };
  const oldCrGoing: Rule = {
    tool: "kubectl",
    match: "^get milvus alpha -n drills --ignore-not-found -o name",
    respond: [{ stdout: "milvus.milvus.io/alpha\n" }, { stdout: "" }],
  };
  const volumesGoing: Rule = {
    tool: "kubectl",
    match: "^get pvc -n drills -o name",
    respond: [
      {
        stdout:
          "persistentvolumeclaim/data-alpha-etcd-0\npersistentvolumeclaim/alpha-minio\npersistentvolumeclaim/data-bravo-etcd-0\n",
      },
      { stdout: "persistentvolumeclaim/data-bravo-etcd-0\n" },
    ],
  };
  const rebuiltHealthy: Rule = {
    tool: "kubectl",
    match: "^get milvus alpha -n drills -o json$",
    respond: [
      { stdout: milvusList([{ name: "alpha", status: "Pending", falseConditions: ["MilvusReady"] }]) },
      { stdout: milvusList([{ name: "alpha" }]) },
    ],
  };
  const FAILOVER_RULES = [HEALTHY, FORWARD, podsGoing, oldCrGoing, volumesGoing, rebuiltHealthy];

  it("switchover and failover put CDC on both clusters, in CRs the CRD accepts", async () => {
    const { env, backend, workDir } = setup([HEALTHY, FORWARD], {}, {}, false, true);
    await backend.provision();
    const validator = loadCrdValidator();
    for (const [file, name] of [
      ["source.yaml", "alpha"],
      ["target.yaml", "bravo"],
    ]) {
      const cr = parseAllDocuments(readFileSync(join(workDir, file as string), "utf8"))
        .map((d) => d.toJS())
        .find((d) => d.kind === "Milvus");
      expect(cr.metadata.name).toBe(name);
      expect(cr.spec.components.cdc).toMatchObject({ replicas: 1 });
      expect(validator.validate(cr)).toEqual([]);
    }
    const applied = env
      .calls()
      .filter((c) => isCall(c, "kubectl", "apply -f"))
      .map((c) => c.args.at(-1));
    expect(applied).toEqual([join(workDir, "source.yaml"), join(workDir, "target.yaml")]);
  });

  it("the primary is lost for good (CR deleted, pods force-deleted until none is left), then rebuilt fresh, in that order", async () => {
    const { env, backend, workDir } = setup(FAILOVER_RULES, {}, {}, false, true);
    const pair = await backend.provision();
    const firstForward = env
      .calls()
      .find((c) => isCall(c, "kubectl", "port-forward") && c.args.includes("svc/alpha-milvus"));
    const ev = await backend.loseCluster("source");
    expect(ev).toMatchObject({
      cluster: "alpha",
      oldPods: ["alpha-milvus-standalone-a1", "alpha-milvus-cdc-c1"],
    });
    // The lost cluster's client port-forward is stopped, not restarted against nothing.
    expect(await stillAliveAfter(firstForward?.pid as number)).toBe(false);
    const ep = await backend.rebuildCluster("source");
    expect(ep).toMatchObject({
      clusterId: "alpha",
      replicateUri: "http://alpha-milvus.drills.svc.cluster.local:19530",
      pchannels: pair.source.pchannels,
    });
    expect(ep.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ep.uri).not.toBe(pair.source.uri);

    const after = env.calls().map((c) => `${c.tool} ${c.args.join(" ")}`);
    const from = after.findIndex((c) => c.startsWith("kubectl delete milvus"));
    const steps = after.slice(from).filter((c) => !c.startsWith("kubectl get pods"));
    const forceDelete =
      "kubectl delete pod -n drills -l app.kubernetes.io/instance=alpha,app.kubernetes.io/name=milvus --grace-period=0 --force --wait=false";
    expect(steps.slice(0, 4)).toEqual([
      "kubectl delete milvus alpha -n drills --wait=false",
      forceDelete,
      // The pod its Deployment started again is force-deleted too.
      forceDelete,
      "kubectl get milvus alpha -n drills --ignore-not-found -o name",
    ]);
    expect(steps.slice(4)).toEqual([
      "kubectl get pvc -n drills -o name",
      "kubectl get milvus alpha -n drills --ignore-not-found -o name",
      "kubectl get pvc -n drills -o name",
      `kubectl apply -f ${join(workDir, "rebuilt-source.yaml")}`,
      "kubectl get milvus alpha -n drills -o json",
      "kubectl get milvus alpha -n drills -o json",
      expect.stringMatching(
        /^kubectl port-forward --address 127\.0\.0\.1 -n drills svc\/alpha-milvus \d+:19530$/,
      ),
    ]);
    // The new CR: same name (cluster id), CDC on (it may become primary again), accepted by the CRD.
    const cr = parse(readFileSync(join(workDir, "rebuilt-source.yaml"), "utf8"));
    expect(cr.metadata.name).toBe("alpha");
    expect(cr.spec.components.cdc).toMatchObject({ replicas: 1 });
    expect(cr.spec.dependencies.etcd.inCluster).toMatchObject({
      deletionPolicy: "Delete",
      pvcDeletion: true,
    });
    expect(loadCrdValidator().validate(cr)).toEqual([]);
  });

  const failures: Array<[string, Rule[], Partial<KindTiming>, Partial<KindOptions>, RegExp]> = [
    [
      "the CR deletion",
      [{ tool: "kubectl", match: "^delete milvus", respond: [{ code: 1, stderr: "error: forbidden" }] }],
      {},
      {},
      /delete milvus alpha -n drills --wait=false failed \(exit 1\): error: forbidden/,
    ],
    [
      "the pod deletion",
      [{ tool: "kubectl", match: "^delete pod", respond: [{ code: 1, stderr: "error: timed out" }] }],
      {},
      {},
      /delete pod -n drills -l app\.kubernetes\.io\/instance=alpha,app\.kubernetes\.io\/name=milvus --grace-period=0 --force --wait=false failed \(exit 1\)/,
    ],
    [
      "pods that never go",
      [
        {
          tool: "kubectl",
          match: MILVUS_PODS,
          respond: [{ stdout: podList([{ name: "alpha-milvus-standalone-a1", deleting: true }]) }],
        },
      ],
      // Also the budget of teardown's kind delete, which must still run: not too small.
      { deleteTimeoutMs: 1_500 },
      {},
      /waiting for every Milvus pod of alpha .* gone; last seen: alpha-milvus-standalone-a1 Running deleting/,
    ],
    [
      "an old CR that never goes",
      [
        {
          tool: "kubectl",
          match: "^get milvus alpha -n drills --ignore-not-found",
          respond: [{ stdout: "milvus.milvus.io/alpha\n" }],
        },
      ],
      { deleteTimeoutMs: 2_500 },
      {},
      /waiting for Milvus alpha and the volumes of its etcd and MinIO deleted; last seen: milvus.milvus.io\/alpha/,
    ],
    [
      "the apply of the new CR",
      [
        {
          tool: "kubectl",
          match: "^apply -f .*rebuilt",
          respond: [{ code: 1, stderr: "error: admission webhook denied" }],
        },
      ],
      {},
      {},
      /apply -f \S+rebuilt-source\.yaml failed \(exit 1\): error: admission webhook denied/,
    ],
    [
      "a rebuilt cluster that never gets Healthy",
      [
        {
          tool: "kubectl",
          match: "^get milvus alpha -n drills -o json$",
          respond: [
            {
              stdout: milvusList([{ name: "alpha", status: "Unhealthy", falseConditions: ["MilvusReady"] }]),
            },
          ],
        },
      ],
      {},
      { readyTimeoutMs: 300 },
      /waiting for Milvus alpha in namespace drills to be Healthy; last seen: alpha Unhealthy/,
    ],
    [
      "the port-forward to the rebuilt cluster",
      [
        {
          tool: "kubectl",
          match: "^port-forward .* svc/alpha-milvus",
          respond: [{ forward: {} }, { code: 1, stderr: "error: service alpha-milvus not found" }],
        },
      ],
      {},
      {},
      /port-forward to svc\/alpha-milvus .*service alpha-milvus not found/,
    ],
  ];
  it.each(
    failures,
  )("a failure in %s stops the step with its reason, and teardown still removes everything", async (_n, rules, timing, opts, message) => {
    // The failing rule first: the first matching rule answers.
    const { env, backend } = setup([...rules, ...FAILOVER_RULES], opts, timing, false, true);
    await backend.provision();
    const err = (await backend
      .loseCluster("source")
      .then(() => backend.rebuildCluster("source"))
      .catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(message);
    const failedAt = env.calls().length;
    await backend.teardown();
    const later = env.calls().slice(failedAt);
    expect(later.some((c) => isCall(c, "kind", "delete cluster --name drill-test"))).toBe(true);
    for (const c of env.calls().filter((c) => isCall(c, "kubectl", "port-forward")))
      expect(await stillAliveAfter(c.pid)).toBe(false);
  });
});

describe("KindBackend: Milvus's lag metric for lag-metric", () => {
  it("offers a scrape of the CDC and WAL pods' metrics port, with the drill's kubeconfig, at most once a second", async () => {
    const { env, backend, workDir } = setup([
      HEALTHY,
      FORWARD,
      {
        tool: "kubectl",
        match: "^get pods -n drills -l app.kubernetes.io/name=milvus,app.kubernetes.io/component in",
        respond: [{ stdout: podList([{ name: "alpha-milvus-cdc-0", ready: true }]) }],
      },
      {
        tool: "kubectl",
        match: "^get --raw /api/v1/namespaces/drills/pods/alpha-milvus-cdc-0:9091/proxy/metrics$",
        respond: [
          { stdout: 'milvus_cdc_last_replicated_time_tick{channel_name="alpha-rootcoord-dml_0"} 1\n' },
        ],
      },
    ]);
    const pair = await backend.provision();
    expect(pair.metricsIntervalMs).toBe(1_000);
    expect(await pair.scrapeMetrics?.(2_000)).toEqual([
      'milvus_cdc_last_replicated_time_tick{channel_name="alpha-rootcoord-dml_0"} 1\n',
    ]);
    const raw = env.calls().filter((c) => isCall(c, "kubectl", "get --raw"));
    expect(raw).toHaveLength(1);
    expect(raw[0]?.access).toEqual({ kubeconfig: join(workDir, "kubeconfig"), context: "kind-drill-test" });
  });
});

describe("KindBackend in a star (issue 25): one primary CR and a CR per standby", () => {
  const STAR: Partial<KindOptions> = { extraTargetNames: ["charlie", "delta", "echo"] };

  it("applies three CRs, waits for all, forwards each, two edges, kills the primary's CDC, deletes every CR with the cluster", async () => {
    const { env, backend, workDir, log } = setup(
      [
        {
          tool: "kubectl",
          match: "^get milvus alpha bravo charlie",
          respond: [
            {
              stdout: milvusList([
                { name: "alpha" },
                { name: "bravo" },
                { name: "charlie", status: "Pending", falseConditions: ["MilvusReady"] },
              ]),
            },
            { stdout: milvusList([{ name: "alpha" }, { name: "bravo" }, { name: "charlie" }]) },
          ],
        },
        FORWARD,
        {
          tool: "kubectl",
          match: "^get pods -n drills -l app.kubernetes.io/instance=alpha,app.kubernetes.io/component=cdc",
          respond: [
            { stdout: podList([{ name: "alpha-milvus-cdc-aaa", ready: true }]) },
            { stdout: podList([{ name: "alpha-milvus-cdc-bbb", ready: true }]) },
          ],
        },
        {
          tool: "kubectl",
          match: "^get pods -n drills -l app.kubernetes.io/name=milvus,app.kubernetes.io/component in",
          respond: [
            {
              stdout: podList([
                { name: "alpha-milvus-cdc-bbb", ready: true },
                { name: "alpha-milvus-standalone-0", ready: true },
                { name: "bravo-milvus-standalone-0", ready: true },
                { name: "charlie-milvus-standalone-0", ready: true },
              ]),
            },
          ],
        },
        { tool: "kubectl", match: "^get --raw", respond: [{ stdout: "# metrics\n" }] },
      ],
      STAR,
      {},
      false,
      false,
      2,
    );
    const pair = await backend.provision();

    // The calls in order: plan's steps for a star (source.yaml, target.yaml, target-2.yaml), then Healthy.
    const calls = significant(env.calls());
    const expected = provisionSteps(
      { ...OPTS, ...STAR },
      "drill-test",
      workDir,
      { githubActions: false },
      [],
      2,
    );
    expect(calls.slice(0, expected.length).map((c) => [c.tool, ...c.argv])).toEqual(
      expected.map((s) => [s.tool, ...s.args]),
    );
    const applies = calls.filter((c) => isCall(c, "kubectl", "apply -f")).map((c) => c.args[2]);
    expect(applies).toEqual(["source.yaml", "target.yaml", "target-2.yaml"].map((f) => join(workDir, f)));
    expect(
      calls.filter((c) => isCall(c, "kubectl", "get milvus alpha bravo charlie -n drills")),
    ).toHaveLength(2);
    expect(log.lines.some((l) => l.includes("charlie Pending; not ready: MilvusReady"))).toBe(true);

    // Every CR as applied validates against the operator's CRD; CDC on the primary only (scenario replication).
    const validator = loadCrdValidator();
    const crs = ["source.yaml", "target.yaml", "target-2.yaml"]
      .flatMap((f) => parseAllDocuments(readFileSync(join(workDir, f), "utf8")).map((d) => d.toJS()))
      .filter((d) => d.kind === "Milvus");
    expect(crs.map((c) => c.metadata.name)).toEqual(["alpha", "bravo", "charlie"]);
    for (const cr of crs) expect(validator.validate(cr)).toEqual([]);
    expect(crs.map((c) => Boolean(c.spec.components.cdc))).toEqual([true, false, false]);
    // The replicate configuration written beside them: two edges from the primary.
    const rc = JSON.parse(readFileSync(join(workDir, "replicate-config.json"), "utf8"));
    expect(rc.cross_cluster_topology).toEqual([
      { source_cluster_id: "alpha", target_cluster_id: "bravo" },
      { source_cluster_id: "alpha", target_cluster_id: "charlie" },
    ]);

    // Standby 2 is the pair's extraStandbys, reached through its own port-forward.
    expect(pair.extraStandbys).toHaveLength(1);
    expect(backend.info.details.standbys).toBe("bravo, charlie");
    expect(pair.extraStandbys?.[0]).toMatchObject({
      clusterId: "charlie",
      replicateUri: "http://charlie-milvus.drills.svc.cluster.local:19530",
    });
    expect(pair.extraStandbys?.[0]?.pchannels[0]).toBe("charlie-rootcoord-dml_0");
    const uris = [pair.source.uri, pair.target.uri, pair.extraStandbys?.[0]?.uri];
    expect(new Set(uris).size).toBe(3);
    const forwards = calls.filter((c) => isCall(c, "kubectl", "port-forward"));
    expect(forwards.map((c) => c.args[5]).sort()).toEqual(
      ["svc/alpha-milvus", "svc/bravo-milvus", "svc/charlie-milvus"].sort(),
    );

    // A CDC kill in a star kills the primary's CDC pod: every edge at once.
    const ev = await backend.inject("kill-cdc");
    expect(ev).toMatchObject({ oldPod: "alpha-milvus-cdc-aaa", newPod: "alpha-milvus-cdc-bbb" });
    expect(env.calls().find((c) => isCall(c, "kubectl", "delete pod"))?.args).toContain(
      "app.kubernetes.io/instance=alpha,app.kubernetes.io/component=cdc",
    );
    // The metrics scrape reads every cluster's pods (found by label in the namespace), charlie's too.
    expect(await pair.scrapeMetrics?.(2_000)).toHaveLength(4);
    expect(
      env
        .calls()
        .filter((c) => isCall(c, "kubectl", "get --raw"))
        .map((c) => c.args[2]),
    ).toContain("/api/v1/namespaces/drills/pods/charlie-milvus-standalone-0:9091/proxy/metrics");

    // Cleanup: every forward stopped, and the kind cluster (holding all three CRs) deleted once.
    await backend.teardown();
    expect(env.calls().filter((c) => isCall(c, "kind", "delete cluster --name drill-test"))).toHaveLength(1);
    for (const f of forwards) expect(await stillAliveAfter(f.pid)).toBe(false);
  });

  it("switchover-style CDC on every standby: each CR runs CDC and still matches the CRD", async () => {
    const { backend, workDir } = setup(
      [
        {
          tool: "kubectl",
          match: "^get milvus alpha bravo charlie",
          respond: [{ stdout: milvusList([{ name: "alpha" }, { name: "bravo" }, { name: "charlie" }]) }],
        },
        FORWARD,
      ],
      STAR,
      {},
      false,
      true,
      2,
    );
    await backend.provision();
    const validator = loadCrdValidator();
    for (const f of ["target.yaml", "target-2.yaml"]) {
      const cr = parse(readFileSync(join(workDir, f), "utf8"));
      expect(validator.validate(cr)).toEqual([]);
      expect(cr.spec.components.cdc).toMatchObject({ replicas: 1 });
    }
  });

  it("an upgrade patches every standby, in order, then the primary, each waited Healthy", async () => {
    const { env, backend } = setup(
      [
        {
          tool: "kubectl",
          match: "^get milvus alpha bravo charlie",
          respond: [{ stdout: milvusList([{ name: "alpha" }, { name: "bravo" }, { name: "charlie" }]) }],
        },
        FORWARD,
        {
          tool: "kubectl",
          match: "^get milvus (alpha|bravo|charlie) -n drills -o jsonpath",
          respond: [{ stdout: "milvusdb/milvus:v2.6.16" }],
        },
        ...["alpha", "bravo", "charlie"].map(
          (n): Rule => ({
            tool: "kubectl",
            match: `^get milvus ${n} -n drills -o json$`,
            respond: [{ stdout: milvusList([{ name: n, generation: 2 }]) }],
          }),
        ),
      ],
      { ...STAR, upgradeFrom: "v2.6.16", upgradeTo: "v2.6.22" },
      {},
      false,
      false,
      2,
    );
    await backend.provision();
    await backend.upgrade("v2.6.16", "v2.6.22");
    const patched = env
      .calls()
      .filter((c) => isCall(c, "kubectl", "patch milvus"))
      .map((c) => c.args[2]);
    expect(patched).toEqual(["bravo", "charlie", "alpha"]);
  });

  it("refuses a star with too few extraTargetNames before anything is created", async () => {
    const { env, backend, created } = setup(
      [HEALTHY, FORWARD],
      { extraTargetNames: [] },
      {},
      false,
      false,
      2,
    );
    await expect(backend.provision()).rejects.toThrow(
      /^extraTargetNames: \[\] names 0 further standby\(s\), topology.standbys 2 needs 1/,
    );
    expect(created).toEqual([]);
    expect(env.calls().filter((c) => c.tool === "kind" || c.tool === "docker")).toEqual([]);
  });
});
