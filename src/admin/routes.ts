import type { FastifyReply, FastifyRequest } from 'fastify';
import type { components } from '../generated/openapi.js';
import { forbidden } from '../http/errors.js';
import { orgOf, type Operation } from '../http/operation.js';
import { organizationSimple } from '../orgs/present.js';
import { simpleUser } from '../users/present.js';
import * as siteAdmin from './service.js';
import type { TwoFactorState } from './service.js';

type Authorization = components['schemas']['authorization'];

/** GHES's site-admin API: only site administrators (403 for anyone else). */
function siteAdminOnly(handler: Operation['handler']): Operation['handler'] {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.caller!.siteAdmin) throw forbidden('Must be a site administrator.');
    return handler(request, reply);
  };
}

const createUser: Operation = {
  operationId: 'enterprise-admin/create-user',
  authenticated: true,
  acceptedScopes: ['site_admin'],
  resource: 'User',
  handler: siteAdminOnly(async (request, reply) => {
    const body = request.body as { login: string; email?: string; suspended?: boolean };
    const user = await siteAdmin.createUser(request.server.ctx, request.caller, body);
    reply.code(201);
    return simpleUser(request.server.urls, user);
  }),
};

const createOrg: Operation = {
  operationId: 'enterprise-admin/create-org',
  authenticated: true,
  acceptedScopes: ['site_admin'],
  resource: 'Organization',
  handler: siteAdminOnly(async (request, reply) => {
    const body = request.body as { login: string; admin: string; profile_name?: string };
    const org = await siteAdmin.createOrganization(request.server.ctx, request.caller!, body);
    reply.code(201);
    return organizationSimple(request.server.urls, org);
  }),
};

/** GHES renames in a background job and answers 202 at once; orghub has renamed by the time it answers. */
const updateOrgName: Operation = {
  operationId: 'enterprise-admin/update-org-name',
  authenticated: true,
  acceptedScopes: ['site_admin'],
  resource: 'Organization',
  handler: siteAdminOnly(async (request, reply) => {
    const { login } = request.body as { login: string };
    const org = await siteAdmin.renameOrganization(request.server.ctx, request.caller!, orgOf(request).org, login);
    reply.code(202);
    return { message: 'Job queued to rename organization. It may take a few minutes to complete.', url: `${request.server.urls.api}/organizations/${org.id}` };
  }),
};

const createImpersonationOAuthToken: Operation = {
  operationId: 'enterprise-admin/create-impersonation-o-auth-token',
  authenticated: true,
  acceptedScopes: ['site_admin'],
  resource: 'OauthAccess',
  handler: siteAdminOnly(async (request, reply) => {
    const { username } = request.params as { username: string };
    const { scopes } = request.body as { scopes: string[] };
    const created = await siteAdmin.createImpersonationToken(request.server.ctx, request.caller, username, scopes);
    const urls = request.server.urls;
    const body: Authorization = {
      id: created.id,
      url: `${urls.api}/authorizations/${created.id}`,
      app: { name: 'GitHub Site Administrator', url: `${urls.html}/site_admin`, client_id: 'orghub-site-admin' },
      token: created.token,
      hashed_token: null,
      token_last_eight: created.token.slice(-8),
      note: null,
      note_url: null,
      created_at: created.createdAt,
      updated_at: created.createdAt,
      scopes: created.scopes,
      fingerprint: null,
      user: simpleUser(urls, created.user),
      expires_at: null,
    };
    reply.code(201);
    return body;
  }),
};

const deleteImpersonationOAuthToken: Operation = {
  operationId: 'enterprise-admin/delete-impersonation-o-auth-token',
  authenticated: true,
  acceptedScopes: ['site_admin'],
  handler: siteAdminOnly(async (request, reply) => {
    await siteAdmin.deleteImpersonationTokens(request.server.ctx, request.caller!, (request.params as { username: string }).username);
    return reply.code(204).send();
  }),
};

/**
 * orghub extension, not in GitHub's description: `PATCH /admin/users/{username}` with
 * `{ two_factor?: 'enabled'|'disabled'|'insecure', suspended?: boolean }`; 200 with the simple-user.
 */
const updateUserState: Operation = {
  operationId: 'orghub/update-user-state',
  method: 'PATCH',
  path: '/admin/users/{username}',
  authenticated: true,
  acceptedScopes: ['site_admin'],
  resource: 'User',
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      two_factor: { type: 'string', enum: ['enabled', 'disabled', 'insecure'] },
      suspended: { type: 'boolean' },
    },
  },
  handler: siteAdminOnly(async (request) => {
    const { username } = request.params as { username: string };
    const body = (request.body ?? {}) as { two_factor?: TwoFactorState; suspended?: boolean };
    const user = await siteAdmin.updateUserState(request.server.ctx, request.caller!, username, body);
    return simpleUser(request.server.urls, user);
  }),
};

export const adminOperations: Operation[] = [
  updateUserState,
  createUser,
  createOrg,
  updateOrgName,
  createImpersonationOAuthToken,
  deleteImpersonationOAuthToken,
];
