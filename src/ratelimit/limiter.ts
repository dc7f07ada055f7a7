import type { FastifyReply } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';

// Both run once per subject (per flush, for the upsert): compiled once, as a working set of many tokens runs them often.
const selectWindow = precompiled((db, subject: string, resource: string) =>
  db.selectFrom('rate_limits').select(['reset_at', 'used']).where('subject', '=', subject).where('resource', '=', resource),
);
const addToWindow = precompiled((db, subject: string, resource: string, resetAt: number, used: number, now: number) =>
  db
    .insertInto('rate_limits')
    .values({ subject, resource, reset_at: resetAt, used })
    .onConflict((oc) =>
      oc.columns(['subject', 'resource']).doUpdateSet({
        used: sql`CASE WHEN rate_limits.reset_at <= ${now} THEN excluded.used ELSE rate_limits.used + excluded.used END`,
        reset_at: sql`CASE WHEN rate_limits.reset_at <= ${now} THEN excluded.reset_at ELSE rate_limits.reset_at END`,
      }),
    )
    .returning(['used', 'reset_at']),
);

export interface RateLimitState {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
  resource: string;
}

export type Verdict = RateLimitState & { exceeded: boolean };

interface Window {
  resetAt: number;
  /** Count the database last reported (every process's requests up to the last flush). */
  stored: number;
  /** This process's requests not yet written. */
  pending: number;
  /** This process's requests being written right now (counted until `stored` includes them). */
  writing: number;
}

/**
 * Primary rate limits, shared by every process on one database yet off each request's critical path:
 * a process counts locally and adds its counts to the database in batches every `flushMs`, learning
 * the other processes' counts in the same statement. Within one process the count is exact; across N
 * processes a window can overshoot by at most what the others served during one flush interval.
 */
export class RateLimiter {
  private windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private db: Kysely<Database>,
    private clock: Clock,
    private windowSeconds: number,
    flushMs: number,
    private resource = 'core',
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  /**
   * Counts one request for `subject`, or `cost` points (a GraphQL query's); `exceeded` when that would go over `limit`
   * (nothing is then counted). Synchronous once the subject's window is known in this process, which keeps it off the
   * request's critical path.
   */
  consume(subject: string, limit: number, cost = 1): Verdict | Promise<Verdict> {
    const window = this.knownWindow(subject);
    return window ? this.count(window, limit, cost) : this.loadWindow(subject).then((loaded) => this.count(loaded, limit, cost));
  }

  /** Gives back one request (a 304 answer does not count against the limit). */
  refund(subject: string): void {
    const window = this.windows.get(subject);
    if (window) window.pending -= 1;
  }

  /** The state without counting (GET /rate_limit). */
  peek(subject: string, limit: number): Verdict | Promise<Verdict> {
    const window = this.knownWindow(subject);
    const describe = (w: Window): Verdict => ({ ...this.describe(w, limit), exceeded: false });
    return window ? describe(window) : this.loadWindow(subject).then(describe);
  }

  private count(window: Window, limit: number, cost: number): Verdict {
    const used = window.stored + window.writing + window.pending;
    if (used + cost > limit) return { ...this.describe(window, limit), exceeded: true };
    window.pending += cost;
    return { ...this.describe(window, limit), exceeded: false };
  }

  private describe(window: Window, limit: number): RateLimitState {
    const used = Math.min(window.stored + window.writing + window.pending, limit);
    return { limit, used, remaining: limit - used, reset: window.resetAt, resource: this.resource };
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  /** The subject's current window if this process knows it (starting a new one when the old has ended). */
  private knownWindow(subject: string): Window | undefined {
    const window = this.windows.get(subject);
    if (!window) return undefined;
    const now = this.nowSeconds();
    if (window.resetAt <= now) {
      window.resetAt = now + this.windowSeconds;
      window.stored = 0;
      window.pending = 0;
      window.writing = 0;
    }
    return window;
  }

  /** First sight of this subject in this process: learn its window from the database, once. */
  private async loadWindow(subject: string): Promise<Window> {
    const [row] = await selectWindow(this.db, subject, this.resource);
    if (!this.windows.has(subject)) {
      const now = this.nowSeconds();
      this.windows.set(subject, {
        resetAt: row ? Number(row.reset_at) : now + this.windowSeconds,
        stored: row ? row.used : 0,
        pending: 0,
        writing: 0,
      });
    }
    return this.knownWindow(subject)!;
  }

  /** Writes pending counts; waits for a flush already under way. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending()).catch(() => undefined);
    return this.flushing;
  }

  private async writePending(): Promise<void> {
    const now = this.nowSeconds();
    for (const [subject, window] of this.windows) {
      if (window.pending === 0) continue;
      const pending = window.pending;
      // Counts stay visible while they are written; a write that finishes after the window was reset here belongs to the old window.
      const resetAt = window.resetAt;
      window.pending = 0;
      window.writing += pending;
      try {
        const [row] = await addToWindow(this.db, subject, this.resource, window.resetAt, pending, now);
        if (window.resetAt !== resetAt) continue;
        window.writing -= pending;
        window.stored = row.used;
        window.resetAt = Number(row.reset_at);
      } catch (error) {
        if (window.resetAt === resetAt) {
          window.writing -= pending;
          window.pending += pending;
        }
        throw error;
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** `X-RateLimit-*`: the window the request counted against, on every response. */
export function setRateLimitHeaders(reply: FastifyReply, state: RateLimitState): void {
  reply.header('X-RateLimit-Limit', state.limit);
  reply.header('X-RateLimit-Remaining', state.remaining);
  reply.header('X-RateLimit-Reset', state.reset);
  reply.header('X-RateLimit-Used', state.used);
  reply.header('X-RateLimit-Resource', state.resource);
}
