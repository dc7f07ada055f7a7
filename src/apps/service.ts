import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findAccount, findAccountById, insertAccount, lockAccount, type Account } from '../accounts/store.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import { idFromPath } from '../db/columns.js';
import type { Database } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { ORGANIZATION_WEBHOOK_EVENTS } from '../generated/webhook-events.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, notFound, validationFailed, type FieldError } from '../http/errors.js';
import type { RequiredPermissions } from '../http/operation.js';
import { actorOf } from '../members/common.js';
import { hashToken } from '../tokens/store.js';
import { EVENT_PERMISSIONS, holds, notCovered, PERMISSION_LEVELS } from './permissions.js';
import {
  deleteInstallation,
  deleteInstallationTokens,
  findAppById,
  findAppBySlug,
  findInstallation,
  insertApp,
  insertInstallation,
  insertInstallationRepositories,
  insertInstallationToken,
  installationRepositoryIds,
  orgRepositoryIds,
  repositoryIdsByLowerName,
  permissionsOf,
  pruneInstallationTokens,
  updateInstallation,
  type AppRow,
  type InstallationRow,
} from './store.js';

/** GitHub: installation access tokens expire one hour after they are made. */
export const INSTALLATION_TOKEN_LIFETIME_MS = 60 * 60 * 1000;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const base62 = (length: number) => Array.from(randomBytes(length), (b) => BASE62[b % BASE62.length]).join('');

/** A GitHub App manifest (the JSON of GitHub's manifest flow) plus the login of the account that is to own the app. */
export interface AppManifest {
  owner: string;
  name: string;
  url: string;
  description?: string | null;
  hook_attributes?: { url: string; active?: boolean };
  redirect_url?: string;
  public?: boolean;
  default_permissions?: Record<string, string>;
  default_events?: string[];
}

const fieldError = (resource: string, field: string, message: string, value?: string): FieldError => ({
  resource,
  field,
  code: 'invalid',
  message,
  ...(value === undefined ? {} : { value }),
});

