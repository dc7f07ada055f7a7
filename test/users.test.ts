import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, rejectsWith, servesOperation } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;
let mixed: TestUser;

const decodeNodeId = (id: string) => Buffer.from(id, 'base64').toString();

before(async () => {
  t = await startTestServer();
  mixed = await t.createUser('MixedCase', { scopes: ['read:org'], email: 'mixed@example.test' });
});
after(() => t.close());

describe('GET /user (users/get-authenticated)', () => {
  it('the authenticated user with private fields, on both base URLs', async () => {
    for (const ghes of [false, true]) {
      const { data } = await t.octokit(mixed.token, { ghes }).rest.users.getAuthenticated();
      assert.equal(data.login, 'MixedCase');
      assert.equal(data.id, mixed.id);
      assert.equal(data.email, 'mixed@example.test');
      assert.equal(data.type, 'User');
      assert.equal(data.user_view_type, 'private');
      assert.ok('two_factor_authentication' in data && 'plan' in data, 'private-user fields');
    }
  });

  it('401 Requires authentication without a token', async () => {
    const response = await t.request('GET', '/user');
    assert.equal(response.status, 401);
    assert.equal(response.body.message, 'Requires authentication');
    await rejectsWith(401, () => t.octokit().rest.users.getAuthenticated());
  });

  it("node_id is GitHub's legacy id encoding: MDQ6VXNlcjE= for user 1", async () => {
    const { data } = await t.admin.octokit.rest.users.getAuthenticated();
    assert.equal(data.id, 1);
    assert.equal(data.node_id, 'MDQ6VXNlcjE=');
    assert.equal(data.site_admin, true);
  });

  it('builds every *_url from the base URL it is served on', async () => {
    const { data } = await mixed.octokit.rest.users.getAuthenticated();
    assert.equal(data.url, `${t.url}/users/MixedCase`);
    assert.equal(data.html_url, `${t.url}/MixedCase`);
    assert.equal(data.organizations_url, `${t.url}/users/MixedCase/orgs`);
  });
});

describe('GET /users/{username} (users/get-by-username)', () => {
  it('looks the login up case-insensitively and keeps its case on output, on both base URLs', async () => {
    for (const [ghes, username] of [[false, 'mixedcase'], [true, 'MIXEDCASE']] as const) {
      const { data } = await t.octokit(t.admin.token, { ghes }).rest.users.getByUsername({ username });
      assert.equal(data.login, 'MixedCase');
      assert.equal(data.id, mixed.id);
      assert.equal(data.user_view_type, 'public');
      assert.ok(!('plan' in data), 'no private fields for another user');
    }
  });

  it('answers anonymous requests', async () => {
    const { data } = await t.octokit().rest.users.getByUsername({ username: 'mixedcase' });
    assert.equal(data.login, 'MixedCase');
  });

  it('answers for an organization too, as type Organization', async () => {
    const org = await t.createOrg('UserLookupOrg');
    const { data } = await t.octokit().rest.users.getByUsername({ username: 'userlookuporg' });
    assert.equal(data.login, 'UserLookupOrg');
    assert.equal(data.type, 'Organization');
    assert.equal(decodeNodeId(data.node_id), `012:Organization${org.id}`);
  });

  it('the same answer whether the account is read with a token new to the server or after it', async () => {
    // The first request reads the token and the account in one statement (Operation.readsNamedUser), the second alone.
    for (const username of ['MIXEDCASE', 'nobody-by-that-name']) {
      const caller = await t.createUser(`named-${username.length}`, { scopes: [] });
      const first = await t.request('GET', `/users/${username}`, { token: caller.token });
      const second = await t.request('GET', `/users/${username}`, { token: caller.token });
      assert.equal(first.status, username === 'MIXEDCASE' ? 200 : 404);
      assert.deepEqual([second.status, second.body], [first.status, first.body]);
    }
  });

  it('404 for an unknown login', async () => {
    const response = await t.request('GET', '/users/nobody-by-that-name');
    assert.equal(response.status, 404);
    assert.equal(response.body.message, 'Not Found');
  });
});

