import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, auditEvents, parseLink, rejectsWith, servesOperation } from './support/foundation.js';
import { loginsOf, putOnTeam, setTwoFactor, teamsOf, tokenFor, orgWithMembers as sharedOrgWithMembers } from './support/people.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

const orgWithMembers = (prefix: string, count: number) => sharedOrgWithMembers(t, prefix, count, { publicFirst: true });

describe('GET /orgs/{org}/members (orgs/list-members)', () => {
  let owner: TestUser;
  let members: TestUser[];
  let outsider: TestUser;
  let billing: TestUser;
  let org: string;
  before(async () => {
    ({ owner, org, members } = await orgWithMembers('lm', 5));
    outsider = await t.createUser('lm-outsider');
    billing = await t.createUser('lm-billing');
    await addMembership(t, org, billing.login, { role: 'billing_manager' });
    const invitee = await t.createUser('lm-invitee');
    await addMembership(t, org, invitee.login, { state: 'pending' });
  });

  it('lists concealed and public members to a member, in user id order, without billing managers or invitees', async () => {
    const { data } = await members[2].octokit.rest.orgs.listMembers({ org });
    assert.deepEqual(loginsOf(data), [owner.login, ...loginsOf(members)]);
    assert.deepEqual(data.map((u) => u.id), [...data.map((u) => u.id)].sort((a, b) => a - b));
    assert.equal(data[0].type, 'User');
  });

  it('302 to /orgs/{org}/public_members when the requester is not a member, keeping the query string', async () => {
    const response = await t.request('GET', `/orgs/${org}/members?per_page=2&page=1`, { token: outsider.token });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), `${t.url}/orgs/${org}/public_members?per_page=2&page=1`);
  });

  it('302 for anonymous requests, on the /api/v3 base the request used', async () => {
    const response = await t.request('GET', `/api/v3/orgs/${org}/members`);
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), `${t.url}/api/v3/orgs/${org}/public_members`);
  });

  it('302 for a billing manager (not a member) and for a member whose token has none of read:org, repo, user', async () => {
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token: billing.token })).status, 302);
    const narrow = await tokenFor(t, members[0].login, ['gist']);
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token: narrow })).status, 302);
    const readOrg = await tokenFor(t, members[0].login, ['read:org']);
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token: readOrg })).status, 200);
  });

  it('Octokit follows the redirect: a non-member sees the public members only', async () => {
    const { data } = await outsider.octokit.rest.orgs.listMembers({ org });
    assert.deepEqual(loginsOf(data), [members[0].login]);
    const anonymous = await t.octokit().rest.orgs.listMembers({ org });
    assert.deepEqual(loginsOf(anonymous.data), [members[0].login]);
  });

  it('role=admin lists owners, role=member everyone else, role=all both', async () => {
    const octokit = members[1].octokit;
    assert.deepEqual(loginsOf((await octokit.rest.orgs.listMembers({ org, role: 'admin' })).data), [owner.login]);
    assert.deepEqual(loginsOf((await octokit.rest.orgs.listMembers({ org, role: 'member' })).data), loginsOf(members));
    assert.equal((await octokit.rest.orgs.listMembers({ org, role: 'all' })).data.length, 6);
  });

  it('pages in user id order with prev/next/last/first links whose last page comes from the member count', async () => {
    const octokit = owner.octokit;
    const first = await octokit.rest.orgs.listMembers({ org, per_page: 4 });
    assert.deepEqual(loginsOf(first.data), [owner.login, ...loginsOf(members.slice(0, 3))]);
    const links = parseLink(first.headers.link);
    assert.equal(new URL(links.next).searchParams.get('page'), '2');
    assert.equal(new URL(links.last).searchParams.get('page'), '2');
    assert.equal(links.prev, undefined);
    const second = await octokit.rest.orgs.listMembers({ org, per_page: 4, page: 2 });
    assert.deepEqual(loginsOf(second.data), loginsOf(members.slice(3)));
    const back = parseLink(second.headers.link);
    assert.equal(new URL(back.prev).searchParams.get('page'), '1');
    assert.equal(new URL(back.first).searchParams.get('page'), '1');
    assert.equal(back.next, undefined);
    const all = await octokit.paginate(octokit.rest.orgs.listMembers, { org, per_page: 2 });
    assert.deepEqual(loginsOf(all), [owner.login, ...loginsOf(members)]);
  });

  it('role=member pages know their last page too (members minus owners)', async () => {
    const { headers } = await owner.octokit.rest.orgs.listMembers({ org, role: 'member', per_page: 2 });
    assert.equal(new URL(parseLink(headers.link).last).searchParams.get('page'), '3');
    const admins = await owner.octokit.rest.orgs.listMembers({ org, role: 'admin', per_page: 1 });
    assert.equal(admins.headers.link, undefined);
  });

  it('filter=2fa_disabled and filter=2fa_insecure list members by two-factor state, for owners', async () => {
    await setTwoFactor(t, owner.login, 'enabled');
    await setTwoFactor(t, members[0].login, 'enabled');
    await setTwoFactor(t, members[1].login, 'insecure');
    await setTwoFactor(t, members[2].login, 'enabled');
    const disabled = await owner.octokit.rest.orgs.listMembers({ org, filter: '2fa_disabled' });
    assert.deepEqual(loginsOf(disabled.data), loginsOf([members[3], members[4]]));
    const insecure = await owner.octokit.rest.orgs.listMembers({ org, filter: '2fa_insecure' });
    assert.deepEqual(loginsOf(insecure.data), [members[1].login]);
    const adminsWithout2fa = await owner.octokit.rest.orgs.listMembers({ org, filter: '2fa_disabled', role: 'admin' });
    assert.deepEqual(adminsWithout2fa.data, []);
  });

  it('2FA-filtered pages link next/prev/first but leave out last (no counter covers them)', async () => {
    const first = await owner.octokit.rest.orgs.listMembers({ org, filter: '2fa_disabled', per_page: 1 });
    const links = parseLink(first.headers.link);
    assert.equal(new URL(links.next).searchParams.get('page'), '2');
    assert.equal(links.last, undefined);
    const second = await owner.octokit.rest.orgs.listMembers({ org, filter: '2fa_disabled', per_page: 1, page: 2 });
    const back = parseLink(second.headers.link);
    assert.deepEqual(Object.keys(back).sort(), ['first', 'prev']);
    const all = await owner.octokit.paginate(owner.octokit.rest.orgs.listMembers, { org, filter: '2fa_disabled', per_page: 1 });
    assert.equal(all.length, 2);
  });

  it('422 "Only owners can use this filter." when a non-owner asks for a 2FA filter', async () => {
    for (const filter of ['2fa_disabled', '2fa_insecure'] as const) {
      const error = await rejectsWith(422, () => members[0].octokit.rest.orgs.listMembers({ org, filter }));
      assert.equal(error.response!.data.message, 'Only owners can use this filter.');
    }
    await rejectsWith(422, () => outsider.octokit.rest.orgs.listMembers({ org, filter: '2fa_disabled' }));
  });

  it('422 for a filter or role outside the enum, in GitHub\'s validation shape', async () => {
    for (const query of ['filter=none', 'role=owner']) {
      const response = await t.request('GET', `/orgs/${org}/members?${query}`, { token: owner.token });
      assert.equal(response.status, 422);
      assert.match(response.body.message, /is not a member of/);
      assert.ok(response.body.documentation_url);
    }
  });

  it('404 for an unknown organization', async () => {
    await rejectsWith(404, () => owner.octokit.rest.orgs.listMembers({ org: 'no-such-org' }));
  });
});

