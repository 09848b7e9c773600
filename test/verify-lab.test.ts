/**
 * verifyClusters through the local backend's fronts (what a local drill verifies), where a replayed
 * insert really is a second row: count(*) exceeds the distinct keys on both sides, and the duplicates
 * check must say so while parity finds the two sides equal.
 */
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { checkDuplicates } from "../src/checkers/duplicates.js";
import { checkParity } from "../src/checkers/parity.js";
import { verifyClusters } from "../src/verify/verify.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

const COLL = "verify_dups";
const N = 120;
let lab: Lab;
let src: MilvusClient;
let tgt: MilvusClient;

const row = (pk: number) => ({ pk, ver: 1, vec: [pk, pk / 2, -pk, 1] });
const count = async (c: MilvusClient) =>
  Number(
    (await c.query({ collection_name: COLL, filter: "", output_fields: ["count(*)"] })).data[0]?.["count(*)"],
  );

beforeAll(async () => {
  lab = await startTestLab({ replicate: true });
  src = new MilvusClient({ address: lab.source.uri, logLevel: "error" });
  tgt = new MilvusClient({ address: lab.target.uri, logLevel: "error" });
  await src.createCollection({
    collection_name: COLL,
    fields: [
      { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: "ver", data_type: DataType.Int64 },
      { name: "vec", data_type: DataType.FloatVector, dim: 4 },
    ],
  });
  await src.createIndex({ collection_name: COLL, field_name: "vec", index_type: "FLAT", metric_type: "L2" });
  await src.loadCollection({ collection_name: COLL });
  // Scrambled insert order, then one key inserted a second time.
  const pks = Array.from({ length: N }, (_, i) => (i * 53) % N);
  await src.insert({ collection_name: COLL, data: pks.map(row) });
  await src.insert({ collection_name: COLL, data: [row(7)] });
  await waitFor(
    `the standby to show count(*) ${N + 1} in ${COLL}`,
    async () => (await count(tgt).catch(() => 0)) === N + 1,
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await src?.closeConnection();
  await tgt?.closeConnection();
  await lab?.stop();
});

describe("verify through the local fronts", () => {
  it("pages every key once, finds the sides equal, and the duplicates check flags the replayed insert", async () => {
    const r = await verifyClusters({
      source: lab.source,
      target: lab.target,
      collections: [COLL],
      versionField: "ver",
      pageSize: 25,
      searchQueries: 2,
    });
    const c = r.final.collections[0];
    expect(c?.source.reachable && c?.target.reachable).toBe(true);
    expect([c?.source.count, c?.source.distinctKeys]).toEqual([N + 1, N]);
    expect([c?.target.count, c?.target.distinctKeys]).toEqual([N + 1, N]);
    expect(c?.onlySourceTotal).toBe(0);
    expect(c?.onlyTargetTotal).toBe(0);
    expect(c?.mismatchedTotal).toBe(0);
    expect(c?.rowsCompared).toBe(N);

    const dup = checkDuplicates([], r.final);
    expect(dup.verdict).toBe("fail");
    expect(JSON.stringify(dup.evidence)).toContain(COLL);
    // Parity compares content and count(*): equal on both sides here.
    expect(checkParity([], r.final).verdict).toBe("pass");
  });
});
