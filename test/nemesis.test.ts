/**
 * The nemesis' plumbing: the replication link relay (partition, delay, heal), the nemesis taking its
 * fault types in turn, and the config / CLI accepting the types and refusing, in one line and before
 * anything starts, what a backend cannot bring.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { LinkProxy } from "../src/backends/local/faults/link-proxy.js";
import type { Backend, FaultEvidence, FaultName, FaultParams } from "../src/backends/types.js";
import { loadConfig, parseRunFlags } from "../src/config/load.js";
import { NEMESIS_TYPES } from "../src/config/schema.js";
import { UsageError } from "../src/errors.js";
import { HistoryWriter } from "../src/history/writer.js";
import { Nemesis } from "../src/nemesis/nemesis.js";

const dir = mkdtempSync(join(tmpdir(), "nemesis-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---- the link relay ---------------------------------------------------------------------------

let echo: Server | undefined;
let proxy: LinkProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
  echo = undefined;
});

async function echoServer(): Promise<number> {
  echo = createServer((s) => s.pipe(s));
  return new Promise((r) =>
    echo?.listen(0, "127.0.0.1", () => r((echo?.address() as { port: number }).port)),
  );
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Sends text and resolves with the echo and how long it took, or with "closed" if the link closed. */
function roundTrip(s: Socket, text: string): Promise<{ reply: string; ms: number } | "closed"> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let got = "";
    const onData = (b: Buffer) => {
      got += b.toString();
      if (got.length >= text.length) {
        s.off("data", onData);
        resolve({ reply: got, ms: Date.now() - t0 });
      }
    };
    s.on("data", onData);
    s.once("close", () => resolve("closed"));
    s.write(text);
  });
}

function closedOrRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("error", () => resolve(true));
    s.once("close", () => resolve(true));
    s.once("data", () => resolve(false));
    s.write("x");
  });
}