describe('GET /orgs/{org}/members/{username} (orgs/check-membership-for-user)', () => {
  let owner: TestUser;
  let members: TestUser[];
  let org: string;
  let outsider: TestUser;
  before(async () => {
    ({ owner, org, members } = await orgWithMembers('cm', 2));
    outsider = await t.createUser('cm-outsider');
    await addMembership(t, org, (await t.createUser('cm-billing')).login, { role: 'billing_manager' });
    await addMembership(t, org, (await t.createUser('cm-invitee')).login, { state: 'pending' });
  });

  it('204 when the requester is a member and the user is a member, public or concealed', async () => {
    for (const user of [owner, ...members]) {
      const { status } = await members[1].octokit.rest.orgs.checkMembershipForUser({ org, username: user.login.toUpperCase() });
      assert.equal(status, 204);
    }
  });

  it('404 when the requester is a member and the user is not (outsider, invitee, billing manager, unknown)', async () => {
    for (const username of [outsider.login, 'cm-invitee', 'cm-billing', 'nobody-at-all']) {
      const error = await rejectsWith(404, () => members[0].octokit.rest.orgs.checkMembershipForUser({ org, username }));
      assert.equal(error.response!.data.message, 'User does not exist or is not a member of the organization');
    }
  });

  it('the same answer whether the user is read with a token new to the server or after it', async () => {
    // The first request reads token, org and user in one statement (Operation.readsNamedUser), the second org and user.
    const fresh = await t.createUser('cm-fresh', { scopes: ['read:org'] });
    await addMembership(t, org, fresh.login);
    for (const [username, status] of [[members[0].login, 204], ['cm-invitee', 404], [org, 404]] as const) {
      const first = await t.request('GET', `/orgs/${org}/members/${username}`, { token: fresh.token });
      const second = await t.request('GET', `/orgs/${org}/members/${username}`, { token: fresh.token });
      assert.deepEqual([first.status, second.status], [status, status], username);
    }
  });

  it('302 to /orgs/{org}/public_members/{username} when the requester is not a member, or anonymous', async () => {
    for (const token of [outsider.token, undefined]) {
      const response = await t.request('GET', `/orgs/${org}/members/${members[1].login}`, { token });
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), `${t.url}/orgs/${org}/public_members/${members[1].login}`);
      assert.equal(response.text, '');
    }
    const ghes = await t.request('GET', `/api/v3/orgs/${org}/members/${members[0].login}`, { token: outsider.token });
    assert.equal(ghes.headers.get('location'), `${t.url}/api/v3/orgs/${org}/public_members/${members[0].login}`);
  });

  it('Octokit follows the redirect: 204 for a public member, 404 for a concealed one', async () => {
    assert.equal((await outsider.octokit.rest.orgs.checkMembershipForUser({ org, username: members[0].login })).status, 204);
    await rejectsWith(404, () => outsider.octokit.rest.orgs.checkMembershipForUser({ org, username: members[1].login }));
  });
});

