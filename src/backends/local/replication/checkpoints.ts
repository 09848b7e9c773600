/**
 * The replication checkpoints a target cluster keeps: per pchannel, the last message applied from a
 * source (cluster, channel, message id, time tick). GetReplicateInfo answers from here, and the
 * replicator resumes after what it says. Each one is on disk before its message is confirmed.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { readJson, writeJsonAtomic } from "../common/state.js";

export interface ReplicateCheckpoint {
  cluster_id: string;
  pchannel: string;
  message_id: { id: string };
  time_tick: string;
}

export class CheckpointStore {
  private readonly byChannel = new Map<string, ReplicateCheckpoint>();

  constructor(
    private readonly pchannels: readonly string[],
    private readonly stateDir: string,
  ) {}

  private file(pchannel: string): string {
    return join(this.stateDir, "checkpoints", `${pchannel}.json`);
  }

  async load(): Promise<void> {
    for (const p of this.pchannels) {
      const cp = await readJson<ReplicateCheckpoint>(this.file(p));
      if (cp) this.byChannel.set(p, cp);
    }
  }

  /** The checkpoint of this cluster's `pchannel`, when it came from `sourceClusterId`. */
  get(pchannel: string, sourceClusterId: string): ReplicateCheckpoint | undefined {
    const cp = this.byChannel.get(pchannel);
    return cp && cp.cluster_id === sourceClusterId ? cp : undefined;
  }

  async set(pchannel: string, cp: ReplicateCheckpoint): Promise<void> {
    await writeJsonAtomic(this.file(pchannel), cp);
    this.byChannel.set(pchannel, cp);
  }

  /** Forgets every checkpoint (on disk too): the cluster no longer replicates from anyone. */
  async clear(): Promise<void> {
    for (const p of [...this.byChannel.keys()]) await rm(this.file(p), { force: true });
    this.byChannel.clear();
  }

  list(): ReplicateCheckpoint[] {
    return [...this.byChannel.values()];
  }
}