describe("LinkProxy (the replication link of the local lab)", () => {
  it("relays, cuts every open connection and refuses new ones while partitioned, then heals", async () => {
    const up = await echoServer();
    proxy = await LinkProxy.start(() => up);
    const a = await open(proxy.port);
    expect(await roundTrip(a, "hello")).toMatchObject({ reply: "hello" });
    expect(proxy.cut()).toBe(1);
    expect(await roundTrip(a, "lost")).toBe("closed");
    expect(await closedOrRefused(proxy.port)).toBe(true);
    expect(proxy.stats.refused).toBeGreaterThanOrEqual(1);
    proxy.heal();
    const b = await open(proxy.port);
    expect(await roundTrip(b, "again")).toMatchObject({ reply: "again" });
    b.destroy();
  });

  it("delays each chunk both ways while delayed, keeping order", async () => {
    const up = await echoServer();
    proxy = await LinkProxy.start(() => up, { random: () => 0.5 });
    const s = await open(proxy.port);
    proxy.delay(100, 40);
    const r = await roundTrip(s, "abc");
    // random 0.5 = no jitter: 100 ms each way. A lower bound only: timing targets are not asserted.
    expect(r).not.toBe("closed");
    expect((r as { ms: number }).ms).toBeGreaterThanOrEqual(190);
    expect(proxy.stats.delayed).toBeGreaterThanOrEqual(2);
    proxy.heal();
    expect(await roundTrip(s, "def")).toMatchObject({ reply: "def" });
    s.destroy();
  });

  it("keeps byte order under jitter, across many chunks and a heal mid-stream", async () => {
    const up = await echoServer();
    let flip = 0;
    // Waits alternate between 0 and 60 ms: a later chunk is due before an earlier one unless queued.
    proxy = await LinkProxy.start(() => up, { random: () => (flip++ % 2 === 0 ? 1 : 0) });
    const s = await open(proxy.port);
    proxy.delay(30, 30);
    const parts = Array.from({ length: 300 }, (_, i) => `${i},`);
    const text = parts.join("");
    let got = "";
    s.on("data", (b: Buffer) => {
      got += b.toString();
    });
    for (const [i, p] of parts.entries()) {
      s.write(p);
      if (i === 200) proxy.heal();
      await new Promise((r) => setTimeout(r, i % 10 === 0 ? 2 : 0));
    }
    const until = Date.now() + 10_000;
    while (got.length < text.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe(text);
    s.destroy();
  });

  it("refuses connections while its upstream is down (a cluster restarting)", async () => {
    proxy = await LinkProxy.start(() => undefined);
    expect(await closedOrRefused(proxy.port)).toBe(true);
  });
});

// ---- the nemesis --------------------------------------------------------------------------------

function fakeBackend(
  faults: FaultName[],
  fail?: FaultName,
): Backend & { calls: Array<[FaultName, FaultParams?]> } {
  const calls: Array<[FaultName, FaultParams?]> = [];
  return {
    calls,
    info: { name: "fake", details: {} },
    faults,
    provision: async () => {
      throw new Error("unused");
    },
    inject: async (f: FaultName, _signal?: AbortSignal, params?: FaultParams): Promise<FaultEvidence> => {
      calls.push([f, params]);
      if (f === fail) throw new Error(`${f} could not be injected`);
      return { injectedAt: Date.now(), restoredAt: Date.now() };
    },
    collectDiagnostics: async () => [],
    teardown: async () => {},
  };
}

describe("Nemesis", () => {
  it("takes its fault types in turn and hands each the lasting-fault parameters", async () => {
    const backend = fakeBackend(["kill-cdc", "partition", "delay"]);
    const path = join(dir, "h1.jsonl");
    const history = new HistoryWriter(path);
    const params = { durationMs: 1234, delayMs: 200, jitterMs: 50 };
    const nem = new Nemesis(
      backend,
      history,
      ["kill-cdc", "partition", "delay"],
      { kind: "at", fractions: [0.1, 0.2, 0.3, 0.4] },
      {},
      undefined,
      params,
    );
    nem.onProgress(0.45);
    await nem.stop();
    await history.close();
    expect(backend.calls.map((c) => c[0])).toEqual(["kill-cdc", "partition", "delay", "kill-cdc"]);
    expect(backend.calls[1]?.[1]).toEqual(params);
    const names = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "fault" && e.phase === "start")
      .map((e) => e.name);
    expect(names).toEqual(["kill-cdc", "partition", "delay", "kill-cdc"]);
  });

  it("in a star aims each fault on one standby: at faultStandby, else at the standbys in turn", async () => {
    const aimedRun = async (name: string, standby: number | null) => {
      const backend = fakeBackend(["kill-cdc", "restart-standby", "partition"]);
      const path = join(dir, name);
      const history = new HistoryWriter(path);
      const nem = new Nemesis(
        backend,
        history,
        ["kill-cdc", "restart-standby", "partition"],
        { kind: "at", fractions: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] },
        {},
        undefined,
        { durationMs: 100, delayMs: 200, jitterMs: 50 },
        { standbys: 2, standby },
      );
      nem.onProgress(1);
      await nem.stop();
      await history.close();
      const starts = readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === "fault" && e.phase === "start")
        .map((e) => [e.name, e.standby]);
      return { starts, given: backend.calls.map((c) => [c[0], c[1]?.standby]) };
    };
    // In turn: restart-standby -> 1, partition -> 2, restart-standby -> 1, partition -> 2; kill-cdc reaches both.
    const turn = await aimedRun("h-aim1.jsonl", null);
    const expected = [
      ["kill-cdc", undefined],
      ["restart-standby", 1],
      ["partition", 2],
      ["kill-cdc", undefined],
      ["restart-standby", 1],
      ["partition", 2],
    ];
    expect(turn.starts).toEqual(expected);
    expect(turn.given).toEqual(expected);
    const fixed = await aimedRun("h-aim2.jsonl", 2);
    expect(fixed.starts.filter(([n]) => n !== "kill-cdc").map(([, k]) => k)).toEqual([2, 2, 2, 2]);
  });

  it("records a fault that could not be injected with its error (its recovery is then unknown)", async () => {
    const backend = fakeBackend(["partition"], "partition");
    const path = join(dir, "h2.jsonl");
    const history = new HistoryWriter(path);
    const nem = new Nemesis(backend, history, ["partition"], { kind: "at", fractions: [0.5] });
    nem.onProgress(1);
    await nem.stop();
    await history.close();
    const end = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((e) => e.type === "fault" && e.phase === "end");
    expect(end.error).toBe("partition could not be injected");
  });

  it("refuses a fault type its backend does not bring, when the schedule has a point", async () => {
    const history = new HistoryWriter(join(dir, "h3.jsonl"));
    expect(
      () =>
        new Nemesis(fakeBackend(["kill-cdc"]), history, ["kill-cdc", "stress-standby"], {
          kind: "at",
          fractions: [0.5],
        }),
    ).toThrow(/cannot inject fault stress-standby/);
    expect(
      () => new Nemesis(fakeBackend([]), history, ["kill-cdc"], { kind: "every", everyMs: 1_000, times: 2 }),
    ).toThrow(/cannot inject fault kill-cdc \(it supports: none\)/);
    await history.close();
  });

  it("runs with a backend that brings no fault when nothing is scheduled (existing clusters without a kill mechanism)", async () => {
    const history = new HistoryWriter(join(dir, "h3b.jsonl"));
    const nem = new Nemesis(fakeBackend([]), history, ["kill-cdc"], { kind: "at", fractions: [] });
    nem.start();
    await nem.stop();
    expect(nem.faultsInjected).toBe(0);
    await history.close();
  });
});

