/**
 * A null Milvus: a MilvusService gRPC server that acknowledges every call at once and stores nothing
 * but the collection schemas the SDK needs to encode inserts. Timing the drill's workload against it
 * leaves only the harness (generator, executor, history writer, the SDK's own encoding) on the clock,
 * which is the harness's ceiling on any real cluster.
 *
 * Insert/Upsert/Delete answer success with the row count; CreateCollection keeps the schema bytes so
 * DescribeCollection can hand them back; every other unary call answers an empty success.
 */
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { decodeRequest, encodeResponse, messageType, milvusMethods } from "../../src/milvus/proto.js";

const identity = (b: Buffer): Buffer => b;

export class NullMilvus {
  /** Rows acknowledged per method, so a bench can check what arrived. */
  readonly rows = { Insert: 0, Upsert: 0, Delete: 0 };
  readonly calls = new Map<string, number>();
  /** The last request of each method, as sent (tests compare encodings). */
  readonly last = new Map<string, Buffer>();
  private readonly schemas = new Map<string, Buffer>();
  private readonly server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024 });
  private port = 0;
  private nextId = 1;

  /** With a token, every call must carry it the way the SDK sends it (base64 in `authorization`). */
  constructor(private readonly token?: string) {}

  get uri(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const def: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const m of milvusMethods().values()) {
      def[m.name] = {
        path: m.path,
        requestStream: m.requestStream,
        responseStream: m.responseStream,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      };
      if (m.requestStream || m.responseStream) {
        impl[m.name] = (call: grpc.ServerWritableStream<Buffer, Buffer>) =>
          call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: `${m.name}: null server` });
        continue;
      }
      impl[m.name] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        if (this.token) {
          const want = Buffer.from(this.token).toString("base64");
          if (!call.metadata.get("authorization").some((v) => String(v) === want)) {
            cb({ code: grpc.status.UNAUTHENTICATED, details: "auth check failure, please check token" });
            return;
          }
        }
        this.calls.set(m.name, (this.calls.get(m.name) ?? 0) + 1);
        this.last.set(m.name, call.request);
        try {
          cb(null, this.answer(m.name, call.request));
        } catch (e) {
          cb({ code: grpc.status.INTERNAL, details: (e as Error).message });
        }
      };
    }
    this.server.addService(def, impl);
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
  }

  private answer(method: string, request: Buffer): Buffer {
    switch (method) {
      case "Connect":
        return encodeResponse(method, {
          status: {},
          server_info: { build_tags: "null", reserved: {} },
          identifier: 1,
        });
      case "CreateCollection": {
        const req = decodeRequest<{ collection_name?: string; schema?: Buffer }>(method, request);
        this.schemas.set(req.collection_name ?? "", req.schema ?? Buffer.alloc(0));
        return encodeResponse(method, {});
      }
      case "DescribeCollection": {
        const req = decodeRequest<{ collection_name?: string }>(method, request);
        const name = req.collection_name ?? "";
        const bytes = this.schemas.get(name);
        if (!bytes)
          return encodeResponse(method, {
            status: { error_code: "CollectionNotExists", code: 100, reason: `collection not found[${name}]` },
          });
        const schemaT = messageType("schema.CollectionSchema");
        return encodeResponse(method, {
          status: {},
          schema: schemaT.toObject(schemaT.decode(bytes)),
          collectionID: String(this.nextId++),
          collection_name: name,
          shards_num: 1,
          virtual_channel_names: [`${name}-v0`],
          physical_channel_names: ["null-dml_0"],
        });
      }
      case "Insert":
      case "Upsert":
      case "Delete": {
        // The row count is a varint field near the front of the request; decoding the whole request
        // would put the server's cost on the clock of a bench that means to time the client alone.
        const n = numRows(method, request);
        this.rows[method] += n;
        return encodeResponse(method, { status: {}, insert_cnt: n, upsert_cnt: n, delete_cnt: n });
      }
    }
    return encodeResponse(method, emptySuccess(method));
  }
}

/** An empty success for any response type: a bare Status, or a message holding one in `status`. */
function emptySuccess(method: string): Record<string, unknown> {
  const t = milvusMethods().get(method)?.responseType;
  return t?.fields.status ? { status: {} } : {};
}

/** num_rows of an Insert/Upsert request, or the number of pks in a Delete's expression. */
function numRows(method: string, request: Buffer): number {
  if (method === "Delete") {
    const expr = decodeRequest<{ expr?: string }>(method, request).expr ?? "";
    const m = /\[([^\]]*)\]/.exec(expr);
    return m?.[1] ? m[1].split(",").length : 0;
  }
  const t = milvusMethods().get(method)?.requestType;
  const field = t?.fields.num_rows;
  if (!field) return 0;
  // Scan top-level fields for num_rows without materialising the column data.
  const r = protobuf.Reader.create(request);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === field.id) return r.uint32();
    r.skipType(tag & 7);
  }
  return 0;
}
