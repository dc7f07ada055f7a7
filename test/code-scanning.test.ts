import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember } from './support/membership.js';
import { encodeSarif, eslintSarif, syntheticSarif } from './support/sarif.js';
import { openStore } from '../src/db/connect.js';
import { startOrghubOn, stopAllProcesses } from './support/processes.js';
import { ADMIN_TOKEN, freshDatabase, startTestServer, suiteStore, type FreshDatabase, type TestServer, type TestUser } from './support/server.js';
import { hookedReceiver, waitUntil } from './support/webhooks.js';

let t: TestServer;
before(async () => {
  t = await startTestServer({ webhooks: { pollMs: 20 }, sarifProcessing: { pollMs: 20 } });
});
after(() => t.close());

const SHA = 'a'.repeat(40);
const MAIN = 'refs/heads/main';
/** GitHub's predefined security manager role (src/organization-roles/roles.ts). */
const SECURITY_MANAGER_ROLE_ID = 138;

/** A fixture with three ESLint problems: an unused variable, `==`, and `eval`. */
const FIXTURE = {
  'app.js': "export function run(x) {\n  const unused = 1;\n  if (x == 2) return x;\n  return eval('x');\n}\n",
};
/** The same file with `==` fixed in place: no other result moves (results without fingerprints are told apart by location). */
const FIXED_FIXTURE = {
  'app.js': "export function run(x) {\n  const unused = 1;\n  if (x === 2) return x;\n  return eval('x');\n}\n",
};

let orgCount = 0;
interface Setup {
  owner: TestUser;
  member: TestUser;
  org: string;
  repo: string;
}
/** A new org (owner with every scope, a plain member) and a private repository in it. */
async function freshRepo(): Promise<Setup> {
  const n = ++orgCount;
  const owner = await t.createUser(`cs${n}-owner`);
  const member = await t.createUser(`cs${n}-member`);
  const { login: org } = await t.createOrg(`cs${n}-org`, owner.login);
  await addMember(owner, org, member);
  await owner.octokit.rest.repos.createInOrg({ org, name: 'app', private: true });
  return { owner, member, org, repo: 'app' };
}

async function upload(s: Setup, sarif: string, extra: { ref?: string; checkout_uri?: string; category?: string } = {}) {
  const { status, data } = await s.owner.octokit.rest.codeScanning.uploadSarif({
    owner: s.org,
    repo: s.repo,
    commit_sha: SHA,
    ref: extra.ref ?? MAIN,
    sarif,
    ...(extra.checkout_uri && { checkout_uri: extra.checkout_uri }),
    ...(extra.category && { category: extra.category }),
  } as never);
  assert.equal(status, 202);
  return data.id!;
}

/** Waits until the upload is no longer pending; its status. */
async function processed(s: Setup, sarifId: string) {
  return waitUntil(async () => {
    const { data } = await s.owner.octokit.rest.codeScanning.getSarif({ owner: s.org, repo: s.repo, sarif_id: sarifId });
    return data.processing_status !== 'pending' && data;
  }, `upload ${sarifId} processed`, 20_000);
}

async function uploadEslint(s: Setup, files: Record<string, string>, extra: { ref?: string } = {}) {
  const { log, checkoutUri } = await eslintSarif(files);
  const id = await upload(s, encodeSarif(log), { checkout_uri: checkoutUri, ...extra });
  const status = await processed(s, id);
  assert.equal(status.processing_status, 'complete', JSON.stringify(status.errors));
  return id;
}

async function alertsOf(s: Setup, query: Record<string, unknown> = {}) {
  const { data } = await s.owner.octokit.rest.codeScanning.listAlertsForRepo({ owner: s.org, repo: s.repo, per_page: 100, ...query });
  return data;
}

