import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Authenticator } from '../src/http/auth/authenticator.js';
import type { Caller } from '../src/http/auth/caller.js';
import type { PathNames, Resolved, TokenKind } from '../src/http/auth/kind.js';
import type { OrgRead } from '../src/orgs/access.js';
import { rejectsWith } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

// Cross-cutting authentication, authorization and response-header behaviour, shown on the foundation's operations.
let t: TestServer;
let owner: TestUser;
let stranger: TestUser;

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('owner', { scopes: ['admin:org', 'user'] });
  stranger = await t.createUser('stranger', { scopes: ['admin:org', 'repo', 'user'] });
  await t.createOrg('Guarded', 'owner');
});
after(() => t.close());

describe('Authorization header', () => {
  it('accepts both `Bearer` and `token` schemes, in any case', async () => {
    for (const scheme of ['Bearer', 'token', 'bearer', 'TOKEN']) {
      const response = await t.request('GET', '/user', { headers: { authorization: `${scheme} ${owner.token}` } });
      assert.equal(response.status, 200, scheme);
      assert.equal(response.body.login, 'owner');
    }
  });

  it('401 Bad credentials for an unknown token, on both base URLs', async () => {
    for (const ghes of [false, true]) {
      const error = await rejectsWith(401, () => t.octokit('ghp_unknownUnknownUnknownUnknownUnknown1', { ghes }).rest.users.getAuthenticated());
      assert.equal(error.response!.data.message, 'Bad credentials');
      assert.ok(error.response!.data.documentation_url);
    }
  });

  it('401 Bad credentials even where anonymous requests are allowed', async () => {
    for (const path of ['/organizations', '/orgs/guarded', '/users/owner', '/rate_limit']) {
      const response = await t.request('GET', path, { token: 'ghp_notARealTokenAtAll000000000000000000' });
      assert.equal(response.status, 401, path);
      assert.equal(response.body.message, 'Bad credentials');
      assert.equal(response.body.status, '401');
    }
  });

  it('401 Bad credentials for an Authorization header in another scheme or without a token', async () => {
    for (const authorization of ['Basic b3duZXI6cGFzcw==', 'Bearer', 'Bearer a b']) {
      const response = await t.request('GET', '/user', { headers: { authorization } });
      assert.equal(response.status, 401, authorization);
      assert.equal(response.body.message, 'Bad credentials');
    }
  });

  it('401 Requires authentication for an operation that needs a user, without a token', async () => {
    const response = await t.request('GET', '/user/orgs');
    assert.equal(response.status, 401);
    assert.equal(response.body.message, 'Requires authentication');
  });
});

describe('classic OAuth scopes', () => {
  it('X-OAuth-Scopes lists the scopes the token was granted; X-Accepted-OAuth-Scopes those the operation accepts', async () => {
    const response = await owner.octokit.rest.orgs.get({ org: 'guarded' });
    assert.equal(response.headers['x-oauth-scopes'], 'admin:org, user');
    assert.equal(response.headers['x-accepted-oauth-scopes'], 'admin:org, read:org, write:org');
    const update = await owner.octokit.rest.orgs.update({ org: 'guarded', location: 'Here' });
    assert.equal(update.headers['x-accepted-oauth-scopes'], 'admin:org, repo');
  });

  it('an empty X-OAuth-Scopes for a token without scopes', async () => {
    const bare = await t.createUser('bare', { scopes: [] });
    const response = await t.request('GET', '/user', { token: bare.token });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-oauth-scopes'), '');
  });

  it('implied scopes count: admin:org implies write:org implies read:org', async () => {
    for (const scopes of [['admin:org'], ['write:org']]) {
      const token = (await t.request('POST', '/admin/users/owner/authorizations', { token: t.admin.token, body: { scopes } })).body.token;
      const { data } = await t.octokit(token).rest.orgs.get({ org: 'guarded' });
      assert.ok('billing_email' in data, `owner with ${scopes} sees private fields (read:org implied)`);
      const listed = await t.octokit(token).rest.orgs.listForAuthenticatedUser();
      assert.equal(listed.status, 200);
    }
  });

  it('403 naming the accepted scopes when the token has none of them', async () => {
    const token = (await t.request('POST', '/admin/users/owner/authorizations', { token: t.admin.token, body: { scopes: ['gist'] } })).body.token;
    for (const [method, path] of [['GET', '/user/orgs'], ['PATCH', '/orgs/guarded']] as const) {
      const response = await t.request(method, path, { token, body: method === 'PATCH' ? { name: 'x' } : undefined });
      assert.equal(response.status, 403, path);
      assert.match(response.body.message, /needs one of these scopes/);
      assert.equal(response.headers.get('x-oauth-scopes'), 'gist');
    }
  });
});

