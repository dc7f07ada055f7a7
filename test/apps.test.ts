import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { ManualClock } from '../src/clock.js';
import { appOctokit, installApp, installationToken, registerApp, signJwt } from './support/apps.js';
import { auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember } from './support/membership.js';
import { tokenFor } from './support/people.js';
import type { TestServer } from './support/server.js';
import { orgFactory, startReceiver, useGuardedServer, type Receiver } from './support/webhooks.js';

const HOUR = 60 * 60 * 1000;

let t: TestServer;
// auth-app signs JWTs with the machine's clock: the server's starts there, and tests move it from there.
useGuardedServer({ clock: new ManualClock(new Date()), webhooks: { pollMs: 20 } }, (server) => (t = server));

/** A new org owned by a new user whose token has every scope. */
const freshOrg = orgFactory(() => t, 'ap');

/** A receiver of an app's deliveries (`integration` target), closed when the test ends; its secret is the app's, set once registered. */
async function appReceiver(test: TestContext): Promise<Receiver> {
  const receiver = await startReceiver({ targetType: 'integration' });
  test.after(() => receiver.close());
  return receiver;
}

const nowS = () => Math.floor(t.clock.now().getTime() / 1000);

describe('POST /admin/apps', () => {
  it('201 with the manifest conversion: ids, client secret, webhook secret and a PKCS#1 private key', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org, { name: 'Octo Helper!', permissions: { members: 'write', metadata: 'read' }, events: ['organization', 'team'] });
    assert.equal(app.slug, 'octo-helper');
    assert.match(app.client_id, /^Iv23li[A-Za-z0-9]{14}$/);
    assert.match(app.client_secret, /^[0-9a-f]{40}$/);
    assert.match(app.webhook_secret, /^[0-9a-f]{40}$/);
    assert.match(app.pem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.equal(app.owner.login, org);
    assert.deepEqual(app.permissions, { members: 'write', metadata: 'read' });
    assert.deepEqual(app.events, ['organization', 'team']);
    const stored = await t.server.ctx.db.selectFrom('apps').selectAll().where('id', '=', app.id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(stored).includes(app.client_secret), 'the client secret is stored only as a hash');
    assert.ok(!stored.public_key.includes('PRIVATE'), 'only the public key is stored');
    const bot = await t.server.ctx.db.selectFrom('accounts').selectAll().where('id', '=', stored.bot_id).executeTakeFirstOrThrow();
    assert.deepEqual([bot.login, bot.type], [`${app.slug}[bot]`, 'Bot']);
    // GitHub's URLs of a bot percent-encode the brackets; its page is the app's.
    const { data: shown } = await t.admin.octokit.rest.users.getByUsername({ username: bot.login });
    assert.equal(shown.type, 'Bot');
    assert.match(shown.url, /\/users\/octo-helper%5Bbot%5D$/);
    assert.match(shown.html_url, /\/apps\/octo-helper$/);
    assert.equal((await auditEvents(t, { action: 'integration.create', org })).length, 1);
  });

  it('422 for an event its permissions do not cover, and for a permission level that does not exist', async () => {
    const { org } = await freshOrg();
    for (const body of [
      { default_permissions: { metadata: 'read' }, default_events: ['organization'] },
      { default_permissions: { members: 'admin' }, default_events: [] },
      { default_permissions: { members: 'read' }, default_events: ['ping'] },
    ]) {
      const response = await t.request('POST', '/admin/apps', { token: t.admin.token, body: { owner: org, name: `bad-${Math.random()}`, url: 'https://example.test', ...body } });
      assert.equal(response.status, 422, response.text);
      assert.equal(response.body.errors[0].resource, 'Integration');
    }
  });

  it('422 for an owner that is no user or organization', async () => {
    const response = await t.request('POST', '/admin/apps', { token: t.admin.token, body: { owner: 'nobody-here', name: 'orphan', url: 'https://example.test' } });
    assert.equal(response.status, 422, response.text);
    assert.equal(response.body.errors[0].field, 'owner');
  });

  it('422 when the name is taken', async () => {
    const { org } = await freshOrg();
    await registerApp(t, org, { name: 'Twice' });
    const response = await t.request('POST', '/admin/apps', { token: t.admin.token, body: { owner: org, name: 'twice', url: 'https://example.test' } });
    assert.equal(response.status, 422, response.text);
    assert.deepEqual(response.body.errors, [{ resource: 'Integration', field: 'name', code: 'already_exists', message: 'Name has already been taken', value: 'twice' }]);
  });

  it('403 for anyone but a site administrator', async () => {
    const { owner, org } = await freshOrg();
    const token = await tokenFor(t, owner.login, ['site_admin']);
    const response = await t.request('POST', '/admin/apps', { token, body: { owner: org, name: 'nope', url: 'https://example.test' } });
    assert.equal(response.status, 403);
  });
});

