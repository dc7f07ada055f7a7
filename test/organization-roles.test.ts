import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember } from './support/membership.js';
import { answerForStoreRefusal } from '../src/http/store-refusals.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

const SECURITY_MANAGER = 138;
const ALL_REPO_READ = 8132;

let t: TestServer;
let owner: TestUser;
let member: TestUser;
let second: TestUser;
let outsider: TestUser;
let org: string;

const assignUser = (caller: TestUser, username: string, roleId: number | string, inOrg = org) =>
  caller.octokit.request('PUT /orgs/{org}/organization-roles/users/{username}/{role_id}', { org: inOrg, username, role_id: roleId as number });
const assignTeam = (caller: TestUser, teamSlug: string, roleId: number | string) =>
  caller.octokit.request('PUT /orgs/{org}/organization-roles/teams/{team_slug}/{role_id}', { org, team_slug: teamSlug, role_id: roleId as number });
const roleUsers = (caller: TestUser, roleId: number, query: { per_page?: number; page?: number } = {}) =>
  caller.octokit.request('GET /orgs/{org}/organization-roles/{role_id}/users', { org, role_id: roleId, ...query });
const roleTeams = (caller: TestUser, roleId: number) =>
  caller.octokit.request('GET /orgs/{org}/organization-roles/{role_id}/teams', { org, role_id: roleId });
const createTeam = async (name: string, extra: { parent_team_id?: number } = {}) =>
  (await owner.octokit.rest.teams.create({ org, name, privacy: 'closed', ...extra })).data;
const addToTeam = (teamSlug: string, username: string) =>
  owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: teamSlug, username });

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('or-owner');
  member = await t.createUser('or-member');
  second = await t.createUser('or-second');
  outsider = await t.createUser('or-outsider');
  ({ login: org } = await t.createOrg('or-org', owner.login));
  await addMember(owner, org, member);
  await addMember(owner, org, second);
});
after(() => t.close());

describe('GET /orgs/{org}/organization-roles (orgs/list-org-roles)', () => {
  it("200 {total_count, roles}: GitHub's predefined roles, security_manager among them, in every org", async () => {
    const { data } = await owner.octokit.request('GET /orgs/{org}/organization-roles', { org });
    assert.equal(data.total_count, data.roles!.length);
    const names = data.roles!.map((role) => role.name);
    for (const name of ['security_manager', 'all_repo_read', 'all_repo_triage', 'all_repo_write', 'all_repo_maintain', 'all_repo_admin', 'ci_cd_admin']) {
      assert.ok(names.includes(name), name);
    }
    const read = data.roles!.find((role) => role.name === 'all_repo_read')!;
    assert.deepEqual([read.id, read.base_role, read.source, read.organization], [ALL_REPO_READ, 'read', 'Predefined', null]);
    const { login: other } = await t.createOrg('or-other', owner.login);
    const { data: again } = await owner.octokit.request('GET /orgs/{org}/organization-roles', { org: other });
    assert.deepEqual(again, data);
  });

  it('404 for members and outsiders, 401 anonymously, 403 without admin:org', async () => {
    await rejectsWith(404, () => member.octokit.request('GET /orgs/{org}/organization-roles', { org }));
    await rejectsWith(404, () => outsider.octokit.request('GET /orgs/{org}/organization-roles', { org }));
    await rejectsWith(404, () => owner.octokit.request('GET /orgs/{org}/organization-roles', { org: 'no-such-org' }));
    await rejectsWith(401, () => t.octokit().request('GET /orgs/{org}/organization-roles', { org }));
    const limited = await t.createUser('or-limited', { scopes: ['read:org'] });
    await addMembership(t, org, limited.login, { role: 'admin' });
    await rejectsWith(403, () => limited.octokit.request('GET /orgs/{org}/organization-roles', { org }));
  });
});

describe('GET /orgs/{org}/organization-roles/{role_id} (orgs/get-org-role)', () => {
  it('200 organization-role', async () => {
    const { data } = await owner.octokit.request('GET /orgs/{org}/organization-roles/{role_id}', { org, role_id: SECURITY_MANAGER });
    assert.deepEqual([data.id, data.name, data.source], [SECURITY_MANAGER, 'security_manager', 'Predefined']);
    assert.ok(data.permissions.length > 0);
  });

  it('404 for an unknown role id, and for members', async () => {
    await rejectsWith(404, () => owner.octokit.request('GET /orgs/{org}/organization-roles/{role_id}', { org, role_id: 999999 }));
    assert.equal((await t.request('GET', `/orgs/${org}/organization-roles/abc`, { token: owner.token })).status, 404);
    await rejectsWith(404, () => member.octokit.request('GET /orgs/{org}/organization-roles/{role_id}', { org, role_id: SECURITY_MANAGER }));
  });
});