async function alertCount(): Promise<number> {
  const row = await t.server.ctx.db.selectFrom('code_scanning_alerts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('POST /repos/{owner}/{repo}/code-scanning/sarifs (code-scanning/upload-sarif)', () => {
  it('202 with the id and url of the upload; ESLint\'s results become one open alert each', async () => {
    const s = await freshRepo();
    const { log, checkoutUri } = await eslintSarif(FIXTURE);
    const { status, data } = await s.owner.octokit.rest.codeScanning.uploadSarif({ owner: s.org, repo: s.repo, commit_sha: SHA, ref: MAIN, sarif: encodeSarif(log), checkout_uri: checkoutUri });
    assert.equal(status, 202);
    assert.equal(data.url, `${t.url}/repos/${s.org}/${s.repo}/code-scanning/sarifs/${data.id}`);
    assert.equal((await processed(s, data.id!)).processing_status, 'complete');
    const alerts = await alertsOf(s, { sort: 'number', direction: 'asc' });
    assert.deepEqual(alerts.map((a) => [a.number, a.rule.id, a.rule.severity, a.state]), [
      [1, 'no-unused-vars', 'error', 'open'],
      [2, 'eqeqeq', 'warning', 'open'],
      [3, 'no-eval', 'error', 'open'],
    ]);
    assert.equal(alerts[0].tool.name, 'ESLint');
    assert.deepEqual(alerts[0].most_recent_instance.location, { path: 'app.js', start_line: 2, end_line: 2, start_column: 9, end_column: 15 });
    assert.equal(alerts[0].most_recent_instance.ref, MAIN);
  });

  it('400 when `sarif` is not base64, or not gzip data', async () => {
    const s = await freshRepo();
    await rejectsWith(400, () => upload(s, 'not base64 at all!'));
    await rejectsWith(400, () => upload(s, Buffer.from('{"version":"2.1.0"}').toString('base64')));
  });

  it('413 when the compressed file is over 10 MB', async () => {
    const s = await freshRepo();
    // Random bytes after a gzip header: 10 MB + 1 that do not compress.
    const oversized = Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(10 * 1024 * 1024 - 1)]).toString('base64');
    await rejectsWith(413, () => upload(s, oversized));
    assert.equal(await t.server.ctx.db.selectFrom('code_scanning_sarif_uploads').select('id').where('sarif', '=', oversized).executeTakeFirst(), undefined);
  });

  it('422 when `ref` is not a full Git reference', async () => {
    const s = await freshRepo();
    await rejectsWith(422, () => upload(s, encodeSarif(syntheticSarif(1)), { ref: 'main' }));
  });

  it('403 for a member with read access only; 404 for an outsider and for a repository that does not exist', async () => {
    const s = await freshRepo();
    const sarif = encodeSarif(syntheticSarif(1));
    const body = { owner: s.org, repo: s.repo, commit_sha: SHA, ref: MAIN, sarif };
    await rejectsWith(403, () => s.member.octokit.rest.codeScanning.uploadSarif(body));
    const outsider = await t.createUser(`cs-outsider-${orgCount}`);
    await rejectsWith(404, () => outsider.octokit.rest.codeScanning.uploadSarif(body));
    await rejectsWith(404, () => s.owner.octokit.rest.codeScanning.uploadSarif({ ...body, repo: 'missing' }));
  });

  it('a member with write access through the base permission may upload', async () => {
    const s = await freshRepo();
    await s.owner.octokit.rest.orgs.update({ org: s.org, default_repository_permission: 'write' });
    const { status } = await s.member.octokit.rest.codeScanning.uploadSarif({ owner: s.org, repo: s.repo, commit_sha: SHA, ref: MAIN, sarif: encodeSarif(syntheticSarif(1)) });
    assert.equal(status, 202);
  });
});

