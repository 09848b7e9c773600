import { describe, expect, it } from "vitest";
import { MILVUS_UNEXPECTED_CODE, REPLICATE_VIOLATION_REASON } from "../src/backends/local/common/statuses.js";
import { PrimaryWrites, type PrimaryWritesDeps } from "../src/backends/local/front/primary-writes.js";
import { responseStatus } from "../src/milvus/proto.js";

// A secondary's refusal must be byte-for-byte what Milvus answers (see front-errors.ts for the
// upstream sources): pymilvus decides whether to retry a write from this very text, so a client's
// behaviour against the local backend is its behaviour against Milvus only if the answer matches.
describe("a client write on a secondary", () => {
  const secondary = (stale = false) =>
    new PrimaryWrites({
      config: { role: "secondary" },
      staleWhenDemoted: stale,
    } as unknown as PrimaryWritesDeps);

  it.each([
    "Insert",
    "Upsert",
    "Delete",
    "CreateCollection",
    "DropCollection",
  ])("%s is refused as Milvus refuses it: code 65535, UnexpectedError, the streaming error's text", async (method) => {
    const res = await secondary().mutate(method, Buffer.alloc(0), undefined as never, Infinity);
    const status = responseStatus(method, res);
    expect(status?.code).toBe(MILVUS_UNEXPECTED_CODE);
    expect(MILVUS_UNEXPECTED_CODE).toBe(2 ** 16 - 1);
    expect(status?.error_code).toBe("UnexpectedError");
    expect(status?.reason).toBe(REPLICATE_VIOLATION_REASON);
  });

  it("carries the marker pymilvus keys its retry on, in Milvus's `code: X, cause: Y` form", () => {
    expect(REPLICATE_VIOLATION_REASON).toBe(
      "code: STREAMING_CODE_REPLICATE_VIOLATION, cause: non-replicate message cannot be received in secondary role",
    );
    expect(REPLICATE_VIOLATION_REASON).toContain("STREAMING_CODE_REPLICATE_VIOLATION");
  });

  it("a demoted cluster under the stale-primary fault does not answer the refusal (it takes the write)", async () => {
    // It goes on to apply the write, which these stub dependencies cannot do: anything but the refusal.
    const outcome = await secondary(true)
      .mutate("Insert", Buffer.alloc(0), undefined as never, Infinity)
      .then((res) => responseStatus("Insert", res)?.reason)
      .catch((e: unknown) => `threw: ${String(e)}`);
    expect(outcome).not.toBe(REPLICATE_VIOLATION_REASON);
  });
});
