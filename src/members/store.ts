import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { UserSummary } from '../users/present.js';
import type { TeamRow } from '../teams/store.js';
import { precompiledPageOfUsers, type IdPage, type UserIdQuery } from './user-page.js';

export type RoleFilter = 'all' | 'admin' | 'member';
export type TwoFactorFilter = 'all' | '2fa_disabled' | '2fa_insecure';

/** The `accounts.two_factor` state each 2FA filter selects. */
export const TWO_FACTOR_STATE: Record<Exclude<TwoFactorFilter, 'all'>, string> = {
  '2fa_disabled': 'disabled',
  // GitHub: members whose only second factor is an insecure method (SMS).
  '2fa_insecure': 'insecure',
};

export interface MemberQuery {
  role: RoleFilter;
  twoFactor: TwoFactorFilter;
  publicOnly: boolean;
}

/**
 * Ids of the org's active members matching the filters, in user id order. It walks the
 * (org_id, state, user_id) index, so a page is cut without reading the rest of the org.
 */
function memberIds(db: Kysely<Database>, orgId: number, query: MemberQuery): UserIdQuery {
  let ids = db
    .selectFrom('memberships as m')
    .select('m.user_id')
    .where('m.org_id', '=', orgId)
    .where('m.state', '=', 'active');
  ids = query.role === 'all' ? ids.where('m.role', 'in', ['admin', 'member']) : ids.where('m.role', '=', query.role);
  if (query.publicOnly) ids = ids.where('m.public', '=', 1);
  if (query.twoFactor !== 'all') {
    ids = ids.innerJoin('accounts as a', 'a.id', 'm.user_id').where('a.two_factor', '=', TWO_FACTOR_STATE[query.twoFactor]);
  }
  return ids.orderBy('m.user_id');
}

/** One compiled page statement per combination of filters (a dozen and a half at most: each filter is an enum). */
const memberPages = new Map<string, ReturnType<typeof precompiledPageOfUsers>>();

export async function listMembers(db: Kysely<Database>, orgId: number, query: MemberQuery, page: IdPage): Promise<UserSummary[]> {
  const key = `${query.role} ${query.twoFactor} ${query.publicOnly}`;
  let select = memberPages.get(key);
  if (!select) memberPages.set(key, (select = precompiledPageOfUsers((db, orgId) => memberIds(db, orgId, query))));
  return select(db, orgId, page);
}

/** Leaves every team of the org (active or pending team membership); returns the teams left. */
export async function removeFromOrgTeams(db: Kysely<Database>, orgId: number, userId: number): Promise<TeamRow[]> {
  const teams = await db
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.id', 'team_members.team_id')
    .selectAll('teams')
    .where('teams.org_id', '=', orgId)
    .where('team_members.user_id', '=', userId)
    .orderBy('teams.id')
    .execute();
  if (teams.length) {
    await db
      .deleteFrom('team_members')
      .where('user_id', '=', userId)
      // The org's teams as a subquery: one parameter however many teams the user is in.
      .where('team_id', 'in', (eb) => eb.selectFrom('teams').select('id').where('org_id', '=', orgId))
      .execute();
  }
  return teams;
}