describe('GET /repos/{owner}/{repo}/code-scanning/sarifs/{sarif_id} (code-scanning/get-sarif)', () => {
  it('complete with an analyses_url once processed', async () => {
    const s = await freshRepo();
    const id = await upload(s, encodeSarif(syntheticSarif(3)));
    const status = await processed(s, id);
    assert.equal(status.processing_status, 'complete');
    assert.equal(status.analyses_url, `${t.url}/repos/${s.org}/${s.repo}/code-scanning/analyses?sarif_id=${id}`);
    assert.equal(status.errors, null);
  });

  it('failed with an error, and nothing written, for a file that is not valid SARIF', async () => {
    const s = await freshRepo();
    const before = await alertCount();
    const notJson = await processed(s, await upload(s, encodeSarif('{"version": "2.1.0", "runs": [')));
    assert.equal(notJson.processing_status, 'failed');
    assert.match(notJson.errors![0], /not valid JSON/);
    const noTool = await processed(s, await upload(s, encodeSarif({ version: '2.1.0', runs: [{ results: [] }] })));
    assert.equal(noTool.processing_status, 'failed');
    assert.match(noTool.errors![0], /tool\.driver requires property "name"/);
    const truncated = encodeSarif(syntheticSarif(50)).slice(0, 200);
    const broken = await processed(s, await upload(s, truncated));
    assert.equal(broken.processing_status, 'failed');
    assert.equal(await alertCount(), before);
  });

  it('failed with GitHub\'s limit errors, nothing written, over 20 runs or 25,000 results in a run', async () => {
    const s = await freshRepo();
    const before = await alertCount();
    const runs = await processed(s, await upload(s, encodeSarif(syntheticSarif(1, { runs: 21 }))));
    assert.equal(runs.processing_status, 'failed');
    assert.match(runs.errors![0], /^Analysis SARIF file rejected due to run limits/);
    const results = await processed(s, await upload(s, encodeSarif(syntheticSarif(25_001))));
    assert.equal(results.processing_status, 'failed');
    assert.match(results.errors![0], /^Analysis SARIF file rejected due to result limits/);
    assert.equal(await alertCount(), before);
  });

  it('403 for a member with read access only', async () => {
    const s = await freshRepo();
    const id = await upload(s, encodeSarif(syntheticSarif(1)));
    await rejectsWith(403, () => s.member.octokit.rest.codeScanning.getSarif({ owner: s.org, repo: s.repo, sarif_id: id }));
  });

  it('failed, after 5 claims, for an upload its processing kept failing on (crashes and faults of ours are not retried forever)', async () => {
    const s = await freshRepo();
    const { db } = t.server.ctx;
    const org = await db.selectFrom('accounts').select('id').where('login', '=', s.org).executeTakeFirstOrThrow();
    const repo = await db.selectFrom('repositories').select('id').where('org_id', '=', org.id).where('name', '=', s.repo).executeTakeFirstOrThrow();
    // As five processes that died (or failed) mid-way leave it: pending, unclaimed, claimed five times.
    await db
      .insertInto('code_scanning_sarif_uploads')
      .values({ repository_id: repo.id, guid: `given-up-${s.org}`, commit_sha: SHA, ref: MAIN, category: null, tool_name: null, checkout_uri: null, sarif: 'H4sI', uploader_id: null, state: 'pending', claimed_until: null, attempts: 5, errors: null, created_at: '2026-01-01T00:00:00Z', processed_at: null })
      .execute();
    const status = await processed(s, `given-up-${s.org}`);
    assert.equal(status.processing_status, 'failed');
    assert.deepEqual(status.errors, ['The SARIF file could not be processed (5 attempts failed).']);
  });

  it('404 for an id that names no upload of this repository', async () => {
    const s = await freshRepo();
    await rejectsWith(404, () => s.owner.octokit.rest.codeScanning.getSarif({ owner: s.org, repo: s.repo, sarif_id: 'no-such-upload' }));
  });
});

