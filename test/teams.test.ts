import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findAccount } from '../src/accounts/store.js';
import { auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember, invite, startCast, type Cast } from './support/membership.js';
import type { TestServer, TestUser } from './support/server.js';
import { hookedReceiver } from './support/webhooks.js';

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

/** The org's teams, team members and audit events as stored: what a refused request leaves as it was. */
async function stored(org: string) {
  const { db } = t.server.ctx;
  const orgId = (await findAccount(db, org))!.id;
  const teams = await db.selectFrom('teams').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
  const members = await db.selectFrom('team_members').selectAll().where('team_id', 'in', [0, ...teams.map((team) => team.id)]).orderBy('team_id').orderBy('user_id').execute();
  return { teams, members, events: (await auditEvents(t, { org })).length };
}

/** A closed team made by the owner, with `maintainer` (an org member) as its maintainer. */
async function teamMaintainedBy(org: string, name: string, maintainer: TestUser, extra: { parent_team_id?: number } = {}) {
  const { data } = await owner.octokit.rest.teams.create({ org, name, privacy: 'closed', ...extra });
  await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: data.slug, username: maintainer.login, role: 'maintainer' });
  return data;
}

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

  it('a child team: closed by default; 422 when secret, when its parent is secret, or when the parent is unknown', async () => {
    const org = await freshOrg();
    const { data: parent } = await owner.octokit.rest.teams.create({ org, name: 'Parent', privacy: 'closed' });
    const { data: child } = await owner.octokit.rest.teams.create({ org, name: 'Child', parent_team_id: parent.id });
    assert.equal(child.privacy, 'closed');
    assert.equal(child.parent?.id, parent.id);
    const { data: bySlug } = await owner.octokit.rest.teams.create({ org, name: 'Child Two', parent_team_slug: 'parent' });
    assert.equal(bySlug.parent?.slug, 'parent');
    await rejectsWith(422, () => owner.octokit.rest.teams.create({ org, name: 'Secret Child', parent_team_id: parent.id, privacy: 'secret' }));
    const { data: secret } = await owner.octokit.rest.teams.create({ org, name: 'Secret Parent' });
    await rejectsWith(422, () => owner.octokit.rest.teams.create({ org, name: 'Under Secret', parent_team_id: secret.id }));
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
    assert.equal(data.id, created.id);
    assert.equal(data.members_count, 1);
    await rejectsWith(404, () => member.octokit.rest.teams.getByName({ org, team_slug: 'hidden' }));
    await rejectsWith(404, () => owner.octokit.rest.teams.getByName({ org, team_slug: 'none' }));
    await owner.octokit.rest.teams.create({ org, name: 'Open', privacy: 'closed' });
    assert.equal((await member.octokit.rest.teams.getByName({ org, team_slug: 'open' })).data.slug, 'open');
    await rejectsWith(404, () => outsider.octokit.rest.teams.getByName({ org, team_slug: 'open' }));
  });
});

