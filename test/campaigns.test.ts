import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findAccount } from '../src/accounts/store.js';
import { setAssignees, updateAlert } from '../src/code-scanning/store.js';
import { openStore } from '../src/db/connect.js';
import { auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember } from './support/membership.js';
import { startOrghubOn, stopAllProcesses } from './support/processes.js';
import { seedRepositoryWithAlerts } from './support/alert-rows.js';
import { encodeSarif, eslintSarif } from './support/sarif.js';
import { waitUntil } from './support/webhooks.js';
import { freshDatabase, startTestServer, suiteStore, type TestServer, type TestUser } from './support/server.js';

const SECURITY_MANAGER = 138;
const NOW = '2026-01-15T12:00:00Z';
const FUTURE = '2026-03-01T00:00:00Z';

let t: TestServer;
let owner: TestUser;
let manager: TestUser;
let teamManager: TestUser;
let member: TestUser;
let outsider: TestUser;
let org: string;
let repositoryId: number;
let foreignRepositoryId: number;

const body = (extra: Record<string, unknown> = {}) => ({
  name: 'Critical alerts',
  description: 'Fix the critical ones first.',
  ends_at: FUTURE,
  code_scanning_alerts: [{ repository_id: repositoryId, alert_numbers: [1, 2, 3] }],
  ...extra,
});
const create = (caller: TestUser, extra: Record<string, unknown> = {}, inOrg = org) =>
  caller.octokit.rest.campaigns.createCampaign({ org: inOrg, ...(body(extra) as any) });
const get = (caller: TestUser, number: number, inOrg = org) => caller.octokit.rest.campaigns.getCampaignSummary({ org: inOrg, campaign_number: number });
const update = (caller: TestUser, number: number, changes: Record<string, unknown>) =>
  caller.octokit.rest.campaigns.updateCampaign({ org, campaign_number: number, ...(changes as any) });
/** The 422's `errors[].field` values. */
const fieldsOf = (refused: { response?: { data: any } }) => (refused.response?.data.errors ?? []).map((e: { field?: string }) => e.field);

async function orgId(login: string): Promise<number> {
  return (await findAccount(t.server.ctx.db, login, 'Organization'))!.id;
}

/** Sets an alert's state (or assignee) as the code scanning API would: the campaign's stats must follow. */
async function setAlert(number: number, change: { state?: 'open' | 'dismissed' | 'fixed'; assignee?: number }) {
  const { db } = t.server.ctx;
  const alert = await db.selectFrom('code_scanning_alerts').select('id').where('repository_id', '=', repositoryId).where('number', '=', number).executeTakeFirstOrThrow();
  // Through the alert store's writers, which keep the campaigns' copies of state and assignment current.
  if (change.state) await updateAlert(db, alert.id, { state: change.state });
  if (change.assignee) await setAssignees(db, alert.id, [change.assignee], NOW);
}

before(async () => {
  t = await startTestServer();
  owner = await t.createUser('cp-owner');
  manager = await t.createUser('cp-manager');
  teamManager = await t.createUser('cp-team-manager');
  member = await t.createUser('cp-member');
  outsider = await t.createUser('cp-outsider');
  ({ login: org } = await t.createOrg('cp-org', owner.login));
  for (const user of [manager, teamManager, member]) await addMember(owner, org, user);
  await owner.octokit.request('PUT /orgs/{org}/organization-roles/users/{username}/{role_id}', { org, username: manager.login, role_id: SECURITY_MANAGER });
  const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'AppSec', privacy: 'closed' });
  await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: teamManager.login });
  await owner.octokit.request('PUT /orgs/{org}/organization-roles/teams/{team_slug}/{role_id}', { org, team_slug: team.slug, role_id: SECURITY_MANAGER });
  repositoryId = await seedRepositoryWithAlerts(t.server.ctx.db, await orgId(org), 'webapp', 6, NOW);
  const { login: other } = await t.createOrg('cp-other', owner.login);
  foreignRepositoryId = await seedRepositoryWithAlerts(t.server.ctx.db, await orgId(other), 'elsewhere', 2, NOW);
});
after(() => t.close());

