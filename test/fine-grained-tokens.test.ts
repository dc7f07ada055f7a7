import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operations } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { describeOperation } from '../src/http/openapi.js';
import type { Operation, RequiredPermissions } from '../src/http/operation.js';
import { componentSchema } from '../src/http/openapi.js';
import { installApp, installationToken, registerApp } from './support/apps.js';
import { addMembership, auditEvents } from './support/foundation.js';
import { tokenFor } from './support/people.js';
import { startTestServer, type RawResponse, type TestServer, type TestUser } from './support/server.js';

const NOT_ACCESSIBLE = 'Resource not accessible by personal access token';
const FINE_GRAINED_FORMAT = /^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/;

/** Every permission a fine-grained token can hold, each at its highest level among read/write. */
const EVERY_PERMISSION: RequiredPermissions = Object.fromEntries([
  ...Object.entries<{ enum: string[] }>(componentSchema('app-permissions').properties).map(([name, schema]) => [
    name,
    schema.enum.includes('write') ? 'write' : 'read',
  ]),
  ['organization_campaigns', 'write'],
]);

let t: TestServer;
let owner: TestUser;
/** `owner` owns both; tokens are made for `home` and tried on `elsewhere`. */
let home: string;
let elsewhere: string;

before(async () => {
  // auth-app signs app JWTs with the machine's clock: the server's starts there.
  t = await startTestServer({ clock: new ManualClock(new Date()) });
  owner = await t.createUser('fg-owner');
  home = (await t.createOrg('fg-home', owner.login)).login;
  elsewhere = (await t.createOrg('fg-elsewhere', owner.login)).login;
});
after(() => t.close());

/** `POST /admin/users/{username}/fine-grained-tokens` as the site admin. */
function createToken(username: string, body: Record<string, unknown>): Promise<RawResponse> {
  return t.request('POST', `/admin/users/${username}/fine-grained-tokens`, { token: t.admin.token, body });
}

const tokens = new Map<string, Promise<string>>();
/** A fine-grained token of `owner` on `home` with exactly `permissions` (one per distinct set). */
function ownerToken(permissions: RequiredPermissions): Promise<string> {
  const key = JSON.stringify(permissions);
  let token = tokens.get(key);
  if (!token) {
    token = createToken(owner.login, { resource_owner: home, permissions }).then((response) => {
      assert.equal(response.status, 201, response.text);
      return response.body.token as string;
    });
    tokens.set(key, token);
  }
  return token;
}

/** Every permission at write, except what `required` asks for: one level short of each entry. */
function allBut(required: RequiredPermissions): RequiredPermissions {
  const granted: RequiredPermissions = { ...EVERY_PERMISSION };
  for (const [name, level] of Object.entries(required) as [keyof RequiredPermissions, string][]) {
    if (level === 'write') granted[name] = 'read';
    else delete granted[name];
  }
  return granted;
}

const acceptedHeader = (required: RequiredPermissions) =>
  Object.entries(required).map(([name, level]) => `${name}=${level}`).join(',') || 'allows_permissionless_access=true';

function routeOf(op: Operation): { method: string; path: string } {
  const described = describeOperation(op.operationId);
  return { method: (op.method ?? described!.method).toUpperCase(), path: op.path ?? described!.path };
}

/** The path with `{org}`/`{owner}` naming `org` and every other parameter naming nothing that exists. */
function concrete(path: string, org: string): string {
  return path.replace(/\{(org|owner)\}/g, org).replace(/\{username\}/g, 'fg-nobody').replace(/\{[a-z_]+\}/g, '1');
}

function call(op: Operation, token: string, org = home): Promise<RawResponse> {
  const { method, path } = routeOf(op);
  const body = method === 'GET' || method === 'DELETE' ? undefined : {};
  return t.request(method, concrete(path, org), { token, body });
}

const refusedForPermission = (response: RawResponse) => response.status === 403 && response.body?.message === NOT_ACCESSIBLE;

