import type { FastifyReply, FastifyRequest } from 'fastify';
import type { components } from '../generated/openapi.js';
import { forbidden } from '../http/errors.js';
import { orgOf, type Operation } from '../http/operation.js';
import { organizationSimple } from '../orgs/present.js';
import { simpleUser } from '../users/present.js';
import { createFineGrainedToken, FINE_GRAINED_TOKEN_RESOURCE, fineGrainedTokenBody, type FineGrainedTokenRequest } from './fine-grained-tokens.js';
import * as siteAdmin from './service.js';
import * as users from './users.js';
import type { TwoFactorState } from './users.js';

type Authorization = components['schemas']['authorization'];

const username = (request: FastifyRequest) => (request.params as { username: string }).username;

/** An operation of GHES's site-admin API: a `site_admin` token of a site administrator (403 for anyone else). */
export function siteAdminOperation(op: Omit<Operation, 'authenticated' | 'acceptedScopes'>): Operation {
  const handler = op.handler;
  return {
    ...op,
    authenticated: true,
    acceptedScopes: ['site_admin'],
    async handler(request: FastifyRequest, reply: FastifyReply) {
      if (!request.caller!.siteAdmin) throw forbidden('Must be a site administrator.');
      return handler(request, reply);
    },
  };
}

const createUser = siteAdminOperation({
  operationId: 'enterprise-admin/create-user',
  resource: 'User',
  async handler(request, reply) {
    const body = request.body as { login: string; email?: string; suspended?: boolean };
    const user = await siteAdmin.createUser(request.server.ctx, request.caller, body);
    reply.code(201);
    return simpleUser(request.urls, user);
  },
});

const createOrg = siteAdminOperation({
  operationId: 'enterprise-admin/create-org',
  resource: 'Organization',
  async handler(request, reply) {
    const body = request.body as { login: string; admin: string; profile_name?: string };
    const org = await siteAdmin.createOrganization(request.server.ctx, request.caller!, body);
    reply.code(201);
    return organizationSimple(request.urls, org);
  },
});

/** GHES renames in a background job and answers 202 at once; orghub has renamed by the time it answers. */
const updateOrgName = siteAdminOperation({
  operationId: 'enterprise-admin/update-org-name',
  resource: 'Organization',
  async handler(request, reply) {
    const { login } = request.body as { login: string };
    const org = await siteAdmin.renameOrganization(request.server.ctx, request.caller!, orgOf(request).org, login);
    reply.code(202);
    return { message: 'Job queued to rename organization. It may take a few minutes to complete.', url: `${request.urls.api}/organizations/${org.id}` };
  },
});

const createImpersonationOAuthToken = siteAdminOperation({
  operationId: 'enterprise-admin/create-impersonation-o-auth-token',
  resource: 'OauthAccess',
  async handler(request, reply) {
    const { scopes } = request.body as { scopes: string[] };
    const created = await siteAdmin.createImpersonationToken(request.server.ctx, request.caller, username(request), scopes);
    const urls = request.urls;
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
  },
});

const deleteImpersonationOAuthToken = siteAdminOperation({
  operationId: 'enterprise-admin/delete-impersonation-o-auth-token',
  async handler(request, reply) {
    await siteAdmin.deleteImpersonationTokens(request.server.ctx, request.caller!, username(request));
    return reply.code(204).send();
  },
});

/** GHES renames in a background job and answers 202 at once; orghub has renamed by the time it answers. */
const updateUsernameForUser = siteAdminOperation({
  operationId: 'enterprise-admin/update-username-for-user',
  resource: 'User',
  async handler(request, reply) {
    const { login } = request.body as { login: string };
    const user = await users.renameUser(request.server.ctx, request.caller!, username(request), login);
    reply.code(202);
    return { message: 'Job queued to rename user. It may take a few minutes to complete.', url: `${request.urls.api}/user/${user.id}` };
  },
});

const deleteUser = siteAdminOperation({
  operationId: 'enterprise-admin/delete-user',
  async handler(request, reply) {
    await users.deleteUser(request.server.ctx, request.caller!, username(request));
    return reply.code(204).send();
  },
});

/** `PUT` suspends, `DELETE` unsuspends; both take an optional `reason` for the audit log. */
function suspension(operationId: string, suspended: boolean): Operation {
  return siteAdminOperation({
    operationId,
    resource: 'User',
    async handler(request, reply) {
      const { reason } = (request.body ?? {}) as { reason?: string };
      await users.setSuspended(request.server.ctx, request.caller!, username(request), suspended, reason);
      return reply.code(204).send();
    },
  });
}

/** `PUT` promotes to site administrator, `DELETE` demotes. */
function siteAdministration(operationId: string, siteAdmin: boolean): Operation {
  return siteAdminOperation({
    operationId,
    async handler(request, reply) {
      await users.setSiteAdmin(request.server.ctx, request.caller!, username(request), siteAdmin);
      return reply.code(204).send();
    },
  });
}

/**
 * orghub extension, not in GitHub's description: `PUT /admin/users/{username}/two_factor` with
 * `{ state: 'enabled'|'disabled'|'insecure' }` (a path GHES does not use); 204.
 */
const setTwoFactorState = siteAdminOperation({
  operationId: 'orghub/set-two-factor-state',
  method: 'PUT',
  path: '/admin/users/{username}/two_factor',
  resource: 'User',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['state'],
    properties: { state: { type: 'string', enum: ['enabled', 'disabled', 'insecure'] } },
  },
  async handler(request, reply) {
    const { state } = request.body as { state: TwoFactorState };
    await users.setTwoFactor(request.server.ctx, request.caller!, username(request), state);
    return reply.code(204).send();
  },
});

/**
 * orghub extension: `POST /admin/users/{username}/fine-grained-tokens` `{resource_owner, permissions, expires_at}`
 * makes a fine-grained personal access token (GitHub makes them only in its web UI); 201 shows the token once.
 */
const createFineGrainedTokenOperation = siteAdminOperation({
  operationId: 'orghub/create-fine-grained-token',
  method: 'POST',
  path: '/admin/users/{username}/fine-grained-tokens',
  resource: FINE_GRAINED_TOKEN_RESOURCE,
  body: fineGrainedTokenBody,
  async handler(request, reply) {
    const created = await createFineGrainedToken(request.server.ctx, request.caller!, username(request), request.body as FineGrainedTokenRequest);
    reply.code(201);
    return {
      id: created.id,
      token: created.token,
      token_last_eight: created.token.slice(-8),
      user: simpleUser(request.urls, created.user),
      resource_owner: simpleUser(request.urls, created.resourceOwner),
      permissions: created.permissions,
      expires_at: created.expiresAt,
      created_at: created.createdAt,
    };
  },
});

export const adminOperations: Operation[] = [
  createUser,
  createOrg,
  updateOrgName,
  createImpersonationOAuthToken,
  deleteImpersonationOAuthToken,
  updateUsernameForUser,
  deleteUser,
  suspension('enterprise-admin/suspend-user', true),
  suspension('enterprise-admin/unsuspend-user', false),
  siteAdministration('enterprise-admin/promote-user-to-be-site-administrator', true),
  siteAdministration('enterprise-admin/demote-site-administrator', false),
  setTwoFactorState,
  createFineGrainedTokenOperation,
];
