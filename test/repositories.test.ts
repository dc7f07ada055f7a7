import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { appOctokit, installApp, registerApp } from './support/apps.js';
import { addMember } from './support/membership.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';
import { hookedReceiver } from './support/webhooks.js';

let t: TestServer;
before(async () => {
  t = await startTestServer({ webhooks: { pollMs: 20 } });
});
after(() => t.close());

let orgCount = 0;
/** A new org owned by a new user (every scope), with a plain member. */
async function freshOrg(): Promise<{ owner: TestUser; member: TestUser; org: string }> {
  const n = ++orgCount;
  const owner = await t.createUser(`rp${n}-owner`);
  const member = await t.createUser(`rp${n}-member`);
  const { login } = await t.createOrg(`rp${n}-org`, owner.login);
  await addMember(owner, login, member);
  return { owner, member, org: login };
}

describe('POST /orgs/{org}/repos (repos/create-in-org)', () => {
  it('201 with the full repository, audited as repo.create and delivered as repository created', async (test) => {
    const { owner, org } = await freshOrg();
    const receiver = await hookedReceiver(test, owner, org, ['repository']);
    const { status, data } = await owner.octokit.rest.repos.createInOrg({ org, name: 'widgets', description: 'Widgets', private: true });
    assert.equal(status, 201);
    assert.equal(data.full_name, `${org}/widgets`);
    assert.equal(data.private, true);
    assert.equal(data.visibility, 'private');
    assert.equal(data.default_branch, 'main');
    assert.deepEqual(data.permissions, { admin: true, maintain: true, push: true, triage: true, pull: true });
    const [event] = await auditEvents(t, { action: 'repo.create', org });
    assert.equal(event.data?.repo, `${org}/widgets`);
    const delivery = await receiver.waitFor((d) => d.event === 'repository');
    assert.equal(delivery.action, 'created');
    assert.equal(delivery.payload.repository.full_name, `${org}/widgets`);
  });

  it('422 "name already exists on this account" for a name taken in any case', async () => {
    const { owner, org } = await freshOrg();
    await owner.octokit.rest.repos.createInOrg({ org, name: 'Gadgets' });
    const { response } = await rejectsWith(422, () => owner.octokit.rest.repos.createInOrg({ org, name: 'gadgets' }));
    assert.equal(response?.data.message, 'Repository creation failed.');
    assert.deepEqual(response?.data.errors, [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }]);
  });

  it('replaces characters outside letters, digits, ".", "-" and "_" with "-"', async () => {
    const { owner, org } = await freshOrg();
    const { data } = await owner.octokit.rest.repos.createInOrg({ org, name: 'my repo!' });
    assert.equal(data.name, 'my-repo-');
  });

  it('422 for a name over 100 characters, and for "." and ".."', async () => {
    const { owner, org } = await freshOrg();
    const long = await rejectsWith(422, () => owner.octokit.rest.repos.createInOrg({ org, name: 'x'.repeat(101) }));
    assert.match(long.response?.data.errors[0].message, /too long/);
    const dot = await rejectsWith(422, () => owner.octokit.rest.repos.createInOrg({ org, name: '..' }));
    assert.equal(dot.response?.data.errors[0].field, 'name');
  });

  it('422 when the body names no repository', async () => {
    const { owner, org } = await freshOrg();
    await rejectsWith(422, () => owner.octokit.request('POST /orgs/{org}/repos', { org } as never));
  });

  it('members create repositories of the visibilities the org allows; 403 otherwise', async () => {
    const { owner, member, org } = await freshOrg();
    const { data } = await member.octokit.rest.repos.createInOrg({ org, name: 'member-made' });
    assert.deepEqual(data.permissions?.admin, true, 'the creator administers what they created');
    await owner.octokit.rest.orgs.update({ org, members_can_create_public_repositories: false });
    const refused = await rejectsWith(403, () => member.octokit.rest.repos.createInOrg({ org, name: 'refused' }));
    assert.equal(refused.response?.data.message, 'You need admin access to the organization before adding a repository to it.');
    await member.octokit.rest.repos.createInOrg({ org, name: 'still-private', private: true });
    await owner.octokit.rest.repos.createInOrg({ org, name: 'owners-always' });
  });

  it('403 for a user who is not a member of the org', async () => {
    const { org } = await freshOrg();
    const outsider = await t.createUser(`rp-outsider-${orgCount}`);
    await rejectsWith(403, () => outsider.octokit.rest.repos.createInOrg({ org, name: 'nope' }));
  });

  it('a classic token needs `repo` for a private repository; `public_repo` creates public ones only', async () => {
    const { owner, org } = await freshOrg();
    const publicOnly = await t.request('POST', `/admin/users/${owner.login}/authorizations`, { token: t.admin.token, body: { scopes: ['public_repo'] } });
    const token = publicOnly.body.token as string;
    const client = t.octokit(token);
    await client.rest.repos.createInOrg({ org, name: 'open' });
    await rejectsWith(403, () => client.rest.repos.createInOrg({ org, name: 'closed', private: true }));
    const none = await t.request('POST', `/admin/users/${owner.login}/authorizations`, { token: t.admin.token, body: { scopes: ['read:org'] } });
    await rejectsWith(403, () => t.octokit(none.body.token as string).rest.repos.createInOrg({ org, name: 'unscoped' }));
  });

  it('401 without a token', async () => {
    const { org } = await freshOrg();
    await rejectsWith(401, () => t.octokit().rest.repos.createInOrg({ org, name: 'anon' }));
  });
});

