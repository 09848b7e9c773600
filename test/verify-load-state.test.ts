/**
 * The case of issue 23: two plain Milvus Lite servers with the same rows, the standby's collection
 * released. verify used to end with exit 3 (error) after comparing 0 rows; it must fail (exit 1) with
 * a load-state difference naming the collection, having compared the rows.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType, MilvusClient } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as verifyCommand } from "../src/cli/commands/verify.js";
import { startTwoLites, type TwoLites } from "./helpers/two-lites.js";

const COLL = "released_on_standby";

let lites: TwoLites;
let src: MilvusClient;
let tgt: MilvusClient;

async function create(c: MilvusClient): Promise<void> {
  const must = (what: string, s: { error_code?: string | number; reason?: string }) => {
    if (s.error_code !== "Success") throw new Error(`${what}: ${s.reason}`);
  };
  must(
    "create",
    await c.createCollection({
      collection_name: COLL,
      fields: [
        { name: "pk", data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: "ver", data_type: DataType.Int64 },
        { name: "vec", data_type: DataType.FloatVector, dim: 4 },
      ],
    }),
  );
  must(
    "index",
    await c.createIndex({ collection_name: COLL, field_name: "vec", index_type: "FLAT", metric_type: "L2" }),
  );
  must("load", await c.loadCollectionSync({ collection_name: COLL }));
  const data = Array.from({ length: 40 }, (_, i) => ({ pk: i + 1, ver: 1, vec: [i, 1, 2, 3] }));
  must("insert", (await c.insert({ collection_name: COLL, data })).status);
}

beforeAll(async () => {
  lites = await startTwoLites();
  src = new MilvusClient({ address: lites.source.uri.replace("http://", ""), logLevel: "error" });
  tgt = new MilvusClient({ address: lites.target.uri.replace("http://", ""), logLevel: "error" });
  await create(src);
  await create(tgt);
  const released = await tgt.releaseCollection({ collection_name: COLL });
  if (released.error_code !== "Success") throw new Error(`release: ${released.reason}`);
}, 180_000);

afterAll(async () => {
  await src?.closeConnection();
  await tgt?.closeConnection();
  await lites?.stop();
});

describe("verify: a collection released on the standby only", () => {
  it("exits 1 with the load-state difference named, the rows compared, and the standby released again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcd-verify-load-"));
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => lines.push(a.join(" "));
    let code: number;
    try {
      code = await verifyCommand([
        "--source-uri",
        lites.source.uri,
        "--target-uri",
        lites.target.uri,
        "--search-queries",
        "0",
        "--out",
        dir,
      ]);
    } finally {
      console.log = log;
    }
    try {
      expect(code).toBe(1);
      const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8"));
      expect(report.verdict).toBe("fail");
      const parity = report.checks.find((c: { name: string }) => c.name === "parity");
      expect(parity.verdict).toBe("fail");
      expect(parity.evidence.map((e: { message: string }) => e.message)).toContain(
        `${COLL}: load state differs: collection ${COLL} is loaded on the primary and released on the standby`,
      );
      expect(lines.join("\n")).toMatch(/compared 40 rows/);
      const after = await tgt.getLoadState({ collection_name: COLL });
      expect(after.state).toBe("LoadStateNotLoad");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
