import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { insertBlock } from '../src/blocks/store.js';
import { addMembership, auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember, invite, startCast, type Cast } from './support/membership.js';
import type { TestServer, TestUser } from './support/server.js';

let cast: Cast;
let t: TestServer;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;

async function orgId(org: string): Promise<number> {
  return (await owner.octokit.rest.orgs.get({ org })).data.id;
}

before(async () => {
  cast = await startCast('mem');
  ({ t, owner, member, outsider } = cast);
});
after(() => t.close());
const freshOrg = () => cast.freshOrg();
const user = (prefix: string, options?: { scopes?: string[]; email?: string }) => cast.user(prefix, options);

describe('GET /orgs/{org}/memberships/{username} (orgs/get-membership-for-user)', () => {
  it('owners see active and pending memberships', async () => {
    const org = await freshOrg();
    const { data: active } = await owner.octokit.rest.orgs.getMembershipForUser({ org, username: member.login });
    assert.deepEqual([active.state, active.role, active.user?.login, active.organization.login], ['active', 'member', member.login, org]);
    assert.equal(active.url, `${t.url}/orgs/${org}/memberships/${member.login}`);
    assert.equal(active.organization_url, `${t.url}/orgs/${org}`);
    const { data: self } = await owner.octokit.rest.orgs.getMembershipForUser({ org, username: owner.login });
    assert.equal(self.role, 'admin');
    const kim = await user('kim');
    await invite(owner, org, kim, { role: 'admin' });
    const { data: pending } = await owner.octokit.rest.orgs.getMembershipForUser({ org, username: kim.login });
    assert.deepEqual([pending.state, pending.role], ['pending', 'admin']);
  });

  it("members see others' active memberships; a pending one only its invitee", async () => {
    const org = await freshOrg();
    const { data } = await member.octokit.rest.orgs.getMembershipForUser({ org, username: owner.login });
    assert.equal(data.role, 'admin');
    const lee = await user('lee');
    await invite(owner, org, lee);
    await rejectsWith(404, () => member.octokit.rest.orgs.getMembershipForUser({ org, username: lee.login }));
    const { data: own } = await lee.octokit.rest.orgs.getMembershipForUser({ org, username: lee.login });
    assert.equal(own.state, 'pending');
  });

  it('403 for non-members, 404 for a user with no membership or no account, 401 anonymously', async () => {
    const org = await freshOrg();
    const error = await rejectsWith(403, () => outsider.octokit.rest.orgs.getMembershipForUser({ org, username: owner.login }));
    assert.match(error.response?.data.message, /You must be a member of/);
    await rejectsWith(404, () => owner.octokit.rest.orgs.getMembershipForUser({ org, username: outsider.login }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.getMembershipForUser({ org, username: 'no-such-user' }));
    await rejectsWith(401, () => t.octokit().rest.orgs.getMembershipForUser({ org, username: owner.login }));
  });

  it('the same answer whether the user is read with a token new to the server or after it', async () => {
    // The first request reads token, org and user in one statement (Operation.readsNamedUser), the second org and user.
    const org = await freshOrg();
    const lee = await user('named');
    await addMembership(t, org, lee.login, { role: 'member' });
    for (const username of [member.login.toUpperCase(), 'no-such-user']) {
      const first = await t.request('GET', `/orgs/${org}/memberships/${username}`, { token: lee.token });
      const second = await t.request('GET', `/orgs/${org}/memberships/${username}`, { token: lee.token });
      assert.equal(first.status, username === 'no-such-user' ? 404 : 200);
      if (first.status === 200) assert.equal(first.body.user.login, member.login);
      assert.deepEqual([second.status, second.body], [first.status, first.body]);
    }
  });
});

describe('PUT /orgs/{org}/memberships/{username} (orgs/set-membership-for-user)', () => {
  it('200 pending for someone outside the org: an invitation with the mapped role', async () => {
    const org = await freshOrg();
    const max = await user('max');
    const { data, status } = await owner.octokit.rest.orgs.setMembershipForUser({ org, username: max.login, role: 'admin' });
    assert.equal(status, 200);
    assert.deepEqual([data.state, data.role, data.user?.login], ['pending', 'admin', max.login]);
    const { data: invitations } = await owner.octokit.rest.orgs.listPendingInvitations({ org });
    assert.deepEqual(invitations.map((i) => [i.login, i.role]), [[max.login, 'admin']]);
    // Again with another role: the same invitation takes it.
    const { data: again } = await owner.octokit.rest.orgs.setMembershipForUser({ org, username: max.login, role: 'member' });
    assert.deepEqual([again.state, again.role], ['pending', 'member']);
    const { data: after } = await owner.octokit.rest.orgs.listPendingInvitations({ org });
    assert.deepEqual(after.map((i) => [i.login, i.role]), [[max.login, 'direct_member']]);
    // The default role is member.
    const ned = await user('ned');
    const { data: plain } = await owner.octokit.rest.orgs.setMembershipForUser({ org, username: ned.login });
    assert.equal(plain.role, 'member');
  });

  it("200 changes a member's role and records org.update_member", async () => {
    const org = await freshOrg();
    const { data } = await owner.octokit.rest.orgs.setMembershipForUser({ org, username: member.login, role: 'admin' });
    assert.deepEqual([data.state, data.role], ['active', 'admin']);
    const [event] = await auditEvents(t, { action: 'org.update_member', org });
    assert.deepEqual(event.data, { old_permission: 'member', permission: 'admin' });
    // Now an owner, the member may demote the first owner.
    const { data: demoted } = await member.octokit.rest.orgs.setMembershipForUser({ org, username: owner.login, role: 'member' });
    assert.equal(demoted.role, 'member');
  });

  it('403 for demoting oneself, for non-owners; 422 for a blocked user or an organization', async () => {
    const org = await freshOrg();
    const self = await rejectsWith(403, () => owner.octokit.rest.orgs.setMembershipForUser({ org, username: owner.login, role: 'member' }));
    assert.equal(self.response?.data.message, 'You cannot demote yourself. Admins must be demoted by another admin.');
    for (const caller of [member, outsider]) {
      const error = await rejectsWith(403, () => caller.octokit.rest.orgs.setMembershipForUser({ org, username: outsider.login }));
      assert.equal(error.response?.data.message, 'You must be an admin to add or update an organization membership.');
    }
    const blocked = await user('blocked');
    await t.request('PUT', `/orgs/${org}/blocks/${blocked.login}`, { token: owner.token });
    const error = await rejectsWith(422, () => owner.octokit.rest.orgs.setMembershipForUser({ org, username: blocked.login }));
    assert.equal(error.response?.data.message, 'You cannot invite a user who is blocked by the organization.');
    await rejectsWith(422, () => owner.octokit.rest.orgs.setMembershipForUser({ org, username: org }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.setMembershipForUser({ org, username: 'no-such-user' }));
    await rejectsWith(422, () => owner.octokit.rest.orgs.setMembershipForUser({ org, username: outsider.login, role: 'owner' as 'admin' }));
  });

  it("403 when demoting would leave no owner (another owner's concurrent demotion)", async () => {
    const org = await freshOrg();
    const second = await user('second');
    await addMember(owner, org, second, 'admin');
    const results = await Promise.allSettled([
      owner.octokit.rest.orgs.setMembershipForUser({ org, username: second.login, role: 'member' }),
      second.octokit.rest.orgs.setMembershipForUser({ org, username: owner.login, role: 'member' }),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(rejected.reason.status, 403);
    const { data: admins } = await member.octokit.rest.orgs.listMembers({ org, role: 'admin' });
    assert.equal(admins.length, 1);
  });
});

describe('DELETE /orgs/{org}/memberships/{username} (orgs/remove-membership-for-user)', () => {
  it('204 removes an active member, from every team of the org too', async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Team' });
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
    assert.equal((await owner.octokit.rest.orgs.removeMembershipForUser({ org, username: member.login })).status, 204);
    await rejectsWith(404, () => owner.octokit.rest.orgs.getMembershipForUser({ org, username: member.login }));
    assert.equal((await owner.octokit.rest.teams.getByName({ org, team_slug: team.slug })).data.members_count, 1);
    assert.equal((await auditEvents(t, { action: 'org.remove_member', org })).at(-1)?.user, member.login);
  });

  it('204 cancels a pending invitation', async () => {
    const org = await freshOrg();
    const olga = await user('olga');
    await invite(owner, org, olga);
    await owner.octokit.rest.orgs.removeMembershipForUser({ org, username: olga.login });
    assert.deepEqual((await owner.octokit.rest.orgs.listPendingInvitations({ org })).data, []);
    assert.equal((await auditEvents(t, { action: 'org.cancel_invitation', org })).length, 1);
  });

  it('403 for the last owner and for non-owners, 404 for someone unaffiliated', async () => {
    const org = await freshOrg();
    const last = await rejectsWith(403, () => owner.octokit.rest.orgs.removeMembershipForUser({ org, username: owner.login }));
    assert.equal(last.response?.data.message, 'Cannot remove the last owner');
    const error = await rejectsWith(403, () => member.octokit.rest.orgs.removeMembershipForUser({ org, username: owner.login }));
    assert.equal(error.response?.data.message, 'You must be an admin to remove an organization membership.');
    await rejectsWith(404, () => owner.octokit.rest.orgs.removeMembershipForUser({ org, username: outsider.login }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.removeMembershipForUser({ org, username: 'no-such-user' }));
  });

  it('a billing manager is removed like a member', async () => {
    const org = await freshOrg();
    const bill = await user('bill');
    await invite(owner, org, bill, { role: 'billing_manager' });
    await bill.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    await owner.octokit.rest.orgs.removeMembershipForUser({ org, username: bill.login });
    await rejectsWith(404, () => bill.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org }));
  });
});

describe('GET /user/memberships/orgs (orgs/list-memberships-for-authenticated-user)', () => {
  it('active and pending memberships in org order, with a state filter, paginated', async () => {
    const pam = await user('pam');
    const orgs = [await freshOrg(), await freshOrg(), await freshOrg()];
    await addMember(owner, orgs[0], pam);
    await invite(owner, orgs[1], pam, { role: 'admin' });
    await addMember(owner, orgs[2], pam, 'admin');
    const { data } = await pam.octokit.rest.orgs.listMembershipsForAuthenticatedUser();
    assert.deepEqual(data.map((m) => [m.organization.login, m.state, m.role]), [
      [orgs[0], 'active', 'member'],
      [orgs[1], 'pending', 'admin'],
      [orgs[2], 'active', 'admin'],
    ]);
    assert.ok(data.every((m) => m.user?.login === pam.login));
    const { data: pending } = await pam.octokit.rest.orgs.listMembershipsForAuthenticatedUser({ state: 'pending' });
    assert.deepEqual(pending.map((m) => m.organization.login), [orgs[1]]);
    const { data: active } = await pam.octokit.rest.orgs.listMembershipsForAuthenticatedUser({ state: 'active' });
    assert.deepEqual(active.map((m) => m.organization.login), [orgs[0], orgs[2]]);
    const page = await pam.octokit.rest.orgs.listMembershipsForAuthenticatedUser({ per_page: 2 });
    assert.equal(page.data.length, 2);
    assert.match(parseLink(page.headers.link).next, /page=2/);
  });

  it('includes invitations sent to the email address before the user had it', async () => {
    const org = await freshOrg();
    await owner.octokit.rest.orgs.createInvitation({ org, email: 'quinn@example.test', role: 'billing_manager' });
    const quinn = await t.createUser('quinn', { email: 'Quinn@example.test' });
    const { data } = await quinn.octokit.rest.orgs.listMembershipsForAuthenticatedUser();
    assert.deepEqual(data.map((m) => [m.organization.login, m.state, m.role]), [[org, 'pending', 'billing_manager']]);
    // Paged in the database together with the user's own membership records, in org id order.
    const later = await freshOrg();
    await addMember(owner, later, quinn);
    const first = await quinn.octokit.rest.orgs.listMembershipsForAuthenticatedUser({ per_page: 1 });
    assert.deepEqual(first.data.map((m) => m.organization.login), [org]);
    assert.match(parseLink(first.headers.link).last, /page=2/);
    const second = await quinn.octokit.rest.orgs.listMembershipsForAuthenticatedUser({ per_page: 1, page: 2 });
    assert.deepEqual(second.data.map((m) => [m.organization.login, m.state]), [[later, 'active']]);
  });

  it('422 for another state, 401 anonymously, 403 without user or an org scope', async () => {
    assert.equal((await t.request('GET', '/user/memberships/orgs?state=gone', { token: member.token })).status, 422);
    await rejectsWith(401, () => t.octokit().rest.orgs.listMembershipsForAuthenticatedUser());
    const gistOnly = await user('gist', { scopes: ['gist'] });
    await rejectsWith(403, () => gistOnly.octokit.rest.orgs.listMembershipsForAuthenticatedUser());
  });
});

describe('GET /user/memberships/orgs/{org} (orgs/get-membership-for-authenticated-user)', () => {
  it('the pending or active membership; 404 when unaffiliated or the org is unknown', async () => {
    const org = await freshOrg();
    const { data } = await member.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org });
    assert.deepEqual([data.state, data.role], ['active', 'member']);
    const rae = await user('rae');
    await invite(owner, org, rae);
    assert.equal((await rae.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org })).data.state, 'pending');
    await rejectsWith(404, () => outsider.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org }));
    await rejectsWith(404, () => outsider.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org: 'no-such-org' }));
  });
});

