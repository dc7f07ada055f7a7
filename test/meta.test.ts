import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openapiDocument } from '../src/http/openapi.js';
import { SAYINGS } from '../src/meta/zen.js';
import { rateHeaders } from './support/foundation.js';
import { tokenFor } from './support/people.js';
import { startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
  await t.createUser('meta-user');
});
after(() => t.close());

const rootSchema = openapiDocument.components.schemas.root;

describe('GET / (meta/root)', () => {
  it('answers without a token: every described template, on the base URL', async () => {
    // t.request checks the body against the description.
    const { status, body, headers } = await t.request('GET', '/');
    assert.equal(status, 200);
    assert.match(headers.get('content-type')!, /^application\/json/);
    assert.deepEqual(Object.keys(body).sort(), Object.keys(rootSchema.properties).sort());
    assert.equal(body.current_user_url, `${t.url}/user`);
    assert.equal(body.organization_url, `${t.url}/orgs/{org}`);
    assert.equal(body.rate_limit_url, `${t.url}/rate_limit`);
    assert.equal(body.user_search_url, `${t.url}/search/users?q={query}{&page,per_page,sort,order}`);
    assert.equal(body.current_user_authorizations_html_url, `${t.url}/settings/connections/applications{/client_id}`);
  });

  it('at /api/v3/, the GHES root, the templates carry the prefix the request used (html URLs do not)', async () => {
    const { data } = await t.octokit(undefined, { ghes: true }).request('GET /');
    assert.equal(data.current_user_url, `${t.url}/api/v3/user`);
    assert.equal(data.organization_teams_url, `${t.url}/api/v3/orgs/{org}/teams`);
    assert.equal(data.current_user_authorizations_html_url, `${t.url}/settings/connections/applications{/client_id}`);
    const bare = await t.request('GET', '/api/v3');
    assert.equal(bare.body.current_user_url, `${t.url}/api/v3/user`);
  });

  it('with a token: X-OAuth-Scopes lists its scopes (what `gh auth status` reads), and the request counts against the user', async () => {
    const token = await tokenFor(t, 'meta-user', ['read:org', 'repo']);
    const first = await t.request('GET', '/api/v3/', { token });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-oauth-scopes'), 'read:org, repo');
    const second = await t.request('GET', '/api/v3/', { token });
    assert.deepEqual([rateHeaders(first.headers).used, rateHeaders(second.headers).used], [1, 2]);
    assert.equal(rateHeaders(second.headers).resource, 'core');
  });

  it('without a token the request counts against the address', async () => {
    const before = rateHeaders((await t.request('GET', '/zen')).headers);
    const after = rateHeaders((await t.request('GET', '/')).headers);
    assert.deepEqual([after.limit, after.used], [before.limit, before.used + 1]);
  });

  it('API version 2026-03-10 drops authorizations_url and hub_url (x-github-breaking-changes)', async () => {
    const dated = await fetch(`${t.url}/`, { headers: { 'x-github-api-version': '2026-03-10' } });
    assert.equal(dated.status, 200);
    const current = await dated.json();
    const { body: previous } = await t.request('GET', '/');
    const { authorizations_url: _authorizations, hub_url: _hub, ...kept } = previous;
    assert.deepEqual(current, kept);
    for (const change of rootSchema['x-github-breaking-changes']) assert.equal(change.version, '2026-03-10');
  });
});

describe('GET /meta (meta/get)', () => {
  it("answers what GitHub Enterprise Server's does: no password is verifiable, the GHES release served", async () => {
    const { data, status } = await t.octokit().rest.meta.get();
    assert.equal(status, 200);
    // The release whose site-admin API orghub serves: the ghes description its operations come from.
    assert.deepEqual(data, { verifiable_password_authentication: false, installed_version: '3.19.0' });
    const described = Object.values<any>(openapiDocument.paths).flatMap((item) => Object.values<any>(item));
    assert.ok(described.some((op) => op['x-orghub-source']?.variant === 'ghes-3.19'));
  });

  it('lists no addresses orghub does not know (hooks, web, api …)', async () => {
    const { body } = await t.request('GET', '/api/v3/meta');
    for (const list of ['hooks', 'web', 'api', 'git', 'packages', 'pages', 'importer', 'actions', 'dependabot']) {
      assert.equal(body[list], undefined, list);
    }
  });
});

describe('GET /zen (meta/get-zen)', () => {
  it('a saying of the Zen of GitHub, as text/plain', async () => {
    const response = await t.request('GET', '/zen');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/plain; charset=utf-8/);
    assert.ok((SAYINGS as readonly string[]).includes(response.text), response.text);
    const { data } = await t.octokit().rest.meta.getZen();
    assert.ok((SAYINGS as readonly string[]).includes(data), data);
  });
});