describe('PUT /orgs/{org}/teams/{team_slug}/memberships/{username} (teams/add-or-update-membership-for-user-in-org)', () => {
  it('an org member: active, as member or maintainer; team.add_member recorded', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Squad' });
    const { data } = await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
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

describe('PATCH /orgs/{org}/teams/{team_slug} (teams/update-in-org)', () => {
  it('200 team-full: the slug follows a new name; description, privacy, notification setting and permission are set; the old slug is gone', async () => {
    const org = await freshOrg();
    const { data: created } = await owner.octokit.rest.teams.create({ org, name: 'Before' });
    const { data, status } = await owner.octokit.rest.teams.updateInOrg({
      org,
      team_slug: 'before',
      name: 'After Näme',
      description: 'Now described',
      privacy: 'closed',
      notification_setting: 'notifications_disabled',
      permission: 'push',
    });
    assert.equal(status, 200);
    assert.deepEqual(
      [data.id, data.name, data.slug, data.description, data.privacy, data.notification_setting, data.permission],
      [created.id, 'After Näme', 'after-name', 'Now described', 'closed', 'notifications_disabled', 'push'],
    );
    assert.equal(data.html_url, `${t.url}/orgs/${org}/teams/after-name`);
    assert.equal((await member.octokit.rest.teams.getByName({ org, team_slug: 'after-name' })).data.id, created.id);
    await rejectsWith(404, () => owner.octokit.rest.teams.getByName({ org, team_slug: 'before' }));
  });

  it("records GitHub's audit actions: team.rename, team.change_privacy, and team.update for the other settings", async () => {
    const org = await freshOrg();
    await owner.octokit.rest.teams.create({ org, name: 'Audited' });
    await owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'audited', name: 'Audited Renamed', privacy: 'closed', description: 'd' });
    const events = (await auditEvents(t, { org })).filter((e) => !['team.create', 'team.add_member', 'org.create', 'org.add_member', 'org.invite_member'].includes(e.action));
    assert.deepEqual(
      events.map((e) => [e.action, e.actor, e.data]),
      [
        ['team.rename', owner.login, { team: `${org}/audited-renamed`, name: 'Audited Renamed', name_was: 'Audited' }],
        ['team.change_privacy', owner.login, { team: `${org}/audited-renamed`, privacy: 'closed', privacy_was: 'secret' }],
        ['team.update', owner.login, { team: `${org}/audited-renamed`, changes: { description: 'd' } }],
      ],
    );
  });

  it('an edit that changes nothing answers the team as it is: no new updated_at, no audit event', async () => {
    const org = await freshOrg();
    const { data: created } = await owner.octokit.rest.teams.create({ org, name: 'Same', description: 'kept' });
    const before = await stored(org);
    t.clock.advance(60_000);
    const { data } = await owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'same', name: 'Same', description: 'kept', privacy: 'secret' });
    assert.equal(data.updated_at, created.updated_at);
    assert.deepEqual(await stored(org), before);
  });

  it('renaming to another case of its own name is allowed; a name or slug another team has is a 422 with nothing written', async () => {
    const org = await freshOrg();
    await owner.octokit.rest.teams.create({ org, name: 'First' });
    await owner.octokit.rest.teams.create({ org, name: 'Second' });
    assert.equal((await owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'first', name: 'FIRST' })).data.slug, 'first');
    const before = await stored(org);
    for (const name of ['second', 'Second!']) {
      const error = await rejectsWith(422, () => owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'first', name }));
      assert.deepEqual(error.response?.data.errors, [{ resource: 'Team', code: 'custom', field: 'name', message: 'Name must be unique for this org' }]);
    }
    await rejectsWith(422, () => owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'first', name: '!!!' }));
    assert.deepEqual(await stored(org), before);
  });

  it('parent_team_id nests the team and null takes it out again; each move records team.change_parent_team', async () => {
    const org = await freshOrg();
    const { data: parent } = await owner.octokit.rest.teams.create({ org, name: 'Parent', privacy: 'closed' });
    await owner.octokit.rest.teams.create({ org, name: 'Child', privacy: 'closed' });
    const { data: nested } = await owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'child', parent_team_id: parent.id });
    assert.equal(nested.parent?.id, parent.id);
    const { data: bySlug } = await owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'child', parent_team_id: null, parent_team_slug: 'parent' });
    assert.equal(bySlug.parent, null, 'parent_team_slug is ignored when parent_team_id is given');
    const { data: again } = await owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'child', parent_team_slug: 'parent' });
    assert.equal(again.parent?.slug, 'parent');
    const moves = await auditEvents(t, { action: 'team.change_parent_team', org });
    assert.deepEqual(
      moves.map((e) => [e.data?.parent_team, e.data?.parent_team_was]),
      [[`${org}/parent`, null], [null, `${org}/parent`], [`${org}/parent`, null]],
    );
  });

  it('422 with nothing written: nesting under itself or a child team, a secret child, a secret parent, a parent made secret, an unknown parent', async () => {
    const org = await freshOrg();
    const { data: top } = await owner.octokit.rest.teams.create({ org, name: 'Top', privacy: 'closed' });
    const { data: middle } = await owner.octokit.rest.teams.create({ org, name: 'Middle', parent_team_id: top.id });
    const { data: bottom } = await owner.octokit.rest.teams.create({ org, name: 'Bottom', parent_team_id: middle.id });
    const { data: secret } = await owner.octokit.rest.teams.create({ org, name: 'Secret' });
    const before = await stored(org);
    const refused = [
      { team_slug: 'top', parent_team_id: top.id },
      { team_slug: 'top', parent_team_id: bottom.id },
      { team_slug: 'middle', privacy: 'secret' as const },
      { team_slug: 'secret', parent_team_id: top.id },
      { team_slug: 'bottom', parent_team_id: secret.id },
      { team_slug: 'top', privacy: 'secret' as const },
      { team_slug: 'top', parent_team_id: 999_999 },
      { team_slug: 'top', parent_team_slug: 'nothing-here' },
    ];
    for (const body of refused) {
      const error = await rejectsWith(422, () => owner.octokit.rest.teams.updateInOrg({ org, ...body }));
      assert.equal(error.response?.data.errors?.[0].resource, 'Team', JSON.stringify(body));
    }
    assert.deepEqual(await stored(org), before);
  });

  it("a team's maintainer may edit it but not move it (403); other members 403; 404 for what the caller may not see; 401 anonymously", async () => {
    const org = await freshOrg();
    const team = await teamMaintainedBy(org, 'Maintained', member);
    const { data: edited } = await member.octokit.rest.teams.updateInOrg({ org, team_slug: team.slug, description: 'by its maintainer' });
    assert.equal(edited.description, 'by its maintainer');
    const { data: other } = await owner.octokit.rest.teams.create({ org, name: 'Other', privacy: 'closed' });
    await owner.octokit.rest.teams.create({ org, name: 'Hidden' });
    const before = await stored(org);
    const moved = await rejectsWith(403, () => member.octokit.rest.teams.updateInOrg({ org, team_slug: team.slug, parent_team_id: other.id }));
    assert.match(moved.response?.data.message, /organization owner/);
    await rejectsWith(403, () => member.octokit.rest.teams.updateInOrg({ org, team_slug: other.slug, description: 'not mine' }));
    await rejectsWith(404, () => member.octokit.rest.teams.updateInOrg({ org, team_slug: 'hidden', description: 'x' }));
    await rejectsWith(404, () => outsider.octokit.rest.teams.updateInOrg({ org, team_slug: other.slug, description: 'x' }));
    await rejectsWith(404, () => owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'none', description: 'x' }));
    await rejectsWith(401, () => t.octokit().rest.teams.updateInOrg({ org, team_slug: other.slug, description: 'x' }));
    assert.deepEqual(await stored(org), before);
  });

  it('sends one `team` `edited` webhook per edit, with every field it changed, valid against GitHub\'s team-edited schema', async (test) => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Hooked', description: 'old' });
    const receiver = await hookedReceiver(test, owner, org, ['team']);
    await owner.octokit.rest.teams.updateInOrg({ org, team_slug: team.slug, name: 'Hooked Renamed', privacy: 'closed', description: 'new' });
    await owner.octokit.rest.teams.updateInOrg({ org, team_slug: 'hooked-renamed', notification_setting: 'notifications_disabled' });
    const [first, second] = (await receiver.waitFor(3)).filter((d) => d.event === 'team');
    assert.equal(first.action, 'edited');
    assert.deepEqual(first.payload.changes, { name: { from: 'Hooked' }, privacy: { from: 'secret' }, description: { from: 'old' } });
    assert.equal(first.payload.team.slug, 'hooked-renamed');
    assert.deepEqual(second.payload.changes, { notification_setting: { from: 'notifications_enabled' } });
    assert.equal(receiver.deliveries.filter((d) => d.event === 'team').length, 2);
  });
});

