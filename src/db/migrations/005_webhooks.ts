import type { Kysely } from 'kysely';
import { createTableWithId } from '../columns.js';

/** Organization webhooks and their deliveries (a transactional outbox: rows are written with the change they report). */
export async function up(db: Kysely<any>): Promise<void> {
  await createTableWithId(db, 'hooks')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('active', 'integer', (c) => c.notNull())
    /** JSON array of event names; `*` is every event. */
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('insecure_ssl', 'text', (c) => c.notNull())
    /** The HMAC key, needed in the clear to sign; never shown by the API. */
    .addColumn('secret', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hooks_org').on('hooks').columns(['org_id', 'id']).execute();

  await createTableWithId(db, 'hook_deliveries')
    // No foreign key: `meta` `deleted` is delivered to a hook after its row is gone.
    .addColumn('hook_id', 'integer', (c) => c.notNull())
    .addColumn('guid', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('redelivery', 'integer', (c) => c.notNull())
    /** The target as it was when the delivery was made. */
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('insecure_ssl', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    /** pending (not yet attempted) | sending (claimed until `claimed_until`) | done */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('duration', 'real')
    .addColumn('status', 'text')
    .addColumn('status_code', 'integer')
    .addColumn('request_headers', 'text')
    .addColumn('response_headers', 'text')
    .addColumn('response_body', 'text')
    .execute();
  await db.schema.createIndex('hook_deliveries_hook_id').on('hook_deliveries').columns(['hook_id', 'id']).execute();
  await db.schema.createIndex('hook_deliveries_state_id').on('hook_deliveries').columns(['state', 'id']).execute();
  await db.schema.createIndex('hook_deliveries_created').on('hook_deliveries').columns(['created_at']).execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