describe('PATCH /user/memberships/orgs/{org} (orgs/update-membership-for-authenticated-user)', () => {
  it("200 accepts the invitation: active with the invited role, the invitation's teams joined, org.add_member recorded", async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Joiners', privacy: 'closed' });
    const sam = await user('sam');
    const invitation = await invite(owner, org, sam, { role: 'admin', team_ids: [team.id] });
    const { data, status } = await sam.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    assert.equal(status, 200);
    assert.deepEqual([data.state, data.role], ['active', 'admin']);
    assert.equal((await owner.octokit.rest.teams.getByName({ org, team_slug: team.slug })).data.members_count, 2);
    assert.deepEqual((await owner.octokit.rest.orgs.listPendingInvitations({ org })).data, []);
    const [event] = (await auditEvents(t, { action: 'org.add_member', org })).filter((e) => e.user === sam.login);
    assert.equal(event.actor, owner.login, 'the inviter is the actor, as on GitHub');
    assert.equal(event.data?.invitation_id, invitation.id);
    assert.ok((await auditEvents(t, { action: 'team.add_member', org })).some((e) => e.user === sam.login));
    // Accepting again answers the membership unchanged.
    assert.equal((await sam.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' })).data.state, 'active');
  });

  it('an email invitation is accepted by the user who now has that address, and then shows their login', async () => {
    const org = await freshOrg();
    const invitation = (await owner.octokit.rest.orgs.createInvitation({ org, email: 'uma@example.test' })).data;
    const uma = await t.createUser('uma', { email: 'uma@example.test' });
    const { data } = await uma.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    assert.equal(data.state, 'active');
    const { data: members } = await owner.octokit.rest.orgs.listMembers({ org });
    assert.ok(members.some((m) => m.login === 'uma'));
    const [event] = (await auditEvents(t, { action: 'org.add_member', org })).filter((e) => e.user === 'uma');
    assert.equal(event.data?.invitation_id, invitation.id);
  });

  it('404 without an invitation or membership; 422 for any state but active', async () => {
    const org = await freshOrg();
    await rejectsWith(404, () => outsider.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
    const none = await t.request('PATCH', `/user/memberships/orgs/${org}`, { token: outsider.token, body: { state: 'inactive' } });
    assert.equal(none.status, 404, 'no membership is answered before the state is looked at');
    const vic = await user('vic');
    await invite(owner, org, vic);
    for (const body of [{ state: 'pending' }, {}]) {
      const response = await t.request('PATCH', `/user/memberships/orgs/${org}`, { token: vic.token, body });
      assert.equal(response.status, 422);
      assert.equal(response.body.message, "You can only update an organization membership's state to 'active'.");
    }
  });

  it('403 for a blocked invitee and when the org requires two-factor authentication the user lacks', async () => {
    const org = await freshOrg();
    const wes = await user('wes');
    await invite(owner, org, wes);
    // A block that lands while the invitation stands (blocking through the API cancels invitations).
    const { db } = t.server.ctx;
    await insertBlock(db, await orgId(org), wes.id, new Date().toISOString());
    const blocked = await rejectsWith(403, () => wes.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
    assert.match(blocked.response?.data.message, /blocked/);

    const secure = await freshOrg();
    const xia = await user('xia');
    await invite(owner, secure, xia);
    const row = await db.selectFrom('accounts').select('settings').where('login', '=', secure).executeTakeFirstOrThrow();
    const settings = { ...JSON.parse(row.settings!), two_factor_requirement_enabled: true };
    await db.updateTable('accounts').set({ settings: JSON.stringify(settings) }).where('login', '=', secure).execute();
    const error = await rejectsWith(403, () => xia.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org: secure, state: 'active' }));
    assert.match(error.response?.data.message, /requires all members to have two-factor authentication enabled/);
    await db.updateTable('accounts').set({ two_factor: 'enabled' }).where('id', '=', xia.id).execute();
    assert.equal((await xia.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org: secure, state: 'active' })).data.state, 'active');
  });

  it('401 anonymously, 403 without user or write:org', async () => {
    const org = await freshOrg();
    await rejectsWith(401, () => t.octokit().rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
    const reader = await user('reader', { scopes: ['read:org'] });
    await addMembership(t, org, reader.login, { state: 'pending' });
    await rejectsWith(403, () => reader.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
  });
});