describe('re-uploading the same tool, category and ref', () => {
  it('fixes the alert whose result is gone, keeps a dismissed one dismissed, and reopens a fixed one that comes back', async (test) => {
    const s = await freshRepo();
    const receiver = await hookedReceiver(test, s.owner, s.org, ['code_scanning_alert']);
    await uploadEslint(s, FIXTURE);
    // The hook's creation ping, then one `created` per alert.
    const created = (await receiver.waitFor(4)).filter((d) => d.event === 'code_scanning_alert');
    // Deliveries are sent concurrently: their arrival order is not the recording order.
    assert.deepEqual(created.map((d) => [d.action, d.payload.alert.number]).sort(), [['created', 1], ['created', 2], ['created', 3]]);
    await s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 3, state: 'dismissed', dismissed_reason: 'used in tests' });

    await uploadEslint(s, FIXED_FIXTURE);
    const byNumber = Object.fromEntries((await alertsOf(s)).map((a) => [a.number, a]));
    assert.equal(byNumber[1].state, 'open');
    assert.equal(byNumber[2].state, 'fixed');
    assert.equal(byNumber[2].fixed_at, t.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.equal(byNumber[3].state, 'dismissed', 'a dismissed alert stays dismissed');
    const fixed = await receiver.waitFor((d) => d.action === 'fixed');
    assert.equal(fixed.payload.alert.number, 2);
    assert.equal(fixed.payload.ref, MAIN);
    assert.equal(fixed.payload.commit_oid, SHA);

    await uploadEslint(s, FIXTURE);
    const again = await s.owner.octokit.rest.codeScanning.getAlert({ owner: s.org, repo: s.repo, alert_number: 2 });
    assert.equal(again.data.state, 'open');
    assert.equal(again.data.fixed_at, null);
    assert.equal((await receiver.waitFor((d) => d.action === 'reopened')).payload.alert.number, 2);
    assert.equal((await alertsOf(s)).length, 3, 'no alert was made twice');
    assert.deepEqual((await auditEvents(t, { org: s.org })).filter((e) => e.action.startsWith('code_scanning_alert.')).map((e) => e.action), [
      'code_scanning_alert.create', 'code_scanning_alert.create', 'code_scanning_alert.create',
      'code_scanning_alert.dismiss', 'code_scanning_alert.fix', 'code_scanning_alert.reintroduce',
    ]);
  });

  it('leaves alerts of another ref, tool or category open', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    await uploadEslint(s, { 'app.js': 'export const clean = 1;\n' }, { ref: 'refs/heads/feature' });
    assert.deepEqual((await alertsOf(s)).map((a) => a.state), ['open', 'open', 'open']);
    const other = await processed(s, await upload(s, encodeSarif(syntheticSarif(2)), { category: 'synthetic' }));
    assert.equal(other.processing_status, 'complete');
    assert.equal((await alertsOf(s, { state: 'open' })).length, 5);
  });

  it('identifies results by their partialFingerprints when given, wherever they moved', async () => {
    const s = await freshRepo();
    const log = syntheticSarif(2);
    log.runs[0].results!.forEach((r, i) => (r.partialFingerprints = { primaryLocationLineHash: `hash-${i}` }));
    await processed(s, await upload(s, encodeSarif(log)));
    log.runs[0].results!.forEach((r) => (r.locations![0].physicalLocation!.region!.startLine! += 10));
    await processed(s, await upload(s, encodeSarif(log)));
    const alerts = await alertsOf(s);
    assert.deepEqual(alerts.map((a) => [a.state, a.most_recent_instance.location?.start_line]), [['open', 12], ['open', 11]]);
  });
});

