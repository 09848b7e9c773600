/**
 * Which pchannel each collection lives on (Milvus orders a collection's messages on its channel), the
 * aliases that lead to collections, and what each mutation touches. Durable: a restarted front keeps its
 * placement, and a standby places a collection on the channel its replicated creation came on.
 */
import { join } from "node:path";
import { CLUSTER_SCOPED_METHODS, COLLECTION_SCOPED_METHODS } from "../common/methods.js";
import { readJson, writeJsonAtomic } from "../common/state.js";
import { type AutoIdField, autoIdOf } from "./auto-id.js";

interface MapState {
  /** db -> collection -> channel index. */
  collections: Record<string, Record<string, number>>;
  /** db -> alias -> collection. */
  aliases: Record<string, Record<string, string>>;
  /** db -> collection -> its auto-id primary key (ids the front assigns). */
  autoIds?: Record<string, Record<string, AutoIdField>>;
  /** db -> collection -> what is loaded: the whole collection, or these partitions. Absent: NotLoad. */
  loaded?: Record<string, Record<string, "all" | string[]>>;
}

/** What a mutation touches and how it changes the map. */
export interface Plan {
  /** The channels to lock while it runs. */
  channels: number[];
  /** The channel its WAL entry goes to. */
  channel: number;
  collection: string;
  /** Updates the map after the mutation succeeded (see commit()). */
  effect?: () => void;
}

export class ChannelMap {
  private state: MapState = { collections: {}, aliases: {} };
  private saving: Promise<void> = Promise.resolve();
  /** Creations in flight per channel, so concurrent creations spread out. */
  private readonly pending = new Map<number, number>();
  private readonly file: string;

  constructor(
    private readonly channelCount: number,
    stateDir: string,
  ) {
    this.file = join(stateDir, "channels.json");
  }

  async load(): Promise<void> {
    this.state = (await readJson<MapState>(this.file)) ?? { collections: {}, aliases: {} };
  }

  /** The collection a name (or alias) stands for. */
  realName(db: string, name: string): string {
    return this.state.aliases[db]?.[name] ?? name;
  }

  /** The auto-id primary key of a collection (by name or alias), if it has one. */
  autoIdOf(db: string, name: string): AutoIdField | undefined {
    return this.state.autoIds?.[db]?.[this.realName(db, name)];
  }

  /** What of a collection is loaded: "all", some partitions, or undefined (NotLoad). */
  loadedOf(db: string, name: string): "all" | string[] | undefined {
    return this.state.loaded?.[db]?.[this.realName(db, name)];
  }

  /** Every collection something of which is loaded (what a restarted cluster loads again). */
  loadedCollections(): Array<{ db: string; name: string }> {
    return Object.entries(this.state.loaded ?? {}).flatMap(([db, colls]) =>
      Object.keys(colls).map((name) => ({ db, name })),
    );
  }

  channelOf(db: string, name: string): number | undefined {
    return this.state.collections[db]?.[this.realName(db, name)];
  }

  /** The least-used channel (collections already there plus creations in flight). */
  private pickChannel(): number {
    const use = new Array<number>(this.channelCount).fill(0);
    for (const db of Object.values(this.state.collections))
      for (const ch of Object.values(db)) use[ch] = (use[ch] ?? 0) + 1;
    for (const [ch, n] of this.pending) use[ch] = (use[ch] ?? 0) + n;
    let best = 0;
    for (let i = 1; i < use.length; i++) if ((use[i] ?? 0) < (use[best] ?? 0)) best = i;
    return best;
  }