// ---- config and CLI -----------------------------------------------------------------------------

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("expected a UsageError");
}

describe("nemesis config and flags", () => {
  it("--nemesis and --nemesis-duration set faults.nemesis; kill-cdc alone is the default", () => {
    expect(loadConfig({ profile: "smoke" }).faults.nemesis.types).toEqual(["kill-cdc"]);
    const f = parseRunFlags(["--nemesis", "restart-standby, partition", "--nemesis-duration", "3s"]);
    const cfg = loadConfig({ profile: "smoke", overrides: f.overrides });
    expect(cfg.faults.nemesis).toMatchObject({ types: ["restart-standby", "partition"], durationMs: 3000 });
  });

  it("names every type an unknown one could have been", () => {
    const m = usage(() => parseRunFlags(["--nemesis", "partition,chaos"]));
    expect(m).toMatch(/^--nemesis partition,chaos: /);
    for (const t of NEMESIS_TYPES) expect(m).toContain(t);
  });

  it("the local backend refuses stress-standby in one line, before anything starts", () => {
    const m = usage(() =>
      loadConfig({ profile: "smoke", overrides: { faults: { nemesis: { types: ["stress-standby"] } } } }),
    );
    expect(m).toMatch(/faults\.nemesis\.types .*stress-standby: the local backend cannot/);
  });

  it("an existing backend refuses what its config does not allow, naming what is missing", () => {
    const m = usage(() =>
      loadConfig({
        configText: `backend:
  type: existing
  existing:
    source: {uri: "http://a:19530"}
    target: {uri: "http://b:19530"}
    kube: {namespace: milvus, sourceInstance: a}
faults:
  nemesis: {types: [kill-cdc, partition]}
`,
      }),
    );
    expect(m).toMatch(/partition on existing clusters needs Chaos Mesh/);
  });

  it("a nemesis self-test fault without the nemesis that sets it off is refused, naming it", () => {
    const m = usage(() =>
      loadConfig({
        profile: "smoke",
        overrides: {
          backend: { type: "local", local: { faultMode: "lose-on-partition" } },
          faults: { nemesis: { types: ["kill-cdc", "delay"] } },
        },
      }),
    );
    expect(m).toMatch(
      /^config backend\.local\.faultMode = lose-on-partition: is set off by --nemesis partition,/,
    );
    const none = usage(() =>
      loadConfig({
        profile: "smoke",
        overrides: {
          backend: { type: "local", local: { faultMode: "wedge-channel" } },
          faults: { killCdc: { at: [] } },
        },
      }),
    );
    expect(none).toMatch(/wedge-channel: is set off by any nemesis fault/);
    const ok = loadConfig({
      profile: "smoke",
      overrides: {
        backend: { type: "local", local: { faultMode: "stall-after-standby-restart" } },
        faults: { nemesis: { types: ["restart-standby"] } },
      },
    });
    expect(ok.backend.local.faultMode).toBe("stall-after-standby-restart");
  });

  it("no fault scheduled: no type is refused (nothing will be injected)", () => {
    const cfg = loadConfig({
      profile: "smoke",
      overrides: { faults: { killCdc: { at: [] }, nemesis: { types: ["stress-standby"] } } },
    });
    expect(cfg.faults.nemesis.types).toEqual(["stress-standby"]);
  });
});
