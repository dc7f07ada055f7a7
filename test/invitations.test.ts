import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember, block, DAY, invite, startCast, type Cast } from './support/membership.js';
import { configFromEnv, resolveConfig } from '../src/config.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let cast: Cast;
let t: TestServer;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;
let readOnly: TestUser;

before(async () => {
  cast = await startCast('inv');
  ({ t, owner, member, outsider } = cast);
  readOnly = await t.createUser('inv-reader', { scopes: ['read:org'] });
});
after(() => t.close());
const freshOrg = () => cast.freshOrg();
const user = (prefix: string, options?: { scopes?: string[]; email?: string }) => cast.user(prefix, options);

describe('POST /orgs/{org}/invitations (orgs/create-invitation)', () => {
  it('201 invites a user by invitee_id as direct_member: a pending membership, an org.invite_member event', async () => {
    const org = await freshOrg();
    const bob = await user('bob');
    const { data, status } = await owner.octokit.rest.orgs.createInvitation({ org, invitee_id: bob.id });
    assert.equal(status, 201);
    assert.equal(data.login, bob.login);
    assert.equal(data.email, null);
    assert.equal(data.role, 'direct_member');
    assert.equal(data.inviter.login, owner.login);
    assert.equal(data.team_count, 0);
    assert.equal(data.invitation_source, 'member');
    assert.equal(data.failed_at, null);
    assert.match(data.invitation_teams_url, new RegExp(`/organizations/\\d+/invitations/${data.id}/teams$`));
    const { data: membership } = await owner.octokit.rest.orgs.getMembershipForUser({ org, username: bob.login });
    assert.deepEqual([membership.state, membership.role], ['pending', 'member']);
    const events = await auditEvents(t, { action: 'org.invite_member', org });
    assert.equal(events.at(-1)?.user, bob.login);
    assert.equal(events.at(-1)?.actor, owner.login);
  });

  it('201 invites by email: login null until a user with that address accepts', async () => {
    const org = await freshOrg();
    const { data } = await owner.octokit.rest.orgs.createInvitation({ org, email: `later-${org}@example.test` });
    assert.equal(data.login, null);
    assert.equal(data.email, `later-${org}@example.test`);
    const { data: pending } = await owner.octokit.rest.orgs.listPendingInvitations({ org });
    assert.deepEqual(pending.map((i) => [i.id, i.login]), [[data.id, null]]);
  });

  it('201 by the email address of an existing user invites that user', async () => {
    const org = await freshOrg();
    const dana = await t.createUser('dana', { email: 'dana.d@example.test' });
    const { data } = await owner.octokit.rest.orgs.createInvitation({ org, email: 'DANA.D@example.test' });
    assert.equal(data.login, dana.login);
    const { data: own } = await dana.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org });
    assert.equal(own.state, 'pending');
  });

  it('201 with role admin / billing_manager: the pending membership carries that role', async () => {
    const org = await freshOrg();
    for (const role of ['admin', 'billing_manager'] as const) {
      const invitee = await user(role.replace('_', '-'));
      const { data } = await owner.octokit.rest.orgs.createInvitation({ org, invitee_id: invitee.id, role });
      assert.equal(data.role, role);
      const { data: membership } = await invitee.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org });
      assert.equal(membership.role, role);
    }
  });

  it('201 with team_ids: team_count, and 422 for a team of another organization', async () => {
    const org = await freshOrg();
    const other = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Core' });
    const { data: foreign } = await owner.octokit.rest.teams.create({ org: other, name: 'Elsewhere' });
    const { data } = await owner.octokit.rest.orgs.createInvitation({ org, invitee_id: (await user('tm')).id, team_ids: [team.id, team.id] });
    assert.equal(data.team_count, 1);
    const error = await rejectsWith(422, () =>
      owner.octokit.rest.orgs.createInvitation({ org, invitee_id: outsider.id, team_ids: [foreign.id] }),
    );
    assert.equal(error.response?.data.errors[0].message, 'All teams on the invitation must be on this organization');
  });

  it('422 without invitee_id or email, with both, for a bad email, an unknown user or an organization', async () => {
    const org = await freshOrg();
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'Invite requires either user or email'],
      [{ invitee_id: outsider.id, email: 'x@example.test' }, 'Invite can only be delivered to either user or email'],
      [{ email: 'not-an-email' }, 'Invite must be for a valid email address'],
      [{ invitee_id: 999999 }, 'Invalid invitee_id'],
      [{ invitee_id: (await t.createOrg(`inv-other-${org}`)).id }, 'Invitee must be a user'],
    ];
    for (const [body, message] of cases) {
      const response = await t.request('POST', `/orgs/${org}/invitations`, { token: owner.token, body });
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.body.errors?.[0]?.message ?? response.body.message, message);
    }
    const badRole = await t.request('POST', `/orgs/${org}/invitations`, { token: owner.token, body: { invitee_id: outsider.id, role: 'owner' } });
    assert.equal(badRole.status, 422);
  });

  it('422 for a member, an already invited user and a blocked user', async () => {
    const org = await freshOrg();
    const member422 = await rejectsWith(422, () => owner.octokit.rest.orgs.createInvitation({ org, invitee_id: member.id }));
    assert.equal(member422.response?.data.errors[0].message, 'Invitee is already a part of this organization');
    const byEmail = await rejectsWith(422, () => owner.octokit.rest.orgs.createInvitation({ org, email: 'inv-member@example.test' }));
    assert.equal(byEmail.response?.data.errors[0].message, 'A user with this email address is already a part of this organization');
    const eve = await user('eve');
    await invite(owner, org, eve);
    await rejectsWith(422, () => owner.octokit.rest.orgs.createInvitation({ org, invitee_id: eve.id }));
    await rejectsWith(422, () => owner.octokit.rest.orgs.createInvitation({ org, email: `${eve.login}@example.test` }));
    const mallory = await user('mallory');
    await block(t, owner, org, mallory.login);
    const blocked = await rejectsWith(422, () => owner.octokit.rest.orgs.createInvitation({ org, invitee_id: mallory.id }));
    assert.equal(blocked.response?.data.errors[0].message, 'The invitee must not be blocked by the organization');
  });

  it('reinstate: 422 for someone never removed, 201 for a former member, 422 with teams', async () => {
    const org = await freshOrg();
    const fred = await user('fred');
    const never = await rejectsWith(422, () => owner.octokit.rest.orgs.createInvitation({ org, invitee_id: fred.id, role: 'reinstate' }));
    assert.equal(never.response?.data.message, 'No previous privileges to reinstate');
    await addMember(owner, org, fred);
    await owner.octokit.rest.orgs.removeMembershipForUser({ org, username: fred.login });
    const { data } = await owner.octokit.rest.orgs.createInvitation({ org, invitee_id: fred.id, role: 'reinstate' });
    assert.equal(data.role, 'direct_member', 'reinstate restores plain membership and is listed as such');
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'T' });
    await rejectsWith(422, () => owner.octokit.rest.orgs.createInvitation({ org, email: 'r@example.test', role: 'reinstate', team_ids: [team.id] }));
  });

  it('404 for members and outsiders, 401 anonymously, 403 without write:org', async () => {
    const org = await freshOrg();
    for (const caller of [member, outsider]) {
      await rejectsWith(404, () => caller.octokit.rest.orgs.createInvitation({ org, email: 'x@example.test' }));
    }
    await rejectsWith(401, () => t.octokit().rest.orgs.createInvitation({ org, email: 'x@example.test' }));
    await addMembership(t, org, readOnly.login, { role: 'admin' });
    const error = await rejectsWith(403, () => readOnly.octokit.rest.orgs.createInvitation({ org, email: 'x@example.test' }));
    assert.match(error.response?.data.message, /needs one of these scopes/);
  });
});

