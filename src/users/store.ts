import type { Kysely } from 'kysely';
import type { Account } from '../accounts/store.js';
import type { Database } from '../db/schema.js';

/**
 * The organizations a user is tied to, in id order: a membership (active or pending), outside collaboration, a block,
 * or an invitation sent to or by them.
 */
export async function orgsTiedTo(db: Kysely<Database>, userId: number): Promise<Account[]> {
  const orgIds = db
    .selectFrom('memberships')
    .select('org_id')
    .where('user_id', '=', userId)
    .union(db.selectFrom('outside_collaborators').select('org_id').where('user_id', '=', userId))
    .union(db.selectFrom('blocks').select('org_id').where('user_id', '=', userId))
    .union(db.selectFrom('invitations').select('org_id').where((eb) => eb.or([eb('invitee_id', '=', userId), eb('inviter_id', '=', userId)])));
  return db.selectFrom('accounts').selectAll().where('type', '=', 'Organization').where('id', 'in', orgIds).orderBy('id').execute();
}