describe('resources the caller may not see', () => {
  it('404 (not 403) for an owner-only operation called by someone who is not an owner', async () => {
    const response = await t.request('PATCH', '/orgs/guarded', { token: stranger.token, body: { name: 'Taken over' } });
    assert.equal(response.status, 404);
    assert.equal(response.body.message, 'Not Found');
  });

  it('404 for an unknown org, whoever asks', async () => {
    for (const token of [undefined, stranger.token, t.admin.token]) {
      assert.equal((await t.request('GET', '/orgs/never-created', { token })).status, 404);
    }
  });

  it('checks the caller before the body: 401, 403 and 404 win over 422', async () => {
    const badBody = { name: 12, default_repository_permission: 'root' };
    const anonymous = await t.request('PATCH', '/orgs/guarded', { body: badBody });
    assert.equal(anonymous.status, 401);
    const gist = (await t.request('POST', '/admin/users/owner/authorizations', { token: t.admin.token, body: { scopes: ['gist'] } })).body.token;
    assert.equal((await t.request('PATCH', '/orgs/guarded', { token: gist, body: badBody })).status, 403);
    assert.equal((await t.request('PATCH', '/orgs/guarded', { token: stranger.token, body: badBody })).status, 404);
    assert.equal((await t.request('PATCH', '/orgs/never-created', { token: owner.token, body: badBody })).status, 404);
    assert.equal((await t.request('PATCH', '/orgs/guarded', { token: owner.token, body: badBody })).status, 422);
  });
});

describe('response headers', () => {
  it('X-GitHub-Request-Id, unique per response, on successes and errors', async () => {
    const responses = [
      await t.request('GET', '/user', { token: owner.token }),
      await t.request('GET', '/user', { token: owner.token }),
      await t.request('GET', '/orgs/never-created'),
      await t.request('GET', '/user', { token: 'ghp_bad' }),
    ];
    const ids = responses.map((r) => r.headers.get('x-github-request-id'));
    for (const id of ids) assert.match(id ?? '', /^[0-9A-F:]+$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('accepts application/vnd.github+json, application/vnd.github.v3+json, application/json and no Accept at all', async () => {
    for (const accept of ['application/vnd.github+json', 'application/vnd.github.v3+json', 'application/json', '*/*']) {
      const response = await t.request('GET', '/orgs/guarded', { token: owner.token, headers: { accept } });
      assert.equal(response.status, 200, accept);
      assert.equal(response.headers.get('x-github-media-type'), 'github.v3; format=json', accept);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    }
    const response = await fetch(`${t.url}/orgs/guarded`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-github-media-type'), 'github.v3; format=json');
  });

  it('X-GitHub-Media-Type on errors too', async () => {
    const response = await t.request('GET', '/orgs/never-created', { headers: { accept: 'application/vnd.github.v3+json' } });
    assert.equal(response.headers.get('x-github-media-type'), 'github.v3; format=json');
  });
});

describe('token lookups shared by concurrent requests (src/http/auth/authenticator.ts)', () => {
  /** A token kind that records what each lookup was asked to read and answers it after a pause (a database round trip). */
  function recordingKind(asked: PathNames[]): TokenKind {
    return {
      recognises: () => true,
      async resolve(_token, _env, names) {
        asked.push(names);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const caller = { kind: 'classic', tokenId: 1, userId: 1, login: 'someone', siteAdmin: false, scopes: [], effective: new Set() } as unknown as Caller;
        return { caller, orgRead: { counts: names.orgCounts ? { collaborators: 0, filledSeats: 1 } : undefined } as OrgRead };
      },
    };
  }

  it('requests that read the same names share one lookup; one that also reads the counters gets its own', async () => {
    const asked: PathNames[] = [];
    const auth = new Authenticator({} as never, { pollMs: 100, staleAfterMs: 1000 }, [recordingKind(asked)]);
    const [first, second, withCounts] = (await Promise.all([
      auth.authenticate('token shared', { org: 'acme' }),
      auth.authenticate('token shared', { org: 'acme' }),
      auth.authenticate('token shared', { org: 'acme', orgCounts: true }),
    ])) as Resolved[];
    assert.equal(asked.length, 2);
    assert.equal(first, second);
    assert.equal(first.orgRead?.counts, undefined);
    assert.deepEqual(withCounts.orgRead?.counts, { collaborators: 0, filledSeats: 1 });
  });
});
