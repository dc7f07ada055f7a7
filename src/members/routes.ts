import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { orgOf, type Operation } from '../http/operation.js';
import { readCounter } from '../memberships/store.js';
import { namedMember, usernameOf } from './common.js';
import { isActiveMember, removeMember as removeMemberOf } from './service.js';
import { listMembers as listMemberPage, type RoleFilter, type TwoFactorFilter } from './store.js';
import { respondWithUserPage } from './user-page.js';
import { canAuditTwoFactor, PRIVATE_MEMBER_SCOPES, redirectToPublicMembers, seesConcealedMembers } from './visibility.js';

/** The members list's length from counters, per role filter (the 2FA filters have none: open-ended paging). */
async function memberTotal(db: Kysely<Database>, orgId: number, role: RoleFilter): Promise<number> {
  if (role === 'admin') return readCounter(db, orgId, 'admins');
  if (role === 'all') return readCounter(db, orgId, 'members');
  // `members` counts every active owner too, so members minus admins is exactly the non-owner members.
  const [members, admins] = await Promise.all([readCounter(db, orgId, 'members'), readCounter(db, orgId, 'admins')]);
  return members - admins;
}

/**
 * `orgs/list-members`: GET /orgs/{org}/members. Members see concealed and public members; anyone else is sent
 * to the public list (302). Paged in the database in user id order; `last` comes from counters.
 */
const listMembers: Operation = {
  operationId: 'orgs/list-members',
  permissions: { members: 'read' },
  acceptedScopes: PRIVATE_MEMBER_SCOPES,
  resource: 'Member',
  async handler(request, reply) {
    const access = orgOf(request);
    const { filter, role } = request.query as { filter: TwoFactorFilter; role: RoleFilter };
    // GitHub checks the owners-only 2FA audit before anything else, whoever asks.
    if (filter !== 'all' && !canAuditTwoFactor(access)) throw new ApiError(422, 'Only owners can use this filter.');
    if (!seesConcealedMembers(access)) return redirectToPublicMembers(request, reply);
    const { db } = request.server.ctx;
    const orgId = access.org.id;
    const query = { role, twoFactor: filter, publicOnly: false };
    return respondWithUserPage(
      request,
      reply,
      (rows) => listMemberPage(db, orgId, query, rows),
      filter === 'all' ? memberTotal(db, orgId, role) : undefined,
    );
  },
};

/** `orgs/check-membership-for-user`: 204 member, 404 not; non-members are sent to the public check (302). */
const checkMembershipForUser: Operation = {
  operationId: 'orgs/check-membership-for-user',
  permissions: { members: 'read' },
  acceptedScopes: PRIVATE_MEMBER_SCOPES,
  readsNamedUser: true,
  async handler(request, reply) {
    const access = orgOf(request);
    if (!seesConcealedMembers(access)) return redirectToPublicMembers(request, reply);
    if (!isActiveMember((await namedMember(request))?.membership)) {
      throw new ApiError(404, 'User does not exist or is not a member of the organization');
    }
    return reply.code(204).send();
  },
};

/** `orgs/remove-member`: DELETE /orgs/{org}/members/{username}, owners (or the member leaving) with write:org. */
const removeMember: Operation = {
  operationId: 'orgs/remove-member',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: ['admin:org', 'write:org'],
  enforceScopes: true,
  async handler(request, reply) {
    const access = orgOf(request);
    await removeMemberOf(request.server.ctx, access.org, request.caller!, usernameOf(request));
    return reply.code(204).send();
  },
};

export const memberOperations: Operation[] = [listMembers, checkMembershipForUser, removeMember];
