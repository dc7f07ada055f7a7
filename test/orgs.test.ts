import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMembership, auditEvents, rejectsWith } from './support/foundation.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;

/** Fields of organization-full shown only to owners whose token has read:org or admin:org. */
const PRIVATE_FIELDS = [
  'plan', 'billing_email', 'two_factor_requirement_enabled', 'total_private_repos', 'owned_private_repos', 'private_gists',
  'disk_usage', 'collaborators', 'default_repository_permission', 'members_can_create_repositories',
  'members_allowed_repository_creation_type', 'members_can_create_public_repositories', 'secret_scanning_push_protection_custom_link',
];

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('org-owner', { scopes: ['admin:org'] });
  member = await t.createUser('org-member', { scopes: ['admin:org', 'repo'] });
  outsider = await t.createUser('outsider', { scopes: ['admin:org', 'repo'] });
  await t.createOrg('Acme', 'org-owner');
  await addMembership(t, 'acme', 'org-member', { role: 'member' });
});
after(() => t.close());

async function tokenFor(login: string, scopes: string[]): Promise<string> {
  const response = await t.request('POST', `/admin/users/${login}/authorizations`, { token: t.admin.token, body: { scopes } });
  return response.body.token;
}

describe('GET /organizations (orgs/list)', () => {
  it('lists organizations (not users) in id order, after `since`, anonymously, on both base URLs', async () => {
    const listed = await t.createOrg('listed-org');
    for (const ghes of [false, true]) {
      const { data } = await t.octokit(undefined, { ghes }).rest.orgs.list();
      assert.ok(data.some((o) => o.login === 'Acme') && data.some((o) => o.login === 'listed-org'));
      assert.ok(!data.some((o) => o.login === 'org-owner'), 'users are not listed');
      assert.deepEqual(data.map((o) => o.id), [...data.map((o) => o.id)].sort((a, b) => a - b));
      const { data: after } = await t.octokit(undefined, { ghes }).rest.orgs.list({ since: listed.id - 1 });
      assert.equal(after[0].login, 'listed-org');
      assert.ok(after.every((o) => o.id > listed.id - 1));
    }
  });
});

describe('GET /orgs/{org} (orgs/get)', () => {
  it('the organization, looked up case-insensitively and shown with its own case, on both base URLs (API URLs under the prefix used)', async () => {
    for (const [ghes, org] of [[false, 'acme'], [true, 'ACME']] as const) {
      const { data } = await t.octokit(owner.token, { ghes }).rest.orgs.get({ org });
      assert.equal(data.login, 'Acme');
      assert.equal(data.type, 'Organization');
      assert.equal(data.url, `${t.url}${ghes ? '/api/v3' : ''}/orgs/Acme`);
      assert.equal(data.members_url, `${t.url}${ghes ? '/api/v3' : ''}/orgs/Acme/members{/member}`);
      assert.equal(data.html_url, `${t.url}/Acme`);
    }
  });

  it('404 for an unknown org and for a user login', async () => {
    for (const org of ['no-such-org', 'org-owner']) {
      const response = await t.request('GET', `/orgs/${org}`, { token: t.admin.token });
      assert.equal(response.status, 404);
      assert.equal(response.body.message, 'Not Found');
    }
  });

  it('`plan.filled_seats` counts active members and pending invitations, on a token new to the server and afterwards, and in the PATCH answer', async () => {
    const seated = await t.createOrg('seated-org', 'org-owner');
    await addMembership(t, 'seated-org', 'org-member', { role: 'member' });
    await owner.octokit.rest.orgs.createInvitation({ org: 'seated-org', invitee_id: outsider.id });
    // The owner, the member and the invitation; a fresh token is read with the org, a known one reads the org alone.
    const fresh = await tokenFor('org-owner', ['admin:org']);
    for (let read = 0; read < 2; read++) {
      const { data } = await t.octokit(fresh).rest.orgs.get({ org: seated.login });
      assert.equal(data.plan?.filled_seats, 3, `read ${read}`);
      assert.equal(data.collaborators, 0);
    }
    const { data: patched } = await t.octokit(await tokenFor('org-owner', ['admin:org'])).rest.orgs.update({ org: seated.login, description: 'seats' });
    assert.equal(patched.plan?.filled_seats, 3);
  });

  it('shows the private fields to an owner whose token has admin:org or read:org', async () => {
    for (const scopes of [['admin:org'], ['read:org'], ['write:org']]) {
      const { data } = await t.octokit(await tokenFor('org-owner', scopes)).rest.orgs.get({ org: 'acme' });
      for (const field of PRIVATE_FIELDS) assert.ok(field in data, `${field} with ${scopes}`);
      assert.equal(data.plan?.name, 'free');
      assert.equal(data.two_factor_requirement_enabled, false);
    }
  });

  it('hides the private fields from an owner without read:org, members, outsiders, site admins and anonymous callers', async () => {
    const callers = [
      await tokenFor('org-owner', ['repo', 'user']),
      member.token,
      outsider.token,
      t.admin.token,
      undefined,
    ];
    for (const token of callers) {
      const { data } = await t.octokit(token).rest.orgs.get({ org: 'acme' });
      assert.equal(data.login, 'Acme');
      for (const field of PRIVATE_FIELDS) assert.ok(!(field in data), `${field} hidden`);
    }
  });
});

