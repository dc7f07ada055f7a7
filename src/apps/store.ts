import type { Insertable, Kysely, Selectable } from 'kysely';
import { isStoredId } from '../db/columns.js';
import { precompiled } from '../db/prepared.js';
import type { AppTable, Database, InstallationTable, InstallationTokenTable } from '../db/schema.js';
import type { RequiredPermissions } from '../http/operation.js';
import { hashToken } from '../tokens/store.js';

export type AppRow = Selectable<AppTable>;
export type InstallationRow = Selectable<InstallationTable>;
export type InstallationTokenRow = Selectable<InstallationTokenTable>;

/** Permissions as stored (JSON `app-permissions`). */
export const permissionsOf = (row: { permissions: string }): RequiredPermissions => JSON.parse(row.permissions) as RequiredPermissions;
export const eventsOf = (row: { events: string }): string[] => JSON.parse(row.events) as string[];

export async function insertApp(db: Kysely<Database>, app: Insertable<AppTable>): Promise<AppRow> {
  return db.insertInto('apps').values(app).returningAll().executeTakeFirstOrThrow();
}

export async function findAppBySlug(db: Kysely<Database>, slug: string): Promise<AppRow | undefined> {
  return db.selectFrom('apps').selectAll().where('slug', '=', slug.toLowerCase()).executeTakeFirst();
}

/** The app a JWT's `iss` names: its id (a number, or digits) or its client id. */
export async function findAppByIssuer(db: Kysely<Database>, issuer: string | number): Promise<AppRow | undefined> {
  const id = typeof issuer === 'number' ? issuer : /^\d+$/.test(issuer) ? Number(issuer) : undefined;
  if (id !== undefined) return isStoredId(id) ? db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  return db.selectFrom('apps').selectAll().where('client_id', '=', String(issuer)).executeTakeFirst();
}

