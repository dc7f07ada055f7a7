import { performance } from 'node:perf_hooks';

const MAX_ENTRIES = 10_000;

/**
 * A process's short-lived memory of authorization reads on hot GET routes (an org with the caller's membership,
 * an org's counters), so those routes need no database round trip in the steady state.
 * - An entry is trusted for `ttlMs` (`readCacheMs`, ORGHUB_READ_CACHE_MS, 1 s by default; 0 turns the cache off): a
 *   change made through another process on the same database is seen here within that time.
 * - Every write request this process handles empties it when it starts and again when it answers, and a value
 *   loaded while a write was under way is not kept: a process always reads its own writes.
 * Values are shared between requests and must not be mutated.
 */
export class ReadCache {
  private entries = new Map<string, { value: unknown; expires: number }>();
  // Loads under way in this generation: concurrent misses of one key share one load (no stampede when an entry expires).
  private loading = new Map<string, Promise<unknown>>();
  private generation = 0;

  constructor(private ttlMs: number) {}

  /** The cached value (synchronously on a hit), or `load`'s result, kept unless a write ran meanwhile. */
  get<T>(key: string, load: () => T | Promise<T>): T | Promise<T> {
    // Switched off: every read goes to the database (and a synchronous `load` answers synchronously).
    if (this.ttlMs === 0) return load();
    const now = performance.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expires > now) return hit.value as T;
    const under = this.loading.get(key);
    if (under !== undefined) return under as Promise<T>;
    const filled = this.fill(key, load, now);
    this.loading.set(key, filled);
    const generation = this.generation;
    const settled = () => {
      if (generation === this.generation) this.loading.delete(key);
    };
    filled.then(settled, settled);
    return filled;
  }

  private async fill<T>(key: string, load: () => T | Promise<T>, now: number): Promise<T> {
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { value, expires: now + this.ttlMs });
    }
    return value;
  }

  /** A write starts or has been answered in this process: forget everything. */
  invalidate(): void {
    this.generation += 1;
    this.entries.clear();
    // A load started before the write may return what the write changed: later readers start their own.
    this.loading.clear();
  }
}

/** Methods that may change state: every request with one of them empties the read cache. */
export function mayWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}