describe('GET /orgs/{org}/repos (repos/list-for-org)', () => {
  it('lists by creation, newest first, in pages with Link; `type` filters by visibility', async () => {
    const { owner, org } = await freshOrg();
    for (const name of ['a', 'b', 'c']) await owner.octokit.rest.repos.createInOrg({ org, name, private: name === 'b' });
    const first = await owner.octokit.rest.repos.listForOrg({ org, per_page: 2 });
    assert.deepEqual(first.data.map((r) => r.name), ['c', 'b']);
    assert.ok(parseLink(first.headers.link).next);
    const second = await owner.octokit.rest.repos.listForOrg({ org, per_page: 2, page: 2 });
    assert.deepEqual(second.data.map((r) => r.name), ['a']);
    const privates = await owner.octokit.rest.repos.listForOrg({ org, type: 'private' });
    assert.deepEqual(privates.data.map((r) => r.name), ['b']);
    const forks = await owner.octokit.rest.repos.listForOrg({ org, type: 'forks' });
    assert.deepEqual(forks.data, []);
  });

  it('sort=full_name is ascending by default; direction turns it round', async () => {
    const { owner, org } = await freshOrg();
    for (const name of ['beta', 'alpha', 'gamma']) await owner.octokit.rest.repos.createInOrg({ org, name });
    const byName = await owner.octokit.rest.repos.listForOrg({ org, sort: 'full_name' });
    assert.deepEqual(byName.data.map((r) => r.name), ['alpha', 'beta', 'gamma']);
    const reversed = await owner.octokit.rest.repos.listForOrg({ org, sort: 'full_name', direction: 'desc' });
    assert.deepEqual(reversed.data.map((r) => r.name), ['gamma', 'beta', 'alpha']);
  });

  it('shows outsiders and anonymous callers public repositories only', async () => {
    const { owner, org } = await freshOrg();
    await owner.octokit.rest.repos.createInOrg({ org, name: 'shown' });
    await owner.octokit.rest.repos.createInOrg({ org, name: 'hidden', private: true });
    const outsider = await t.createUser(`rp-viewer-${orgCount}`);
    const seen = await outsider.octokit.rest.repos.listForOrg({ org });
    assert.deepEqual(seen.data.map((r) => r.name), ['shown']);
    const anonymous = await t.octokit().rest.repos.listForOrg({ org });
    assert.deepEqual(anonymous.data.map((r) => r.name), ['shown']);
    assert.equal(anonymous.data[0].permissions, undefined);
  });

  it('members see private repositories through the base permission; with base permission "none", only their own', async () => {
    const { owner, member, org } = await freshOrg();
    await owner.octokit.rest.repos.createInOrg({ org, name: 'secret', private: true });
    const seen = await member.octokit.rest.repos.listForOrg({ org });
    assert.deepEqual(seen.data.map((r) => [r.name, r.permissions?.push]), [['secret', false]]);
    await owner.octokit.rest.orgs.update({ org, default_repository_permission: 'none' });
    await member.octokit.rest.repos.createInOrg({ org, name: 'mine', private: true });
    const limited = await member.octokit.rest.repos.listForOrg({ org });
    assert.deepEqual(limited.data.map((r) => r.name), ['mine']);
  });

  it('404 for an org that does not exist', async () => {
    await rejectsWith(404, () => t.octokit(t.admin.token).rest.repos.listForOrg({ org: 'no-such-org-here' }));
  });
});

