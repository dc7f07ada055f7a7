/**
 * Sweeps over every registered operation, built from the operations table and each operation's described schemas
 * (the Operation's own for operations outside the description): an operation added to src/app.ts is swept by every
 * sweep without touching them. A sweep sends bad requests and checks each answer is a 4xx in GitHub's error shape,
 * that nothing was written, and that the server still answers.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { installApp, registerApp, signJwt } from './apps.js';
import { operations } from '../../src/app.js';
import type { Database } from '../../src/db/schema.js';
import { describeOperation, openapiDocument } from '../../src/http/openapi.js';
import type { Operation } from '../../src/http/operation.js';
import type { ConfigInput } from '../../src/index.js';
import { addMember, block, invite } from './membership.js';
import { seedRepositoryWithAlerts } from './alert-rows.js';
import { isoSeconds } from '../../src/clock.js';
import { SECURITY_MANAGER_ROLE_ID } from '../../src/organization-roles/roles.js';
import { startTestServer, type RawResponse, type TestServer } from './server.js';
import { encodeSarif, syntheticSarif } from './sarif.js';
import { waitForAttempts, waitUntil } from './webhooks.js';

export type Schema = Record<string, any>;

/** One operation as a sweep sees it. */
export interface Target {
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
export interface BadRequest {
  label: string;
  /** Path parameters replaced by bad values. */
  params?: Record<string, string>;
  /** A query string (without `?`). */
  query?: string;
  body?: unknown;
  /** Sent as is with `Content-Type: application/json`. */
  rawBody?: string;
  /** Undefined: any answer below 500 (e.g. a huge `page` may well be an empty 200 list). */
  statuses?: number[];
  /** The exact `message` expected. */
  message?: string;
}

// 403/404: the route decides who may act before it reads what was sent, as GitHub does.
export const REJECTED = [400, 403, 404, 422];
const PROBE = 'bad-input-probe';

export const targets: Target[] = operations.map(targetOf);

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

/** Every method but GET reads a body (the parser runs whether or not the operation describes one). */
export const hasBody = (target: Target) => target.method !== 'GET';

/** A value of the schema's type. */
export function plausibleValue(schema: Schema): unknown {
  if (schema.enum) return schema.enum[0];
  return ({ integer: 1, number: 1, boolean: false, array: [], object: {} } as Record<string, unknown>)[typeOf(schema) ?? 'string'] ?? PROBE;
}

/** A body of plausible values for the schema's required fields. */
function requiredFields(schema: Schema): Record<string, unknown> {
  return Object.fromEntries((schema.required ?? []).map((name: string) => [name, plausibleValue(schema.properties?.[name] ?? {})]));
}

export function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
}

// ---- the server and its people -----------------------------------------------------------------

/** Rows of every table (`rate_limits` only counted: each request, rejected or not, is counted in it). */
const TABLES: Record<keyof Database, 'rows' | 'count'> = {
  accounts: 'rows',
  tokens: 'rows',
  memberships: 'rows',
  audit_events: 'rows',
  credential_authorizations: 'rows',
  rate_limits: 'count',
  invitations: 'rows',
  teams: 'rows',
  team_members: 'rows',
  blocks: 'rows',
  outside_collaborators: 'rows',
  custom_roles: 'rows',
  org_counters: 'rows',
  hooks: 'rows',
  hook_deliveries: 'rows',
  hook_payloads: 'rows',
  repositories: 'rows',
  code_scanning_sarif_uploads: 'rows',
  code_scanning_alerts: 'rows',
  code_scanning_alert_assignees: 'rows',
  org_role_users: 'rows',
  caller_generation: 'rows',
  org_role_teams: 'rows',
  campaigns: 'rows',
  campaign_managers: 'rows',
  campaign_team_managers: 'rows',
  campaign_alerts: 'rows',
  apps: 'rows',
  installations: 'rows',
  installation_repositories: 'rows',
  installation_tokens: 'rows',
};

/** Internal failure text (stack overflows, SQL drivers, Fastify's own error codes, file positions) no answer may show. */
const INTERNAL_TEXT = /call stack|sqlite|\bSQL\b|bind message|FST_ERR|node_modules|\.[jt]s:\d+/i;

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
  if (INTERNAL_TEXT.test(response.text)) return 'internal error text in the answer';
  return undefined;
}

