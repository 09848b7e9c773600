/**
 * A killed Milvus Lite's watchdog exits on its own, so the lab's stop can race the watchdog's channel
 * closing. Node reports a send on a closed channel as an 'error' event on the ChildProcess when no
 * callback is given, and an 'error' event nobody listens to is thrown: it ended a failover drill on the
 * spot (no teardown, no report). A fake child stands in for that race, deterministically.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { MilvusLiteProcess } from "../src/backends/local/processes/milvus-lite-process.js";

/** Behaves like a ChildProcess whose IPC channel has just closed under a `connected` that still says true. */
class ClosingChild extends EventEmitter {
  connected = true;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  sends = 0;
  send(_m: unknown, cb?: (e: Error | null) => void): boolean {
    this.sends += 1;
    const err = Object.assign(new Error("Channel closed"), { code: "ERR_IPC_CHANNEL_CLOSED" });
    setImmediate(() => (cb ? cb(err) : this.emit("error", err)));
    // The watchdog exits right after (it noticed its server die).
    setImmediate(() => {
      this.connected = false;
      this.exitCode = 0;
      this.emit("exit", 0, null);
    });
    return false;
  }
  kill(): boolean {
    return true;
  }
}

const construct = (child: ClosingChild) =>
  new (MilvusLiteProcess as unknown as new (a: string, l: string, c: ClosingChild) => MilvusLiteProcess)(
    "127.0.0.1:1",
    "/dev/null",
    child,
  );

describe("MilvusLiteProcess.stop racing its watchdog's exit", () => {
  it("a send on a channel that just closed is not an uncaught error; stop resolves on the exit", async () => {
    const child = new ClosingChild();
    const p = construct(child);
    await expect(p.stop()).resolves.toBeUndefined();
    expect(child.sends).toBe(1);
  });
  it("an 'error' event from the watchdog's channel is listened to, never thrown", () => {
    const child = new ClosingChild();
    construct(child);
    // EventEmitter throws an 'error' nobody listens to: this is the crash without the listener.
    expect(() => child.emit("error", new Error("write EPIPE"))).not.toThrow();
  });
});
