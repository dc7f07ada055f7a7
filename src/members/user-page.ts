import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { components } from '../generated/openapi.js';
import { readPage, setPageLinks } from '../http/pagination.js';
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

/**
 * The accounts of one page of user ids. The page is cut in the database on the ids alone (LIMIT/OFFSET over
 * the list's index) and only that page's accounts are read, so a page's cost does not grow with the list.
 */
export async function pageOfUsers(db: Kysely<Database>, ids: UserIdQuery, page: IdPage): Promise<UserSummary[]> {
  return db
    .selectFrom('accounts')
    .select(['accounts.id', 'accounts.login', 'accounts.type', 'accounts.site_admin'])
    .where('accounts.id', 'in', ids.limit(page.limit).offset(page.offset))
    .orderBy('accounts.id')
    .execute();
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
  if (total) {
    const [rows, count] = await Promise.all([read({ offset: page.offset, limit: page.perPage }), total]);
    setPageLinks(request, reply, page, count);
    return rows.map((row) => simpleUser(urls, row));
  }
  const rows = await read({ offset: page.offset, limit: page.perPage + 1 });
  setPageLinks(request, reply, page, { hasNext: rows.length > page.perPage });
  return rows.slice(0, page.perPage).map((row) => simpleUser(urls, row));
}
