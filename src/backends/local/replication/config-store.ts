/**
 * A cluster's replicate configuration: Milvus's validation rules on update, the role it gives this
 * cluster, and its durable copy (tokens never reach the disk). One update at a time.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { KeyedMutex } from "../common/mutex.js";
import { readJson, writeJsonAtomic } from "../common/state.js";
import { decideForcePromote, type ForcePromoteShapes } from "./force-promote.js";
import {
  normalizeConfig,
  type ReplicateConfiguration,
  roleOf,
  sameConfig,
  sanitizeConfig,
  validateReplicateConfig,
} from "./replicate-config.js";

/** What an update ended as: accepted (possibly unchanged), or refused with Milvus's reason. */
export type ConfigUpdate =
  | { ok: true; changed: boolean; previous: ReplicateConfiguration | null; config: ReplicateConfiguration }
  | { ok: false; reason: string };

export type ConfigChange = Extract<ConfigUpdate, { ok: true }>;

export class ConfigStore {
  private current: ReplicateConfiguration | null = null;
  private waiters = new Set<() => void>();
  private readonly lock = new KeyedMutex<string>();
  private readonly file: string;

  constructor(
    private readonly clusterId: string,
    private readonly pchannels: readonly string[],
    stateDir: string,
    private readonly forcePromoteShapes: ForcePromoteShapes = "either",
  ) {
    this.file = join(stateDir, "replicate-config.json");
  }

  async load(): Promise<void> {
    // A front restarted from disk knows the topology but not the tokens (they are not stored).
    const cfg = await readJson<ReplicateConfiguration>(this.file);
    this.current = cfg ? normalizeConfig(cfg) : null;
  }

  get config(): ReplicateConfiguration | null {
    return this.current;
  }

  get role(): "primary" | "secondary" {
    return roleOf(this.current, this.clusterId);
  }

  /** As GetReplicateConfiguration answers it: tokens blanked. */
  sanitized(): ReplicateConfiguration | Record<string, never> {
    return this.current ? sanitizeConfig(this.current) : {};
  }

  /** Milvus's refusal of `raw` as the next configuration, or null. */
  validate(raw: unknown): string | null {
    return validateReplicateConfig(raw, this.current, this.clusterId, this.pchannels);
  }

  /**
   * Resolves true once the configuration in force equals `want` (tokens aside: they are never
   * announced), false when `timeoutMs` passes first.
   */
  waitUntilSame(want: ReplicateConfiguration, timeoutMs: number): Promise<boolean> {
    const same = () =>
      this.current !== null && sameConfig(sanitizeConfig(this.current), sanitizeConfig(want));
    if (same()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!same()) return;
        done(true);
      };
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(check);
    });
  }

  /**
   * UpdateReplicateConfiguration. `whileLocked` runs after the new configuration is saved and before the
   * next update may start (the lab moves its replicators there); its throw is the caller's to report.
   */
  update(
    raw: unknown,
    whileLocked?: (u: Extract<ConfigUpdate, { ok: true }>) => Promise<void>,
  ): Promise<ConfigUpdate> {
    return this.lock.run(["config"], async () => {
      const incoming = normalizeConfig(raw);
      if (this.current && sameConfig(incoming, this.current)) {
        return { ok: true, changed: false, previous: this.current, config: this.current };
      }
      const err = validateReplicateConfig(raw, this.current, this.clusterId, this.pchannels);
      if (err) return { ok: false, reason: err };
      const previous = this.current;
      await this.save(incoming);
      const u = { ok: true as const, changed: true, previous, config: incoming };
      await whileLocked?.(u);
      return u;
    });
  }

  /**
   * Force promote (failover): a secondary drops every replication edge and becomes a standalone primary,
   * keeping only itself in the configuration, with Milvus's rules and texts (force-promote.ts).
   * `request` is the configuration the client sent alongside force_promote.
   */
  forcePromote(
    request: unknown,
    whileLocked?: (u: Extract<ConfigUpdate, { ok: true }>) => Promise<void>,
  ): Promise<ConfigUpdate> {
    return this.lock.run(["config"], async () => {
      const d = decideForcePromote(request, this.current, this.clusterId, this.role, {
        shapes: this.forcePromoteShapes,
        pchannels: this.pchannels,
      });
      if (!d.ok) return { ok: false, reason: d.error };
      const previous = this.current;
      if (d.unchanged && previous) return { ok: true, changed: false, previous, config: previous };
      await this.save(d.config);
      const u = { ok: true as const, changed: true, previous, config: d.config };
      await whileLocked?.(u);
      return u;
    });
  }

  private async save(config: ReplicateConfiguration): Promise<void> {
    // Tokens never go to disk: the file keeps only a digest of each, enough to see that one changed.
    const onDisk = {
      ...sanitizeConfig(config),
      token_sha256: Object.fromEntries(
        config.clusters.map((c) => [
          c.cluster_id,
          c.connection_param.token ? createHash("sha256").update(c.connection_param.token).digest("hex") : "",
        ]),
      ),
    };
    await writeJsonAtomic(this.file, onDisk);
    this.current = config;
    for (const w of [...this.waiters]) w();
  }
}
