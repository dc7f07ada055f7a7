import type { Kysely, Selectable } from 'kysely';
import { isStoredId } from '../db/columns.js';
import type { Database, TeamMemberTable, TeamTable } from '../db/schema.js';
import type { UserSummary } from '../users/present.js';

export type TeamRow = Selectable<TeamTable>;
export type TeamRole = TeamMemberTable['role'];
export type TeamMemberRow = Selectable<TeamMemberTable>;

export async function findTeamBySlug(db: Kysely<Database>, orgId: number, slug: string): Promise<TeamRow | undefined> {
  return db.selectFrom('teams').selectAll().where('org_id', '=', orgId).where('slug', '=', slug.toLowerCase()).executeTakeFirst();
}

export async function findTeamById(db: Kysely<Database>, orgId: number, id: number): Promise<TeamRow | undefined> {
  if (!isStoredId(id)) return undefined;
  return db.selectFrom('teams').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** A team of the org (other than `exceptId`, the one being renamed) whose name (case-insensitively) or slug is taken. */
export async function findTeamNamed(db: Kysely<Database>, orgId: number, name: string, slug: string, exceptId?: number): Promise<TeamRow | undefined> {
  let query = db
    .selectFrom('teams')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('slug', '=', slug), eb(eb.fn('lower', ['name']), '=', name.toLowerCase())]));
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return query.executeTakeFirst();
}

/** The org's teams among `ids` (an invitation's `team_ids`: bounded, like every body array, by src/http/json-body.ts), in id order. */
export async function teamsOfOrgByIds(db: Kysely<Database>, orgId: number, ids: number[], page?: { offset: number; limit: number }): Promise<TeamRow[]> {
  ids = ids.filter(isStoredId);
  if (ids.length === 0) return [];
  let query = db.selectFrom('teams').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).orderBy('id');
  if (page) query = query.offset(page.offset).limit(page.limit);
  return query.execute();
}

