import { PostgresAdapter, type CreateTableBuilder, type Kysely } from 'kysely';

/** An auto-incrementing integer primary key `id`: `serial` on PostgreSQL, `integer … autoincrement` (never reused) on SQLite. */
export function createTableWithId(db: Kysely<any>, name: string): CreateTableBuilder<string, 'id'> {
  const table = db.schema.createTable(name);
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
