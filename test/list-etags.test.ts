import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMember } from './support/membership.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

// List pages take their ETag from the rows they present (not from hashing the body): it must still follow the body.
let t: TestServer;
let owner: TestUser;
let member: TestUser;

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('le-owner', { scopes: ['admin:org', 'user'] });
  member = await t.createUser('le-member', { scopes: ['read:org', 'user'] });
  await t.createOrg('le-org', 'le-owner');
});
after(() => t.close());

async function revalidate(path: string, token: string, etag: string) {
  return t.request('GET', path, { token, headers: { 'if-none-match': etag } });
}

describe('ETags of list pages', () => {
  it('members: 304 while the page is unchanged, a new tag once a member joins', async () => {
    const first = await t.request('GET', '/orgs/le-org/members', { token: owner.token });
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^W\/"[0-9a-f]+"$/);
    assert.equal((await revalidate('/orgs/le-org/members', owner.token, etag)).status, 304);
    await addMember(owner, 'le-org', member);
    const after = await revalidate('/orgs/le-org/members', owner.token, etag);
    assert.equal(after.status, 200);
    assert.deepEqual(
      after.body.map((user: { login: string }) => user.login),
      ['le-owner', 'le-member'],
    );
    assert.notEqual(after.headers.get('etag'), etag);
  });

  it('members: the tag follows the base URL the request used', async () => {
    const plain = await t.request('GET', '/orgs/le-org/members', { token: owner.token });
    const prefixed = await t.request('GET', '/api/v3/orgs/le-org/members', { token: owner.token });
    assert.notEqual(plain.text, prefixed.text);
    assert.notEqual(plain.headers.get('etag'), prefixed.headers.get('etag'));
  });

  it('/user/orgs: a new tag when an org of the page changes its description', async () => {
    const first = await t.request('GET', '/user/orgs', { token: member.token });
    const etag = first.headers.get('etag')!;
    assert.equal((await revalidate('/user/orgs', member.token, etag)).status, 304);
    await owner.octokit.rest.orgs.update({ org: 'le-org', description: 'changed' });
    const after = await revalidate('/user/orgs', member.token, etag);
    assert.equal(after.status, 200);
    assert.equal(after.body[0].description, 'changed');
    assert.notEqual(after.headers.get('etag'), etag);
  });

  it('/user/orgs: a page past the end still counts every org (its `prev` is the last page)', async () => {
    await t.createOrg('le-second', 'le-owner');
    await addMember(owner, 'le-second', member);
    const past = await t.request('GET', '/user/orgs?per_page=1&page=5', { token: member.token });
    assert.equal(past.status, 200);
    assert.deepEqual(past.body, []);
    assert.match(past.headers.get('link') ?? '', /per_page=1&page=2>; rel="prev"/);
  });
});