describe('invitation rate limit', () => {
  it('a new org may send 50 invitations in 24 hours; the 51st gets the secondary rate limit answer', async () => {
    const org = await freshOrg(); // the member's invitation is the first of the 50
    for (let i = 1; i < 50; i++) await owner.octokit.rest.orgs.createInvitation({ org, email: `rl-${i}@example.test` });
    t.clock.advance(60 * 60 * 1000);
    const response = await t.request('POST', `/orgs/${org}/invitations`, { token: owner.token, body: { email: 'rl-51@example.test' } });
    assert.equal(response.status, 403);
    assert.match(response.body.message, /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\./);
    assert.match(response.body.message, new RegExp(`request ID ${response.headers.get('x-github-request-id')}`));
    assert.equal(Number(response.headers.get('retry-after')), 23 * 60 * 60);
    // PUT memberships invites too, so it is refused as well.
    const put = await t.request('PUT', `/orgs/${org}/memberships/${outsider.login}`, { token: owner.token, body: {} });
    assert.equal(put.status, 403);
    t.clock.advance(23 * 60 * 60 * 1000);
    await owner.octokit.rest.orgs.createInvitation({ org, email: 'rl-51@example.test' });
  });

  it('500 for an org on a paid plan, or more than a month old', async () => {
    const paid = await freshOrg(); // young, but paying
    const { db } = t.server.ctx;
    const row = await db.selectFrom('accounts').select('settings').where('login', '=', paid).executeTakeFirstOrThrow();
    await db.updateTable('accounts').set({ settings: JSON.stringify({ ...JSON.parse(row.settings!), plan: 'team' }) }).where('login', '=', paid).execute();
    for (let i = 1; i < 500; i++) await owner.octokit.rest.orgs.createInvitation({ org: paid, email: `paid-${i}@example.test` });
    assert.equal((await t.request('POST', `/orgs/${paid}/invitations`, { token: owner.token, body: { email: 'paid-500@example.test' } })).status, 403);
    const old = await freshOrg();
    t.clock.advance(32 * DAY);
    for (let i = 0; i < 500; i++) await owner.octokit.rest.orgs.createInvitation({ org: old, email: `old-${i}@example.test` });
    assert.equal((await t.request('POST', `/orgs/${old}/invitations`, { token: owner.token, body: { email: 'old-500@example.test' } })).status, 403);
  });
});

