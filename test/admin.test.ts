import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { auditEvents, rejectsWith } from './support/foundation.js';
import { addMember, assertConsistentMembership, invite, membershipFacts } from './support/membership.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';
import { hookedReceiver } from './support/webhooks.js';

// GHES's site-admin API, the way orghub's world is created.
let t: TestServer;
let plain: TestUser;

before(async () => {
  t = await startTestServer();
  plain = await t.createUser('plain');
});
after(() => t.close());

describe('POST /admin/users (enterprise-admin/create-user)', () => {
  it('201 with the new user, on both base URLs, keeping the case of the login', async () => {
    for (const [ghes, login] of [[false, 'Carol'], [true, 'DaveGhes']] as const) {
      const response = await t.octokit(t.admin.token, { ghes }).request('POST /admin/users', { login, email: `${login}@example.test` });
      assert.equal(response.status, 201);
      assert.equal(response.data.login, login);
      assert.equal(response.data.type, 'User');
      assert.equal(response.data.site_admin, false);
      const { data: profile } = await t.admin.octokit.rest.users.getByUsername({ username: login.toLowerCase() });
      assert.equal(profile.id, response.data.id);
      assert.equal(profile.email, `${login}@example.test`);
    }
  });

  it('accepts a user without an email', async () => {
    const response = await t.request('POST', '/admin/users', { token: t.admin.token, body: { login: 'no-email' } });
    assert.equal(response.status, 201);
    const { data } = await t.admin.octokit.rest.users.getByUsername({ username: 'no-email' });
    assert.equal(data.email, null);
  });

  it('403 for a user who is not a site administrator, whatever the token scopes', async () => {
    const response = await t.request('POST', '/admin/users', { token: plain.token, body: { login: 'sneaky' } });
    assert.equal(response.status, 403);
    assert.equal(response.body.message, 'Must be a site administrator.');
    await rejectsWith(404, () => t.admin.octokit.rest.users.getByUsername({ username: 'sneaky' }));
  });

  it('401 without a token', async () => {
    const response = await t.request('POST', '/admin/users', { body: { login: 'anonymous-made' } });
    assert.equal(response.status, 401);
    assert.equal(response.body.message, 'Requires authentication');
  });

  it('422 already_exists for a login taken by a user or an organization, in any case', async () => {
    await t.createOrg('TakenOrg');
    for (const login of ['PLAIN', 'takenorg']) {
      const response = await t.request('POST', '/admin/users', { token: t.admin.token, body: { login } });
      assert.equal(response.status, 422);
      assert.deepEqual(response.body.errors.map((e: any) => [e.resource, e.field, e.code]), [['User', 'login', 'already_exists']]);
    }
  });

  it('422 invalid for a login GitHub would refuse', async () => {
    for (const login of ['-lead', 'trail-', 'dou--ble', 'sp ace', 'a'.repeat(40), '']) {
      const response = await t.request('POST', '/admin/users', { token: t.admin.token, body: { login } });
      assert.equal(response.status, 422, login);
      assert.equal(response.body.errors[0].field, 'login');
    }
  });

  it('422 missing_field without a login, 422 for a login that is not a string', async () => {
    const missing = await t.request('POST', '/admin/users', { token: t.admin.token, body: { email: 'x@example.test' } });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.errors, [{ resource: 'User', field: 'login', code: 'missing_field' }]);
    const wrongType = await t.request('POST', '/admin/users', { token: t.admin.token, body: { login: 42 } });
    assert.equal(wrongType.status, 422);
    assert.equal(wrongType.body.errors[0].field, 'login');
  });

  it('records a user.create audit event', async () => {
    await t.request('POST', '/admin/users', { token: t.admin.token, body: { login: 'audited-user' } });
    const [event] = (await auditEvents(t, { action: 'user.create' })).filter((e) => e.user === 'audited-user');
    assert.ok(event);
    assert.equal(event.actor, t.admin.login);
    assert.equal(event.actor_id, t.admin.id);
  });
});