describe('GET /repos/{owner}/{repo}/code-scanning/alerts (code-scanning/list-alerts-for-repo)', () => {
  it('filters by state, severity and tool; sorts; pages with Link', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    await processed(s, await upload(s, encodeSarif(syntheticSarif(2, { securitySeverity: '9.5' }))));
    assert.deepEqual((await alertsOf(s)).map((a) => a.number), [5, 4, 3, 2, 1]);
    assert.deepEqual((await alertsOf(s, { direction: 'asc' })).map((a) => a.number), [1, 2, 3, 4, 5]);
    assert.deepEqual((await alertsOf(s, { tool_name: 'ESLint' })).map((a) => a.number), [3, 2, 1]);
    assert.deepEqual((await alertsOf(s, { severity: 'critical' } as never)).map((a) => [a.number, a.rule.security_severity_level]), [[5, 'critical'], [4, 'critical']]);
    assert.deepEqual((await alertsOf(s, { severity: 'error' } as never)).map((a) => a.number), [3, 1]);
    await s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 1, state: 'dismissed', dismissed_reason: 'false positive' });
    assert.deepEqual((await alertsOf(s, { state: 'dismissed' })).map((a) => a.number), [1]);
    assert.deepEqual((await alertsOf(s, { state: 'open' })).map((a) => a.number), [5, 4, 3, 2]);
    const first = await s.owner.octokit.rest.codeScanning.listAlertsForRepo({ owner: s.org, repo: s.repo, per_page: 2 });
    assert.deepEqual(first.data.map((a) => a.number), [5, 4]);
    const next = parseLink(first.headers.link).next;
    assert.ok(next);
    const second = await s.owner.octokit.request(`GET ${new URL(next).pathname}${new URL(next).search}`);
    assert.deepEqual((second.data as { number: number }[]).map((a) => a.number), [3, 2]);
  });

  it('304 for an If-None-Match of the list as it is', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    const { headers } = await s.owner.octokit.rest.codeScanning.listAlertsForRepo({ owner: s.org, repo: s.repo });
    await rejectsWith(304, () => s.owner.octokit.rest.codeScanning.listAlertsForRepo({ owner: s.org, repo: s.repo, headers: { 'if-none-match': headers.etag } }));
  });

  it('403 for a member with read access only; 404 for an outsider', async () => {
    const s = await freshRepo();
    await rejectsWith(403, () => s.member.octokit.rest.codeScanning.listAlertsForRepo({ owner: s.org, repo: s.repo }));
    const outsider = await t.createUser(`cs-lister-${orgCount}`);
    await rejectsWith(404, () => outsider.octokit.rest.codeScanning.listAlertsForRepo({ owner: s.org, repo: s.repo }));
  });

  it('403 for a classic token without security_events, repo or public_repo', async () => {
    const s = await freshRepo();
    const readOrg = await t.request('POST', `/admin/users/${s.owner.login}/authorizations`, { token: t.admin.token, body: { scopes: ['read:org'] } });
    await rejectsWith(403, () => t.octokit(readOrg.body.token as string).rest.codeScanning.listAlertsForRepo({ owner: s.org, repo: s.repo }));
  });
});

describe('GET /repos/{owner}/{repo}/code-scanning/alerts/{alert_number} (code-scanning/get-alert)', () => {
  it('200 with the alert, its rule and most recent instance', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    const { data } = await s.owner.octokit.rest.codeScanning.getAlert({ owner: s.org, repo: s.repo, alert_number: 3 });
    assert.equal(data.rule.id, 'no-eval');
    assert.equal(data.rule.description, 'Disallow the use of `eval()`');
    assert.equal(data.rule.help_uri, 'https://eslint.org/docs/latest/rules/no-eval');
    assert.equal(data.most_recent_instance.message?.text, 'eval can be harmful.');
    assert.equal(data.html_url, `${t.url}/${s.org}/${s.repo}/security/code-scanning/3`);
  });

  it('304 for an If-None-Match of the alert as it is; a change gives a new ETag', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    const { headers } = await s.owner.octokit.rest.codeScanning.getAlert({ owner: s.org, repo: s.repo, alert_number: 1 });
    const conditional = { owner: s.org, repo: s.repo, alert_number: 1, headers: { 'if-none-match': headers.etag } };
    await rejectsWith(304, () => s.owner.octokit.rest.codeScanning.getAlert(conditional));
    await s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 1, state: 'dismissed', dismissed_reason: 'false positive' });
    assert.equal((await s.owner.octokit.rest.codeScanning.getAlert(conditional)).data.state, 'dismissed');
  });

  it('403 for a member with read access only', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    await rejectsWith(403, () => s.member.octokit.rest.codeScanning.getAlert({ owner: s.org, repo: s.repo, alert_number: 1 }));
  });

  it('404 for a number that names no alert', async () => {
    const s = await freshRepo();
    await rejectsWith(404, () => s.owner.octokit.rest.codeScanning.getAlert({ owner: s.org, repo: s.repo, alert_number: 99 }));
    await rejectsWith(404, () => s.owner.octokit.request('GET /repos/{owner}/{repo}/code-scanning/alerts/{alert_number}', { owner: s.org, repo: s.repo, alert_number: 'abc' as never }));
  });
});