describe('GET /app', () => {
  it('200 with the app and its installation count, for auth-app JWTs', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    await installApp(t, app, org);
    const { data } = await appOctokit(t, app).rest.apps.getAuthenticated();
    assert.equal(data!.id, app.id);
    assert.equal(data!.slug, app.slug);
    assert.equal(data!.installations_count, 1);
  });

  it('takes the client id as issuer', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    const jwt = await signJwt(app.pem, { iss: app.client_id, iat: nowS() - 30, exp: nowS() + 540 });
    const response = await t.request('GET', '/app', { token: jwt });
    assert.equal(response.status, 200, response.text);
  });

  it("401 with GitHub's messages for badly signed, expired, too long-lived and future JWTs; 404 for an unknown issuer", async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    const cases: [string, number, string][] = [
      [await signJwt(otherKey, { iss: app.id, iat: nowS() - 30, exp: nowS() + 540 }), 401, 'A JSON web token could not be decoded'],
      ['eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', 401, 'A JSON web token could not be decoded'],
      [await signJwt(app.pem, { iss: app.id, iat: nowS() - 700, exp: nowS() - 100 }), 401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"],
      [await signJwt(app.pem, { iss: app.id, iat: nowS(), exp: nowS() + 3600 }), 401, "'Expiration time' claim ('exp') is too far in the future"],
      [await signJwt(app.pem, { iss: app.id, iat: nowS() + 300, exp: nowS() + 600 }), 401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"],
      [await signJwt(app.pem, { iss: 999_999, iat: nowS() - 30, exp: nowS() + 540 }), 404, 'Integration not found'],
    ];
    for (const [jwt, status, message] of cases) {
      const response = await t.request('GET', '/app', { token: jwt });
      assert.equal(response.status, status, response.text);
      assert.equal(response.body.message, message);
    }
  });

  it("allows a minute of clock drift: iat up to 60 s ahead", async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    const jwt = await signJwt(app.pem, { iss: app.id, iat: nowS() + 50, exp: nowS() + 600 });
    assert.equal((await t.request('GET', '/app', { token: jwt })).status, 200);
  });

  it('auth-app corrects its clock by the Date header when the server clock is ahead', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    t.clock.advance(2 * HOUR);
    try {
      const { data } = await appOctokit(t, app).rest.apps.getAuthenticated();
      assert.equal(data!.id, app.id);
    } finally {
      t.clock.advance(-2 * HOUR);
    }
  });

  it('401 for a classic token; app JWTs are refused elsewhere with 403', async () => {
    const { owner, org } = await freshOrg();
    const app = await registerApp(t, org);
    assert.equal((await t.request('GET', '/app', { token: owner.token })).status, 401);
    const jwt = await signJwt(app.pem, { iss: app.id, iat: nowS() - 30, exp: nowS() + 540 });
    const response = await t.request('GET', `/orgs/${org}/members`, { token: jwt });
    assert.equal(response.status, 403);
    assert.equal(response.body.message, 'Resource not accessible by integration');
  });
});

describe('GET /app/installations', () => {
  it("200 with the app's installations only, paged with Link", async () => {
    const app = await registerApp(t, (await freshOrg()).org);
    const other = await registerApp(t, (await freshOrg()).org);
    const orgs = [await freshOrg(), await freshOrg(), await freshOrg()];
    const ids = [];
    for (const { org } of orgs) ids.push(await installApp(t, app, org));
    await installApp(t, other, orgs[0].org);
    const octokit = appOctokit(t, app);
    const first = await octokit.rest.apps.listInstallations({ per_page: 2 });
    assert.deepEqual(first.data.map((i) => i.id), ids.slice(0, 2));
    assert.ok(parseLink(first.headers.link).next);
    const all = await octokit.paginate(octokit.rest.apps.listInstallations, { per_page: 2 });
    assert.deepEqual(all.map((i) => i.id), ids);
    assert.equal(all[0].account!.login, orgs[0].org);
    assert.equal(all[0].app_slug, app.slug);
  });
});