describe('DELETE /orgs/{org}/teams/{team_slug} (teams/delete-in-org)', () => {
  it('204 deletes the team and its child teams at any depth, their members and their place on invitations; team.destroy for each', async () => {
    const org = await freshOrg();
    const { data: top } = await owner.octokit.rest.teams.create({ org, name: 'Doomed', privacy: 'closed' });
    const { data: child } = await owner.octokit.rest.teams.create({ org, name: 'Doomed Child', parent_team_id: top.id });
    await owner.octokit.rest.teams.create({ org, name: 'Doomed Grandchild', parent_team_id: child.id });
    const { data: kept } = await owner.octokit.rest.teams.create({ org, name: 'Kept', privacy: 'closed' });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: child.slug, username: member.login });
    const invitee = await user('doomed-invitee');
    await invite(owner, org, invitee, { team_ids: [child.id, kept.id] });
    const { status } = await owner.octokit.rest.teams.deleteInOrg({ org, team_slug: top.slug });
    assert.equal(status, 204);
    const { data: left } = await owner.octokit.rest.teams.list({ org });
    assert.deepEqual(left.map((x) => x.slug), ['kept']);
    for (const slug of ['doomed', 'doomed-child', 'doomed-grandchild']) await rejectsWith(404, () => owner.octokit.rest.teams.getByName({ org, team_slug: slug }));
    assert.deepEqual([...new Set((await stored(org)).members.map((row) => row.team_id))], [kept.id], 'only the kept team has members');
    const [invitation] = (await owner.octokit.rest.orgs.listPendingInvitations({ org })).data;
    assert.equal(invitation.team_count, 1);
    const destroyed = await auditEvents(t, { action: 'team.destroy', org });
    assert.deepEqual(destroyed.map((e) => e.data?.team), [`${org}/doomed`, `${org}/doomed-child`, `${org}/doomed-grandchild`]);
  });

  it("a team's maintainer may delete it when it has no child teams; one with child teams only owners (403); other members 403; 404 for what the caller may not see", async () => {
    const org = await freshOrg();
    const parent = await teamMaintainedBy(org, 'Maintained Parent', member);
    await owner.octokit.rest.teams.create({ org, name: 'Its Child', parent_team_id: parent.id });
    const alone = await teamMaintainedBy(org, 'Maintained Alone', member);
    await owner.octokit.rest.teams.create({ org, name: 'Hidden' });
    const before = await stored(org);
    const error = await rejectsWith(403, () => member.octokit.rest.teams.deleteInOrg({ org, team_slug: parent.slug }));
    assert.match(error.response?.data.message, /organization owner/);
    await rejectsWith(403, () => member.octokit.rest.teams.deleteInOrg({ org, team_slug: 'its-child' }));
    await rejectsWith(404, () => member.octokit.rest.teams.deleteInOrg({ org, team_slug: 'hidden' }));
    await rejectsWith(404, () => outsider.octokit.rest.teams.deleteInOrg({ org, team_slug: alone.slug }));
    await rejectsWith(404, () => owner.octokit.rest.teams.deleteInOrg({ org, team_slug: 'none' }));
    await rejectsWith(401, () => t.octokit().rest.teams.deleteInOrg({ org, team_slug: alone.slug }));
    assert.deepEqual(await stored(org), before);
    assert.equal((await member.octokit.rest.teams.deleteInOrg({ org, team_slug: alone.slug })).status, 204);
  });

  it('sends a `team` `deleted` webhook for each deleted team, valid against GitHub\'s team-deleted schema', async (test) => {
    const org = await freshOrg();
    const { data: top } = await owner.octokit.rest.teams.create({ org, name: 'Gone', privacy: 'closed' });
    await owner.octokit.rest.teams.create({ org, name: 'Gone Child', parent_team_id: top.id });
    const receiver = await hookedReceiver(test, owner, org, ['team']);
    await owner.octokit.rest.teams.deleteInOrg({ org, team_slug: top.slug });
    const deleted = (await receiver.waitFor(3)).filter((d) => d.event === 'team');
    assert.deepEqual(deleted.map((d) => [d.action, d.payload.team.slug, d.payload.team.deleted]).sort(), [['deleted', 'gone', true], ['deleted', 'gone-child', true]]);
  });
});

