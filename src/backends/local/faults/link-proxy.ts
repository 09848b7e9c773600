/**
 * The replication link of the local lab: a TCP relay in front of each cluster's front, which the
 * replicator dials (the cluster's replicateUri) and the drill's clients never do (they dial the front).
 * The nemesis acts on it as a network would on the traffic between two clusters:
 * - cut(): a partition. Open connections are torn down at once and new ones are refused until heal(),
 *   as a REJECT rule would (the replicator sees its stream fail and retries, as Milvus's CDC does when
 *   its target becomes unreachable: milvus-io/milvus#45639, #53368 were set off that way);
 * - delay(ms, jitter): every chunk, both ways, waits ms +- jitter before it is passed on, order kept
 *   (milvus-io/milvus#45639: 200 ms between the clusters hung a switchover);
 * - heal(): back to a plain relay.
 * The upstream port is asked for on every connection, so a front restarted on its port is found again.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export type LinkState =
  | { kind: "up" }
  | { kind: "cut"; since: number }
  | { kind: "delay"; ms: number; jitterMs: number; since: number };

export interface LinkStats {
  /** Connections relayed since the proxy started. */
  connections: number;
  /** Connections torn down by cut(). */
  cut: number;
  /** Connections refused while cut. */
  refused: number;
  /** Chunks passed on late by delay(). */
  delayed: number;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export class LinkProxy {
  private state: LinkState = { kind: "up" };
  private readonly pairs = new Set<Pair>();
  readonly stats: LinkStats = { connections: 0, cut: 0, refused: 0, delayed: 0 };

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly upstreamPort: () => number | undefined,
    private readonly random: () => number,
  ) {}

  /** Listens on a free port of 127.0.0.1 (or `port`, to keep a URI) and relays to upstreamPort(). */
  static async start(
    upstreamPort: () => number | undefined,
    opts: { port?: number; random?: () => number } = {},
  ): Promise<LinkProxy> {
    let proxy: LinkProxy | undefined;
    const server = createServer((s) => proxy?.accept(s));
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, "127.0.0.1", () => {
        const a = server.address();
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
    proxy = new LinkProxy(server, port, upstreamPort, opts.random ?? Math.random);
    return proxy;
  }

  get uri(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get current(): LinkState {
    return this.state;
  }

  /** A partition: every open connection is torn down, new ones are refused until heal(). */
  cut(): number {
    this.state = { kind: "cut", since: Date.now() };
    const n = this.pairs.size;
    for (const p of [...this.pairs]) this.drop(p);
    this.stats.cut += n;
    return n;
  }

  /** Latency on the link: each chunk waits ms +- jitterMs (never below 0), in order. */
  delay(ms: number, jitterMs: number): void {
    this.state = { kind: "delay", ms, jitterMs, since: Date.now() };
  }

  heal(): void {
    this.state = { kind: "up" };
  }

  async close(): Promise<void> {
    for (const p of [...this.pairs]) this.drop(p);
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private drop(p: Pair): void {
    this.pairs.delete(p);
    p.client.destroy();
    p.upstream.destroy();
  }

  private accept(client: Socket): void {
    const port = this.upstreamPort();
    if (this.state.kind === "cut" || port === undefined) {
      this.stats.refused += 1;
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = connect({ host: "127.0.0.1", port });
    upstream.setNoDelay(true);
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    this.stats.connections += 1;
    const end = () => this.drop(pair);
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /**
   * Passes chunks from a to b, late while the link is delayed. One queue and one timer per direction:
   * chunks leave strictly in arrival order. (A timer per chunk does not keep order: Node files timers
   * by their loop's cached clock, so two chunks due at the same moment could swap, and swapped whole
   * HTTP/2 frames reorder gRPC messages, which the standby's time-tick dedup then drops as replays.)
   */
  private pipe(a: Socket, b: Socket): void {
    const queue: Array<{ chunk: Buffer; at: number }> = [];
    let lastRelease = 0;
    let timer: NodeJS.Timeout | undefined;
    const drain = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && (queue[0] as { at: number }).at <= now) {
        const { chunk } = queue.shift() as { chunk: Buffer };
        if (!b.destroyed) b.write(chunk);
      }
      const next = queue[0];
      if (next) timer = setTimeout(drain, Math.max(1, next.at - now));
    };
    a.on("close", () => {
      clearTimeout(timer);
      queue.length = 0;
    });
    a.on("data", (chunk: Buffer) => {
      const s = this.state;
      if (s.kind !== "delay" && queue.length === 0) {
        if (!b.destroyed) b.write(chunk);
        return;
      }
      const wait = s.kind === "delay" ? Math.max(0, s.ms + (this.random() * 2 - 1) * s.jitterMs) : 0;
      const at = Math.max(lastRelease, Date.now() + wait);
      lastRelease = at;
      this.stats.delayed += 1;
      queue.push({ chunk, at });
      if (timer === undefined)
        timer = setTimeout(drain, Math.max(0, (queue[0] as { at: number }).at - Date.now()));
    });
  }
}