describe('GET /app/installations/{installation_id}', () => {
  it("200 for the app's own installation, 404 for another app's", async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org, { permissions: { members: 'read', organization_administration: 'write' } });
    const other = await registerApp(t, org);
    const id = await installApp(t, app, org);
    const otherId = await installApp(t, other, org);
    const { data } = await appOctokit(t, app).rest.apps.getInstallation({ installation_id: id });
    assert.deepEqual(data.permissions, { members: 'read', organization_administration: 'write' });
    assert.equal(data.target_type, 'Organization');
    assert.equal(data.suspended_at, null);
    await rejectsWith(404, () => appOctokit(t, app).rest.apps.getInstallation({ installation_id: otherId }));
  });
});

describe('GET /orgs/{org}/installation', () => {
  it("200 with the app's installation on the org, 404 where it is not installed", async () => {
    const { org } = await freshOrg();
    const elsewhere = await freshOrg();
    const app = await registerApp(t, org);
    const id = await installApp(t, app, org);
    const { data } = await appOctokit(t, app).rest.apps.getOrgInstallation({ org });
    assert.equal(data.id, id);
    await rejectsWith(404, () => appOctokit(t, app).rest.apps.getOrgInstallation({ org: elsewhere.org }));
  });
});

describe('GET /orgs/{org}/installations', () => {
  it('200 for owners with read:org, paged with Link', async () => {
    const { owner, org } = await freshOrg();
    const apps = [await registerApp(t, org), await registerApp(t, org), await registerApp(t, org)];
    for (const app of apps) await installApp(t, app, org);
    const token = await tokenFor(t, owner.login, ['read:org']);
    const response = await t.request('GET', `/orgs/${org}/installations?per_page=2`, { token });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.total_count, 3);
    assert.deepEqual(response.body.installations.map((i: { app_id: number }) => i.app_id), [apps[0].id, apps[1].id]);
    assert.ok(parseLink(response.headers.get('link')).last);
    assert.equal(response.headers.get('x-accepted-oauth-scopes'), 'admin:org, write:org, read:org');
  });

  it('404 for members who are not owners; 403 for a token without read:org', async () => {
    const { owner, org } = await freshOrg();
    const member = await t.createUser(`ap-member-${org}`);
    await addMember(owner, org, member);
    assert.equal((await t.request('GET', `/orgs/${org}/installations`, { token: member.token })).status, 404);
    const token = await tokenFor(t, owner.login, ['user']);
    assert.equal((await t.request('GET', `/orgs/${org}/installations`, { token })).status, 403);
  });

  it("installation tokens need organization_administration read", async () => {
    const { org } = await freshOrg();
    const reader = await registerApp(t, org, { permissions: { organization_administration: 'read' } });
    const other = await registerApp(t, org, { permissions: { members: 'read' } });
    const allowed = await installationToken(t, reader, await installApp(t, reader, org));
    const refused = await installationToken(t, other, await installApp(t, other, org));
    assert.equal((await t.request('GET', `/orgs/${org}/installations`, { token: allowed })).status, 200);
    const response = await t.request('GET', `/orgs/${org}/installations`, { token: refused });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-accepted-github-permissions'), 'organization_administration=read');
  });
});