describe('the permission matrix over every served operation (generated from the operation table)', () => {
  for (const op of operations.filter((candidate) => !candidate.outsideApi)) {
    const { method, path } = routeOf(op);
    const required = op.permissions;
    const onOrg = /\{(org|owner)\}/.test(path);
    describe(`${method} ${path} (${op.operationId})`, () => {
      if (op.appJwt === 'only') {
        it('401 for a fine-grained token: only app JWTs are accepted', async () => {
          const response = await call(op, await ownerToken(EVERY_PERMISSION));
          assert.equal(response.status, 401, response.text);
        });
        return;
      }
      if (!required) {
        it('403 even with every permission: not available to fine-grained tokens', async () => {
          const response = await call(op, await ownerToken(EVERY_PERMISSION));
          assert.ok(refusedForPermission(response), `${response.status} ${response.text}`);
        });
        return;
      }
      it(`allowed with exactly ${acceptedHeader(required)}`, async () => {
        const response = await call(op, await ownerToken(required));
        assert.ok(response.status !== 401 && !refusedForPermission(response), `${response.status} ${response.text}`);
        assert.equal(response.headers.get('x-accepted-github-permissions'), acceptedHeader(required));
      });
      if (Object.keys(required).length) {
        it('403 without it (every other permission, and read where write is needed), naming it in X-Accepted-GitHub-Permissions', async () => {
          const response = await call(op, await ownerToken(allBut(required)));
          assert.ok(refusedForPermission(response), `${response.status} ${response.text}`);
          assert.equal(response.headers.get('x-accepted-github-permissions'), acceptedHeader(required));
        });
      }
      if (onOrg && Object.keys(required).length) {
        it("403 on another owner's org, where the token holds no permissions", async () => {
          const response = await call(op, await ownerToken(required), elsewhere);
          assert.ok(refusedForPermission(response), `${response.status} ${response.text}`);
        });
      }
    });
  }
});

describe('POST /admin/users/{username}/fine-grained-tokens (orghub/create-fine-grained-token)', () => {
  it("201 with the token once, in GitHub's format, kept only as a hash; it acts as its user", async () => {
    const user = await t.createUser('fg-maker');
    await addMembership(t, home, user.login);
    const expiresAt = new Date(t.clock.now().getTime() + 7 * 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const response = await createToken(user.login, { resource_owner: home, permissions: { members: 'read' }, expires_at: expiresAt });
    assert.equal(response.status, 201, response.text);
    const { token, ...rest } = response.body;
    assert.match(token, FINE_GRAINED_FORMAT);
    assert.equal(rest.token_last_eight, token.slice(-8));
    assert.equal(rest.user.login, user.login);
    assert.equal(rest.resource_owner.login, home);
    assert.deepEqual(rest.permissions, { members: 'read' });
    assert.equal(rest.expires_at, expiresAt);
    const rows = await t.server.ctx.db.selectFrom('tokens').selectAll().where('id', '=', rest.id).execute();
    assert.equal(rows.length, 1);
    assert.ok(!Object.values(rows[0]).includes(token));
    const me = await t.request('GET', '/user', { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.login, user.login);
    const events = await auditEvents(t, { action: 'personal_access_token.access_granted', org: home });
    const event = events.find((candidate) => candidate.user === user.login);
    assert.deepEqual(event?.data, { permissions: { members: 'read' }, expires_at: expiresAt });
    assert.equal(event?.actor, t.admin.login);
  });

  it('a token may act for its user alone', async () => {
    const response = await createToken(owner.login, { resource_owner: owner.login, permissions: {} });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.expires_at, null);
  });

  it('422 for an unknown resource owner, or an org the user is not a member of', async () => {
    const outsider = await t.createUser('fg-outsider');
    for (const resource_owner of ['no-such-account', home]) {
      const response = await createToken(outsider.login, { resource_owner, permissions: {} });
      assert.equal(response.status, 422, response.text);
      assert.equal(response.body.errors[0].field, 'resource_owner');
    }
  });

  it('422 for an unknown permission or a level the permission does not have', async () => {
    for (const permissions of [{ no_such_permission: 'read' }, { members: 'admin' }, { organization_events: 'write' }]) {
      const response = await createToken(owner.login, { resource_owner: home, permissions });
      assert.equal(response.status, 422, `${JSON.stringify(permissions)}: ${response.text}`);
    }
  });

  it('422 for an expiry that is not a future date-time', async () => {
    for (const expires_at of ['2026-01-15T11:00:00Z', 'tomorrow']) {
      const response = await createToken(owner.login, { resource_owner: home, permissions: {}, expires_at });
      assert.equal(response.status, 422, response.text);
    }
  });

  it('404 for an unknown user; 403 for a token without site_admin', async () => {
    assert.equal((await createToken('no-such-user', { resource_owner: home, permissions: {} })).status, 404);
    const plain = await t.request('POST', `/admin/users/${owner.login}/fine-grained-tokens`, {
      token: owner.token,
      body: { resource_owner: home, permissions: {} },
    });
    assert.equal(plain.status, 403);
  });
});

describe('fine-grained tokens: expiry, headers and what they see', () => {
  it('401 Bad credentials once expired, even right after a request that cached it (ManualClock)', async () => {
    const expires = new Date(t.clock.now().getTime() + 60 * 60 * 1000).toISOString();
    const { body } = await createToken(owner.login, { resource_owner: home, permissions: { members: 'read' }, expires_at: expires });
    assert.equal((await t.request('GET', `/orgs/${home}/members`, { token: body.token })).status, 200);
    t.clock.advance(60 * 60 * 1000);
    try {
      const expired = await t.request('GET', `/orgs/${home}/members`, { token: body.token });
      assert.equal(expired.status, 401);
      assert.equal(expired.body.message, 'Bad credentials');
    } finally {
      // App JWTs (signed by the test's real clock) are judged against this clock: give them back their time.
      t.clock.advance(-60 * 60 * 1000);
    }
  });

  it('GET /user/orgs answers 200 with an empty list, as the docs say', async () => {
    const response = await t.request('GET', '/user/orgs', { token: await ownerToken(EVERY_PERMISSION) });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, []);
  });

  it('no X-OAuth-Scopes header (classic tokens get one)', async () => {
    const fineGrained = await t.request('GET', '/user', { token: await ownerToken({}) });
    assert.equal(fineGrained.headers.get('x-oauth-scopes'), null);
    assert.equal(fineGrained.headers.get('x-accepted-github-permissions'), 'allows_permissionless_access=true');
    const classic = await t.request('GET', '/user', { token: owner.token });
    assert.notEqual(classic.headers.get('x-oauth-scopes'), null);
    assert.equal(classic.headers.get('x-accepted-github-permissions'), null);
  });

  it("owner-only operations still need the token's user to be an owner (404 for a member)", async () => {
    const member = await t.createUser('fg-member');
    await addMembership(t, home, member.login);
    const { body } = await createToken(member.login, { resource_owner: home, permissions: { organization_administration: 'write' } });
    const response = await t.request('PATCH', `/orgs/${home}`, { token: body.token, body: { description: 'x' } });
    assert.equal(response.status, 404);
  });

  it("GET /orgs/{org}: an owner's token shows private fields with organization_administration read, on its own org only", async () => {
    const token = await ownerToken({ organization_administration: 'read' });
    assert.notEqual((await t.request('GET', `/orgs/${home}`, { token })).body.plan, undefined);
    assert.equal((await t.request('GET', `/orgs/${elsewhere}`, { token })).body.plan, undefined);
    assert.equal((await t.request('GET', `/orgs/${home}`, { token: await ownerToken({}) })).body.plan, undefined);
  });

  it('a member with members read sees concealed members of its own org', async () => {
    const concealed = await t.createUser('fg-concealed');
    await addMembership(t, home, concealed.login);
    const { body } = await t.request('GET', `/orgs/${home}/members`, { token: await ownerToken({ members: 'read' }) });
    assert.ok(body.some((user: { login: string }) => user.login === concealed.login));
  });

  it("GET /organizations/{organization_id}/custom_roles: 404 for another owner's org", async () => {
    const token = await ownerToken({ organization_custom_roles: 'read' });
    const { body: org } = await t.request('GET', `/orgs/${elsewhere}`, { token });
    assert.equal((await t.request('GET', `/organizations/${org.id}/custom_roles`, { token })).status, 404);
  });

  it("403 for a suspended user's token", async () => {
    const user = await t.createUser('fg-suspended');
    await addMembership(t, home, user.login);
    const { body } = await createToken(user.login, { resource_owner: home, permissions: {} });
    assert.equal((await t.request('PUT', `/users/${user.login}/suspended`, { token: t.admin.token, body: {} })).status, 204);
    const response = await t.request('GET', '/user', { token: body.token });
    assert.equal(response.status, 403);
  });

  it('a classic token keeps working alongside (scopes still judge it)', async () => {
    const token = await tokenFor(t, owner.login, ['read:org']);
    assert.equal((await t.request('GET', `/orgs/${home}/members`, { token })).status, 200);
    assert.equal((await t.request('PATCH', `/orgs/${home}`, { token, body: {} })).status, 403);
  });
});

