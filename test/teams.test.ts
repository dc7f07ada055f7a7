import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { assertSchema, invite, TEAM_MEMBERSHIP_SCHEMA, startCast, type Cast } from './support/membership.js';
import type { TestServer, TestUser } from './support/server.js';

let cast: Cast;
let t: TestServer;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;

before(async () => {
  cast = await startCast('team');
  ({ t, owner, member, outsider } = cast);
});
after(() => t.close());
const freshOrg = () => cast.freshOrg();
const user = (prefix: string, options?: { scopes?: string[]; email?: string }) => cast.user(prefix, options);

describe('POST /orgs/{org}/teams (teams/create)', () => {
  it('201 team-full: slug from the name, secret by default, the creator its maintainer, team.create recorded', async () => {
    const org = await freshOrg();
    const { data, status } = await owner.octokit.rest.teams.create({ org, name: 'My TEam Näme', description: 'The team' });
    assert.equal(status, 201);
    assert.equal(data.slug, 'my-team-name');
    assert.equal(data.name, 'My TEam Näme');
    assert.equal(data.privacy, 'secret');
    assert.equal(data.notification_setting, 'notifications_enabled');
    assert.equal(data.permission, 'pull');
    assert.equal(data.members_count, 1);
    assert.equal(data.parent, null);
    assert.equal(data.organization.login, org);
    assert.equal(data.html_url, `${t.url}/orgs/${org}/teams/my-team-name`);
    const [event] = await auditEvents(t, { action: 'team.create', org });
    assert.equal(event.data?.team, `${org}/my-team-name`);
  });

  it('a member may create a team; maintainers, privacy, notification setting and permission are taken', async () => {
    const org = await freshOrg();
    const { data } = await member.octokit.rest.teams.create({
      org,
      name: 'Members Own',
      privacy: 'closed',
      notification_setting: 'notifications_disabled',
      permission: 'push',
      maintainers: [owner.login],
    });
    assert.deepEqual([data.privacy, data.notification_setting, data.permission, data.members_count], ['closed', 'notifications_disabled', 'push', 2]);
  });

  it('a child team: closed by default; 422 when secret or when the parent is unknown', async () => {
    const org = await freshOrg();
    const { data: parent } = await owner.octokit.rest.teams.create({ org, name: 'Parent', privacy: 'closed' });
    const { data: child } = await owner.octokit.rest.teams.create({ org, name: 'Child', parent_team_id: parent.id });
    assert.equal(child.privacy, 'closed');
    assert.equal(child.parent?.id, parent.id);
    const { data: bySlug } = await owner.octokit.rest.teams.create({ org, name: 'Child Two', parent_team_slug: 'parent' });
    assert.equal(bySlug.parent?.slug, 'parent');
    await rejectsWith(422, () => owner.octokit.rest.teams.create({ org, name: 'Secret Child', parent_team_id: parent.id, privacy: 'secret' }));
    await rejectsWith(422, () => owner.octokit.rest.teams.create({ org, name: 'Orphan', parent_team_id: 999999 }));
  });

  it('422 for a taken name (any case) or slug, a missing name, a non-member maintainer, unknown repositories', async () => {
    const org = await freshOrg();
    await owner.octokit.rest.teams.create({ org, name: 'Taken' });
    for (const name of ['taken', 'TAKEN!']) {
      const error = await rejectsWith(422, () => owner.octokit.rest.teams.create({ org, name }));
      assert.deepEqual(error.response?.data.errors, [{ resource: 'Team', code: 'custom', field: 'name', message: 'Name must be unique for this org' }]);
    }
    assert.equal((await t.request('POST', `/orgs/${org}/teams`, { token: owner.token, body: {} })).status, 422);
    await rejectsWith(422, () => owner.octokit.rest.teams.create({ org, name: 'M', maintainers: [outsider.login] }));
    await rejectsWith(422, () => owner.octokit.rest.teams.create({ org, name: 'R', repo_names: [`${org}/nothing`] }));
  });

  it('403 for non-members, 401 anonymously; under API version 2026-03-10 `permission` is ignored', async () => {
    const org = await freshOrg();
    await rejectsWith(403, () => outsider.octokit.rest.teams.create({ org, name: 'Nope' }));
    await rejectsWith(401, () => t.octokit().rest.teams.create({ org, name: 'Nope' }));
    const { data } = await t.octokit(owner.token, { version: '2026-03-10' }).rest.teams.create({ org, name: 'Versioned', permission: 'push' });
    assert.equal(data.permission, 'pull');
  });
});