describe('POST /admin/organizations (enterprise-admin/create-org)', () => {
  it('201 with the org; admin becomes its first owner and profile_name its name', async () => {
    const owner = await t.createUser('org-founder');
    const response = await t.admin.octokit.request('POST /admin/organizations', { login: 'Founded', admin: 'ORG-FOUNDER', profile_name: 'Founded Inc.' });
    assert.equal(response.status, 201);
    assert.equal(response.data.login, 'Founded');
    const { data: orgs } = await owner.octokit.rest.orgs.listForAuthenticatedUser();
    assert.deepEqual(orgs.map((o) => o.login), ['Founded']);
    const { data: org } = await owner.octokit.rest.orgs.get({ org: 'founded' });
    assert.equal(org.name, 'Founded Inc.');
    assert.ok('billing_email' in org, 'the owner sees the private fields');
  });

  it('serves the GHES base URL too, its URLs under the prefix the request used', async () => {
    const response = await t.octokit(t.admin.token, { ghes: true }).request('POST /admin/organizations', { login: 'ghes-made', admin: t.admin.login });
    assert.equal(response.status, 201);
    assert.equal(response.data.url, `${t.url}/api/v3/orgs/ghes-made`);
  });

  it('403 for a user who is not a site administrator', async () => {
    const response = await t.request('POST', '/admin/organizations', { token: plain.token, body: { login: 'plain-org', admin: 'plain' } });
    assert.equal(response.status, 403);
    await rejectsWith(404, () => t.admin.octokit.rest.orgs.get({ org: 'plain-org' }));
  });

  it('422 when admin is not a user', async () => {
    await t.createOrg('parent-org');
    for (const admin of ['nobody-here', 'parent-org']) {
      const response = await t.request('POST', '/admin/organizations', { token: t.admin.token, body: { login: 'orphan', admin } });
      assert.equal(response.status, 422);
      assert.equal(response.body.errors[0].field, 'admin');
    }
    await rejectsWith(404, () => t.admin.octokit.rest.orgs.get({ org: 'orphan' }));
  });

  it('422 already_exists for a login taken by a user or an organization, 422 for an invalid login', async () => {
    await t.createOrg('dup-org');
    for (const login of ['DUP-ORG', 'Plain']) {
      const response = await t.request('POST', '/admin/organizations', { token: t.admin.token, body: { login, admin: t.admin.login } });
      assert.equal(response.status, 422);
      assert.equal(response.body.errors[0].code, 'already_exists');
    }
    const invalid = await t.request('POST', '/admin/organizations', { token: t.admin.token, body: { login: 'bad_org', admin: t.admin.login } });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.errors[0].code, 'invalid');
  });

  it('422 missing_field without admin', async () => {
    const response = await t.request('POST', '/admin/organizations', { token: t.admin.token, body: { login: 'adminless' } });
    assert.equal(response.status, 422);
    assert.deepEqual(response.body.errors, [{ resource: 'Organization', field: 'admin', code: 'missing_field' }]);
  });

  it('records org.create and org.add_member audit events', async () => {
    const owner = await t.createUser('audit-owner');
    await t.admin.octokit.request('POST /admin/organizations', { login: 'audited-org', admin: 'audit-owner' });
    const events = await auditEvents(t, { org: 'audited-org' });
    assert.deepEqual(events.map((e) => e.action), ['org.create', 'org.add_member']);
    for (const event of events) {
      assert.equal(event.actor, t.admin.login);
      assert.equal(event.actor_id, t.admin.id);
      assert.ok(event.org_id! > 0);
    }
    assert.equal(events[1].user, owner.login);
    assert.equal(events[1].user_id, owner.id);
    assert.equal(events[1].data?.permission, 'admin');
  });
});

