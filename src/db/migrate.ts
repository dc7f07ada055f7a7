import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './connect.js';
import * as foundation from './migrations/001_foundation.js';
import * as membership from './migrations/002_membership.js';
import * as accountEmailIndex from './migrations/003_account_email_index.js';
import * as membershipListIndex from './migrations/004_membership_list_index.js';
import * as webhooks from './migrations/005_webhooks.js';

/** Every migration, in order; one set serves SQLite and PostgreSQL. */
const migrations: Record<string, Migration> = {
  '001_foundation': foundation,
  '002_membership': membership,
  '003_account_email_index': accountEmailIndex,
  '004_membership_list_index': membershipListIndex,
  '005_webhooks': webhooks,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