export async function countTeamsOfOrgByIds(db: Kysely<Database>, orgId: number, ids: number[]): Promise<number> {
  ids = ids.filter(isStoredId);
  if (ids.length === 0) return 0;
  const row = await db
    .selectFrom('teams')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertTeam(
  db: Kysely<Database>,
  values: Omit<TeamRow, 'id' | 'created_at' | 'updated_at'> & { now: string },
): Promise<TeamRow> {
  const { now, ...team } = values;
  return db.insertInto('teams').values({ ...team, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
}

/** The columns a team edit may change. */
export type TeamChanges = Partial<Pick<TeamRow, 'name' | 'slug' | 'description' | 'privacy' | 'notification_setting' | 'permission' | 'parent_id'>>;

export async function updateTeamRow(db: Kysely<Database>, id: number, changes: TeamChanges & { updated_at: string }): Promise<TeamRow> {
  return db.updateTable('teams').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteTeams(db: Kysely<Database>, ids: number[]): Promise<void> {
  // Members (active and pending) go with their teams: team_members cascades.
  if (ids.length) await db.deleteFrom('teams').where('id', 'in', ids).execute();
}

/**
 * Ids of the team and of every team nested below it, at any depth, as a query. UNION (not UNION ALL) stops at a
 * team already reached, so even a cycle could not make it run forever.
 */
function subtreeIds(db: Kysely<Database>, teamId: number) {
  return db
    .withRecursive('subtree(id)', (qb) =>
      qb
        .selectFrom('teams')
        .select('id')
        .where('id', '=', teamId)
        .union((eb) => eb.selectFrom('teams').innerJoin('subtree', 'subtree.id', 'teams.parent_id').select('teams.id')),
    )
    .selectFrom('subtree')
    .select('subtree.id');
}

/** The team and every team nested below it: the team first, then its descendants in id order. */
export async function teamSubtree(db: Kysely<Database>, team: TeamRow): Promise<TeamRow[]> {
  const rows = await db.selectFrom('teams').selectAll().where('id', 'in', subtreeIds(db, team.id)).orderBy('id').execute();
  return [...rows.filter((row) => row.id === team.id), ...rows.filter((row) => row.id !== team.id)];
}

export async function hasChildTeams(db: Kysely<Database>, teamId: number): Promise<boolean> {
  const row = await db.selectFrom('teams').select('id').where('parent_id', '=', teamId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function countActiveTeamMembers(db: Kysely<Database>, teamId: number): Promise<number> {
  const row = await db
    .selectFrom('team_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('team_id', '=', teamId)
    .where('state', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function getTeamMember(db: Kysely<Database>, teamId: number, userId: number): Promise<TeamMemberRow | undefined> {
  return db.selectFrom('team_members').selectAll().where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
}

/** Whether the user is an active member of a team nested below this one (which makes them a member of it too). */
export async function isInheritedTeamMember(db: Kysely<Database>, teamId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('team_members')
    .select('team_id')
    .where('team_id', 'in', subtreeIds(db, teamId))
    .where('team_id', '<>', teamId)
    .where('user_id', '=', userId)
    .where('state', '=', 'active')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** One row of a team's member list: the user, whether they are on it only through a child team, and as a maintainer. */
export interface TeamMemberEntry extends UserSummary {
  inherited: boolean;
  maintainer: boolean;
}

/**
 * One page of a team's active members, with those of its child teams, once each, in user id order. Maintainers are
 * the team's own maintainers and the org's owners on it. `role` keeps maintainers or the others only.
 */
export async function listTeamMembers(
  db: Kysely<Database>,
  team: TeamRow,
  role: 'all' | 'member' | 'maintainer',
  page: { offset: number; limit: number },
): Promise<TeamMemberEntry[]> {
  const members = db
    .selectFrom('team_members as tm')
    .innerJoin('accounts as a', 'a.id', 'tm.user_id')
    .leftJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 'tm.user_id').on('m.org_id', '=', team.org_id).on('m.state', '=', 'active'))
    .where('tm.team_id', 'in', subtreeIds(db, team.id))
    .where('tm.state', '=', 'active')
    .groupBy(['a.id', 'a.login', 'a.type', 'a.site_admin'])
    .select((eb) => [
      'a.id',
      'a.login',
      'a.type',
      'a.site_admin',
      eb.fn.max(eb.case().when('tm.team_id', '=', team.id).then(1).else(0).end()).as('direct'),
      eb.fn
        .max(
          eb
            .case()
            .when(eb.or([eb.and([eb('tm.team_id', '=', team.id), eb('tm.role', '=', 'maintainer')]), eb('m.role', '=', 'admin')]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('maintains'),
    ]);
  let query = db.selectFrom(members.as('member')).selectAll();
  if (role !== 'all') query = query.where('member.maintains', '=', role === 'maintainer' ? 1 : 0);
  const rows = await query.orderBy('member.id').offset(page.offset).limit(page.limit).execute();
  return rows.map(({ direct, maintains, ...user }) => ({ ...user, inherited: Number(direct) === 0, maintainer: Number(maintains) === 1 }));
}

/** Creates or replaces a user's membership of a team. */
export async function putTeamMember(
  db: Kysely<Database>,
  input: { teamId: number; userId: number; role: TeamRole; state: TeamMemberRow['state']; now: string },
): Promise<void> {
  await db
    .insertInto('team_members')
    .values({ team_id: input.teamId, user_id: input.userId, role: input.role, state: input.state, created_at: input.now })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ role: input.role, state: input.state }))
    .execute();
}

export async function deleteTeamMember(db: Kysely<Database>, teamId: number, userId: number): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

/** The user's team memberships in one org in a given state. */
export async function teamMembershipsInOrg(
  db: Kysely<Database>,
  orgId: number,
  userId: number,
  state: TeamMemberRow['state'],
): Promise<TeamMemberRow[]> {
  return db
    .selectFrom('team_members')
    .selectAll()
    .where('user_id', '=', userId)
    .where('state', '=', state)
    .where('team_id', 'in', (eb) => eb.selectFrom('teams').select('id').where('org_id', '=', orgId))
    .execute();
}

/** Drops the pending team memberships an invitation held for the user (on cancel or expiry). */
export async function deletePendingTeamMemberships(db: Kysely<Database>, orgId: number, userId: number): Promise<void> {
  await db
    .deleteFrom('team_members')
    .where('user_id', '=', userId)
    .where('state', '=', 'pending')
    .where('team_id', 'in', (eb) => eb.selectFrom('teams').select('id').where('org_id', '=', orgId))
    .execute();
}

/** Who is asking to see the org's teams: owners see every team, members the visible ones and their own secret ones. */
export interface TeamViewer {
  userId: number;
  owner: boolean;
}

function visibleTeams(db: Kysely<Database>, orgId: number, viewer: TeamViewer) {
  let query = db.selectFrom('teams').where('org_id', '=', orgId);
  if (!viewer.owner) {
    query = query.where((eb) =>
      eb.or([
        eb('privacy', '=', 'closed'),
        eb(
          'id',
          'in',
          eb.selectFrom('team_members').select('team_id').where('user_id', '=', viewer.userId).where('state', '=', 'active'),
        ),
      ]),
    );
  }
  return query;
}

export async function isTeamVisible(db: Kysely<Database>, team: TeamRow, viewer: TeamViewer): Promise<boolean> {
  const row = await visibleTeams(db, team.org_id, viewer).select('id').where('id', '=', team.id).executeTakeFirst();
  return row !== undefined;
}

/** One page of the teams the viewer may see, by slug; teams per org are few, so the total is counted. */
export async function listVisibleTeams(
  db: Kysely<Database>,
  orgId: number,
  viewer: TeamViewer,
  page: { offset: number; limit: number },
): Promise<{ rows: TeamRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    visibleTeams(db, orgId, viewer).selectAll().orderBy('slug').orderBy('id').offset(page.offset).limit(page.limit).execute(),
    visibleTeams(db, orgId, viewer).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Parent teams of the given teams, by id. */
export async function parentsOf(db: Kysely<Database>, teams: TeamRow[]): Promise<Map<number, TeamRow>> {
  const ids = [...new Set(teams.map((t) => t.parent_id).filter((id): id is number => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('teams').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row]));
}