describe('PATCH /orgs/{org} (orgs/update)', () => {
  it('updates every documented field, on both base URLs, and GET shows the change', async () => {
    await t.createOrg('every-field', 'org-owner');
    t.clock.advance(60_000);
    const body = {
      billing_email: 'billing@example.test',
      company: 'Every Field Co',
      email: 'hello@example.test',
      twitter_username: 'everyfield',
      location: 'Lisbon',
      name: 'Every Field',
      description: 'All the fields',
      has_organization_projects: false,
      has_repository_projects: false,
      default_repository_permission: 'write' as const,
      members_can_create_internal_repositories: false,
      members_can_create_private_repositories: false,
      members_can_create_public_repositories: false,
      members_can_create_pages: false,
      members_can_create_public_pages: false,
      members_can_create_private_pages: false,
      members_can_fork_private_repositories: true,
      web_commit_signoff_required: true,
      blog: 'https://blog.example.test',
      advanced_security_enabled_for_new_repositories: true,
      dependabot_alerts_enabled_for_new_repositories: true,
      dependabot_security_updates_enabled_for_new_repositories: true,
      dependency_graph_enabled_for_new_repositories: true,
      secret_scanning_enabled_for_new_repositories: true,
      secret_scanning_push_protection_enabled_for_new_repositories: true,
      secret_scanning_push_protection_custom_link_enabled: true,
      secret_scanning_push_protection_custom_link: 'https://example.test/push-protection',
      deploy_keys_enabled_for_repositories: false,
    };
    const { data: updated } = await owner.octokit.rest.orgs.update({ org: 'every-field', ...body });
    const { data: fetched } = await t.octokit(owner.token, { ghes: true }).rest.orgs.get({ org: 'every-field' });
    for (const data of [updated, fetched]) {
      for (const [field, value] of Object.entries(body)) assert.deepEqual((data as Record<string, unknown>)[field], value, field);
      assert.equal(data.members_can_create_repositories, false);
      assert.equal(data.members_allowed_repository_creation_type, 'none');
      assert.ok(data.updated_at > data.created_at, 'updated_at advances');
    }
    const { data: ghes } = await t.octokit(owner.token, { ghes: true }).rest.orgs.update({ org: 'EVERY-FIELD', name: 'Via GHES' });
    assert.equal(ghes.name, 'Via GHES');
    assert.equal(ghes.login, 'every-field');
  });

  it('an empty string clears a profile field (null) and the billing email', async () => {
    await t.createOrg('clearing', 'org-owner');
    await owner.octokit.rest.orgs.update({ org: 'clearing', name: 'Named', company: 'Co', billing_email: 'b@example.test' });
    const { data } = await owner.octokit.rest.orgs.update({ org: 'clearing', name: '', company: '', billing_email: '' });
    assert.equal(data.name, null);
    assert.equal(data.company, null);
    assert.equal(data.billing_email, null);
  });

  it('leaves the fields a request does not name unchanged', async () => {
    await t.createOrg('partial', 'org-owner');
    await owner.octokit.rest.orgs.update({ org: 'partial', name: 'Kept', default_repository_permission: 'admin' });
    const { data } = await owner.octokit.rest.orgs.update({ org: 'partial', location: 'Porto' });
    assert.equal(data.name, 'Kept');
    assert.equal(data.default_repository_permission, 'admin');
    assert.equal(data.location, 'Porto');
  });

  it('still honours the deprecated members_allowed_repository_creation_type', async () => {
    await t.createOrg('creation-type', 'org-owner');
    const expected = { all: [true, true, true], private: [false, true, true], none: [false, false, false] } as const;
    for (const [type, [pub, priv, any]] of Object.entries(expected)) {
      const { data } = await owner.octokit.rest.orgs.update({ org: 'creation-type', members_allowed_repository_creation_type: type as 'all' });
      assert.equal(data.members_allowed_repository_creation_type, type);
      assert.equal(data.members_can_create_public_repositories, pub, type);
      assert.equal(data.members_can_create_private_repositories, priv, type);
      assert.equal(data.members_can_create_repositories, any, type);
    }
  });

  it('members_can_create_repositories switches public and private creation together', async () => {
    await t.createOrg('can-create', 'org-owner');
    const { data: off } = await owner.octokit.rest.orgs.update({ org: 'can-create', members_can_create_repositories: false });
    assert.equal(off.members_can_create_public_repositories, false);
    assert.equal(off.members_can_create_private_repositories, false);
    assert.equal(off.members_allowed_repository_creation_type, 'none');
    const { data: on } = await owner.octokit.rest.orgs.update({ org: 'can-create', members_can_create_repositories: true });
    assert.equal(on.members_can_create_repositories, true);
    assert.equal(on.members_allowed_repository_creation_type, 'all');
  });

  it('the deprecated type overrides members_can_create_repositories when both agree on enabling', async () => {
    await t.createOrg('override', 'org-owner');
    const { data } = await owner.octokit.rest.orgs.update({ org: 'override', members_can_create_repositories: true, members_allowed_repository_creation_type: 'private' });
    assert.equal(data.members_can_create_public_repositories, false);
    assert.equal(data.members_can_create_private_repositories, true);
  });

  it('409 when members_allowed_repository_creation_type contradicts members_can_create_repositories; nothing is written', async () => {
    await t.createOrg('conflicted', 'org-owner');
    const before = await owner.octokit.rest.orgs.get({ org: 'conflicted' });
    for (const body of [
      { members_allowed_repository_creation_type: 'none', members_can_create_repositories: true, name: 'Changed' },
      { members_allowed_repository_creation_type: 'all', members_can_create_repositories: false, name: 'Changed' },
    ]) {
      const response = await t.request('PATCH', '/orgs/conflicted', { token: owner.token, body });
      assert.equal(response.status, 409);
      assert.equal(response.body.status, '409');
    }
    const after = await owner.octokit.rest.orgs.get({ org: 'conflicted' });
    assert.deepEqual(after.data, before.data);
    assert.equal((await auditEvents(t, { action: 'org.update', org: 'conflicted' })).length, 0);
  });

  it('422 with errors for values GitHub refuses; nothing is written', async () => {
    await t.createOrg('refusing', 'org-owner');
    const before = await owner.octokit.rest.orgs.get({ org: 'refusing' });
    const cases: [Record<string, unknown>, string][] = [
      [{ description: 'd'.repeat(161) }, 'description'],
      [{ email: 'not-an-email' }, 'email'],
      [{ billing_email: 'nope' }, 'billing_email'],
      [{ twitter_username: 't'.repeat(16) }, 'twitter_username'],
      [{ name: 'n'.repeat(256) }, 'name'],
      [{ members_can_create_internal_repositories: true }, 'members_can_create_internal_repositories'],
      [{ default_repository_permission: 'owner' }, 'default_repository_permission'],
      [{ members_allowed_repository_creation_type: 'some' }, 'members_allowed_repository_creation_type'],
      [{ has_organization_projects: 'yes' }, 'has_organization_projects'],
      [{ name: 7 }, 'name'],
    ];
    for (const [fields, field] of cases) {
      const response = await t.request('PATCH', '/orgs/refusing', { token: owner.token, body: { location: 'Changed', ...fields } });
      assert.equal(response.status, 422, field);
      assert.equal(response.body.status, '422');
      assert.ok(response.body.documentation_url);
      assert.ok(response.body.errors.some((e: any) => e.field === field && e.resource === 'Organization' && e.code), JSON.stringify(response.body));
    }
    const after = await owner.octokit.rest.orgs.get({ org: 'refusing' });
    assert.deepEqual(after.data, before.data);
    assert.equal((await auditEvents(t, { action: 'org.update', org: 'refusing' })).length, 0);
  });

  it('accepts the documented limits exactly (description 160, twitter_username 15)', async () => {
    await t.createOrg('limits', 'org-owner');
    const { data } = await owner.octokit.rest.orgs.update({ org: 'limits', description: 'd'.repeat(160), twitter_username: 't'.repeat(15) });
    assert.equal(data.description, 'd'.repeat(160));
  });

  it('404 for members who are not owners, for outsiders and for site admins who are not owners', async () => {
    for (const token of [member.token, outsider.token, t.admin.token]) {
      const response = await t.request('PATCH', '/orgs/acme', { token, body: { name: 'Hijacked' } });
      assert.equal(response.status, 404);
      assert.equal(response.body.message, 'Not Found');
    }
    const { data } = await owner.octokit.rest.orgs.get({ org: 'acme' });
    assert.notEqual(data.name, 'Hijacked');
  });

  it('404 for an unknown org', async () => {
    await rejectsWith(404, () => owner.octokit.rest.orgs.update({ org: 'no-such-org', name: 'x' }));
  });

  it('403 for an owner whose token has neither admin:org nor repo; repo is enough', async () => {
    const weak = await tokenFor('org-owner', ['read:org', 'user']);
    const error = await rejectsWith(403, () => t.octokit(weak).rest.orgs.update({ org: 'acme', name: 'Weak' }));
    assert.equal(error.response!.headers['x-accepted-oauth-scopes'], 'admin:org, repo');
    const repo = await tokenFor('org-owner', ['repo']);
    const { data } = await t.octokit(repo).rest.orgs.update({ org: 'acme', name: 'Repo Scoped' });
    assert.equal(data.name, 'Repo Scoped');
  });

  it('401 without a token', async () => {
    const response = await t.request('PATCH', '/orgs/acme', { body: { name: 'Anonymous' } });
    assert.equal(response.status, 401);
    assert.equal(response.body.message, 'Requires authentication');
  });

  it('a PATCH that changes nothing keeps updated_at and the ETag, and records no event', async () => {
    await t.createOrg('no-op-update', 'org-owner');
    await owner.octokit.rest.orgs.update({ org: 'no-op-update', name: 'Same' });
    const before = await t.request('GET', '/orgs/no-op-update', { token: owner.token });
    t.clock.advance(60_000);
    const { data } = await owner.octokit.rest.orgs.update({ org: 'no-op-update', name: 'Same', has_organization_projects: true });
    assert.equal(data.updated_at, before.body.updated_at);
    const after = await t.request('GET', '/orgs/no-op-update', { token: owner.token });
    assert.equal(after.headers.get('etag'), before.headers.get('etag'));
    assert.equal((await auditEvents(t, { action: 'org.update', org: 'no-op-update' })).length, 1);
  });

  it('records an org.update audit event with the changes', async () => {
    await t.createOrg('audited-update', 'org-owner');
    await owner.octokit.rest.orgs.update({ org: 'audited-update', name: 'Audited', web_commit_signoff_required: true });
    const [event] = await auditEvents(t, { action: 'org.update', org: 'audited-update' });
    assert.equal(event.actor, 'org-owner');
    assert.equal(event.actor_id, owner.id);
    assert.equal(event.data?.changes.name, 'Audited');
    assert.equal(event.data?.changes.web_commit_signoff_required, true);
  });
});
