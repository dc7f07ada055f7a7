import { forbidden } from '../http/errors.js';
import { orgOf, type Operation } from '../http/operation.js';
import { readCounter } from '../memberships/store.js';
import { usernameOf } from '../members/common.js';
import type { TwoFactorFilter } from '../members/store.js';
import { respondWithUserPage } from '../members/user-page.js';
import { isOwner } from '../orgs/access.js';
import * as collaborators from './service.js';
import { listOutsideCollaborators as listPage, OUTSIDE_COLLABORATORS_COUNTER } from './store.js';

/** Owners only: anyone else authenticated gets GitHub's 403 with the operation's message. */
function ownersOnly(message: string, handler: Operation['handler']): Operation['handler'] {
  return async (request, reply) => {
    if (!isOwner(orgOf(request))) throw forbidden(message);
    return handler(request, reply);
  };
}

/** `orgs/list-outside-collaborators`: owners; `last` from the counter, open-ended under a 2FA filter. */
const listOutsideCollaborators: Operation = {
  operationId: 'orgs/list-outside-collaborators',
  permissions: { members: 'read' },
  authenticated: true,
  acceptedScopes: ['read:org', 'repo'],
  enforceScopes: true,
  resource: 'OutsideCollaborator',
  handler: ownersOnly('You must be an owner of this organization to list outside collaborators.', async (request, reply) => {
    const { db } = request.server.ctx;
    const orgId = orgOf(request).org.id;
    const { filter } = request.query as { filter: TwoFactorFilter };
    return respondWithUserPage(
      request,
      reply,
      (rows) => listPage(db, orgId, filter, rows),
      filter === 'all' ? readCounter(db, orgId, OUTSIDE_COLLABORATORS_COUNTER) : undefined,
    );
  }),
};

/**
 * `orgs/convert-member-to-outside-collaborator`: owners. The conversion always completes within the request;
 * `async: true` is still answered 202 (with the described empty object), as a client asking for it expects.
 */
const convertMemberToOutsideCollaborator: Operation = {
  operationId: 'orgs/convert-member-to-outside-collaborator',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: ['admin:org', 'write:org'],
  enforceScopes: true,
  // The body is optional (Octokit sends none: it is read as `{}`); a body that is not an object (`[]`, `"x"`) is a 422, as elsewhere.
  body: { type: 'object', properties: { async: { type: 'boolean' } } },
  handler: ownersOnly('You must be an owner of this organization to convert members to outside collaborators.', async (request, reply) => {
    const access = orgOf(request);
    await collaborators.convertMemberToOutsideCollaborator(request.server.ctx, access.org, request.caller!, usernameOf(request));
    if ((request.body as { async?: boolean } | undefined)?.async === true) return reply.code(202).send({});
    return reply.code(204).send();
  }),
};

/** `orgs/remove-outside-collaborator`: owners; 422 when the user is a member. */
const removeOutsideCollaborator: Operation = {
  operationId: 'orgs/remove-outside-collaborator',
  permissions: { members: 'write' },
  authenticated: true,
  acceptedScopes: ['admin:org', 'write:org'],
  enforceScopes: true,
  handler: ownersOnly('You must be an owner of this organization to remove outside collaborators.', async (request, reply) => {
    await collaborators.removeOutsideCollaboratorFromOrg(request.server.ctx, orgOf(request).org, request.caller!, usernameOf(request));
    return reply.code(204).send();
  }),
};

export const outsideCollaboratorOperations: Operation[] = [
  listOutsideCollaborators,
  convertMemberToOutsideCollaborator,
  removeOutsideCollaborator,
];