describe('POST /orgs/{org}/campaigns (campaigns/create-campaign)', () => {
  it('200 (not 201) campaign-summary: published, open, numbered 1, managed by its creator, with alert_stats; campaign.create recorded', async () => {
    const { status, data } = await create(owner, { contact_link: 'https://example.test/security', generate_issues: false });
    assert.equal(status, 200);
    assert.equal(data.number, 1);
    assert.deepEqual([data.state, data.closed_at, data.published_at, data.created_at], ['open', null, NOW, NOW]);
    assert.equal(data.ends_at, FUTURE);
    assert.equal(data.contact_link, 'https://example.test/security');
    assert.deepEqual(data.managers.map((m) => m.login), [owner.login]);
    assert.deepEqual(data.alert_stats, { open_count: 3, in_progress_count: 0, closed_count: 0 });
    const events = await auditEvents(t, { action: 'campaign.create', org });
    assert.equal(events.length, 1);
    assert.equal(events[0].actor, owner.login);
  });

  it('a security manager (directly, or through a team) runs a campaign, naming managers and team managers', async () => {
    const { data: direct } = await create(manager, { managers: [manager.login] });
    assert.deepEqual(direct.managers.map((m) => m.login), [manager.login]);
    const { data: byTeam } = await create(teamManager, { managers: [owner.login], team_managers: ['appsec'] });
    assert.deepEqual(byTeam.team_managers?.map((team) => team.slug), ['appsec']);
    assert.equal((await get(teamManager, byTeam.number)).data.name, 'Critical alerts');
  });

  it('numbers are per org, never reused after a delete', async () => {
    const { data: last } = await create(owner);
    await owner.octokit.rest.campaigns.deleteCampaign({ org, campaign_number: last.number });
    assert.equal((await create(owner)).data.number, last.number + 1);
    const { data: first } = await create(owner, { code_scanning_alerts: [{ repository_id: foreignRepositoryId, alert_numbers: [1] }] }, 'cp-other');
    assert.equal(first.number, 1);
  });

  it('422 naming the field: name and description lengths, ends_at in the past, a contact_link that is no URI', async () => {
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { name: 'x'.repeat(51) }))), ['name']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { name: '' }))), ['name']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { description: 'd'.repeat(256) }))), ['description']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { ends_at: '2025-12-31T00:00:00Z' }))), ['ends_at']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { ends_at: 'next week' }))), ['ends_at']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { contact_link: 'not a uri' }))), ['contact_link']);
    assert.ok(fieldsOf(await rejectsWith(422, () => create(owner, { name: undefined }))).includes('name'));
  });

  it('422 for managers: more than one, unknown logins, members who are neither owners nor security managers', async () => {
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { managers: [owner.login, manager.login] }))), ['managers']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { managers: ['nobody-here'] }))), ['managers']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { managers: [member.login] }))), ['managers']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { managers: [outsider.login] }))), ['managers']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => create(owner, { team_managers: ['no-such-team'] }))), ['team_managers']);
  });

  it('422 for code_scanning_alerts: missing, an unknown repository, another org’s repository, alert numbers that do not exist', async () => {
    assert.ok(fieldsOf(await rejectsWith(422, () => create(owner, { code_scanning_alerts: undefined }))).includes('code_scanning_alerts'));
    assert.ok(fieldsOf(await rejectsWith(422, () => create(owner, { code_scanning_alerts: [] }))).includes('code_scanning_alerts'));
    const unknown = await rejectsWith(422, () => create(owner, { code_scanning_alerts: [{ repository_id: 999999, alert_numbers: [1] }] }));
    assert.deepEqual(fieldsOf(unknown), ['code_scanning_alerts']);
    const foreign = await rejectsWith(422, () => create(owner, { code_scanning_alerts: [{ repository_id: foreignRepositoryId, alert_numbers: [1] }] }));
    assert.deepEqual(fieldsOf(foreign), ['code_scanning_alerts']);
    const missing = await rejectsWith(422, () => create(owner, { code_scanning_alerts: [{ repository_id: repositoryId, alert_numbers: [1, 99] }] }));
    assert.deepEqual(fieldsOf(missing), ['code_scanning_alerts']);
    assert.match(missing.response?.data.message + JSON.stringify(missing.response?.data.errors), /99/);
  });

  it('a refused creation writes nothing and uses up no number', async () => {
    const before = (await owner.octokit.rest.campaigns.listOrgCampaigns({ org, per_page: 1 })).data[0].number;
    await rejectsWith(422, () => create(owner, { managers: [member.login] }));
    assert.equal((await create(owner)).data.number, before + 1);
  });

  it('404 for plain members and outsiders, 401 anonymously, 403 without security_events', async () => {
    await rejectsWith(404, () => create(member));
    await rejectsWith(404, () => create(outsider));
    await rejectsWith(401, () => t.octokit().rest.campaigns.createCampaign({ org, ...(body() as any) }));
    const limited = await t.createUser('cp-limited', { scopes: ['admin:org'] });
    await owner.octokit.rest.orgs.setMembershipForUser({ org, username: limited.login, role: 'admin' });
    await limited.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    await rejectsWith(403, () => create(limited));
  });
});

