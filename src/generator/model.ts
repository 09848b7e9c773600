/**
 * The generator's model of what each key should be. O(keys): per key only its last assigned version,
 * what is known of its state, and its partition. Row contents are regenerated from (seed, pk, ver).
 */
/** deleted = definitely absent (deleted, or a first insert that definitely failed). */
export type KeyStateKind = "present" | "deleted" | "uncertain";

export interface KeyState {
  /** Last version handed out for this key (whatever the outcome). */
  ver: number;
  state: KeyStateKind;
  partition?: string;
}

/** A set with O(1) add, remove and uniform random pick. */
export class PickSet {
  private readonly items: number[] = [];
  private readonly index = new Map<number, number>();

  get size(): number {
    return this.items.length;
  }
  has(x: number): boolean {
    return this.index.has(x);
  }
  add(x: number): void {
    if (this.index.has(x)) return;
    this.index.set(x, this.items.length);
    this.items.push(x);
  }
  delete(x: number): void {
    const i = this.index.get(x);
    if (i === undefined) return;
    const last = this.items.pop() as number;
    this.index.delete(x);
    if (i < this.items.length) {
      this.items[i] = last;
      this.index.set(last, i);
    }
  }
  /** Up to n distinct random members (partial Fisher-Yates on a copy of the indices touched). */
  sample(n: number, rand: (max: number) => number): number[] {
    const out: number[] = [];
    const taken = new Set<number>();
    const want = Math.min(n, this.items.length);
    while (out.length < want) {
      const i = rand(this.items.length);
      if (taken.has(i)) continue;
      taken.add(i);
      out.push(this.items[i] as number);
    }
    return out;
  }
}

/** One worker's share of one collection's keys: the keys it owns, so no two workers race on a key. */
export class KeyModel {
  readonly keys = new Map<number, KeyState>();
  /** present or uncertain: targets for upsert and delete. */
  readonly live = new PickSet();
  /** definitely absent: targets for re-insert. */
  readonly deleted = new PickSet();

  get(pk: number): KeyState | undefined {
    return this.keys.get(pk);
  }

  /** Hands out the next version of pk (used by the op about to be invoked). */
  nextVersion(pk: number, partition?: string): number {
    const k = this.keys.get(pk);
    if (k) {
      k.ver += 1;
      return k.ver;
    }
    this.keys.set(pk, { ver: 1, state: "uncertain", partition });
    return 1;
  }

  /** Claims a key for an op in flight so no other op of this worker picks it meanwhile. */
  claim(pk: number): void {
    this.live.delete(pk);
    this.deleted.delete(pk);
  }

  complete(
    pk: number,
    kind: "insert" | "upsert" | "delete",
    outcome: "ok" | "fail" | "info",
    prior: KeyStateKind | null,
  ): void {
    const k = this.keys.get(pk);
    if (!k) return;
    let next: KeyStateKind | null;
    if (outcome === "ok") next = kind === "delete" ? "deleted" : "present";
    else if (outcome === "info") next = "uncertain";
    // A definitely failed first insert leaves the key absent: it may be inserted again, at a newer version.
    else next = prior ?? "deleted";
    k.state = next;
    if (next === "deleted") this.deleted.add(pk);
    else this.live.add(pk);
  }
}
