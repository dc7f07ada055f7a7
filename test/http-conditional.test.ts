import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rateHeaders, rejectsWith } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

// Conditional requests: ETag on every GET, If-None-Match / If-Modified-Since → 304 with no body, not counted.
let t: TestServer;
let owner: TestUser;
let other: TestUser;

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('etag-owner', { scopes: ['admin:org'] });
  other = await t.createUser('etag-other', { scopes: ['admin:org'] });
  await t.createOrg('Cached', 'etag-owner');
});
after(() => t.close());

async function used(token: string): Promise<number> {
  const response = await t.request('GET', '/rate_limit', { token });
  return response.body.rate.used;
}

describe('ETag and If-None-Match', () => {
  it('every GET of the foundation sends an ETag', async () => {
    for (const path of ['/user', '/users/etag-owner', '/organizations', '/orgs/cached', '/user/orgs', '/users/etag-owner/orgs', '/rate_limit']) {
      const response = await t.request('GET', path, { token: owner.token });
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('etag') ?? '', /^(W\/)?"[^"]+"$/, path);
    }
  });

  it('304 with no body for a matching If-None-Match (weak or strong form, in a list), with the same ETag', async () => {
    const first = await t.request('GET', '/orgs/cached', { token: owner.token });
    const etag = first.headers.get('etag')!;
    for (const ifNoneMatch of [etag, etag.replace(/^W\//, ''), `"other", ${etag}`]) {
      const again = await t.request('GET', '/orgs/cached', { token: owner.token, headers: { 'if-none-match': ifNoneMatch } });
      assert.equal(again.status, 304, ifNoneMatch);
      assert.equal(again.text, '');
      assert.equal(again.headers.get('etag'), etag);
    }
  });

  it('Octokit sees the 304 on both base URLs', async () => {
    for (const ghes of [false, true]) {
      const octokit = t.octokit(owner.token, { ghes });
      const { headers } = await octokit.rest.orgs.get({ org: 'cached' });
      await rejectsWith(304, () => octokit.rest.orgs.get({ org: 'cached', headers: { 'if-none-match': headers.etag } }));
    }
  });

  it('a 304 does not count against the rate limit, and says so in its headers', async () => {
    const { headers } = await owner.octokit.rest.users.getAuthenticated();
    const before = await used(owner.token);
    const notModified = await t.request('GET', '/user', { token: owner.token, headers: { 'if-none-match': headers.etag! } });
    assert.equal(notModified.status, 304);
    assert.equal(rateHeaders(notModified.headers).used, before);
    assert.equal(rateHeaders(notModified.headers).remaining, 5000 - before);
    assert.equal(await used(owner.token), before);
    await t.request('GET', '/user', { token: owner.token, headers: { 'if-none-match': '"stale"' } });
    assert.equal(await used(owner.token), before + 1, 'a 200 counts');
  });

  it('the ETag changes when the resource changes, and the old one then answers 200', async () => {
    const first = await owner.octokit.rest.orgs.get({ org: 'cached' });
    t.clock.advance(1000);
    await owner.octokit.rest.orgs.update({ org: 'cached', description: 'changed' });
    const again = await t.request('GET', '/orgs/cached', { token: owner.token, headers: { 'if-none-match': first.headers.etag! } });
    assert.equal(again.status, 200);
    assert.equal(again.body.description, 'changed');
    assert.notEqual(again.headers.get('etag'), first.headers.etag);
  });

  it('the ETag depends on who asks: the owner’s tag does not validate another caller’s view', async () => {
    const mine = await owner.octokit.rest.orgs.get({ org: 'cached' });
    const theirs = await t.request('GET', '/orgs/cached', { token: other.token, headers: { 'if-none-match': mine.headers.etag! } });
    assert.equal(theirs.status, 200);
    assert.ok(!('billing_email' in theirs.body));
  });

  it('a non-matching If-None-Match answers 200 with the body', async () => {
    const response = await t.request('GET', '/orgs/cached', { token: owner.token, headers: { 'if-none-match': 'W/"nope"' } });
    assert.equal(response.status, 200);
    assert.equal(response.body.login, 'Cached');
  });
});

describe('Last-Modified and If-Modified-Since', () => {
  it('GET /orgs/{org} and GET /user send Last-Modified from updated_at; If-Modified-Since at or after it → 304', async () => {
    for (const path of ['/orgs/cached', '/user']) {
      const first = await t.request('GET', path, { token: owner.token });
      const lastModified = first.headers.get('last-modified')!;
      assert.equal(new Date(lastModified).toISOString().replace('.000', ''), first.body.updated_at);
      const same = await t.request('GET', path, { token: owner.token, headers: { 'if-modified-since': lastModified } });
      assert.equal(same.status, 304, path);
      assert.equal(same.text, '');
      const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
      assert.equal((await t.request('GET', path, { token: owner.token, headers: { 'if-modified-since': earlier } })).status, 200);
    }
  });
});

// GET /orgs/{org}'s tag is made from what its body is made of, not from its bytes: every input must move it.
describe('GET /orgs/{org} ETag, with the read cache on and off', () => {
  for (const readCacheMs of [1000, 0]) {
    describe(`ORGHUB_READ_CACHE_MS=${readCacheMs}`, () => {
      let s: TestServer;
      let boss: TestUser;
      let invitee: TestUser;
      before(async () => {
        s = await startTestServer({ readCacheMs });
        boss = await s.createUser('tag-boss', { scopes: ['admin:org'] });
        invitee = await s.createUser('tag-invitee');
        await s.createOrg('tagged', 'tag-boss');
      });
      after(() => s.close());
      const get = (etag?: string) => s.request('GET', '/orgs/tagged', { token: boss.token, headers: etag ? { 'if-none-match': etag } : {} });

      it('304 for the tag just sent, as long as nothing changed', async () => {
        const first = await get();
        assert.equal(first.status, 200);
        const again = await get(first.headers.get('etag')!);
        assert.equal(again.status, 304);
        assert.equal(again.headers.get('etag'), first.headers.get('etag'));
      });

      it('a new tag for each of two changes within one second (updated_at has whole seconds)', async () => {
        const tags = new Set<string>();
        for (const description of ['one', 'two']) {
          await boss.octokit.rest.orgs.update({ org: 'tagged', description });
          const response = await get();
          assert.equal(response.body.description, description);
          tags.add(response.headers.get('etag')!);
        }
        assert.equal(tags.size, 2);
      });

      it('a new tag when a counter the owner sees moves (plan.filled_seats), and the old tag then answers 200', async () => {
        const earlier = await get();
        await boss.octokit.rest.orgs.createInvitation({ org: 'tagged', invitee_id: invitee.id });
        const later = await get(earlier.headers.get('etag')!);
        assert.equal(later.status, 200);
        assert.equal(later.body.plan.filled_seats, earlier.body.plan.filled_seats + 1);
        assert.notEqual(later.headers.get('etag'), earlier.headers.get('etag'));
      });

      it('a new tag when a setting changes', async () => {
        const earlier = await get();
        await boss.octokit.rest.orgs.update({ org: 'tagged', members_can_create_repositories: !earlier.body.members_can_create_repositories });
        const later = await get(earlier.headers.get('etag')!);
        assert.equal(later.status, 200);
        assert.notEqual(later.headers.get('etag'), earlier.headers.get('etag'));
      });
    });
  }
});
