import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEvents, rateHeaders } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

// Stopping the server and starting it again on the same database keeps everything.
let t: TestServer;
let keeper: TestUser;
let revoked: TestUser;

before(async () => {
  t = await startTestServer({ rateLimit: { authenticated: 50 } });
  keeper = await t.createUser('Keeper', { scopes: ['admin:org', 'user'], email: 'keeper@example.test' });
  revoked = await t.createUser('revoked');
  await t.admin.octokit.request('DELETE /admin/users/{username}/authorizations', { username: 'revoked' });
  await t.createOrg('Durable', 'keeper');
  await keeper.octokit.rest.orgs.update({ org: 'durable', name: 'Durable Inc.', billing_email: 'pay@example.test', members_allowed_repository_creation_type: 'private' });
});
after(() => t.close());

describe('restart', () => {
  it('keeps users, organizations, memberships, settings, tokens, revocations and audit events', async () => {
    const before = {
      user: (await keeper.octokit.rest.users.getAuthenticated()).data,
      org: (await keeper.octokit.rest.orgs.get({ org: 'durable' })).data,
      orgs: (await keeper.octokit.rest.orgs.listForAuthenticatedUser()).data,
      events: await auditEvents(t),
    };
    const oldUrl = t.url;
    await t.restart();
    assert.equal(t.server.admin.generatedToken, undefined, 'no new admin token on a database that has one');
    const rebase = (value: unknown) => JSON.parse(JSON.stringify(value).split(oldUrl).join(t.url));
    const keeperNow = t.octokit(keeper.token);
    assert.deepEqual((await keeperNow.rest.users.getAuthenticated()).data, rebase(before.user));
    assert.deepEqual((await keeperNow.rest.orgs.get({ org: 'durable' })).data, rebase(before.org));
    assert.deepEqual((await keeperNow.rest.orgs.listForAuthenticatedUser()).data, rebase(before.orgs));
    assert.deepEqual(await auditEvents(t), before.events);
    assert.equal((await t.request('GET', '/user', { token: t.admin.token })).status, 200, 'the admin token still works');
    const refused = await t.request('GET', '/user', { token: revoked.token });
    assert.equal(refused.status, 401, 'a revoked token stays revoked');
  });

  it('keeps the id sequence: accounts made after a restart get new ids', async () => {
    const beforeRestart = await t.createUser('before-restart');
    await t.restart();
    const afterRestart = await t.createOrg('after-restart');
    assert.equal(afterRestart.id, beforeRestart.id + 1);
  });

  // The first request after a restart reads the window with its token, in whichever statement its path reads that with.
  for (const path of ['/user', '/orgs/durable', '/users/keeper', '/orgs/durable/members/keeper']) {
    it(`keeps rate-limit windows: the count and the reset time carry over (first request after it: GET ${path})`, async () => {
      let last;
      for (let i = 0; i < 3; i++) last = rateHeaders((await t.request('GET', '/user', { token: keeper.token })).headers);
      await t.restart();
      const now = rateHeaders((await t.request('GET', path, { token: keeper.token })).headers);
      assert.equal(now.used, last!.used + 1);
      assert.equal(now.reset, last!.reset);
      assert.equal(now.limit, 50);
    });
  }

  it('keeps an exhausted window exhausted until its reset', async () => {
    const state = (await t.request('GET', '/rate_limit', { token: keeper.token })).body.rate;
    for (let i = state.used; i < 50; i++) await t.request('GET', '/user', { token: keeper.token });
    assert.equal((await t.request('GET', '/user', { token: keeper.token })).status, 403);
    await t.restart();
    assert.equal((await t.request('GET', '/user', { token: keeper.token })).status, 403);
    t.clock.advance(3600_000);
    assert.equal((await t.request('GET', '/user', { token: keeper.token })).status, 200);
  });
});
