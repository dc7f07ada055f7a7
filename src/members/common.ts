import type { FastifyRequest } from 'fastify';
import type { Caller } from '../http/auth/index.js';
import { namedUser, orgOf } from '../http/operation.js';
import { findAccountWithMembership, type AccountWithMembership } from '../memberships/store.js';

/** Small pieces the members, public members, outside collaborators and blocks modules share. */

/** The caller as the actor of an audit event. */
export const actorOf = (caller: Caller) => ({ id: caller.userId, login: caller.login });

/** The `{username}` path parameter. */
export const usernameOf = (request: FastifyRequest) => (request.params as { username: string }).username;

/**
 * The account `{username}` names and its membership record in `{org}`, as read with the token or the org
 * (Operation.readsNamedUser); undefined when there is no such account.
 */
export function namedInOrg(request: FastifyRequest): Promise<AccountWithMembership | undefined> {
  return namedUser(request, () => findAccountWithMembership(request.server.ctx.db, orgOf(request).org.id, usernameOf(request)));
}

/** `namedInOrg` when it names a user (not an org or a bot). */
export async function namedMember(request: FastifyRequest): Promise<AccountWithMembership | undefined> {
  const found = await namedInOrg(request);
  return found?.account.type === 'User' ? found : undefined;
}
