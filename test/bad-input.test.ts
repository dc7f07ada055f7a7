/**
 * A sweep over every registered operation: bad input always gets GitHub's error shape (`message`,
 * `documentation_url`, and `errors` for 422), never a 5xx, and never a half-written change.
 * Cases come from each operation's described schemas (the Operation's own for operations outside the
 * description), so an operation added to src/app.ts is swept without touching this file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operations } from '../src/app.js';
import type { Database } from '../src/db/schema.js';
import { describeOperation, openapiDocument } from '../src/http/openapi.js';
import type { Operation } from '../src/http/operation.js';
import { addMember, block, invite } from './support/membership.js';
import { startTestServer, type RawResponse, type TestServer } from './support/server.js';

type Schema = Record<string, any>;

/** One operation as the sweep sees it. */
interface Target {
  id: string;
  method: string;
  path: string;
  body?: Schema;
  query?: Schema;
  /** The body the description shows (or one made of the required fields): bad fields are put into it. */
  example?: Record<string, unknown>;
  /** The description's own examples send `null` as the whole body (meaning "no body"). */
  nullBodyDescribed: boolean;
  integerParams: Set<string>;
}

/** One bad request and the statuses that may answer it (a 5xx never may). */
interface BadRequest {
  label: string;
  /** Path parameters replaced by bad values. */
  params?: Record<string, string>;
  /** A query string (without `?`). */
  query?: string;
  body?: unknown;
  rawBody?: string;
  /** Undefined: any answer below 500 (e.g. a huge `page` may well be an empty 200 list). */
  statuses?: number[];
  /** The exact `message` expected. */
  message?: string;
}

// 403/404: the route decides who may act before it reads what was sent, as GitHub does.
const REJECTED = [400, 403, 404, 422];
// A path naming nothing: 404, or 422/403 where the route answers for the name it was given (not yourself, not a member).
const NOT_FOUND = [403, 404, 422];
const HUGE = '99999999999999999999';
/** One past the largest id PostgreSQL's `integer` holds: a safe JavaScript integer that no store can look up naively. */
const PAST_INT4 = '2147483648';
/** A string no login, name or text column can hold on PostgreSQL. */
const WITH_NUL = 'nul\u0000inside';
const PROBE = 'bad-input-probe';

const targets: Target[] = operations.map(targetOf);

function targetOf(op: Operation): Target {
  const described = describeOperation(op.operationId);
  const method = (op.method ?? described?.method)!;
  const path = (op.path ?? described?.path)!;
  const raw = openapiDocument.paths[path]?.[method.toLowerCase()];
  // The description's body is the contract even where a route checks it in its service (its own schema is looser).
  const body: Schema | undefined = described?.body ?? op.body;
  const examples = Object.values<Schema>(raw?.requestBody?.content?.['application/json']?.examples ?? {}).map((e) => e.value);
  const example = examples.find((v) => v && typeof v === 'object') ?? (body ? requiredFields(body) : undefined);
  return {
    id: op.operationId,
    method,
    path,
    body,
    query: described?.querystring ?? op.querystring,
    example,
    nullBodyDescribed: examples.includes(null),
    integerParams: new Set(
      (raw?.parameters ?? [])
        .map((p: Schema) => (p.$ref ? p.$ref.split('/').slice(1).reduce((n: Schema, k: string) => n[k], openapiDocument) : p))
        .filter((p: Schema) => p.in === 'path' && p.schema?.type === 'integer')
        .map((p: Schema) => p.name)
        .concat([...path.matchAll(/\{(\w+_id)\}/g)].map((m) => m[1])),
    ),
  };
}

/** A body of plausible values for the schema's required fields. */
function requiredFields(schema: Schema): Record<string, unknown> {
  const plausible = (s: Schema): unknown =>
    s.enum ? s.enum[0] : ({ integer: 1, number: 1, boolean: false, array: [], object: {} } as Record<string, unknown>)[typeOf(s) ?? 'string'] ?? PROBE;
  return Object.fromEntries((schema.required ?? []).map((name: string) => [name, plausible(schema.properties?.[name] ?? {})]));
}

function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
}

const nullable = (schema: Schema) => schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null'));

/** Values of the wrong type (or out of range) for one described field. */
function wrongValuesFor(schema: Schema): unknown[] {
  const orNull = nullable(schema) ? [] : [null];
  if (schema.enum) return ['not-a-value', 123, ...orNull];
  switch (typeOf(schema)) {
    case 'string':
      return [123, WITH_NUL, ...orNull];
    case 'integer':
      return ['x', Number(HUGE), Number(PAST_INT4), -1, 1.5, ...orNull];
    case 'number':
      return ['x', ...orNull];
    case 'boolean':
      return ['yes', ...orNull];
    case 'array':
      return [{}, 'x', ...orNull, ...(schema.items ? wrongValuesFor(schema.items).map((item) => [item]) : [])];
    case 'object':
      return ['x', [], ...orNull];
    default:
      return [];
  }
}

// ---- the cases each concern sends ---------------------------------------------------------------

