/** The error shapes every part of a front answers with: Milvus statuses in replies, gRPC statuses on streams. */
import * as grpc from "@grpc/grpc-js";
import type { MilvusStatus } from "../../milvus/proto.js";

/** Milvus's answer to a client write on a standby (pymilvus sees code 65535). */
export const REPLICATE_VIOLATION_REASON =
  "code: STREAMING_CODE_REPLICATE_VIOLATION, cause: non-replicate message cannot be received in secondary role";

export function milvusStatus(code: number, reason: string, errorCode = "UnexpectedError"): MilvusStatus {
  return { error_code: errorCode, code, reason };
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