describe('campaign creation secondary rate limit', () => {
  it('429 with Retry-After once the org created campaignLimit campaigns within the hour; allowed again after it', async () => {
    const limited = await startTestServer({ campaignLimit: 2 });
    try {
      const boss = await limited.createUser('rl-owner');
      const { login, id } = await limited.createOrg('rl-org', boss.login);
      const repo = await seedRepositoryWithAlerts(limited.server.ctx.db, id, 'r', 1, NOW);
      const make = () => boss.octokit.rest.campaigns.createCampaign({ org: login, name: 'n', description: 'd', ends_at: FUTURE, code_scanning_alerts: [{ repository_id: repo, alert_numbers: [1] }] });
      await make();
      limited.clock.advance(10 * 60 * 1000);
      await make();
      const refused = await rejectsWith(429, make);
      assert.equal(refused.response?.headers['retry-after'], String(50 * 60));
      assert.match(refused.response?.data.message, /secondary rate limit/);
      limited.clock.advance(50 * 60 * 1000 + 1000);
      assert.equal((await make()).data.number, 3);
    } finally {
      await limited.close();
    }
  });
});

describe('GET /orgs/{org}/campaigns/{campaign_number} (campaigns/get-campaign-summary)', () => {
  it('alert_stats follow the alerts: dismissed and fixed close, an assignee puts an open one in progress', async () => {
    const { data } = await create(owner, { code_scanning_alerts: [{ repository_id: repositoryId, alert_numbers: [4, 5, 6] }] });
    assert.deepEqual((await get(owner, data.number)).data.alert_stats, { open_count: 3, in_progress_count: 0, closed_count: 0 });
    await setAlert(4, { state: 'dismissed' });
    await setAlert(5, { assignee: member.id });
    assert.deepEqual((await get(manager, data.number)).data.alert_stats, { open_count: 1, in_progress_count: 1, closed_count: 1 });
    await setAlert(5, { state: 'fixed' });
    assert.deepEqual((await get(owner, data.number)).data.alert_stats, { open_count: 1, in_progress_count: 0, closed_count: 2 });
  });

  it('alert_stats hold an alert dismissed or reopened while the campaign is being created', async () => {
    const repo = 'racing';
    const racingId = await seedRepositoryWithAlerts(t.server.ctx.db, await orgId(org), repo, 1, NOW);
    for (let round = 0; round < 6; round++) {
      const change = round % 2 === 0 ? { state: 'dismissed', dismissed_reason: 'used in tests' } : { state: 'open' };
      const [{ data }] = await Promise.all([
        create(owner, { code_scanning_alerts: [{ repository_id: racingId, alert_numbers: [1] }] }),
        owner.octokit.rest.codeScanning.updateAlert({ owner: org, repo, alert_number: 1, ...(change as { state: 'open' }) }),
      ]);
      const expected = change.state === 'open' ? { open_count: 1, in_progress_count: 0, closed_count: 0 } : { open_count: 0, in_progress_count: 0, closed_count: 1 };
      assert.deepEqual((await get(owner, data.number)).data.alert_stats, expected, `round ${round}`);
    }
  });

  it('404 for an unknown number, a number that is no number, plain members and outsiders', async () => {
    await rejectsWith(404, () => get(owner, 424242));
    assert.equal((await t.request('GET', `/orgs/${org}/campaigns/abc`, { token: owner.token })).status, 404);
    await rejectsWith(404, () => get(member, 1));
    await rejectsWith(404, () => get(outsider, 1));
  });
});

