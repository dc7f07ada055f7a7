import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { loginsOf, tokenFor, orgWithMembers } from './support/people.js';
import { startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

const org = (prefix: string, count: number) => orgWithMembers(t, prefix, count);

describe('GET /orgs/{org}/public_members (orgs/list-public-members)', () => {
  it('lists only members who publicized their membership, to anyone, in user id order', async () => {
    const { owner, org: name, members } = await org('lp', 4);
    await members[2].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[2].login });
    await members[0].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[0].login });
    const billing = await t.createUser('lp-billing');
    await addMembership(t, name, billing.login, { role: 'billing_manager', public: true });
    for (const octokit of [t.octokit(), owner.octokit, members[1].octokit]) {
      const { data } = await octokit.rest.orgs.listPublicMembers({ org: name });
      assert.deepEqual(loginsOf(data), [members[0].login, members[2].login]);
    }
  });

  it('pages with Link headers whose last page comes from the public member count', async () => {
    const { org: name, members } = await org('pp', 5);
    for (const m of members) await m.octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: m.login });
    const first = await t.octokit().rest.orgs.listPublicMembers({ org: name, per_page: 2 });
    assert.deepEqual(loginsOf(first.data), loginsOf(members.slice(0, 2)));
    assert.equal(new URL(parseLink(first.headers.link).last).searchParams.get('page'), '3');
    const last = await t.octokit().rest.orgs.listPublicMembers({ org: name, per_page: 2, page: 3 });
    assert.deepEqual(loginsOf(last.data), [members[4].login]);
    assert.deepEqual(Object.keys(parseLink(last.headers.link)).sort(), ['first', 'prev']);
    const all = await t.octokit().paginate(t.octokit().rest.orgs.listPublicMembers, { org: name, per_page: 2 });
    assert.deepEqual(loginsOf(all), loginsOf(members));
  });

  it('is empty (no Link) for an org without public members; 404 for an unknown org', async () => {
    const { org: name } = await org('pe', 1);
    const { data, headers } = await t.octokit().rest.orgs.listPublicMembers({ org: name });
    assert.deepEqual(data, []);
    assert.equal(headers.link, undefined);
    await rejectsWith(404, () => t.octokit().rest.orgs.listPublicMembers({ org: 'no-such-org' }));
  });
});

describe('GET /orgs/{org}/public_members/{username} (orgs/check-public-membership-for-user)', () => {
  it('204 if the user is a public member, anonymously too', async () => {
    const { org: name, members } = await org('cp', 1);
    await members[0].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[0].login });
    const { status } = await t.octokit().rest.orgs.checkPublicMembershipForUser({ org: name, username: members[0].login });
    assert.equal(status, 204);
  });

  it('404 if the user is a concealed member, not a member, or unknown', async () => {
    const { owner, org: name, members } = await org('cn', 1);
    for (const username of [members[0].login, owner.login, 'nobody-at-all']) {
      const error = await rejectsWith(404, () => t.octokit().rest.orgs.checkPublicMembershipForUser({ org: name, username }));
      assert.equal(error.response!.data.message, 'User does not exist or is not a public member of the organization');
    }
  });
});