describe('DELETE /orgs/{org}/members/{username} (orgs/remove-member)', () => {
  it('204: an owner removes a member, who leaves every team of the org, the list, and the counts', async () => {
    const { owner, org, members } = await orgWithMembers('rm', 3);
    await putOnTeam(t, org, 'core', members[1].login);
    await putOnTeam(t, org, 'docs', members[1].login);
    const { status } = await owner.octokit.rest.orgs.removeMember({ org, username: members[1].login });
    assert.equal(status, 204);
    assert.deepEqual(await teamsOf(t, org, members[1].login), []);
    const { data, headers } = await owner.octokit.rest.orgs.listMembers({ org, per_page: 1 });
    assert.equal(data[0].login, owner.login);
    assert.equal(new URL(parseLink(headers.link).last).searchParams.get('page'), '3');
    await rejectsWith(404, () => owner.octokit.rest.orgs.checkMembershipForUser({ org, username: members[1].login }));
    // The removed member lost the org: it answers them as any outsider.
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token: members[1].token })).status, 302);
  });

  it('records org.remove_member and one team.remove_member per team left', async () => {
    const { owner, org, members } = await orgWithMembers('ra', 1);
    await putOnTeam(t, org, 'core', members[0].login);
    await owner.octokit.rest.orgs.removeMember({ org, username: members[0].login });
    const [removed] = await auditEvents(t, { action: 'org.remove_member', org });
    assert.equal(removed.actor, owner.login);
    assert.equal(removed.user, members[0].login);
    const [left] = await auditEvents(t, { action: 'team.remove_member', org });
    assert.equal(left.data!.team, `${org}/core`);
  });

  it('leaves the removed member an outside collaborator of nothing', async () => {
    const { owner, org, members } = await orgWithMembers('rn', 1);
    await owner.octokit.rest.orgs.removeMember({ org, username: members[0].login });
    const { data } = await owner.octokit.rest.orgs.listOutsideCollaborators({ org });
    assert.deepEqual(data, []);
  });

  it('403 "Cannot remove the last owner"; with two owners one may go, then not the other', async () => {
    const { owner, org, members } = await orgWithMembers('lo', 1);
    const error = await rejectsWith(403, () => owner.octokit.rest.orgs.removeMember({ org, username: owner.login }));
    assert.equal(error.response!.data.message, 'Cannot remove the last owner');
    await addMembership(t, org, members[0].login, { role: 'admin' });
    assert.equal((await members[0].octokit.rest.orgs.removeMember({ org, username: owner.login })).status, 204);
    await rejectsWith(403, () => members[0].octokit.rest.orgs.removeMember({ org, username: members[0].login }));
    assert.deepEqual(loginsOf((await members[0].octokit.rest.orgs.listMembers({ org, role: 'admin' })).data), [members[0].login]);
  });

  it('403 when a member who is not an owner removes someone else; a member may remove themself (leave)', async () => {
    const { owner, org, members } = await orgWithMembers('rl', 2);
    await rejectsWith(403, () => members[0].octokit.rest.orgs.removeMember({ org, username: members[1].login }));
    await rejectsWith(403, () => members[0].octokit.rest.orgs.removeMember({ org, username: owner.login }));
    assert.equal((await members[0].octokit.rest.orgs.removeMember({ org, username: members[0].login })).status, 204);
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listMembers({ org })).data), [owner.login, members[1].login]);
  });

  it('404 for a user who is not a member (outsider, invitee, billing manager, unknown login)', async () => {
    const { owner, org } = await orgWithMembers('r4', 0);
    const outsider = await t.createUser('r4-outsider');
    await addMembership(t, org, (await t.createUser('r4-invitee')).login, { state: 'pending' });
    await addMembership(t, org, (await t.createUser('r4-billing')).login, { role: 'billing_manager' });
    for (const username of [outsider.login, 'r4-invitee', 'r4-billing', 'nobody-at-all']) {
      await rejectsWith(404, () => owner.octokit.rest.orgs.removeMember({ org, username }));
    }
  });

  it('401 without a token; 403 for a token without write:org or admin:org; 404 for an unknown org', async () => {
    const { owner, org, members } = await orgWithMembers('rs', 1);
    assert.equal((await t.request('DELETE', `/orgs/${org}/members/${members[0].login}`)).status, 401);
    const readOnly = await tokenFor(t, owner.login, ['read:org', 'repo']);
    const response = await t.request('DELETE', `/orgs/${org}/members/${members[0].login}`, { token: readOnly });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-accepted-oauth-scopes'), 'admin:org, write:org');
    const writeOrg = await tokenFor(t, owner.login, ['write:org']);
    assert.equal((await t.request('DELETE', `/orgs/${org}/members/${members[0].login}`, { token: writeOrg })).status, 204);
    await rejectsWith(404, () => owner.octokit.rest.orgs.removeMember({ org: 'no-such-org', username: owner.login }));
  });

  it('a member invited and accepted through the memberships API can be listed and removed', { skip: !servesOperation('orgs/set-membership-for-user') && 'memberships routes not registered' }, async () => {
    const { owner, org } = await orgWithMembers('ri', 0);
    const joiner = await t.createUser('ri-joiner');
    await owner.octokit.rest.orgs.setMembershipForUser({ org, username: joiner.login, role: 'member' });
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listMembers({ org })).data), [owner.login]);
    await joiner.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    assert.deepEqual(loginsOf((await joiner.octokit.rest.orgs.listMembers({ org })).data), [owner.login, joiner.login]);
    await owner.octokit.rest.orgs.removeMember({ org, username: joiner.login });
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listMembers({ org })).data), [owner.login]);
  });
});

