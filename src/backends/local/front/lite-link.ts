/** The front's connection to its Milvus Lite server: requests pass through as raw protobuf bytes. */
import * as grpc from "@grpc/grpc-js";
import { MILVUS_SERVICE } from "../../../milvus/proto.js";

type Bytes = Buffer;
export const identity = (b: Bytes): Bytes => b;

const MAX_MESSAGE = 256 * 1024 * 1024;
// Headers that belong to the client's own connection; the rest (dbname, ...) travels on to Milvus Lite.
const HOP_HEADERS = new Set(["authorization", "user-agent", "content-type", "te", "host"]);

export class LiteLink {
  private readonly client: grpc.Client;

  constructor(address: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE,
      "grpc.max_send_message_length": MAX_MESSAGE,
    });
  }

  call(method: string, request: Bytes, md = new grpc.Metadata(), deadline?: grpc.Deadline): Promise<Bytes> {
    const out = new grpc.Metadata();
    for (const [k, v] of Object.entries(md.getMap())) {
      if (HOP_HEADERS.has(k) || k.startsWith("grpc-") || k.startsWith(":")) continue;
      out.set(k, v);
    }
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `/${MILVUS_SERVICE}/${method}`,
        identity,
        identity,
        request,
        out,
        deadline !== undefined && deadline !== Number.POSITIVE_INFINITY ? { deadline } : {},
        (err, res) => {
          if (!err) resolve(res ?? Buffer.alloc(0));
          // One clear line instead of a bare UNIMPLEMENTED: the limit is the local backend's, not Milvus's.
          else if (err.code === grpc.status.UNIMPLEMENTED)
            reject(
              Object.assign(err, {
                details: `${method} is not supported by the local backend (Milvus Lite does not implement it); use the kind backend`,
              }),
            );
          else reject(err);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

/** The database a request names, else the one its `dbname` header names, else `default`. */
export function dbOf(req: { db_name?: string }, md?: grpc.Metadata): string {
  if (req.db_name) return req.db_name;
  const fromMd = md?.get("dbname")[0];
  return fromMd ? String(fromMd) : "default";
}
