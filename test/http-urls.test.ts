import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLink } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

// Every URL an answer carries (`url` fields, `Link`, redirects) is built on one base: the configured ORGHUB_BASE_URL,
// or, without one, the server's address with the `/api/v3` prefix the request itself used.

/** Two orgs of `member`, so `GET /user/orgs?per_page=1` has a next page. */
async function twoOrgs(t: TestServer, prefix: string): Promise<TestUser> {
  const member = await t.createUser(`${prefix}-member`);
  for (const n of [1, 2]) await t.createOrg(`${prefix}-org-${n}`, member.login);
  return member;
}

describe('URLs without a configured base URL', () => {
  let t: TestServer;
  let member: TestUser;
  before(async () => {
    t = await startTestServer();
    member = await twoOrgs(t, 'prefixed');
  });
  after(() => t.close());

  it('an Octokit with baseUrl …/api/v3 sees url fields under /api/v3, as its Link headers; html_url stays on the host', async () => {
    for (const ghes of [false, true]) {
      const base = `${t.url}${ghes ? '/api/v3' : ''}`;
      const octokit = t.octokit(member.token, { ghes });
      const { data: me } = await octokit.rest.users.getAuthenticated();
      assert.deepEqual([me.url, me.organizations_url, me.html_url], [`${base}/users/${member.login}`, `${base}/users/${member.login}/orgs`, `${t.url}/${member.login}`]);
      const page = await octokit.rest.orgs.listForAuthenticatedUser({ per_page: 1 });
      assert.equal(page.data[0].url, `${base}/orgs/prefixed-org-1`);
      assert.equal(parseLink(page.headers.link).next, `${base}/user/orgs?per_page=1&page=2`);
      const { data: org } = await octokit.rest.orgs.get({ org: 'prefixed-org-1' });
      assert.deepEqual([org.url, org.hooks_url, org.html_url], [`${base}/orgs/prefixed-org-1`, `${base}/orgs/prefixed-org-1/hooks`, `${t.url}/prefixed-org-1`]);
    }
  });
});

describe('URLs with a configured base URL (ORGHUB_BASE_URL)', () => {
  let t: TestServer;
  let member: TestUser;
  const baseUrl = 'https://github.example.test/api/v3';
  before(async () => {
    t = await startTestServer({ baseUrl, htmlUrl: 'https://github.example.test' });
    member = await twoOrgs(t, 'based');
  });
  after(() => t.close());

  it('is the base of every url field and Link header, whichever prefix the request used', async () => {
    for (const ghes of [false, true]) {
      const octokit = t.octokit(member.token, { ghes });
      const { data: me } = await octokit.rest.users.getAuthenticated();
      assert.deepEqual([me.url, me.html_url], [`${baseUrl}/users/${member.login}`, `https://github.example.test/${member.login}`]);
      const page = await octokit.rest.orgs.listForAuthenticatedUser({ per_page: 1 });
      assert.equal(page.data[0].url, `${baseUrl}/orgs/based-org-1`);
      assert.equal(parseLink(page.headers.link).next, `${baseUrl}/user/orgs?per_page=1&page=2`);
    }
  });
});
