/**
 * Child process for the SIGTERM test: provisions a kind backend against the stand-ins, registers
 * the signal teardown, prints "provisioned" and waits to be signalled.
 */
import { KindBackend, registerSignalTeardown } from "../../src/backends/kind/backend.js";
import { ProcessRunner } from "../../src/backends/kind/exec.js";
import { defaultKindOptions } from "../../src/backends/kind/options.js";

const log = {
  info: () => {},
  debug: () => {},
  warn: (m: string) => console.error(m),
  group: <T>(_n: string, fn: () => Promise<T>) => fn(),
};
const backend = new KindBackend(
  { ...defaultKindOptions(), clusterName: "drill-signal", readyTimeoutMs: 10_000 },
  {
    log,
    runner: new ProcessRunner(),
    tools: { kind: "kind", kubectl: "kubectl", helm: "helm" },
    timing: { pollMs: 20, portForwardRestartDelayMs: 50 },
    env: { githubActions: false },
  },
);
registerSignalTeardown(backend, log);
await backend.provision();
console.log("provisioned");
setInterval(() => {}, 1 << 30);
