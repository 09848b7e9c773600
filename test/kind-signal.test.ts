import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { milvusList, standins, stillAliveAfter } from "./stand-ins/harness.js";

describe("teardown on SIGTERM", () => {
  it("deletes the kind cluster, stops port-forwards and exits 143", async () => {
    const env = standins();
    try {
      env.setRules([
        {
          tool: "kubectl",
          match: "^get milvus",
          respond: [{ stdout: milvusList([{ name: "drill-primary" }, { name: "drill-standby" }]) }],
        },
        { tool: "kubectl", match: "^port-forward", respond: [{ forward: {} }] },
      ]);
      const child = spawn(process.execPath, ["--import", "tsx", "test/stand-ins/signal-child.ts"], {
        env: { ...process.env, ...env.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stderr.on("data", (d) => {
        err += d;
      });
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`child never provisioned; stderr: ${err}`)), 60_000);
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("provisioned")) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      const forwards = env.calls().filter((c) => c.args[0] === "port-forward");
      expect(forwards).toHaveLength(2);
      expect(env.calls().some((c) => c.tool === "kind" && c.args[0] === "delete")).toBe(false);
      child.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("hung"), 30_000))]);
      expect(code).toBe(143);
      expect(err).toContain("SIGTERM: tearing down before exit");
      const del = env.calls().filter((c) => c.tool === "kind" && c.args[0] === "delete");
      expect(del.map((c) => c.args.slice(0, 4).join(" "))).toEqual(["delete cluster --name drill-signal"]);
      for (const f of forwards) expect(await stillAliveAfter(f.pid)).toBe(false);
    } finally {
      for (const c of env.calls()) if (await stillAliveAfter(c.pid, 0)) process.kill(c.pid, "SIGKILL");
      env.cleanup();
    }
  });
});
