import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLink, rejectsWith } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

// Pagination on an instance with 250 organizations, all owned by one user.
const ORG_COUNT = 250;
let t: TestServer;
let pager: TestUser;
const orgIds: number[] = [];

before(async () => {
  t = await startTestServer();
  pager = await t.createUser('pager', { scopes: ['read:org'] });
  for (let i = 0; i < ORG_COUNT; i++) orgIds.push((await t.createOrg(`org-${String(i).padStart(3, '0')}`, 'pager')).id);
});
after(() => t.close());

describe('GET /organizations (orgs/list): since/per_page with Link rel="next" only', () => {
  it('30 orgs by default, then follows rel="next" through all 250, in id order', async () => {
    const seen: number[] = [];
    let url: string | undefined = '/organizations';
    let pages = 0;
    while (url) {
      const response = await t.request('GET', url.replace(t.url, ''));
      assert.equal(response.status, 200);
      if (pages === 0) assert.equal(response.body.length, 30);
      seen.push(...response.body.map((o: { id: number }) => o.id));
      const links = parseLink(response.headers.get('link'));
      assert.deepEqual(Object.keys(links).filter((rel) => rel !== 'next'), [], 'only rel="next"');
      url = links.next;
      if (url) assert.equal(new URL(url).searchParams.get('since'), String(seen.at(-1)));
      pages++;
    }
    assert.equal(pages, Math.ceil(ORG_COUNT / 30));
    assert.deepEqual(seen, orgIds);
  });

  it('per_page up to 100; the last page has no Link', async () => {
    const first = await t.request('GET', '/organizations?per_page=100');
    assert.equal(first.body.length, 100);
    const next = parseLink(first.headers.get('link')).next;
    assert.equal(new URL(next).searchParams.get('per_page'), '100');
    const last = await t.request('GET', `/organizations?per_page=100&since=${orgIds[199]}`);
    assert.equal(last.body.length, 50);
    assert.equal(last.headers.get('link'), null);
    const over = await t.request('GET', '/organizations?per_page=500');
    assert.equal(over.body.length, 100, 'per_page is capped at 100');
  });

  it('octokit.paginate collects every org on both base URLs, with Links on the base URL used', async () => {
    for (const ghes of [false, true]) {
      const octokit = t.octokit(undefined, { ghes });
      const first = await octokit.rest.orgs.list({ per_page: 100 });
      assert.ok(parseLink(first.headers.link).next.startsWith(ghes ? `${t.url}/api/v3/organizations?` : `${t.url}/organizations?`));
      const all = await octokit.paginate(octokit.rest.orgs.list, { per_page: 100 });
      assert.deepEqual(all.map((o) => o.id), orgIds);
    }
  });

  it('422 for a since or per_page that is not an integer', async () => {
    for (const query of ['since=abc', 'per_page=ten', 'per_page=-5']) {
      const response = await t.request('GET', `/organizations?${query}`);
      assert.equal(response.status, 422, query);
      assert.equal(response.body.errors[0].code, 'invalid');
    }
  });
});

describe('GET /user/orgs (orgs/list-for-authenticated-user): page/per_page with first/prev/next/last', () => {
  it('the first page links next and last', async () => {
    const response = await pager.octokit.rest.orgs.listForAuthenticatedUser({ per_page: 100 });
    assert.equal(response.data.length, 100);
    const links = parseLink(response.headers.link);
    assert.deepEqual(Object.keys(links).sort(), ['last', 'next']);
    assert.equal(new URL(links.next).searchParams.get('page'), '2');
    assert.equal(new URL(links.last).searchParams.get('page'), '3');
  });

  it('a middle page links first, prev, next and last', async () => {
    const response = await pager.octokit.rest.orgs.listForAuthenticatedUser({ per_page: 100, page: 2 });
    assert.deepEqual(response.data.map((o) => o.id), orgIds.slice(100, 200));
    const links = parseLink(response.headers.link);
    assert.deepEqual(Object.keys(links).sort(), ['first', 'last', 'next', 'prev']);
    const page = (rel: string) => new URL(links[rel]).searchParams.get('page');
    assert.deepEqual([page('first'), page('prev'), page('next'), page('last')], ['1', '1', '3', '3']);
    assert.equal(new URL(links.next).searchParams.get('per_page'), '100');
    assert.equal(new URL(links.next).pathname, '/user/orgs');
  });

  it('the last page links first and prev only', async () => {
    const response = await pager.octokit.rest.orgs.listForAuthenticatedUser({ per_page: 100, page: 3 });
    assert.equal(response.data.length, 50);
    assert.deepEqual(Object.keys(parseLink(response.headers.link)).sort(), ['first', 'prev']);
  });

  it('30 per page by default, at most 100', async () => {
    const byDefault = await pager.octokit.rest.orgs.listForAuthenticatedUser();
    assert.equal(byDefault.data.length, 30);
    assert.equal(new URL(parseLink(byDefault.headers.link).last).searchParams.get('page'), '9');
    const capped = await t.request('GET', '/user/orgs?per_page=1000', { token: pager.token });
    assert.equal(capped.body.length, 100);
  });

  it('a page past the end is empty', async () => {
    const response = await pager.octokit.rest.orgs.listForAuthenticatedUser({ per_page: 100, page: 4 });
    assert.deepEqual(response.data, []);
  });

  it('octokit.paginate collects all 250 on both base URLs; GHES links keep the /api/v3 prefix', async () => {
    for (const ghes of [false, true]) {
      const octokit = t.octokit(pager.token, { ghes });
      const first = await octokit.rest.orgs.listForAuthenticatedUser({ per_page: 100 });
      assert.equal(new URL(parseLink(first.headers.link).next).pathname, ghes ? '/api/v3/user/orgs' : '/user/orgs');
      const all = await octokit.paginate(octokit.rest.orgs.listForAuthenticatedUser, { per_page: 100 });
      assert.deepEqual(all.map((o) => o.id), orgIds);
    }
  });

  it('422 for a page or per_page that is not a positive integer', async () => {
    for (const query of ['page=abc', 'per_page=1.5', 'page=-1']) {
      await rejectsWith(422, () => pager.octokit.request(`GET /user/orgs?${query}`));
    }
  });
});
