import type { FastifyRequest } from 'fastify';
import { orgOf, type Operation, type RequiredPermissions } from '../http/operation.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import { organizationRole } from './present.js';
import { PREDEFINED_ROLES } from './roles.js';
import {
  assignRoleToTeam,
  assignRoleToUser,
  revokeRolesOfTeam,
  revokeRolesOfUser,
  roleNamed,
  teamsAssigned,
  usersAssigned,
} from './service.js';

// Every organization-roles operation is for org owners, with `admin:org` on classic tokens (GitHub's docs).
const OWNERS: Pick<Operation, 'authenticated' | 'acceptedScopes' | 'enforceScopes' | 'orgRole'> = {
  authenticated: true,
  acceptedScopes: ['admin:org'],
  enforceScopes: true,
  orgRole: 'owner',
};
// Fine-grained boxes: "Custom organization roles" (read) to see roles; "Members" to see and change who holds them.
const READ_ROLES: RequiredPermissions = { organization_custom_org_roles: 'read' };
const READ_HOLDERS: RequiredPermissions = { members: 'read' };
const WRITE_HOLDERS: RequiredPermissions = { members: 'write' };

const params = (request: FastifyRequest) => request.params as { role_id: string; username: string; team_slug: string };

const listOrgRoles: Operation = {
  operationId: 'orgs/list-org-roles',
  ...OWNERS,
  permissions: READ_ROLES,
  async handler() {
    return { total_count: PREDEFINED_ROLES.length, roles: PREDEFINED_ROLES.map(organizationRole) };
  },
};

const getOrgRole: Operation = {
  operationId: 'orgs/get-org-role',
  ...OWNERS,
  permissions: READ_ROLES,
  async handler(request) {
    return organizationRole(roleNamed(params(request).role_id));
  },
};

const assignUserToOrgRole: Operation = {
  operationId: 'orgs/assign-user-to-org-role',
  ...OWNERS,
  permissions: WRITE_HOLDERS,
  async handler(request, reply) {
    const { username, role_id: roleId } = params(request);
    await assignRoleToUser(request.server.ctx, orgOf(request).org, request.caller!, username, roleId);
    reply.code(204);
  },
};

const revokeOrgRoleUser: Operation = {
  operationId: 'orgs/revoke-org-role-user',
  ...OWNERS,
  permissions: WRITE_HOLDERS,
  async handler(request, reply) {
    const { username, role_id: roleId } = params(request);
    await revokeRolesOfUser(request.server.ctx, orgOf(request).org, request.caller!, username, roleId);
    reply.code(204);
  },
};

const revokeAllOrgRolesUser: Operation = {
  operationId: 'orgs/revoke-all-org-roles-user',
  ...OWNERS,
  permissions: WRITE_HOLDERS,
  async handler(request, reply) {
    await revokeRolesOfUser(request.server.ctx, orgOf(request).org, request.caller!, params(request).username);
    reply.code(204);
  },
};

const assignTeamToOrgRole: Operation = {
  operationId: 'orgs/assign-team-to-org-role',
  ...OWNERS,
  permissions: WRITE_HOLDERS,
  async handler(request, reply) {
    const { team_slug: slug, role_id: roleId } = params(request);
    await assignRoleToTeam(request.server.ctx, orgOf(request).org, request.caller!, slug, roleId);
    reply.code(204);
  },
};

const revokeOrgRoleTeam: Operation = {
  operationId: 'orgs/revoke-org-role-team',
  ...OWNERS,
  permissions: WRITE_HOLDERS,
  async handler(request, reply) {
    const { team_slug: slug, role_id: roleId } = params(request);
    await revokeRolesOfTeam(request.server.ctx, orgOf(request).org, request.caller!, slug, roleId);
    reply.code(204);
  },
};

const revokeAllOrgRolesTeam: Operation = {
  operationId: 'orgs/revoke-all-org-roles-team',
  ...OWNERS,
  permissions: WRITE_HOLDERS,
  async handler(request, reply) {
    await revokeRolesOfTeam(request.server.ctx, orgOf(request).org, request.caller!, params(request).team_slug);
    reply.code(204);
  },
};

const listOrgRoleTeams: Operation = {
  operationId: 'orgs/list-org-role-teams',
  ...OWNERS,
  permissions: READ_HOLDERS,
  async handler(request, reply) {
    const page = readPage(request.query as Record<string, unknown>);
    const { items, hasNext } = await teamsAssigned(request.server.ctx, request.urls, orgOf(request).org, params(request).role_id, page);
    setPageLinks(request, reply, page, { hasNext });
    return items;
  },
};

const listOrgRoleUsers: Operation = {
  operationId: 'orgs/list-org-role-users',
  ...OWNERS,
  permissions: READ_HOLDERS,
  async handler(request, reply) {
    const page = readPage(request.query as Record<string, unknown>);
    const { items, hasNext } = await usersAssigned(request.server.ctx, request.urls, orgOf(request).org, params(request).role_id, page);
    setPageLinks(request, reply, page, { hasNext });
    return items;
  },
};

export const organizationRoleOperations: Operation[] = [
  listOrgRoles,
  getOrgRole,
  assignUserToOrgRole,
  revokeOrgRoleUser,
  revokeAllOrgRolesUser,
  assignTeamToOrgRole,
  revokeOrgRoleTeam,
  revokeAllOrgRolesTeam,
  listOrgRoleTeams,
  listOrgRoleUsers,
];