describe('invitation rate limit as a deployment sets it (ORGHUB_INVITATION_LIMIT, ORGHUB_INVITATION_LIMIT_ESTABLISHED)', () => {
  /** Invites `count` new users into a new org over HTTP and has them accept; the statuses of the invitations. */
  async function inviteAll(server: TestServer, prefix: string, count: number): Promise<{ org: string; owner: TestUser; statuses: number[] }> {
    const boss = await server.createUser(`${prefix}-owner`);
    const { login: org } = await server.createOrg(`${prefix}-org`, boss.login);
    const statuses: number[] = [];
    for (let i = 1; i <= count; i++) {
      const joiner = await server.createUser(`${prefix}-${i}`);
      const response = await server.request('PUT', `/orgs/${org}/memberships/${joiner.login}`, { token: boss.token, body: {} });
      statuses.push(response.status);
      if (response.status === 200) await joiner.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    }
    return { org, owner: boss, statuses };
  }

  it('0: no limit, 60 members join a new org in one day', async () => {
    const unlimited = await startTestServer({ invitationLimit: { newOrgs: 0 } });
    try {
      const { org, owner: boss, statuses } = await inviteAll(unlimited, 'unlimited', 60);
      assert.deepEqual(new Set(statuses), new Set([200]));
      assert.equal((await boss.octokit.paginate(boss.octokit.rest.orgs.listMembers, { org, per_page: 100 })).length, 61);
    } finally {
      await unlimited.close();
    }
  });

  it('raised to 60: the 61st invitation of a new org gets the secondary rate limit answer', async () => {
    const raised = await startTestServer({ invitationLimit: { newOrgs: 60 } });
    try {
      const { statuses } = await inviteAll(raised, 'raised', 61);
      assert.deepEqual(statuses, [...Array(60).fill(200), 403]);
    } finally {
      await raised.close();
    }
  });

  it('read from the environment; GitHub\'s 50 and 500 by default; a negative or non-numeric value is refused', () => {
    assert.deepEqual(resolveConfig().invitationLimit, { newOrgs: 50, establishedOrgs: 500 });
    const set = resolveConfig(configFromEnv({ ORGHUB_INVITATION_LIMIT: '0', ORGHUB_INVITATION_LIMIT_ESTABLISHED: '2000' }));
    assert.deepEqual(set.invitationLimit, { newOrgs: 0, establishedOrgs: 2000 });
    for (const value of ['-1', 'many']) {
      assert.throws(() => resolveConfig(configFromEnv({ ORGHUB_INVITATION_LIMIT: value })), /invitationLimit\.newOrgs must be a non-negative integer/);
    }
  });
});