describe('PUT /orgs/{org}/organization-roles/users/{username}/{role_id} (orgs/assign-user-to-org-role)', () => {
  it('204; the user holds the role; organization_role.assign recorded once however often it is assigned', async () => {
    assert.equal((await assignUser(owner, member.login, ALL_REPO_READ)).status, 204);
    assert.equal((await assignUser(owner, member.login, ALL_REPO_READ)).status, 204);
    const { data } = await roleUsers(owner, ALL_REPO_READ);
    assert.deepEqual(data.map((u) => [u.login, u.assignment, u.inherited_from]), [[member.login, 'direct', []]]);
    const events = await auditEvents(t, { action: 'organization_role.assign', org });
    assert.equal(events.length, 1);
    assert.equal(events[0].user, member.login);
    assert.deepEqual(events[0].data, { organization_role_id: ALL_REPO_READ, organization_role_name: 'all_repo_read' });
  });

  it('422 when the user is not a member of the organization', async () => {
    const refused = await rejectsWith(422, () => assignUser(owner, outsider.login, ALL_REPO_READ));
    assert.match(refused.response?.data.message, /is not a member/);
  });

  it('404 for an unknown user or role, and for members', async () => {
    await rejectsWith(404, () => assignUser(owner, 'nobody-here', ALL_REPO_READ));
    await rejectsWith(404, () => assignUser(owner, member.login, 4242));
    await rejectsWith(404, () => assignUser(member, second.login, ALL_REPO_READ));
  });

  it('204 or 422 when the member is removed meanwhile, and a removed member keeps no role to come back to', async () => {
    const leaving = await t.createUser('or-leaving');
    const ROLE = 8134; // all_repo_write: held by no one else in this file
    for (let round = 0; round < 80; round++) {
      await addMembership(t, org, leaving.login);
      // Either request first, so that each of them meets the other at every step.
      const put = () => t.request('PUT', `/orgs/${org}/organization-roles/users/${leaving.login}/${ROLE}`, { token: owner.token });
      const remove = () => t.request('DELETE', `/orgs/${org}/members/${leaving.login}`, { token: owner.token });
      const [assigned, removed] = round % 2 === 0 ? await Promise.all([put(), remove()]) : (await Promise.all([remove(), put()])).reverse();
      assert.equal(removed.status, 204);
      assert.ok([204, 422].includes(assigned.status), `round ${round}: ${assigned.status} ${assigned.text}`);
    }
    await addMembership(t, org, leaving.login);
    const { data } = await roleUsers(owner, ROLE);
    assert.ok(!data.some((u) => u.login === leaving.login), 'the role went with the membership');
  });
});

describe('DELETE /orgs/{org}/organization-roles/users/{username}/{role_id} (orgs/revoke-org-role-user)', () => {
  it('204; the role is gone; organization_role.revoke recorded; revoking again is a 204', async () => {
    await assignUser(owner, second.login, ALL_REPO_READ);
    const path = 'DELETE /orgs/{org}/organization-roles/users/{username}/{role_id}' as const;
    assert.equal((await owner.octokit.request(path, { org, username: second.login, role_id: ALL_REPO_READ })).status, 204);
    assert.ok(!(await roleUsers(owner, ALL_REPO_READ)).data.some((u) => u.login === second.login));
    assert.equal((await owner.octokit.request(path, { org, username: second.login, role_id: ALL_REPO_READ })).status, 204);
    const revoked = await auditEvents(t, { action: 'organization_role.revoke', org });
    assert.equal(revoked.filter((e) => e.user === second.login).length, 1);
  });

  it('404 for members', async () => {
    await rejectsWith(404, () =>
      member.octokit.request('DELETE /orgs/{org}/organization-roles/users/{username}/{role_id}', { org, username: member.login, role_id: ALL_REPO_READ }),
    );
  });
});

