import { createRequire as __drillCreateRequire } from "node:module";
import { fileURLToPath as __drillFileURLToPath } from "node:url";
import { dirname as __drillDirname } from "node:path";
const require = __drillCreateRequire(import.meta.url);
const __drillFilename = __drillFileURLToPath(import.meta.url);
const __drillDir = __drillDirname(__drillFilename);
import {
  ImportJobError,
  cdcSelector,
  formatCommand,
  runImportJob
} from "./chunk-2QI2MH3L.js";

// src/backends/kind/exec.ts
import { spawn } from "node:child_process";
var CommandError = class extends Error {
  constructor(message, command, code, stderrTail, timedOut) {
    super(message);
    this.command = command;
    this.code = code;
    this.stderrTail = stderrTail;
    this.timedOut = timedOut;
  }
  name = "CommandError";
};
var TAIL_LINES = 8;
var TAIL_CHARS = 1500;
function tail(text, lines = TAIL_LINES) {
  const t = text.trimEnd().split("\n").slice(-lines).join("\n");
  return t.length > TAIL_CHARS ? `...${t.slice(-TAIL_CHARS)}` : t;
}
var liveGroups = /* @__PURE__ */ new Set();
var exitHookInstalled = false;
function trackGroup(pid) {
  if (pid === void 0) return;
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const p of liveGroups) killGroup(p, "SIGKILL");
    });
  }
}
function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
    }
  }
}
var ProcessRunner = class {
  constructor(options = {}) {
    this.options = options;
    for (const s of options.secrets ?? []) this.addSecret(s);
  }
  secrets = [];
  addSecret(value) {
    if (value && value.length >= 3 && !this.secrets.includes(value)) this.secrets.push(value);
  }
  redact(text) {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join("***");
    return out;
  }
  env(extra) {
    return { ...process.env, ...this.options.env, ...extra };
  }
  spawnChild(command, args, env, shell) {
    const child = shell ? spawn("sh", ["-c", command], { env, detached: true, stdio: ["pipe", "pipe", "pipe"] }) : spawn(command, [...args], { env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    trackGroup(child.pid);
    return child;
  }
  run(command, args, opts) {
    const shown = this.redact(opts.shell ? command : formatCommand(command, args));
    this.options.trace?.(`$ ${shown}`);
    return new Promise((resolve, reject) => {
      const child = this.spawnChild(command, args, this.env(opts.env), opts.shell === true);
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      let aborted = false;
      child.stdout?.setEncoding("utf8").on("data", (d) => {
        stdout += d;
      });
      child.stderr?.setEncoding("utf8").on("data", (d) => {
        stderr += d;
      });
      const stopTree = () => {
        if (child.pid !== void 0) killGroup(child.pid, "SIGKILL");
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stopTree();
      }, opts.timeoutMs);
      const onAbort = () => {
        aborted = true;
        stopTree();
      };
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      const finish = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        if (child.pid !== void 0) liveGroups.delete(child.pid);
      };
      child.on("error", (e) => {
        finish();
        const why = e.code === "ENOENT" ? "not found on PATH" : e.message;
        reject(new CommandError(`${shown}: ${why}`, shown, null, "", false));
      });
      child.on("close", (code, signal) => {
        finish();
        const errTail = this.redact(tail(stderr || stdout));
        if (timedOut) {
          const waiting = opts.purpose ? ` waiting for ${opts.purpose}` : "";
          reject(
            new CommandError(
              `${shown}: timed out after ${fmtMs(opts.timeoutMs)}${waiting}${errTail ? `; last output: ${errTail}` : ""}`,
              shown,
              null,
              errTail,
              true
            )
          );
          return;
        }
        if (aborted) {
          reject(new CommandError(`${shown}: aborted`, shown, null, errTail, false));
          return;
        }
        const exit = code ?? (signal ? 128 : 1);
        if (exit !== 0 && !opts.allowFailure) {
          reject(
            new CommandError(
              `${shown} failed (exit ${code ?? signal}): ${errTail || "no output"}`,
              shown,
              exit,
              errTail,
              false
            )
          );
          return;
        }
        resolve({ code: exit, stdout, stderr });
      });
      if (opts.input !== void 0) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }
  start(command, args, opts = {}) {
    this.options.trace?.(`$ ${this.redact(formatCommand(command, args))} &`);
    const child = this.spawnChild(command, args, this.env(opts.env), false);
    let stderr = "";
    const listeners = [];
    child.stdout?.setEncoding("utf8").on("data", (d) => {
      for (const l of listeners) l(d);
    });
    child.stderr?.setEncoding("utf8").on("data", (d) => {
      stderr = (stderr + d).slice(-8e3);
    });
    child.stdin?.end();
    const exited = new Promise((resolve) => {
      child.on("error", (e) => {
        stderr += e.message;
        if (child.pid !== void 0) liveGroups.delete(child.pid);
        resolve({ code: null, signal: null });
      });
      child.on("close", (code, signal) => {
        if (child.pid !== void 0) liveGroups.delete(child.pid);
        resolve({ code, signal });
      });
    });
    return {
      pid: child.pid,
      exited,
      onStdout: (cb) => listeners.push(cb),
      stderrTail: () => this.redact(tail(stderr)),
      stop: async () => {
        if (child.pid === void 0 || child.exitCode !== null || child.signalCode !== null) return;
        killGroup(child.pid, "SIGTERM");
        const t = setTimeout(() => child.pid !== void 0 && killGroup(child.pid, "SIGKILL"), 3e3);
        await exited;
        clearTimeout(t);
      }
    };
  }
};
function fmtMs(ms) {
  return ms >= 1e3 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

// src/backends/kind/kube.ts
async function kubectl(k, args, purpose, extra = {}) {
  return k.runner.run(k.kubectl, [...k.baseArgs, ...args], {
    timeoutMs: extra.timeoutMs ?? k.callTimeoutMs,
    purpose,
    env: k.env,
    input: extra.input,
    allowFailure: extra.allowFailure
  });
}
function parsePods(json) {
  const list = JSON.parse(json);
  return (list.items ?? []).map((p) => ({
    name: p.metadata?.name ?? "",
    phase: p.status?.phase ?? "Unknown",
    ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    deleting: Boolean(p.metadata?.deletionTimestamp)
  }));
}
async function listPods(k, namespace, selector) {
  const r = await kubectl(
    k,
    ["get", "pods", "-n", namespace, "-l", selector, "-o", "json"],
    `the pods labelled ${selector}`
  );
  return parsePods(r.stdout);
}
var WaitTimeoutError = class extends Error {
  name = "WaitTimeoutError";
};
async function waitUntil(what, check, o, progress) {
  const deadline = Date.now() + o.timeoutMs;
  let last = "nothing observed yet";
  for (; ; ) {
    if (o.signal?.aborted) throw new Error(`aborted while waiting for ${what}`);
    try {
      const r = await check();
      if ("done" in r) return r.done;
      last = r.pending;
      progress?.(last);
    } catch (e) {
      last = `check failed: ${e instanceof Error ? e.message : String(e)}`;
      progress?.(last);
    }
    if (Date.now() + o.pollMs > deadline) {
      throw new WaitTimeoutError(
        `timed out after ${fmtMs(o.timeoutMs)} waiting for ${what}; last seen: ${last}`
      );
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}
async function killCdcPod(k, namespace, instance, o) {
  const selector = cdcSelector(instance);
  const before = (await listPods(k, namespace, selector)).filter((p) => !p.deleting);
  if (before.length === 0) {
    throw new Error(`kill-cdc: no CDC pod labelled ${selector} in namespace ${namespace}`);
  }
  const oldPods = before.map((p) => p.name);
  const killedAt = Date.now();
  await kubectl(
    k,
    ["delete", "pod", "-n", namespace, "-l", selector, "--grace-period=0", "--force", "--wait=false"],
    `deletion of the CDC pod ${oldPods.join(", ")}`
  );
  o.log(`kill-cdc: deleted ${oldPods.join(", ")}; waiting for a new Ready CDC pod`);
  const newPod = await waitUntil(
    `a new Ready CDC pod (${selector}) to replace ${oldPods.join(", ")}`,
    async () => {
      const pods = await listPods(k, namespace, selector);
      const fresh = pods.find((p) => !oldPods.includes(p.name) && p.ready && !p.deleting);
      if (fresh) return { done: fresh.name };
      const seen = pods.map((p) => `${p.name} ${p.phase}${p.ready ? " ready" : " not-ready"}`).join(", ");
      return { pending: seen || "no CDC pod" };
    },
    o
  );
  const restoredAt = Date.now();
  o.log(`kill-cdc: ${newPod} Ready after ${fmtMs(restoredAt - killedAt)}`);
  return { injectedAt: killedAt, killedAt, restoredAt, oldPod: oldPods[0], oldPods, newPod };
}

// src/backends/kind/bulk-import.ts
var IMPORT_PREFIX = "drill-import";
function importKey(fileName) {
  if (!/^[A-Za-z0-9._-]+\.json$/.test(fileName))
    throw new Error(`import file name '${fileName}' is not a plain name ending in .json`);
  return `${IMPORT_PREFIX}/${fileName}`;
}
function stageScript(s, key, bytes) {
  const target = `drill/${s.bucket}/${key}`;
  const mc = "mc --config-dir /tmp/.mc-drill --quiet";
  return [
    "set -e",
    'u="$MINIO_ROOT_USER"; [ -n "$u" ] || u="$MINIO_ACCESS_KEY"',
    'p="$MINIO_ROOT_PASSWORD"; [ -n "$p" ] || p="$MINIO_SECRET_KEY"',
    'if [ -z "$u" ] || [ -z "$p" ]; then echo "no MinIO keys in the container environment" >&2; exit 3; fi',
    `${mc} alias set drill http://127.0.0.1:9000 "$u" "$p" >/dev/null`,
    `${mc} pipe ${target}`,
    // Shell only (no sed or grep: the MinIO image is a minimal one): the stat's JSON must hold the size.
    `stat=$(${mc} stat --json ${target})`,
    `case "$stat" in *'"size":${bytes},'*|*'"size":${bytes}}'*) ;; *) echo "staged object is not ${bytes} bytes: $stat" >&2; exit 4;; esac`,
    `echo "staged ${bytes} bytes at ${s.bucket}/${key}"`,
    ""
  ].join("\n");
}
function stageArgs(namespace, s, script) {
  return ["exec", "-i", "-n", namespace, `svc/${s.cluster}-minio`, "--", "sh", "-c", script];
}
async function stageAndImport(k, namespace, storage, req, client, o, log) {
  const key = importKey(req.fileName);
  const object = `${storage.bucket}/${key}`;
  const bytes = Buffer.byteLength(req.content);
  try {
    try {
      await kubectl(
        k,
        stageArgs(namespace, storage, stageScript(storage, key, bytes)),
        `staging the import file ${object} in ${storage.cluster}'s MinIO`,
        { input: req.content, timeoutMs: o.stageTimeoutMs }
      );
    } catch (e) {
      throw new ImportJobError(
        `staging the import file ${object} in ${storage.cluster}'s MinIO failed: ${e instanceof Error ? e.message : String(e)}`,
        "fail"
      );
    }
    const done = await runImportJob(client, {
      collection: req.collection,
      partition: req.partition,
      files: [key],
      timeoutMs: o.importTimeoutMs,
      pollMs: o.pollMs,
      signal: o.signal
    });
    log(`bulk import: job ${done.jobId} put ${done.rows} row(s) of ${object} into ${req.collection}`);
    return { ...done, object };
  } finally {
    await Promise.resolve(client.closeConnection?.()).catch(() => {
    });
  }
}

export {
  tail,
  ProcessRunner,
  fmtMs,
  kubectl,
  listPods,
  waitUntil,
  killCdcPod,
  stageAndImport
};
