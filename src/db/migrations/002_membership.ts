import type { Kysely } from 'kysely';
import { createTableWithId } from '../columns.js';

/** Tables of the membership model: invitations, teams, blocks, outside collaborators, custom roles, counters. */
export async function up(db: Kysely<any>): Promise<void> {
  await createTableWithId(db, 'invitations')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('invitee_id', 'integer', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('email_lower', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('inviter_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('invitation_source', 'text', (c) => c.notNull().defaultTo('member'))
    /** pending | accepted | cancelled | failed */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('team_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'text')
    .addColumn('failed_reason', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invitations_org_state_id').on('invitations').columns(['org_id', 'state', 'id']).execute();
  await db.schema.createIndex('invitations_org_created').on('invitations').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('invitations_invitee_state').on('invitations').columns(['invitee_id', 'state']).execute();
  await db.schema.createIndex('invitations_email_state').on('invitations').columns(['email_lower', 'state']).execute();

  await createTableWithId(db, 'teams')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('privacy', 'text', (c) => c.notNull())
    .addColumn('notification_setting', 'text', (c) => c.notNull())
    .addColumn('permission', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('teams.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('teams_org_slug', ['org_id', 'slug'])
    .execute();

  await db.schema
    .createTable('team_members')
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    /** member | maintainer */
    .addColumn('role', 'text', (c) => c.notNull())
    /** active | pending (pending while the user's org invitation is) */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('team_members_user').on('team_members').column('user_id').execute();

  await db.schema
    .createTable('blocks')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['org_id', 'user_id'])
    .execute();

  /** Users with access to some org repository without being members. */
  await db.schema
    .createTable('outside_collaborators')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('outside_collaborators_pk', ['org_id', 'user_id'])
    .execute();

  await createTableWithId(db, 'custom_roles')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('base_role', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('custom_roles_org_name', ['org_id', 'name_lower'])
    .execute();

  /** Row counts kept with each change (active members, owners, public members …) so a list's last page is known without counting. */
  await db.schema
    .createTable('org_counters')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_counters_pk', ['org_id', 'name'])
    .execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