export async function findAppById(db: Kysely<Database>, id: number): Promise<AppRow | undefined> {
  if (!isStoredId(id)) return undefined;
  return db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countInstallationsOfApp(db: Kysely<Database>, appId: number): Promise<number> {
  const { n } = await db.selectFrom('installations').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', appId).executeTakeFirstOrThrow();
  return Number(n);
}

export async function insertInstallation(db: Kysely<Database>, installation: Insertable<InstallationTable>): Promise<InstallationRow> {
  return db.insertInto('installations').values(installation).returningAll().executeTakeFirstOrThrow();
}

export async function findInstallation(db: Kysely<Database>, id: number): Promise<InstallationRow | undefined> {
  if (!isStoredId(id)) return undefined;
  return db.selectFrom('installations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findInstallationOfApp(db: Kysely<Database>, appId: number, orgId: number): Promise<InstallationRow | undefined> {
  return db.selectFrom('installations').selectAll().where('app_id', '=', appId).where('org_id', '=', orgId).executeTakeFirst();
}

/** One page of an app's installations (`since`: ids after it), in id order. */
export async function listInstallationsOfApp(
  db: Kysely<Database>,
  appId: number,
  page: { offset: number; limit: number; sinceUpdated?: string },
): Promise<InstallationRow[]> {
  let query = db.selectFrom('installations').selectAll().where('app_id', '=', appId);
  if (page.sinceUpdated !== undefined) query = query.where('updated_at', '>=', page.sinceUpdated);
  return query.orderBy('id').offset(page.offset).limit(page.limit).execute();
}

export async function listInstallationsOnOrg(db: Kysely<Database>, orgId: number, page: { offset: number; limit: number }): Promise<InstallationRow[]> {
  return db.selectFrom('installations').selectAll().where('org_id', '=', orgId).orderBy('id').offset(page.offset).limit(page.limit).execute();
}

export async function countInstallationsOnOrg(db: Kysely<Database>, orgId: number): Promise<number> {
  const { n } = await db.selectFrom('installations').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return Number(n);
}

/** Where an app's deliveries go. */
export type AppHook = Pick<AppRow, 'id' | 'hook_url' | 'webhook_secret'>;

/** The installations on an org that are to hear its events (not suspended, their app's hook active), with those hooks. */
export async function listeningInstallations(db: Kysely<Database>, orgId: number): Promise<{ installation: InstallationRow; hook: AppHook }[]> {
  const rows = await db
    .selectFrom('installations')
    .innerJoin('apps', 'apps.id', 'installations.app_id')
    .selectAll('installations')
    .select(['apps.webhook_secret', 'apps.hook_url'])
    .where('installations.org_id', '=', orgId)
    .where('installations.suspended_at', 'is', null)
    .where('apps.hook_active', '=', 1)
    .where('apps.hook_url', 'is not', null)
    .orderBy('installations.id')
    .execute();
  return rows.map(({ webhook_secret, hook_url, ...installation }) => ({ installation, hook: { id: installation.app_id, hook_url, webhook_secret } }));
}

/** The ids of an org's repositories, in id order. */
export async function orgRepositoryIds(db: Kysely<Database>, orgId: number): Promise<number[]> {
  return (await db.selectFrom('repositories').select('id').where('org_id', '=', orgId).orderBy('id').execute()).map((row) => row.id);
}

/** Lower-cased name → id of the org's repositories among `lowerNames`. */
export async function repositoryIdsByLowerName(db: Kysely<Database>, orgId: number, lowerNames: string[]): Promise<Map<string, number>> {
  const rows = await db.selectFrom('repositories').select(['id', 'name_lower']).where('org_id', '=', orgId).where('name_lower', 'in', lowerNames).execute();
  return new Map(rows.map((row) => [row.name_lower, row.id]));
}

/** The repositories an installation reaches (all the org's, or its selection), as webhook payloads list them. */
export async function installationRepositories(db: Kysely<Database>, installation: InstallationRow) {
  let query = db.selectFrom('repositories').select(['id', 'name', 'visibility']).where('org_id', '=', installation.org_id);
  if (installation.repository_selection === 'selected') {
    query = query.where('id', 'in', db.selectFrom('installation_repositories').select('repository_id').where('installation_id', '=', installation.id));
  }
  return query.orderBy('id').execute();
}

export async function updateInstallation(db: Kysely<Database>, id: number, changes: Partial<Insertable<InstallationTable>>): Promise<InstallationRow> {
  return db.updateTable('installations').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Removes the installation; its repositories and tokens go with it (foreign keys cascade). */
export async function deleteInstallation(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('installations').where('id', '=', id).execute();
}

export async function insertInstallationRepositories(db: Kysely<Database>, installationId: number, repositoryIds: number[]): Promise<void> {
  if (repositoryIds.length === 0) return;
  await db.insertInto('installation_repositories').values(repositoryIds.map((repository_id) => ({ installation_id: installationId, repository_id }))).execute();
}

export async function installationRepositoryIds(db: Kysely<Database>, installationId: number): Promise<number[]> {
  const rows = await db.selectFrom('installation_repositories').select('repository_id').where('installation_id', '=', installationId).orderBy('repository_id').execute();
  return rows.map((row) => row.repository_id);
}

export async function insertInstallationToken(db: Kysely<Database>, token: string, row: Omit<Insertable<InstallationTokenTable>, 'token_hash'>): Promise<void> {
  await db.insertInto('installation_tokens').values({ ...row, token_hash: hashToken(token) }).execute();
}

/** Tokens of a suspended installation are dead: suspension revokes them, as on GitHub. */
export async function deleteInstallationTokens(db: Kysely<Database>, installationId: number): Promise<void> {
  await db.deleteFrom('installation_tokens').where('installation_id', '=', installationId).execute();
}

/** Drops tokens that expired before `now` (ISO): nothing can use them any more. */
export async function pruneInstallationTokens(db: Kysely<Database>, now: string): Promise<void> {
  await db.deleteFrom('installation_tokens').where('expires_at', '<=', now).execute();
}

/**
 * What an installation token is, by its hash: the token, its installation and the app's bot it acts as. Compiled once,
 * like the classic token lookup: every process runs it for each token it has not cached.
 */
const selectInstallationToken = precompiled((db, tokenHash: string) =>
  db
    .selectFrom('installation_tokens as t')
    .innerJoin('installations as i', 'i.id', 't.installation_id')
    .innerJoin('apps as a', 'a.id', 'i.app_id')
    .innerJoin('accounts as bot', 'bot.id', 'a.bot_id')
    .select([
      't.id as token_id',
      't.expires_at',
      't.permissions',
      't.repository_selection',
      't.repository_ids',
      'i.id as installation_id',
      'i.org_id',
      'i.suspended_at',
      'a.id as app_id',
      'a.slug as app_slug',
      'bot.id as bot_id',
      'bot.login as bot_login',
    ])
    .where('t.token_hash', '=', tokenHash),
);

export async function findInstallationToken(db: Kysely<Database>, token: string) {
  const [row] = await selectInstallationToken(db, hashToken(token));
  return row;
}
