import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { components } from '../generated/openapi.js';
import { etagOfParts, type TagPart } from '../http/conditional.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import type { Urls } from '../http/urls.js';
import { precompiled } from '../db/prepared.js';
import { simpleUser, type UserSummary } from '../users/present.js';

type SimpleUser = components['schemas']['simple-user'];

/** Rows to read: the page's offset and how many rows. */
export interface IdPage {
  offset: number;
  limit: number;
}

/** A query selecting `user_id`s in user id order (over an index), not yet cut to a page. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UserIdQuery = SelectQueryBuilder<Database, any, { user_id: number }>;

/** The accounts of `ids` cut to one page: LIMIT/OFFSET over the list's index on the ids alone, then only that page's accounts. */
function accountsOfPage(db: Kysely<Database>, ids: UserIdQuery, limit: number, offset: number) {
  return db
    .selectFrom('accounts')
    .select(['accounts.id', 'accounts.login', 'accounts.type', 'accounts.site_admin'])
    .where('accounts.id', 'in', ids.limit(limit).offset(offset))
    .orderBy('accounts.id');
}

/**
 * The accounts of one page of user ids. The page is cut in the database on the ids alone (LIMIT/OFFSET over
 * the list's index) and only that page's accounts are read, so a page's cost does not grow with the list.
 */
export async function pageOfUsers(db: Kysely<Database>, ids: UserIdQuery, page: IdPage): Promise<UserSummary[]> {
  return accountsOfPage(db, ids, page.limit, page.offset).execute();
}

/** `pageOfUsers` for lists whose ids depend on one id (the org's) alone: the statement is built and compiled once. */
export function precompiledPageOfUsers(ids: (db: Kysely<Database>, ownerId: number) => UserIdQuery) {
  const select = precompiled((db, ownerId: number, limit: number, offset: number) => accountsOfPage(db, ids(db, ownerId), limit, offset));
  return (db: Kysely<Database>, ownerId: number, page: IdPage): Promise<UserSummary[]> => select(db, ownerId, page.limit, page.offset);
}

/** The ETag of a page of `simple-user`s: the URL bases and the fields `simpleUser` reads. */
function userPageTag(urls: Urls, rows: UserSummary[]): string {
  const parts: TagPart[] = [urls.api, urls.html];
  for (const row of rows) parts.push(row.id, row.type, row.site_admin, row.login);
  return etagOfParts(parts);
}

/**
 * Answers a page of a `simple-user` list with its `Link` header. With a `total` (read from a counter) the
 * links include `last`. Without one (filters no counter covers) one extra row is read to know whether a
 * next page exists, and `last` is left out rather than computed by counting the whole list: Octokit's
 * paginate follows `next` only, and a `last` that needs a COUNT would make every page cost the list's size.
 */
export async function respondWithUserPage(
  request: FastifyRequest,
  reply: FastifyReply,
  read: (rows: IdPage) => Promise<UserSummary[]>,
  total?: Promise<number>,
): Promise<SimpleUser[]> {
  const urls = request.urls;
  const page = readPage(request.query as Record<string, unknown>);
  const present = (rows: UserSummary[]) => {
    reply.header('ETag', userPageTag(urls, rows));
    return rows.map((row) => simpleUser(urls, row));
  };
  if (total) {
    const [rows, count] = await Promise.all([read({ offset: page.offset, limit: page.perPage }), total]);
    setPageLinks(request, reply, page, count);
    return present(rows);
  }
  const rows = await read({ offset: page.offset, limit: page.perPage + 1 });
  setPageLinks(request, reply, page, { hasNext: rows.length > page.perPage });
  return present(rows.slice(0, page.perPage));
}
