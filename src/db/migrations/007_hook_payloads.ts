import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { createTableWithId } from '../columns.js';

/**
 * A webhook payload is stored once per event, not once per hook: an event heard by 10 hooks wrote its ~3 KB payload
 * 10 times with the change, and every claim and attempt rewrote it again. Deliveries now point at their payload.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await createTableWithId(db, 'hook_payloads')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('hook_deliveries').addColumn('payload_id', 'integer').execute();
  // Deliveries made before this migration each keep their own payload, under their own id.
  await sql`insert into hook_payloads (id, payload, created_at) select id, payload, created_at from hook_deliveries`.execute(db);
  await sql`update hook_deliveries set payload_id = id`.execute(db);
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select setval(pg_get_serial_sequence('hook_payloads', 'id'), coalesce((select max(id) from hook_payloads), 0) + 1, false)`.execute(db);
  }
  await db.schema.alterTable('hook_deliveries').dropColumn('payload').execute();
  // Pruning keeps the payloads some delivery still points at (a redelivery points at its original's).
  await db.schema.createIndex('hook_deliveries_payload').on('hook_deliveries').columns(['payload_id']).execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
