import type { FastifyRequest } from 'fastify';
import { findAccountById, type Account } from '../accounts/store.js';
import { siteAdminOperation } from '../admin/routes.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { components } from '../generated/openapi.js';
import { ApiError, notFound } from '../http/errors.js';
import { orgOf, type Operation } from '../http/operation.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import type { Urls } from '../http/urls.js';
import { fullRepository } from '../repositories/present.js';
import { findRepositoriesByIds, repositorySettings, type RepositoryRow } from '../repositories/store.js';
import { installation, integration, manifestConversion } from './present.js';
import {
  appById,
  createAccessToken,
  installApp,
  installationOfApp,
  registerApp,
  setSuspended,
  tokenRepositories,
  uninstall,
  viewOf,
  type AccessTokenRequest,
  type AppManifest,
  type InstallationView,
  type InstallRequest,
} from './service.js';
import { countInstallationsOfApp, countInstallationsOnOrg, findInstallationOfApp, listInstallationsOfApp, listInstallationsOnOrg } from './store.js';
import { PERMISSION_LEVELS } from './permissions.js';

type Schemas = components['schemas'];

const presented = (urls: Urls, view: InstallationView) => installation(urls, view.installation, view.app, view);
const installationId = (request: FastifyRequest) => (request.params as { installation_id: string }).installation_id;

const urlString = { type: 'string', maxLength: 2048 };
const permissionsBody = {
  type: 'object',
  additionalProperties: { type: 'string' },
  maxProperties: Object.keys(PERMISSION_LEVELS).length,
};

/** orghub extension: `POST /admin/apps` with a GitHub App manifest and `owner`; 201 with what GitHub's manifest conversion answers. */
const createApp = siteAdminOperation({
  operationId: 'orghub/create-app',
  method: 'POST',
  path: '/admin/apps',
  resource: 'Integration',
  body: {
    type: 'object',
    required: ['owner', 'name', 'url'],
    // A manifest's other fields (callback_urls, setup_url, request_oauth_on_install …) are OAuth and install-flow settings orghub has no use for.
    properties: {
      owner: { type: 'string', maxLength: 100 },
      name: { type: 'string', minLength: 1, maxLength: 34 },
      url: urlString,
      description: { type: ['string', 'null'], maxLength: 1024 },
      hook_attributes: {
        type: 'object',
        required: ['url'],
        properties: { url: urlString, active: { type: 'boolean' } },
      },
      redirect_url: urlString,
      public: { type: 'boolean' },
      default_permissions: permissionsBody,
      default_events: { type: 'array', items: { type: 'string', maxLength: 100 } },
    },
  },
  async handler(request, reply) {
    const registered = await registerApp(request.server.ctx, request.caller!, request.body as AppManifest);
    reply.code(201);
    return manifestConversion(request.urls, registered.app, registered.owner, registered);
  },
});

/** orghub extension: `POST /admin/apps/{app_slug}/installations` `{org, repository_selection, repositories}`; 201 with the installation. */
const installAppOnOrg = siteAdminOperation({
  operationId: 'orghub/create-installation',
  method: 'POST',
  path: '/admin/apps/{app_slug}/installations',
  resource: 'Installation',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['org'],
    properties: {
      org: { type: 'string', maxLength: 100 },
      repository_selection: { type: 'string', enum: ['all', 'selected'] },
      repositories: { type: 'array', items: { type: 'string', maxLength: 100 } },
    },
  },
  async handler(request, reply) {
    const { app_slug } = request.params as { app_slug: string };
    const view = await installApp(request.server.ctx, request.caller!, app_slug, request.body as InstallRequest);
    reply.code(201);
    return presented(request.urls, view);
  },
});

/** orghub extension: `DELETE /admin/installations/{installation_id}` uninstalls; 204. */
const deleteInstallation = siteAdminOperation({
  operationId: 'orghub/delete-installation',
  method: 'DELETE',
  path: '/admin/installations/{installation_id}',
  async handler(request, reply) {
    await uninstall(request.server.ctx, request.caller!, installationId(request));
    return reply.code(204).send();
  },
});

