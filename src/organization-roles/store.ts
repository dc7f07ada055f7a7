import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Whether the user, an active member of the org, holds the role directly or through a team: a team's role is held
 * by its members and by the members of every team nested below it (who are members of it too). One statement.
 */
export async function holdsOrgRole(db: Kysely<Database>, orgId: number, userId: number, roleId: number): Promise<boolean> {
  const { rows } = await sql<{ holds: number }>`
    with recursive held(id) as (
      select tm.team_id from team_members tm join teams t on t.id = tm.team_id
      where tm.user_id = ${userId} and tm.state = 'active' and t.org_id = ${orgId}
      union
      select t.parent_id from teams t join held on t.id = held.id where t.parent_id is not null
    )
    select 1 as holds from memberships m
    where m.org_id = ${orgId} and m.user_id = ${userId} and m.state = 'active' and m.role <> 'billing_manager' and (
      exists (select 1 from org_role_users r where r.org_id = ${orgId} and r.role_id = ${roleId} and r.user_id = ${userId})
      or exists (select 1 from org_role_teams r join held on held.id = r.team_id where r.org_id = ${orgId} and r.role_id = ${roleId})
    )`.execute(db);
  return rows.length > 0;
}

/** Assigns a role to a user; assigning it again changes nothing. Whether it was new. */
export async function assignUserRole(db: Kysely<Database>, orgId: number, roleId: number, userId: number, now: string): Promise<boolean> {
  const inserted = await db
    .insertInto('org_role_users')
    .values({ org_id: orgId, role_id: roleId, user_id: userId, created_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'role_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function assignTeamRole(db: Kysely<Database>, orgId: number, roleId: number, teamId: number, now: string): Promise<boolean> {
  const inserted = await db
    .insertInto('org_role_teams')
    .values({ org_id: orgId, role_id: roleId, team_id: teamId, created_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'role_id', 'team_id']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Revokes one role (or, without `roleId`, every role) of a user; the ids of the roles it held. */
export async function revokeUserRoles(db: Kysely<Database>, orgId: number, userId: number, roleId?: number): Promise<number[]> {
  let query = db.deleteFrom('org_role_users').where('org_id', '=', orgId).where('user_id', '=', userId);
  if (roleId !== undefined) query = query.where('role_id', '=', roleId);
  const rows = await query.returning('role_id').execute();
  return rows.map((row) => row.role_id).sort((a, b) => a - b);
}

export async function revokeTeamRoles(db: Kysely<Database>, orgId: number, teamId: number, roleId?: number): Promise<number[]> {
  let query = db.deleteFrom('org_role_teams').where('org_id', '=', orgId).where('team_id', '=', teamId);
  if (roleId !== undefined) query = query.where('role_id', '=', roleId);
  const rows = await query.returning('role_id').execute();
  return rows.map((row) => row.role_id).sort((a, b) => a - b);
}

/** One page of the teams a role is assigned to, in team id order, and whether more follow. */
export async function teamsWithRole(db: Kysely<Database>, orgId: number, roleId: number, page: { offset: number; limit: number }) {
  const rows = await db
    .selectFrom('org_role_teams as r')
    .innerJoin('teams as t', 't.id', 'r.team_id')
    .selectAll('t')
    .where('r.org_id', '=', orgId)
    .where('r.role_id', '=', roleId)
    .orderBy('t.id')
    .limit(page.limit + 1)
    .offset(page.offset)
    .execute();
  return { rows: rows.slice(0, page.limit), hasNext: rows.length > page.limit };
}

/** A holder of a role: directly, and/or through the assigned teams listed (a team's nested teams' members hold it too). */
export interface RoleHolder {
  userId: number;
  direct: boolean;
  teamIds: number[];
}

/**
 * The org members holding a role (directly or through a team), the recursive part: each assigned team with every
 * team nested below it, remembered by the assigned team it came from.
 */
const holdersOf = (orgId: number, roleId: number) => sql`
  with recursive assigned(team_id, root_id) as (
    select team_id, team_id from org_role_teams where org_id = ${orgId} and role_id = ${roleId}
    union
    select t.id, a.root_id from teams t join assigned a on t.parent_id = a.team_id
  ),
  holders(user_id, root_id) as (
    select user_id, cast(null as integer) from org_role_users where org_id = ${orgId} and role_id = ${roleId}
    union all
    select tm.user_id, a.root_id from team_members tm join assigned a on a.team_id = tm.team_id where tm.state = 'active'
  )`;

/** One page of a role's holders who are active members of the org, in user id order, and whether more follow. */
export async function usersWithRole(db: Kysely<Database>, orgId: number, roleId: number, page: { offset: number; limit: number }) {
  const { rows } = await sql<{ user_id: number; root_id: number | null }>`
    ${holdersOf(orgId, roleId)},
    paged(user_id) as (
      select h.user_id from holders h
      join memberships m on m.org_id = ${orgId} and m.user_id = h.user_id and m.state = 'active' and m.role <> 'billing_manager'
      group by h.user_id order by h.user_id limit ${page.limit + 1} offset ${page.offset}
    )
    select distinct h.user_id, h.root_id from holders h join paged p on p.user_id = h.user_id`.execute(db);
  const byUser = new Map<number, RoleHolder>();
  for (const row of rows) {
    const userId = Number(row.user_id);
    const holder = byUser.get(userId) ?? { userId, direct: false, teamIds: [] };
    if (row.root_id === null) holder.direct = true;
    else holder.teamIds.push(Number(row.root_id));
    byUser.set(userId, holder);
  }
  const holders = [...byUser.values()].sort((a, b) => a.userId - b.userId);
  for (const holder of holders) holder.teamIds.sort((a, b) => a - b);
  return { holders: holders.slice(0, page.limit), hasNext: holders.length > page.limit };
}
