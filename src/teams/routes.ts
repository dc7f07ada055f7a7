import type { FastifyRequest } from 'fastify';
import { orgOf, type Operation } from '../http/operation.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import {
  createTeam,
  presentTeamFull,
  presentTeams,
  requireTeamViewer,
  visibleTeam,
  type TeamRequest,
} from './service.js';
import { removeTeamMembership, setTeamMembership } from './membership.js';
import { listVisibleTeams, type TeamRole } from './store.js';

const READ = ['admin:org', 'read:org', 'write:org'];
const WRITE = ['admin:org', 'write:org'];
const params = (request: FastifyRequest) => request.params as { team_slug: string; username: string };

/** `teams/list`: GET /orgs/{org}/teams; 403 for anyone not a member of the org. */
const list: Operation = {
  operationId: 'teams/list',
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
    return presentTeams(request.server.ctx.db, request.server.urls, access.org.login, rows);
  },
};

/** `teams/create`: POST /orgs/{org}/teams. */
const create: Operation = {
  operationId: 'teams/create',
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  resource: 'Team',
  async handler(request, reply) {
    const access = orgOf(request);
    const row = await createTeam(request.server.ctx, access, request.body as TeamRequest);
    reply.code(201);
    return presentTeamFull(request.server.ctx.db, request.server.urls, access.org, row, request.apiVersion);
  },
};

/** `teams/get-by-name`: GET /orgs/{org}/teams/{team_slug} (not in the shared description; answers `team-full`). */
const getByName: Operation = {
  operationId: 'teams/get-by-name',
  method: 'GET',
  path: '/orgs/{org}/teams/{team_slug}',
  authenticated: true,
  acceptedScopes: READ,
  enforceScopes: true,
  async handler(request) {
    const access = orgOf(request);
    const row = await visibleTeam(request.server.ctx, access, params(request).team_slug);
    return presentTeamFull(request.server.ctx.db, request.server.urls, access.org, row, request.apiVersion);
  },
};

const teamMembershipPath = '/orgs/{org}/teams/{team_slug}/memberships/{username}';

/** `teams/add-or-update-membership-for-user-in-org`: PUT …/memberships/{username} (`role` member|maintainer). */
const addOrUpdateMembershipForUserInOrg: Operation = {
  operationId: 'teams/add-or-update-membership-for-user-in-org',
  method: 'PUT',
  path: teamMembershipPath,
  body: {
    type: 'object',
    properties: { role: { type: 'string', enum: ['member', 'maintainer'] } },
  },
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  resource: 'TeamMember',
  async handler(request) {
    const { team_slug: slug, username } = params(request);
    const { role = 'member' } = (request.body ?? {}) as { role?: TeamRole };
    return setTeamMembership(request.server.ctx, { access: orgOf(request), requestId: request.id, slug, username, role });
  },
};

/** `teams/remove-membership-for-user-in-org`: DELETE …/memberships/{username}. */
const removeMembershipForUserInOrg: Operation = {
  operationId: 'teams/remove-membership-for-user-in-org',
  method: 'DELETE',
  path: teamMembershipPath,
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  async handler(request, reply) {
    const { team_slug: slug, username } = params(request);
    await removeTeamMembership(request.server.ctx, { access: orgOf(request), slug, username });
    reply.code(204);
  },
};

export const teamOperations: Operation[] = [list, create, getByName, addOrUpdateMembershipForUserInOrg, removeMembershipForUserInOrg];
