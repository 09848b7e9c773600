// Stand-in for kind, kubectl, helm and docker in tests: records every call as one JSON line in
// $STANDIN_DIR/calls.jsonl and answers from $STANDIN_DIR/rules.json, so the kind backend can be
// driven through success, failure, hangs, not-ready states and dying port-forwards without Docker.
//
// rules.json: [{ "tool": "kubectl", "match": "regex over the joined args", "respond": [Response, ...] }]
// The Nth matching call gets respond[N-1]; the last response repeats. First matching rule wins.
// Response: { code?, stdout?, stderr?, delayMs?, hang?: true, forward?: { dieAfterMs? }, writeOut? }
// writeOut: text written to the path after -o (a `go build` that makes a binary).
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

const DEFAULTS = [
  { tool: "kind", match: "^version$", respond: [{ stdout: "kind v0.30.0 go1.24.6 linux/amd64\n" }] },
  {
    tool: "kubectl",
    match: "^version --client",
    respond: [{ stdout: JSON.stringify({ clientVersion: { gitVersion: "v1.34.1" } }) }],
  },
  { tool: "helm", match: "^version", respond: [{ stdout: "v3.18.4" }] },
  { tool: "docker", match: "^info", respond: [{ stdout: "Server Version: 28.0.0\n" }] },
  { tool: "go", match: "^version$", respond: [{ stdout: "go version go1.22.2 linux/amd64\n" }] },
  // Images are on the host unless a test says otherwise (preflight passes without a registry).
  { tool: "docker", match: "^image inspect", respond: [{ stdout: '["repo@sha256:0000"]\n' }] },
];

/**
 * kubectl's --kubeconfig/--context (and helm's --kubeconfig/--kube-context) are recorded apart and
 * left out of the text rules match, so rules say what a call does, and tests can assert that every
 * call named the drill's own kubeconfig and context.
 */
function splitAccess(args) {
  const access = {};
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((a === "--kubeconfig" || a === "--context" || a === "--kube-context") && i + 1 < args.length) {
      access[a.slice(2)] = args[++i];
    } else rest.push(a);
  }
  return { access, rest };
}

function nthCall(dir, ruleKey) {
  // One byte appended per matching call: the file size is the call number, even across processes.
  const fd = openSync(join(dir, `count-${ruleKey}`), "a");
  try {
    writeSync(fd, ".");
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function main(tool) {
  const dir = process.env.STANDIN_DIR;
  const argv = process.argv.slice(2);
  const { access, rest: args } =
    tool === "kubectl" || tool === "helm" ? splitAccess(argv) : { access: {}, rest: argv };
  if (!dir) {
    process.stderr.write(`${tool} stand-in: STANDIN_DIR is not set\n`);
    process.exit(97);
  }
  appendFileSync(
    join(dir, "calls.jsonl"),
    `${JSON.stringify({ tool, args, access, argv, pid: process.pid, time: Date.now(), kubeconfig: process.env.KUBECONFIG ?? null })}\n`,
  );
  const rulesPath = join(dir, "rules.json");
  const rules = existsSync(rulesPath) ? JSON.parse(readFileSync(rulesPath, "utf8")) : [];
  const joined = args.join(" ");
  let response = { code: 0 };
  const all = [
    ...rules.map((r, i) => ({ ...r, key: `r${i}` })),
    ...DEFAULTS.map((r, i) => ({ ...r, key: `d${i}` })),
  ];
  for (const rule of all) {
    if (rule.tool !== tool || !new RegExp(rule.match).test(joined)) continue;
    const n = nthCall(dir, rule.key);
    response = rule.respond[Math.min(n, rule.respond.length) - 1] ?? { code: 0 };
    break;
  }
  if (response.delayMs) await sleep(response.delayMs);
  if (response.hang) {
    // Like a stuck kubectl: never answers; only the caller's timeout ends it.
    setInterval(() => {}, 1 << 30);
    return;
  }
  if (response.forward) {
    const ports = /(\d+):(\d+)$/.exec(joined);
    process.stdout.write(`Forwarding from 127.0.0.1:${ports?.[1]} -> ${ports?.[2]}\n`);
    const keep = setInterval(() => {}, 1 << 30);
    process.on("SIGTERM", () => process.exit(0));
    if (response.forward.dieAfterMs !== undefined) {
      await sleep(response.forward.dieAfterMs);
      clearInterval(keep);
      process.stderr.write("error: lost connection to pod\n");
      process.exit(1);
    }
    return;
  }
  if (response.writeOut !== undefined) {
    const at = args.indexOf("-o");
    if (at >= 0 && args[at + 1]) writeFileSync(args[at + 1], response.writeOut);
  }
  if (response.stdout) process.stdout.write(response.stdout);
  if (response.stderr) process.stderr.write(response.stderr);
  process.exitCode = response.code ?? 0;
}
