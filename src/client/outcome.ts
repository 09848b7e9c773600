/**
 * Classifies what a Milvus call returned into the history's outcomes:
 * ok (applied), fail (definitely not applied), info (unknown: may or may not have been applied).
 * Only `fail` when the server said so in-band, or when the call never left the client (no connection:
 * notSent); other transport errors and deadlines are `info`, because the write may have reached the
 * WAL before the connection broke.
 */
import { notSent, statusClass } from "../milvus/status.js";

export type Outcome = { type: "ok" } | { type: "fail" | "info"; error: string; code?: number };

interface StatusLike {
  error_code?: string | number;
  code?: number;
  reason?: string;
}

function statusOf(res: unknown): StatusLike | undefined {
  if (!res || typeof res !== "object") return undefined;
  const r = res as { status?: StatusLike } & StatusLike;
  if (r.status && typeof r.status === "object") return r.status;
  if ("error_code" in r || "code" in r) return r;
  return undefined;
}

/** Whether an SDK response (or a bare status) says the call succeeded; an unrecognised answer does not. */
export function isSuccess(res: unknown): boolean {
  return statusClass(statusOf(res)) === "success";
}

/** In-band answers that still leave the outcome unknown (the server timed out internally). */
const UNKNOWN_REASONS = /timeout|timed out|deadline|context canceled|unavailable/i;

export function fromResponse(res: unknown): Outcome {
  const cls = statusClass(statusOf(res));
  if (cls === "success") return { type: "ok" };
  if (cls === "unrecognised") {
    const shown = JSON.stringify(res) ?? String(res);
    return {
      type: "info",
      error: `unrecognised response status: ${shown.length > 120 ? `${shown.slice(0, 120)}…` : shown}`,
    };
  }
  const s = statusOf(res) ?? {};
  const error = s.reason || String(s.error_code ?? "error");
  return { type: UNKNOWN_REASONS.test(error) ? "info" : "fail", error, code: s.code };
}

/** gRPC status codes that mean the request was definitely rejected before being applied. */
const DEFINITE_GRPC = new Set([
  3 /* INVALID_ARGUMENT */, 5 /* NOT_FOUND */, 7 /* PERMISSION_DENIED */, 12 /* UNIMPLEMENTED */,
  16 /* UNAUTHENTICATED */,
]);

export function fromError(e: unknown): Outcome {
  const err = e as { code?: number; details?: string; message?: string };
  const error = (err.details || err.message || String(e)).split("\n")[0] ?? "error";
  // The drill's writes are never retried by the SDK (client/connect.ts), so an unsent call is the only try.
  if ((typeof err.code === "number" && DEFINITE_GRPC.has(err.code)) || notSent(e))
    return { type: "fail", error, code: err.code };
  return { type: "info", error, code: err.code };
}

export async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return fromResponse(await call());
  } catch (e) {
    return fromError(e);
  }
}
