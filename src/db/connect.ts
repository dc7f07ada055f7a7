import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { withNamedStatements } from './pg-statements.js';
import type { Database } from './schema.js';
import { checkpointInBackground } from './sqlite-checkpointer.js';
import { OrghubSqliteDialect } from './sqlite-dialect.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** What error messages call it: `PostgreSQL database "orghub"`, `SQLite database ./data/orghub.db`. */
  name: string;
  close(): Promise<void>;
}

// pg returns int8 (counts, sums) as strings; every such number here fits a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Opens the store `ORGHUB_DATABASE_URL` names: `sqlite:PATH`, `sqlite::memory:` or `postgres://…`. */
export function openStore(url: string): Store {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client dropped by the server (restart, DROP DATABASE … FORCE) must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool) }) });
    const name = `PostgreSQL database "${decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres'}"`;
    return { db, dialect: 'postgres', name, close: () => db.destroy() };
  }
  if (!url.startsWith('sqlite:')) {
    throw new Error(`Unsupported database URL ${JSON.stringify(url)}: use sqlite:PATH, sqlite::memory: or postgres://…`);
  }
  const path = url.slice('sqlite:'.length);
  const name = `SQLite database ${path}`;
  let sqlite: SQLite.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    sqlite = new SQLite(path);
  } catch (error) {
    throw new Error(`cannot open ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  sqlite.pragma('busy_timeout = 5000');
  switchToWal(sqlite);
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Pages are read in place from the OS page cache instead of copied into SQLite's 2 MiB cache one `pread` at a time: a
  // working set of many orgs misses that cache on most reads (bench/RESULTS.md, working set). Bounded by the mapping;
  // the mapped pages are the kernel's page cache, shared with other processes and reclaimable.
  sqlite.pragma(`mmap_size = ${SQLITE_MMAP_BYTES}`);
  const db = new Kysely<Database>({ dialect: new OrghubSqliteDialect({ database: withStatementCache(sqlite) }) });
  // An in-memory database has no WAL to copy back.
  const checkpointer = path === ':memory:' ? undefined : checkpointInBackground(sqlite, path);
  const close = async () => {
    await checkpointer?.stop();
    await db.destroy();
  };
  return { db, dialect: 'sqlite', name, close };
}

/** The most of the database file a connection maps (1 GiB; SQLite reads past it as usual). */
const SQLITE_MMAP_BYTES = 2 ** 30;

/** Longest wait for the WAL switch; as long as the busy timeout. */
const WAL_SWITCH_MS = 5000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sets WAL mode. Switching a new file takes a lock SQLite does not wait for (the busy timeout does not apply): of
 * processes started together on one new file, all but one are refused with SQLITE_BUSY, so each retries until the
 * file is switched (then the pragma only reads the mode). Synchronous: it runs once, while the store opens.
 */
function switchToWal(sqlite: SQLite.Database): void {
  const deadline = Date.now() + WAL_SWITCH_MS;
  for (;;) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/**
 * Kysely prepares every query anew; preparing costs more than running a small indexed read, so statements are
 * kept by SQL text (queries bind values as parameters, so the set of texts is small; capped all the same).
 * A statement still being iterated (a streamed query) is never handed out twice.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      const cached = statements.get(text);
      if (cached && !cached.busy) return cached;
      const statement = sqlite.prepare(text);
      if (!cached && statements.size < 2000) statements.set(text, statement);
      return statement;
    },
  };
}
