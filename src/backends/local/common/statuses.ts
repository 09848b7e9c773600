/** The error shapes every part of a front answers with: Milvus statuses in replies, gRPC statuses on streams. */
import * as grpc from "@grpc/grpc-js";
import type { MilvusStatus } from "../../../milvus/proto.js";

/**
 * Milvus's answer to a client write on a secondary, exactly: its WAL's replicate interceptor refuses
 * the message with `status.NewReplicateViolation("non-replicate message cannot be received in
 * secondary role")`, a StreamingError whose `Error()` is `code: %s, cause: %s`
 * (milvus-io/milvus pkg/streaming/util/status/streaming_error.go), and the proxy turns that non-merr
 * error into merr's unexpected error: code 65535, ErrorCode UnexpectedError, the text as the reason.
 *
 * pymilvus (3.0.2, the version the conformance venv installs) keys on that text: its
 * ConnectionManager.handle_error treats a MilvusException containing STREAMING_CODE_REPLICATE_VIOLATION
 * like UNAVAILABLE (recover the channel, retry), so `retry_on_rpc_failure` retries such a write up to
 * 75 times with backoff capped at 3 s (~213 s) before raising. Milvus's own suite hit that against
 * Milvus and capped the retries in its test (test_switchover.py, commit 2e0f0c2: `retry_times=10`,
 * refusals during the role flip tolerated); answering anything else would hide the behaviour a client
 * meets on Milvus. Pinned by test/local-front-errors.test.ts.
 */
export const REPLICATE_VIOLATION_REASON =
  "code: STREAMING_CODE_REPLICATE_VIOLATION, cause: non-replicate message cannot be received in secondary role";

/** merr's code for an error that is not a merr error (`errUnexpected`, (1<<16)-1). */
export const MILVUS_UNEXPECTED_CODE = 65535;

export function milvusStatus(code: number, reason: string, errorCode = "UnexpectedError"): MilvusStatus {
  return { error_code: errorCode, code, reason };
}

/** merr.WrapErrParameterInvalidMsg: code 1100, `<msg>: invalid parameter`, legacy code IllegalArgument. */
export function invalidParameter(msg: string): MilvusStatus {
  return milvusStatus(1100, `${msg}: invalid parameter`, "IllegalArgument");
}

/** A failure that ends a call (or a replicate stream) with a gRPC status rather than a Milvus status. */
export class FrontError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export function toServiceError(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof FrontError) return { code: e.code, details: e.message };
  const se = e as Partial<grpc.ServiceError>;
  if (typeof se?.code === "number")
    return { code: se.code, details: se.details ?? se.message, metadata: se.metadata };
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}