describe('POST /app/installations/{installation_id}/access_tokens', () => {
  it("201 with a ghs_ token for an hour, with the installation's permissions", async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org, { permissions: { members: 'write', metadata: 'read' } });
    const id = await installApp(t, app, org);
    const { data } = await appOctokit(t, app).rest.apps.createInstallationAccessToken({ installation_id: id });
    assert.match(data.token, /^ghs_[A-Za-z0-9]{36}$/);
    assert.equal(Date.parse(data.expires_at), Math.floor(t.clock.now().getTime() / 1000) * 1000 + HOUR);
    assert.deepEqual(data.permissions, { members: 'write', metadata: 'read' });
    assert.equal(data.repository_selection, 'all');
    const stored = await t.server.ctx.db.selectFrom('installation_tokens').selectAll().where('installation_id', '=', id).execute();
    assert.ok(stored.length >= 1 && stored.every((row) => row.token_hash !== data.token && !JSON.stringify(row).includes(data.token)), 'only hashes are stored');
  });

  it('narrowed: fewer permissions and some repositories', async () => {
    const { owner, org } = await freshOrg();
    for (const name of ['one', 'two', 'three']) await owner.octokit.rest.repos.createInOrg({ org, name });
    const app = await registerApp(t, org, { permissions: { members: 'write', metadata: 'read' } });
    const id = await installApp(t, app, org);
    const octokit = appOctokit(t, app);
    const { data } = await octokit.rest.apps.createInstallationAccessToken({ installation_id: id, permissions: { members: 'read' }, repositories: ['two'] });
    assert.deepEqual(data.permissions, { members: 'read' });
    assert.equal(data.repository_selection, 'selected');
    assert.deepEqual(data.repositories!.map((r) => r.name), ['two']);
    // The narrowed token may read members but not change memberships.
    const member = await t.createUser(`ap-narrow-${org}`);
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token: data.token })).status, 200);
    const refused = await t.request('PUT', `/orgs/${org}/memberships/${member.login}`, { token: data.token, body: { role: 'member' } });
    assert.equal(refused.status, 403);
    const repos = await t.request('GET', '/installation/repositories', { token: data.token });
    assert.equal(repos.status, 200, repos.text);
    assert.deepEqual(repos.body.repositories.map((r: { name: string }) => r.name), ['two']);
  });

  it('422 for permissions beyond the installation’s, and for repositories it cannot reach', async () => {
    const { owner, org } = await freshOrg();
    await owner.octokit.rest.repos.createInOrg({ org, name: 'kept' });
    const app = await registerApp(t, org, { permissions: { members: 'read' } });
    const id = await installApp(t, app, org);
    const octokit = appOctokit(t, app);
    const more = await rejectsWith(422, () => octokit.rest.apps.createInstallationAccessToken({ installation_id: id, permissions: { members: 'write' } }));
    assert.equal(more.response!.data.message, 'The permissions requested are not granted to this installation.');
    await rejectsWith(422, () => octokit.rest.apps.createInstallationAccessToken({ installation_id: id, permissions: { organization_hooks: 'read' } }));
    await rejectsWith(422, () => octokit.rest.apps.createInstallationAccessToken({ installation_id: id, repositories: ['missing'] }));
    const unreachable = await rejectsWith(422, () => octokit.rest.apps.createInstallationAccessToken({ installation_id: id, repository_ids: [999_999] }));
    assert.equal(unreachable.response!.data.message, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
  });

  it("404 for another app's installation; 401 without a JWT", async () => {
    const { owner, org } = await freshOrg();
    const app = await registerApp(t, org);
    const other = await registerApp(t, org);
    const otherId = await installApp(t, other, org);
    await rejectsWith(404, () => appOctokit(t, app).rest.apps.createInstallationAccessToken({ installation_id: otherId }));
    assert.equal((await t.request('POST', `/app/installations/${otherId}/access_tokens`, { token: owner.token })).status, 401);
  });
});