/** A server with an org (owner, member, team, invitation, blocked user, custom role) for sweeps to call. */
export interface SweepServer {
  t: TestServer;
  /** `path` with real values for every parameter, or the given bad ones. */
  fill(path: string, override?: Record<string, string>): string;
  /** Site-admin operations are called as the site admin, app-JWT operations as the org's installed app, everything else as the org's owner. */
  tokenFor(target: Target): string;
  /** Every row of every table (rate-limit rows counted), flushed first. */
  snapshot(): Promise<Record<string, unknown>>;
  /** Sends every case to the operation; fails listing each bad answer, if the database changed, or if the server stopped answering. */
  sweep(target: Target, cases: BadRequest[]): Promise<number[]>;
}

/**
 * The credential authorization of `token` for `org`: made under SAML SSO enforcement by the token's first use there,
 * then enforcement is lifted again (the authorization stays), so no sweep request authorizes or refuses anything.
 */
async function authorizeCredential(t: TestServer, org: string, token: string): Promise<number> {
  const saml = (enforced: boolean) => t.request('PATCH', `/admin/organizations/${org}/saml`, { token: t.admin.token, body: { enforced } });
  assert.equal((await saml(true)).status, 200);
  const listed = await t.request('GET', `/orgs/${org}/credential-authorizations`, { token });
  assert.equal(listed.status, 200, listed.text);
  assert.equal((await saml(false)).status, 200);
  await t.server.ctx.saml.flush();
  return listed.body[0].credential_id;
}

