import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { openapiDocument } from '../src/http/openapi.js';
import { rateHeaders } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

// Primary rate limits with small limits: 5 requests an hour per user, 3 per IP address without a token.
const HOUR = 3600_000;
let t: TestServer;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  t = await startTestServer({ rateLimit: { authenticated: 5, anonymous: 3 } });
  t.clock.advance(HOUR); // the site admin spent its window creating the users below
  alice = await t.createUser('alice', { scopes: ['admin:org', 'user'] });
  t.clock.advance(HOUR);
  bob = await t.createUser('bob', { scopes: ['admin:org', 'user'] });
  t.clock.advance(HOUR);
  await t.createOrg('limited', 'alice');
});
after(() => t.close());
// Every case starts with fresh windows for everyone.
beforeEach(() => t.clock.advance(HOUR));

describe('X-RateLimit-* headers', () => {
  it('on every response: successes, 304s and errors of every kind', async () => {
    const { headers } = await alice.octokit.rest.users.getAuthenticated();
    const responses = [
      await t.request('GET', '/user', { token: alice.token, headers: { 'if-none-match': headers.etag! } }), // 304
      await t.request('GET', '/orgs/nope', { token: alice.token }), // 404
      await t.request('PATCH', '/orgs/limited', { token: alice.token, body: { name: 1 } }), // 422
      await t.request('PATCH', '/orgs/limited', { token: alice.token, rawBody: '{' }), // 400
      await t.request('PATCH', '/orgs/limited', { token: bob.token, rawBody: JSON.stringify({ name: 'n'.repeat(2 << 20) }) }), // 413
      await t.request('GET', '/user', { token: 'ghp_doesNotExist' }), // 401 Bad credentials
      await t.request('GET', '/user'), // 401 Requires authentication
      await t.request('GET', '/user', { token: bob.token, headers: { 'x-github-api-version': '1999-01-01' } }), // 400
    ];
    assert.deepEqual(responses.map((r) => r.status), [304, 404, 422, 400, 413, 401, 401, 400]);
    for (const response of responses) {
      const rate = rateHeaders(response.headers);
      assert.ok(rate.limit > 0 && rate.reset > 0 && rate.resource === 'core', `${response.status}: ${JSON.stringify(rate)}`);
      assert.equal(rate.used + rate.remaining, rate.limit);
    }
  });

  it('count down per request: Limit, Remaining, Used, Reset one hour ahead, Resource core', async () => {
    const start = Math.floor(t.clock.now().getTime() / 1000);
    for (let i = 1; i <= 3; i++) {
      const response = await t.request('GET', '/orgs/limited', { token: alice.token });
      assert.deepEqual(rateHeaders(response.headers), { limit: 5, remaining: 5 - i, used: i, reset: start + 3600, resource: 'core' });
    }
  });

  it('users are counted apart from each other and from anonymous callers', async () => {
    await t.request('GET', '/user', { token: alice.token });
    await t.request('GET', '/user', { token: alice.token });
    assert.equal(rateHeaders((await t.request('GET', '/user', { token: bob.token })).headers).used, 1);
    const anonymous = rateHeaders((await t.request('GET', '/organizations')).headers);
    assert.deepEqual([anonymous.limit, anonymous.used], [3, 1]);
  });
});