describe('PATCH /orgs/{org}/campaigns/{campaign_number} (campaigns/update-campaign)', () => {
  it('changes any documented field; campaign.update recorded', async () => {
    const { data } = await create(owner);
    t.clock.advance(60_000);
    const { data: changed } = await update(manager, data.number, {
      name: 'Renamed',
      description: 'New words',
      ends_at: '2026-04-01T00:00:00Z',
      contact_link: null,
      managers: [manager.login],
      team_managers: ['appsec'],
    });
    assert.deepEqual(
      [changed.name, changed.description, changed.ends_at, changed.contact_link, changed.updated_at],
      ['Renamed', 'New words', '2026-04-01T00:00:00Z', null, '2026-01-15T12:01:00Z'],
    );
    assert.deepEqual(changed.managers.map((m) => m.login), [manager.login]);
    assert.deepEqual(changed.team_managers?.map((team) => team.slug), ['appsec']);
    assert.deepEqual((await get(owner, data.number)).data.name, 'Renamed');
    assert.ok((await auditEvents(t, { action: 'campaign.update', org })).some((e) => e.data?.campaign_number === data.number));
  });

  it('state closed sets closed_at (campaign.close); reopening clears it (campaign.reopen)', async () => {
    const { data } = await create(owner);
    const { data: closed } = await update(owner, data.number, { state: 'closed' });
    assert.deepEqual([closed.state, closed.closed_at], ['closed', t.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z')]);
    const { data: reopened } = await update(owner, data.number, { state: 'open' });
    assert.deepEqual([reopened.state, reopened.closed_at], ['open', null]);
    assert.ok((await auditEvents(t, { action: 'campaign.close', org })).some((e) => e.data?.campaign_number === data.number));
    assert.ok((await auditEvents(t, { action: 'campaign.reopen', org })).some((e) => e.data?.campaign_number === data.number));
  });

  it('422 naming the field; 404 for an unknown number and for plain members', async () => {
    const { data } = await create(owner);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => update(owner, data.number, { name: 'x'.repeat(51) }))), ['name']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => update(owner, data.number, { ends_at: '2020-01-01T00:00:00Z' }))), ['ends_at']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => update(owner, data.number, { managers: [member.login] }))), ['managers']);
    assert.deepEqual(fieldsOf(await rejectsWith(422, () => update(owner, data.number, { state: 'draft' }))), ['state']);
    assert.equal((await get(owner, data.number)).data.name, 'Critical alerts');
    await rejectsWith(404, () => update(owner, 424242, { name: 'x' }));
    await rejectsWith(404, () => update(member, data.number, { name: 'x' }));
  });

  it('two requests closing it at once: both answer it closed, one campaign.close is recorded', async () => {
    for (let round = 0; round < 3; round++) {
      const { data } = await create(owner);
      const answers = await Promise.all([update(owner, data.number, { state: 'closed' }), update(manager, data.number, { state: 'closed' })]);
      assert.deepEqual(answers.map((a) => a.data.state), ['closed', 'closed']);
      const closes = (await auditEvents(t, { action: 'campaign.close', org })).filter((e) => e.data?.campaign_number === data.number);
      assert.equal(closes.length, 1, `round ${round}: ${closes.length} campaign.close events`);
    }
  });
});

describe('DELETE /orgs/{org}/campaigns/{campaign_number} (campaigns/delete-campaign)', () => {
  it('204, then 404; campaign.destroy recorded', async () => {
    const { data } = await create(owner);
    assert.equal((await owner.octokit.rest.campaigns.deleteCampaign({ org, campaign_number: data.number })).status, 204);
    await rejectsWith(404, () => get(owner, data.number));
    await rejectsWith(404, () => owner.octokit.rest.campaigns.deleteCampaign({ org, campaign_number: data.number }));
    assert.ok((await auditEvents(t, { action: 'campaign.destroy', org })).some((e) => e.data?.campaign_number === data.number));
  });

  it('two DELETEs at once: one 204, one 404, one campaign.destroy', async () => {
    for (let round = 0; round < 3; round++) {
      const { data } = await create(owner);
      const path = `/orgs/${org}/campaigns/${data.number}`;
      const answers = await Promise.all([t.request('DELETE', path, { token: owner.token }), t.request('DELETE', path, { token: manager.token })]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [204, 404], `round ${round}`);
      const destroys = (await auditEvents(t, { action: 'campaign.destroy', org })).filter((e) => e.data?.campaign_number === data.number);
      assert.equal(destroys.length, 1, `round ${round}: ${destroys.length} campaign.destroy events`);
    }
  });

  it('404 for plain members', async () => {
    await rejectsWith(404, () => member.octokit.rest.campaigns.deleteCampaign({ org, campaign_number: 1 }));
  });
});