describe('PUT /admin/users/{username}/two_factor (orghub extension: two-factor state)', () => {
  it('204; the two-factor state is what the members filter reads; records two_factor_authentication.*', async () => {
    const { owner, org, members } = await orgWithMembers('tf', 1);
    await setTwoFactor(t, members[0].login, 'enabled');
    const response = await t.request('PUT', `/admin/users/${members[0].login}/two_factor`, { token: t.admin.token, body: { state: 'insecure' } });
    assert.equal(response.status, 204);
    const { data } = await owner.octokit.rest.orgs.listMembers({ org, filter: '2fa_insecure' });
    assert.deepEqual(loginsOf(data), [members[0].login]);
    const [event] = (await auditEvents(t, { action: 'two_factor_authentication.enabled' })).filter((e) => e.user === members[0].login).slice(-1);
    assert.equal(event.data!.two_factor, 'insecure');
    await setTwoFactor(t, members[0].login, 'disabled');
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listMembers({ org, filter: '2fa_disabled' })).data), [owner.login, members[0].login]);
    assert.equal((await auditEvents(t, { action: 'two_factor_authentication.disabled' })).filter((e) => e.user === members[0].login).length, 1);
  });

  it('403 for anyone but a site admin; 401 anonymous; 404 unknown user; 422 bad values or unknown fields', async () => {
    const user = await t.createUser('tf-nonadmin');
    const path = `/admin/users/${user.login}/two_factor`;
    assert.equal((await t.request('PUT', path, { token: user.token, body: { state: 'enabled' } })).status, 403);
    assert.equal((await t.request('PUT', path, { body: { state: 'enabled' } })).status, 401);
    assert.equal((await t.request('PUT', '/admin/users/nobody-at-all/two_factor', { token: t.admin.token, body: { state: 'enabled' } })).status, 404);
    for (const body of [{ state: 'sms' }, {}, { state: 'enabled', suspended: true }]) {
      const response = await t.request('PUT', path, { token: t.admin.token, body });
      assert.equal(response.status, 422, JSON.stringify(body));
    }
  });
});