async function startSweepServer(config: ConfigInput): Promise<SweepServer> {
  // Thousands of requests from one token: the primary rate limit is not what sweeps are about.
  const t = await startTestServer({ rateLimit: { authenticated: 1_000_000 }, ...config });
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
  // Subscribed to `push` only, which nothing here makes: its creation ping is its one delivery, attempted (to a closed
  // port) before any sweep compares the database.
  const { data: hook } = await owner.octokit.rest.orgs.createWebhook({ org: org.login, name: 'web', config: { url: 'http://127.0.0.1:1/sweep' }, events: ['push'] });
  const [delivery] = await waitForAttempts(t, hook.id, 1);
  const credential = await authorizeCredential(t, org.login, owner.token);
  const campaignRepository = await seedRepositoryWithAlerts(t.server.ctx.db, org.id, 'sweep-campaign-repo', 1, isoSeconds(t.clock.now()));
  const { data: campaign } = await owner.octokit.rest.campaigns.createCampaign({
    org: org.login,
    name: 'Sweep campaign',
    description: 'Its number is a real {campaign_number}',
    ends_at: isoSeconds(new Date(t.clock.now().getTime() + 30 * 24 * 3600 * 1000)),
    code_scanning_alerts: [{ repository_id: campaignRepository, alert_numbers: [1] }],
  });
  // A processed SARIF upload of the campaign's repository, for `{sarif_id}` (complete before any sweep compares the database).
  const sarif = await owner.octokit.rest.codeScanning.uploadSarif({
    owner: org.login, repo: 'sweep-campaign-repo', commit_sha: 'a'.repeat(40), ref: 'refs/heads/main', sarif: encodeSarif(syntheticSarif(1)),
  });
  await waitUntil(async () => {
    const { data } = await owner.octokit.rest.codeScanning.getSarif({ owner: org.login, repo: 'sweep-campaign-repo', sarif_id: sarif.data.id! });
    return data.processing_status === 'complete';
  }, 'the sweep SARIF upload processed');
  // An app installed on the org (no hook: nothing to deliver), for `{app_slug}` and `{installation_id}`.
  const app = await registerApp(t, org.login, { name: 'Sweep App' });
  const installationId = await installApp(t, app, org.login);
  // The server's clock stands still in sweeps: a JWT made now stays valid throughout.
  const now = Math.floor(t.clock.now().getTime() / 1000);
  const appJwt = await signJwt(app.pem, { iss: app.id, iat: now - 30, exp: now + 540 });
  const jwtOnly = new Set(operations.filter((op) => op.appJwt === 'only').map((op) => op.operationId));
  // Its first request gives the app its rate-limit row, before any sweep compares the database.
  assert.equal((await t.request('GET', '/app', { token: appJwt })).status, 200);
  /** Real values for every path parameter, so only the bad part of a request is bad. */
  const pathValues: Record<string, string> = {
    org: org.login,
    username: member.login,
    team_slug: team.slug,
    invitation_id: String(invitation.id),
    organization_id: String(org.id),
    hook_id: String(hook.id),
    delivery_id: String(delivery.id),
    credential_id: String(credential),
    role_id: String(SECURITY_MANAGER_ROLE_ID),
    campaign_number: String(campaign.number),
    owner: org.login,
    repo: 'sweep-campaign-repo',
    alert_number: '1',
    sarif_id: sarif.data.id!,
    app_slug: app.slug,
    installation_id: String(installationId),
  };

  const server: SweepServer = {
    t,
    fill: (path, override = {}) =>
      path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = override[name] ?? pathValues[name];
        if (value === undefined) throw new Error(`sweep: add a real value for path parameter {${name}}`);
        return value;
      }),
    tokenFor: (target) => (jwtOnly.has(target.id) ? appJwt : target.path.startsWith('/admin/') ? t.admin.token : owner.token),
    async snapshot() {
      const { db, rateLimiter } = t.server.ctx;
      await rateLimiter.flush();
      const out: Record<string, unknown> = {};
      for (const [table, kind] of Object.entries(TABLES) as [keyof Database, 'rows' | 'count'][]) {
        const rows = await db.selectFrom(table).selectAll().execute();
        out[table] = kind === 'count' ? rows.length : rows.map((row) => JSON.stringify(row)).sort();
      }
      return out;
    },
    async sweep(target, cases) {
      const problems: string[] = [];
      const statuses: number[] = [];
      const before = await server.snapshot();
      for (const bad of cases) {
        const path = server.fill(target.path, bad.params) + (bad.query ? `?${bad.query}` : '');
        const headers = bad.rawBody === undefined ? undefined : { 'content-type': 'application/json' };
        const response = await t.request(target.method, path, { token: server.tokenFor(target), body: bad.body, rawBody: bad.rawBody, headers });
        statuses.push(response.status);
        const problem = problemWith(response, bad);
        if (problem) problems.push(`${bad.label} → ${response.status} ${response.text.slice(0, 200)}: ${problem}`);
      }
      assert.deepEqual(problems, [], `${target.method} ${target.path}`);
      assert.deepEqual(await server.snapshot(), before, `${target.method} ${target.path}: rejected requests changed the database`);
      const alive = await t.request('GET', `/orgs/${org.login}`, { token: owner.token });
      assert.equal(alive.status, 200, `${target.method} ${target.path}: the server no longer answers: ${alive.text.slice(0, 200)}`);
      return statuses;
    },
  };
  return server;
}

/**
 * Starts a sweep server for the calling test file (before its tests, stopped after them) and returns the means to
 * sweep every operation; `name` heads the count of bad requests printed at the end.
 */
export function sweepSuite(name: string, config: ConfigInput = {}) {
  let server: SweepServer;
  let requestCount = 0;
  before(async () => {
    server = await startSweepServer(config);
  });
  after(async () => {
    console.log(`# ${name}: ${requestCount} bad requests over ${targets.length} operations`);
    await server.t.close();
  });
  return {
    get server() {
      return server;
    },
    /** One `it` per operation that the concern has cases for; `expectSome`: a status at least one case must get. */
    sweepEach(concern: string, casesOf: (target: Target) => BadRequest[], expectSome?: number): void {
      for (const target of targets) {
        const cases = casesOf(target);
        if (!cases.length) continue;
        it(`${target.id}: ${concern}`, async () => {
          requestCount += cases.length;
          const statuses = await server.sweep(target, cases);
          if (expectSome) assert.ok(statuses.includes(expectSome), `the caller never got past the permission checks: ${statuses.join(' ')}`);
        });
      }
    },
  };
}
