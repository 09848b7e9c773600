/** A FIFO async mutex per key: callers on the same key run one at a time, in arrival order. */
export class KeyedMutex<K> {
  private tails = new Map<K, Promise<void>>();

  async run<T>(keys: readonly K[], fn: () => Promise<T>): Promise<T> {
    // Locks are taken in one global order so two multi-key callers can never deadlock.
    const ordered = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    try {
      for (const key of ordered) releases.push(await this.acquire(key));
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async acquire(key: K): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
