import type { FastifyRequest } from 'fastify';
import type { Account } from '../accounts/store.js';
import { orgOf, type Operation } from '../http/operation.js';
import { namedInOrg } from '../members/common.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import { orgMembership } from './present.js';
import * as memberships from './service.js';
import type { EffectiveMembership } from './service.js';

const READ = ['admin:org', 'read:org', 'write:org'];
const WRITE = ['admin:org', 'write:org'];
/** The user's own memberships: `user` or an org scope, as for GET /user/orgs. */
const OWN = ['admin:org', 'read:org', 'repo', 'user', 'write:org'];

const username = (request: FastifyRequest) => (request.params as { username: string }).username;

function present(request: FastifyRequest, org: Account, found: { user: Account; membership: EffectiveMembership }) {
  return orgMembership(request.urls, org, found.user, found.membership);
}

/** `orgs/get-membership-for-user`: GET /orgs/{org}/memberships/{username}. */
const getMembershipForUser: Operation = {
  operationId: 'orgs/get-membership-for-user',
  permissions: { members: 'read' },
  authenticated: true,
  acceptedScopes: READ,
  enforceScopes: true,
  readsNamedUser: true,
  async handler(request) {
    const access = orgOf(request);
    return present(request, access.org, await memberships.getMembershipForUser(request.server.ctx, access, await namedInOrg(request)));
  },
};

/** `orgs/set-membership-for-user`: PUT /orgs/{org}/memberships/{username}; non-owners get GitHub's 403. */
const setMembershipForUser: Operation = {
  operationId: 'orgs/set-membership-for-user',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  resource: 'OrganizationMembership',
  readsNamedUser: true,
  async handler(request) {
    const { org } = orgOf(request);
    const { role = 'member' } = (request.body ?? {}) as { role?: 'admin' | 'member' };
    // The user is read before the org lock, as it always was; its membership is read again under the lock.
    const named = await namedInOrg(request);
    const found = await memberships.setMembershipForUser(request.server.ctx, {
      org,
      caller: request.caller!,
      requestId: request.id,
      user: named?.account,
      role,
    });
    return present(request, org, found);
  },
};

/** `orgs/remove-membership-for-user`: DELETE /orgs/{org}/memberships/{username}. */
const removeMembershipForUser: Operation = {
  operationId: 'orgs/remove-membership-for-user',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: WRITE,
  enforceScopes: true,
  async handler(request, reply) {
    await memberships.removeMembershipForUser(request.server.ctx, { org: orgOf(request).org, caller: request.caller!, username: username(request) });
    reply.code(204);
  },
};

/** `orgs/list-memberships-for-authenticated-user`: GET /user/memberships/orgs (`state`). */
const listMembershipsForAuthenticatedUser: Operation = {
  operationId: 'orgs/list-memberships-for-authenticated-user',
  permissions: {},
  authenticated: true,
  acceptedScopes: OWN,
  enforceScopes: true,
  async handler(request, reply) {
    const { state } = request.query as { state?: 'active' | 'pending' };
    const page = readPage(request.query as Record<string, unknown>);
    const { rows, total } = await memberships.listOwnMemberships(request.server.ctx, request.caller!, state, {
      offset: page.offset,
      limit: page.perPage,
    });
    setPageLinks(request, reply, page, total);
    const { login, userId } = request.caller!;
    const user = { id: userId, login, type: 'User' as const, site_admin: request.caller!.siteAdmin ? (1 as const) : (0 as const) };
    return rows.map(({ org, membership }) => orgMembership(request.urls, org, user, membership));
  },
};

/** `orgs/get-membership-for-authenticated-user`: GET /user/memberships/orgs/{org}. */
const getMembershipForAuthenticatedUser: Operation = {
  operationId: 'orgs/get-membership-for-authenticated-user',
  permissions: { members: 'read' },
  authenticated: true,
  acceptedScopes: OWN,
  enforceScopes: true,
  async handler(request) {
    const { org } = orgOf(request);
    return present(request, org, await memberships.getOwnMembership(request.server.ctx, org, request.caller!));
  },
};

/** `orgs/update-membership-for-authenticated-user`: PATCH /user/memberships/orgs/{org} accepts an invitation. */
const updateMembershipForAuthenticatedUser: Operation = {
  operationId: 'orgs/update-membership-for-authenticated-user',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: ['admin:org', 'user', 'write:org'],
  enforceScopes: true,
  // GitHub answers 404 (no membership) before it looks at `state`, so the body is checked in the service.
  body: {},
  async handler(request) {
    const { org } = orgOf(request);
    const { state } = (request.body ?? {}) as { state?: unknown };
    return present(request, org, await memberships.updateOwnMembership(request.server.ctx, { org, caller: request.caller!, state }));
  },
};

export const membershipOperations: Operation[] = [
  getMembershipForUser,
  setMembershipForUser,
  removeMembershipForUser,
  listMembershipsForAuthenticatedUser,
  getMembershipForAuthenticatedUser,
  updateMembershipForAuthenticatedUser,
];
