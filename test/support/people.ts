import { isoSeconds } from '../../src/clock.js';
import { findAccount } from '../../src/accounts/store.js';
import type { TestServer, TestUser } from './server.js';
import { addMembership } from './foundation.js';

/** Helpers of the members, public members, outside collaborators and blocks tests. */

/** A new token of `login` with exactly `scopes`. */
export async function tokenFor(t: TestServer, login: string, scopes: string[]): Promise<string> {
  const response = await t.request('POST', `/admin/users/${login}/authorizations`, { token: t.admin.token, body: { scopes } });
  if (response.status !== 201) throw new Error(`tokenFor ${login}: ${response.status} ${response.text}`);
  return response.body.token;
}

/** Sets a user's two-factor state through the orghub admin extension. */
export async function setTwoFactor(t: TestServer, login: string, state: 'enabled' | 'disabled' | 'insecure'): Promise<void> {
  const response = await t.request('PUT', `/admin/users/${login}/two_factor`, { token: t.admin.token, body: { state } });
  if (response.status !== 204) throw new Error(`setTwoFactor ${login}: ${response.status} ${response.text}`);
}

export const loginsOf = (users: { login: string }[]) => users.map((u) => u.login);

/**
 * Puts `login` on a team of `org` (created if missing) straight in the store: the teams routes belong to
 * another part of the membership work, and these tests only need a team membership to exist.
 */
export async function putOnTeam(t: TestServer, org: string, slug: string, login: string): Promise<number> {
  const { db } = t.server.ctx;
  const orgRow = (await findAccount(db, org, 'Organization'))!;
  const user = (await findAccount(db, login, 'User'))!;
  const now = isoSeconds(t.clock.now());
  let team = await db.selectFrom('teams').select('id').where('org_id', '=', orgRow.id).where('slug', '=', slug).executeTakeFirst();
  team ??= await db
    .insertInto('teams')
    .values({
      org_id: orgRow.id, name: slug, slug, description: null, privacy: 'closed', notification_setting: 'notifications_enabled',
      permission: 'pull', parent_id: null, created_at: now, updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('team_members').values({ team_id: team.id, user_id: user.id, role: 'member', state: 'active', created_at: now }).execute();
  return team.id;
}

/** Team ids of `org` that `login` belongs to. */
export async function teamsOf(t: TestServer, org: string, login: string): Promise<number[]> {
  const { db } = t.server.ctx;
  const orgRow = (await findAccount(db, org, 'Organization'))!;
  const user = (await findAccount(db, login, 'User'))!;
  const rows = await db
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.id', 'team_members.team_id')
    .select('teams.id')
    .where('teams.org_id', '=', orgRow.id)
    .where('team_members.user_id', '=', user.id)
    .execute();
  return rows.map((r) => r.id);
}

/** An org owned by `<prefix>-owner` with concealed members `<prefix>-m1…mN` (`publicFirst`: m1 publicized). */
export async function orgWithMembers(t: TestServer, prefix: string, count: number, options: { publicFirst?: boolean } = {}) {
  const owner = await t.createUser(`${prefix}-owner`);
  const org = await t.createOrg(`${prefix}-org`, owner.login);
  const members: TestUser[] = [];
  for (let i = 1; i <= count; i++) {
    const user = await t.createUser(`${prefix}-m${i}`);
    await addMembership(t, org.login, user.login, { public: options.publicFirst === true && i === 1 });
    members.push(user);
  }
  return { owner, org: org.login, members };
}