describe('GET /orgs/{org}/teams (teams/list)', () => {
  it('owners see every team; members the closed ones and the secret ones they are on; by slug, paginated', async () => {
    const org = await freshOrg();
    await owner.octokit.rest.teams.create({ org, name: 'b-closed', privacy: 'closed' });
    await owner.octokit.rest.teams.create({ org, name: 'a-secret' });
    await member.octokit.rest.teams.create({ org, name: 'c-own-secret' });
    const { data: all } = await owner.octokit.rest.teams.list({ org });
    assert.deepEqual(all.map((x) => x.slug), ['a-secret', 'b-closed', 'c-own-secret']);
    const { data: visible } = await member.octokit.rest.teams.list({ org });
    assert.deepEqual(visible.map((x) => x.slug), ['b-closed', 'c-own-secret']);
    const page = await owner.octokit.rest.teams.list({ org, per_page: 2 });
    assert.equal(page.data.length, 2);
    assert.match(parseLink(page.headers.link).last, /page=2/);
    const { data: enterprise } = await owner.octokit.rest.teams.list({ org, team_type: 'enterprise' } as never);
    assert.deepEqual(enterprise, []);
  });

  it('403 for non-members, 401 anonymously', async () => {
    const org = await freshOrg();
    await rejectsWith(403, () => outsider.octokit.rest.teams.list({ org }));
    await rejectsWith(401, () => t.octokit().rest.teams.list({ org }));
  });
});

describe('GET /orgs/{org}/teams/{team_slug} (teams/get-by-name)', () => {
  it('200 team-full with members_count; 404 for a secret team the member is not on, an unknown slug, non-members', async () => {
    const org = await freshOrg();
    const { data: created } = await owner.octokit.rest.teams.create({ org, name: 'Hidden' });
    const { data } = await owner.octokit.rest.teams.getByName({ org, team_slug: 'HIDDEN' });
    assertSchema('team-full', data);
    assert.equal(data.id, created.id);
    assert.equal(data.members_count, 1);
    await rejectsWith(404, () => member.octokit.rest.teams.getByName({ org, team_slug: 'hidden' }));
    await rejectsWith(404, () => owner.octokit.rest.teams.getByName({ org, team_slug: 'none' }));
    await owner.octokit.rest.teams.create({ org, name: 'Open', privacy: 'closed' });
    assertSchema('team-full', (await member.octokit.rest.teams.getByName({ org, team_slug: 'open' })).data);
    await rejectsWith(404, () => outsider.octokit.rest.teams.getByName({ org, team_slug: 'open' }));
  });
});

