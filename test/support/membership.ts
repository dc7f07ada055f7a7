import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import formatsModule from 'ajv-formats';
import type { Octokit } from '@octokit/rest';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { componentSchema } from '../../src/http/openapi.js';
import { startTestServer, type TestServer, type TestUser } from './server.js';

const Ajv = AjvModule.default;
const addFormats = formatsModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/**
 * Checks a body against a schema of the contract's components (`organization-custom-repository-role` …): for answers of
 * operations GitHub serves that the shared description leaves out, which the test client cannot check itself.
 */
export function assertSchema(schema: string, body: unknown): void {
  const validate = ajv.compile(componentSchema(schema));
  assert.ok(validate(body), `does not match ${schema}: ${ajv.errorsText(validate.errors)}`);
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

/** What the store holds for an org's memberships and invitations, read straight from the tables. */
export async function membershipFacts(db: Kysely<Database>, orgId: number) {
  const count = async (query: Promise<{ n: unknown }>) => Number((await query).n);
  const memberships = db.selectFrom('memberships').where('org_id', '=', orgId);
  const invitations = db.selectFrom('invitations').where('org_id', '=', orgId);
  const counters = Object.fromEntries(
    (await db.selectFrom('org_counters').select(['name', 'value']).where('org_id', '=', orgId).execute()).map((r) => [r.name, Number(r.value)]),
  );
  return {
    counters,
    members: await count(memberships.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'active').where('role', '!=', 'billing_manager').executeTakeFirstOrThrow()),
    admins: await count(memberships.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'active').where('role', '=', 'admin').executeTakeFirstOrThrow()),
    publicMembers: await count(
      memberships.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'active').where('role', '!=', 'billing_manager').where('public', '=', 1).executeTakeFirstOrThrow(),
    ),
    pendingInvitations: await count(invitations.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow()),
    failedInvitations: await count(invitations.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'failed').executeTakeFirstOrThrow()),
    duplicateMemberships: await db
      .selectFrom('memberships')
      .select(['user_id', (eb) => eb.fn.countAll().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('user_id')
      .having(sql`count(*)`, '>', 1)
      .execute(),
    duplicatePendingInvitations: await db
      .selectFrom('invitations')
      .select(['invitee_id', (eb) => eb.fn.countAll().as('n')])
      .where('org_id', '=', orgId)
      .where('state', '=', 'pending')
      .groupBy('invitee_id')
      .having(sql`count(*)`, '>', 1)
      .execute(),
    pendingRows: (await memberships.select('user_id').where('state', '=', 'pending').execute()).map((r) => r.user_id).sort((a, b) => a - b),
    activeRows: (await memberships.select('user_id').where('state', '=', 'active').execute()).map((r) => r.user_id),
    adminRows: (await memberships.select('user_id').where('state', '=', 'active').where('role', '=', 'admin').execute()).map((r) => r.user_id),
    pendingInvitees: (await invitations.select('invitee_id').where('state', '=', 'pending').execute()).map((r) => r.invitee_id!).sort((a, b) => a - b),
  };
}

export type MembershipFacts = Awaited<ReturnType<typeof membershipFacts>>;

/** The invariants every committed state of an org keeps, however its changes interleaved. */
export function assertConsistentMembership(facts: MembershipFacts): void {
  assert.deepEqual(facts.duplicateMemberships, [], 'one membership record per user');
  assert.deepEqual(facts.duplicatePendingInvitations, [], 'one pending invitation per user');
  assert.ok(facts.admins >= 1, 'the org keeps an owner');
  assert.equal(facts.counters.members ?? 0, facts.members);
  assert.equal(facts.counters.admins ?? 0, facts.admins);
  assert.equal(facts.counters.public_members ?? 0, facts.publicMembers);
  assert.equal(facts.counters.pending_invitations ?? 0, facts.pendingInvitations);
  assert.equal(facts.counters.failed_invitations ?? 0, facts.failedInvitations);
  assert.deepEqual(facts.pendingRows, facts.pendingInvitees, 'every pending membership is the pending side of one invitation');
  const active = new Set(facts.activeRows);
  assert.ok(facts.pendingInvitees.every((id) => !active.has(id)), 'no active member is still invited');
}

/** The API agrees with the tables: an owner among `people` (as seen through `octokitOf`) lists as many members and invitations. */
export async function assertListsAgree(facts: MembershipFacts, org: string, people: TestUser[], octokitOf: (user: TestUser) => Octokit = (user) => user.octokit): Promise<void> {
  const survivor = people.find((u) => facts.adminRows.includes(u.id));
  assert.ok(survivor, 'an owner among the people of the test');
  const octokit = octokitOf(survivor);
  const listed = await octokit.paginate(octokit.rest.orgs.listMembers, { org, per_page: 100 });
  assert.equal(listed.length, facts.members);
  const pending = await octokit.paginate(octokit.rest.orgs.listPendingInvitations, { org, per_page: 100 });
  assert.equal(pending.length, facts.pendingInvitations);
}
