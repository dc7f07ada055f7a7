import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, auditEvents, rejectsWith } from './support/foundation.js';
import { addMember, assertSchema } from './support/membership.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;
let owner: TestUser;
let member: TestUser;
let orgLogin: string;
let orgId: number;

const createRole = (caller: TestUser, body: Record<string, unknown>, org = orgLogin) =>
  caller.octokit.request('POST /orgs/{org}/custom-repository-roles', { org, ...body });
const listRoles = (caller: TestUser, organizationId: number | string = orgId) =>
  caller.octokit.request('GET /organizations/{organization_id}/custom_roles', { organization_id: String(organizationId) });

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('role-owner');
  member = await t.createUser('role-member');
  ({ login: orgLogin, id: orgId } = await t.createOrg('roles-org', owner.login));
  await addMember(owner, orgLogin, member);
});
after(() => t.close());

describe('POST /orgs/{org}/custom-repository-roles (orgs/create-custom-repo-role)', () => {
  it('201 organization-custom-repository-role; role.create recorded', async () => {
    const { data, status } = await createRole(owner, {
      name: 'Triage Plus',
      description: 'Triage and labels',
      base_role: 'triage',
      permissions: ['add_label', 'close_issue', 'add_label'],
    });
    assert.equal(status, 201);
    assertSchema('organization-custom-repository-role', data);
    assert.deepEqual([data.name, data.description, data.base_role, data.permissions], ['Triage Plus', 'Triage and labels', 'triage', ['add_label', 'close_issue']]);
    assert.equal(data.organization.login, orgLogin);
    assert.equal(data.organization.type, 'Organization');
    assert.equal((await auditEvents(t, { action: 'role.create', org: orgLogin })).length, 1);
    const { data: bare } = await createRole(owner, { name: 'Bare', base_role: 'read', permissions: [] });
    assert.equal(bare.description, null);
  });

  it('422 for a taken name (any case), a base role outside read|triage|write|maintain, unknown permissions, missing fields', async () => {
    await createRole(owner, { name: 'Unique', base_role: 'write', permissions: [] });
    const taken = await rejectsWith(422, () => createRole(owner, { name: 'UNIQUE', base_role: 'write', permissions: [] }));
    assert.equal(taken.response?.data.message, 'Name has already been taken');
    await rejectsWith(422, () => createRole(owner, { name: 'Admin-ish', base_role: 'admin', permissions: [] }));
    const one = await rejectsWith(422, () => createRole(owner, { name: 'Bad', base_role: 'read', permissions: ['fly'] }));
    assert.equal(one.response?.data.message, 'Invalid permission: `fly`.');
    const two = await rejectsWith(422, () => createRole(owner, { name: 'Bad', base_role: 'read', permissions: ['fly', 'swim'] }));
    assert.equal(two.response?.data.message, 'Invalid permissions: `fly`, `swim`.');
    await rejectsWith(422, () => createRole(owner, { name: 'Partial', base_role: 'read' }));
  });

  it('404 for members, 401 anonymously, 403 without admin:org', async () => {
    await rejectsWith(404, () => createRole(member, { name: 'Mine', base_role: 'read', permissions: [] }));
    await rejectsWith(401, () => t.octokit().request('POST /orgs/{org}/custom-repository-roles', { org: orgLogin, name: 'X', base_role: 'read', permissions: [] }));
    const limited = await t.createUser('role-limited', { scopes: ['read:org', 'repo'] });
    await addMembership(t, orgLogin, limited.login, { role: 'admin' });
    await rejectsWith(403, () => createRole(limited, { name: 'Scoped', base_role: 'read', permissions: [] }));
  });
});

describe('GET /organizations/{organization_id}/custom_roles (orgs/list-custom-roles)', () => {
  it('{total_count, custom_roles} for owners', async () => {
    const data = (await listRoles(owner)).data as { total_count: number; custom_roles: { id: number; name: string }[] };
    assert.equal(data.total_count, data.custom_roles.length);
    assert.ok(data.custom_roles.some((role) => role.name === 'Triage Plus'));
    assert.deepEqual(data.custom_roles.map((r) => r.id), [...data.custom_roles.map((r) => r.id)].sort((a, b) => a - b));
  });

  it('an org without roles lists none', async () => {
    const { id } = await t.createOrg('roles-empty', owner.login);
    assert.deepEqual((await listRoles(owner, id)).data, { total_count: 0, custom_roles: [] });
  });

  it('404 for members, for an unknown or non-organization id, and under API version 2026-03-10', async () => {
    await rejectsWith(404, () => listRoles(member));
    await rejectsWith(404, () => listRoles(owner, 999999));
    await rejectsWith(404, () => listRoles(owner, owner.id));
    await rejectsWith(404, () => listRoles(owner, 'abc'));
    await rejectsWith(404, () =>
      t.octokit(owner.token, { version: '2026-03-10' }).request('GET /organizations/{organization_id}/custom_roles', { organization_id: String(orgId) }),
    );
  });
});
