import { idFromPath } from '../db/columns.js';
import { notFound } from '../http/errors.js';
import { orgOf, type Operation } from '../http/operation.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import { presentTeams } from '../teams/service.js';
import { expireDueInvitations } from './expiry.js';
import { organizationInvitation } from './present.js';
import * as creation from './create.js';
import type { InvitationRequest } from './create.js';
import * as invitations from './service.js';
import { countInvitations, listInvitationViews, type InvitationFilter } from './store.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Invitations are the owners' business: everyone else gets 404, as GitHub hides what they may not see. */
const ownersWith = (scopes: string[]) => ({ authenticated: true, acceptedScopes: scopes, enforceScopes: true, orgRole: 'owner' as const });
const READ = ['admin:org', 'read:org', 'write:org'];
const WRITE = ['admin:org', 'write:org'];

/** `{invitation_id}` as an id; a value that cannot be one ("abc", 1e20) names no invitation: 404. */
function invitationId(request: FastifyRequest): number {
  const id = idFromPath((request.params as { invitation_id: string }).invitation_id);
  if (id === undefined) throw notFound();
  return id;
}

/** One page of the org's invitations in a state, with `Link` headers. */
async function respondWithInvitations(request: FastifyRequest, reply: FastifyReply, filter: InvitationFilter) {
  const { ctx } = request.server;
  const { org } = orgOf(request);
  await expireDueInvitations(ctx, { orgId: org.id });
  const page = readPage(request.query as Record<string, unknown>);
  const [rows, total] = await Promise.all([
    listInvitationViews(ctx.db, org.id, filter, { offset: page.offset, limit: page.perPage }),
    countInvitations(ctx.db, org.id, filter),
  ]);
  setPageLinks(request, reply, page, total);
  return rows.map((row) => organizationInvitation(request.urls, row));
}

/** `orgs/list-pending-invitations`: GET /orgs/{org}/invitations (`role`, `invitation_source` filters). */
const listPendingInvitations: Operation = {
  operationId: 'orgs/list-pending-invitations',
  permissions: { members: 'read' },
  ...ownersWith(READ),
  async handler(request, reply) {
    const { role = 'all', invitation_source: source = 'all' } = request.query as { role?: string; invitation_source?: string };
    // `reinstate` invitations grant plain membership, so they are listed (and filtered) as direct_member.
    const roles = role === 'all' ? undefined : role === 'direct_member' ? ['direct_member', 'reinstate'] : [role];
    return respondWithInvitations(request, reply, { state: 'pending', roles, sources: source === 'all' ? undefined : [source] });
  },
};

/** `orgs/list-failed-invitations`: GET /orgs/{org}/failed_invitations (expired ones; cancelled ones never). */
const listFailedInvitations: Operation = {
  operationId: 'orgs/list-failed-invitations',
  permissions: { members: 'read' },
  ...ownersWith(READ),
  handler: (request, reply) => respondWithInvitations(request, reply, { state: 'failed' }),
};

/** `orgs/create-invitation`: POST /orgs/{org}/invitations. */
const createInvitation: Operation = {
  operationId: 'orgs/create-invitation',
  permissions: { members: 'write' },
  ...ownersWith(WRITE),
  resource: 'OrganizationInvitation',
  async handler(request, reply) {
    const access = orgOf(request);
    const view = await creation.createInvitation(request.server.ctx, {
      org: access.org,
      caller: request.caller!,
      requestId: request.id,
      body: (request.body ?? {}) as InvitationRequest,
    });
    reply.code(201);
    return organizationInvitation(request.urls, view);
  },
};

/** `orgs/cancel-invitation`: DELETE /orgs/{org}/invitations/{invitation_id}. */
const cancelInvitation: Operation = {
  operationId: 'orgs/cancel-invitation',
  permissions: { members: 'write' },
  ...ownersWith(WRITE),
  async handler(request, reply) {
    await invitations.cancelInvitation(request.server.ctx, { org: orgOf(request).org, caller: request.caller!, invitationId: invitationId(request) });
    reply.code(204);
  },
};

/** `orgs/list-invitation-teams`: GET /orgs/{org}/invitations/{invitation_id}/teams. */
const listInvitationTeams: Operation = {
  operationId: 'orgs/list-invitation-teams',
  permissions: { members: 'read' },
  ...ownersWith(READ),
  async handler(request, reply) {
    const { org } = orgOf(request);
    const page = readPage(request.query as Record<string, unknown>);
    const { teams, total } = await invitations.invitationTeams(request.server.ctx, org, invitationId(request), {
      offset: page.offset,
      limit: page.perPage,
    });
    setPageLinks(request, reply, page, total);
    return presentTeams(request.server.ctx.db, request.urls, org.login, teams);
  },
};

export const invitationOperations: Operation[] = [
  listPendingInvitations,
  listFailedInvitations,
  createInvitation,
  cancelInvitation,
  listInvitationTeams,
];
