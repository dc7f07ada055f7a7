import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, auditEvents, parseLink, rejectsWith, servesOperation } from './support/foundation.js';
import { loginsOf, tokenFor } from './support/people.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

/** An org owned by `<prefix>-owner` with member `<prefix>-member` and `count` outsiders `<prefix>-u1…uN`. */
async function org(prefix: string, count: number) {
  const owner = await t.createUser(`${prefix}-owner`);
  const created = await t.createOrg(`${prefix}-org`, owner.login);
  const member = await t.createUser(`${prefix}-member`);
  await addMembership(t, created.login, member.login);
  const outsiders: TestUser[] = [];
  for (let i = 1; i <= count; i++) outsiders.push(await t.createUser(`${prefix}-u${i}`));
  return { owner, member, org: created.login, outsiders };
}

describe('GET /orgs/{org}/blocks (orgs/list-blocked-users)', () => {
  it('lists the blocked users in user id order, paged with Link headers whose last page comes from the block count', async () => {
    const { owner, org: name, outsiders } = await org('lb', 5);
    for (const user of [...outsiders].reverse()) await owner.octokit.rest.orgs.blockUser({ org: name, username: user.login });
    const { data } = await owner.octokit.rest.orgs.listBlockedUsers({ org: name });
    assert.deepEqual(loginsOf(data), loginsOf(outsiders));
    const first = await owner.octokit.rest.orgs.listBlockedUsers({ org: name, per_page: 2 });
    assert.equal(new URL(parseLink(first.headers.link).last).searchParams.get('page'), '3');
    const all = await owner.octokit.paginate(owner.octokit.rest.orgs.listBlockedUsers, { org: name, per_page: 2 });
    assert.deepEqual(loginsOf(all), loginsOf(outsiders));
  });

  it('is empty for an org that blocks nobody', async () => {
    const { owner, org: name } = await org('le', 0);
    assert.deepEqual((await owner.octokit.rest.orgs.listBlockedUsers({ org: name })).data, []);
  });
});

describe('GET /orgs/{org}/blocks/{username} (orgs/check-blocked-user)', () => {
  it('204 if the user is blocked; 404 if not, or unknown', async () => {
    const { owner, org: name, outsiders } = await org('cb', 2);
    await owner.octokit.rest.orgs.blockUser({ org: name, username: outsiders[0].login });
    assert.equal((await owner.octokit.rest.orgs.checkBlockedUser({ org: name, username: outsiders[0].login.toUpperCase() })).status, 204);
    await rejectsWith(404, () => owner.octokit.rest.orgs.checkBlockedUser({ org: name, username: outsiders[1].login }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.checkBlockedUser({ org: name, username: 'nobody-at-all' }));
  });
});

describe('PUT /orgs/{org}/blocks/{username} (orgs/block-user)', () => {
  it('204: the user is blocked, once (blocking again changes nothing); records org.block_user', async () => {
    const { owner, org: name, outsiders } = await org('bu', 1);
    for (let i = 0; i < 2; i++) {
      assert.equal((await owner.octokit.rest.orgs.blockUser({ org: name, username: outsiders[0].login })).status, 204);
    }
    const { data, headers } = await owner.octokit.rest.orgs.listBlockedUsers({ org: name, per_page: 1 });
    assert.deepEqual(loginsOf(data), [outsiders[0].login]);
    assert.equal(headers.link, undefined);
    const events = await auditEvents(t, { action: 'org.block_user', org: name });
    assert.equal(events.length, 1);
    assert.equal(events[0].actor, owner.login);
    assert.equal(events[0].user, outsiders[0].login);
  });

  it('422 when blocking a member, an owner, a billing manager, oneself or an organization; 404 for an unknown user', async () => {
    const { owner, member, org: name } = await org('bm', 0);
    const billing = await t.createUser('bm-billing');
    await addMembership(t, name, billing.login, { role: 'billing_manager' });
    const other = await t.createOrg('bm-other-org');
    for (const username of [member.login, billing.login, owner.login, other.login]) {
      const error = await rejectsWith(422, () => owner.octokit.rest.orgs.blockUser({ org: name, username }));
      assert.ok(error.response!.data.message, username);
    }
    const memberError = await rejectsWith(422, () => owner.octokit.rest.orgs.blockUser({ org: name, username: member.login }));
    assert.equal(memberError.response!.data.message, 'Blocking a member of the organization is not allowed.');
    await rejectsWith(404, () => owner.octokit.rest.orgs.blockUser({ org: name, username: 'nobody-at-all' }));
    assert.deepEqual((await owner.octokit.rest.orgs.listBlockedUsers({ org: name })).data, []);
  });

  it('removes the user as an outside collaborator', async () => {
    const { owner, member, org: name } = await org('bo', 0);
    await owner.octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username: member.login });
    await owner.octokit.rest.orgs.blockUser({ org: name, username: member.login });
    assert.deepEqual((await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name })).data, []);
    assert.equal((await owner.octokit.rest.orgs.get({ org: name })).data.collaborators, 0);
    assert.equal((await auditEvents(t, { action: 'org.remove_outside_collaborator', org: name })).length, 1);
  });

  it('cancels the user\'s pending invitations (they do not become failed invitations)', { skip: !servesOperation('orgs/create-invitation') && 'invitation routes not registered' }, async () => {
    const { owner, org: name, outsiders } = await org('bi', 2);
    for (const user of outsiders) await owner.octokit.rest.orgs.createInvitation({ org: name, invitee_id: user.id });
    await owner.octokit.rest.orgs.blockUser({ org: name, username: outsiders[0].login });
    const pending = await owner.octokit.rest.orgs.listPendingInvitations({ org: name });
    assert.deepEqual(pending.data.map((i) => i.login), [outsiders[1].login]);
    assert.deepEqual((await owner.octokit.rest.orgs.listFailedInvitations({ org: name })).data, []);
    const [cancelled] = await auditEvents(t, { action: 'org.cancel_invitation', org: name });
    assert.equal(cancelled.user, outsiders[0].login);
    await rejectsWith(404, () => outsiders[0].octokit.rest.orgs.getMembershipForAuthenticatedUser({ org: name }));
  });

  it('a blocked user cannot be invited (422)', { skip: !servesOperation('orgs/create-invitation') && 'invitation routes not registered' }, async () => {
    const { owner, org: name, outsiders } = await org('bn', 1);
    await owner.octokit.rest.orgs.blockUser({ org: name, username: outsiders[0].login });
    await rejectsWith(422, () => owner.octokit.rest.orgs.createInvitation({ org: name, invitee_id: outsiders[0].id }));
    await owner.octokit.rest.orgs.unblockUser({ org: name, username: outsiders[0].login });
    assert.equal((await owner.octokit.rest.orgs.createInvitation({ org: name, invitee_id: outsiders[0].id })).status, 201);
  });
});