describe('GET /orgs/{org}/teams/{team_slug}/members (teams/list-members-in-org)', () => {
  it("lists the team's members with those of its child teams once each (`inherited`), with their role; owners on it are maintainers", async () => {
    const org = await freshOrg();
    const ann = await user('ann');
    const bob = await user('bob');
    for (const person of [ann, bob]) await addMember(owner, org, person);
    const { data: parent } = await owner.octokit.rest.teams.create({ org, name: 'Parent', privacy: 'closed' });
    const { data: child } = await owner.octokit.rest.teams.create({ org, name: 'Child', parent_team_id: parent.id });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: parent.slug, username: member.login, role: 'maintainer' });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: child.slug, username: ann.login, role: 'maintainer' });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: child.slug, username: member.login });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: parent.slug, username: bob.login });
    // Octokit types the rows as simple-user; the description's team-member adds `role` and `inherited`.
    const shown = async (role?: 'all' | 'member' | 'maintainer') =>
      (await member.octokit.rest.teams.listMembersInOrg({ org, team_slug: parent.slug, role })).data.map((u) => {
        const row = u as typeof u & { role?: string; inherited?: boolean };
        return [row.login, row.role, row.inherited];
      });
    // The owner created both teams, so is a (maintainer) member of each.
    assert.deepEqual(await shown(), [
      [owner.login, 'maintainer', false],
      [member.login, 'maintainer', false],
      [ann.login, 'member', true],
      [bob.login, 'member', false],
    ]);
    assert.deepEqual(await shown('maintainer'), [[owner.login, 'maintainer', false], [member.login, 'maintainer', false]]);
    assert.deepEqual(await shown('member'), [[ann.login, 'member', true], [bob.login, 'member', false]]);
    assert.deepEqual(await shown('all'), await shown());
  });

  it('pages with per_page and page, with Link headers; pending members are not listed', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Paged', privacy: 'closed' });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
    const extra = await user('paged');
    await addMember(owner, org, extra);
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: extra.login });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: (await user('pending')).login });
    const first = await owner.octokit.rest.teams.listMembersInOrg({ org, team_slug: team.slug, per_page: 2 });
    assert.deepEqual(first.data.map((u) => u.login), [owner.login, member.login]);
    const next = parseLink(first.headers.link).next;
    assert.match(next, /page=2/);
    const second = await t.request('GET', new URL(next).pathname + new URL(next).search, { token: owner.token });
    assert.deepEqual(second.body.map((u: { login: string }) => u.login), [extra.login]);
    assert.deepEqual(Object.keys(parseLink(second.headers.get('link'))).sort(), ['first', 'prev']);
    const all = await owner.octokit.paginate(owner.octokit.rest.teams.listMembersInOrg, { org, team_slug: team.slug, per_page: 1 });
    assert.equal(all.length, 3);
  });

  it('404 for a secret team the caller is not on, an unknown team and non-members; 422 for an unknown role', async () => {
    const org = await freshOrg();
    await owner.octokit.rest.teams.create({ org, name: 'Secret' });
    await owner.octokit.rest.teams.create({ org, name: 'Open', privacy: 'closed' });
    await rejectsWith(404, () => member.octokit.rest.teams.listMembersInOrg({ org, team_slug: 'secret' }));
    await rejectsWith(404, () => owner.octokit.rest.teams.listMembersInOrg({ org, team_slug: 'none' }));
    await rejectsWith(404, () => outsider.octokit.rest.teams.listMembersInOrg({ org, team_slug: 'open' }));
    await rejectsWith(401, () => t.octokit().rest.teams.listMembersInOrg({ org, team_slug: 'open' }));
    assert.equal((await t.request('GET', `/orgs/${org}/teams/open/members?role=boss`, { token: owner.token })).status, 422);
  });
});