describe('GET /orgs/{org}/campaigns (campaigns/list-org-campaigns)', () => {
  let listOrg: string;
  before(async () => {
    ({ login: listOrg } = await t.createOrg('cp-list', owner.login));
    const repo = await seedRepositoryWithAlerts(t.server.ctx.db, await orgId(listOrg), 'r', 1, NOW);
    const ends = ['2026-05-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'];
    for (const [i, ends_at] of ends.entries()) {
      t.clock.advance(60_000);
      await owner.octokit.rest.campaigns.createCampaign({ org: listOrg, name: `c${i + 1}`, description: 'd', ends_at, code_scanning_alerts: [{ repository_id: repo, alert_numbers: [1] }] });
    }
    t.clock.advance(60_000);
    await owner.octokit.rest.campaigns.updateCampaign({ org: listOrg, campaign_number: 1, state: 'closed' });
  });
  const numbers = async (query: Record<string, unknown> = {}) =>
    (await owner.octokit.rest.campaigns.listOrgCampaigns({ org: listOrg, ...(query as any) })).data.map((c) => c.number);

  it('newest created first by default; sort, direction and state', async () => {
    assert.deepEqual(await numbers(), [3, 2, 1]);
    assert.deepEqual(await numbers({ direction: 'asc' }), [1, 2, 3]);
    assert.deepEqual(await numbers({ sort: 'ends_at', direction: 'asc' }), [2, 3, 1]);
    assert.deepEqual(await numbers({ sort: 'updated' }), [1, 3, 2]);
    assert.deepEqual(await numbers({ sort: 'published', direction: 'asc' }), [1, 2, 3]);
    assert.deepEqual(await numbers({ state: 'open' }), [3, 2]);
    assert.deepEqual(await numbers({ state: 'closed' }), [1]);
  });

  it('pages with Link', async () => {
    const first = await owner.octokit.rest.campaigns.listOrgCampaigns({ org: listOrg, per_page: 2 });
    assert.deepEqual(first.data.map((c) => c.number), [3, 2]);
    assert.ok(parseLink(first.headers.link).next);
    const second = await owner.octokit.rest.campaigns.listOrgCampaigns({ org: listOrg, per_page: 2, page: 2 });
    assert.deepEqual(second.data.map((c) => c.number), [1]);
    assert.equal(parseLink(second.headers.link).next, undefined);
  });

  it('422 for a sort or state outside the enum; 404 for plain members', async () => {
    await rejectsWith(422, () => numbers({ sort: 'name' }));
    await rejectsWith(422, () => numbers({ state: 'draft' }));
    await rejectsWith(404, () => member.octokit.rest.campaigns.listOrgCampaigns({ org }));
  });
});