describe('PATCH /repos/{owner}/{repo}/code-scanning/alerts/{alert_number} (code-scanning/update-alert)', () => {
  it('dismisses with a reason and comment, and reopens; delivered as closed_by_user and reopened_by_user', async (test) => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    const receiver = await hookedReceiver(test, s.owner, s.org, ['code_scanning_alert']);
    const { data } = await s.owner.octokit.rest.codeScanning.updateAlert({
      owner: s.org, repo: s.repo, alert_number: 1, state: 'dismissed', dismissed_reason: "won't fix", dismissed_comment: 'Kept on purpose',
    });
    assert.equal(data.state, 'dismissed');
    assert.equal(data.dismissed_by?.login, s.owner.login);
    assert.equal(data.dismissed_reason, "won't fix");
    assert.equal(data.dismissed_comment, 'Kept on purpose');
    const closed = await receiver.waitFor((d) => d.action === 'closed_by_user');
    assert.equal(closed.payload.alert.dismissed_by.login, s.owner.login);
    assert.equal(closed.payload.ref, '');
    const reopened = await s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 1, state: 'open' });
    assert.equal(reopened.data.state, 'open');
    assert.equal(reopened.data.dismissed_by, null);
    await receiver.waitFor((d) => d.action === 'reopened_by_user');
  });

  it('400 when dismissing without a reason', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    await rejectsWith(400, () => s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 1, state: 'dismissed' }));
  });

  it('sets and clears assignees (org members); 400 for a login that is not a member', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    const { data } = await s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 2, assignees: [s.member.login] } as never);
    assert.deepEqual(data.assignees?.map((u) => u.login), [s.member.login]);
    const outsider = await t.createUser(`cs-assignee-${orgCount}`);
    await rejectsWith(400, () => s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 2, assignees: [outsider.login] } as never));
    const cleared = await s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 2, assignees: [] } as never);
    assert.deepEqual(cleared.data.assignees, []);
  });

  it('400 for a fixed alert: fixing is the analysis\' to undo', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    await uploadEslint(s, FIXED_FIXTURE);
    await rejectsWith(400, () => s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 2, state: 'dismissed', dismissed_reason: 'false positive' }));
  });

  it('422 for a state that is not open or dismissed; 404 for an unknown alert; 403 for a reader', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    await rejectsWith(422, () => s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 1, state: 'fixed' as never }));
    await rejectsWith(404, () => s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 42, state: 'open' }));
    await rejectsWith(403, () => s.member.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 1, state: 'open' }));
  });
});

