import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { createTableWithId } from '../columns.js';

/**
 * The audit log API (`GET /orgs/{org}/audit-log`) and SAML SSO credential authorizations.
 * - Every search qualifier has an index that yields an org's events in (created_at, id) order, the listing order: a
 *   page is an index range however many events the org has. The action's category (`org` of `org.add_member`),
 *   team and repository become columns so `action:org`, `team:` and `repo:` are indexed too; qualifiers most events
 *   do not carry (user, team, repo) get partial indexes, which cost nothing to events without them.
 * - An org can have SAML SSO enforced; each classic token a member uses on it is then a credential authorization.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema.alterTable('audit_events').addColumn('category', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('team', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('repo', 'text').execute();
  // Events recorded before this migration: the category is the action up to its first dot; the team its data's.
  await (postgres
    ? sql`update audit_events set category = split_part(action, '.', 1), team = lower(data::json->>'team')`
    : sql`update audit_events set category = substr(action, 1, instr(action || '.', '.') - 1), team = lower(json_extract(data, '$.team'))`
  ).execute(db);

  // (org_id, created_at, id) replaces (org_id, id): events are listed in time order.
  await db.schema.dropIndex('audit_events_org_id').execute();
  const byOrg = (name: string, column?: string) =>
    db.schema.createIndex(`audit_events_org_${name}`).on('audit_events').columns(['org_id', ...(column ? [column] : []), 'created_at', 'id']);
  await byOrg('created').execute();
  await byOrg('action', 'action').execute();
  await byOrg('category', 'category').execute();
  await byOrg('actor', 'actor_id').execute();
  await byOrg('user', 'user_id').where(sql.ref('user_id'), 'is not', null).execute();
  await byOrg('team', 'team').where(sql.ref('team'), 'is not', null).execute();
  await byOrg('repo', 'repo').where(sql.ref('repo'), 'is not', null).execute();
  // Retention prunes by age across every org.
  await db.schema.createIndex('audit_events_created').on('audit_events').column('created_at').execute();

  await db.schema.alterTable('accounts').addColumn('saml_sso_enforced', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await createTableWithId(db, 'credential_authorizations')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('token_id', 'integer', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('authorized_at', 'text', (c) => c.notNull())
    .addColumn('accessed_at', 'text', (c) => c.notNull())
    /** Set when an owner revoked it: the token never reaches the org again. */
    .addColumn('revoked_at', 'text')
    .addUniqueConstraint('credential_authorizations_org_token', ['org_id', 'token_id'])
    .execute();
  await db.schema.createIndex('credential_authorizations_org_user').on('credential_authorizations').columns(['org_id', 'user_id', 'id']).execute();
  // Deleting a token (or its user) deletes its authorizations through this.
  await db.schema.createIndex('credential_authorizations_token').on('credential_authorizations').column('token_id').execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