describe('DELETE /orgs/{org}/organization-roles/users/{username} (orgs/revoke-all-org-roles-user)', () => {
  it('204; every role of the user is revoked, one organization_role.revoke each', async () => {
    const user = await t.createUser('or-many');
    await addMember(owner, org, user);
    await assignUser(owner, user.login, ALL_REPO_READ);
    await assignUser(owner, user.login, SECURITY_MANAGER);
    const { status } = await owner.octokit.request('DELETE /orgs/{org}/organization-roles/users/{username}', { org, username: user.login });
    assert.equal(status, 204);
    for (const role of [ALL_REPO_READ, SECURITY_MANAGER]) assert.ok(!(await roleUsers(owner, role)).data.some((u) => u.login === user.login));
    const revoked = (await auditEvents(t, { action: 'organization_role.revoke', org })).filter((e) => e.user === user.login);
    assert.equal(revoked.length, 2);
  });

  it('404 for an unknown user and for members', async () => {
    await rejectsWith(404, () => owner.octokit.request('DELETE /orgs/{org}/organization-roles/users/{username}', { org, username: 'nobody-here' }));
    await rejectsWith(404, () => member.octokit.request('DELETE /orgs/{org}/organization-roles/users/{username}', { org, username: member.login }));
  });
});

describe('PUT /orgs/{org}/organization-roles/teams/{team_slug}/{role_id} (orgs/assign-team-to-org-role)', () => {
  it("204; the team's members and its child teams' members hold the role, indirectly, through it", async () => {
    const parent = await createTeam('Or Security');
    const child = await createTeam('Or Security Child', { parent_team_id: parent.id });
    await addToTeam(parent.slug, second.login);
    const nested = await t.createUser('or-nested');
    await addMember(owner, org, nested);
    await addToTeam(child.slug, nested.login);
    assert.equal((await assignTeam(owner, parent.slug, SECURITY_MANAGER)).status, 204);
    await assignUser(owner, second.login, SECURITY_MANAGER);

    const { data: teams } = await roleTeams(owner, SECURITY_MANAGER);
    assert.deepEqual(teams.map((team) => [team.slug, team.assignment]), [[parent.slug, 'direct']]);
    const { data: users } = await roleUsers(owner, SECURITY_MANAGER);
    const byLogin = new Map(users.map((u) => [u.login, u]));
    assert.equal(byLogin.get(second.login)?.assignment, 'mixed');
    assert.equal(byLogin.get(nested.login)?.assignment, 'indirect');
    assert.deepEqual(byLogin.get(nested.login)?.inherited_from?.map((team) => team.slug), [parent.slug]);
    const events = await auditEvents(t, { action: 'organization_role.assign', org });
    assert.ok(events.some((e) => e.data?.team === `${org}/${parent.slug}`));
  });

  it('404 for an unknown team or role, and for members', async () => {
    const team = await createTeam('Or Plain');
    await rejectsWith(404, () => assignTeam(owner, 'no-such-team', SECURITY_MANAGER));
    await rejectsWith(404, () => assignTeam(owner, team.slug, 777));
    await rejectsWith(404, () => assignTeam(member, team.slug, SECURITY_MANAGER));
  });

  it('204 or 404, never a server error, when the team is deleted while the role is being assigned', async () => {
    for (let round = 0; round < 30; round++) {
      const team = await createTeam(`Or Vanishing ${round}`);
      const path = `/orgs/${org}/organization-roles/teams/${team.slug}/${SECURITY_MANAGER}`;
      const [assigned, deleted] = await Promise.all([
        t.request('PUT', path, { token: owner.token }),
        t.request('DELETE', `/orgs/${org}/teams/${team.slug}`, { token: owner.token }),
      ]);
      assert.equal(deleted.status, 204);
      assert.ok([204, 404].includes(assigned.status), `round ${round}: ${assigned.status} ${assigned.text}`);
      if (assigned.status === 404) assert.equal(assigned.body.message, 'Not Found');
    }
    const { data: teams } = await roleTeams(owner, SECURITY_MANAGER);
    assert.ok(!teams.some((team) => team.slug.startsWith('or-vanishing')), 'no deleted team keeps the role');
  });

  it("the store's refusal of a reference to a deleted row is answered 404 (what the race above can meet)", async () => {
    const orgId = (await owner.octokit.rest.orgs.get({ org })).data.id;
    const refusal = await t.server.ctx.db
      .insertInto('org_role_teams')
      .values({ org_id: orgId, role_id: SECURITY_MANAGER, team_id: 2_000_000_000, created_at: new Date().toISOString() })
      .execute()
      .then(() => undefined, (error: unknown) => error);
    assert.ok(refusal, 'the store refuses a team that does not exist');
    assert.equal(answerForStoreRefusal(refusal, 'Team')?.status, 404);
  });
});

