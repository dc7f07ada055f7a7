import type { Kysely } from 'kysely';
import { isoSeconds, type Clock } from '../clock.js';
import type { DialectName } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { analyzeSqlite } from '../db/statistics.js';
import { pruneAuditEvents } from './store.js';

const DAY_MS = 86_400_000;
/** Clock time between prunings, as for webhook deliveries (src/hooks/engine.ts). */
const PRUNE_INTERVAL_MS = 60_000;
/** Rows per DELETE: each holds SQLite's write lock only briefly, so requests' writes go in between. */
const PRUNE_BATCH = 5_000;
/** Clock time between refreshes of SQLite's statistics of the audit table. */
const STATISTICS_INTERVAL_MS = 3_600_000;

/**
 * Keeps the audit log to its retention (GitHub shows web events of the last 180 days): every `pollMs` it looks at the
 * clock (the injectable one, so a test that moves time sees retention applied) and at most once a minute of clock
 * time deletes the events past it. Every process on a database does so; a second deletion finds nothing left.
 * On SQLite it also keeps the planner's statistics of the audit table current (PostgreSQL's autovacuum does so there):
 * without them SQLite cannot tell which qualifier's index holds fewer of an org's events. Only this table's: other
 * queries keep the plans they were written and measured with.
 */
export class AuditRetention {
  private prunedAt = -Infinity;
  private analyzedAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly clock: Clock,
    private readonly retentionDays: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(pollMs: number): void {
    this.timer = setInterval(() => this.maintainWhenDue(), pollMs);
    this.timer.unref();
  }

  private maintainWhenDue(): void {
    const now = this.clock.now().getTime();
    if (this.running || now - this.prunedAt < PRUNE_INTERVAL_MS) return;
    this.prunedAt = now;
    const analyze = this.dialect === 'sqlite' && now - this.analyzedAt >= STATISTICS_INTERVAL_MS;
    if (analyze) this.analyzedAt = now;
    this.running = this.maintain(isoSeconds(new Date(now - this.retentionDays * DAY_MS)), analyze)
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
      });
  }

  private async maintain(cutoff: string, analyze: boolean): Promise<void> {
    while (!this.stopped && (await pruneAuditEvents(this.db, cutoff, PRUNE_BATCH)) === PRUNE_BATCH);
    if (analyze && !this.stopped) {
      await analyzeSqlite(this.db, 'audit_events');
    }
  }

  /** Stops looking; waits for a round under way (it stops after its current batch). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
