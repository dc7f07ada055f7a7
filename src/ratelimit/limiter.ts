import type { FastifyReply } from 'fastify';
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { nextTurn } from '../db/next-turn.js';
import { precompiled, precompiledRows } from '../db/prepared.js';

// Runs once per subject this process has not seen: compiled once, as a working set of many tokens runs it often.
const selectWindow = precompiled((db, subject: string, resource: string) =>
  db.selectFrom('rate_limits').select(['reset_at', 'used']).where('subject', '=', subject).where('resource', '=', resource),
);

const USER_SUBJECT_PREFIX = 'user:';
/** The subject a user's requests count against (an anonymous request's is `ip:ADDRESS`). */
export const userSubject = (userId: number): string => `${USER_SUBJECT_PREFIX}${userId}`;

/** The resource REST requests count against (GraphQL queries: `graphql`). */
const CORE = 'core';

/** A subject's `core` window as the database holds it, read with something else; null: it has none yet. */
export type StoredWindow = { reset_at: number; used: number } | null;

/**
 * Reads the token user's `core` window (`rl`) in the statement that reads the token (user `u`), so that the first
 * request with a token does not need a statement of its own for it (StoredWindow: `rl_reset_at`, `rl_used`).
 */
export const STORED_USER_WINDOW_JOIN = sql<SqlBool>`${sql.ref('rl.subject')} = ${sql.lit(USER_SUBJECT_PREFIX)} || ${sql.ref('u.id')} and ${sql.ref('rl.resource')} = ${CORE}`;
export const STORED_USER_WINDOW_COLUMNS = ['rl.reset_at as rl_reset_at', 'rl.used as rl_used'] as const;

/** The StoredWindow in a row holding STORED_USER_WINDOW_COLUMNS. */
export function storedWindowOf(row: { rl_reset_at: number | null; rl_used: number | null }): StoredWindow {
  return row.rl_reset_at === null || row.rl_used === null ? null : { reset_at: row.rl_reset_at, used: row.rl_used };
}

/**
 * Rows one flush statement adds to: a flush of a working set of many tokens runs several, with requests handled between
 * them (`nextTurn`); 500-row statements held SQLite's event loop for milliseconds, the reads' p99.
 */
const FLUSH_ROWS = 100;
/** Windows a process keeps in memory; past this, those with nothing to write are dropped (and read again when next seen). */
const MAX_WINDOWS = 50_000;

/**
 * Adds each subject's pending count (rows of subject, window end, count) in one statement (one transaction, one round
 * trip) and returns every row's count after it, which includes other processes' flushes; a window that has ended
 * restarts at the count added.
 */
const addToWindows = precompiledRows((db, rows: [subject: string, resetAt: number, used: number][], resource: string, now: number) =>
  db
    .insertInto('rate_limits')
    .values(rows.map(([subject, resetAt, used]) => ({ subject, resource, reset_at: resetAt, used })))
    .onConflict((oc) =>
      oc.columns(['subject', 'resource']).doUpdateSet({
        used: sql`CASE WHEN rate_limits.reset_at <= ${now} THEN excluded.used ELSE rate_limits.used + excluded.used END`,
        reset_at: sql`CASE WHEN rate_limits.reset_at <= ${now} THEN excluded.reset_at ELSE rate_limits.reset_at END`,
      }),
    )
    .returning(['subject', 'used', 'reset_at']),
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
    private resource = CORE,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  /**
   * Counts one request for `subject`, or `cost` points (a GraphQL query's); `exceeded` when that would go over `limit`
   * (nothing is then counted). Synchronous once the subject's window is known in this process, or when `stored` (read
   * with the request's token) tells it, which keeps it off the request's critical path.
   */
  consume(subject: string, limit: number, cost = 1, stored?: StoredWindow): Verdict | Promise<Verdict> {
    const window = this.knownWindow(subject) ?? this.adoptStored(subject, stored);
    return window ? this.count(window, limit, cost) : this.loadWindow(subject).then((loaded) => this.count(loaded, limit, cost));
  }

  /** Gives back one request (a 304 answer does not count against the limit). */
  refund(subject: string): void {
    const window = this.windows.get(subject);
    if (window) window.pending -= 1;
  }

  /** The state without counting (GET /rate_limit). */
  peek(subject: string, limit: number, stored?: StoredWindow): Verdict | Promise<Verdict> {
    const window = this.knownWindow(subject) ?? this.adoptStored(subject, stored);
    const describe = (w: Window): Verdict => this.verdict(w, limit, false);
    return window ? describe(window) : this.loadWindow(subject).then(describe);
  }

  private count(window: Window, limit: number, cost: number): Verdict {
    const used = window.stored + window.writing + window.pending;
    if (used + cost > limit) return this.verdict(window, limit, true);
    window.pending += cost;
    return this.verdict(window, limit, false);
  }

  /** One literal per request (spreading a state into a verdict cost more than the counting). */
  private verdict(window: Window, limit: number, exceeded: boolean): Verdict {
    const used = Math.min(window.stored + window.writing + window.pending, limit);
    return { limit, used, remaining: limit - used, reset: window.resetAt, resource: this.resource, exceeded };
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
    return this.adopt(subject, row ?? null);
  }

  /** A `core` window read with the request's token, for this process's first sight of the subject. */
  private adoptStored(subject: string, stored: StoredWindow | undefined): Window | undefined {
    return stored !== undefined && this.resource === CORE ? this.adopt(subject, stored) : undefined;
  }

  /** The subject's window as read from the database, unless this process learned it meanwhile. */
  private adopt(subject: string, row: StoredWindow): Window {
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
    const batch: { subject: string; window: Window; pending: number; resetAt: number }[] = [];
    for (const [subject, window] of this.windows) {
      if (window.pending === 0) continue;
      // Counts stay visible while they are written; a write that finishes after the window was reset here belongs to the old window.
      batch.push({ subject, window, pending: window.pending, resetAt: window.resetAt });
      window.writing += window.pending;
      window.pending = 0;
    }
    for (let start = 0; start < batch.length; start += FLUSH_ROWS) {
      if (start > 0) await nextTurn();
      const chunk = batch.slice(start, start + FLUSH_ROWS);
      let written;
      try {
        written = await addToWindows(this.db, chunk.map((b) => [b.subject, b.resetAt, b.pending]), this.resource, now);
      } catch (error) {
        // Nothing of this chunk or the ones after it was written: count it as pending again.
        for (const b of batch.slice(start)) {
          if (b.window.resetAt !== b.resetAt) continue;
          b.window.writing -= b.pending;
          b.window.pending += b.pending;
        }
        throw error;
      }
      const rows = new Map(written.map((row) => [row.subject, row]));
      for (const b of chunk) {
        const row = rows.get(b.subject)!;
        if (b.window.resetAt !== b.resetAt) continue;
        b.window.writing -= b.pending;
        b.window.stored = row.used;
        b.window.resetAt = Number(row.reset_at);
      }
    }
    if (this.windows.size > MAX_WINDOWS) {
      for (const [subject, window] of this.windows) if (window.pending === 0 && window.writing === 0) this.windows.delete(subject);
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