describe('GET /orgs/{org}/invitations (orgs/list-pending-invitations)', () => {
  it('pending invitations in id order, paginated with Link', async () => {
    const org = await freshOrg();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await owner.octokit.rest.orgs.createInvitation({ org, email: `p${i}@example.test` })).data.id);
    const first = await owner.octokit.rest.orgs.listPendingInvitations({ org, per_page: 2 });
    assert.deepEqual(first.data.map((i) => i.id), ids.slice(0, 2));
    const links = parseLink(first.headers.link);
    assert.match(links.last, /page=3/);
    const last = await owner.octokit.rest.orgs.listPendingInvitations({ org, per_page: 2, page: 3 });
    assert.deepEqual(last.data.map((i) => i.id), ids.slice(4));
    const all = await owner.octokit.paginate(owner.octokit.rest.orgs.listPendingInvitations, { org, per_page: 2 });
    assert.deepEqual(all.map((i) => i.id), ids);
  });

  it('filters by role and invitation_source; 422 for a value outside the enum', async () => {
    const org = await freshOrg();
    await owner.octokit.rest.orgs.createInvitation({ org, email: 'a@example.test', role: 'admin' });
    await owner.octokit.rest.orgs.createInvitation({ org, email: 'm@example.test' });
    await owner.octokit.rest.orgs.createInvitation({ org, email: 'b@example.test', role: 'billing_manager' });
    const roles = async (role: 'admin' | 'direct_member' | 'billing_manager' | 'hiring_manager' | 'all') =>
      (await owner.octokit.rest.orgs.listPendingInvitations({ org, role })).data.map((i) => i.email);
    assert.deepEqual(await roles('admin'), ['a@example.test']);
    assert.deepEqual(await roles('direct_member'), ['m@example.test']);
    assert.deepEqual(await roles('billing_manager'), ['b@example.test']);
    assert.deepEqual(await roles('hiring_manager'), []);
    assert.equal((await roles('all')).length, 3);
    const { data: scim } = await owner.octokit.rest.orgs.listPendingInvitations({ org, invitation_source: 'scim' });
    assert.deepEqual(scim, []);
    const { data: viaMember } = await owner.octokit.rest.orgs.listPendingInvitations({ org, invitation_source: 'member' });
    assert.equal(viaMember.length, 3);
    assert.equal((await t.request('GET', `/orgs/${org}/invitations?role=owner`, { token: owner.token })).status, 422);
  });

  it('404 for non-owners', async () => {
    const org = await freshOrg();
    for (const caller of [member, outsider]) await rejectsWith(404, () => caller.octokit.rest.orgs.listPendingInvitations({ org }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.listPendingInvitations({ org: 'no-such-org' }));
  });
});