describe('GET /orgs/{org}/teams/{team_slug}/memberships/{username} (teams/get-membership-for-user-in-org)', () => {
  it('200 team-membership: the role of a direct member, pending for an invitee, active member for a member of a child team, maintainer for an owner', async () => {
    const org = await freshOrg();
    const { data: parent } = await owner.octokit.rest.teams.create({ org, name: 'Parent', privacy: 'closed' });
    const { data: child } = await owner.octokit.rest.teams.create({ org, name: 'Child', parent_team_id: parent.id });
    const invitee = await user('team-invitee');
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: child.slug, username: member.login, role: 'maintainer' });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: parent.slug, username: invitee.login, role: 'maintainer' });
    const membership = async (slug: string, username: string) => {
      const { data } = await member.octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username });
      return [data.role, data.state];
    };
    assert.deepEqual(await membership(child.slug, member.login), ['maintainer', 'active']);
    assert.deepEqual(await membership(parent.slug, member.login), ['member', 'active']);
    assert.deepEqual(await membership(parent.slug, invitee.login), ['maintainer', 'pending']);
    assert.deepEqual(await membership(parent.slug, owner.login), ['maintainer', 'active']);
    const { data } = await member.octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: child.slug, username: member.login });
    assert.equal(data.url, `${t.url}/organizations/${child.organization.id}/team/${child.id}/memberships/${member.login}`);
  });

  it('404 when the user is not on the team, for an unknown user, and for a team the caller may not see', async () => {
    const org = await freshOrg();
    await owner.octokit.rest.teams.create({ org, name: 'Open', privacy: 'closed' });
    await owner.octokit.rest.teams.create({ org, name: 'Secret' });
    await rejectsWith(404, () => owner.octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: 'open', username: member.login }));
    await rejectsWith(404, () => owner.octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: 'open', username: 'no-such-user' }));
    await rejectsWith(404, () => member.octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: 'secret', username: owner.login }));
    await rejectsWith(404, () => outsider.octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: 'open', username: owner.login }));
  });
});