describe('round trip: ESLint SARIF → alerts → campaign → dismiss, assign, fix by a new upload → alert_stats', () => {
  const SHA = 'b'.repeat(40);
  const FIXTURE = { 'app.js': "export function run(x) {\n  const unused = 1;\n  if (x == 2) return x;\n  return eval('x');\n}\n" };
  // `==` fixed in place: no other result moves.
  const FIXED = { 'app.js': "export function run(x) {\n  const unused = 1;\n  if (x === 2) return x;\n  return eval('x');\n}\n" };

  it('a security manager by team runs a campaign whose stats follow the alerts; a plain member gets 404', async () => {
    const s = await startTestServer({ sarifProcessing: { pollMs: 20 } });
    try {
      const boss = await s.createUser('rt-owner');
      const appsec = await s.createUser('rt-appsec');
      const dev = await s.createUser('rt-dev');
      const { login } = await s.createOrg('rt-org', boss.login);
      await addMember(boss, login, appsec);
      await addMember(boss, login, dev);
      const { data: team } = await boss.octokit.rest.teams.create({ org: login, name: 'Security', privacy: 'closed' });
      await boss.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org: login, team_slug: team.slug, username: appsec.login });
      await boss.octokit.request('PUT /orgs/{org}/organization-roles/teams/{team_slug}/{role_id}', { org: login, team_slug: team.slug, role_id: SECURITY_MANAGER });
      const { data: repo } = await boss.octokit.rest.repos.createInOrg({ org: login, name: 'app', private: true });

      const scan = async (files: Record<string, string>) => {
        const { log, checkoutUri } = await eslintSarif(files);
        const { data } = await boss.octokit.rest.codeScanning.uploadSarif({ owner: login, repo: 'app', commit_sha: SHA, ref: 'refs/heads/main', sarif: encodeSarif(log), checkout_uri: checkoutUri });
        const done = await waitUntil(async () => {
          const { data: status } = await boss.octokit.rest.codeScanning.getSarif({ owner: login, repo: 'app', sarif_id: data.id! });
          return status.processing_status !== 'pending' && status;
        }, 'SARIF processed', 20_000);
        assert.equal(done.processing_status, 'complete', JSON.stringify(done.errors));
      };
      await scan(FIXTURE);
      const { data: alerts } = await appsec.octokit.rest.codeScanning.listAlertsForRepo({ owner: login, repo: 'app' });
      const numberOf = (rule: string) => alerts.find((a) => a.rule.id === rule)!.number;
      assert.deepEqual(alerts.map((a) => a.rule.id).sort(), ['eqeqeq', 'no-eval', 'no-unused-vars']);

      const { data: campaign } = await appsec.octokit.rest.campaigns.createCampaign({
        org: login,
        name: 'ESLint findings',
        description: 'Everything ESLint found in app',
        ends_at: FUTURE,
        team_managers: [team.slug],
        code_scanning_alerts: [{ repository_id: repo.id, alert_numbers: alerts.map((a) => a.number) }],
      });
      const stats = async () => (await appsec.octokit.rest.campaigns.getCampaignSummary({ org: login, campaign_number: campaign.number })).data.alert_stats;
      assert.deepEqual(campaign.alert_stats, { open_count: 3, in_progress_count: 0, closed_count: 0 });
      await rejectsWith(404, () => dev.octokit.rest.campaigns.getCampaignSummary({ org: login, campaign_number: campaign.number }));
      await rejectsWith(404, () => dev.octokit.rest.campaigns.listOrgCampaigns({ org: login }));

      await boss.octokit.rest.codeScanning.updateAlert({ owner: login, repo: 'app', alert_number: numberOf('no-eval'), state: 'dismissed', dismissed_reason: 'used in tests' });
      assert.deepEqual(await stats(), { open_count: 2, in_progress_count: 0, closed_count: 1 });

      await boss.octokit.rest.codeScanning.updateAlert({ owner: login, repo: 'app', alert_number: numberOf('no-unused-vars'), assignees: [dev.login] } as never);
      assert.deepEqual(await stats(), { open_count: 1, in_progress_count: 1, closed_count: 1 });

      await scan(FIXED);
      const { data: fixed } = await boss.octokit.rest.codeScanning.getAlert({ owner: login, repo: 'app', alert_number: numberOf('eqeqeq') });
      assert.equal(fixed.state, 'fixed');
      assert.deepEqual(await stats(), { open_count: 0, in_progress_count: 1, closed_count: 2 });
    } finally {
      await s.close();
    }
  });
});

describe(`100 concurrent creations spread over two processes on one ${suiteStore} database`, { timeout: 120_000 }, () => {
  it('numbers 1..100: no gap, no duplicate', async () => {
    const database = await freshDatabase();
    const store = openStore(database.url);
    try {
      const [first, second] = await Promise.all([0, 1].map(() => startOrghubOn(database.url, { ORGHUB_CAMPAIGN_LIMIT: '0' })));
      const boss = await first.api.createUser('race-owner');
      const { login, id } = await first.api.createOrg('race-org', boss.login);
      const repo = await seedRepositoryWithAlerts(store.db, id, 'r', 1, NOW);
      const clients = [first.api.octokit(boss.token), second.api.octokit(boss.token)];
      const created = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          clients[i % 2].rest.campaigns.createCampaign({
            org: login,
            name: `race ${i}`,
            description: 'd',
            ends_at: '2099-01-01T00:00:00Z',
            code_scanning_alerts: [{ repository_id: repo, alert_numbers: [1] }],
          }),
        ),
      );
      const numbers = created.map((r) => r.data.number).sort((a, b) => a - b);
      assert.deepEqual(numbers, Array.from({ length: 100 }, (_, i) => i + 1));
      const stored = await store.db.selectFrom('campaigns').select('number').where('org_id', '=', id).orderBy('number').execute();
      assert.deepEqual(stored.map((r) => r.number), numbers);
    } finally {
      await stopAllProcesses();
      await store.close();
      await database.drop();
    }
  });
});

