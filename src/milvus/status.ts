/**
 * Milvus answers most errors in-band, in a common.Status. One rule for "did it succeed": the deprecated
 * error_code is Success (or absent / 0) and the newer numeric code is 0. No imports, so every room
 * (client, verify, the local front) can use it without loading the protocol.
 */
export interface MilvusStatus {
  error_code?: string | number;
  reason?: string;
  code?: number;
  retriable?: boolean;
  detail?: string;
}

/**
 * Protocol-level rule (proto3: an absent status, or absent fields, mean the defaults, i.e. Success).
 * For a status a client got back through the SDK, use statusClass: there absence is not success.
 */
export function isSuccess(status: MilvusStatus | undefined): boolean {
  if (!status) return true;
  const ec = status.error_code;
  const ecOk = ec === undefined || ec === 0 || ec === "Success";
  return ecOk && (status.code ?? 0) === 0;
}

/**
 * What a client may conclude from a status it got back from a call: success, a failure the server
 * stated, or nothing at all. `unrecognised` (no status object where one was due, or fields of the wrong type)
 * is an unknown outcome: a write answered that way may or may not have been applied, so it is never
 * counted as acknowledged (nor as refused).
 */
export type StatusClass = "success" | "failure" | "unrecognised";

export function statusClass(status: unknown): StatusClass {
  if (!status || typeof status !== "object") return "unrecognised";
  const s = status as Record<string, unknown>;
  const ec = s.error_code;
  const code = s.code;
  if (ec !== undefined && typeof ec !== "string" && typeof ec !== "number") return "unrecognised";
  if (code !== undefined && code !== null && typeof code !== "number") return "unrecognised";
  // proto3: a status whose fields are all absent carries the defaults (Success, 0): a decoder that
  // omits defaults (our own column-wise write path) answers a success as {}.
  return isSuccess(s as MilvusStatus) ? "success" : "failure";
}

/**
 * A call grpc-js failed at once without sending it: its channel had no connection (pick_first's picker
 * answers "No connection established", code 14 UNAVAILABLE, while it waits out its reconnect backoff;
 * grpc-js load-balancer-pick-first.ts, picker.ts UnavailablePicker). Nothing reached the server, so
 * nothing was applied: the call may be sent again, and its failure says nothing about the server's
 * answer. Only for a client that does not retry (retries 0): after an SDK retry, an earlier attempt
 * may have been sent.
 */
export function notSent(e: unknown): boolean {
  if (!e || typeof e !== "object") return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return code === 14 && typeof message === "string" && message.includes("No connection established");
}
