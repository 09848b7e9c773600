/**
 * The receiving end of CreateReplicateStream: requests are applied one after another in arrival order and
 * each is answered with its confirmation; the first failure ends the stream with its gRPC status, and
 * the replicator starts over from GetReplicateInfo.
 */
import type * as grpc from "@grpc/grpc-js";
import { toServiceError } from "./front-errors.js";

export function serveReplicateStream(
  call: grpc.ServerDuplexStream<Buffer, Buffer>,
  apply: (request: Buffer) => Promise<Buffer>,
): void {
  let chain: Promise<void> = Promise.resolve();
  let broken = false;
  call.on("data", (buf: Buffer) => {
    chain = chain.then(async () => {
      if (broken) return;
      try {
        call.write(await apply(buf));
      } catch (e) {
        broken = true;
        call.emit("error", toServiceError(e));
      }
    });
  });
  call.on("end", () => {
    chain.then(() => {
      if (!broken) call.end();
    });
  });
  call.on("error", () => {
    broken = true;
  });
}