describe('DELETE /orgs/{org}/blocks/{username} (orgs/unblock-user)', () => {
  it('204: the block is lifted and org.unblock_user recorded; unblocking someone not blocked is a 204 that changes nothing', async () => {
    const { owner, org: name, outsiders } = await org('ub', 2);
    await owner.octokit.rest.orgs.blockUser({ org: name, username: outsiders[0].login });
    assert.equal((await owner.octokit.rest.orgs.unblockUser({ org: name, username: outsiders[0].login })).status, 204);
    await rejectsWith(404, () => owner.octokit.rest.orgs.checkBlockedUser({ org: name, username: outsiders[0].login }));
    assert.equal((await owner.octokit.rest.orgs.unblockUser({ org: name, username: outsiders[1].login })).status, 204);
    const events = await auditEvents(t, { action: 'org.unblock_user', org: name });
    assert.deepEqual(events.map((e) => e.user), [outsiders[0].login]);
    const { data, headers } = await owner.octokit.rest.orgs.listBlockedUsers({ org: name, per_page: 1 });
    assert.deepEqual(data, []);
    assert.equal(headers.link, undefined);
  });

  it('404 for an unknown user', async () => {
    const { owner, org: name } = await org('un', 0);
    await rejectsWith(404, () => owner.octokit.rest.orgs.unblockUser({ org: name, username: 'nobody-at-all' }));
  });
});

describe('who may use the blocking endpoints', () => {
  it('404 for members who are not owners and for outsiders, on every blocking endpoint', async () => {
    const { owner, member, org: name, outsiders } = await org('pw', 2);
    await owner.octokit.rest.orgs.blockUser({ org: name, username: outsiders[0].login });
    for (const user of [member, outsiders[1]]) {
      const o = user.octokit.rest.orgs;
      await rejectsWith(404, () => o.listBlockedUsers({ org: name }));
      await rejectsWith(404, () => o.checkBlockedUser({ org: name, username: outsiders[0].login }));
      await rejectsWith(404, () => o.blockUser({ org: name, username: outsiders[1].login }));
      await rejectsWith(404, () => o.unblockUser({ org: name, username: outsiders[0].login }));
    }
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listBlockedUsers({ org: name })).data), [outsiders[0].login]);
  });

  it('404 for an owner whose token lacks admin:org (GitHub: "Otherwise, the response returns HTTP 404"); 401 anonymous', async () => {
    const { owner, org: name, outsiders } = await org('ps', 1);
    const writeOrg = await tokenFor(t, owner.login, ['write:org', 'repo', 'user']);
    for (const [method, path] of [['GET', `/orgs/${name}/blocks`], ['PUT', `/orgs/${name}/blocks/${outsiders[0].login}`]]) {
      const response = await t.request(method, path, { token: writeOrg });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.headers.get('x-accepted-oauth-scopes'), 'admin:org');
      assert.equal((await t.request(method, path)).status, 401);
    }
    const adminOrg = await tokenFor(t, owner.login, ['admin:org']);
    assert.equal((await t.request('PUT', `/orgs/${name}/blocks/${outsiders[0].login}`, { token: adminOrg })).status, 204);
  });

  it('404 for an unknown organization', async () => {
    const { owner } = await org('po', 0);
    await rejectsWith(404, () => owner.octokit.rest.orgs.listBlockedUsers({ org: 'no-such-org' }));
  });
});