describe('PATCH /admin/organizations/{org} (enterprise-admin/update-org-name)', () => {
  /** An org owned by a new user, with a member, a team and a hook. */
  async function populatedOrg(login: string) {
    const owner = await t.createUser(`${login}-owner`);
    const member = await t.createUser(`${login}-member`);
    const org = await t.createOrg(login, owner.login);
    await addMember(owner, login, member);
    await owner.octokit.rest.teams.create({ org: login, name: 'Crew', privacy: 'closed' });
    await owner.octokit.rest.orgs.createWebhook({ org: login, name: 'web', config: { url: 'http://127.0.0.1:9/unheard' }, active: false });
    return { owner, member, org };
  }

  it('202 {message, url}; the org keeps its id, members, teams and hooks under the new login; the old login is 404', async () => {
    const { owner, member, org } = await populatedOrg('old-name');
    // Read through the process's read cache first: the rename must not be answered from it under the old login.
    assert.equal((await member.octokit.rest.orgs.get({ org: 'old-name' })).data.id, org.id);
    const response = await t.admin.octokit.request('PATCH /admin/organizations/{org}', { org: 'OLD-NAME', login: 'New-Name' });
    assert.equal(response.status, 202);
    assert.deepEqual(response.data, { message: 'Job queued to rename organization. It may take a few minutes to complete.', url: `${t.url}/organizations/${org.id}` });
    await rejectsWith(404, () => member.octokit.rest.orgs.get({ org: 'old-name' }));
    await rejectsWith(404, () => owner.octokit.rest.teams.list({ org: 'old-name' }));
    const { data: renamed } = await member.octokit.rest.orgs.get({ org: 'new-name' });
    assert.deepEqual([renamed.id, renamed.login, renamed.url], [org.id, 'New-Name', `${t.url}/orgs/New-Name`]);
    assert.deepEqual((await owner.octokit.rest.orgs.listMembers({ org: 'new-name' })).data.map((u) => u.login).sort(), [owner.login, member.login].sort());
    const { data: team } = await member.octokit.rest.teams.getByName({ org: 'new-name', team_slug: 'crew' });
    assert.equal(team.html_url, `${t.url}/orgs/New-Name/teams/crew`);
    assert.equal((await owner.octokit.rest.orgs.listWebhooks({ org: 'new-name' })).data.length, 1);
    assert.deepEqual((await member.octokit.rest.orgs.listForAuthenticatedUser()).data.map((o) => o.login), ['New-Name']);
  });

  it('records org.rename; the org may be renamed to another case of its login', async () => {
    const org = await t.createOrg('cased-org');
    await t.admin.octokit.request('PATCH /admin/organizations/{org}', { org: 'cased-org', login: 'Cased-Org' });
    const [event] = await auditEvents(t, { action: 'org.rename', org: 'Cased-Org' });
    assert.deepEqual([event.actor, event.org_id, event.data], [t.admin.login, org.id, { old_login: 'cased-org' }]);
    assert.equal((await t.admin.octokit.rest.orgs.get({ org: 'cased-org' })).data.login, 'Cased-Org');
  });

  it("sends an `organization` `renamed` webhook, valid against GitHub's organization-renamed schema", async (test) => {
    const { owner } = await populatedOrg('hooked-name');
    const receiver = await hookedReceiver(test, owner, 'hooked-name', ['organization']);
    await t.admin.octokit.request('PATCH /admin/organizations/{org}', { org: 'hooked-name', login: 'hooked-renamed' });
    const renamed = await receiver.waitFor((d) => d.event === 'organization' && d.action === 'renamed');
    assert.deepEqual(renamed.payload.changes, { login: { from: 'hooked-name' } });
    assert.equal(renamed.payload.organization.login, 'hooked-renamed');
    assert.equal(renamed.payload.sender.login, t.admin.login);
  });

  it('422 with nothing written for a login taken by a user or an organization (any case) or one GitHub would refuse', async () => {
    await t.createOrg('rename-me');
    await t.createOrg('rename-taken');
    const rows = () => t.server.ctx.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    const before = await rows();
    for (const login of ['RENAME-TAKEN', 'plain']) {
      const response = await t.request('PATCH', '/admin/organizations/rename-me', { token: t.admin.token, body: { login } });
      assert.equal(response.status, 422, login);
      assert.deepEqual(response.body.errors.map((e: any) => [e.resource, e.field, e.code]), [['Organization', 'login', 'already_exists']]);
    }
    for (const login of ['bad_org', '-lead', 'a'.repeat(40), '']) {
      const response = await t.request('PATCH', '/admin/organizations/rename-me', { token: t.admin.token, body: { login } });
      assert.equal(response.status, 422, login);
      assert.equal(response.body.errors[0].code, 'invalid');
    }
    const missing = await t.request('PATCH', '/admin/organizations/rename-me', { token: t.admin.token, body: {} });
    assert.equal(missing.status, 422);
    assert.deepEqual(await rows(), before);
    assert.equal((await auditEvents(t, { action: 'org.rename', org: 'rename-me' })).length, 0);
  });

  it('403 for a user who is not a site administrator, even an owner of the org; 404 for an unknown org', async () => {
    const { owner } = await populatedOrg('kept-name');
    const response = await t.request('PATCH', '/admin/organizations/kept-name', { token: owner.token, body: { login: 'stolen-name' } });
    assert.equal(response.status, 403);
    assert.equal(response.body.message, 'Must be a site administrator.');
    assert.equal((await owner.octokit.rest.orgs.get({ org: 'kept-name' })).data.login, 'kept-name');
    const unknown = await t.request('PATCH', '/admin/organizations/no-such-org', { token: t.admin.token, body: { login: 'whatever' } });
    assert.equal(unknown.status, 404);
  });
});

