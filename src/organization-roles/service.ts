import type { Kysely } from 'kysely';
import { findAccount, findAccountsByIds, lockAccount, type Account } from '../accounts/store.js';
import type { Database } from '../db/schema.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import { recordEvent } from '../events/record.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, notFound } from '../http/errors.js';
import type { PageRequest } from '../http/pagination.js';
import type { Urls } from '../http/urls.js';
import { getMembership } from '../memberships/store.js';
import { actorOf } from '../members/common.js';
import { findTeamBySlug, parentsOf, teamsOfOrgByIds, type TeamRow } from '../teams/store.js';
import { teamRoleAssignment, userRoleAssignment } from './present.js';
import { predefinedRole, type PredefinedRole } from './roles.js';
import { assignTeamRole, assignUserRole, revokeTeamRoles, revokeUserRoles, teamsWithRole, usersWithRole } from './store.js';

/** The role `{role_id}` names: 404 for any other, as GitHub answers for a role that does not exist. */
export function roleNamed(roleId: string): PredefinedRole {
  const role = predefinedRole(roleId);
  if (!role) throw notFound();
  return role;
}

async function userNamed(ctx: AppContext, username: string): Promise<Account> {
  const user = await findAccount(ctx.db, username, 'User');
  if (!user) throw notFound();
  return user;
}

async function teamNamed(db: Kysely<Database>, org: Account, slug: string): Promise<TeamRow> {
  const team = await findTeamBySlug(db, org.id, slug);
  if (!team) throw notFound();
  return team;
}

/** The audit event of one role given or taken (GitHub's `organization_role.assign` / `organization_role.revoke`). */
function roleEvent(action: 'assign' | 'revoke', org: Account, caller: Caller, roleId: number, holder: { user: Account } | { team: TeamRow }, now: string) {
  const role = predefinedRole(roleId)!;
  return {
    action: `organization_role.${action}`,
    actor: actorOf(caller),
    org,
    ...('user' in holder ? { user: holder.user } : {}),
    data: {
      organization_role_id: role.id,
      organization_role_name: role.name,
      ...('team' in holder ? { team: `${org.login}/${holder.team.slug}` } : {}),
    },
    createdAt: now,
  };
}

/** `PUT /orgs/{org}/organization-roles/users/{username}/{role_id}`: members only (422 for anyone else). */
export async function assignRoleToUser(ctx: AppContext, org: Account, caller: Caller, username: string, roleId: string): Promise<void> {
  const role = roleNamed(roleId);
  const user = await userNamed(ctx, username);
  const now = isoSeconds(ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    // Under the org's lock, which removing a member takes too: the member cannot leave between this check and the insert.
    await lockAccount(trx, ctx.dialect, org.id);
    const membership = await getMembership(trx, org.id, user.id);
    if (membership?.state !== 'active' || membership.role === 'billing_manager') {
      throw new ApiError(422, `${user.login} is not a member of the ${org.login} organization.`);
    }
    if (await assignUserRole(trx, org.id, role.id, user.id, now)) await recordEvent(trx, roleEvent('assign', org, caller, role.id, { user }, now));
  });
}

export async function assignRoleToTeam(ctx: AppContext, org: Account, caller: Caller, slug: string, roleId: string): Promise<void> {
  const role = roleNamed(roleId);
  const now = isoSeconds(ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    // Under the org's lock, which deleting a team takes too: the team read here is there until the insert commits.
    await lockAccount(trx, ctx.dialect, org.id);
    const team = await teamNamed(trx, org, slug);
    if (await assignTeamRole(trx, org.id, role.id, team.id, now)) await recordEvent(trx, roleEvent('assign', org, caller, role.id, { team }, now));
  });
}

/** Revokes one role (`roleId`) or every role of a user; revoking what is not held is a 204 all the same. */
export async function revokeRolesOfUser(ctx: AppContext, org: Account, caller: Caller, username: string, roleId?: string): Promise<void> {
  const role = roleId === undefined ? undefined : roleNamed(roleId);
  const user = await userNamed(ctx, username);
  const now = isoSeconds(ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    for (const revoked of await revokeUserRoles(trx, org.id, user.id, role?.id)) {
      await recordEvent(trx, roleEvent('revoke', org, caller, revoked, { user }, now));
    }
  });
}

export async function revokeRolesOfTeam(ctx: AppContext, org: Account, caller: Caller, slug: string, roleId?: string): Promise<void> {
  const role = roleId === undefined ? undefined : roleNamed(roleId);
  const team = await teamNamed(ctx.db, org, slug);
  const now = isoSeconds(ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    for (const revoked of await revokeTeamRoles(trx, org.id, team.id, role?.id)) {
      await recordEvent(trx, roleEvent('revoke', org, caller, revoked, { team }, now));
    }
  });
}

/** `GET /orgs/{org}/organization-roles/{role_id}/teams`: the teams the role is assigned to. */
export async function teamsAssigned(ctx: AppContext, urls: Urls, org: Account, roleId: string, page: PageRequest) {
  const role = roleNamed(roleId);
  const { rows, hasNext } = await teamsWithRole(ctx.db, org.id, role.id, { offset: page.offset, limit: page.perPage });
  const parents = await parentsOf(ctx.db, rows);
  const items = rows.map((team) => teamRoleAssignment(urls, org.login, team, team.parent_id === null ? undefined : parents.get(team.parent_id)));
  return { items, hasNext };
}

/** `GET /orgs/{org}/organization-roles/{role_id}/users`: the members holding the role, directly or through teams. */
export async function usersAssigned(ctx: AppContext, urls: Urls, org: Account, roleId: string, page: PageRequest) {
  const role = roleNamed(roleId);
  const { holders, hasNext } = await usersWithRole(ctx.db, org.id, role.id, { offset: page.offset, limit: page.perPage });
  const users = new Map((await findAccountsByIds(ctx.db, holders.map((h) => h.userId))).map((user) => [user.id, user]));
  const teamIds = [...new Set(holders.flatMap((h) => h.teamIds))];
  const teams = new Map((await teamsOfOrgByIds(ctx.db, org.id, teamIds)).map((team) => [team.id, team]));
  const items = holders.flatMap((holder) => {
    const user = users.get(holder.userId);
    return user ? [userRoleAssignment(urls, org.login, user, holder, teams)] : [];
  });
  return { items, hasNext };
}
