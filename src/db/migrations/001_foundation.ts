import type { Kysely } from 'kysely';
import { createTableWithId } from '../columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await createTableWithId(db, 'accounts')
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('login_lower', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('company', 'text')
    .addColumn('blog', 'text')
    .addColumn('location', 'text')
    .addColumn('bio', 'text')
    .addColumn('twitter_username', 'text')
    .addColumn('description', 'text')
    .addColumn('site_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('two_factor', 'text', (c) => c.notNull().defaultTo('disabled'))
    .addColumn('suspended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accounts_type_id').on('accounts').columns(['type', 'id']).execute();
  await db.schema.createIndex('accounts_email').on('accounts').column('email').execute();

  await createTableWithId(db, 'tokens')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_last_eight', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();

  await db.schema
    .createTable('memberships')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['org_id', 'user_id'])
    .execute();
  // Member lists page through (org, state, user id) in index order, so a page costs the same on any org size.
  await db.schema.createIndex('memberships_org_state_user').on('memberships').columns(['org_id', 'state', 'user_id']).execute();
  await db.schema.createIndex('memberships_user_state_org').on('memberships').columns(['user_id', 'state', 'org_id']).execute();

  await createTableWithId(db, 'audit_events')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('actor', 'text')
    .addColumn('org_id', 'integer')
    .addColumn('org', 'text')
    .addColumn('user_id', 'integer')
    .addColumn('user', 'text')
    .addColumn('data', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_org_id').on('audit_events').columns(['org_id', 'id']).execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('reset_at', 'bigint', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pk', ['subject', 'resource'])
    .execute();
}

export async function down(): Promise<void> {
  // Forward-only: a server never runs down migrations.
}