const hasBody = (target: Target) => target.method !== 'GET';

function malformedJson(target: Target): BadRequest[] {
  if (!hasBody(target)) return [];
  return ['{', '{"a":', "{'a': 1}", 'not json', '{"a": 1}}'].map((rawBody) => ({
    label: `body ${rawBody}`,
    rawBody,
    statuses: [400],
    message: 'Problems parsing JSON',
  }));
}

function wrongTopLevel(target: Target): BadRequest[] {
  if (typeOf(target.body ?? {}) !== 'object') return [];
  const values: unknown[] = [[], [target.example ?? {}], 'a string', 42, true, ...(target.nullBodyDescribed ? [] : [null])];
  return values.map((body) => ({ label: `body ${JSON.stringify(body)}`, body, statuses: REJECTED }));
}

/** Each wrong value alone, and within the described example (so checks behind the other fields' are reached too). */
function wrongFields(target: Target): BadRequest[] {
  const properties = Object.entries<Schema>(target.body?.properties ?? {});
  const withExample = Object.keys(target.example ?? {}).length > 0;
  return properties.flatMap(([name, schema]) =>
    wrongValuesFor(schema).flatMap((value) => [
      { label: `${name}: ${JSON.stringify(value)} alone`, body: { [name]: value }, statuses: REJECTED },
      ...(withExample ? [{ label: `${name}: ${JSON.stringify(value)} in the example`, body: { ...target.example, [name]: value }, statuses: REJECTED }] : []),
    ]),
  );
}

function badQueries(target: Target): BadRequest[] {
  const properties = Object.entries<Schema>(target.query?.properties ?? {});
  const refused = [422, 403, 404];
  return properties.flatMap(([name, schema]): BadRequest[] => {
    const query = (value: string, statuses?: number[]) => ({ label: `?${name}=${value}`, query: `${name}=${value}`, statuses });
    if (schema.enum) return [query('not-a-value', refused)];
    if (typeOf(schema) !== 'integer') return [];
    const paging = name === 'page' || name === 'per_page';
    return [query('abc', refused), query('1.5', refused), query('-1', paging ? refused : undefined), query(HUGE), query(`-${HUGE}`)];
  });
}

function badPaths(target: Target): BadRequest[] {
  const params = [...target.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return params.flatMap((param) => {
    const values: [string, string, number[]][] = [
      ['very long', 'a'.repeat(2000), NOT_FOUND],
      ['unicode', encodeURIComponent('ünïcødé-名前-🙂'), NOT_FOUND],
      ['NUL', '%00', NOT_FOUND],
      ['NUL inside', `x%00${param}`, NOT_FOUND],
      ['broken percent-encoding', '%E0%A4%A', NOT_FOUND],
      ['out of range', HUGE, NOT_FOUND],
      ['past int4', PAST_INT4, NOT_FOUND],
      ['negative', '-1', NOT_FOUND],
      ['negative out of range', `-${HUGE}`, NOT_FOUND],
      ...(target.integerParams.has(param)
        ? ([['not a number', 'abc', NOT_FOUND], ['fraction', '1.5', NOT_FOUND], ['zero', '0', NOT_FOUND]] as [string, string, number[]][])
        : []),
    ];
    return values.map(([label, value, statuses]) => ({ label: `{${param}} ${label}`, params: { [param]: value }, statuses }));
  });
}

// ---- the server and its people -----------------------------------------------------------------

let t: TestServer;
let ownerToken: string;
/** Real values for every path parameter, so only the bad part of a request is bad. */
const pathValues: Record<string, string> = {};

function fill(path: string, override: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = override[name] ?? pathValues[name];
    if (value === undefined) throw new Error(`bad-input sweep: add a real value for path parameter {${name}}`);
    return value;
  });
}

/** Site-admin operations are called as the site admin, everything else as the org's owner. */
const tokenFor = (target: Target) => (target.path.startsWith('/admin/') ? t.admin.token : ownerToken);

before(async () => {
  // Thousands of requests from one token: the primary rate limit is not what this file is about.
  t = await startTestServer({ rateLimit: { authenticated: 1_000_000 } });
  const owner = await t.createUser('sweep-owner');
  const member = await t.createUser('sweep-member');
  const invitee = await t.createUser('sweep-invitee');
  await t.createUser('sweep-blocked');
  const org = await t.createOrg('sweep-org', owner.login);
  await addMember(owner, org.login, member);
  const { data: team } = await owner.octokit.rest.teams.create({ org: org.login, name: 'Sweep Team' });
  const invitation = await invite(owner, org.login, invitee, { team_ids: [team.id] });
  await block(t, owner, org.login, 'sweep-blocked');
  const role = await t.request('POST', `/orgs/${org.login}/custom-repository-roles`, {
    token: owner.token,
    body: { name: 'sweep-role', base_role: 'read', permissions: [] },
  });
  assert.equal(role.status, 201, role.text);
  ownerToken = owner.token;
  Object.assign(pathValues, {
    org: org.login,
    username: member.login,
    team_slug: team.slug,
    invitation_id: String(invitation.id),
    organization_id: String(org.id),
  });
});
after(() => t.close());