describe('POST /admin/users/{username}/authorizations (enterprise-admin/create-impersonation-o-auth-token)', () => {
  it('201 with a new ghp_ token of the asked scopes that authenticates as the user', async () => {
    const response = await t.admin.octokit.request('POST /admin/users/{username}/authorizations', { username: 'PLAIN', scopes: ['read:org', 'user'] });
    assert.equal(response.status, 201);
    const token = response.data.token;
    assert.match(token, /^ghp_[A-Za-z0-9]{36}$/);
    assert.deepEqual(response.data.scopes, ['read:org', 'user']);
    assert.equal(response.data.token_last_eight, token.slice(-8));
    assert.equal(response.data.user?.login, 'plain');
    const me = await t.octokit(token).rest.users.getAuthenticated();
    assert.equal(me.data.login, 'plain');
    assert.equal(me.headers['x-oauth-scopes'], 'read:org, user');
  });

  it('each call makes another token; earlier ones keep working', async () => {
    const first = await t.request('POST', '/admin/users/plain/authorizations', { token: t.admin.token, body: { scopes: [] } });
    const second = await t.request('POST', '/admin/users/plain/authorizations', { token: t.admin.token, body: { scopes: [] } });
    assert.notEqual(first.body.token, second.body.token);
    for (const token of [first.body.token, second.body.token]) {
      assert.equal((await t.request('GET', '/user', { token })).status, 200);
    }
  });

  it('stores tokens only as hashes', async () => {
    const { body } = await t.request('POST', '/admin/users/plain/authorizations', { token: t.admin.token, body: { scopes: ['user'] } });
    const rows = await t.server.ctx.db.selectFrom('tokens').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(body.token));
    assert.ok(rows.some((row) => row.token_hash === createHash('sha256').update(body.token).digest('hex')));
  });

  it('403 for a user who is not a site administrator', async () => {
    const response = await t.request('POST', '/admin/users/plain/authorizations', { token: plain.token, body: { scopes: ['admin:org'] } });
    assert.equal(response.status, 403);
  });

  it('404 for an unknown user', async () => {
    const response = await t.request('POST', '/admin/users/nobody-at-all/authorizations', { token: t.admin.token, body: { scopes: [] } });
    assert.equal(response.status, 404);
  });

  it('422 for an unknown scope or a missing scopes field', async () => {
    const unknown = await t.request('POST', '/admin/users/plain/authorizations', { token: t.admin.token, body: { scopes: ['admin:everything'] } });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.errors[0].field, 'scopes');
    const missing = await t.request('POST', '/admin/users/plain/authorizations', { token: t.admin.token, body: {} });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.errors[0].code, 'missing_field');
  });
});

describe('DELETE /admin/users/{username}/authorizations (enterprise-admin/delete-impersonation-o-auth-token)', () => {
  it('204, and every token of the user answers 401 Bad credentials afterwards', async () => {
    const victim = await t.createUser('revoked');
    const other = await t.request('POST', '/admin/users/revoked/authorizations', { token: t.admin.token, body: { scopes: ['user'] } });
    assert.equal((await t.request('GET', '/user', { token: other.body.token })).status, 200);
    const response = await t.admin.octokit.request('DELETE /admin/users/{username}/authorizations', { username: 'Revoked' });
    assert.equal(response.status, 204);
    for (const token of [victim.token, other.body.token]) {
      const after = await t.request('GET', '/user', { token });
      assert.equal(after.status, 401);
      assert.equal(after.body.message, 'Bad credentials');
    }
    // Other users' tokens are untouched.
    assert.equal((await t.request('GET', '/user', { token: plain.token })).status, 200);
  });

  it('serves the GHES base URL too', async () => {
    const victim = await t.createUser('revoked-ghes');
    const response = await t.octokit(t.admin.token, { ghes: true }).request('DELETE /admin/users/{username}/authorizations', { username: 'revoked-ghes' });
    assert.equal(response.status, 204);
    assert.equal((await t.request('GET', '/user', { token: victim.token })).status, 401);
  });

  it('403 for a user who is not a site administrator; the tokens keep working', async () => {
    const response = await t.request('DELETE', '/admin/users/plain/authorizations', { token: plain.token });
    assert.equal(response.status, 403);
    assert.equal((await t.request('GET', '/user', { token: plain.token })).status, 200);
  });

  it('404 for an unknown user', async () => {
    const response = await t.request('DELETE', '/admin/users/nobody-at-all/authorizations', { token: t.admin.token });
    assert.equal(response.status, 404);
  });
});

/** A user's profile as anyone sees it, or the status it answers with. */
async function profile(login: string) {
  const response = await t.request('GET', `/users/${login}`, { token: t.admin.token });
  return response.status === 200 ? response.body : response.status;
}

/** An org owned by a new user `<prefix>-owner`, with `member` as a member and on the team `crew`. */
async function orgWith(prefix: string, member: TestUser) {
  const owner = await t.createUser(`${prefix}-owner`);
  const org = await t.createOrg(`${prefix}-org`, owner.login);
  await addMember(owner, org.login, member);
  await owner.octokit.rest.teams.create({ org: org.login, name: 'Crew', privacy: 'closed' });
  await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org: org.login, team_slug: 'crew', username: member.login });
  return { owner, org };
}

