import { notFound } from '../http/errors.js';
import { orgOf, type Operation } from '../http/operation.js';
import { customRepositoryRole } from './present.js';
import { createCustomRole, customRolesOf, type CustomRoleRequest } from './service.js';

/** `orgs/list-custom-roles`: GET /organizations/{organization_id}/custom_roles, closed down in API version 2026-03-10. */
const listCustomRoles: Operation = {
  operationId: 'orgs/list-custom-roles',
  permissions: { organization_custom_roles: 'read' },
  authenticated: true,
  acceptedScopes: ['admin:org', 'repo'],
  enforceScopes: true,
  async handler(request) {
    // x-github-breaking-changes: under 2026-03-10 this operation answers 404 (use custom-repository-roles instead).
    if (request.apiVersion === '2026-03-10') throw notFound();
    const { organization_id: organizationId } = request.params as { organization_id: string };
    const { org, roles } = await customRolesOf(request.server.ctx, organizationId, request.caller!);
    return { total_count: roles.length, custom_roles: roles.map((row) => customRepositoryRole(request.urls, org, row)) };
  },
};

/** `orgs/create-custom-repo-role`: POST /orgs/{org}/custom-repository-roles (GitHub's, not in the shared description). */
const createCustomRepoRole: Operation = {
  operationId: 'orgs/create-custom-repo-role',
  permissions: { organization_custom_roles: 'write' },
  method: 'POST',
  path: '/orgs/{org}/custom-repository-roles',
  body: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      description: { type: ['string', 'null'] },
      base_role: { type: 'string', enum: ['read', 'triage', 'write', 'maintain'] },
      permissions: { type: 'array', items: { type: 'string' } },
    },
    required: ['name', 'base_role', 'permissions'],
  },
  authenticated: true,
  acceptedScopes: ['admin:org'],
  enforceScopes: true,
  orgRole: 'owner',
  resource: 'OrganizationCustomRepositoryRole',
  async handler(request, reply) {
    const { org } = orgOf(request);
    const row = await createCustomRole(request.server.ctx, org, request.caller!, request.body as CustomRoleRequest);
    reply.code(201);
    return customRepositoryRole(request.urls, org, row);
  },
};

export const customRoleOperations: Operation[] = [listCustomRoles, createCustomRepoRole];