describe('account ids', () => {
  it('users and organizations share one id sequence', async () => {
    const first = await t.createUser('seq-user-a');
    const org = await t.createOrg('seq-org', 'seq-user-a');
    const second = await t.createUser('seq-user-b');
    assert.equal(org.id, first.id + 1);
    assert.equal(second.id, org.id + 1);
    const { data: orgFull } = await t.admin.octokit.rest.orgs.get({ org: 'seq-org' });
    assert.equal(decodeNodeId(orgFull.node_id), `012:Organization${org.id}`);
    const { data: user } = await t.admin.octokit.rest.users.getByUsername({ username: 'seq-user-b' });
    assert.equal(decodeNodeId(user.node_id), `04:User${second.id}`);
  });
});

describe('GET /user/orgs (orgs/list-for-authenticated-user)', () => {
  let member: TestUser;
  before(async () => {
    member = await t.createUser('orgs-lister', { scopes: ['read:org'] });
    await t.createOrg('Owned-Org', 'orgs-lister');
    await t.createOrg('member-org');
    await t.createOrg('pending-org');
    await t.createOrg('unrelated-org');
    await addMembership(t, 'member-org', 'orgs-lister', { role: 'member' });
    await addMembership(t, 'pending-org', 'orgs-lister', { role: 'member', state: 'pending' });
  });

  it('lists the orgs the user is an active owner or member of, in id order, on both base URLs (URLs under the prefix used)', async () => {
    for (const ghes of [false, true]) {
      const { data } = await t.octokit(member.token, { ghes }).rest.orgs.listForAuthenticatedUser();
      assert.deepEqual(data.map((o) => o.login), ['Owned-Org', 'member-org']);
      assert.equal(data[0].url, `${t.url}${ghes ? '/api/v3' : ''}/orgs/Owned-Org`);
    }
  });

  it('accepts the user scope and the org scopes that imply read:org', async () => {
    for (const scopes of [['user'], ['read:org'], ['write:org'], ['admin:org']]) {
      const token = (await t.request('POST', '/admin/users/orgs-lister/authorizations', { token: t.admin.token, body: { scopes } })).body.token;
      const { data } = await t.octokit(token).rest.orgs.listForAuthenticatedUser();
      assert.equal(data.length, 2, scopes.join());
    }
  });

  it('403 for a token with neither user nor read:org', async () => {
    const token = (await t.request('POST', '/admin/users/orgs-lister/authorizations', { token: t.admin.token, body: { scopes: ['gist'] } })).body.token;
    const error = await rejectsWith(403, () => t.octokit(token).rest.orgs.listForAuthenticatedUser());
    assert.match(error.response!.data.message, /read:org/);
    assert.match(error.response!.headers['x-accepted-oauth-scopes'], /\bread:org\b/);
    assert.match(error.response!.headers['x-accepted-oauth-scopes'], /\buser\b/);
  });

  it('401 without a token', async () => {
    await rejectsWith(401, () => t.octokit().rest.orgs.listForAuthenticatedUser());
  });
});

describe('GET /users/{username}/orgs (orgs/list-for-user)', () => {
  before(async () => {
    await t.createUser('concealed', { scopes: ['read:org'] });
    await t.createOrg('ConcealedOrg', 'concealed');
  });

  it('lists nothing for concealed memberships, whoever asks (the user included)', async () => {
    const concealedToken = (await t.request('POST', '/admin/users/concealed/authorizations', { token: t.admin.token, body: { scopes: ['read:org'] } })).body.token;
    for (const token of [undefined, t.admin.token, concealedToken]) {
      for (const ghes of [false, true]) {
        const { data } = await t.octokit(token, { ghes }).rest.orgs.listForUser({ username: 'CONCEALED' });
        assert.deepEqual(data, []);
      }
    }
  });

  it('lists an org once the user publicizes the membership', { skip: !servesOperation('orgs/set-public-membership-for-authenticated-user') && 'PUT /orgs/{org}/public_members/{username} is built with the membership issue' }, async () => {
    const user = await t.createUser('publicized', { scopes: ['admin:org', 'user'] });
    await t.createOrg('PublicOrg', 'publicized');
    await t.createOrg('HiddenOrg', 'publicized');
    await user.octokit.rest.orgs.setPublicMembershipForAuthenticatedUser({ org: 'publicorg', username: 'publicized' });
    const { data } = await t.octokit().rest.orgs.listForUser({ username: 'publicized' });
    assert.deepEqual(data.map((o) => o.login), ['PublicOrg']);
  });

  it('404 for an unknown user', async () => {
    const response = await t.request('GET', '/users/nobody-by-that-name/orgs');
    assert.equal(response.status, 404);
  });
});
