import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Rows per index SQLite's ANALYZE reads: approximate statistics, in milliseconds however large the table. */
const ANALYSIS_LIMIT = 1000;

/**
 * Refreshes SQLite's planner statistics (of `table`, or of every table) and keeps only `sqlite_stat1`'s averages.
 * better-sqlite3 builds SQLite with STAT4, whose per-value samples make SQLite prepare a statement again whenever a
 * value bound against an indexed column changes: on a random working set that tripled the cost of the one-statement
 * org read before every `{org}` route. The averages are what orghub's plans are chosen by.
 */
export async function analyzeSqlite(db: Kysely<Database>, table?: 'audit_events'): Promise<void> {
  await sql`pragma analysis_limit = ${sql.raw(String(ANALYSIS_LIMIT))}`.execute(db);
  await (table ? sql`analyze ${sql.table(table)}` : sql`analyze`).execute(db);
  const { rows } = await sql`select 1 from sqlite_schema where name = 'sqlite_stat4'`.execute(db);
  if (rows.length > 0) await sql`delete from sqlite_stat4`.execute(db);
  // Loads the statistics as they now are into this connection's schema (SQLite's documented way after editing them).
  await sql`analyze sqlite_schema`.execute(db);
}
