import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';
import type { OrgSummary } from './present.js';

const summaryColumns = ['accounts.id', 'accounts.login', 'accounts.description'] as const;

/** `GET /organizations`: orgs with id above `since`, in id order; one row more than asked tells whether a next page exists. */
export async function listOrgsSince(db: Kysely<Database>, since: number, limit: number): Promise<OrgSummary[]> {
  return db
    .selectFrom('accounts')
    .select(summaryColumns)
    .where('type', '=', 'Organization')
    .where('id', '>', since)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** A user's active memberships, optionally only the public ones: a range of the (user_id, state, org_id) index. */
function activeMembershipsOf(db: Kysely<Database>, userId: number, publicOnly: boolean) {
  const query = db.selectFrom('memberships').where('memberships.user_id', '=', userId).where('memberships.state', '=', 'active');
  return publicOnly ? query.where('memberships.public', '=', 1) : query;
}

/**
 * One page of the orgs, in the index's org id order (so only the page's accounts are read, none sorted), each row
 * carrying the count of all of them (a subquery run once); memberships reference their org, so no join is needed to count.
 */
function orgPageOfUser(publicOnly: boolean) {
  return precompiled((db, userId: number, limit: number, offset: number) =>
    activeMembershipsOf(db, userId, publicOnly)
      .innerJoin('accounts', 'accounts.id', 'memberships.org_id')
      .select(summaryColumns)
      .select(() => activeMembershipsOf(db, userId, publicOnly).select((eb) => eb.fn.countAll<number>().as('n')).as('total'))
      .orderBy('memberships.org_id')
      .limit(limit)
      .offset(offset),
  );
}

function orgCountOfUser(publicOnly: boolean) {
  return precompiled((db, userId: number) => activeMembershipsOf(db, userId, publicOnly).select((eb) => eb.fn.countAll<number>().as('n')));
}

// Compiled once each, per `publicOnly`.
const selectOrgPage = { all: orgPageOfUser(false), public: orgPageOfUser(true) };
const selectOrgCount = { all: orgCountOfUser(false), public: orgCountOfUser(true) };

/** Orgs a user belongs to (active memberships), optionally only the public ones, by org id. */
export async function listOrgsOfUser(
  db: Kysely<Database>,
  userId: number,
  options: { publicOnly: boolean; offset: number; limit: number },
): Promise<{ rows: OrgSummary[]; total: number }> {
  const which = options.publicOnly ? 'public' : 'all';
  const page = await selectOrgPage[which](db, userId, options.limit, options.offset);
  const rows = page.map(({ id, login, description }) => ({ id, login, description }));
  // An empty page (past the end, or `limit` 0) has no row to carry the count.
  const total = page.length > 0 ? page[0].total : (await selectOrgCount[which](db, userId))[0].n;
  return { rows, total: Number(total) };
}
