import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
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

/** Orgs a user belongs to (active memberships), optionally only the public ones, by org id. */
export async function listOrgsOfUser(
  db: Kysely<Database>,
  userId: number,
  options: { publicOnly: boolean; offset: number; limit: number },
): Promise<{ rows: OrgSummary[]; total: number }> {
  let base = db
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.org_id')
    .where('memberships.user_id', '=', userId)
    .where('memberships.state', '=', 'active');
  if (options.publicOnly) base = base.where('memberships.public', '=', 1);
  const [rows, count] = await Promise.all([
    base.select(summaryColumns).orderBy('accounts.id').offset(options.offset).limit(options.limit).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
