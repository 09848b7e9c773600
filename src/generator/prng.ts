/**
 * Seeded randomness. Everything the drill writes is derived from (seed, collection, pk, ver) through
 * these functions, so any expected row can be regenerated from the history alone.
 */

/** 32-bit FNV-1a over a string: stable, fast, good enough to spread seeds. */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mix several 32-bit parts into one seed (murmur3 finalizer per step). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  const r = new Mulberry32Randomizer();
  r.seed(seed);
  return () => r.next();
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("Rng.pick: empty list");
    return item;
  }
  /** Pick an index with probability proportional to its weight. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

/**
 * A Faker randomizer over mulberry32: re-seeding is O(1), where Faker's default Mersenne Twister
 * rebuilds 624 words of state per seed — the bulk of the cost when every row has a seed of its own.
 */
export class Mulberry32Randomizer {
  private a = 0;
  // Arrow properties: Faker calls next() detached from the object.
  readonly next = (): number => {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  readonly seed = (seed: number | number[]): void => {
    this.a = Array.isArray(seed) ? mixSeed(...seed) : seed >>> 0;
  };
}
