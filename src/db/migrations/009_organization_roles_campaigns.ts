import type { Kysely } from 'kysely';
import { createTableWithId } from '../columns.js';

/**
 * - Organization roles held by users and teams (the roles themselves are GitHub's predefined ones, a constant table in
 *   src/organization-roles/roles.ts, so an org needs no rows until someone is assigned one).
 * - Security campaigns: numbered per org from the `campaigns` org counter, their managers, and the code scanning
 *   alerts they hold (their stats are computed from the alerts' state when read).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('org_role_users')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('role_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Listing a role's users and "does this user hold the role" are ranges of this key.
    .addPrimaryKeyConstraint('org_role_users_pk', ['org_id', 'role_id', 'user_id'])
    .execute();
  // Revoking every role of a user; deleting a user cascades through it.
  await db.schema.createIndex('org_role_users_user').on('org_role_users').columns(['user_id', 'org_id']).execute();

  await db.schema
    .createTable('org_role_teams')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('role_id', 'integer', (c) => c.notNull())
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_role_teams_pk', ['org_id', 'role_id', 'team_id'])
    .execute();
  await db.schema.createIndex('org_role_teams_team').on('org_role_teams').columns(['team_id']).execute();

  await createTableWithId(db, 'campaigns')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('contact_link', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // A number names one campaign of the org, ever (the counter never goes back; this guards it).
    .addUniqueConstraint('campaigns_org_number', ['org_id', 'number'])
    .execute();

  await db.schema
    .createTable('campaign_managers')
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('campaign_managers_pk', ['campaign_id', 'user_id'])
    .execute();
  await db.schema.createIndex('campaign_managers_user').on('campaign_managers').columns(['user_id']).execute();

  await db.schema
    .createTable('campaign_team_managers')
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('campaign_team_managers_pk', ['campaign_id', 'team_id'])
    .execute();
  await db.schema.createIndex('campaign_team_managers_team').on('campaign_team_managers').columns(['team_id']).execute();

  await db.schema
    .createTable('campaign_alerts')
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('alert_id', 'integer', (c) => c.notNull().references('code_scanning_alerts.id').onDelete('cascade'))
    // The alert's state and whether it is assigned, written with every change of either: a campaign's stats count
    // one narrow index range instead of joining thousands of wide alert rows on every read.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('assigned', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_alerts_pk', ['campaign_id', 'alert_id'])
    .execute();
  await db.schema.createIndex('campaign_alerts_alert').on('campaign_alerts').columns(['alert_id']).execute();
  await db.schema.createIndex('campaign_alerts_stats').on('campaign_alerts').columns(['campaign_id', 'state', 'assigned']).execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