describe('PATCH /admin/users/{username} (enterprise-admin/update-username-for-user)', () => {
  it('202 {message, url}; the user keeps their id, memberships, teams and token, every answer carries the new login, the old one is 404', async () => {
    const renamed = await t.createUser('old-login');
    const { owner, org } = await orgWith('rename', renamed);
    // Read through the token cache and the read cache first: neither may answer with the old login afterwards.
    assert.equal((await renamed.octokit.rest.orgs.get({ org: org.login })).status, 200);
    assert.equal((await renamed.octokit.rest.users.getAuthenticated()).data.login, 'old-login');
    const response = await t.admin.octokit.request('PATCH /admin/users/{username}', { username: 'OLD-LOGIN', login: 'New-Login' });
    assert.equal(response.status, 202);
    assert.deepEqual(response.data, { message: 'Job queued to rename user. It may take a few minutes to complete.', url: `${t.url}/user/${renamed.id}` });

    assert.equal(await profile('old-login'), 404);
    const shown = await profile('new-login');
    assert.deepEqual([shown.id, shown.login, shown.url, shown.html_url], [renamed.id, 'New-Login', `${t.url}/users/New-Login`, `${t.url}/New-Login`]);
    const { data: me } = await renamed.octokit.rest.users.getAuthenticated();
    assert.deepEqual([me.id, me.login], [renamed.id, 'New-Login'], 'the same token, now for the new login');
    const { data: members } = await owner.octokit.rest.orgs.listMembers({ org: org.login });
    assert.deepEqual(members.map((u) => u.login).sort(), [owner.login, 'New-Login'].sort());
    assert.equal(members.find((u) => u.id === renamed.id)?.url, `${t.url}/users/New-Login`);
    const { data: membership } = await owner.octokit.rest.orgs.getMembershipForUser({ org: org.login, username: 'new-login' });
    assert.deepEqual([membership.user?.login, membership.state, membership.url], ['New-Login', 'active', `${t.url}/orgs/${org.login}/memberships/New-Login`]);
    await rejectsWith(404, () => owner.octokit.rest.orgs.getMembershipForUser({ org: org.login, username: 'old-login' }));
    const { data: crew } = await owner.octokit.rest.teams.listMembersInOrg({ org: org.login, team_slug: 'crew', role: 'member' });
    assert.deepEqual(crew.map((u) => u.login), ['New-Login']);
    assert.deepEqual((await renamed.octokit.rest.orgs.listForAuthenticatedUser()).data.map((o) => o.login), [org.login]);
    assert.equal((await renamed.octokit.rest.orgs.get({ org: org.login })).status, 200);
  });

  it('records user.rename; a change of case is a rename, the same login changes nothing', async () => {
    const user = await t.createUser('cased-user');
    await t.admin.octokit.request('PATCH /admin/users/{username}', { username: 'cased-user', login: 'Cased-User' });
    await t.admin.octokit.request('PATCH /admin/users/{username}', { username: 'cased-user', login: 'Cased-User' });
    const events = (await auditEvents(t, { action: 'user.rename' })).filter((e) => e.user_id === user.id);
    assert.deepEqual(events.map((e) => [e.actor, e.user, e.data]), [[t.admin.login, 'Cased-User', { old_login: 'cased-user' }]]);
    assert.equal((await profile('cased-user')).login, 'Cased-User');
  });

  it('serves the GHES base URL, its url under /api/v3', async () => {
    const user = await t.createUser('ghes-renamed');
    const response = await t.octokit(t.admin.token, { ghes: true }).request('PATCH /admin/users/{username}', { username: user.login, login: 'ghes-renamed-2' });
    assert.equal(response.status, 202);
    assert.equal(response.data.url, `${t.url}/api/v3/user/${user.id}`);
  });

  it('422 with nothing written for a login taken by a user or an organization (any case), or one GitHub would refuse', async () => {
    await t.createUser('user-rename-me');
    await t.createOrg('rename-taken-org');
    const rows = () => t.server.ctx.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    const before = await rows();
    for (const login of ['PLAIN', 'rename-taken-org']) {
      const response = await t.request('PATCH', '/admin/users/user-rename-me', { token: t.admin.token, body: { login } });
      assert.equal(response.status, 422, login);
      assert.deepEqual(response.body.errors.map((e: any) => [e.resource, e.field, e.code]), [['User', 'login', 'already_exists']]);
    }
    for (const body of [{ login: 'bad_login' }, { login: '-lead' }, { login: 'a'.repeat(40) }, { login: '' }, {}, { login: 7 }]) {
      const response = await t.request('PATCH', '/admin/users/user-rename-me', { token: t.admin.token, body });
      assert.equal(response.status, 422, JSON.stringify(body));
    }
    assert.deepEqual(await rows(), before);
  });

  it('403 for a user who is not a site administrator; 404 for an unknown user or an organization', async () => {
    const response = await t.request('PATCH', `/admin/users/${plain.login}`, { token: plain.token, body: { login: 'plain-2' } });
    assert.equal(response.status, 403);
    assert.equal(response.body.message, 'Must be a site administrator.');
    await t.createOrg('not-a-user-org');
    for (const username of ['nobody-at-all', 'not-a-user-org']) {
      assert.equal((await t.request('PATCH', `/admin/users/${username}`, { token: t.admin.token, body: { login: 'whatever-x' } })).status, 404);
    }
    assert.equal((await profile('plain')).login, 'plain');
  });
});