describe('PUT /orgs/{org}/teams/{team_slug}/memberships/{username} (teams/add-or-update-membership-for-user-in-org)', () => {
  it('an org member: active, as member or maintainer; team.add_member recorded', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Squad' });
    const { data } = await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
    assertSchema(TEAM_MEMBERSHIP_SCHEMA, data);
    assert.deepEqual([data.role, data.state], ['member', 'active']);
    assert.equal(data.url, `${t.url}/organizations/${team.organization.id}/team/${team.id}/memberships/${member.login}`);
    const { data: promoted } = await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({
      org,
      team_slug: team.slug,
      username: member.login,
      role: 'maintainer',
    });
    assert.equal(promoted.role, 'maintainer');
    assert.equal((await owner.octokit.rest.teams.getByName({ org, team_slug: team.slug })).data.members_count, 2);
    assert.ok((await auditEvents(t, { action: 'team.add_member', org })).some((e) => e.user === member.login));
    assert.equal((await auditEvents(t, { action: 'team.promote_maintainer', org })).length, 1);
  });

  it('someone outside the org: pending, invited to the org with the team, joined on acceptance as invited', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Invitees', privacy: 'closed' });
    const yan = await user('yan');
    const { data } = await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: yan.login, role: 'maintainer' });
    assertSchema(TEAM_MEMBERSHIP_SCHEMA, data);
    assert.equal(data.state, 'pending');
    const { data: invitations } = await owner.octokit.rest.orgs.listPendingInvitations({ org });
    assert.deepEqual(invitations.map((i) => [i.login, i.team_count]), [[yan.login, 1]]);
    const { data: teams } = await owner.octokit.rest.orgs.listInvitationTeams({ org, invitation_id: invitations[0].id });
    assert.deepEqual(teams.map((x) => x.slug), [team.slug]);
    await yan.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    assert.equal((await owner.octokit.rest.teams.getByName({ org, team_slug: team.slug })).data.members_count, 2);
    // As the team's maintainer, yan may now add members to it.
    const { data: added } = await yan.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
    assert.equal(added.state, 'active');
  });

  it('an invitee: the team joins their pending invitation', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Later' });
    const zed = await user('zed');
    const invitation = await invite(owner, org, zed);
    const { data } = await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: zed.login });
    assert.equal(data.state, 'pending');
    assert.equal((await owner.octokit.rest.orgs.listPendingInvitations({ org })).data[0].team_count, 1);
    assert.equal((await owner.octokit.rest.orgs.listInvitationTeams({ org, invitation_id: invitation.id })).data.length, 1);
  });

  it('403 for members who are not maintainers and for maintainers inviting outsiders; 422 for an organization; 404s', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Guarded', privacy: 'closed' });
    await rejectsWith(403, () => member.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login }));
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login, role: 'maintainer' });
    const error = await rejectsWith(403, () =>
      member.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: outsider.login }),
    );
    assert.match(error.response?.data.message, /organization owner/);
    await rejectsWith(422, () => owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: org }));
    await rejectsWith(404, () => owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: 'none', username: member.login }));
    await rejectsWith(404, () => owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: 'no-such-user' }));
    await rejectsWith(404, () => outsider.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: outsider.login }));
    const bad = await t.request('PUT', `/orgs/${org}/teams/${team.slug}/memberships/${member.login}`, { token: owner.token, body: { role: 'boss' } });
    assert.equal(bad.status, 422);
  });
});

describe('DELETE /orgs/{org}/teams/{team_slug}/memberships/{username} (teams/remove-membership-for-user-in-org)', () => {
  it('204 takes a member off the team (not out of the org); team.remove_member recorded', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Leaving', privacy: 'closed' });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
    const { status } = await owner.octokit.rest.teams.removeMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
    assert.equal(status, 204);
    assert.equal((await owner.octokit.rest.teams.getByName({ org, team_slug: team.slug })).data.members_count, 1);
    assert.equal((await member.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org })).data.state, 'active');
    assert.equal((await auditEvents(t, { action: 'team.remove_member', org })).length, 1);
  });

  it("takes the team off an invitee's invitation", async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Offer' });
    const ada = await user('ada');
    const invitation = await invite(owner, org, ada, { team_ids: [team.id] });
    await owner.octokit.rest.teams.removeMembershipForUserInOrg({ org, team_slug: team.slug, username: ada.login });
    assert.deepEqual((await owner.octokit.rest.orgs.listInvitationTeams({ org, invitation_id: invitation.id })).data, []);
    await ada.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    assert.equal((await owner.octokit.rest.teams.getByName({ org, team_slug: team.slug })).data.members_count, 1);
  });

  it('404 for someone not on the team, 403 for members who are not maintainers', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Fixed', privacy: 'closed' });
    await rejectsWith(404, () => owner.octokit.rest.teams.removeMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login }));
    await rejectsWith(403, () => member.octokit.rest.teams.removeMembershipForUserInOrg({ org, team_slug: team.slug, username: owner.login }));
  });
});
