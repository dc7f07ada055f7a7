import { notFound } from '../http/errors.js';
import { orgOf, type Operation, type PermissionLevel } from '../http/operation.js';
import { tokenAllows } from '../orgs/access.js';
import { readCounter } from '../memberships/store.js';
import { respondWithUserPage } from '../members/user-page.js';
import { usernameOf } from '../members/common.js';
import { blockUser as block, isUserBlocked, unblockUser as unblock } from './service.js';
import { BLOCKS_COUNTER, listBlockedUsers as listPage } from './store.js';

/**
 * Every blocking call: an org owner whose token has `admin:org`. GitHub's docs: "The token used to
 * authenticate the call must have the admin:org scope … Otherwise, the response returns HTTP 404."
 */
function blockingOperation(operationId: string, level: PermissionLevel, handler: Operation['handler']): Operation {
  return {
    operationId,
    authenticated: true,
    acceptedScopes: ['admin:org'],
    permissions: { organization_user_blocking: level },
    orgRole: 'owner',
    handler: async (request, reply) => {
      if (!tokenAllows(orgOf(request), ['admin:org'])) throw notFound();
      return handler(request, reply);
    },
  };
}

const listBlockedUsers = blockingOperation('orgs/list-blocked-users', 'read', async (request, reply) => {
  const { db } = request.server.ctx;
  const orgId = orgOf(request).org.id;
  return respondWithUserPage(
    request,
    reply,
    (rows) => listPage(db, orgId, rows),
    readCounter(db, orgId, BLOCKS_COUNTER),
  );
});

const checkBlockedUser = blockingOperation('orgs/check-blocked-user', 'read', async (request, reply) => {
  if (!(await isUserBlocked(request.server.ctx, orgOf(request).org, usernameOf(request)))) throw notFound();
  return reply.code(204).send();
});

const blockUser = blockingOperation('orgs/block-user', 'write', async (request, reply) => {
  await block(request.server.ctx, orgOf(request).org, request.caller!, usernameOf(request));
  return reply.code(204).send();
});

const unblockUser = blockingOperation('orgs/unblock-user', 'write', async (request, reply) => {
  await unblock(request.server.ctx, orgOf(request).org, request.caller!, usernameOf(request));
  return reply.code(204).send();
});

export const blockOperations: Operation[] = [listBlockedUsers, checkBlockedUser, blockUser, unblockUser];
