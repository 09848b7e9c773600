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

export function isSuccess(status: MilvusStatus | undefined): boolean {
  if (!status) return true;
  const ec = status.error_code;
  const ecOk = ec === undefined || ec === 0 || ec === "Success";
  return ecOk && (status.code ?? 0) === 0;
}
