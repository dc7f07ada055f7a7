import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { loginsOf, putOnTeam, setTwoFactor, teamsOf, tokenFor, orgWithMembers } from './support/people.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

const org = (prefix: string, count: number) => orgWithMembers(t, prefix, count);

/** Converts every given member, as the owner. */
async function convert(owner: TestUser, name: string, users: TestUser[]) {
  for (const user of users) await owner.octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username: user.login });
}

describe('GET /orgs/{org}/outside_collaborators (orgs/list-outside-collaborators)', () => {
  let owner: TestUser;
  let members: TestUser[];
  let name: string;
  before(async () => {
    ({ owner, org: name, members } = await org('lc', 5));
    await convert(owner, name, members.slice(0, 4));
  });

  it('lists the outside collaborators (not members) to an owner, in user id order', async () => {
    const { data } = await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name });
    assert.deepEqual(loginsOf(data), loginsOf(members.slice(0, 4)));
  });

  it('pages with Link headers whose last page comes from the outside collaborator count', async () => {
    const first = await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name, per_page: 3 });
    assert.equal(new URL(parseLink(first.headers.link).last).searchParams.get('page'), '2');
    const all = await owner.octokit.paginate(owner.octokit.rest.orgs.listOutsideCollaborators, { org: name, per_page: 3 });
    assert.deepEqual(loginsOf(all), loginsOf(members.slice(0, 4)));
  });

  it('filter=2fa_disabled and filter=2fa_insecure select by two-factor state, with open-ended links', async () => {
    await setTwoFactor(t, members[0].login, 'enabled');
    await setTwoFactor(t, members[1].login, 'insecure');
    const disabled = await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name, filter: '2fa_disabled', per_page: 1 });
    assert.deepEqual(loginsOf(disabled.data), [members[2].login]);
    const links = parseLink(disabled.headers.link);
    assert.ok(links.next);
    assert.equal(links.last, undefined);
    const insecure = await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name, filter: '2fa_insecure' });
    assert.deepEqual(loginsOf(insecure.data), [members[1].login]);
    const bad = await t.request('GET', `/orgs/${name}/outside_collaborators?filter=sms`, { token: owner.token });
    assert.equal(bad.status, 422);
  });

  it('`collaborators` of GET /orgs/{org} counts them (for owners with read:org)', async () => {
    const { data } = await owner.octokit.rest.orgs.get({ org: name });
    assert.equal(data.collaborators, 4);
  });

  it('403 for a member who is not an owner; 401 anonymous; 403 for a token without read:org or repo; 404 unknown org', async () => {
    const error = await rejectsWith(403, () => members[4].octokit.rest.orgs.listOutsideCollaborators({ org: name }));
    assert.equal(error.response!.data.message, 'You must be an owner of this organization to list outside collaborators.');
    await rejectsWith(403, () => members[0].octokit.rest.orgs.listOutsideCollaborators({ org: name }));
    assert.equal((await t.request('GET', `/orgs/${name}/outside_collaborators`)).status, 401);
    const gist = await tokenFor(t, owner.login, ['gist']);
    assert.equal((await t.request('GET', `/orgs/${name}/outside_collaborators`, { token: gist })).status, 403);
    await rejectsWith(404, () => owner.octokit.rest.orgs.listOutsideCollaborators({ org: 'no-such-org' }));
  });
});