describe('installation tokens, judged by the same checks', () => {
  it("act as an owner of their own org (owner-only operations pass with the permission), and send no X-OAuth-Scopes", async () => {
    const app = await registerApp(t, home, { permissions: { members: 'read', organization_hooks: 'write' } });
    const token = await installationToken(t, app, await installApp(t, app, home));
    const invitations = await t.request('GET', `/orgs/${home}/invitations`, { token });
    assert.equal(invitations.status, 200, invitations.text);
    assert.equal(invitations.headers.get('x-oauth-scopes'), null);
    assert.equal((await t.request('GET', `/orgs/${home}/hooks`, { token })).status, 200);
    const refused = await t.request('GET', `/orgs/${home}/blocks`, { token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, 'Resource not accessible by integration');
    assert.equal(refused.headers.get('x-accepted-github-permissions'), 'organization_user_blocking=read');
  });

  it("403 where GitHub's description says enabledForGitHubApps: false, though the operation needs no permission", async () => {
    const app = await registerApp(t, home);
    const token = await installationToken(t, app, await installApp(t, app, home));
    for (const path of ['/user', '/user/orgs']) {
      const response = await t.request('GET', path, { token });
      assert.equal(response.status, 403, `${path}: ${response.text}`);
      assert.equal(response.body.message, 'Resource not accessible by integration');
    }
    assert.equal((await t.request('GET', '/rate_limit', { token })).status, 200);
  });
});
