import { Migrator, sql, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Store } from './connect.js';
import * as foundation from './migrations/001_foundation.js';
import * as membership from './migrations/002_membership.js';
import * as accountEmailIndex from './migrations/003_account_email_index.js';
import * as membershipListIndex from './migrations/004_membership_list_index.js';
import * as webhooks from './migrations/005_webhooks.js';
import * as auditLogAndSaml from './migrations/006_audit_log_and_saml.js';
import * as hookPayloads from './migrations/007_hook_payloads.js';
import * as repositoriesCodeScanning from './migrations/008_repositories_code_scanning.js';
import * as organizationRolesCampaigns from './migrations/009_organization_roles_campaigns.js';
import * as appsInstallations from './migrations/010_apps_installations.js';
import * as tokenKinds from './migrations/011_token_kinds.js';
import * as callerGeneration from './migrations/012_caller_generation.js';

/** Every migration, in order; one set serves SQLite and PostgreSQL. */
const migrations: Record<string, Migration> = {
  '001_foundation': foundation,
  '002_membership': membership,
  '003_account_email_index': accountEmailIndex,
  '004_membership_list_index': membershipListIndex,
  '005_webhooks': webhooks,
  '006_audit_log_and_saml': auditLogAndSaml,
  '007_hook_payloads': hookPayloads,
  '008_repositories_code_scanning': repositoriesCodeScanning,
  '009_organization_roles_campaigns': organizationRolesCampaigns,
  '010_apps_installations': appsInstallations,
  '011_token_kinds': tokenKinds,
  '012_caller_generation': callerGeneration,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(store: Store): Promise<void> {
  await migrate(store, (migrator) => migrator.migrateToLatest());
}

/** Migrates up (or down) to `name`: how a test builds a database as an earlier version left it. */
export async function migrateTo(store: Store, name: string): Promise<void> {
  await migrate(store, (migrator) => migrator.migrateTo(name));
}

async function migrate(store: Store, run: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<void> {
  // A store that cannot be reached (a missing database, a refused connection, bad credentials) says so, by name.
  try {
    await sql`select 1`.execute(store.db);
  } catch (error) {
    throw new Error(`cannot connect to ${store.name}: ${messageOf(error)}`);
  }
  const { error, results } = await run(new Migrator({ db: store.db, provider }));
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migrating ${store.name}${failed ? ` (${failed.migrationName})` : ''} failed: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
