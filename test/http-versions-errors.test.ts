import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEvents } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

// API versions, media types and GitHub's error shapes for bad input.
let t: TestServer;
let owner: TestUser;
const NEW_VERSION = '2026-03-10';
const CUSTOM_LINK_ENABLED = 'secret_scanning_push_protection_custom_link_enabled';

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('owner', { scopes: ['admin:org'] });
  await t.createOrg('Versioned', 'owner');
});
after(() => t.close());

async function orgSnapshot(org: string) {
  const { data } = await owner.octokit.rest.orgs.get({ org });
  return data;
}

describe('X-GitHub-Api-Version', () => {
  it('accepts 2022-11-28 (the default) and 2026-03-10, on both base URLs', async () => {
    for (const version of [undefined, '2022-11-28', NEW_VERSION]) {
      for (const ghes of [false, true]) {
        const response = await t.octokit(owner.token, { ghes, version }).rest.users.getAuthenticated();
        assert.equal(response.status, 200);
        assert.equal(response.headers['x-github-api-version-selected'], version ?? '2022-11-28');
      }
    }
  });

  it('400 with GitHub’s message for an unsupported version, on any route', async () => {
    for (const path of ['/user', '/orgs/versioned', '/organizations', '/api/v3/user']) {
      const response = await t.request('GET', path, { token: owner.token, headers: { 'x-github-api-version': '2021-01-01' } });
      assert.equal(response.status, 400, path);
      assert.equal(response.body.message, "No match for version '2021-01-01'. Supported versions: 2022-11-28, 2026-03-10");
      assert.equal(response.body.status, '400');
      assert.ok(response.body.documentation_url);
    }
  });

  it('400 for an unsupported version on a write, which then changes nothing', async () => {
    const before = await orgSnapshot('versioned');
    const response = await t.request('PATCH', '/orgs/versioned', { token: owner.token, body: { name: 'Never' }, headers: { 'x-github-api-version': 'latest' } });
    assert.equal(response.status, 400);
    assert.deepEqual(await orgSnapshot('versioned'), before);
  });
});

describe('API version 2026-03-10 breaking changes on GET/PATCH /orgs/{org}', () => {
  it(`organization-full has no ${CUSTOM_LINK_ENABLED} under 2026-03-10, has it under 2022-11-28`, async () => {
    const { data: current } = await t.octokit(owner.token, { version: '2022-11-28' }).rest.orgs.get({ org: 'versioned' });
    assert.equal(current[CUSTOM_LINK_ENABLED], false);
    for (const ghes of [false, true]) {
      const { data: next } = await t.octokit(owner.token, { version: NEW_VERSION, ghes }).rest.orgs.get({ org: 'versioned' });
      assert.ok(!(CUSTOM_LINK_ENABLED in next));
      assert.ok('secret_scanning_push_protection_custom_link' in next, 'the link itself stays');
    }
  });

  it(`PATCH ignores ${CUSTOM_LINK_ENABLED} under 2026-03-10 and honours it under 2022-11-28`, async () => {
    const next = t.octokit(owner.token, { version: NEW_VERSION });
    const { data: patched } = await next.rest.orgs.update({ org: 'versioned', [CUSTOM_LINK_ENABLED]: true, location: 'Next' });
    assert.ok(!(CUSTOM_LINK_ENABLED in patched));
    assert.equal(patched.location, 'Next');
    const current = t.octokit(owner.token, { version: '2022-11-28' });
    assert.equal((await current.rest.orgs.get({ org: 'versioned' })).data[CUSTOM_LINK_ENABLED], false, 'ignored under 2026-03-10');
    const { data: honoured } = await current.rest.orgs.update({ org: 'versioned', [CUSTOM_LINK_ENABLED]: true });
    assert.equal(honoured[CUSTOM_LINK_ENABLED], true);
  });

  it(`under 2026-03-10 ${CUSTOM_LINK_ENABLED} is not validated either (an unknown field); under 2022-11-28 a non-boolean is a 422`, async () => {
    const body = { [CUSTOM_LINK_ENABLED]: 'yes', location: 'Loose' };
    const next = await t.request('PATCH', '/orgs/versioned', { token: owner.token, body, headers: { 'x-github-api-version': NEW_VERSION } });
    assert.equal(next.status, 200);
    assert.equal(next.body.location, 'Loose');
    const current = await t.request('PATCH', '/orgs/versioned', { token: owner.token, body, headers: { 'x-github-api-version': '2022-11-28' } });
    assert.equal(current.status, 422);
    assert.equal(current.body.errors[0].field, CUSTOM_LINK_ENABLED);
  });
});