describe('GET /orgs/{org}/code-scanning/alerts (code-scanning/list-alerts-for-org)', () => {
  it('lists every repository\'s alerts, newest first, with the repository; `page` numbers pages', async () => {
    const s = await freshRepo();
    await s.owner.octokit.rest.repos.createInOrg({ org: s.org, name: 'lib' });
    await uploadEslint(s, FIXTURE);
    const lib = { ...s, repo: 'lib' };
    await processed(lib, await upload(lib, encodeSarif(syntheticSarif(3))));
    const all = await s.owner.octokit.rest.codeScanning.listAlertsForOrg({ org: s.org, per_page: 100 });
    assert.deepEqual(all.data.map((a) => `${a.repository.name}#${a.number}`), ['lib#3', 'lib#2', 'lib#1', 'app#3', 'app#2', 'app#1']);
    const page2 = await s.owner.octokit.rest.codeScanning.listAlertsForOrg({ org: s.org, per_page: 2, page: 2 });
    assert.deepEqual(page2.data.map((a) => `${a.repository.name}#${a.number}`), ['lib#1', 'app#3']);
    const links = parseLink(page2.headers.link);
    assert.equal(new URL(links.next).searchParams.get('page'), '3');
  });

  it('pages with the `after` cursor of its Link header, and back with `before`', async () => {
    const s = await freshRepo();
    await processed(s, await upload(s, encodeSarif(syntheticSarif(5))));
    const numbers = (data: unknown) => (data as { number: number }[]).map((a) => a.number);
    const follow = (link: string) => s.owner.octokit.request(`GET ${new URL(link).pathname}${new URL(link).search}`);
    const first = await s.owner.octokit.rest.codeScanning.listAlertsForOrg({ org: s.org, per_page: 2 });
    assert.deepEqual(numbers(first.data), [5, 4]);
    assert.equal(parseLink(first.headers.link).prev, undefined);
    const second = await follow(parseLink(first.headers.link).next);
    assert.deepEqual(numbers(second.data), [3, 2]);
    const third = await follow(parseLink(second.headers.link).next);
    assert.deepEqual(numbers(third.data), [1]);
    assert.equal(parseLink(third.headers.link).next, undefined, 'no next link on the last page');
    const back = await follow(parseLink(third.headers.link).prev);
    assert.deepEqual(numbers(back.data), [3, 2]);
    const start = await follow(parseLink(back.headers.link).prev);
    assert.deepEqual(numbers(start.data), [5, 4]);
    assert.equal(parseLink(start.headers.link).prev, undefined, 'nothing before the newest');
    const updated = await s.owner.octokit.rest.codeScanning.listAlertsForOrg({ org: s.org, per_page: 2, sort: 'updated', direction: 'asc' });
    assert.deepEqual(numbers((await follow(parseLink(updated.headers.link).next)).data), [3, 4]);
  });

  it('filters by state and assignees (`*`, `none`, logins)', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    await s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 1, assignees: [s.member.login] } as never);
    await s.owner.octokit.rest.codeScanning.updateAlert({ owner: s.org, repo: s.repo, alert_number: 2, state: 'dismissed', dismissed_reason: 'false positive' });
    const list = async (query: Record<string, string>) =>
      (await s.owner.octokit.request('GET /orgs/{org}/code-scanning/alerts', { org: s.org, ...query })).data.map((a: { number: number }) => a.number);
    assert.deepEqual(await list({ state: 'open' }), [3, 1]);
    assert.deepEqual(await list({ state: 'closed' }), [2]);
    assert.deepEqual(await list({ assignees: '*' }), [1]);
    assert.deepEqual(await list({ assignees: 'none' }), [3, 2]);
    assert.deepEqual(await list({ assignees: s.member.login }), [1]);
  });

  it('a security manager (directly or through a team) lists them; a plain member gets 404', async () => {
    const s = await freshRepo();
    await uploadEslint(s, FIXTURE);
    await rejectsWith(404, () => s.member.octokit.rest.codeScanning.listAlertsForOrg({ org: s.org }));
    await s.owner.octokit.request('PUT /orgs/{org}/organization-roles/users/{username}/{role_id}', { org: s.org, username: s.member.login, role_id: SECURITY_MANAGER_ROLE_ID });
    const { data } = await s.member.octokit.rest.codeScanning.listAlertsForOrg({ org: s.org });
    assert.equal(data.length, 3);
    const viaTeam = await t.createUser(`cs-team-sm-${orgCount}`);
    await addMember(s.owner, s.org, viaTeam);
    await s.owner.octokit.rest.teams.create({ org: s.org, name: 'security' });
    await s.owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org: s.org, team_slug: 'security', username: viaTeam.login });
    await s.owner.octokit.request('PUT /orgs/{org}/organization-roles/teams/{team_slug}/{role_id}', { org: s.org, team_slug: 'security', role_id: SECURITY_MANAGER_ROLE_ID });
    assert.equal((await viaTeam.octokit.rest.codeScanning.listAlertsForOrg({ org: s.org })).data.length, 3);
    // A security manager also reads each repository's alerts.
    assert.equal((await viaTeam.octokit.rest.codeScanning.listAlertsForRepo({ owner: s.org, repo: s.repo })).data.length, 3);
  });

  it('400 for a cursor this server did not make', async () => {
    const s = await freshRepo();
    await rejectsWith(400, () => s.owner.octokit.rest.codeScanning.listAlertsForOrg({ org: s.org, after: 'garbage!' }));
  });
});

