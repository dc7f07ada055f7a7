import { ApiError } from '../http/errors.js';
import { orgOf, type Operation } from '../http/operation.js';
import { readCounter } from '../memberships/store.js';
import { namedMember, usernameOf } from '../members/common.js';
import { isActiveMember } from '../members/service.js';
import { listMembers } from '../members/store.js';
import { respondWithUserPage } from '../members/user-page.js';
import { setMembershipVisibility } from './service.js';

/** `orgs/list-public-members`: anyone; paged over the members index, `last` from the `public_members` counter. */
const listPublicMembers: Operation = {
  operationId: 'orgs/list-public-members',
  permissions: { members: 'read' },
  acceptedScopes: [],
  async handler(request, reply) {
    const { db } = request.server.ctx;
    const orgId = orgOf(request).org.id;
    return respondWithUserPage(
      request,
      reply,
      (rows) => listMembers(db, orgId, { role: 'all', twoFactor: 'all', publicOnly: true }, rows),
      readCounter(db, orgId, 'public_members'),
    );
  },
};

/** `orgs/check-public-membership-for-user`: 204 public member, 404 otherwise; anyone may ask. */
const checkPublicMembershipForUser: Operation = {
  operationId: 'orgs/check-public-membership-for-user',
  permissions: { members: 'read' },
  acceptedScopes: [],
  readsNamedUser: true,
  async handler(request, reply) {
    const membership = (await namedMember(request))?.membership;
    if (!isActiveMember(membership) || membership!.public !== 1) {
      throw new ApiError(404, 'User does not exist or is not a public member of the organization');
    }
    return reply.code(204).send();
  },
};

// Publicizing needs `user` (GitHub: "you can publicize your organization membership with user scope") or write:org.
const visibilityScopes = ['admin:org', 'write:org', 'user'];

/** `orgs/set-public-membership-for-authenticated-user`: PUT, the user themself only (403 otherwise). */
const setPublicMembershipForAuthenticatedUser: Operation = {
  operationId: 'orgs/set-public-membership-for-authenticated-user',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: visibilityScopes,
  enforceScopes: true,
  async handler(request, reply) {
    await setMembershipVisibility(request.server.ctx, orgOf(request).org, request.caller!, usernameOf(request), true);
    return reply.code(204).send();
  },
};

/** `orgs/remove-public-membership-for-authenticated-user`: DELETE, the user themself only (403 otherwise). */
const removePublicMembershipForAuthenticatedUser: Operation = {
  operationId: 'orgs/remove-public-membership-for-authenticated-user',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: visibilityScopes,
  enforceScopes: true,
  async handler(request, reply) {
    await setMembershipVisibility(request.server.ctx, orgOf(request).org, request.caller!, usernameOf(request), false);
    return reply.code(204).send();
  },
};

export const publicMemberOperations: Operation[] = [
  listPublicMembers,
  checkPublicMembershipForUser,
  setPublicMembershipForAuthenticatedUser,
  removePublicMembershipForAuthenticatedUser,
];