describe('DELETE /admin/users/{username} (enterprise-admin/delete-user)', () => {
  it('204: the user leaves their orgs and teams, their invitations and tokens go, the login is free again', async (test) => {
    const leaving = await t.createUser('leaving');
    const { owner, org } = await orgWith('deleted', leaving);
    const receiver = await hookedReceiver(test, owner, org.login, ['organization']);
    const other = await t.createOrg('deleted-invited-org', owner.login);
    await invite(owner, other.login, leaving);
    // Their invitation of someone else, as an owner of a third org: cancelled with the account.
    const invitee = await t.createUser('deleted-invitee');
    const third = await t.createOrg('deleted-third-org', owner.login);
    await addMember(owner, third.login, leaving, 'admin');
    await invite(leaving, third.login, invitee);
    assert.equal((await leaving.octokit.rest.users.getAuthenticated()).status, 200);

    const response = await t.admin.octokit.request('DELETE /admin/users/{username}', { username: 'LEAVING' });
    assert.equal(response.status, 204);
    assert.equal(await profile('leaving'), 404);
    assert.equal((await t.request('GET', '/user', { token: leaving.token })).status, 401, 'their token is gone at once');
    assert.deepEqual((await owner.octokit.rest.orgs.listMembers({ org: org.login })).data.map((u) => u.login), [owner.login]);
    assert.deepEqual((await owner.octokit.rest.teams.listMembersInOrg({ org: org.login, team_slug: 'crew', role: 'member' })).data, []);
    for (const login of [other.login, third.login]) assert.deepEqual((await owner.octokit.rest.orgs.listPendingInvitations({ org: login })).data, []);
    await rejectsWith(404, () => invitee.octokit.rest.orgs.getMembershipForAuthenticatedUser({ org: third.login }));
    for (const orgId of [org.id, other.id, third.id]) assertConsistentMembership(await membershipFacts(t.server.ctx.db, orgId));

    const [destroyed] = (await auditEvents(t, { action: 'user.destroy' })).filter((e) => e.user_id === leaving.id);
    assert.deepEqual([destroyed.actor, destroyed.user], [t.admin.login, 'leaving']);
    assert.deepEqual((await auditEvents(t, { action: 'org.remove_member' })).filter((e) => e.user_id === leaving.id).map((e) => e.org).sort(), [org.login, third.login].sort());
    const removed = await receiver.waitFor((d) => d.event === 'organization' && d.action === 'member_removed');
    assert.equal(removed.payload.membership.user.login, 'leaving');
    assert.equal((await t.request('POST', '/admin/users', { token: t.admin.token, body: { login: 'leaving' } })).status, 201);
  });

  it("403 with nothing changed while the user is an org's only owner", async () => {
    const soleOwner = await t.createUser('sole-owner');
    await t.createOrg('sole-owned', soleOwner.login);
    const response = await t.request('DELETE', '/admin/users/sole-owner', { token: t.admin.token });
    assert.equal(response.status, 403);
    assert.equal(response.body.message, 'sole-owner is the only owner of sole-owned: make someone else an owner first.');
    assert.equal((await profile('sole-owner')).login, 'sole-owner');
    assert.deepEqual((await soleOwner.octokit.rest.orgs.listForAuthenticatedUser()).data.map((o) => o.login), ['sole-owned']);
  });

  it('403 for your own account; 403 for a user who is not a site administrator; 404 for an unknown user', async () => {
    const self = await t.request('DELETE', `/admin/users/${t.admin.login}`, { token: t.admin.token });
    assert.equal(self.status, 403);
    assert.equal(self.body.message, 'You cannot delete your own account.');
    const victim = await t.createUser('undeleted');
    const response = await t.request('DELETE', '/admin/users/undeleted', { token: plain.token });
    assert.equal(response.status, 403);
    assert.equal((await t.request('GET', '/user', { token: victim.token })).status, 200);
    assert.equal((await t.request('DELETE', '/admin/users/nobody-at-all', { token: t.admin.token })).status, 404);
  });
});

