import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { graphql, GraphqlResponseError } from '@octokit/graphql';
import { addMembership, rateHeaders } from './support/foundation.js';
import { tokenFor } from './support/people.js';
import { ALL_SCOPES, startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;
let owner: TestUser;
const ORG = 'gq-org';
/** Members of ORG besides its owner, in id order; the first two publicized their membership. */
const MEMBERS = ['gq-m1', 'gq-m2', 'gq-m3', 'gq-m4', 'gq-m5', 'gq-m6', 'gq-m7'];
/** A user in three orgs, public in the second only. */
const JOINER = 'gq-joiner';
const JOINED = ['gq-a', 'gq-b', 'gq-c'];

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('gq-owner');
  await t.createOrg(ORG, owner.login);
  for (const [i, login] of MEMBERS.entries()) {
    await t.createUser(login);
    await addMembership(t, ORG, login, { public: i < 2 });
  }
  await t.createUser(JOINER);
  for (const [i, org] of JOINED.entries()) {
    await t.createOrg(org);
    await addMembership(t, org, JOINER, { public: i === 1 });
  }
});
after(() => t.close());

/** @octokit/graphql for `token`, on the base URL (`/graphql`) or the GHES one (`/api/v3` → `/api/graphql`). */
function client(token: string, options: { ghes?: boolean } = {}) {
  return graphql.defaults({ baseUrl: options.ghes ? `${t.url}/api/v3` : t.url, headers: { authorization: `token ${token}` }, request: { retries: 0 } });
}

/** The errors of a query GitHub answers with errors (a 200, as GitHub answers them). */
async function errorsOf(query: Promise<unknown>): Promise<{ errors: any[]; data: unknown }> {
  try {
    await query;
  } catch (error) {
    if (error instanceof GraphqlResponseError) return { errors: error.errors as any[], data: error.data };
    throw error;
  }
  throw new Error('expected GraphQL errors, the query succeeded');
}

