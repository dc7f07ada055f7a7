import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember } from './support/membership.js';
import { tokenFor } from './support/people.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

/** Credential authorizations as the tests read them. */
type Authorization = Record<string, any> & { login: string; credential_id: number };

const SAML_MESSAGE = 'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.';

function enforce(org: string, enforced: boolean) {
  return t.request('PATCH', `/admin/organizations/${org}/saml`, { token: t.admin.token, body: { enforced } });
}

async function enforced(org: string): Promise<void> {
  assert.equal((await enforce(org, true)).status, 200);
}

async function list(user: TestUser, org: string, query: Record<string, string | number> = {}) {
  const response = await user.octokit.request('GET /orgs/{org}/credential-authorizations', { org, ...query });
  return { rows: response.data as Authorization[], link: parseLink(response.headers.link) };
}

function remove(user: TestUser, org: string, credentialId: number) {
  return user.octokit.request('DELETE /orgs/{org}/credential-authorizations/{credential_id}', { org, credential_id: credentialId });
}

/** A GET on the org's resources with a raw token. */
const use = (token: string, path: string) => t.request('GET', path, { token });

let orgs = 0;
/** An org owned by a new owner with a new member; `saml` enforces SAML SSO on it. */
async function orgWithMember(prefix: string, options: { saml?: boolean } = {}) {
  const n = ++orgs;
  const owner = await t.createUser(`${prefix}${n}-owner`);
  const member = await t.createUser(`${prefix}${n}-member`);
  const { login: org } = await t.createOrg(`${prefix}${n}-org`, owner.login);
  await addMember(owner, org, member);
  if (options.saml) await enforced(org);
  return { owner, member, org };
}

describe('PATCH /admin/organizations/{org}/saml (orghub extension)', () => {
  it('200 with the setting; org.enable_saml and org.disable_saml are recorded once per change', async () => {
    const { org } = await orgWithMember('sp');
    for (const value of [true, true, false, false, true]) {
      const response = await enforce(org, value);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { enforced: value });
    }
    const actions = (await auditEvents(t, { org })).map((e) => e.action).filter((a) => a.endsWith('_saml'));
    assert.deepEqual(actions, ['org.enable_saml', 'org.disable_saml', 'org.enable_saml']);
  });

  it('403 for anyone but a site admin; 404 for an unknown org or a user; 422 without a boolean `enforced`', async () => {
    const { owner, org } = await orgWithMember('sx');
    assert.equal((await t.request('PATCH', `/admin/organizations/${org}/saml`, { token: owner.token, body: { enforced: true } })).status, 403);
    assert.equal((await t.request('PATCH', '/admin/organizations/sx-no-such-org/saml', { token: t.admin.token, body: { enforced: true } })).status, 404);
    assert.equal((await t.request('PATCH', `/admin/organizations/${owner.login}/saml`, { token: t.admin.token, body: { enforced: true } })).status, 404);
    for (const body of [{}, { enforced: 'yes' }, { enforced: true, extra: 1 }]) {
      const response = await t.request('PATCH', `/admin/organizations/${org}/saml`, { token: t.admin.token, body });
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.ok(Array.isArray(response.body.errors));
    }
  });
});

describe('GET /orgs/{org}/credential-authorizations (orgs/list-saml-sso-authorizations)', () => {
  it("lists each member's classic token used on the org while SAML SSO is enforced, with GitHub's fields", async () => {
    const { owner, member, org } = await orgWithMember('sl', { saml: true });
    assert.equal((await use(member.token, `/orgs/${org}`)).status, 200);
    const { rows } = await list(owner, org);
    const mine = rows.find((row) => row.login === member.login)!;
    assert.deepEqual(mine, {
      login: member.login,
      credential_id: mine.credential_id,
      credential_type: 'personal access token',
      token_last_eight: member.token.slice(-8),
      credential_authorized_at: '2026-01-15T12:00:00Z',
      credential_accessed_at: '2026-01-15T12:00:00Z',
      authorized_credential_id: mine.authorized_credential_id,
      authorized_credential_note: null,
      authorized_credential_expires_at: null,
      scopes: ['admin:org', 'admin:org_hook', 'user', 'repo', 'security_events', 'read:audit_log'],
    });
    // The owner's listing was the owner's token's first use on the org.
    assert.deepEqual(rows.map((row) => row.login), [member.login, owner.login]);
  });

  it('login limits the list to one user (in any case); an unknown login, or one no login can be, lists nothing', async () => {
    const { owner, member, org } = await orgWithMember('sn', { saml: true });
    await use(member.token, `/orgs/${org}`);
    await use(await tokenFor(t, member.login, ['read:org']), `/orgs/${org}`);
    assert.deepEqual((await list(owner, org, { login: member.login.toUpperCase() })).rows.map((row) => row.login), [member.login, member.login]);
    assert.deepEqual((await list(owner, org, { login: 'sn-nobody' })).rows, []);
    assert.deepEqual((await list(owner, org, { login: 'sn\u0000nobody' })).rows, []);
  });

  it('pages with page and per_page, with Link headers', async () => {
    const { owner, member, org } = await orgWithMember('sg', { saml: true });
    for (let i = 0; i < 4; i++) await use(await tokenFor(t, member.login, ['read:org']), `/orgs/${org}`);
    const first = await list(owner, org, { per_page: 2 });
    assert.equal(first.rows.length, 2);
    assert.equal(new URL(first.link.last).searchParams.get('page'), '3');
    const all = await owner.octokit.paginate('GET /orgs/{org}/credential-authorizations', { org, per_page: 2 });
    assert.equal(new Set((all as Authorization[]).map((row) => row.credential_id)).size, 5);
  });

  it('is empty while SAML SSO was never enforced: tokens are used without authorizations', async () => {
    const { owner, member, org } = await orgWithMember('se');
    await use(member.token, `/orgs/${org}/members`);
    assert.deepEqual((await list(owner, org)).rows, []);
  });

  it('404 for a member who is not an owner and for an unknown org; 403 for an owner token without read:org', async () => {
    const { owner, member, org } = await orgWithMember('sf', { saml: true });
    await rejectsWith(404, () => list(member, org));
    await rejectsWith(404, () => list(owner, 'sf-no-such-org'));
    const response = await t.request('GET', `/orgs/${org}/credential-authorizations`, { token: await tokenFor(t, owner.login, ['user']) });
    assert.equal(response.status, 403);
  });
});

