import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { onPostgres, startTestServer, suiteStore, type TestServer } from './support/server.js';

describe('GET /_orghub/health', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ rateLimit: { anonymous: 2 } });
  });
  after(() => t.close());

  it('200 {"status":"ok"} with the store, without a token, at both prefixes, never cached', async () => {
    for (const path of ['/_orghub/health', '/api/v3/_orghub/health']) {
      const res = await t.request('GET', path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.body, { status: 'ok', database: suiteStore });
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
  });

  it('answers HEAD, as load balancers probe', async () => {
    const res = await fetch(`${t.url}/_orghub/health`, { method: 'HEAD' });
    assert.equal(res.status, 200);
  });

  it('ignores the Authorization header: a bad token is no 401', async () => {
    const res = await t.request('GET', '/_orghub/health', { token: 'ghp_notATokenAnyoneHas000000000000000000' });
    assert.equal(res.status, 200);
  });

  it('is neither rate limited nor counted: it answers after the anonymous limit is spent, which it did not spend', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await t.request('GET', '/_orghub/health')).status, 200);
    const rate = await t.request('GET', '/rate_limit');
    assert.equal(rate.body.resources.core.used, 0, 'health checks were not counted');
    assert.equal(rate.headers.get('x-ratelimit-limit'), '2');
    for (let i = 0; i < 2; i++) assert.equal((await t.request('GET', '/users/admin')).status, 200);
    assert.equal((await t.request('GET', '/users/admin')).status, 403, 'the anonymous limit is spent');
    const res = await t.request('GET', '/_orghub/health');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-ratelimit-limit'), null, 'no rate-limit headers: nothing is counted');
  });
});

describe('GET /_orghub/health when the database goes away', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('503 in GitHub\'s error shape, while the process still answers', async () => {
    assert.equal((await t.request('GET', '/_orghub/health')).status, 200);
    if (onPostgres) {
      // The database is dropped under the server: its pooled connections are terminated, new ones are refused.
      const name = new URL(t.databaseUrl).pathname.slice(1);
      const client = new pg.Client({ connectionString: process.env.ORGHUB_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await client.end();
    } else {
      // An open SQLite connection keeps answering whatever happens to its file (deleted with its folder, truncated,
      // overwritten, made unreadable: all tried), so the failure shown here is the connection itself closing.
      await t.server.ctx.db.destroy();
    }
    const res = await t.request('GET', '/_orghub/health');
    assert.equal(res.status, 503);
    assert.equal(res.body.message, 'The database is not answering.');
    assert.equal(res.body.status, '503');
    assert.match(res.body.documentation_url, /^https:\/\//);
  });
});