/** A raw POST of `body` to a GraphQL path. */
async function post(path: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `bearer ${token}`;
  const response = await fetch(`${t.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

type Page = { pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } };

describe('query { viewer }', () => {
  it('is the token\'s user, with the values REST shows: id is the REST node_id, databaseId the id', async () => {
    const { data: rest } = await owner.octokit.rest.users.getAuthenticated();
    const { viewer } = await client(owner.token)<{ viewer: Record<string, unknown> }>(
      `query UserCurrent { viewer { login name email id databaseId avatarUrl url resourcePath createdAt updatedAt isSiteAdmin isViewer company location bio websiteUrl twitterUsername } }`,
    );
    assert.deepEqual(viewer, {
      login: rest.login,
      name: rest.name,
      email: rest.email,
      id: rest.node_id,
      databaseId: rest.id,
      avatarUrl: rest.avatar_url,
      url: rest.html_url,
      resourcePath: `/${rest.login}`,
      createdAt: rest.created_at,
      updatedAt: rest.updated_at,
      isSiteAdmin: false,
      isViewer: true,
      company: null,
      location: null,
      bio: null,
      websiteUrl: null,
      twitterUsername: null,
    });
  });

  it('is answered at /graphql and at GHES\'s /api/graphql alike', async () => {
    for (const ghes of [false, true]) {
      assert.deepEqual(await client(owner.token, { ghes })('{ viewer { login } }'), { viewer: { login: owner.login } });
    }
    const raw = await post('/api/graphql', { query: '{viewer{login}}' }, owner.token);
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('x-oauth-scopes'), ALL_SCOPES.join(', '));
  });

  it('email needs user:email or read:user: without either, INSUFFICIENT_SCOPES naming the field and data null', async () => {
    const token = await tokenFor(t, owner.login, ['read:org']);
    const { errors, data } = await errorsOf(client(token)('{ viewer { login email } }'));
    assert.equal(data, null);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].type, 'INSUFFICIENT_SCOPES');
    assert.match(errors[0].message, /The 'email' field requires one of the following scopes: \['user:email', 'read:user'\], but your token has only been granted the: \['read:org'\] scopes/);
    assert.deepEqual(errors[0].locations, [{ line: 1, column: 18 }]);
    assert.deepEqual(await client(token)('{ viewer { login } }'), { viewer: { login: owner.login } });
  });
});

describe('viewer.organizations', () => {
  it('the viewer\'s orgs in id order, paged forwards (first/after) and backwards (last/before) by cursor', async () => {
    const token = await tokenFor(t, JOINER, ['read:org']);
    type Orgs = { viewer: { organizations: Page & { totalCount: number; nodes: { login: string }[]; edges: { cursor: string; node: { login: string } }[] } } };
    const query = `query($first: Int, $after: String, $last: Int, $before: String) {
      viewer { organizations(first: $first, after: $after, last: $last, before: $before) {
        totalCount nodes { login } edges { cursor node { login } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
    const first = (await client(token)<Orgs>(query, { first: 2 })).viewer.organizations;
    assert.deepEqual(first.nodes.map((o) => o.login), JOINED.slice(0, 2));
    assert.deepEqual(first.edges.map((e) => e.node.login), JOINED.slice(0, 2));
    assert.equal(first.totalCount, 3);
    assert.deepEqual([first.pageInfo.hasNextPage, first.pageInfo.hasPreviousPage], [true, false]);
    assert.equal(first.pageInfo.endCursor, first.edges[1].cursor);
    const rest = (await client(token)<Orgs>(query, { first: 2, after: first.pageInfo.endCursor })).viewer.organizations;
    assert.deepEqual(rest.nodes.map((o) => o.login), JOINED.slice(2));
    assert.deepEqual([rest.pageInfo.hasNextPage, rest.pageInfo.hasPreviousPage], [false, true]);
    const last = (await client(token)<Orgs>(query, { last: 1 })).viewer.organizations;
    assert.deepEqual(last.nodes.map((o) => o.login), [JOINED[2]]);
    const before = (await client(token)<Orgs>(query, { last: 5, before: last.pageInfo.startCursor })).viewer.organizations;
    assert.deepEqual(before.nodes.map((o) => o.login), JOINED.slice(0, 2));
    assert.deepEqual([before.pageInfo.hasNextPage, before.pageInfo.hasPreviousPage], [true, false]);
  });

  it('without read:org (or user, repo) only the viewer\'s public memberships, as REST\'s /users/{username}/orgs', async () => {
    const token = await tokenFor(t, JOINER, ['read:user']);
    const { viewer } = await client(token)<any>('{ viewer { organizations(first: 10) { totalCount nodes { login } } } }');
    assert.deepEqual(viewer.organizations, { totalCount: 1, nodes: [{ login: JOINED[1] }] });
  });

  it('another user\'s organizations are their public ones', async () => {
    const { user } = await client(owner.token)<any>(`{ user(login: "${JOINER}") { login isViewer organizations(first: 10) { nodes { login } } } }`);
    assert.deepEqual(user, { login: JOINER, isViewer: false, organizations: { nodes: [{ login: JOINED[1] }] } });
  });

  it('a connection needs first or last (MISSING_PAGINATION_BOUNDARIES), at most 100 (EXCESSIVE_PAGINATION)', async () => {
    const missing = await errorsOf(client(owner.token)('{ viewer { organizations { totalCount } } }'));
    assert.deepEqual(missing.errors.map((e) => [e.type, e.path]), [['MISSING_PAGINATION_BOUNDARIES', ['query', 'viewer', 'organizations']]]);
    assert.equal(missing.errors[0].message, 'You must provide a `first` or `last` value to properly paginate the `organizations` connection.');
    const excessive = await errorsOf(client(owner.token)('{ viewer { organizations(last: 101) { totalCount } } }'));
    assert.equal(excessive.errors[0].type, 'EXCESSIVE_PAGINATION');
    assert.equal(excessive.errors[0].message, 'Requesting 101 records on the `organizations` connection exceeds the `last` limit of 100 records.');
  });
});

describe('organization(login:)', () => {
  it('the org\'s login, name, description, url, databaseId and id as REST shows them', async () => {
    const { data: rest } = await owner.octokit.rest.orgs.get({ org: ORG });
    const { organization } = await client(owner.token)<any>(
      `{ organization(login: "${ORG.toUpperCase()}") { login name description url databaseId id avatarUrl createdAt viewerIsAMember viewerCanAdminister } }`,
    );
    assert.deepEqual(organization, {
      login: rest.login,
      name: rest.name ?? null,
      description: rest.description,
      url: rest.html_url,
      databaseId: rest.id,
      id: rest.node_id,
      avatarUrl: rest.avatar_url,
      createdAt: rest.created_at,
      viewerIsAMember: true,
      viewerCanAdminister: true,
    });
  });

  it('NOT_FOUND for an unknown login, the field null and the rest answered', async () => {
    const { errors, data } = await errorsOf(client(owner.token)('{ viewer { login } organization(login: "no-such-org") { login } }'));
    assert.deepEqual(data, { viewer: { login: owner.login }, organization: null });
    assert.deepEqual(errors, [
      { type: 'NOT_FOUND', path: ['organization'], locations: [{ line: 1, column: 20 }], message: "Could not resolve to an Organization with the login of 'no-such-org'." },
    ]);
    // A login with a NUL in it names nothing (PostgreSQL could not even compare it).
    const nul = await errorsOf(client(owner.token)('query($login: String!) { organization(login: $login) { login } user(login: $login) { login } }', { login: `${ORG}\u0000` }));
    assert.deepEqual(nul.data, { organization: null, user: null });
    assert.deepEqual(nul.errors.map((e) => e.type), ['NOT_FOUND', 'NOT_FOUND']);
  });
});

describe('organization.membersWithRole', () => {
  type Members = { organization: { membersWithRole: Page & { totalCount: number; edges: { cursor: string; role: string | null; node: { login: string } }[]; nodes: { login: string }[] } } };
  const query = `query($org: String!, $first: Int, $after: String, $last: Int, $before: String) {
    organization(login: $org) { membersWithRole(first: $first, after: $after, last: $last, before: $before) {
      totalCount edges { cursor role node { login } } nodes { login } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

  it('pages through every member with cursors, owners ADMIN and members MEMBER, as REST lists them', async () => {
    const gq = client(owner.token, { ghes: true });
    const seen: { login: string; role: string | null }[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Members['organization']['membersWithRole'] = (await gq<Members>(query, { org: ORG, first: 3, after })).organization.membersWithRole;
      pages += 1;
      assert.equal(page.totalCount, MEMBERS.length + 1);
      assert.deepEqual(page.nodes.map((n) => n.login), page.edges.map((e) => e.node.login));
      assert.equal(page.pageInfo.hasPreviousPage, after !== null);
      seen.push(...page.edges.map((e) => ({ login: e.node.login, role: e.role })));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    assert.equal(pages, 3);
    const listed = await owner.octokit.paginate(owner.octokit.rest.orgs.listMembers, { org: ORG, per_page: 100 });
    assert.deepEqual(seen.map((m) => m.login), listed.map((u) => u.login));
    assert.deepEqual(seen.map((m) => m.role), [owner.login, ...MEMBERS].map((login) => (login === owner.login ? 'ADMIN' : 'MEMBER')));
    // Backwards from the end: the last page, then the one before it.
    const tail = (await gq<Members>(query, { org: ORG, last: 3 })).organization.membersWithRole;
    assert.deepEqual(tail.nodes.map((n) => n.login), MEMBERS.slice(-3));
    assert.deepEqual([tail.pageInfo.hasNextPage, tail.pageInfo.hasPreviousPage], [false, true]);
    const previous = (await gq<Members>(query, { org: ORG, last: 3, before: tail.pageInfo.startCursor })).organization.membersWithRole;
    assert.deepEqual(previous.nodes.map((n) => n.login), MEMBERS.slice(-6, -3));
  });

  it('outside the org: only the public members, without their roles', async () => {
    const outsider = await t.createUser('gq-outsider', { scopes: ['read:org'] });
    const page = (await client(outsider.token)<Members>(query, { org: ORG, first: 10 })).organization.membersWithRole;
    assert.equal(page.totalCount, 2);
    assert.deepEqual(page.edges.map((e) => [e.node.login, e.role]), [[MEMBERS[0], null], [MEMBERS[1], null]]);
  });

  it('needs read:org (admin:org and write:org imply it): INSUFFICIENT_SCOPES otherwise', async () => {
    const token = await tokenFor(t, owner.login, ['user']);
    const { errors, data } = await errorsOf(client(token)(query, { org: ORG, first: 1 }));
    assert.equal(data, null);
    assert.equal(errors[0].type, 'INSUFFICIENT_SCOPES');
    assert.match(errors[0].message, /The 'membersWithRole' field requires one of the following scopes: \['read:org'\], but your token has only been granted the: \['user'\] scopes\. Please modify your token's scopes at: http:\/\/127\.0\.0\.1:\d+\/settings\/tokens\./);
    const admin = await tokenFor(t, owner.login, ['admin:org']);
    assert.equal((await client(admin)<Members>(query, { org: ORG, first: 1 })).organization.membersWithRole.totalCount, MEMBERS.length + 1);
  });

  it('INVALID_CURSOR_ARGUMENTS for a cursor orghub did not give', async () => {
    const { errors } = await errorsOf(client(owner.token)(query, { org: ORG, first: 1, after: 'bm90LWEtY3Vyc29y' }));
    assert.deepEqual(errors.map((e) => [e.type, e.path, e.message]), [
      ['INVALID_CURSOR_ARGUMENTS', ['organization', 'membersWithRole'], '`bm90LWEtY3Vyc29y` does not appear to be a valid cursor.'],
    ]);
  });
});

describe('rateLimit', () => {
  it('the caller\'s graphql window, charged per query; the X-RateLimit-* headers name the graphql resource and core is untouched', async () => {
    const user = await t.createUser('gq-rate', { scopes: ['read:org'] });
    const coreBefore = (await user.octokit.rest.rateLimit.get()).data.resources.core.used;
    const response = await post('/graphql', { query: '{ rateLimit { limit cost remaining used resetAt nodeCount } }' }, user.token);
    const first = response.body.data.rateLimit;
    assert.deepEqual([first.limit, first.cost, first.used, first.remaining, first.nodeCount], [5000, 1, 1, 4999, 0]);
    const headers = rateHeaders(response.headers);
    assert.deepEqual(headers, { limit: 5000, remaining: 4999, used: 1, reset: Date.parse(first.resetAt) / 1000, resource: 'graphql' });
    const second = (await client(user.token)<any>('{ rateLimit { used remaining resetAt } }')).rateLimit;
    assert.deepEqual(second, { used: 2, remaining: 4998, resetAt: first.resetAt });
    const { data } = await user.octokit.rest.rateLimit.get();
    assert.deepEqual(data.resources.graphql, { limit: 5000, used: 2, remaining: 4998, reset: headers.reset });
    assert.equal(data.resources.core.used, coreBefore, 'GraphQL queries do not count against core');
  });

  it('cost and nodeCount as GitHub computes them: requests per connection over 100, rounded, at least 1', async () => {
    const user = await t.createUser('gq-cost', { scopes: ['read:org'] });
    // 1 + 100 + 100×100 requests = 10,101 → 101 points; 100 + 100×100 + 100×100×1 = 20,100 nodes.
    const query = `{ viewer { organizations(first: 100) { nodes { membersWithRole(first: 100) { nodes { organizations(first: 1) { totalCount } } } } } }
      rateLimit { cost nodeCount used } }`;
    assert.deepEqual((await client(user.token)<any>(query)).rateLimit, { cost: 101, nodeCount: 20_100, used: 101 });
    const dry = (await client(user.token)<any>('{ rateLimit(dryRun: true) { cost used } viewer { login } }'));
    assert.deepEqual(dry, { rateLimit: { cost: 1, used: 101 }, viewer: { login: user.login } });
  });

  it('more than 500,000 possible nodes: MAX_NODE_LIMIT_EXCEEDED, nothing run', async () => {
    const query = '{ viewer { organizations(first: 100) { nodes { membersWithRole(first: 100) { nodes { organizations(first: 100) { totalCount } } } } } } }';
    const { errors } = await errorsOf(client(owner.token)(query));
    assert.deepEqual(errors.map((e) => [e.type, e.message]), [
      ['MAX_NODE_LIMIT_EXCEEDED', 'This query requests up to 1,010,100 possible nodes which exceeds the maximum limit of 500,000.'],
    ]);
  });

  it('over the limit: RATE_LIMITED, still a 200, and the query does not run', async () => {
    const limited = await startTestServer({ rateLimit: { authenticated: 3 } });
    try {
      const gq = graphql.defaults({ baseUrl: limited.url, headers: { authorization: `token ${limited.admin.token}` } });
      for (let i = 0; i < 3; i++) await gq('{ viewer { login } }');
      const response = await fetch(`${limited.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `token ${limited.admin.token}` },
        body: JSON.stringify({ query: '{ viewer { login } }' }),
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { errors: [{ type: 'RATE_LIMITED', message: `API rate limit exceeded for user ID ${limited.admin.id}.` }] });
      assert.deepEqual([rateHeaders(response.headers).remaining, rateHeaders(response.headers).resource], [0, 'graphql']);
    } finally {
      await limited.close();
    }
  });
});

