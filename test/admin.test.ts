import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { auditEvents, rejectsWith } from './support/foundation.js';
import { addMember } from './support/membership.js';
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

  it('serves the GHES base URL too', async () => {
    const response = await t.octokit(t.admin.token, { ghes: true }).request('POST /admin/organizations', { login: 'ghes-made', admin: t.admin.login });
    assert.equal(response.status, 201);
    assert.equal(response.data.url, `${t.url}/orgs/ghes-made`);
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
