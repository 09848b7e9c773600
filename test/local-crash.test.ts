/**
 * A crash of a lab cluster falls between two writes, as Milvus's WAL makes it (Front.crash): a write
 * under way when the engine is killed finishes first, so it is both on the primary and in its WAL, and
 * the standby gets it. Before, the kill could land after Milvus Lite applied a write and before the
 * front appended it to the WAL: the rows stayed on the primary and never reached the standby (a CI
 * run of the restart-primary nemesis lost a 50-row insert that way), a loss no Milvus can have.
 */
import type { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, startLab } from "../src/backends/local/lab.js";
import { milvusClient } from "../src/milvus/client.js";
import { alive, vectorRows as rows, vectorCollection, waitFor } from "./helpers/lab.js";

let lab: Lab;
const clients: MilvusClient[] = [];
const frozen = new Set<number>();

beforeAll(async () => {
  lab = await startLab({ replicate: true, pchannels: 1 });
}, 120_000);
afterAll(async () => {
  for (const pid of frozen) if (alive(pid)) process.kill(pid, "SIGCONT");
  await Promise.all(clients.map((c) => c.closeConnection().catch(() => {})));
  const pids = lab?.pids() ?? [];
  await lab?.stop();
  await waitFor("every lab process to exit", () => pids.every((p) => !alive(p)), 10_000);
});

/** A client that never re-sends a write: the outcome seen is the one call's. */
const client = (ep: { uri: string; token?: string }) => {
  const c = milvusClient(ep, { timeoutMs: 60_000 });
  clients.push(c);
  return c;
};

async function count(c: MilvusClient): Promise<number> {
  const q = await c.query({ collection_name: "c", filter: "", output_fields: ["count(*)"] });
  return Number((q.data[0] as Record<string, unknown> | undefined)?.["count(*)"] ?? -1);
}

describe("a lab cluster's crash", () => {
  it("lets the write under way finish first: on the primary, in its WAL, and on the standby", async () => {
    const p = client(lab.source);
    await vectorCollection(p, "c");
    await p.insert({ collection_name: "c", data: rows(0, 5) });
    const s = client(lab.target);
    await waitFor("the standby to hold the first 5 rows", async () => (await count(s)) === 5, 30_000);

    // The engine stops answering (SIGSTOP) while a write is under way: the front holds its channel.
    const pid = lab.enginePid("source");
    if (pid === undefined) throw new Error("the primary's Milvus Lite has no pid");
    process.kill(pid, "SIGSTOP");
    frozen.add(pid);
    const write = p.insert({ collection_name: "c", data: rows(100, 5) }).then(
      (r) => r.status.error_code,
      (e: Error) => `threw: ${e.message}`,
    );
    await new Promise((r) => setTimeout(r, 500));
    const restart = lab.restartCluster("source");
    await new Promise((r) => setTimeout(r, 300));
    if (alive(pid)) process.kill(pid, "SIGCONT");
    frozen.delete(pid);

    // The kill waited for the write: it was answered; the standby getting it proves it is in the WAL.
    expect(await write).toBe("Success");
    await restart;
    expect(alive(pid)).toBe(false);
    const p2 = client(lab.source);
    expect(await count(p2)).toBe(10);
    await waitFor(
      "the standby to get the write the crash waited for",
      async () => (await count(s)) === 10,
      30_000,
    );
  }, 120_000);
});