describe('DELETE /orgs/{org}/organization-roles/teams/{team_slug}/{role_id} (orgs/revoke-org-role-team)', () => {
  it("204; the team's members no longer hold the role through it", async () => {
    const team = await createTeam('Or Revoked');
    const user = await t.createUser('or-via-team');
    await addMember(owner, org, user);
    await addToTeam(team.slug, user.login);
    await assignTeam(owner, team.slug, ALL_REPO_READ);
    assert.ok((await roleUsers(owner, ALL_REPO_READ)).data.some((u) => u.login === user.login));
    const { status } = await owner.octokit.request('DELETE /orgs/{org}/organization-roles/teams/{team_slug}/{role_id}', {
      org,
      team_slug: team.slug,
      role_id: ALL_REPO_READ,
    });
    assert.equal(status, 204);
    assert.ok(!(await roleUsers(owner, ALL_REPO_READ)).data.some((u) => u.login === user.login));
    const events = await auditEvents(t, { action: 'organization_role.revoke', org });
    assert.ok(events.some((e) => e.data?.team === `${org}/${team.slug}`));
  });
});

describe('DELETE /orgs/{org}/organization-roles/teams/{team_slug} (orgs/revoke-all-org-roles-team)', () => {
  it('204; every role of the team is revoked', async () => {
    const team = await createTeam('Or All Roles');
    await assignTeam(owner, team.slug, ALL_REPO_READ);
    await assignTeam(owner, team.slug, SECURITY_MANAGER);
    const { status } = await owner.octokit.request('DELETE /orgs/{org}/organization-roles/teams/{team_slug}', { org, team_slug: team.slug });
    assert.equal(status, 204);
    for (const role of [ALL_REPO_READ, SECURITY_MANAGER]) assert.ok(!(await roleTeams(owner, role)).data.some((x) => x.slug === team.slug));
  });

  it('404 for an unknown team and for members', async () => {
    await rejectsWith(404, () => owner.octokit.request('DELETE /orgs/{org}/organization-roles/teams/{team_slug}', { org, team_slug: 'no-such-team' }));
    await rejectsWith(404, () => member.octokit.request('DELETE /orgs/{org}/organization-roles/teams/{team_slug}', { org, team_slug: 'or-plain' }));
  });
});

describe('GET /orgs/{org}/organization-roles/{role_id}/teams (orgs/list-org-role-teams)', () => {
  it('200 team-role-assignment list; 404 for an unknown role and for members', async () => {
    const { data } = await roleTeams(owner, SECURITY_MANAGER);
    assert.ok(data.every((team) => team.assignment === 'direct' && team.type === 'organization'));
    await rejectsWith(404, () => roleTeams(owner, 31337));
    await rejectsWith(404, () => roleTeams(member, SECURITY_MANAGER));
  });
});

describe('GET /orgs/{org}/organization-roles/{role_id}/users (orgs/list-org-role-users)', () => {
  it('pages with Link; members who leave the org lose the roles they held directly', async () => {
    const { data: all } = await roleUsers(owner, SECURITY_MANAGER);
    assert.ok(all.length >= 2);
    const first = await roleUsers(owner, SECURITY_MANAGER, { per_page: 1 });
    assert.equal(first.data.length, 1);
    assert.ok(parseLink(first.headers.link).next);
    const last = await roleUsers(owner, SECURITY_MANAGER, { per_page: 1, page: all.length });
    assert.equal(last.data[0].login, all[all.length - 1].login);
    assert.equal(parseLink(last.headers.link).next, undefined);

    await owner.octokit.rest.orgs.removeMember({ org, username: second.login });
    assert.ok(!(await roleUsers(owner, SECURITY_MANAGER)).data.some((u) => u.login === second.login));
    // The direct assignment went with the membership: joining again gives no role back.
    await addMember(owner, org, second);
    const back = (await roleUsers(owner, SECURITY_MANAGER)).data.find((u) => u.login === second.login);
    assert.equal(back, undefined);
  });

  it('404 for an unknown role and for members', async () => {
    await rejectsWith(404, () => roleUsers(owner, 31337));
    await rejectsWith(404, () => roleUsers(member, SECURITY_MANAGER));
  });
});