/** orghub extension: `PUT` suspends, `DELETE` unsuspends `/admin/installations/{installation_id}/suspended`; 204. */
function suspension(suspended: boolean): Operation {
  return siteAdminOperation({
    operationId: suspended ? 'orghub/suspend-installation' : 'orghub/unsuspend-installation',
    method: suspended ? 'PUT' : 'DELETE',
    path: '/admin/installations/{installation_id}/suspended',
    async handler(request, reply) {
      await setSuspended(request.server.ctx, request.caller!, installationId(request), suspended);
      return reply.code(204).send();
    },
  });
}

/**
 * `GET /orgs/{org}/installations`: org owners. The docs name an `admin:read` scope for classic tokens, which does not
 * exist; `read:org` (or a scope implying it) is what is taken.
 */
const listOrgInstallations: Operation = {
  operationId: 'orgs/list-app-installations',
  authenticated: true,
  acceptedScopes: ['admin:org', 'write:org', 'read:org'],
  enforceScopes: true,
  permissions: { organization_administration: 'read' },
  orgRole: 'owner',
  async handler(request, reply) {
    const { db } = request.server.ctx;
    const org = orgOf(request).org;
    const page = readPage(request.query as Record<string, unknown>);
    const [rows, total] = await Promise.all([listInstallationsOnOrg(db, org.id, { offset: page.offset, limit: page.perPage }), countInstallationsOnOrg(db, org.id)]);
    setPageLinks(request, reply, page, total);
    const installations = [];
    for (const row of rows) installations.push(presented(request.urls, await viewOf(db, row)));
    return { total_count: total, installations };
  },
};

const appOfCaller = (ctx: AppContext, request: FastifyRequest) => appById(ctx.db, request.caller!.app!.id);

/** `GET /app`: the app of the JWT, with how many installations it has. */
const getAuthenticatedApp: Operation = {
  operationId: 'apps/get-authenticated',
  appJwt: 'only',
  permissions: {},
  async handler(request) {
    const { ctx } = request.server;
    const app = await appOfCaller(ctx, request);
    const owner = await findAccountById(ctx.db, app.owner_id);
    if (!owner) throw notFound();
    return integration(request.urls, app, owner, await countInstallationsOfApp(ctx.db, app.id));
  },
};

/**
 * `GET /app/installations`: the JWT's app's installations, page by page; `since` keeps those updated at or after it.
 * `outdated` filters nothing: an app's permissions never change after registration here, so no installation lags them.
 */
const listAppInstallations: Operation = {
  operationId: 'apps/list-installations',
  appJwt: 'only',
  permissions: {},
  async handler(request, reply) {
    const { db } = request.server.ctx;
    const query = request.query as Record<string, unknown> & { since?: string };
    const page = readPage(query);
    const app = await appOfCaller(request.server.ctx, request);
    const since = query.since === undefined ? undefined : new Date(query.since);
    if (since && Number.isNaN(since.getTime())) throw new ApiError(422, 'since must be an ISO 8601 timestamp');
    const rows = await listInstallationsOfApp(db, app.id, { offset: page.offset, limit: page.perPage + 1, sinceUpdated: since && isoSeconds(since) });
    setPageLinks(request, reply, page, { hasNext: rows.length > page.perPage });
    const installations = [];
    for (const row of rows.slice(0, page.perPage)) installations.push(presented(request.urls, await viewOf(db, row, app)));
    return installations;
  },
};

/** `GET /app/installations/{installation_id}`: one of the JWT's app's installations (404 for another app's). */
const getAppInstallation: Operation = {
  operationId: 'apps/get-installation',
  appJwt: 'only',
  permissions: {},
  async handler(request) {
    return presented(request.urls, await installationOfApp(request.server.ctx, request.caller!, installationId(request)));
  },
};

/** `GET /orgs/{org}/installation`: the JWT's app's installation on the org, 404 when it has none. */
const getOrgInstallation: Operation = {
  operationId: 'apps/get-org-installation',
  appJwt: 'only',
  permissions: {},
  async handler(request) {
    const { db } = request.server.ctx;
    const found = await findInstallationOfApp(db, request.caller!.app!.id, orgOf(request).org.id);
    if (!found) throw notFound();
    return presented(request.urls, await viewOf(db, found));
  },
};