describe('installation tokens', () => {
  it('act as the bot, allowed by permission and refused without it (403 with X-Accepted-GitHub-Permissions)', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org, { permissions: { members: 'read' } });
    const octokit = appOctokit(t, app, await installApp(t, app, org));
    const { data: members } = await octokit.rest.orgs.listMembers({ org });
    assert.ok(members.length >= 1);
    const refused = await rejectsWith(403, () => octokit.rest.orgs.update({ org, description: 'by an app' }));
    assert.equal(refused.response!.data.message, 'Resource not accessible by integration');
    assert.equal(refused.response!.headers['x-accepted-github-permissions'], 'organization_administration=write');
  });

  it('expire after an hour (by the server clock)', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    const token = await installationToken(t, app, await installApp(t, app, org));
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token })).status, 200);
    t.clock.advance(HOUR - 1000);
    try {
      assert.equal((await t.request('GET', `/orgs/${org}/members`, { token })).status, 200);
      t.clock.advance(1000);
      const expired = await t.request('GET', `/orgs/${org}/members`, { token });
      assert.equal(expired.status, 401);
      assert.equal(expired.body.message, 'Bad credentials');
    } finally {
      t.clock.advance(-HOUR);
    }
  });

  it('die when the app is uninstalled', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    const id = await installApp(t, app, org);
    const token = await installationToken(t, app, id);
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token })).status, 200);
    assert.equal((await t.request('DELETE', `/admin/installations/${id}`, { token: t.admin.token })).status, 204);
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token })).status, 401);
    await rejectsWith(404, () => appOctokit(t, app).rest.apps.getInstallation({ installation_id: id }));
    assert.equal((await t.request('DELETE', `/admin/installations/${id}`, { token: t.admin.token })).status, 404);
  });

  it('die when the installation is suspended; none are made until it is unsuspended', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    const id = await installApp(t, app, org);
    const token = await installationToken(t, app, id);
    assert.equal((await t.request('PUT', `/admin/installations/${id}/suspended`, { token: t.admin.token })).status, 204);
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token })).status, 401);
    const { data } = await appOctokit(t, app).rest.apps.getInstallation({ installation_id: id });
    assert.equal(data.suspended_by!.login, t.admin.login);
    assert.ok(data.suspended_at);
    const refused = await rejectsWith(403, () => appOctokit(t, app).rest.apps.createInstallationAccessToken({ installation_id: id }));
    assert.equal(refused.response!.data.message, 'This installation has been suspended');
    assert.equal((await t.request('DELETE', `/admin/installations/${id}/suspended`, { token: t.admin.token })).status, 204);
    const fresh = await installationToken(t, app, id);
    assert.equal((await t.request('GET', `/orgs/${org}/members`, { token: fresh })).status, 200);
  });

  it('two suspensions at once: both 204, one integration_installation.suspend', async () => {
    const { org } = await freshOrg();
    const id = await installApp(t, await registerApp(t, org), org);
    const path = `/admin/installations/${id}/suspended`;
    const answers = await Promise.all([t.request('PUT', path, { token: t.admin.token }), t.request('PUT', path, { token: t.admin.token })]);
    assert.deepEqual(answers.map((a) => a.status), [204, 204]);
    assert.equal((await auditEvents(t, { action: 'integration_installation.suspend', org })).length, 1);
  });

  it('one asked for while the installation is being suspended is refused, or dies with the suspension', async () => {
    const { org } = await freshOrg();
    const app = await registerApp(t, org);
    const id = await installApp(t, app, org);
    const jwt = appOctokit(t, app);
    for (let round = 0; round < 10; round++) {
      const [minted, suspended] = await Promise.all([
        jwt.rest.apps.createInstallationAccessToken({ installation_id: id }).then(
          ({ data }) => data.token,
          (error: { status?: number }) => error.status,
        ),
        t.request('PUT', `/admin/installations/${id}/suspended`, { token: t.admin.token }),
      ]);
      assert.equal(suspended.status, 204);
      assert.equal((await t.request('DELETE', `/admin/installations/${id}/suspended`, { token: t.admin.token })).status, 204);
      if (typeof minted === 'number') assert.equal(minted, 403, `round ${round}`);
      else assert.equal((await t.request('GET', `/orgs/${org}/members`, { token: minted })).status, 401, `round ${round}: the token outlived the suspension`);
    }
  });

  it('act only on their installation’s org', async () => {
    const { org } = await freshOrg();
    const elsewhere = await freshOrg();
    const app = await registerApp(t, org);
    const token = await installationToken(t, app, await installApp(t, app, org));
    const refused = await t.request('GET', `/orgs/${elsewhere.org}/members`, { token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, 'Resource not accessible by integration');
    // Nor do they stand in for the app's JWT.
    assert.equal((await t.request('GET', '/app', { token })).status, 401);
  });
});

describe('GET /installation/repositories', () => {
  it('200 with every repository of an installation on all repositories; 403 for a classic token', async () => {
    const { owner, org } = await freshOrg();
    for (const name of ['a1', 'a2']) await owner.octokit.rest.repos.createInOrg({ org, name });
    const app = await registerApp(t, org, { permissions: { metadata: 'read' } });
    const octokit = appOctokit(t, app, await installApp(t, app, org));
    const { data } = await octokit.rest.apps.listReposAccessibleToInstallation();
    assert.equal(data.total_count, 2);
    assert.equal(data.repository_selection, 'all');
    assert.deepEqual(data.repositories.map((r) => r.name), ['a1', 'a2']);
    assert.equal((await t.request('GET', '/installation/repositories', { token: owner.token })).status, 403);
  });

  it('only the selected repositories of an installation on some', async () => {
    const { owner, org } = await freshOrg();
    for (const name of ['s1', 's2', 's3']) await owner.octokit.rest.repos.createInOrg({ org, name });
    const app = await registerApp(t, org, { permissions: { metadata: 'read' } });
    const octokit = appOctokit(t, app, await installApp(t, app, org, { repositories: ['s3', 's1'] }));
    const { data } = await octokit.rest.apps.listReposAccessibleToInstallation();
    assert.equal(data.repository_selection, 'selected');
    assert.deepEqual(data.repositories.map((r) => r.name), ['s1', 's3']);
  });
});

