import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openStore } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
import { analyzeSqlite } from '../../src/db/statistics.js';

export type StoreKind = 'sqlite' | 'postgres';

/** The PostgreSQL server benchmarks create their throwaway databases on (needs CREATE DATABASE rights). */
export const POSTGRES_ADMIN_URL = process.env.ORGHUB_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  kind: StoreKind;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one run, as the test suite makes them: a SQLite file in a temp folder, or a new PostgreSQL database. */
export async function freshDatabase(kind: StoreKind): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'orghub-bench-'));
    return { kind, url: `sqlite:${join(dir, 'orghub.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `orghub_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { kind, url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** `--db sqlite,postgres` (default both) from the command line. */
export function storesFromArgs(value: string | undefined): StoreKind[] {
  const kinds = (value ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter(Boolean);
  for (const kind of kinds) if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`--db takes sqlite and/or postgres, not ${kind}`);
  return kinds as StoreKind[];
}

/** What a benchmark wrote straight into its database, and how long that took. */
export interface Seeded {
  ms: number;
  rows: number;
}

/**
 * Writes a benchmark's rows straight into a fresh database (migrated first) in one transaction, `fill` returning how
 * many; then fresh planner statistics, as a long-lived database has them (SQLite ANALYZE as orghub keeps it; on PostgreSQL
 * VACUUM ANALYZE, as autovacuum leaves a table, which this machine's server runs without: else the first run to read
 * each freshly written page sets its hint bits, a write in the middle of a measured read).
 */
export async function seedDirectly(databaseUrl: string, fill: (trx: Kysely<Database>) => Promise<number>): Promise<Seeded> {
  const store = openStore(databaseUrl);
  try {
    await migrateToLatest(store);
    const started = performance.now();
    const rows = await store.db.transaction().execute(fill);
    if (store.dialect === 'sqlite') await analyzeSqlite(store.db);
    else await sql`VACUUM ANALYZE`.execute(store.db);
    return { ms: performance.now() - started, rows };
  } finally {
    await store.close();
  }
}