/** `POST /app/installations/{installation_id}/access_tokens`: 201 with a `ghs_` token for an hour. */
const createInstallationAccessToken: Operation = {
  operationId: 'apps/create-installation-access-token',
  appJwt: 'only',
  permissions: {},
  resource: 'Installation',
  async handler(request, reply) {
    const { ctx } = request.server;
    const created = await createAccessToken(ctx, request.caller!, installationId(request), (request.body ?? {}) as AccessTokenRequest);
    const body: Schemas['installation-token'] = {
      token: created.token,
      expires_at: created.expiresAt,
      permissions: created.permissions as Schemas['app-permissions'],
      repository_selection: created.repositorySelection,
    };
    if (created.repositoryIds) body.repositories = await repositoriesShown(ctx, request.urls, created.repositoryIds);
    reply.code(201);
    return body;
  },
};

/** `repository`, the older form of `full-repository` installation tokens show: it requires fields the newer leaves optional. */
function repository(urls: Urls, owner: Account, repo: RepositoryRow): Schemas['repository'] {
  const settings = repositorySettings(repo);
  return {
    ...fullRepository(urls, owner, repo),
    is_template: repo.is_template === 1,
    visibility: repo.visibility,
    has_downloads: settings.has_downloads,
    // orghub hosts no pull requests, and so has no setting for them: GitHub's default.
    has_pull_requests: true,
    allow_rebase_merge: settings.allow_rebase_merge,
    allow_squash_merge: settings.allow_squash_merge,
    allow_auto_merge: settings.allow_auto_merge,
    delete_branch_on_merge: settings.delete_branch_on_merge,
    allow_update_branch: false,
    use_squash_pr_title_as_default: settings.use_squash_pr_title_as_default,
    allow_merge_commit: settings.allow_merge_commit,
    web_commit_signoff_required: false,
    // Never null in `repository`: left out, as there is no clone token.
    temp_clone_token: undefined,
  };
}

/** Repositories by id, as `repository` objects, in id order. */
async function repositoriesShown(ctx: AppContext, urls: Urls, ids: number[]): Promise<Schemas['repository'][]> {
  const rows = await findRepositoriesByIds(ctx.db, ids);
  const owners = new Map<number, Awaited<ReturnType<typeof findAccountById>>>();
  const shown: Schemas['repository'][] = [];
  for (const repo of rows.sort((a, b) => a.id - b.id)) {
    if (!owners.has(repo.org_id)) owners.set(repo.org_id, await findAccountById(ctx.db, repo.org_id));
    const owner = owners.get(repo.org_id);
    if (owner) shown.push(repository(urls, owner, repo));
  }
  return shown;
}

/** `GET /installation/repositories`: what the installation token reaches (GitHub's 403 for any other credential). */
const listInstallationRepositories: Operation = {
  operationId: 'apps/list-repos-accessible-to-installation',
  authenticated: true,
  permissions: {},
  async handler(request, reply) {
    const { ctx } = request.server;
    const caller = request.caller!;
    if (caller.kind !== 'installation') {
      throw new ApiError(403, 'You must authenticate with an installation access token in order to list repositories for an installation.');
    }
    const page = readPage(request.query as Record<string, unknown>);
    const { ids, selection } = await tokenRepositories(ctx.db, caller);
    setPageLinks(request, reply, page, ids.length);
    return {
      total_count: ids.length,
      repositories: await repositoriesShown(ctx, request.urls, ids.slice(page.offset, page.offset + page.perPage)),
      repository_selection: selection,
    };
  },
};

export const appOperations: Operation[] = [
  createApp,
  installAppOnOrg,
  deleteInstallation,
  suspension(true),
  suspension(false),
  listOrgInstallations,
  getAuthenticatedApp,
  listAppInstallations,
  getAppInstallation,
  getOrgInstallation,
  createInstallationAccessToken,
  listInstallationRepositories,
];