describe('PUT /orgs/{org}/outside_collaborators/{username} (orgs/convert-member-to-outside-collaborator)', () => {
  it('204: the member leaves the org and its teams and becomes an outside collaborator', async () => {
    const { owner, org: name, members } = await org('cv', 2);
    await putOnTeam(t, name, 'core', members[0].login);
    const { status } = await owner.octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username: members[0].login });
    assert.equal(status, 204);
    await rejectsWith(404, () => owner.octokit.rest.orgs.checkMembershipForUser({ org: name, username: members[0].login }));
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listMembers({ org: name })).data), [owner.login, members[1].login]);
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name })).data), [members[0].login]);
    assert.deepEqual(await teamsOf(t, name, members[0].login), []);
    const actions = (await auditEvents(t, { org: name })).filter((e) => e.user === members[0].login).map((e) => e.action);
    assert.deepEqual(actions.slice(-3), ['org.remove_member', 'team.remove_member', 'org.add_outside_collaborator']);
  });

  it('an outside collaborator who accepts a new invitation becomes a member and leaves the outside collaborators', async () => {
    const { owner, org: name, members } = await org('ci', 1);
    await convert(owner, name, members);
    const { data: invitation } = await owner.octokit.rest.orgs.createInvitation({ org: name, invitee_id: members[0].id });
    assert.equal(invitation.login, members[0].login);
    await members[0].octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org: name, state: 'active' });
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name })).data), []);
    assert.equal((await owner.octokit.rest.orgs.get({ org: name })).data.collaborators, 0);
    assert.equal((await owner.octokit.rest.orgs.checkMembershipForUser({ org: name, username: members[0].login })).status, 204);
  });

  it('202 with an empty object when `async: true` is asked for (the conversion is done all the same)', async () => {
    const { owner, org: name, members } = await org('ca', 1);
    const response = await t.request('PUT', `/orgs/${name}/outside_collaborators/${members[0].login}`, { token: owner.token, body: { async: true } });
    assert.equal(response.status, 202);
    assert.deepEqual(response.body, {});
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name })).data), [members[0].login]);
  });

  it('an owner who is not the last one can be converted; 403 "Cannot convert the last owner to an outside collaborator"', async () => {
    const { owner, org: name, members } = await org('cl', 1);
    const error = await rejectsWith(403, () => owner.octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username: owner.login }));
    assert.equal(error.response!.data.message, 'Cannot convert the last owner to an outside collaborator');
    await addMembership(t, name, members[0].login, { role: 'admin' });
    assert.equal((await members[0].octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username: owner.login })).status, 204);
    await rejectsWith(403, () => members[0].octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username: members[0].login }));
    assert.deepEqual(loginsOf((await members[0].octokit.rest.orgs.listMembers({ org: name, role: 'admin' })).data), [members[0].login]);
  });

  it('403 when the user is not a member (outsider, invitee, billing manager, already an outside collaborator); 404 unknown user', async () => {
    const { owner, org: name, members } = await org('cn', 1);
    await convert(owner, name, members);
    const outsider = await t.createUser('cn-outsider');
    await addMembership(t, name, (await t.createUser('cn-invitee')).login, { state: 'pending' });
    await addMembership(t, name, (await t.createUser('cn-billing')).login, { role: 'billing_manager' });
    for (const username of [outsider.login, 'cn-invitee', 'cn-billing', members[0].login]) {
      const error = await rejectsWith(403, () => owner.octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username }));
      assert.match(error.response!.data.message, /is not a member of the cn-org organization/);
    }
    await rejectsWith(404, () => owner.octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username: 'nobody-at-all' }));
  });

  it('403 for a member who is not an owner; 401 anonymous; 403 for a token without write:org; 422 for a bad body', async () => {
    const { owner, org: name, members } = await org('cp', 2);
    await rejectsWith(403, () => members[0].octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: name, username: members[1].login }));
    assert.equal((await t.request('PUT', `/orgs/${name}/outside_collaborators/${members[1].login}`)).status, 401);
    const readOnly = await tokenFor(t, owner.login, ['read:org']);
    assert.equal((await t.request('PUT', `/orgs/${name}/outside_collaborators/${members[1].login}`, { token: readOnly })).status, 403);
    const bad = await t.request('PUT', `/orgs/${name}/outside_collaborators/${members[1].login}`, { token: owner.token, body: { async: 'yes' } });
    assert.equal(bad.status, 422);
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listMembers({ org: name })).data), [owner.login, ...loginsOf(members)]);
  });
});

describe('DELETE /orgs/{org}/outside_collaborators/{username} (orgs/remove-outside-collaborator)', () => {
  it('204: the user loses their access; the list and the `collaborators` count drop them', async () => {
    const { owner, org: name, members } = await org('ro', 2);
    await convert(owner, name, members);
    const { status } = await owner.octokit.rest.orgs.removeOutsideCollaborator({ org: name, username: members[0].login });
    assert.equal(status, 204);
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name })).data), [members[1].login]);
    assert.equal((await owner.octokit.rest.orgs.get({ org: name })).data.collaborators, 1);
    const [event] = await auditEvents(t, { action: 'org.remove_outside_collaborator', org: name });
    assert.equal(event.user, members[0].login);
    assert.equal(event.actor, owner.login);
  });

  it('204 for a user without access, changing nothing', async () => {
    const { owner, org: name } = await org('rn', 0);
    const outsider = await t.createUser('rn-outsider');
    assert.equal((await owner.octokit.rest.orgs.removeOutsideCollaborator({ org: name, username: outsider.login })).status, 204);
    assert.deepEqual(await auditEvents(t, { action: 'org.remove_outside_collaborator', org: name }), []);
    assert.equal((await owner.octokit.rest.orgs.get({ org: name })).data.collaborators, 0);
  });

  it('422 "You cannot specify an organization member to remove as an outside collaborator."', async () => {
    const { owner, org: name, members } = await org('rm', 1);
    for (const username of [members[0].login, owner.login]) {
      const error = await rejectsWith(422, () => owner.octokit.rest.orgs.removeOutsideCollaborator({ org: name, username }));
      assert.equal(error.response!.data.message, 'You cannot specify an organization member to remove as an outside collaborator.');
    }
  });

  it('403 for a member who is not an owner; 401 anonymous; 404 unknown user or org', async () => {
    const { owner, org: name, members } = await org('rp', 2);
    await convert(owner, name, [members[1]]);
    const error = await rejectsWith(403, () => members[0].octokit.rest.orgs.removeOutsideCollaborator({ org: name, username: members[1].login }));
    assert.equal(error.response!.data.message, 'You must be an owner of this organization to remove outside collaborators.');
    assert.equal((await t.request('DELETE', `/orgs/${name}/outside_collaborators/${members[1].login}`)).status, 401);
    await rejectsWith(404, () => owner.octokit.rest.orgs.removeOutsideCollaborator({ org: name, username: 'nobody-at-all' }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.removeOutsideCollaborator({ org: 'no-such-org', username: members[1].login }));
    assert.deepEqual(loginsOf((await owner.octokit.rest.orgs.listOutsideCollaborators({ org: name })).data), [members[1].login]);
  });
});