describe('PUT /orgs/{org}/public_members/{username} (orgs/set-public-membership-for-authenticated-user)', () => {
  it('204: the user publicizes their own membership; it shows in the public list and the public org list of the user', async () => {
    const { org: name, members } = await org('sp', 1);
    const { status } = await members[0].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[0].login });
    assert.equal(status, 204);
    assert.deepEqual(loginsOf((await t.octokit().rest.orgs.listPublicMembers({ org: name })).data), [members[0].login]);
    const { data } = await t.octokit().rest.orgs.listForUser({ username: members[0].login });
    assert.deepEqual(data.map((o) => o.login), [name]);
    const [event] = await auditEvents(t, { action: 'org.publicize_member', org: name });
    assert.equal(event.user, members[0].login);
  });

  it('is idempotent and takes no body (Content-Length: 0)', async () => {
    const { org: name, members } = await org('si', 1);
    for (let i = 0; i < 2; i++) {
      const response = await t.request('PUT', `/orgs/${name}/public_members/${members[0].login}`, {
        token: members[0].token,
        headers: { 'content-length': '0' },
      });
      assert.equal(response.status, 204);
    }
    assert.equal((await auditEvents(t, { action: 'org.publicize_member', org: name })).length, 1);
  });

  it('403 for anyone else\'s membership, owners included ("A user cannot publicize the membership for another user")', async () => {
    const { owner, org: name, members } = await org('so', 2);
    const error = await rejectsWith(403, () => owner.octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[0].login }));
    assert.equal(error.response!.data.message, 'Only the user can publicize their membership');
    await rejectsWith(403, () => members[1].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[0].login }));
    assert.deepEqual((await t.octokit().rest.orgs.listPublicMembers({ org: name })).data, []);
  });

  it('403 when the user is not an active member (outsider, invitee, billing manager)', async () => {
    const { org: name } = await org('sn', 0);
    const outsider = await t.createUser('sn-outsider');
    const invitee = await t.createUser('sn-invitee');
    const billing = await t.createUser('sn-billing');
    await addMembership(t, name, invitee.login, { state: 'pending' });
    await addMembership(t, name, billing.login, { role: 'billing_manager' });
    for (const user of [outsider, invitee, billing]) {
      await rejectsWith(403, () => user.octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: user.login }));
    }
    assert.deepEqual((await t.octokit().rest.orgs.listPublicMembers({ org: name })).data, []);
  });

  it('401 without a token; 403 for a token with none of user, write:org, admin:org; 404 for an unknown org', async () => {
    const { org: name, members } = await org('ss', 1);
    assert.equal((await t.request('PUT', `/orgs/${name}/public_members/${members[0].login}`)).status, 401);
    const readOnly = await tokenFor(t, members[0].login, ['read:org']);
    assert.equal((await t.request('PUT', `/orgs/${name}/public_members/${members[0].login}`, { token: readOnly })).status, 403);
    const userScope = await tokenFor(t, members[0].login, ['user']);
    assert.equal((await t.request('PUT', `/orgs/${name}/public_members/${members[0].login}`, { token: userScope })).status, 204);
    await rejectsWith(404, () => members[0].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: 'no-such-org', username: members[0].login }));
  });
});

describe('DELETE /orgs/{org}/public_members/{username} (orgs/remove-public-membership-for-authenticated-user)', () => {
  it('204: the user conceals their membership; members still see them, outsiders no longer do', async () => {
    const { owner, org: name, members } = await org('rp', 1);
    await members[0].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[0].login });
    const { status } = await members[0].octokit.rest.orgs.removePublicMembershipForAuthenticatedUser({ org: name, username: members[0].login });
    assert.equal(status, 204);
    assert.deepEqual((await t.octokit().rest.orgs.listPublicMembers({ org: name })).data, []);
    await rejectsWith(404, () => t.octokit().rest.orgs.checkPublicMembershipForUser({ org: name, username: members[0].login }));
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listMembers({ org: name })).data), [owner.login, members[0].login]);
    assert.equal((await auditEvents(t, { action: 'org.conceal_member', org: name })).length, 1);
  });

  it('403 for anyone else\'s membership, owners included', async () => {
    const { owner, org: name, members } = await org('ro', 1);
    await members[0].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[0].login });
    const error = await rejectsWith(403, () => owner.octokit.rest.orgs.removePublicMembershipForAuthenticatedUser({ org: name, username: members[0].login }));
    assert.equal(error.response!.data.message, 'Only the user can conceal their membership');
    assert.deepEqual(loginsOf((await t.octokit().rest.orgs.listPublicMembers({ org: name })).data), [members[0].login]);
  });

  it('a removed member\'s public membership goes with the membership', async () => {
    const { owner, org: name, members } = await org('rr', 1);
    await members[0].octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: name, username: members[0].login });
    await owner.octokit.rest.orgs.removeMember({ org: name, username: members[0].login });
    const { data, headers } = await t.octokit().rest.orgs.listPublicMembers({ org: name, per_page: 1 });
    assert.deepEqual(data, []);
    assert.equal(headers.link, undefined);
  });
});
