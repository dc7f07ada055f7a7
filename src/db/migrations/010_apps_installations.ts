import type { Kysely } from 'kysely';
import { createTableWithId } from '../columns.js';

/**
 * GitHub Apps registered on this server, their installations on organizations and the installation tokens minted for
 * them (hashes only). App webhooks go through the delivery engine: a delivery says which kind of target it is for.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await createTableWithId(db, 'apps')
    /** Lower-case, unique: the `{app_slug}` of paths and the bot's login `{slug}[bot]`. */
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    /** SHA-256 of the client secret, shown once at registration. */
    .addColumn('client_secret_hash', 'text', (c) => c.notNull())
    /** The HMAC key of the app's deliveries, needed in the clear to sign. */
    .addColumn('webhook_secret', 'text')
    /** SPKI PEM of the key pair whose private half was handed out once: what app JWTs are verified with. */
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    /** The `{slug}[bot]` account installation tokens act as. */
    .addColumn('bot_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('hook_url', 'text')
    .addColumn('hook_active', 'integer', (c) => c.notNull())
    .addColumn('redirect_url', 'text')
    .addColumn('public', 'integer', (c) => c.notNull())
    /** JSON `app-permissions` and JSON array of event names. */
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await createTableWithId(db, 'installations')
    .addColumn('app_id', 'integer', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    /** all | selected */
    .addColumn('repository_selection', 'text', (c) => c.notNull())
    /** What the org granted when it installed: the app's permissions and events then. */
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('suspended_at', 'text')
    .addColumn('suspended_by', 'integer', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('installations_app_org', ['app_id', 'org_id'])
    .execute();
  // Every org event looks for the installations on its org.
  await db.schema.createIndex('installations_org').on('installations').columns(['org_id', 'id']).execute();

  await db.schema
    .createTable('installation_repositories')
    .addColumn('installation_id', 'integer', (c) => c.notNull().references('installations.id').onDelete('cascade'))
    .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('installation_repositories_pk', ['installation_id', 'repository_id'])
    .execute();

  await createTableWithId(db, 'installation_tokens')
    .addColumn('installation_id', 'integer', (c) => c.notNull().references('installations.id').onDelete('cascade'))
    /** SHA-256 of the token; the token itself is never stored. */
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    /** JSON `app-permissions`: the installation's, or the narrower set asked for. */
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('repository_selection', 'text', (c) => c.notNull())
    /** JSON array of repository ids for a token narrowed to some repositories; null: the installation's. */
    .addColumn('repository_ids', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('installation_tokens_installation').on('installation_tokens').columns(['installation_id']).execute();
  await db.schema.createIndex('installation_tokens_expires').on('installation_tokens').columns(['expires_at']).execute();

  /** `organization` (an org hook, `hook_id` a hook) or `integration` (an app's hook, `hook_id` the app's id). */
  await db.schema.alterTable('hook_deliveries').addColumn('target_type', 'text', (c) => c.notNull().defaultTo('organization')).execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
