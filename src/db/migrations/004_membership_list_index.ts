import type { Kysely } from 'kysely';

/**
 * Member lists page by LIMIT/OFFSET through (org_id, state, user_id); carrying `role` and `public` in the same
 * index lets the database skip billing managers / concealed members without reading table rows, so deep pages
 * (page 900 of a 100,000-member org) stay an index-only walk. It replaces the narrower index of 001, whose
 * every use it serves (same leading columns).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('memberships_org_state_user_role')
    .on('memberships')
    .columns(['org_id', 'state', 'user_id', 'role', 'public'])
    .execute();
  await db.schema.dropIndex('memberships_org_state_user').execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
