import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { bumpCounter } from '../memberships/store.js';
import type { UserSummary } from '../users/present.js';
import { pageOfUsers, type IdPage } from '../members/user-page.js';

/** Counter of blocked users per org: the blocks list's last page without counting rows. */
export const BLOCKS_COUNTER = 'blocks';

export async function isBlocked(db: Kysely<Database>, orgId: number, userId: number): Promise<boolean> {
  const row = await db.selectFrom('blocks').select('user_id').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

/** Adds the block, keeping the counter in step; false when the user was already blocked. */
export async function insertBlock(db: Kysely<Database>, orgId: number, userId: number, now: string): Promise<boolean> {
  const inserted = await db
    .insertInto('blocks')
    .values({ org_id: orgId, user_id: userId, created_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
    .executeTakeFirst();
  const added = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  if (added) await bumpCounter(db, orgId, BLOCKS_COUNTER, 1);
  return added;
}

/** Lifts the block, keeping the counter in step; false when the user was not blocked. */
export async function deleteBlock(db: Kysely<Database>, orgId: number, userId: number): Promise<boolean> {
  const deleted = await db.deleteFrom('blocks').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
  const removed = Number(deleted.numDeletedRows) > 0;
  if (removed) await bumpCounter(db, orgId, BLOCKS_COUNTER, -1);
  return removed;
}

/** One page of blocked users in user id order, walking the (org_id, user_id) primary key. */
export async function listBlockedUsers(db: Kysely<Database>, orgId: number, page: IdPage): Promise<UserSummary[]> {
  return pageOfUsers(
    db,
    db.selectFrom('blocks').select('blocks.user_id').where('blocks.org_id', '=', orgId).orderBy('blocks.user_id'),
    page,
  );
}