// ---- checks ------------------------------------------------------------------------------------

/** Rows of every table (`rate_limits` only counted: each request, rejected or not, is counted in it). */
const TABLES: Record<keyof Database, 'rows' | 'count'> = {
  accounts: 'rows',
  tokens: 'rows',
  memberships: 'rows',
  audit_events: 'rows',
  rate_limits: 'count',
  invitations: 'rows',
  teams: 'rows',
  team_members: 'rows',
  blocks: 'rows',
  outside_collaborators: 'rows',
  custom_roles: 'rows',
  org_counters: 'rows',
};

async function snapshot(): Promise<Record<string, unknown>> {
  const { db, rateLimiter } = t.server.ctx;
  await rateLimiter.flush();
  const out: Record<string, unknown> = {};
  for (const [table, kind] of Object.entries(TABLES) as [keyof Database, 'rows' | 'count'][]) {
    const rows = await db.selectFrom(table).selectAll().execute();
    out[table] = kind === 'count' ? rows.length : rows.map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

/** What is wrong with one answer to a bad request, or undefined. */
function problemWith(response: RawResponse, bad: BadRequest): string | undefined {
  const { status, body } = response;
  if (status >= 500) return 'a server error';
  if (bad.statuses && !bad.statuses.includes(status)) return `not one of ${bad.statuses.join('/')}`;
  if (status < 400) return undefined;
  if (typeof body?.message !== 'string') return 'no string `message`';
  if (bad.message !== undefined && body.message !== bad.message) return `message is not "${bad.message}"`;
  if (typeof body.documentation_url !== 'string') return 'no string `documentation_url`';
  if (status === 422 && !Array.isArray(body.errors)) return '422 without an `errors` array';
  return undefined;
}

/** Sends every case to the operation; fails listing each bad answer, and if the database changed at all. */
async function sweep(target: Target, cases: BadRequest[]): Promise<number[]> {
  const problems: string[] = [];
  const statuses: number[] = [];
  const before = await snapshot();
  requestCount += cases.length;
  for (const bad of cases) {
    const path = fill(target.path, bad.params) + (bad.query ? `?${bad.query}` : '');
    const headers = bad.rawBody === undefined ? undefined : { 'content-type': 'application/json' };
    const response = await t.request(target.method, path, { token: tokenFor(target), body: bad.body, rawBody: bad.rawBody, headers });
    statuses.push(response.status);
    const problem = problemWith(response, bad);
    if (problem) problems.push(`${bad.label} → ${response.status} ${response.text.slice(0, 200)}: ${problem}`);
  }
  assert.deepEqual(problems, [], `${target.method} ${target.path}`);
  assert.deepEqual(await snapshot(), before, `${target.method} ${target.path}: rejected requests changed the database`);
  return statuses;
}

let requestCount = 0;
after(() => console.log(`# bad-input sweep: ${requestCount} bad requests over ${targets.length} operations`));

/** One `it` per operation that the concern has cases for; `expectSome`: a status at least one case must get. */
function sweepEach(concern: string, casesOf: (target: Target) => BadRequest[], expectSome?: number): void {
  for (const target of targets) {
    const cases = casesOf(target);
    if (!cases.length) continue;
    it(`${target.id}: ${concern}`, async () => {
      const statuses = await sweep(target, cases);
      if (expectSome) assert.ok(statuses.includes(expectSome), `the caller never got past the permission checks: ${statuses.join(' ')}`);
    });
  }
}

describe('malformed JSON bodies → 400 "Problems parsing JSON"', () => {
  sweepEach('400 for every unparsable body, whatever the route', malformedJson);
});

describe('bodies of the wrong top-level type → 4xx', () => {
  sweepEach('array, string, number, boolean and null bodies are refused', wrongTopLevel);
});

describe('fields of the wrong type or out of range → 4xx', () => {
  // The owner (or site admin) may call every operation with a body: a wrong field must be a 422, not only a 404.
  sweepEach('every described field with a wrong value is refused', wrongFields, 422);
});

describe('bad query parameters → 422 (or the route\'s permission answer)', () => {
  sweepEach('non-numeric, negative and unknown enum values are refused; huge numbers are no server error', badQueries);
});

describe('bad path values → 404/422', () => {
  sweepEach('long, unicode, NUL, out-of-range, negative and non-numeric values are refused', badPaths);
});

describe('the sweep covers every operation', () => {
  it('each registered operation gets at least one bad request', () => {
    const uncovered = targets.filter((x) => [malformedJson, wrongTopLevel, wrongFields, badQueries, badPaths].every((f) => f(x).length === 0));
    // GET without parameters, query or body (GET /user, /rate_limit) has nothing to get wrong.
    assert.deepEqual(uncovered.map((x) => x.id).sort(), targets.filter((x) => x.method === 'GET' && !x.query && !x.path.includes('{')).map((x) => x.id).sort());
  });
});
