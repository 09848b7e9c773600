import { describe, expect, it } from "vitest";
import { fromError, fromResponse, isSuccess } from "../src/client/outcome.js";
import { statusClass } from "../src/milvus/status.js";

describe("a response the client cannot classify is an unknown outcome, never an acknowledged write", () => {
  it("classifies statuses", () => {
    expect(statusClass({ error_code: "Success", code: 0, reason: "" })).toBe("success");
    expect(statusClass({ code: 0 })).toBe("success");
    // proto3 defaults omitted by the decoder: an all-default status is Success.
    expect(statusClass({})).toBe("success");
    expect(statusClass({ extra_info: {} })).toBe("success");
    expect(statusClass({ error_code: "UnexpectedError", code: 65535, reason: "x" })).toBe("failure");
    expect(statusClass({ error_code: "Success", code: 1100 })).toBe("failure");
    for (const odd of [undefined, null, "ok", 0, { code: "0" }, { error_code: {} }, { code: true }])
      expect(statusClass(odd), JSON.stringify(odd)).toBe("unrecognised");
  });
  it("maps them to ok, fail and info", () => {
    expect(fromResponse({ status: { error_code: "Success", code: 0 } })).toEqual({ type: "ok" });
    expect(fromResponse({ status: { extra_info: {} }, upsert_cnt: "1" })).toEqual({ type: "ok" });
    expect(
      fromResponse({ status: { error_code: "IllegalArgument", code: 1100, reason: "bad" } }),
    ).toMatchObject({
      type: "fail",
      error: "bad",
    });
    expect(fromResponse({ status: { code: 65535, reason: "context deadline exceeded" } }).type).toBe("info");
    for (const odd of [undefined, "ok", { insert_cnt: 3 }, { status: null }, { status: { code: "0" } }]) {
      const o = fromResponse(odd);
      expect(o.type, JSON.stringify(odd)).toBe("info");
      expect(o.type === "info" && o.error).toMatch(/unrecognised response status/);
      expect(isSuccess(odd)).toBe(false);
    }
  });
});

describe("a thrown error: fail only when the call is known not to have been applied", () => {
  const grpcError = (code: number, message: string) => Object.assign(new Error(message), { code });
  it("an unsent call (no connection) and a definite gRPC refusal fail; a dropped connection or a deadline is unknown", () => {
    expect(
      fromError(grpcError(14, "14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED")),
    ).toMatchObject({ type: "fail", code: 14 });
    expect(fromError(grpcError(3, "3 INVALID_ARGUMENT: bad"))).toMatchObject({ type: "fail" });
    expect(fromError(grpcError(14, "14 UNAVAILABLE: read ECONNRESET"))).toMatchObject({ type: "info" });
    expect(fromError(grpcError(4, "4 DEADLINE_EXCEEDED: Deadline exceeded"))).toMatchObject({ type: "info" });
  });
});