describe('app webhooks', () => {
  it('installation created, suspend, unsuspend and deleted reach the app’s hook, signed with its secret', async (test) => {
    const receiver = await appReceiver(test);
    const { org, orgId } = await freshOrg();
    const app = await registerApp(t, org, { hookUrl: receiver.url });
    receiver.secret = app.webhook_secret;
    const id = await installApp(t, app, org);
    const created = await receiver.waitFor((d) => d.event === 'installation' && d.action === 'created');
    assert.equal(created.payload.installation.id, id);
    assert.equal(created.payload.installation.account.id, orgId);
    assert.equal(created.hookId, app.id);
    assert.equal(created.targetId, app.id);
    await t.request('PUT', `/admin/installations/${id}/suspended`, { token: t.admin.token });
    await receiver.waitFor((d) => d.action === 'suspend');
    await t.request('DELETE', `/admin/installations/${id}/suspended`, { token: t.admin.token });
    await receiver.waitFor((d) => d.action === 'unsuspend');
    await t.request('DELETE', `/admin/installations/${id}`, { token: t.admin.token });
    const deleted = await receiver.waitFor((d) => d.action === 'deleted');
    assert.equal(deleted.payload.installation.id, id);
  });

  it('org events the app subscribes to and has the permission for, with `installation`; not while suspended', async (test) => {
    const receiver = await appReceiver(test);
    const { owner, org } = await freshOrg();
    const app = await registerApp(t, org, { hookUrl: receiver.url, permissions: { members: 'read' }, events: ['organization'] });
    receiver.secret = app.webhook_secret;
    const id = await installApp(t, app, org);
    const member = await t.createUser(`ap-hooked-${org}`);
    await addMember(owner, org, member);
    const added = await receiver.waitFor((d) => d.event === 'organization' && d.action === 'member_added');
    assert.deepEqual(added.payload.installation, { id, node_id: added.payload.installation.node_id });
    assert.equal(added.payload.membership.user.login, member.login);
    // Teams are not among its events: no `team` delivery.
    await owner.octokit.rest.teams.create({ org, name: 'not-heard' });
    await t.request('PUT', `/admin/installations/${id}/suspended`, { token: t.admin.token });
    await receiver.waitFor((d) => d.action === 'suspend');
    const other = await t.createUser(`ap-unheard-${org}`);
    await addMember(owner, org, other);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(receiver.deliveries.map((d) => `${d.event}.${d.action}`), ['installation.created', 'organization.member_invited', 'organization.member_added', 'installation.suspend']);
  });

  it('an app whose hook is inactive hears nothing', async (test) => {
    const receiver = await appReceiver(test);
    const { org } = await freshOrg();
    const response = await t.request('POST', '/admin/apps', {
      token: t.admin.token,
      body: { owner: org, name: `Quiet ${org}`, url: 'https://example.test', hook_attributes: { url: receiver.url, active: false } },
    });
    assert.equal(response.status, 201, response.text);
    await installApp(t, response.body, org);
    const rows = await t.server.ctx.db.selectFrom('hook_deliveries').select('id').where('target_type', '=', 'integration').where('hook_id', '=', response.body.id).execute();
    assert.deepEqual(rows, []);
  });

  it('an app without the permission an event needs never hears it; org hooks do not list app deliveries', async (test) => {
    const receiver = await appReceiver(test);
    const { owner, org } = await freshOrg();
    const app = await registerApp(t, org, { hookUrl: receiver.url, permissions: { metadata: 'read' }, events: [] });
    receiver.secret = app.webhook_secret;
    await installApp(t, app, org);
    await receiver.waitFor(1);
    const { data: hook } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/none' }, events: ['organization'] });
    const member = await t.createUser(`ap-quiet-${org}`);
    await addMember(owner, org, member);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(receiver.deliveries.map((d) => d.event), ['installation']);
    // An app's id may equal an org hook's: the hook's deliveries are its own only.
    const deliveries = await t.request('GET', `/orgs/${org}/hooks/${hook.id}/deliveries`, { token: owner.token });
    assert.ok(deliveries.body.every((d: { event: string }) => d.event !== 'installation'));
  });
});