/** GitHub's slug of an app name: lower-cased, every run of other characters a hyphen, none at either end. */
export function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** What is wrong with a manifest, field by field (every problem at once, as GitHub's 422 lists them). */
function manifestErrors(manifest: AppManifest, permissions: RequiredPermissions, events: string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (slugOf(manifest.name) === '') errors.push(fieldError('Integration', 'name', 'name must contain a letter or digit', manifest.name));
  if (!isHttpUrl(manifest.url)) errors.push(fieldError('Integration', 'url', 'url must be an absolute http or https URL', manifest.url));
  const hookUrl = manifest.hook_attributes?.url;
  if (hookUrl !== undefined && !isHttpUrl(hookUrl)) errors.push(fieldError('Integration', 'hook_attributes.url', 'url must be an absolute http or https URL', hookUrl));
  if (manifest.redirect_url !== undefined && !isHttpUrl(manifest.redirect_url)) {
    errors.push(fieldError('Integration', 'redirect_url', 'redirect_url must be an absolute http or https URL', manifest.redirect_url));
  }
  for (const [name, level] of Object.entries(manifest.default_permissions ?? {})) {
    if (!PERMISSION_LEVELS[name]?.includes(level)) errors.push(fieldError('Integration', 'default_permissions', `${name}: ${level} is not a permission level it takes`, name));
  }
  for (const event of events) {
    // Apps hear their installations' events, never an org hook's own `ping` and `meta`.
    if (!ORGANIZATION_WEBHOOK_EVENTS.has(event) || event === 'ping' || event === 'meta') {
      errors.push(fieldError('Integration', 'default_events', `${event} is not an event an app can subscribe to`, event));
      continue;
    }
    const needed = EVENT_PERMISSIONS[event];
    // GitHub lets an app subscribe only to events its permissions cover.
    if (needed && !holds(permissions, needed)) errors.push(fieldError('Integration', 'default_events', `${event} needs the ${needed} permission`, event));
  }
  return errors;
}

/** A new app and what is shown of it once only: its client secret and private key. */
export interface RegisteredApp {
  app: AppRow;
  owner: Account;
  clientSecret: string;
  pem: string;
}

/** `POST /admin/apps`: registers the app of a manifest, with its `{slug}[bot]` account and a new RSA key pair. */
export async function registerApp(ctx: AppContext, caller: Caller, manifest: AppManifest): Promise<RegisteredApp> {
  const owner = await findAccount(ctx.db, manifest.owner);
  if (!owner || owner.type === 'Bot') throw validationFailed([fieldError('Integration', 'owner', 'owner must be an existing user or organization', manifest.owner)]);
  const permissions = (manifest.default_permissions ?? {}) as RequiredPermissions;
  const events = [...new Set(manifest.default_events ?? [])];
  const errors = manifestErrors(manifest, permissions, events);
  if (errors.length) throw validationFailed(errors);
  const slug = slugOf(manifest.name);
  // GitHub's words for a taken app name; two registrations racing for one are refused by apps(slug) and the bot's login.
  if (await findAppBySlug(ctx.db, slug)) {
    throw validationFailed([{ resource: 'Integration', field: 'name', code: 'already_exists', message: 'Name has already been taken', value: manifest.name }]);
  }
  // GitHub issues PKCS#1 PEM private keys ("BEGIN RSA PRIVATE KEY"); only the public half is kept.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const clientSecret = randomBytes(20).toString('hex');
  const now = isoSeconds(ctx.clock.now());
  const app = await ctx.db.transaction().execute(async (trx) => {
    const bot = await insertAccount(trx, { login: `${slug}[bot]`, type: 'Bot', now });
    const created = await insertApp(trx, {
      slug,
      name: manifest.name,
      description: manifest.description ?? null,
      client_id: `Iv23li${base62(14)}`,
      client_secret_hash: hashToken(clientSecret),
      webhook_secret: randomBytes(20).toString('hex'),
      public_key: publicKey,
      owner_id: owner.id,
      bot_id: bot.id,
      url: manifest.url,
      hook_url: manifest.hook_attributes?.url ?? null,
      hook_active: manifest.hook_attributes?.url !== undefined && manifest.hook_attributes.active !== false ? 1 : 0,
      redirect_url: manifest.redirect_url ?? null,
      public: manifest.public ? 1 : 0,
      permissions: JSON.stringify(permissions),
      events: JSON.stringify(events),
      created_at: now,
      updated_at: now,
    });
    await recordEvent(trx, {
      action: 'integration.create',
      actor: actorOf(caller),
      org: owner.type === 'Organization' ? owner : null,
      data: { integration: created.slug, integration_id: created.id },
      createdAt: now,
    });
    return created;
  });
  return { app, owner, clientSecret, pem: privateKey };
}

export async function appBySlugOr404(ctx: AppContext, slug: string): Promise<AppRow> {
  const app = await findAppBySlug(ctx.db, slug);
  if (!app) throw notFound();
  return app;
}

export async function appById(db: Kysely<Database>, id: number): Promise<AppRow> {
  const app = await findAppById(db, id);
  if (!app) throw notFound();
  return app;
}

/** An installation, with what presenting it needs. */
export interface InstallationView {
  installation: InstallationRow;
  app: AppRow;
  org: Account;
  suspendedBy: Account | undefined;
}

export async function viewOf(db: Kysely<Database>, installation: InstallationRow, app?: AppRow): Promise<InstallationView> {
  const org = await findAccountById(db, installation.org_id);
  if (!org) throw notFound();
  const suspendedBy = installation.suspended_by === null ? undefined : await findAccountById(db, installation.suspended_by);
  return { installation, app: app ?? (await appById(db, installation.app_id)), org, suspendedBy };
}

export interface InstallRequest {
  org: string;
  repository_selection?: 'all' | 'selected';
  repositories?: string[];
}

/** The ids of the org's repositories by these names; a 422 naming those it does not have. */
async function repositoryIdsByName(db: Kysely<Database>, orgId: number, names: string[], resource: string, field: string): Promise<number[]> {
  if (names.length === 0) return [];
  const found = await repositoryIdsByLowerName(db, orgId, [...new Set(names.map((name) => name.toLowerCase()))]);
  const missing = names.filter((name) => !found.has(name.toLowerCase()));
  if (missing.length) throw validationFailed(missing.map((name) => fieldError(resource, field, `${name} is not a repository of the organization`, name)));
  return [...new Set(found.values())];
}

/** `POST /admin/apps/{app_slug}/installations` (extension): installs the app on an org with the app's permissions and events. */
export async function installApp(ctx: AppContext, caller: Caller, slug: string, body: InstallRequest): Promise<InstallationView> {
  const app = await appBySlugOr404(ctx, slug);
  const org = await findAccount(ctx.db, body.org, 'Organization');
  if (!org) throw validationFailed([fieldError('Installation', 'org', 'org must be an existing organization', body.org)]);
  const selection = body.repository_selection ?? 'all';
  if (selection === 'all' && body.repositories?.length) {
    throw validationFailed([fieldError('Installation', 'repositories', 'repositories are chosen only with repository_selection "selected"')]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const repositoryIds = await repositoryIdsByName(trx, org.id, body.repositories ?? [], 'Installation', 'repositories');
    const now = isoSeconds(ctx.clock.now());
    // One installation per app and org (installations(app_id, org_id)): installing again is refused by that key.
    const installation = await insertInstallation(trx, {
      app_id: app.id,
      org_id: org.id,
      repository_selection: selection,
      permissions: app.permissions,
      events: app.events,
      suspended_at: null,
      suspended_by: null,
      created_at: now,
      updated_at: now,
    });
    await insertInstallationRepositories(trx, installation.id, repositoryIds);
    await recordInstallationEvent(trx, 'integration_installation.create', caller, org, installation, app, now);
    return { installation, app, org, suspendedBy: undefined };
  });
}

function recordInstallationEvent(trx: Kysely<Database>, action: string, caller: Caller, org: Account, installation: InstallationRow, app: AppRow, now: string) {
  return recordEvent(trx, {
    action,
    actor: actorOf(caller),
    org,
    installation,
    app,
    data: { integration: app.slug, installation_id: installation.id, repository_selection: installation.repository_selection },
    createdAt: now,
  });
}

async function installationOr404(db: Kysely<Database>, rawId: string): Promise<InstallationRow> {
  const id = idFromPath(rawId);
  const installation = id === undefined ? undefined : await findInstallation(db, id);
  if (!installation) throw notFound();
  return installation;
}

/** `DELETE /admin/installations/{installation_id}` (extension): uninstalls; the installation's tokens die with it. */
export async function uninstall(ctx: AppContext, caller: Caller, rawId: string): Promise<void> {
  await ctx.auth.changeCallers(async (trx) => {
    const installation = await installationOr404(trx, rawId);
    const view = await viewOf(trx, installation);
    await lockAccount(trx, ctx.dialect, view.org.id);
    // The `deleted` payload shows the installation as it was: recorded before the row goes.
    await recordInstallationEvent(trx, 'integration_installation.destroy', caller, view.org, installation, view.app, isoSeconds(ctx.clock.now()));
    await deleteInstallation(trx, installation.id);
  });
}

/** `PUT|DELETE /admin/installations/{installation_id}/suspended` (extension). Suspending revokes its tokens; doing it twice changes nothing. */
export async function setSuspended(ctx: AppContext, caller: Caller, rawId: string, suspended: boolean): Promise<void> {
  await ctx.auth.changeCallers(async (trx) => {
    const found = await installationOr404(trx, rawId);
    const view = await viewOf(trx, found);
    await lockAccount(trx, ctx.dialect, view.org.id);
    // Read again under the lock: of two requests suspending it at once, the second finds it suspended and records nothing.
    const current = await installationOr404(trx, rawId);
    if ((current.suspended_at !== null) === suspended) return;
    const now = isoSeconds(ctx.clock.now());
    const installation = await updateInstallation(trx, current.id, {
      suspended_at: suspended ? now : null,
      suspended_by: suspended ? caller.userId : null,
      updated_at: now,
    });
    if (suspended) await deleteInstallationTokens(trx, installation.id);
    const action = suspended ? 'integration_installation.suspend' : 'integration_installation.unsuspend';
    await recordInstallationEvent(trx, action, caller, view.org, installation, view.app, now);
  });
}

/** The installation a JWT's app asks about: 404 for another app's, as GitHub does. */
export async function installationOfApp(ctx: AppContext, caller: Caller, rawId: string): Promise<InstallationView> {
  const installation = await installationOr404(ctx.db, rawId);
  if (installation.app_id !== caller.app?.id) throw notFound();
  return viewOf(ctx.db, installation);
}

/** GitHub's answer to a token asked for a suspended installation. */
const installationSuspended = () => new ApiError(403, 'This installation has been suspended');

export interface AccessTokenRequest {
  permissions?: Record<string, string>;
  repositories?: string[];
  repository_ids?: number[];
}

/** A new installation access token and what it may do. */
export interface CreatedAccessToken {
  token: string;
  expiresAt: string;
  permissions: RequiredPermissions;
  repositorySelection: 'all' | 'selected';
  /** The repositories a narrowed token is limited to (`repositories` of the answer). */
  repositoryIds: number[] | undefined;
}

/**
 * `POST /app/installations/{installation_id}/access_tokens`: a `ghs_` token for an hour, with the installation's
 * permissions or fewer, on its repositories or some of them (422 for more than granted or repositories it cannot reach).
 */
export async function createAccessToken(ctx: AppContext, caller: Caller, rawId: string, body: AccessTokenRequest): Promise<CreatedAccessToken> {
  const { installation } = await installationOfApp(ctx, caller, rawId);
  if (installation.suspended_at !== null) throw installationSuspended();
  const granted = permissionsOf(installation);
  const asked = body.permissions ?? {};
  const unknown = Object.entries(asked).filter(([name, level]) => !PERMISSION_LEVELS[name]?.includes(level)).map(([name]) => name);
  if (unknown.length) throw validationFailed(unknown.map((name) => fieldError('Installation', 'permissions', `${name} is not a valid permission`, name)));
  // GitHub: "The permissions requested are not granted to this installation."
  if (notCovered(asked, granted).length) throw new ApiError(422, 'The permissions requested are not granted to this installation.');
  const permissions = body.permissions ? (asked as RequiredPermissions) : granted;

  const narrowed = body.repositories !== undefined || body.repository_ids !== undefined;
  let repositoryIds: number[] | undefined;
  if (narrowed) {
    const byName = await repositoryIdsByName(ctx.db, installation.org_id, body.repositories ?? [], 'Installation', 'repositories');
    const ids = [...new Set([...byName, ...(body.repository_ids ?? [])])];
    const reachable = new Set(
      installation.repository_selection === 'selected' ? await installationRepositoryIds(ctx.db, installation.id) : await orgRepositoryIds(ctx.db, installation.org_id),
    );
    // GitHub answers one 422 for any repository the installation cannot reach.
    if (ids.some((id) => !reachable.has(id))) throw new ApiError(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
    repositoryIds = ids.sort((a, b) => a - b);
  }
  const token = `ghs_${base62(36)}`;
  const nowMs = ctx.clock.now().getTime();
  const now = isoSeconds(new Date(nowMs));
  const expiresAt = isoSeconds(new Date(nowMs + INSTALLATION_TOKEN_LIFETIME_MS));
  const repositorySelection = repositoryIds ? 'selected' : installation.repository_selection;
  await ctx.db.transaction().execute(async (trx) => {
    // Under the org's lock, which suspending takes too: no token is minted after a suspension swept the installation's.
    await lockAccount(trx, ctx.dialect, installation.org_id);
    const current = await findInstallation(trx, installation.id);
    if (!current) throw notFound();
    if (current.suspended_at !== null) throw installationSuspended();
    // Minting is when expired tokens are swept: each dies an hour after it was made, unused ever after.
    await pruneInstallationTokens(trx, now);
    await insertInstallationToken(trx, token, {
      installation_id: installation.id,
      expires_at: expiresAt,
      permissions: JSON.stringify(permissions),
      repository_selection: repositorySelection,
      repository_ids: repositoryIds ? JSON.stringify(repositoryIds) : null,
      created_at: now,
    });
  });
  return { token, expiresAt, permissions, repositorySelection, repositoryIds };
}

/** The ids of the repositories an installation token reaches, in id order, and whether it was given some only. */
export async function tokenRepositories(db: Kysely<Database>, caller: Caller): Promise<{ ids: number[]; selection: 'all' | 'selected' }> {
  const installation = caller.installation!;
  const row = await db.selectFrom('installation_tokens').select('repository_ids').where('id', '=', caller.tokenId).executeTakeFirst();
  if (row?.repository_ids) return { ids: JSON.parse(row.repository_ids) as number[], selection: 'selected' };
  if (installation.repositorySelection === 'selected') return { ids: await installationRepositoryIds(db, installation.id), selection: 'selected' };
  return { ids: await orgRepositoryIds(db, caller.resourceOwnerId!), selection: 'all' };
}

