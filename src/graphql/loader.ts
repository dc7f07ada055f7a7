/** Keys one query may send to the database at once (far below either store's limit on bound parameters). */
const BATCH_LIMIT = 500;

/**
 * Loads by key in batches: every `load` made while a query's fields resolve in one pass (the nodes of a page) is
 * answered by one fetch, and each key is fetched once per query.
 */
export class BatchLoader<K, V> {
  private loaded = new Map<K, Promise<V | undefined>>();
  private queue: { key: K; resolve(value: V | undefined): void; reject(error: unknown): void }[] = [];

  constructor(private fetch: (keys: K[]) => Promise<Map<K, V>>) {}

  load(key: K): Promise<V | undefined> {
    let found = this.loaded.get(key);
    if (!found) {
      found = new Promise((resolve, reject) => {
        if (this.queue.push({ key, resolve, reject }) === 1) afterThisPass(() => void this.dispatch());
      });
      this.loaded.set(key, found);
    }
    return found;
  }

  /** A value already read (the org `organization(login:)` looked up), so it is not fetched again. */
  prime(key: K, value: V): void {
    if (!this.loaded.has(key)) this.loaded.set(key, Promise.resolve(value));
  }

  private async dispatch(): Promise<void> {
    const queued = this.queue;
    this.queue = [];
    for (let start = 0; start < queued.length; start += BATCH_LIMIT) {
      const batch = queued.slice(start, start + BATCH_LIMIT);
      try {
        const values = await this.fetch(batch.map((item) => item.key));
        for (const item of batch) item.resolve(values.get(item.key));
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
  }
}

/** After the promise jobs now queued (the sibling fields resolving in this pass), as DataLoader schedules its batches. */
function afterThisPass(fn: () => void): void {
  void Promise.resolve().then(() => process.nextTick(fn));
}
