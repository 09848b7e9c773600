/**
 * The few MilvusService methods replication setup calls, served by a scripted gRPC server, so the
 * drill can be run against the answers of a particular Milvus release (for example one whose proxy
 * does not forward GetReplicateConfiguration) without that release.
 */
import * as grpc from "@grpc/grpc-js";
import { decodeRequest, encodeResponse, method, milvusMethods } from "../../src/milvus/proto.js";

type Json = Record<string, unknown>;
/** A handler returns the response object, or null to never answer (the caller's deadline expires). */
export type Handler = (request: Json) => Json | null;

export class FakeMilvus {
  readonly calls: Array<{ method: string; request: Json }> = [];
  private server: grpc.Server | undefined;
  port = 0;

  /** Methods absent from `handlers` answer UNIMPLEMENTED, as a server without them does. */
  constructor(private readonly handlers: Record<string, Handler>) {}

  get uri(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new grpc.Server();
    const identity = (b: Buffer) => b;
    const all: Record<string, Handler> = {
      Connect: () => ({ status: {} }),
      GetVersion: () => ({ status: {}, version: "v2.6.11" }),
      ...this.handlers,
    };
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [name, handler] of Object.entries(all)) {
      definition[name] = {
        path: method(name).path,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      };
      impl[name] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const request = decodeRequest<Json>(name, call.request);
        this.calls.push({ method: name, request });
        const res = handler(request);
        if (res !== null) cb(null, encodeResponse(name, res));
      };
    }
    server.addService(definition, impl);
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
  }
}

/**
 * A unary pass-through in front of a real Milvus endpoint that answers `hidden` methods with
 * UNIMPLEMENTED, like a release whose proxy does not forward them (milvus-io/milvus#49809).
 */
export class HidingProxy {
  private server: grpc.Server | undefined;
  private client: grpc.Client | undefined;
  port = 0;

  constructor(
    private readonly upstream: string,
    private readonly hidden: readonly string[],
  ) {}

  get uri(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const identity = (b: Buffer) => b;
    const client = new grpc.Client(new URL(this.upstream).host, grpc.credentials.createInsecure());
    this.client = client;
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const m of milvusMethods().values()) {
      if (m.requestStream || m.responseStream || this.hidden.includes(m.name)) continue;
      definition[m.name] = {
        path: m.path,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      };
      impl[m.name] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const deadline = call.getDeadline();
        client.makeUnaryRequest(
          m.path,
          identity,
          identity,
          call.request,
          call.metadata,
          deadline !== Number.POSITIVE_INFINITY ? { deadline } : {},
          (err, res) => (err ? cb(err) : cb(null, res ?? Buffer.alloc(0))),
        );
      };
    }
    const server = new grpc.Server();
    server.addService(definition, impl);
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    this.server?.forceShutdown();
    this.client?.close();
  }
}
