/** The phase runner: order, records, cancellation naming its phase, and always-phases that always run. */
import { describe, expect, it } from "vitest";
import type { Phase } from "../src/drill/phase.js";
import { PhaseError } from "../src/drill/phase.js";
import { PhaseRunner } from "../src/drill/runner.js";
import { quietLog } from "./helpers/drill.js";

type Ctx = { ran: string[] };

const ok = (name: string): Phase<Ctx> => ({
  name,
  title: name,
  run: async (ctx) => {
    ctx.ran.push(name);
  },
});

/** A phase that waits until cancelled (as a well-behaved phase does), then rejects. */
const waitsForCancel = (name: string, started: () => void): Phase<Ctx> => ({
  name,
  title: name,
  run: (ctx, signal) =>
    new Promise((_, reject) => {
      ctx.ran.push(name);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      started();
    }),
});

describe("PhaseRunner", () => {
  it("runs phases in order and records each with its outcome", async () => {
    const ctx: Ctx = { ran: [] };
    const runner = new PhaseRunner<Ctx>({ log: quietLog });
    const skipped: Phase<Ctx> = { ...ok("b"), skip: () => "does not apply" };
    const stop = await runner.run([ok("a"), skipped, ok("c")], ctx);
    expect(stop).toBeUndefined();
    expect(ctx.ran).toEqual(["a", "c"]);
    expect(runner.records.map((r) => [r.name, r.outcome, r.detail])).toEqual([
      ["a", "ok", undefined],
      ["b", "skipped", "does not apply"],
      ["c", "ok", undefined],
    ]);
    for (const r of runner.records) expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("stops at a failed phase, names it (or the step a PhaseError names), and still runs the always-phases", async () => {
    const ctx: Ctx = { ran: [] };
    const runner = new PhaseRunner<Ctx>({ log: quietLog });
    const boom: Phase<Ctx> = {
      name: "b",
      title: "b",
      run: async () => {
        throw new PhaseError("b-step", "it broke");
      },
    };
    const stop = await runner.run([ok("a"), boom, ok("c")], ctx);
    expect(stop).toEqual({ phase: "b-step", message: "it broke", cancelled: false });
    await runner.always([ok("teardown")], ctx);
    expect(ctx.ran).toEqual(["a", "teardown"]);
    expect(runner.records.map((r) => r.outcome)).toEqual(["ok", "failed", "ok"]);
  });

  it("a cancellation is reported in the phase that was running, and later phases do not run", async () => {
    const ctl = new AbortController();
    const ctx: Ctx = { ran: [] };
    const runner = new PhaseRunner<Ctx>({ log: quietLog, signal: ctl.signal });
    const stop = await runner.run([ok("a"), waitsForCancel("b", () => ctl.abort()), ok("c")], ctx);
    expect(stop).toEqual({ phase: "b", message: "cancelled in b", cancelled: true });
    await runner.always([ok("teardown")], ctx);
    expect(ctx.ran).toEqual(["a", "b", "teardown"]);
    expect(runner.records.find((r) => r.name === "b")?.outcome).toBe("cancelled");
  });

  it("a signal aborted before the start cancels in the first phase without running it", async () => {
    const ctl = new AbortController();
    ctl.abort();
    const ctx: Ctx = { ran: [] };
    const runner = new PhaseRunner<Ctx>({ log: quietLog, signal: ctl.signal });
    const stop = await runner.run([ok("a")], ctx);
    expect(stop?.cancelled).toBe(true);
    expect(ctx.ran).toEqual([]);
  });

  it("does not wait past the grace period for a phase that ignores the cancellation", async () => {
    const ctl = new AbortController();
    const ctx: Ctx = { ran: [] };
    const runner = new PhaseRunner<Ctx>({ log: quietLog, signal: ctl.signal, graceMs: 50 });
    const deaf: Phase<Ctx> = {
      name: "deaf",
      title: "deaf",
      run: () => {
        ctl.abort();
        return new Promise(() => {}); // never settles, never looks at the signal
      },
    };
    const stop = await runner.run([deaf, ok("after")], ctx);
    expect(stop).toMatchObject({ phase: "deaf", cancelled: true });
    expect(runner.records[0]).toMatchObject({ outcome: "cancelled", detail: expect.stringMatching(/50 ms/) });
    expect(ctx.ran).toEqual([]);
  });

  it("always-phases are not cancellable and their failures are recorded, not thrown", async () => {
    const ctl = new AbortController();
    const ctx: Ctx = { ran: [] };
    const runner = new PhaseRunner<Ctx>({ log: quietLog, signal: ctl.signal });
    ctl.abort();
    const failing: Phase<Ctx> = {
      name: "teardown",
      title: "teardown",
      run: async (_ctx, signal) => {
        expect(signal.aborted).toBe(false);
        throw new Error("could not delete");
      },
    };
    await runner.always([failing, ok("report")], ctx);
    expect(runner.records.map((r) => [r.name, r.outcome])).toEqual([
      ["teardown", "failed"],
      ["report", "ok"],
    ]);
    expect(ctx.ran).toEqual(["report"]);
  });
});