describe('DELETE /orgs/{org}/credential-authorizations/{credential_id} (orgs/remove-saml-sso-authorization)', () => {
  it('204: the authorization is revoked and listed no more; deleting it again, or an unknown id, is a 404', async () => {
    const { owner, member, org } = await orgWithMember('sd', { saml: true });
    await use(member.token, `/orgs/${org}`);
    const { credential_id: id } = (await list(owner, org, { login: member.login })).rows[0];
    assert.equal((await remove(owner, org, id)).status, 204);
    assert.deepEqual((await list(owner, org, { login: member.login })).rows, []);
    await rejectsWith(404, () => remove(owner, org, id));
    await rejectsWith(404, () => remove(owner, org, 999_999));
  });

  it("404 for another org's credential and for a member who is not an owner; 403 for an owner token without admin:org", async () => {
    const { owner, member, org } = await orgWithMember('sr', { saml: true });
    const other = await orgWithMember('sr', { saml: true });
    await use(member.token, `/orgs/${org}`);
    const { credential_id: id } = (await list(owner, org, { login: member.login })).rows[0];
    await rejectsWith(404, () => remove(other.owner, other.org, id));
    await rejectsWith(404, () => remove(member, org, id));
    const readOnly = await t.request('DELETE', `/orgs/${org}/credential-authorizations/${id}`, { token: await tokenFor(t, owner.login, ['read:org']) });
    assert.equal(readOnly.status, 403);
    assert.equal((await list(owner, org, { login: member.login })).rows.length, 1);
  });
});