describe('exhaustion and reset', () => {
  it('403 with GitHub’s message once a user’s limit is used up; another user is unaffected; the window resets', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await t.request('GET', '/user', { token: alice.token })).status, 200);
    for (const ghes of [false, true]) {
      const response = await t.request('GET', `${ghes ? '/api/v3' : ''}/user`, { token: alice.token });
      assert.equal(response.status, 403);
      assert.equal(response.body.message, `API rate limit exceeded for user ID ${alice.id}.`);
      assert.ok(response.body.documentation_url);
      const rate = rateHeaders(response.headers);
      assert.deepEqual([rate.remaining, rate.used, rate.limit], [0, 5, 5]);
    }
    // Octokit (with its own throttling off) sees the 403 too.
    await assert.rejects(alice.octokit.rest.orgs.get({ org: 'limited' }), (e: any) => e.status === 403);
    assert.equal((await t.request('GET', '/user', { token: bob.token })).status, 200);

    const reset = rateHeaders((await t.request('GET', '/user', { token: alice.token })).headers).reset;
    t.clock.advance(reset * 1000 - t.clock.now().getTime() - 1000);
    assert.equal((await t.request('GET', '/user', { token: alice.token })).status, 403, 'one second before reset');
    t.clock.advance(1000);
    const after = await t.request('GET', '/user', { token: alice.token });
    assert.equal(after.status, 200);
    assert.deepEqual([rateHeaders(after.headers).used, rateHeaders(after.headers).remaining], [1, 4]);
    assert.ok(rateHeaders(after.headers).reset >= reset + 3600);
  });

  it('403 for anonymous callers after their per-IP limit, naming the address', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await t.request('GET', '/organizations')).status, 200);
    const response = await t.request('GET', '/orgs/limited');
    assert.equal(response.status, 403);
    assert.match(response.body.message, /^API rate limit exceeded for 127\.0\.0\.1\./);
    // A token still works: the authenticated limit is separate.
    assert.equal((await t.request('GET', '/orgs/limited', { token: bob.token })).status, 200);
  });

  it('writes are counted and refused alike; a refused write changes nothing', async () => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await t.request('PATCH', '/orgs/limited', { token: alice.token, body: { location: `L${i}` } })).status, 200);
    }
    const refused = await t.request('PATCH', '/orgs/limited', { token: alice.token, body: { location: 'Over' } });
    assert.equal(refused.status, 403);
    const { body } = await t.request('GET', '/orgs/limited', { token: bob.token });
    assert.equal(body.location, 'L4');
  });
});

describe('GET /rate_limit (rate-limit/get)', () => {
  it('shows the caller’s core window without counting, on both base URLs', async () => {
    await t.request('GET', '/user', { token: alice.token });
    for (const ghes of [false, true]) {
      const response = await t.octokit(alice.token, { ghes }).rest.rateLimit.get();
      assert.equal(response.data.rate.used, 1);
      assert.equal(response.data.rate.limit, 5);
      assert.equal(response.data.rate.remaining, 4);
      assert.deepEqual(response.data.resources.core, response.data.rate);
      assert.equal(rateHeaders(response.headers).used, 1);
    }
  });

  it('lists every resource the description names, the unused ones with their whole allowance', async () => {
    const { body } = await t.request('GET', '/rate_limit', { token: alice.token });
    const described = Object.keys(openapiDocument.components.schemas['rate-limit-overview'].properties.resources.properties);
    for (const name of described) assert.ok(body.resources[name], `resources.${name} missing`);
    assert.deepEqual([body.resources.search.limit, body.resources.search.used, body.resources.search.remaining], [30, 0, 30]);
  });

  it('still answers once the limit is used up', async () => {
    for (let i = 0; i < 6; i++) await t.request('GET', '/user', { token: alice.token });
    const response = await t.request('GET', '/rate_limit', { token: alice.token });
    assert.equal(response.status, 200);
    assert.deepEqual([response.body.rate.remaining, response.body.rate.used], [0, 5]);
  });

  it('shows the anonymous per-IP window without a token', async () => {
    await t.request('GET', '/organizations');
    const response = await t.request('GET', '/rate_limit');
    assert.deepEqual([response.body.rate.limit, response.body.rate.used], [3, 1]);
  });
});

describe('batched counting', () => {
  it('requests counted while their batch is being written still count', async () => {
    const limiter = t.server.ctx.rateLimiter;
    await limiter.flush();
    for (let i = 0; i < 5; i++) assert.equal((await limiter.consume('test:batch', 5)).exceeded, false);
    const written = limiter.flush();
    const sixth = await limiter.consume('test:batch', 5);
    await written;
    assert.equal(sixth.exceeded, true);
    assert.equal((await limiter.peek('test:batch', 5)).used, 5);
  });
});