  /**
   * What a mutation touches and how it changes the map. `forced` = the channel a replicated message came
   * on. A CreateCollection plan reserves its channel until release() is called with it.
   */
  plan(method: string, req: Record<string, unknown>, db: string, forced?: number): Plan {
    const s = this.state;
    const str = (k: string) => (typeof req[k] === "string" ? (req[k] as string) : "");
    const realName = (n: string) => this.realName(db, n);
    const at = (ch: number | undefined, collection: string, effect?: () => void): Plan => {
      const c = forced ?? ch ?? 0;
      return { channels: [c], channel: c, collection, effect };
    };
    const setColl = (name: string, ch: number) => {
      s.collections[db] ??= {};
      s.collections[db][name] = ch;
      const auto = autoIdOf(req.schema as Buffer | undefined);
      if (auto) {
        s.autoIds ??= {};
        s.autoIds[db] ??= {};
        s.autoIds[db][name] = auto;
      }
    };
    const setLoaded = (name: string, v: "all" | string[] | undefined) => {
      s.loaded ??= {};
      s.loaded[db] ??= {};
      if (v === undefined || (Array.isArray(v) && v.length === 0)) delete s.loaded[db][name];
      else s.loaded[db][name] = v;
    };
    const dropColl = (name: string) => {
      delete s.collections[db]?.[name];
      delete s.autoIds?.[db]?.[name];
      delete s.loaded?.[db]?.[name];
      const aliases = s.aliases[db] ?? {};
      for (const [a, c] of Object.entries(aliases)) if (c === name) delete aliases[a];
    };
    switch (method) {
      case "CreateCollection": {
        const name = str("collection_name");
        const ch = forced ?? this.pickChannel();
        if (forced === undefined) this.pending.set(ch, (this.pending.get(ch) ?? 0) + 1);
        return at(ch, name, () => setColl(name, ch));
      }
      case "DropCollection": {
        const name = realName(str("collection_name"));
        return at(this.channelOf(db, name), name, () => dropColl(name));
      }
      case "RenameCollection": {
        const oldName = realName(str("oldName"));
        const newName = str("newName");
        const newDb = str("newDBName") || db;
        const ch = this.channelOf(db, oldName);
        return at(ch, oldName, () => {
          const c = s.collections[db]?.[oldName] ?? forced ?? 0;
          delete s.collections[db]?.[oldName];
          s.collections[newDb] ??= {};
          s.collections[newDb][newName] = c;
          const loaded = s.loaded?.[db]?.[oldName];
          if (loaded && s.loaded) {
            delete s.loaded[db]?.[oldName];
            s.loaded[newDb] ??= {};
            s.loaded[newDb][newName] = loaded;
          }
          const auto = s.autoIds?.[db]?.[oldName];
          if (auto && s.autoIds) {
            delete s.autoIds[db]?.[oldName];
            s.autoIds[newDb] ??= {};
            s.autoIds[newDb][newName] = auto;
          }
        });
      }
      case "CreateAlias":
      case "AlterAlias": {
        const coll = realName(str("collection_name"));
        const alias = str("alias");
        return at(this.channelOf(db, coll), coll, () => {
          s.aliases[db] ??= {};
          s.aliases[db][alias] = coll;
        });
      }
      case "DropAlias": {
        const alias = str("alias");
        const coll = s.aliases[db]?.[alias] ?? "";
        return at(this.channelOf(db, coll), coll, () => {
          delete s.aliases[db]?.[alias];
        });
      }
      case "Flush": {
        const names = ((req.collection_names as string[] | undefined) ?? []).map(realName);
        const chans = [...new Set(names.map((n) => this.channelOf(db, n) ?? 0))];
        const first = forced ?? chans[0] ?? 0;
        return {
          channels: forced !== undefined ? [forced] : chans.length ? chans : [0],
          channel: first,
          collection: names[0] ?? "",
        };
      }
      case "DropDatabase":
        return at(0, "", () => {
          delete s.collections[db];
          delete s.aliases[db];
          delete s.autoIds?.[db];
          delete s.loaded?.[db];
        });
    }
    if (COLLECTION_SCOPED_METHODS.has(method)) {
      const name = realName(str("collection_name"));
      const parts = (req.partition_names as string[] | undefined) ?? [];
      const loadEffect: Record<string, (() => void) | undefined> = {
        LoadCollection: () => setLoaded(name, "all"),
        ReleaseCollection: () => setLoaded(name, undefined),
        LoadPartitions: () => {
          const was = s.loaded?.[db]?.[name];
          if (was !== "all") setLoaded(name, [...new Set([...(was ?? []), ...parts])]);
        },
        // Releasing from a fully loaded collection: the caller passes what stays loaded (`remaining`).
        ReleasePartitions: () => setLoaded(name, (req.remaining_partitions as string[] | undefined) ?? []),
        DropPartition: () => {
          const was = s.loaded?.[db]?.[name];
          if (Array.isArray(was))
            setLoaded(
              name,
              was.filter((p) => p !== str("partition_name")),
            );
        },
      };
      return at(this.channelOf(db, name), name, loadEffect[method]);
    }
    if (CLUSTER_SCOPED_METHODS.has(method)) return at(0, "");
    return at(0, "");
  }

  /** Ends a client CreateCollection's reservation of its channel (whatever its outcome). */
  release(method: string, plan: Plan, forced?: number): void {
    if (method !== "CreateCollection" || forced !== undefined) return;
    const n = (this.pending.get(plan.channel) ?? 1) - 1;
    if (n > 0) this.pending.set(plan.channel, n);
    else this.pending.delete(plan.channel);
  }

  /** Applies a succeeded mutation's change to the map and makes it durable. */
  async commit(plan: Plan): Promise<void> {
    if (!plan.effect) return;
    plan.effect();
    await this.persist();
  }

  private persist(): Promise<void> {
    // Chained so the newest state is always the last one written.
    this.saving = this.saving.then(() => writeJsonAtomic(this.file, this.state));
    return this.saving;
  }

  /** Resolves once every pending write is on disk. */
  flushed(): Promise<void> {
    return this.saving.catch(() => {});
  }
}
