import type { FastifyReply, FastifyRequest } from 'fastify';
import { findAccount } from '../accounts/store.js';
import { notFound } from '../http/errors.js';
import { namedUser, type Operation } from '../http/operation.js';
import { readPage, setPageLinks, type PageRequest } from '../http/pagination.js';
import { etagOfParts, setLastModified, type TagPart } from '../http/conditional.js';
import type { Urls } from '../http/urls.js';
import { organizationSimple, type OrgSummary } from '../orgs/present.js';
import { listOrgsOfUser } from '../orgs/store.js';
import { privateUser, publicUser } from './present.js';

/** The ETag of a page of `organization-simple`s: the URL bases and the fields `organizationSimple` reads. */
function orgPageTag(urls: Urls, rows: OrgSummary[]): string {
  const parts: TagPart[] = [urls.api, urls.html];
  for (const { id, login, description } of rows) parts.push(id, login, description);
  return etagOfParts(parts);
}

/** Answers one page of a user's orgs: `Link`, ETag and the presented rows. */
function respondWithOrgPage(request: FastifyRequest, reply: FastifyReply, page: PageRequest, found: { rows: OrgSummary[]; total: number }) {
  setPageLinks(request, reply, page, found.total);
  reply.header('ETag', orgPageTag(request.urls, found.rows));
  return found.rows.map((org) => organizationSimple(request.urls, org));
}

/** The account (user, org or bot) `{username}` names, as read with the token (Operation.readsNamedUser). */
function namedAccount(request: FastifyRequest) {
  return namedUser(request, async () => {
    const account = await findAccount(request.server.ctx.db, (request.params as { username: string }).username);
    return account && { account, membership: undefined };
  });
}

/** `users/get-authenticated`: GET /user. */
const getAuthenticated: Operation = {
  operationId: 'users/get-authenticated',
  permissions: {},
  authenticated: true,
  acceptedScopes: [],
  async handler(request, reply) {
    const user = await findAccount(request.server.ctx.db, request.caller!.login, 'User');
    if (!user) throw notFound();
    setLastModified(reply, user.updated_at);
    return privateUser(request.urls, user);
  },
};

/** `users/get-by-username`: GET /users/{username}; orgs answer here too, as on GitHub. */
const getByUsername: Operation = {
  operationId: 'users/get-by-username',
  permissions: {},
  readsNamedUser: true,
  async handler(request, reply) {
    const account = (await namedAccount(request))?.account;
    if (!account) throw notFound();
    setLastModified(reply, account.updated_at);
    return publicUser(request.urls, account);
  },
};

/** `orgs/list-for-user`: GET /users/{username}/orgs, public memberships only whoever asks. */
const listForUser: Operation = {
  operationId: 'orgs/list-for-user',
  permissions: {},
  readsNamedUser: true,
  async handler(request, reply) {
    const { db } = request.server.ctx;
    const user = (await namedAccount(request))?.account;
    if (user?.type !== 'User') throw notFound();
    const page = readPage(request.query as Record<string, unknown>);
    return respondWithOrgPage(request, reply, page, await listOrgsOfUser(db, user.id, { publicOnly: true, offset: page.offset, limit: page.perPage }));
  },
};

/** `orgs/list-for-authenticated-user`: GET /user/orgs, needs `user` or `read:org` (403 otherwise). */
const listForAuthenticatedUser: Operation = {
  operationId: 'orgs/list-for-authenticated-user',
  permissions: {},
  authenticated: true,
  acceptedScopes: ['admin:org', 'read:org', 'repo', 'user', 'write:org'],
  enforceScopes: true,
  async handler(request, reply) {
    const page = readPage(request.query as Record<string, unknown>);
    // GitHub's note: "Requests using a fine-grained access token will receive a 200 Success response with an empty list."
    if (request.caller!.permissions) return [];
    const found = await listOrgsOfUser(request.server.ctx.db, request.caller!.userId, { publicOnly: false, offset: page.offset, limit: page.perPage });
    return respondWithOrgPage(request, reply, page, found);
  },
};

export const userOperations: Operation[] = [getAuthenticated, getByUsername, listForUser, listForAuthenticatedUser];