describe(`SARIF processing on a ${suiteStore} database that outlives its process`, () => {
  const databases: FreshDatabase[] = [];
  after(async () => {
    await stopAllProcesses();
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('uploads recorded by two processes are each processed once, by one of them; numbers stay unique and gapless', { timeout: 120_000 }, async () => {
    const database = await freshDatabase();
    databases.push(database);
    const env = { ORGHUB_SARIF_POLL_MS: '20' };
    const processes = [await startOrghubOn(database.url, env), await startOrghubOn(database.url, env)];
    const { login: org } = await processes[0].api.createOrg('shared-org');
    assert.equal((await processes[0].api.request('POST', `/orgs/${org}/repos`, { token: ADMIN_TOKEN, body: { name: 'shared' } })).status, 201);
    const UPLOADS = 8;
    const RESULTS_EACH = 300;
    const ids = await Promise.all(Array.from({ length: UPLOADS }, async (_, i) => {
      const answer = await processes[i % 2].api.request('POST', `/repos/${org}/shared/code-scanning/sarifs`, {
        token: ADMIN_TOKEN,
        body: { commit_sha: SHA, ref: MAIN, category: `part-${i}`, sarif: encodeSarif(syntheticSarif(RESULTS_EACH)) },
      });
      assert.equal(answer.status, 202, answer.text);
      return answer.body.id as string;
    }));
    for (const id of ids) {
      const status = await waitUntil(async () => {
        const got = await processes[1].api.request('GET', `/repos/${org}/shared/code-scanning/sarifs/${id}`, { token: ADMIN_TOKEN });
        return got.body.processing_status !== 'pending' && got.body;
      }, `upload ${id} processed`, 60_000);
      assert.equal(status.processing_status, 'complete');
    }
    const store = openStore(database.url);
    try {
      const numbers = (await store.db.selectFrom('code_scanning_alerts').select('number').orderBy('number').execute()).map((r) => r.number);
      assert.deepEqual(numbers, Array.from({ length: UPLOADS * RESULTS_EACH }, (_, i) => i + 1));
      const created = await store.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'code_scanning_alert.create').executeTakeFirstOrThrow();
      assert.equal(Number(created.n), UPLOADS * RESULTS_EACH, 'each alert was created once');
    } finally {
      await store.close();
    }
  });

  it('an upload whose process is SIGKILLed mid-processing leaves nothing written, and completes after the restart', { timeout: 120_000 }, async () => {
    const database = await freshDatabase();
    databases.push(database);
    // A short lease: the restarted process takes the killed one's claim over once it lapses.
    const env = { ORGHUB_SARIF_LEASE_MS: '1500', ORGHUB_SARIF_POLL_MS: '50' };
    const first = await startOrghubOn(database.url, env);
    const { login: org } = await first.api.createOrg('killed-org');
    const created = await first.api.request('POST', `/orgs/${org}/repos`, { token: ADMIN_TOKEN, body: { name: 'big' } });
    assert.equal(created.status, 201, created.text);
    const store = openStore(database.url);
    try {
      const answer = await first.api.request('POST', `/repos/${org}/big/code-scanning/sarifs`, {
        token: ADMIN_TOKEN,
        body: { commit_sha: SHA, ref: MAIN, sarif: encodeSarif(syntheticSarif(25_000)) },
      });
      assert.equal(answer.status, 202, answer.text);
      // Killed as soon as its processing has begun (the claim is the first thing it writes).
      await waitUntil(async () => {
        const row = await store.db.selectFrom('code_scanning_sarif_uploads').select('claimed_until').executeTakeFirst();
        return row?.claimed_until !== null;
      }, 'the upload claimed', 30_000);
      await first.kill();
      const pending = await store.db.selectFrom('code_scanning_sarif_uploads').select('state').executeTakeFirstOrThrow();
      assert.equal(pending.state, 'pending', 'the killed process did not finish it');
      const written = await store.db.selectFrom('code_scanning_alerts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(written.n), 0, 'nothing of the interrupted processing was kept');

      const restarted = await startOrghubOn(database.url, env);
      const status = await waitUntil(async () => {
        const got = await restarted.api.request('GET', `/repos/${org}/big/code-scanning/sarifs/${answer.body.id}`, { token: ADMIN_TOKEN });
        return got.body.processing_status !== 'pending' && got.body;
      }, 'the upload processed after the restart', 60_000);
      assert.equal(status.processing_status, 'complete');
      const alerts = await store.db.selectFrom('code_scanning_alerts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(alerts.n), 25_000);
      const numbers = await store.db.selectFrom('code_scanning_alerts').select((eb) => [eb.fn.min('number').as('low'), eb.fn.max('number').as('high')]).executeTakeFirstOrThrow();
      assert.deepEqual([Number(numbers.low), Number(numbers.high)], [1, 25_000], 'numbered once, from 1, without gaps');
    } finally {
      await store.close();
    }
  });
});