describe('GET /repos/{owner}/{repo} (repos/get)', () => {
  it('200 with the full repository, its owner the org', async () => {
    const { owner, org } = await freshOrg();
    await owner.octokit.rest.repos.createInOrg({ org, name: 'shown', homepage: 'https://example.test' });
    const { data } = await owner.octokit.rest.repos.get({ owner: org, repo: 'SHOWN' });
    assert.equal(data.name, 'shown');
    assert.equal(data.owner.login, org);
    assert.equal(data.organization?.login, org);
    assert.equal(data.homepage, 'https://example.test');
  });

  it('404 for a private repository the caller may not see, and for one that does not exist', async () => {
    const { owner, org } = await freshOrg();
    await owner.octokit.rest.repos.createInOrg({ org, name: 'private-one', private: true });
    const outsider = await t.createUser(`rp-getter-${orgCount}`);
    await rejectsWith(404, () => outsider.octokit.rest.repos.get({ owner: org, repo: 'private-one' }));
    await rejectsWith(404, () => owner.octokit.rest.repos.get({ owner: org, repo: 'nothing' }));
  });

  it('404 when {owner} is a user: repositories belong to organizations only', async () => {
    const { owner } = await freshOrg();
    await rejectsWith(404, () => owner.octokit.rest.repos.get({ owner: owner.login, repo: 'anything' }));
  });

  it('a classic token without `repo` does not reach private repositories', async () => {
    const { owner, org } = await freshOrg();
    await owner.octokit.rest.repos.createInOrg({ org, name: 'scoped', private: true });
    const readOrg = await t.request('POST', `/admin/users/${owner.login}/authorizations`, { token: t.admin.token, body: { scopes: ['read:org'] } });
    await rejectsWith(404, () => t.octokit(readOrg.body.token as string).rest.repos.get({ owner: org, repo: 'scoped' }));
  });
});

describe('repositories as a GitHub App installation sees them', () => {
  it('an installation on selected repositories lists and gets those only; another is 404', async () => {
    const { owner, org } = await freshOrg();
    for (const name of ['chosen', 'other']) await owner.octokit.rest.repos.createInOrg({ org, name, private: true });
    const app = await registerApp(t, owner.login, { permissions: { metadata: 'read' } });
    const installationId = await installApp(t, app, org, { repositories: ['chosen'] });
    const client = appOctokit(t, app, installationId);
    const listed = await client.rest.repos.listForOrg({ org });
    assert.deepEqual(listed.data.map((r) => r.name), ['chosen']);
    assert.equal((await client.rest.repos.get({ owner: org, repo: 'chosen' })).data.name, 'chosen');
    await rejectsWith(404, () => client.rest.repos.get({ owner: org, repo: 'other' }));
  });
});
