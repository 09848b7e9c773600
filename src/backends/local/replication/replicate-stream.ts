/**
 * The receiving end of CreateReplicateStream: requests are applied in arrival order, in batches of
 * whatever has arrived while the previous batch was being applied (the replicator keeps a window of
 * unconfirmed messages in flight, so a backlog arrives many at a time). Each request is answered with
 * its confirmation once the batch's checkpoint is on disk; the first failure ends the stream with its
 * gRPC status after the confirmations of what was applied before it, and the replicator starts over
 * from GetReplicateInfo.
 */
import type * as grpc from "@grpc/grpc-js";
import { toServiceError } from "../common/statuses.js";

/** Confirmations of the requests applied, in order; `error` when the request after them failed. */
export interface BatchResult {
  responses: Buffer[];
  error?: unknown;
}

export function serveReplicateStream(
  call: grpc.ServerDuplexStream<Buffer, Buffer>,
  applyBatch: (requests: Buffer[]) => Promise<BatchResult>,
): void {
  const queue: Buffer[] = [];
  let draining = false;
  let broken = false;
  let ended = false;
  const fail = (e: unknown) => {
    broken = true;
    call.emit("error", toServiceError(e));
  };
  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0 && !broken) {
        const batch = queue.splice(0, queue.length);
        const { responses, error } = await applyBatch(batch);
        for (const r of responses) call.write(r);
        if (error !== undefined) fail(error);
      }
    } catch (e) {
      fail(e);
    } finally {
      draining = false;
    }
    if (ended && !broken) call.end();
  };
  call.on("data", (buf: Buffer) => {
    if (broken) return;
    queue.push(buf);
    void drain();
  });
  call.on("end", () => {
    ended = true;
    if (!draining && !broken) call.end();
  });
  // The replicator went away: nothing more is sent back, but a batch being applied still finishes and
  // moves its checkpoint, so what was applied is never applied again by the replicator's next session.
  call.on("error", () => {
    broken = true;
  });
}
