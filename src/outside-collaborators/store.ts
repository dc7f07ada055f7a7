import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { bumpCounter } from '../memberships/store.js';
import { TWO_FACTOR_STATE, type TwoFactorFilter } from '../members/store.js';
import { pageOfUsers, type IdPage } from '../members/user-page.js';
import type { UserSummary } from '../users/present.js';

/** Counter of outside collaborators per org: their list's last page and `collaborators` in GET /orgs/{org}. */
export const OUTSIDE_COLLABORATORS_COUNTER = 'outside_collaborators';

/** Adds the user as an outside collaborator, keeping the counter in step; false when they already were one. */
export async function addOutsideCollaborator(db: Kysely<Database>, orgId: number, userId: number, now: string): Promise<boolean> {
  const inserted = await db
    .insertInto('outside_collaborators')
    .values({ org_id: orgId, user_id: userId, created_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
    .executeTakeFirst();
  const added = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  if (added) await bumpCounter(db, orgId, OUTSIDE_COLLABORATORS_COUNTER, 1);
  return added;
}

/**
 * Removes the user's outside-collaborator access, keeping the counter in step; false when they had none.
 * Also for whoever turns an outside collaborator into a member (accepting an invitation).
 */
export async function removeOutsideCollaborator(db: Kysely<Database>, orgId: number, userId: number): Promise<boolean> {
  const deleted = await db.deleteFrom('outside_collaborators').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
  const removed = Number(deleted.numDeletedRows) > 0;
  if (removed) await bumpCounter(db, orgId, OUTSIDE_COLLABORATORS_COUNTER, -1);
  return removed;
}

/** One page of outside collaborators in user id order, over the (org_id, user_id) primary key. */
export async function listOutsideCollaborators(
  db: Kysely<Database>,
  orgId: number,
  twoFactor: TwoFactorFilter,
  page: IdPage,
): Promise<UserSummary[]> {
  let ids = db.selectFrom('outside_collaborators as oc').select('oc.user_id').where('oc.org_id', '=', orgId);
  if (twoFactor !== 'all') {
    ids = ids.innerJoin('accounts as a', 'a.id', 'oc.user_id').where('a.two_factor', '=', TWO_FACTOR_STATE[twoFactor]);
  }
  return pageOfUsers(db, ids.orderBy('oc.user_id'), page);
}