describe('DELETE /orgs/{org}/invitations/{invitation_id} (orgs/cancel-invitation)', () => {
  it('204 cancels: the invitee is no longer pending, and the invitation is in neither list', async () => {
    const org = await freshOrg();
    const gail = await user('gail');
    const invitation = await invite(owner, org, gail);
    const { status } = await owner.octokit.rest.orgs.cancelInvitation({ org, invitation_id: invitation.id });
    assert.equal(status, 204);
    assert.deepEqual((await owner.octokit.rest.orgs.listPendingInvitations({ org })).data, []);
    assert.deepEqual((await owner.octokit.rest.orgs.listFailedInvitations({ org })).data, []);
    await rejectsWith(404, () => gail.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org }));
    await rejectsWith(404, () => gail.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
    const [event] = await auditEvents(t, { action: 'org.cancel_invitation', org });
    assert.equal(event.user, gail.login);
    assert.equal(event.data?.invitation_id, invitation.id);
    // Cancelling again changes nothing.
    assert.equal((await owner.octokit.rest.orgs.cancelInvitation({ org, invitation_id: invitation.id })).status, 204);
  });

  it('404 for an unknown invitation or one of another org, 422 for an accepted one, 404 for non-owners', async () => {
    const org = await freshOrg();
    const other = await freshOrg();
    const foreign = await owner.octokit.rest.orgs.createInvitation({ org: other, email: 'f@example.test' });
    await rejectsWith(404, () => owner.octokit.rest.orgs.cancelInvitation({ org, invitation_id: 999999 }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.cancelInvitation({ org, invitation_id: foreign.data.id }));
    const hank = await user('hank');
    const invitation = await invite(owner, org, hank);
    await rejectsWith(404, () => member.octokit.rest.orgs.cancelInvitation({ org, invitation_id: invitation.id }));
    await hank.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    const accepted = await rejectsWith(422, () => owner.octokit.rest.orgs.cancelInvitation({ org, invitation_id: invitation.id }));
    assert.equal(accepted.response?.data.message, 'You cannot cancel an accepted invitation.');
  });
});

describe('blocking cancels pending invitations (cancelPendingInvitationsOf)', () => {
  it("the invitee's invitations, by id or to their email address, are cancelled, never failed", async () => {
    const org = await freshOrg();
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Blocked Team' });
    const kay = await user('kay');
    await invite(owner, org, kay, { team_ids: [team.id] });
    await owner.octokit.rest.orgs.createInvitation({ org, email: 'lou@example.test' });
    const lou = await t.createUser('lou', { email: 'lou@example.test' });
    for (const login of [kay.login, lou.login]) await block(t, owner, org, login);
    assert.deepEqual((await owner.octokit.rest.orgs.listPendingInvitations({ org })).data, []);
    const cancelled = await auditEvents(t, { action: 'org.cancel_invitation', org });
    assert.equal(cancelled.length, 2);
    await rejectsWith(404, () => kay.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org }));
    await rejectsWith(404, () => lou.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
    t.clock.advance(8 * DAY);
    assert.deepEqual((await owner.octokit.rest.orgs.listFailedInvitations({ org })).data, []);
    const { db } = t.server.ctx;
    const pendingTeamRows = await db.selectFrom('team_members').selectAll().where('team_id', '=', team.id).where('state', '=', 'pending').execute();
    assert.deepEqual(pendingTeamRows, []);
  });
});