describe('what orghub does not serve, and bad queries', () => {
  it('a field of GitHub\'s schema orghub does not serve: UNSUPPORTED_FIELD naming it, and nothing runs', async () => {
    const { errors, data } = await errorsOf(client(owner.token)('{ viewer { login repositories(first: 1) { totalCount } } }'));
    assert.equal(data, undefined);
    assert.deepEqual(errors, [
      {
        type: 'UNSUPPORTED_FIELD',
        path: ['query', 'viewer', 'repositories'],
        extensions: { typeName: 'User', fieldName: 'repositories' },
        locations: [{ line: 1, column: 18 }],
        message: "Field 'repositories' on type 'User' is not supported by orghub",
      },
    ]);
    const mutation = await errorsOf(client(owner.token)('mutation { addStar(input: { starrableId: "x" }) { clientMutationId } }'));
    assert.equal(mutation.errors[0].message, "Field 'addStar' on type 'Mutation' is not supported by orghub");
  });

  it('an argument orghub does not read: UNSUPPORTED_ARGUMENT naming it', async () => {
    const { errors } = await errorsOf(client(owner.token)('{ viewer { organizations(first: 1, orderBy: { field: LOGIN, direction: ASC }) { totalCount } } }'));
    assert.deepEqual(errors.map((e) => [e.type, e.path, e.message]), [
      ['UNSUPPORTED_ARGUMENT', ['query', 'viewer', 'organizations', 'orderBy'], "Argument 'orderBy' on field 'User.organizations' is not supported by orghub"],
    ]);
  });

  it('a field GitHub\'s schema lacks: GitHub\'s undefinedField', async () => {
    const { errors } = await errorsOf(client(owner.token)('query Mine { viewer { nickname } }'));
    assert.deepEqual(errors, [
      {
        path: ['query Mine', 'viewer', 'nickname'],
        extensions: { code: 'undefinedField', typeName: 'User', fieldName: 'nickname' },
        locations: [{ line: 1, column: 23 }],
        message: "Field 'nickname' doesn't exist on type 'User'",
      },
    ]);
  });

  it('a syntax error: its message and location', async () => {
    const { errors } = await errorsOf(client(owner.token)('{ viewer { login }'));
    assert.deepEqual(errors, [{ locations: [{ line: 1, column: 19 }], message: 'Syntax Error: Expected Name, found <EOF>.' }]);
  });

  it('introspection, fragments on interfaces and __typename are answered', async () => {
    const data = await client(owner.token)<any>(`{ __typename __type(name: "RateLimit") { name }
      viewer { ...actor ... on Node { id } } } fragment actor on Actor { login resourcePath }`);
    assert.deepEqual(data, { __typename: 'Query', __type: { name: 'RateLimit' }, viewer: { login: owner.login, resourcePath: `/${owner.login}`, id: (await owner.octokit.rest.users.getAuthenticated()).data.node_id } });
  });

  it('no token: 401 "This endpoint requires you to be authenticated."; a bad one: 401 Bad credentials', async () => {
    for (const path of ['/graphql', '/api/graphql']) {
      const anonymous = await post(path, { query: '{ viewer { login } }' });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(anonymous.body, {
        message: 'This endpoint requires you to be authenticated.',
        documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
        status: '401',
      });
    }
    await assert.rejects(client('ghp_notAToken')('{ viewer { login } }'), (error: any) => error.status === 401 && error.response.data.message === 'Bad credentials');
  });

  it('a body without a query string, or unparsable JSON', async () => {
    for (const body of [{}, { query: 42 }, { query: '' }, []]) {
      const response = await post('/graphql', body, owner.token);
      assert.deepEqual([response.status, response.body], [200, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] }]);
    }
    const broken = await post('/graphql', '{"query":', owner.token);
    assert.deepEqual([broken.status, broken.body.message, broken.body.documentation_url], [400, 'Problems parsing JSON', 'https://docs.github.com/graphql']);
  });

  it('a document of more than 20,000 tokens, or nested thousands of levels deep, is not parsed', async () => {
    const { errors } = await errorsOf(client(owner.token)(`{ viewer { ${'login '.repeat(20_001)} } }`));
    assert.match(errors[0].message, /^Syntax Error: Document contains more tha[nt] 20000 tokens\. Parsing aborted\.$/);
    const deep = await errorsOf(client(owner.token)(`{ ${'viewer { '.repeat(9_000)}login${' }'.repeat(9_001)}`));
    assert.deepEqual(deep.errors, [{ message: 'The query is nested too deeply to be parsed.' }]);
  });
});
