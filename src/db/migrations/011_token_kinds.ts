import type { Kysely } from 'kysely';

/**
 * Personal access tokens come in two kinds, as on GitHub: classic ones (scopes) and fine-grained ones (`github_pat_…`:
 * permissions on one resource owner, an expiry). Both live in `tokens`, so every per-token rule (revocation with the
 * user, SAML credential authorizations) keeps one id space.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tokens').addColumn('kind', 'text', (c) => c.notNull().defaultTo('classic')).execute();
  await db.schema
    .alterTable('tokens')
    .addColumn('resource_owner_id', 'integer', (c) => c.references('accounts.id').onDelete('cascade'))
    .execute();
  /** JSON `{permission: level}`; null for classic tokens. */
  await db.schema.alterTable('tokens').addColumn('permissions', 'text').execute();
  await db.schema.alterTable('tokens').addColumn('expires_at', 'text').execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