describe('GET /orgs/{org}/invitations/{invitation_id}/teams (orgs/list-invitation-teams)', () => {
  it("the invitation's teams, paginated", async () => {
    const org = await freshOrg();
    const teams = [];
    for (const name of ['Alpha', 'Beta', 'Gamma']) teams.push((await owner.octokit.rest.teams.create({ org, name, privacy: 'closed' })).data);
    const invitation = (await owner.octokit.rest.orgs.createInvitation({ org, email: 'teams@example.test', team_ids: teams.map((x) => x.id) })).data;
    assert.equal(invitation.team_count, 3);
    const { data, headers } = await owner.octokit.rest.orgs.listInvitationTeams({ org, invitation_id: invitation.id, per_page: 2 });
    assert.deepEqual(data.map((x) => x.slug), ['alpha', 'beta']);
    assert.match(parseLink(headers.link).next, /page=2/);
    const { data: rest } = await owner.octokit.rest.orgs.listInvitationTeams({ org, invitation_id: invitation.id, per_page: 2, page: 2 });
    assert.deepEqual(rest.map((x) => x.slug), ['gamma']);
  });

  it('404 for an unknown or no longer pending invitation, and for non-owners', async () => {
    const org = await freshOrg();
    const invitation = (await owner.octokit.rest.orgs.createInvitation({ org, email: 'gone@example.test' })).data;
    await rejectsWith(404, () => member.octokit.rest.orgs.listInvitationTeams({ org, invitation_id: invitation.id }));
    await owner.octokit.rest.orgs.cancelInvitation({ org, invitation_id: invitation.id });
    await rejectsWith(404, () => owner.octokit.rest.orgs.listInvitationTeams({ org, invitation_id: invitation.id }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.listInvitationTeams({ org, invitation_id: 999999 }));
  });
});

describe('GET /orgs/{org}/failed_invitations (orgs/list-failed-invitations)', () => {
  it('an invitation expires after 7 days: failed_at and failed_reason, and nothing pending remains', async () => {
    const org = await freshOrg();
    const ivy = await user('ivy');
    const invitation = await invite(owner, org, ivy);
    t.clock.advance(7 * DAY - 1000);
    assert.equal((await owner.octokit.rest.orgs.listPendingInvitations({ org })).data.length, 1, 'still pending just before');
    assert.deepEqual((await owner.octokit.rest.orgs.listFailedInvitations({ org })).data, []);
    t.clock.advance(1000);
    assert.deepEqual((await owner.octokit.rest.orgs.listPendingInvitations({ org })).data, []);
    const { data: failed } = await owner.octokit.rest.orgs.listFailedInvitations({ org });
    assert.equal(failed.length, 1);
    assert.equal(failed[0].id, invitation.id);
    assert.equal(failed[0].failed_at, new Date(Date.parse(invitation.created_at) + 7 * DAY).toISOString().replace('.000', ''));
    assert.equal(failed[0].failed_reason, 'Invitation expired. User did not accept this invite for 7 days');
    await rejectsWith(404, () => owner.octokit.rest.orgs.getMembershipForUser({ org, username: ivy.login }));
    await rejectsWith(404, () => ivy.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
    // The invitee can be invited again.
    await invite(owner, org, ivy);
  });

  it('acceptance after expiry finds nothing to accept, even when nothing listed the invitations first', async () => {
    const org = await freshOrg();
    const jay = await user('jay');
    await invite(owner, org, jay);
    t.clock.advance(8 * DAY);
    await rejectsWith(404, () => jay.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
    assert.equal((await owner.octokit.rest.orgs.listFailedInvitations({ org })).data.length, 1);
  });

  it('cancelled invitations never show; cancelling a failed one takes it off the list', async () => {
    const org = await freshOrg();
    const cancelled = (await owner.octokit.rest.orgs.createInvitation({ org, email: 'c@example.test' })).data;
    const expired = (await owner.octokit.rest.orgs.createInvitation({ org, email: 'e@example.test' })).data;
    await owner.octokit.rest.orgs.cancelInvitation({ org, invitation_id: cancelled.id });
    t.clock.advance(8 * DAY);
    const { data } = await owner.octokit.rest.orgs.listFailedInvitations({ org });
    assert.deepEqual(data.map((i) => i.id), [expired.id]);
    await owner.octokit.rest.orgs.cancelInvitation({ org, invitation_id: expired.id });
    assert.deepEqual((await owner.octokit.rest.orgs.listFailedInvitations({ org })).data, []);
  });

  it('paginated with Link; 404 for non-owners', async () => {
    const org = await freshOrg();
    for (let i = 0; i < 3; i++) await owner.octokit.rest.orgs.createInvitation({ org, email: `f${i}@example.test` });
    t.clock.advance(8 * DAY);
    const { data, headers } = await owner.octokit.rest.orgs.listFailedInvitations({ org, per_page: 2 });
    assert.equal(data.length, 2);
    assert.match(parseLink(headers.link).last, /page=2/);
    await rejectsWith(404, () => member.octokit.rest.orgs.listFailedInvitations({ org }));
  });
});