describe('SAML SSO enforcement', () => {
  it('end to end: enforced, a member uses a token, it is listed, revoked: 403 on that org, 200 elsewhere; a new token works', async () => {
    t.clock.set('2026-01-15T12:00:00Z');
    const { owner, member, org } = await orgWithMember('ss', { saml: true });
    const second = await orgWithMember('ss', { saml: true });
    await addMember(second.owner, second.org, member);
    const plain = await orgWithMember('ss');
    await addMember(plain.owner, plain.org, member);

    // First use: authorized (`org_credential_authorization.grant`), on each enforcing org apart.
    assert.equal((await use(member.token, `/orgs/${org}`)).status, 200);
    assert.equal((await use(member.token, `/orgs/${second.org}/members`)).status, 200);
    const [listed] = (await list(owner, org, { login: member.login })).rows;
    assert.equal(listed.token_last_eight, member.token.slice(-8));

    // Later uses keep credential_accessed_at current (written in batches).
    t.clock.set('2026-01-15T13:30:00Z');
    assert.equal((await use(member.token, `/orgs/${org}/members`)).status, 200);
    await t.server.ctx.saml.flush();
    const [used] = (await list(owner, org, { login: member.login })).rows;
    assert.deepEqual([used.credential_authorized_at, used.credential_accessed_at], ['2026-01-15T12:00:00Z', '2026-01-15T13:30:00Z']);

    // Revoked: refused on that org at once (this process's token and read caches notwithstanding).
    assert.equal((await remove(owner, org, listed.credential_id)).status, 204);
    for (const path of [`/orgs/${org}`, `/orgs/${org}/members`, `/orgs/${org}/teams`, `/user/memberships/orgs/${org}`]) {
      const refused = await use(member.token, path);
      assert.equal(refused.status, 403, path);
      assert.equal(refused.body.message, SAML_MESSAGE);
      assert.equal(refused.body.documentation_url, 'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/');
      assert.equal(refused.headers.get('x-github-sso'), `required; url=${t.url}/orgs/${org}/sso`);
    }
    // … and only there.
    for (const path of ['/user', `/orgs/${plain.org}`, `/orgs/${second.org}`, `/orgs/${second.org}/members`]) {
      assert.equal((await use(member.token, path)).status, 200, path);
    }

    // A new token is authorized on its first use.
    const fresh = await tokenFor(t, member.login, ['read:org']);
    assert.equal((await use(fresh, `/orgs/${org}`)).status, 200);
    const now = (await list(owner, org, { login: member.login })).rows;
    assert.deepEqual(now.map((row) => row.token_last_eight), [fresh.slice(-8)]);
    assert.notEqual(now[0].credential_id, listed.credential_id);
    assert.equal((await use(member.token, `/orgs/${org}`)).status, 403);

    // The audit log shows each authorization and the revocation, with GitHub's fields.
    const { data } = await owner.octokit.request('GET /orgs/{org}/audit-log', { org, phrase: 'action:org_credential_authorization' });
    const entries = (data as Record<string, any>[]).map((e) => [e.action, e.actor, e.owner ?? null, e.credential_id]);
    assert.deepEqual(entries, [
      ['org_credential_authorization.grant', member.login, null, now[0].credential_id],
      ['org_credential_authorization.revoke', owner.login, member.login, listed.credential_id],
      ['org_credential_authorization.grant', owner.login, null, (await list(owner, org, { login: owner.login })).rows[0].credential_id],
      ['org_credential_authorization.grant', member.login, null, listed.credential_id],
    ]);
  });

  it('lifting enforcement lets the revoked token in again; enforcing again refuses it again', async () => {
    const { owner, member, org } = await orgWithMember('so', { saml: true });
    await use(member.token, `/orgs/${org}`);
    await remove(owner, org, (await list(owner, org, { login: member.login })).rows[0].credential_id);
    assert.equal((await use(member.token, `/orgs/${org}`)).status, 403);
    assert.equal((await enforce(org, false)).status, 200);
    assert.equal((await use(member.token, `/orgs/${org}`)).status, 200);
    await enforced(org);
    assert.equal((await use(member.token, `/orgs/${org}`)).status, 403);
  });

  it('holds on GraphQL too: a revoked token gets FORBIDDEN with the same message for that org, data elsewhere', async () => {
    const { owner, member, org } = await orgWithMember('sg', { saml: true });
    const plain = await orgWithMember('sg');
    await addMember(plain.owner, plain.org, member);
    const query = (login: string) => t.request('POST', '/graphql', { token: member.token, body: { query: `{ organization(login: "${login}") { login } }` } });
    assert.deepEqual((await query(org)).body, { data: { organization: { login: org } } });
    const [authorization] = (await list(owner, org, { login: member.login })).rows;
    assert.equal(authorization.token_last_eight, member.token.slice(-8));
    await remove(owner, org, authorization.credential_id);
    const refused = (await query(org)).body;
    assert.deepEqual(refused.data, { organization: null });
    assert.deepEqual(refused.errors.map((e: any) => [e.type, e.path, e.message]), [['FORBIDDEN', ['organization'], SAML_MESSAGE]]);
    assert.deepEqual((await query(plain.org)).body, { data: { organization: { login: plain.org } } });
  });

  it('is not asked of people outside the org, nor of the site-admin API', async () => {
    const { owner, org } = await orgWithMember('sa', { saml: true });
    const outsider = await t.createUser('sa-outsider');
    assert.equal((await use(outsider.token, `/orgs/${org}`)).status, 200);
    assert.deepEqual((await list(owner, org, { login: outsider.login })).rows, []);
    // The site admin owns this org and its token's authorization is revoked: the site-admin API still reaches the org.
    const { login: adminOrg } = await t.createOrg('sa-admin-org');
    await enforced(adminOrg);
    assert.equal((await use(t.admin.token, `/orgs/${adminOrg}`)).status, 200);
    const [adminCredential] = (await list(t.admin, adminOrg)).rows;
    assert.equal((await remove(t.admin, adminOrg, adminCredential.credential_id)).status, 204);
    assert.equal((await use(t.admin.token, `/orgs/${adminOrg}`)).status, 403);
    assert.equal((await enforce(adminOrg, false)).status, 200);
    assert.equal((await use(t.admin.token, `/orgs/${adminOrg}`)).status, 200);
  });

  it("a deleted token's authorizations go with it", async () => {
    const { owner, member, org } = await orgWithMember('st', { saml: true });
    await use(member.token, `/orgs/${org}`);
    assert.equal((await list(owner, org, { login: member.login })).rows.length, 1);
    assert.equal((await t.request('DELETE', `/admin/users/${member.login}/authorizations`, { token: t.admin.token })).status, 204);
    assert.deepEqual((await list(owner, org, { login: member.login })).rows, []);
  });
});