describe('bad input', () => {
  it('400 Problems parsing JSON for a malformed body; nothing is written', async () => {
    const before = await orgSnapshot('versioned');
    for (const rawBody of ['{"name": "x"', 'name=x', '{"name": "x"}}', '\u0000']) {
      const response = await t.request('PATCH', '/orgs/versioned', { token: owner.token, rawBody, headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400, rawBody);
      assert.equal(response.body.message, 'Problems parsing JSON');
      assert.equal(response.body.status, '400');
    }
    assert.deepEqual(await orgSnapshot('versioned'), before);
  });

  it('reads the body as JSON whatever Content-Type says (curl -d sends form encoding)', async () => {
    const response = await t.request('PATCH', '/orgs/versioned', {
      token: owner.token,
      rawBody: JSON.stringify({ company: 'Form Encoded' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.company, 'Form Encoded');
  });

  it('422 with errors for a body that is not an object, naming the problem', async () => {
    for (const rawBody of ['[1,2]', '"text"', '42', 'null']) {
      const response = await t.request('POST', '/admin/users', { token: t.admin.token, rawBody });
      assert.equal(response.status, 422, rawBody);
      assert.match(response.body.message, /^Invalid request\./);
      assert.ok(!response.body.message.includes(',  is'), `the value is named: ${response.body.message}`);
      assert.ok(Array.isArray(response.body.errors) && response.body.errors.length > 0);
    }
  });

  it('422 with errors for a field of the wrong type or an unknown enum value, with GitHub’s wording; nothing is written', async () => {
    const before = await orgSnapshot('versioned');
    const wrongType = await t.request('PATCH', '/orgs/versioned', { token: owner.token, body: { name: 7, location: 'x' } });
    assert.equal(wrongType.status, 422);
    assert.equal(wrongType.body.message, "Invalid request.\n\nFor 'properties/name', 7 is not a string.");
    assert.deepEqual(wrongType.body.errors, [{ resource: 'Organization', field: 'name', code: 'invalid' }]);
    const badEnum = await t.request('PATCH', '/orgs/versioned', { token: owner.token, body: { default_repository_permission: 'root' } });
    assert.equal(badEnum.status, 422);
    assert.match(badEnum.body.message, /"root" is not a member of/);
    assert.deepEqual(badEnum.body.errors, [{ resource: 'Organization', field: 'default_repository_permission', code: 'invalid' }]);
    const notCoerced = await t.request('PATCH', '/orgs/versioned', { token: owner.token, body: { web_commit_signoff_required: 'true' } });
    assert.equal(notCoerced.status, 422, 'no type coercion of body fields');
    assert.deepEqual(await orgSnapshot('versioned'), before);
    assert.equal((await auditEvents(t, { action: 'org.update', org: 'Versioned' })).filter((e) => e.data?.changes.name === 7).length, 0);
  });

  it('413 for a body over the documented 1 MiB limit; nothing is written', async () => {
    const before = await orgSnapshot('versioned');
    const rawBody = JSON.stringify({ description: 'd'.repeat(1024 * 1024) });
    const response = await t.request('PATCH', '/orgs/versioned', { token: owner.token, rawBody });
    assert.equal(response.status, 413);
    assert.equal(response.body.status, '413');
    assert.ok(response.body.message);
    assert.deepEqual(await orgSnapshot('versioned'), before);
  });

  it('a request without a body sends no fields: 200 for an optional body, missing_field for a required one', async () => {
    const before = await orgSnapshot('versioned');
    const patched = await t.request('PATCH', '/orgs/versioned', { token: owner.token });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.location, before.location);
    const { data } = await owner.octokit.rest.orgs.update({ org: 'versioned' });
    assert.equal(data.login, 'Versioned');
    const created = await t.request('POST', '/admin/users', { token: t.admin.token, rawBody: '' });
    assert.equal(created.status, 422);
    assert.deepEqual(created.body.errors, [{ resource: 'User', field: 'login', code: 'missing_field' }]);
  });

  it('ignores unknown fields, as GitHub does', async () => {
    const { data } = await owner.octokit.request('PATCH /orgs/{org}', { org: 'versioned', location: 'Known', not_a_field: 'ignored', plan: 'enterprise', login: 'renamed' });
    assert.equal(data.location, 'Known');
    assert.equal(data.login, 'Versioned');
    assert.equal(data.plan?.name, 'free');
    assert.ok(!('not_a_field' in data));
    const created = await t.request('POST', '/admin/users', { token: t.admin.token, body: { login: 'extra-fields', site_admin: true, whatever: 1 } });
    assert.equal(created.status, 201);
    assert.equal(created.body.site_admin, false);
  });

  it('404 Not Found in GitHub’s shape for an unknown path, on both base URLs', async () => {
    for (const path of ['/no/such/route', '/api/v3/no/such/route']) {
      const response = await t.request('GET', path, { token: owner.token });
      assert.equal(response.status, 404);
      assert.deepEqual(Object.keys(response.body).sort(), ['documentation_url', 'message', 'status']);
      assert.equal(response.body.status, '404');
    }
  });
});
