import { PostgresAdapter, type CreateTableBuilder, type Kysely } from 'kysely';

/** An auto-incrementing integer primary key `id`: `serial` on PostgreSQL, `integer … autoincrement` (never reused) on SQLite. */
export function createTableWithId(db: Kysely<any>, name: string): CreateTableBuilder<string, 'id'> {
  const table = db.schema.createTable(name);
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** The largest `integer`/`serial` value on PostgreSQL (int4): ids beyond it name no row in either store. */
export const MAX_ID = 2_147_483_647;

/** Whether `id` can be a stored row's id; lookups by anything else (1e20, 1.5, -1) find nothing instead of failing on PostgreSQL. */
export function isStoredId(id: unknown): id is number {
  return Number.isInteger(id) && (id as number) >= 1 && (id as number) <= MAX_ID;
}

/** A numeric path segment (`{invitation_id}`) as an id, or undefined when it cannot name a row ("abc", "-1", "1e3", too large). */
export function idFromPath(text: string): number | undefined {
  const id = /^\d+$/.test(text) ? Number(text) : NaN;
  return isStoredId(id) ? id : undefined;
}