describe('PUT /users/{username}/suspended (enterprise-admin/suspend-user)', () => {
  it("204; the user's tokens are refused at once with GitHub's 403", async () => {
    const suspended = await t.createUser('suspended-user');
    assert.equal((await t.request('GET', '/user', { token: suspended.token })).status, 200);
    const response = await t.admin.octokit.request('PUT /users/{username}/suspended', { username: 'Suspended-User' });
    assert.equal(response.status, 204);
    const refused = await t.request('GET', '/user', { token: suspended.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, 'Sorry. Your account was suspended.');
    assert.equal((await profile('suspended-user')).login, 'suspended-user', 'the account itself stays');
  });

  it("records user.suspend with the reason given, or GHES's default; suspending again changes nothing", async () => {
    const first = await t.createUser('suspended-why');
    const second = await t.createUser('suspended-default');
    await t.admin.octokit.request('PUT /users/{username}/suspended', { username: first.login, reason: 'Leave of absence.' });
    await t.admin.octokit.request('PUT /users/{username}/suspended', { username: first.login, reason: 'Again.' });
    assert.equal((await t.request('PUT', `/users/${second.login}/suspended`, { token: t.admin.token })).status, 204);
    const events = (await auditEvents(t, { action: 'user.suspend' })).filter((e) => [first.id, second.id].includes(e.user_id!));
    assert.deepEqual(events.map((e) => [e.user, e.actor, e.data?.reason]), [
      [first.login, t.admin.login, 'Leave of absence.'],
      [second.login, t.admin.login, `Suspended via API by ${t.admin.login}`],
    ]);
  });

  it('403 for your own account, so a site admin always remains; 403 for anyone else but a site admin', async () => {
    const self = await t.request('PUT', `/users/${t.admin.login}/suspended`, { token: t.admin.token });
    assert.equal(self.status, 403);
    assert.equal(self.body.message, 'You cannot suspend your own account.');
    assert.equal((await t.request('GET', '/user', { token: t.admin.token })).status, 200);
    const target = await t.createUser('not-suspended');
    assert.equal((await t.request('PUT', '/users/not-suspended/suspended', { token: plain.token })).status, 403);
    assert.equal((await t.request('GET', '/user', { token: target.token })).status, 200);
  });

  it('a suspended site admin can no longer act as one', async () => {
    const second = await t.createUser('second-admin-suspended');
    await t.admin.octokit.request('PUT /users/{username}/site_admin', { username: second.login });
    await t.admin.octokit.request('PUT /users/{username}/suspended', { username: second.login });
    const response = await t.request('PUT', `/users/${t.admin.login}/suspended`, { token: second.token });
    assert.equal(response.status, 403);
    assert.equal(response.body.message, 'Sorry. Your account was suspended.');
  });

  it('404 for an unknown user or an organization; 422 for a reason that is not a string', async () => {
    await t.createOrg('unsuspendable-org');
    for (const username of ['nobody-at-all', 'unsuspendable-org']) {
      assert.equal((await t.request('PUT', `/users/${username}/suspended`, { token: t.admin.token })).status, 404);
    }
    assert.equal((await t.request('PUT', `/users/${plain.login}/suspended`, { token: t.admin.token, body: { reason: 5 } })).status, 422);
    assert.equal((await t.request('GET', '/user', { token: plain.token })).status, 200);
  });
});

describe('DELETE /users/{username}/suspended (enterprise-admin/unsuspend-user)', () => {
  it('204; the same tokens work again; records user.unsuspend with its reason', async () => {
    const user = await t.createUser('unsuspended-user');
    await t.admin.octokit.request('PUT /users/{username}/suspended', { username: user.login });
    const response = await t.admin.octokit.request('DELETE /users/{username}/suspended', { username: user.login, reason: 'Back from leave.' });
    assert.equal(response.status, 204);
    assert.equal((await t.request('GET', '/user', { token: user.token })).status, 200);
    const [event] = (await auditEvents(t, { action: 'user.unsuspend' })).filter((e) => e.user_id === user.id);
    assert.deepEqual([event.actor, event.data?.reason], [t.admin.login, 'Back from leave.']);
  });

  it('204 with nothing recorded for a user who is not suspended; 403 for anyone but a site admin; 404 for an unknown user', async () => {
    const user = await t.createUser('never-suspended');
    assert.equal((await t.request('DELETE', `/users/${user.login}/suspended`, { token: t.admin.token })).status, 204);
    assert.equal((await auditEvents(t, { action: 'user.unsuspend' })).filter((e) => e.user_id === user.id).length, 0);
    assert.equal((await t.request('DELETE', `/users/${user.login}/suspended`, { token: plain.token })).status, 403);
    assert.equal((await t.request('DELETE', '/users/nobody-at-all/suspended', { token: t.admin.token })).status, 404);
  });
});

describe('PUT /users/{username}/site_admin (enterprise-admin/promote-user-to-be-site-administrator)', () => {
  it('204; the user is a site admin at once: shown as one, and their token may use the site-admin API', async () => {
    const promoted = await t.createUser('promoted');
    assert.equal((await t.request('POST', '/admin/users', { token: promoted.token, body: { login: 'by-promoted' } })).status, 403);
    const response = await t.admin.octokit.request('PUT /users/{username}/site_admin', { username: 'PROMOTED' });
    assert.equal(response.status, 204);
    assert.equal((await profile('promoted')).site_admin, true);
    assert.equal((await t.request('POST', '/admin/users', { token: promoted.token, body: { login: 'by-promoted' } })).status, 201);
    await t.admin.octokit.request('PUT /users/{username}/site_admin', { username: 'promoted' });
    const events = (await auditEvents(t, { action: 'user.promote' })).filter((e) => e.user_id === promoted.id);
    assert.deepEqual(events.map((e) => e.actor), [t.admin.login], 'promoting again records nothing');
  });

  it('403 for anyone but a site admin; 404 for an unknown user or an organization', async () => {
    const response = await t.request('PUT', `/users/${plain.login}/site_admin`, { token: plain.token });
    assert.equal(response.status, 403);
    assert.equal((await profile('plain')).site_admin, false);
    await t.createOrg('unpromotable-org');
    for (const username of ['nobody-at-all', 'unpromotable-org']) {
      assert.equal((await t.request('PUT', `/users/${username}/site_admin`, { token: t.admin.token })).status, 404);
    }
  });
});

describe('DELETE /users/{username}/site_admin (enterprise-admin/demote-site-administrator)', () => {
  it('204; their next site-admin call is refused; records user.demote', async () => {
    const demoted = await t.createUser('demoted');
    await t.admin.octokit.request('PUT /users/{username}/site_admin', { username: demoted.login });
    assert.equal((await t.request('POST', '/admin/users', { token: demoted.token, body: { login: 'by-demoted' } })).status, 201);
    const response = await t.admin.octokit.request('DELETE /users/{username}/site_admin', { username: demoted.login });
    assert.equal(response.status, 204);
    assert.equal((await t.request('POST', '/admin/users', { token: demoted.token, body: { login: 'by-demoted-2' } })).status, 403);
    assert.equal((await profile('demoted')).site_admin, false);
    const [event] = (await auditEvents(t, { action: 'user.demote' })).filter((e) => e.user_id === demoted.id);
    assert.equal(event.actor, t.admin.login);
  });

  it('403 for your own account, so the last site admin stays one', async () => {
    const response = await t.request('DELETE', `/users/${t.admin.login}/site_admin`, { token: t.admin.token });
    assert.equal(response.status, 403);
    assert.equal(response.body.message, 'You cannot demote your own account.');
    assert.equal((await profile(t.admin.login)).site_admin, true);
  });

  it('two site admins demoting each other at once: one of them stays a site admin', async () => {
    const [first, second] = [await t.createUser('mutual-one'), await t.createUser('mutual-two')];
    for (const user of [first, second]) await t.admin.octokit.request('PUT /users/{username}/site_admin', { username: user.login });
    const statuses = await Promise.all([
      t.request('DELETE', `/users/${second.login}/site_admin`, { token: first.token }),
      t.request('DELETE', `/users/${first.login}/site_admin`, { token: second.token }),
    ]).then((responses) => responses.map((r) => r.status).sort());
    assert.deepEqual(statuses, [204, 403]);
    const admins = [(await profile(first.login)).site_admin, (await profile(second.login)).site_admin];
    assert.deepEqual(admins.sort(), [false, true]);
  });

  it('403 for anyone but a site admin; 404 for an unknown user', async () => {
    assert.equal((await t.request('DELETE', `/users/${t.admin.login}/site_admin`, { token: plain.token })).status, 403);
    assert.equal((await t.request('DELETE', '/users/nobody-at-all/site_admin', { token: t.admin.token })).status, 404);
  });
});
