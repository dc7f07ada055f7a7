import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import formatsModule from 'ajv-formats';
import { componentSchema } from '../../src/http/openapi.js';
import { startTestServer, type TestServer, type TestUser } from './server.js';

const Ajv = AjvModule.default;
const addFormats = formatsModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** GitHub's `team-membership` schema (its description, not in the shared contract). */
export const TEAM_MEMBERSHIP_SCHEMA = {
  type: 'object',
  properties: {
    url: { type: 'string', format: 'uri' },
    role: { type: 'string', enum: ['member', 'maintainer'] },
    state: { type: 'string', enum: ['active', 'pending'] },
  },
  required: ['role', 'state', 'url'],
};

/**
 * Checks a body against a schema of the contract's components (`team-full` …) or a given schema: for answers of
 * operations GitHub serves that the shared description leaves out, which the test client cannot check itself.
 */
export function assertSchema(schema: string | object, body: unknown): void {
  const validate = ajv.compile(typeof schema === 'string' ? componentSchema(schema) : schema);
  assert.ok(validate(body), `does not match ${typeof schema === 'string' ? schema : 'schema'}: ${ajv.errorsText(validate.errors)}`);
}

/** Invites `user` to `org` as `owner` (by id) and returns the invitation. */
export async function invite(owner: TestUser, org: string, user: TestUser, extra: { role?: 'admin' | 'direct_member' | 'billing_manager'; team_ids?: number[] } = {}) {
  const { data } = await owner.octokit.rest.orgs.createInvitation({ org, invitee_id: user.id, ...extra });
  return data;
}

/** Invites `user` and has them accept: they end up an active member. */
export async function addMember(owner: TestUser, org: string, user: TestUser, role: 'admin' | 'direct_member' = 'direct_member') {
  await invite(owner, org, user, { role });
  await user.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
}

/** Blocks `login` from `org` through the blocks API. */
export async function block(t: TestServer, owner: TestUser, org: string, login: string): Promise<void> {
  const response = await t.request('PUT', `/orgs/${org}/blocks/${login}`, { token: owner.token });
  assert.equal(response.status, 204, JSON.stringify(response.body));
}

export const DAY = 24 * 60 * 60 * 1000;

/** A server with an owner, a member and an outsider; `freshOrg` makes an org owned by the owner with the member in it. */
export interface Cast {
  t: TestServer;
  owner: TestUser;
  member: TestUser;
  outsider: TestUser;
  freshOrg(): Promise<string>;
  /** A new user named `<prefix>-<n>`. */
  user(prefix: string, options?: { scopes?: string[]; email?: string }): Promise<TestUser>;
}

export async function startCast(prefix: string): Promise<Cast> {
  const t = await startTestServer();
  const owner = await t.createUser(`${prefix}-owner`);
  const member = await t.createUser(`${prefix}-member`);
  const outsider = await t.createUser(`${prefix}-outsider`);
  let counter = 0;
  return {
    t,
    owner,
    member,
    outsider,
    async freshOrg() {
      const login = `${prefix}-org-${++counter}`;
      await t.createOrg(login, owner.login);
      await addMember(owner, login, member);
      return login;
    },
    user: (name, options = {}) => t.createUser(`${name}-${++counter}`, options),
  };
}
