import type { FastifyRequest } from 'fastify';
import { orgOf, type Operation } from '../http/operation.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import {
  createTeam,
  deleteTeam,
  presentTeamFull,
  presentTeams,
  requireTeamViewer,
  updateTeam,
  visibleTeam,
  type TeamRequest,
  type TeamUpdate,
} from './service.js';
import { getTeamMembership, removeTeamMembership, setTeamMembership } from './membership.js';
import { teamMember } from './present.js';
import { listTeamMembers, listVisibleTeams, type TeamRole } from './store.js';

const READ = ['admin:org', 'read:org', 'write:org'];
const WRITE = ['admin:org', 'write:org'];
const params = (request: FastifyRequest) => request.params as { team_slug: string; username: string };

/** `teams/list`: GET /orgs/{org}/teams; 403 for anyone not a member of the org. */
const list: Operation = {
  operationId: 'teams/list',
  permissions: { members: 'read' },
  authenticated: true,
  acceptedScopes: READ,
  enforceScopes: true,
  async handler(request, reply) {
    const access = orgOf(request);
    const viewer = requireTeamViewer(access);
    const page = readPage(request.query as Record<string, unknown>);
    // Every team here belongs to the organization; enterprise teams do not exist in orghub.
    const { team_type: type = 'all' } = request.query as { team_type?: string };
    const { rows, total } =
      type === 'enterprise'
        ? { rows: [], total: 0 }
        : await listVisibleTeams(request.server.ctx.db, access.org.id, viewer, { offset: page.offset, limit: page.perPage });
    setPageLinks(request, reply, page, total);
    return presentTeams(request.server.ctx.db, request.urls, access.org.login, rows);
  },
};

/** `teams/create`: POST /orgs/{org}/teams. */
const create: Operation = {
  operationId: 'teams/create',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  resource: 'Team',
  async handler(request, reply) {
    const access = orgOf(request);
    const row = await createTeam(request.server.ctx, access, request.body as TeamRequest);
    reply.code(201);
    return presentTeamFull(request.server.ctx.db, request.urls, access.org, row, request.apiVersion);
  },
};

/** `teams/get-by-name`: GET /orgs/{org}/teams/{team_slug} (`team-full`). */
const getByName: Operation = {
  operationId: 'teams/get-by-name',
  permissions: { members: 'read' },
  authenticated: true,
  acceptedScopes: READ,
  enforceScopes: true,
  async handler(request) {
    const access = orgOf(request);
    const row = await visibleTeam(request.server.ctx, access, params(request).team_slug);
    return presentTeamFull(request.server.ctx.db, request.urls, access.org, row, request.apiVersion);
  },
};

/** `teams/update-in-org`: PATCH /orgs/{org}/teams/{team_slug}; 200 with the team as it is now, changed or not. */
const updateInOrg: Operation = {
  operationId: 'teams/update-in-org',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  resource: 'Team',
  async handler(request) {
    const access = orgOf(request);
    const row = await updateTeam(request.server.ctx, access, params(request).team_slug, request.body as TeamUpdate);
    return presentTeamFull(request.server.ctx.db, request.urls, access.org, row, request.apiVersion);
  },
};

/** `teams/delete-in-org`: DELETE /orgs/{org}/teams/{team_slug}, with its child teams; 204. */
const deleteInOrg: Operation = {
  operationId: 'teams/delete-in-org',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  async handler(request, reply) {
    await deleteTeam(request.server.ctx, orgOf(request), params(request).team_slug);
    reply.code(204);
  },
};

/** `teams/list-members-in-org`: GET …/members, members of its child teams included (`inherited`); `role` filters. */
const listMembersInOrg: Operation = {
  operationId: 'teams/list-members-in-org',
  permissions: { members: 'read' },
  authenticated: true,
  acceptedScopes: READ,
  enforceScopes: true,
  async handler(request, reply) {
    const { ctx } = request.server;
    const row = await visibleTeam(ctx, orgOf(request), params(request).team_slug);
    const { role = 'all' } = request.query as { role?: 'all' | 'member' | 'maintainer' };
    const page = readPage(request.query as Record<string, unknown>);
    // One row past the page tells whether a next one exists, without counting the team's members.
    const rows = await listTeamMembers(ctx.db, row, role, { offset: page.offset, limit: page.perPage + 1 });
    setPageLinks(request, reply, page, { hasNext: rows.length > page.perPage });
    return rows.slice(0, page.perPage).map((entry) => teamMember(request.urls, entry));
  },
};

/** `teams/get-membership-for-user-in-org`: GET …/memberships/{username} (`team-membership`). */
const getMembershipForUserInOrg: Operation = {
  operationId: 'teams/get-membership-for-user-in-org',
  permissions: { members: 'read' },
  authenticated: true,
  acceptedScopes: READ,
  enforceScopes: true,
  async handler(request) {
    const { team_slug: slug, username } = params(request);
    return getTeamMembership(request.server.ctx, { access: orgOf(request), urls: request.urls, slug, username });
  },
};

/** `teams/add-or-update-membership-for-user-in-org`: PUT …/memberships/{username} (`role` member|maintainer). */
const addOrUpdateMembershipForUserInOrg: Operation = {
  operationId: 'teams/add-or-update-membership-for-user-in-org',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  resource: 'TeamMember',
  async handler(request) {
    const { team_slug: slug, username } = params(request);
    const { role = 'member' } = (request.body ?? {}) as { role?: TeamRole };
    return setTeamMembership(request.server.ctx, { access: orgOf(request), urls: request.urls, requestId: request.id, slug, username, role });
  },
};

/** `teams/remove-membership-for-user-in-org`: DELETE …/memberships/{username}. */
const removeMembershipForUserInOrg: Operation = {
  operationId: 'teams/remove-membership-for-user-in-org',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  async handler(request, reply) {
    const { team_slug: slug, username } = params(request);
    await removeTeamMembership(request.server.ctx, { access: orgOf(request), slug, username });
    reply.code(204);
  },
};

export const teamOperations: Operation[] = [
  list,
  create,
  getByName,
  updateInOrg,
  deleteInOrg,
  listMembersInOrg,
  getMembershipForUserInOrg,
  addOrUpdateMembershipForUserInOrg,
  removeMembershipForUserInOrg,
];
