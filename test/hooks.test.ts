import assert from 'node:assert/strict';
import net, { type LookupFunction } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { auditEvents, parseLink, rejectsWith } from './support/foundation.js';
import { addMember, block } from './support/membership.js';
import { tokenFor } from './support/people.js';
import type { TestServer, TestUser } from './support/server.js';
import {
  deliveryRows,
  installConnectGuard,
  orgFactory,
  startReceiver,
  useGuardedServer,
  waitForAttempts,
  type ReceivedDelivery,
  type Receiver,
} from './support/webhooks.js';

/** Name resolution the engine is given: `metadata.test` is a cloud metadata endpoint, every other name loopback. */
const testLookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  const address = hostname === 'metadata.test' ? '169.254.169.254' : '127.0.0.1';
  if (options.all) callback(null, [{ address, family: 4 }]);
  else callback(null, address, 4);
}) as unknown as LookupFunction;

let t: TestServer;
let guard: ReturnType<typeof installConnectGuard>;
useGuardedServer({ webhooks: { pollMs: 20, lookup: testLookup } }, (server, connectGuard) => {
  t = server;
  guard = connectGuard;
});

/** A new org owned by a new user whose token has every scope (admin:org_hook among them). */
const freshOrg = orgFactory(() => t, 'hk');

/** A receiver closed (and checked for bad deliveries) when the test ends. */
async function receiver(test: TestContext, options?: { secret?: string | null }): Promise<Receiver> {
  const started = await startReceiver(options);
  test.after(() => started.close());
  return started;
}

/**
 * `PATCH …/config` sent raw: Octokit takes a `url` parameter for the request's own URL, so
 * `orgs.updateWebhookConfigForOrg({ url })` cannot send one. The answer is still checked against the contract.
 */
async function patchConfig(owner: TestUser, org: string, hookId: number, body: Record<string, unknown>) {
  const response = await t.request('PATCH', `/orgs/${org}/hooks/${hookId}/config`, { token: owner.token, body });
  assert.equal(response.status, 200, response.text);
  return response.body;
}

type HookConfig = { url: string; content_type?: string; secret?: string; insecure_ssl?: string | number };

/** A hook on `at` (a receiver and a path under it) signed with the receiver's secret, sending JSON unless told. */
async function hookOn(owner: TestUser, org: string, at: { receiver: Receiver; path: string }, extra: { events?: string[]; active?: boolean; config?: Partial<HookConfig> } = {}) {
  const { receiver: r, path } = at;
  const config = { url: r.url + path, content_type: 'json', ...(r.secret ? { secret: r.secret } : {}), ...extra.config };
  const { data } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config, events: extra.events ?? ['*'], active: extra.active });
  return data;
}

const fromPath = (path: string) => (d: ReceivedDelivery) => d.path === path;
const counts = async (orgId: number) => ({
  hooks: (await t.server.ctx.db.selectFrom('hooks').select('id').where('org_id', '=', orgId).execute()).length,
  deliveries: (await t.server.ctx.db.selectFrom('hook_deliveries').select('id').where('target_id', '=', orgId).execute()).length,
  hookEvents: (await auditEvents(t, {})).filter((e) => e.org_id === orgId && e.action.startsWith('hook.')).length,
});

/** Sends each body and expects a 422 in GitHub's shape for every one. */
async function expect422s(method: string, path: string, token: string, bodies: unknown[]) {
  for (const body of bodies) {
    const response = await t.request(method, path, { token, body });
    assert.equal(response.status, 422, `${JSON.stringify(body)} → ${response.status} ${response.text}`);
    assert.equal(typeof response.body.message, 'string');
    assert.equal(typeof response.body.documentation_url, 'string');
    assert.ok(Array.isArray(response.body.errors) && response.body.errors.length > 0, JSON.stringify(body));
  }
}

describe('POST /orgs/{org}/hooks (orgs/create-webhook)', () => {
  it('201 org-hook with Location; defaults: events ["push"], active, content_type form, insecure_ssl "0"; records hook.create', async () => {
    const { owner, org } = await freshOrg();
    const response = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/defaults' } });
    assert.equal(response.status, 201);
    const hook = response.data;
    assert.equal(response.headers.location, `${t.url}/orgs/${org}/hooks/${hook.id}`);
    assert.deepEqual(hook.events, ['push']);
    assert.equal(hook.active, true);
    assert.equal(hook.name, 'web');
    assert.equal(hook.type, 'Organization');
    assert.deepEqual(hook.config, { url: 'http://127.0.0.1:9/defaults', content_type: 'form', insecure_ssl: '0' });
    assert.equal(hook.ping_url, `${t.url}/orgs/${org}/hooks/${hook.id}/pings`);
    assert.equal(hook.deliveries_url, `${t.url}/orgs/${org}/hooks/${hook.id}/deliveries`);
    const [event] = await auditEvents(t, { action: 'hook.create', org });
    assert.equal(event.actor, owner.login);
    assert.equal(event.data?.hook_id, hook.id);
  });

  it('pings the new hook, and only it: signed JSON with the hook, the org and the sender', async (test) => {
    const { owner, org, orgId } = await freshOrg();
    const r = await receiver(test);
    const first = await hookOn(owner, org, { receiver: r, path: '/first' });
    const second = await hookOn(owner, org, { receiver: r, path: '/second' }, { events: ['team'] });
    const pings = await r.waitFor(2);
    for (const [hook, path] of [[first, '/first'], [second, '/second']] as const) {
      const ping = pings.find(fromPath(path))!;
      assert.equal(ping.event, 'ping');
      assert.equal(ping.hookId, hook.id);
      assert.equal(ping.targetId, orgId);
      assert.equal(ping.contentType, 'json');
      assert.equal(ping.payload.hook_id, hook.id);
      assert.equal(ping.payload.hook.id, hook.id);
      assert.deepEqual(ping.payload.hook.events, hook.events);
      assert.equal(ping.payload.hook.config.secret, '********');
      assert.equal(typeof ping.payload.zen, 'string');
      assert.equal(ping.payload.organization.login, org);
      assert.equal(ping.payload.sender.login, owner.login);
    }
    assert.equal((await deliveryRows(t, first.id)).length, 1);
    assert.equal((await deliveryRows(t, second.id)).length, 1);
  });

  it('content_type form: the body is payload=<urlencoded JSON>, signed over the raw body', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    await hookOn(owner, org, { receiver: r, path: '/form' }, { config: { content_type: 'form' } });
    const [ping] = await r.waitFor(1);
    assert.equal(ping.contentType, 'form');
    assert.equal(ping.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.ok(ping.rawBody.startsWith('payload=%7B'));
    assert.equal(ping.payload.hook.config.content_type, 'form');
  });

  it('a hook without a secret gets unsigned deliveries; insecure_ssl may be sent as a number, stored as a string', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test, { secret: null });
    const hook = await hookOn(owner, org, { receiver: r, path: '/unsigned' }, { config: { insecure_ssl: 1 } });
    assert.equal(hook.config.insecure_ssl, '1');
    assert.equal(hook.config.secret, undefined);
    const [ping] = await r.waitFor(1);
    assert.equal(ping.payload.hook.config.insecure_ssl, '1');
  });

  it('an inactive hook is not pinged', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const inactive = await hookOn(owner, org, { receiver: r, path: '/inactive' }, { active: false });
    assert.equal(inactive.active, false);
    await hookOn(owner, org, { receiver: r, path: '/active' });
    await r.waitFor(fromPath('/active'));
    assert.deepEqual(r.deliveries.filter(fromPath('/inactive')), []);
    assert.deepEqual(await deliveryRows(t, inactive.id), []);
  });

  it('"*" subscribes to every event; events are kept once each, in the order given', async () => {
    const { owner, org } = await freshOrg();
    const { data } = await owner.octokit.rest.orgs.createWebhook({
      org,
      name: 'web',
      config: { url: 'http://127.0.0.1:9/events' },
      events: ['team', 'membership', 'team'],
      active: false,
    });
    assert.deepEqual(data.events, ['team', 'membership']);
  });

  it('422 for each bad field (name other than "web", no config or url, a URL that is not absolute http(s), content_type, insecure_ssl, unknown events, wrong types); nothing written', async () => {
    const { owner, org, orgId } = await freshOrg();
    const before = await counts(orgId);
    const url = 'http://127.0.0.1:9/bad';
    await expect422s('POST', `/orgs/${org}/hooks`, owner.token, [
      { config: { url } },
      { name: 'email', config: { url } },
      { name: 'web' },
      { name: 'web', config: {} },
      { name: 'web', config: { url: 'not a url' } },
      { name: 'web', config: { url: 'ftp://127.0.0.1/x' } },
      { name: 'web', config: { url: 'mailto:hooks@example.test' } },
      { name: 'web', config: { url: '/relative' } },
      { name: 'web', config: { url, content_type: 'xml' } },
      { name: 'web', config: { url, insecure_ssl: '2' } },
      { name: 'web', config: { url, insecure_ssl: 1.5 } },
      { name: 'web', config: { url, insecure_ssl: true } },
      { name: 'web', config: { url, secret: 5 } },
      { name: 'web', config: { url }, events: ['push', 'not_an_event'] },
      { name: 'web', config: { url }, events: 'push' },
      { name: 'web', config: { url }, active: 'yes' },
    ]);
    const unknown = await t.request('POST', `/orgs/${org}/hooks`, { token: owner.token, body: { name: 'web', config: { url }, events: ['nope'] } });
    assert.deepEqual(unknown.body.errors, [{ resource: 'Hook', field: 'events', code: 'invalid', message: '"nope" is not a valid event name', value: 'nope' }]);
    assert.deepEqual(await counts(orgId), before);
  });

  it('at most 20 hooks per event (GitHub: "You can create up to 20 webhooks for each event"): the 21st is a 422 naming the event', async () => {
    const { owner, org } = await freshOrg();
    for (let i = 1; i <= 20; i++) {
      await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: `http://127.0.0.1:9/push-${i}` }, events: ['push'], active: i % 2 === 0 });
    }
    const full = [{ resource: 'Hook', code: 'custom', message: 'The "push" event cannot have more than 20 hooks' }];
    const refused = await rejectsWith(422, () => owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/push-21' }, events: ['push'] }));
    assert.equal(refused.response?.data.message, 'Validation Failed');
    assert.deepEqual(refused.response?.data.errors, full);
    const every = await rejectsWith(422, () => owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/all' }, events: ['*'] }));
    assert.deepEqual(every.response?.data.errors, full);
    const { data: team } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/team' }, events: ['team'], active: false });
    const moved = await rejectsWith(422, () => owner.octokit.rest.orgs.updateWebhook({ org, hook_id: team.id, events: ['team', 'push'] }));
    assert.deepEqual(moved.response?.data.errors, full);
    assert.equal((await owner.octokit.rest.orgs.listWebhooks({ org, per_page: 100 })).data.length, 21);
  });

  it('422 "Hook already exists on this organization" for a second hook with the same URL (another org may have it)', async () => {
    const { owner, org } = await freshOrg();
    const config = { url: 'http://127.0.0.1:9/same' };
    await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config, active: false });
    const error = await rejectsWith(422, () => owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config, events: ['team'] }));
    assert.deepEqual(error.response?.data.errors, [{ resource: 'Hook', code: 'custom', message: 'Hook already exists on this organization' }]);
    const other = await freshOrg();
    assert.equal((await other.owner.octokit.rest.orgs.createWebhook({ org: other.org, name: 'web', config, active: false })).status, 201);
  });
});

describe('GET /orgs/{org}/hooks (orgs/list-webhooks)', () => {
  it('lists the org\'s hooks in creation order, paged with Link headers; secrets masked', async () => {
    const { owner, org } = await freshOrg();
    const created = [];
    for (let i = 1; i <= 5; i++) {
      created.push((await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: `http://127.0.0.1:9/l${i}`, secret: `s3cret-${i}` }, active: false })).data);
    }
    const first = await owner.octokit.rest.orgs.listWebhooks({ org, per_page: 2 });
    assert.equal(new URL(parseLink(first.headers.link).last).searchParams.get('page'), '3');
    const all = await owner.octokit.paginate(owner.octokit.rest.orgs.listWebhooks, { org, per_page: 2 });
    assert.deepEqual(all.map((h) => h.id), created.map((h) => h.id));
    assert.ok(all.every((h) => h.config.secret === '********'));
    const raw = await t.request('GET', `/orgs/${org}/hooks`, { token: owner.token });
    assert.ok(!raw.text.includes('s3cret'));
  });

  it('is empty for an org without hooks', async () => {
    const { owner, org } = await freshOrg();
    assert.deepEqual((await owner.octokit.rest.orgs.listWebhooks({ org })).data, []);
  });
});

describe('GET /orgs/{org}/hooks/{hook_id} (orgs/get-webhook)', () => {
  it('200 org-hook with the secret masked; 404 for an unknown id, another org\'s hook, or an id that is no number', async () => {
    const { owner, org } = await freshOrg();
    const { data: hook } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/get', secret: 'hidden-value' }, active: false });
    const { data } = await owner.octokit.rest.orgs.getWebhook({ org, hook_id: hook.id });
    assert.deepEqual(data, hook);
    assert.equal(data.config.secret, '********');
    const other = await freshOrg();
    await rejectsWith(404, () => other.owner.octokit.rest.orgs.getWebhook({ org: other.org, hook_id: hook.id }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.getWebhook({ org, hook_id: hook.id + 1000 }));
    assert.equal((await t.request('GET', `/orgs/${org}/hooks/abc`, { token: owner.token })).status, 404);
  });
});

describe('PATCH /orgs/{org}/hooks/{hook_id} (orgs/update-webhook)', () => {
  it('config replaces the whole config: what is not sent takes its default, and a secret not sent again is removed (hook.config_changed)', async (test) => {
    const { owner, org } = await freshOrg();
    const signed = await receiver(test);
    const unsigned = await receiver(test, { secret: null });
    const hook = await hookOn(owner, org, { receiver: signed, path: '/replace' }, { config: { insecure_ssl: '1' } });
    await signed.waitFor(1);
    const { data } = await owner.octokit.rest.orgs.updateWebhook({ org, hook_id: hook.id, config: { url: `${unsigned.url}/replaced` } });
    assert.deepEqual(data.config, { url: `${unsigned.url}/replaced`, content_type: 'form', insecure_ssl: '0' });
    assert.deepEqual((await owner.octokit.rest.orgs.getWebhookConfigForOrg({ org, hook_id: hook.id })).data, data.config);
    await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: hook.id });
    const [ping] = await unsigned.waitFor(1);
    assert.equal(ping.contentType, 'form');
    const [changed] = await auditEvents(t, { action: 'hook.config_changed', org });
    assert.equal(changed.data?.hook_id, hook.id);
    assert.equal(changed.data?.config_was.secret, '********');
    assert.equal(changed.data?.config.secret, undefined);
  });

  it('events and active: one audit event for each part that changed; a PATCH that changes nothing records nothing', async () => {
    const { owner, org } = await freshOrg();
    const { data: hook } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/ea' }, events: ['push'], active: false });
    const { data } = await owner.octokit.rest.orgs.updateWebhook({ org, hook_id: hook.id, events: ['team', 'membership'], active: false, name: 'web' });
    assert.deepEqual(data.events, ['team', 'membership']);
    assert.equal(data.active, false);
    assert.deepEqual(data.config, hook.config);
    const [eventsChanged] = await auditEvents(t, { action: 'hook.events_changed', org });
    assert.deepEqual([eventsChanged.data?.events, eventsChanged.data?.events_were], [['team', 'membership'], ['push']]);
    assert.equal((await auditEvents(t, { action: 'hook.active_changed', org })).length, 0);
    t.clock.advance(60_000);
    const reordered = await owner.octokit.rest.orgs.updateWebhook({ org, hook_id: hook.id, events: ['membership', 'team'] });
    assert.equal(reordered.data.updated_at, data.updated_at, 'the same events in another order are no change');
    const { data: activated } = await owner.octokit.rest.orgs.updateWebhook({ org, hook_id: hook.id, active: true });
    assert.equal(activated.active, true);
    assert.notEqual(activated.updated_at, data.updated_at);
    const [activeChanged] = await auditEvents(t, { action: 'hook.active_changed', org });
    assert.deepEqual([activeChanged.data?.active, activeChanged.data?.active_was], [true, false]);
    assert.equal((await t.request('PATCH', `/orgs/${org}/hooks/${hook.id}`, { token: owner.token, body: {} })).status, 200);
    const all = (await auditEvents(t, { org })).filter((e) => e.action.startsWith('hook.'));
    assert.deepEqual(all.map((e) => e.action), ['hook.create', 'hook.events_changed', 'hook.active_changed']);
  });

  it('422 for each bad field; the hook is left as it was; 404 for an unknown hook', async () => {
    const { owner, org, orgId } = await freshOrg();
    const { data: hook } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/patch-bad', secret: 'kept' }, active: false });
    const before = await counts(orgId);
    const url = 'http://127.0.0.1:9/patched';
    await expect422s('PATCH', `/orgs/${org}/hooks/${hook.id}`, owner.token, [
      { name: 'email' },
      { config: {} },
      { config: { url: 'ftp://127.0.0.1/x' } },
      { config: { url, content_type: 'yaml' } },
      { config: { url, insecure_ssl: 'yes' } },
      { events: ['push', 'pushed'] },
      { events: 'push' },
      { active: 1 },
      // A bad part fails the whole PATCH, the good parts included.
      { active: true, events: ['nope'] },
    ]);
    assert.deepEqual((await owner.octokit.rest.orgs.getWebhook({ org, hook_id: hook.id })).data, hook);
    assert.deepEqual(await counts(orgId), before);
    await rejectsWith(404, () => owner.octokit.rest.orgs.updateWebhook({ org, hook_id: hook.id + 1000, active: true }));
  });
});

describe('DELETE /orgs/{org}/hooks/{hook_id} (orgs/delete-webhook)', () => {
  it('204: the hook is gone, hook.destroy recorded, and meta deleted sent to that hook only, showing it as it was', async (test) => {
    const { owner, org, orgId } = await freshOrg();
    const r = await receiver(test);
    const doomed = await hookOn(owner, org, { receiver: r, path: '/doomed' }, { events: ['push', 'team'] });
    const kept = await hookOn(owner, org, { receiver: r, path: '/kept' });
    await r.waitFor(2);
    assert.equal((await owner.octokit.rest.orgs.deleteWebhook({ org, hook_id: doomed.id })).status, 204);
    const meta = await r.waitFor((d) => d.event === 'meta');
    assert.equal(meta.path, '/doomed');
    assert.equal(meta.action, 'deleted');
    assert.equal(meta.hookId, doomed.id);
    assert.equal(meta.targetId, orgId);
    assert.equal(meta.payload.hook_id, doomed.id);
    assert.deepEqual(meta.payload.hook.events, ['push', 'team']);
    assert.equal(meta.payload.hook.config.url, `${r.url}/doomed`);
    assert.equal(meta.payload.hook.config.secret, '********');
    assert.equal(meta.payload.sender.login, owner.login);
    assert.equal((await deliveryRows(t, kept.id)).length, 1, 'the other hook got its ping only');
    await rejectsWith(404, () => owner.octokit.rest.orgs.getWebhook({ org, hook_id: doomed.id }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.deleteWebhook({ org, hook_id: doomed.id }));
    const [destroyed] = await auditEvents(t, { action: 'hook.destroy', org });
    assert.equal(destroyed.data?.hook_id, doomed.id);
    assert.deepEqual((await owner.octokit.rest.orgs.listWebhooks({ org })).data.map((h) => h.id), [kept.id]);
  });
});

describe('GET /orgs/{org}/hooks/{hook_id}/config (orgs/get-webhook-config-for-org)', () => {
  it('200 webhook-config: url, content_type, insecure_ssl, and the secret masked', async () => {
    const { owner, org } = await freshOrg();
    const { data: hook } = await owner.octokit.rest.orgs.createWebhook({
      org,
      name: 'web',
      config: { url: 'http://127.0.0.1:9/config', content_type: 'json', secret: 'not-shown' },
      active: false,
    });
    const { data, status } = await owner.octokit.rest.orgs.getWebhookConfigForOrg({ org, hook_id: hook.id });
    assert.equal(status, 200);
    assert.deepEqual(data, { url: 'http://127.0.0.1:9/config', content_type: 'json', insecure_ssl: '0', secret: '********' });
    await rejectsWith(404, () => owner.octokit.rest.orgs.getWebhookConfigForOrg({ org, hook_id: hook.id + 1000 }));
  });
});

describe('PATCH /orgs/{org}/hooks/{hook_id}/config (orgs/update-webhook-config-for-org)', () => {
  it('changes only the fields given: the secret, content type and events stay; deliveries go to the new URL, still signed', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const hook = await hookOn(owner, org, { receiver: r, path: '/before' }, { events: ['team'] });
    await r.waitFor(1);
    const data = await patchConfig(owner, org, hook.id, { url: `${r.url}/after` });
    assert.deepEqual(data, { url: `${r.url}/after`, content_type: 'json', insecure_ssl: '0', secret: '********' });
    const { data: form } = await owner.octokit.rest.orgs.updateWebhookConfigForOrg({ org, hook_id: hook.id, content_type: 'form', insecure_ssl: 1 });
    assert.deepEqual(form, { url: `${r.url}/after`, content_type: 'form', insecure_ssl: '1', secret: '********' });
    assert.deepEqual((await owner.octokit.rest.orgs.getWebhook({ org, hook_id: hook.id })).data.events, ['team']);
    await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: hook.id });
    const ping = await r.waitFor(fromPath('/after'));
    assert.equal(ping.contentType, 'form');
    assert.equal((await auditEvents(t, { action: 'hook.config_changed', org })).length, 2);
    assert.equal((await t.request('PATCH', `/orgs/${org}/hooks/${hook.id}/config`, { token: owner.token, body: {} })).status, 200);
    assert.equal((await auditEvents(t, { action: 'hook.config_changed', org })).length, 2, 'an empty PATCH changes nothing');
  });

  it('an empty secret removes it: deliveries go unsigned', async (test) => {
    const { owner, org } = await freshOrg();
    const signed = await receiver(test);
    const unsigned = await receiver(test, { secret: null });
    const hook = await hookOn(owner, org, { receiver: signed, path: '/secret' });
    await signed.waitFor(1);
    const data = await patchConfig(owner, org, hook.id, { url: `${unsigned.url}/plain`, secret: '' });
    assert.equal(data.secret, undefined);
    await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: hook.id });
    await unsigned.waitFor(1);
  });

  it('a config read back and sent again (its secret the mask) keeps the secret, here and through PATCH /hooks/{id}', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const hook = await hookOn(owner, org, { receiver: r, path: '/masked' });
    await r.waitFor(1);
    const { data: read } = await owner.octokit.rest.orgs.getWebhookConfigForOrg({ org, hook_id: hook.id });
    await patchConfig(owner, org, hook.id, { ...read, url: `${r.url}/masked-2` });
    await owner.octokit.rest.orgs.updateWebhook({ org, hook_id: hook.id, config: { ...read, url: `${r.url}/masked-3` } });
    await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: hook.id });
    // The receiver verifies both signatures with its secret: the ping arrives only if the secret was kept.
    const ping = await r.waitFor(fromPath('/masked-3'));
    assert.equal(ping.event, 'ping');
  });

  it('422 for each bad field, nothing changed; 404 for an unknown hook', async () => {
    const { owner, org, orgId } = await freshOrg();
    const { data: hook } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/cfg-bad' }, active: false });
    const before = await counts(orgId);
    await expect422s('PATCH', `/orgs/${org}/hooks/${hook.id}/config`, owner.token, [
      { url: 'not a url' },
      { url: 'file:///etc/passwd' },
      { url: 42 },
      { content_type: 'xml' },
      { content_type: 'json', insecure_ssl: '3' },
      { insecure_ssl: false },
      { secret: ['x'] },
    ]);
    assert.deepEqual((await owner.octokit.rest.orgs.getWebhookConfigForOrg({ org, hook_id: hook.id })).data, hook.config);
    assert.deepEqual(await counts(orgId), before);
    await rejectsWith(404, () => owner.octokit.rest.orgs.updateWebhookConfigForOrg({ org, hook_id: hook.id + 1000, content_type: 'json' }));
  });
});

describe('GET /orgs/{org}/hooks/{hook_id}/deliveries (orgs/list-webhook-deliveries)', () => {
  it('pages 250 deliveries newest first by cursor: per_page 100 gives 100, 100, 50 through Link rel="next" (with the /api/v3 prefix used)', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const hook = await hookOn(owner, org, { receiver: r, path: '/many' });
    for (let i = 1; i < 250; i++) await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: hook.id });
    await r.waitFor(250, 20_000);
    const attempted = await waitForAttempts(t, hook.id, 250);
    const sizes: number[] = [];
    const ids: number[] = [];
    let next: string | undefined = `${t.url}/api/v3/orgs/${org}/hooks/${hook.id}/deliveries?per_page=100`;
    while (next) {
      assert.ok(next.startsWith(`${t.url}/api/v3/orgs/${org}/hooks/${hook.id}/deliveries?`), next);
      const page = await t.request('GET', next.slice(t.url.length), { token: owner.token });
      assert.equal(page.status, 200, page.text);
      sizes.push(page.body.length);
      ids.push(...page.body.map((d: { id: number }) => d.id));
      next = parseLink(page.headers.get('link')).next;
      if (next) assert.equal(new URL(next).searchParams.get('per_page'), '100');
    }
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.deepEqual(ids, attempted.map((d) => d.id).reverse(), 'every delivery once, newest first');
    const capped = await owner.octokit.rest.orgs.listWebhookDeliveries({ org, hook_id: hook.id, per_page: 1000 });
    assert.equal(capped.data.length, 100);
    const byDefault = await owner.octokit.rest.orgs.listWebhookDeliveries({ org, hook_id: hook.id });
    assert.equal(byDefault.data.length, 30);
    assert.equal(new URL(parseLink(byDefault.headers.link).next).origin + new URL(parseLink(byDefault.headers.link).next).pathname, `${t.url}/orgs/${org}/hooks/${hook.id}/deliveries`);
  });

  it('status=failure lists deliveries the target answered with an error (500 recorded as such); status=success the others', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const hook = await hookOn(owner, org, { receiver: r, path: '/flaky' });
    await waitForAttempts(t, hook.id, 1);
    r.respondWith(500);
    await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: hook.id });
    await waitForAttempts(t, hook.id, 2);
    const failures = (await owner.octokit.rest.orgs.listWebhookDeliveries({ org, hook_id: hook.id, status: 'failure' })).data;
    assert.equal(failures.length, 1);
    assert.equal(failures[0].status_code, 500);
    assert.equal(failures[0].status, 'Invalid HTTP Response: 500');
    const successes = (await owner.octokit.rest.orgs.listWebhookDeliveries({ org, hook_id: hook.id, status: 'success' })).data;
    assert.deepEqual(successes.map((d) => d.status_code), [200]);
    assert.equal(successes[0].status, 'OK');
    assert.equal((await owner.octokit.rest.orgs.listWebhookDeliveries({ org, hook_id: hook.id })).data.length, 2);
  });

  it('422 for a cursor it never gave; 404 for an unknown hook', async () => {
    const { owner, org, orgId } = await freshOrg();
    const { data: hook } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: 'http://127.0.0.1:9/cursor' }, active: false });
    const before = await counts(orgId);
    for (const cursor of ['!!', Buffer.from('abc').toString('base64url'), Buffer.from('99999999999').toString('base64url'), Buffer.from('-1').toString('base64url')]) {
      const response = await t.request('GET', `/orgs/${org}/hooks/${hook.id}/deliveries?cursor=${encodeURIComponent(cursor)}`, { token: owner.token });
      assert.equal(response.status, 422, cursor);
      assert.ok(Array.isArray(response.body.errors));
    }
    assert.deepEqual(await counts(orgId), before);
    await rejectsWith(404, () => owner.octokit.rest.orgs.listWebhookDeliveries({ org, hook_id: hook.id + 1000 }));
  });
});

describe('GET /orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id} (orgs/get-webhook-delivery)', () => {
  it('200 hook-delivery: the request sent (headers, payload) and the response received; 404 for unknown ids and another hook\'s delivery', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const hook = await hookOn(owner, org, { receiver: r, path: '/one' });
    const other = await hookOn(owner, org, { receiver: r, path: '/two' });
    const [row] = await waitForAttempts(t, hook.id, 1);
    const { data } = await owner.octokit.rest.orgs.getWebhookDelivery({ org, hook_id: hook.id, delivery_id: row.id });
    const ping = await r.waitFor(fromPath('/one'));
    assert.equal(data.id, row.id);
    assert.equal(data.guid, ping.guid);
    assert.equal(data.event, 'ping');
    assert.equal(data.action, null);
    assert.equal(data.redelivery, false);
    assert.equal(data.status_code, 200);
    assert.equal(data.url, `${r.url}/one`);
    const headers = data.request.headers as Record<string, string>;
    assert.equal(headers['X-GitHub-Event'], 'ping');
    assert.equal(headers['X-GitHub-Hook-ID'], String(hook.id));
    assert.equal(data.guid, headers['X-GitHub-Delivery']);
    assert.equal((data.request.payload as { hook_id: number }).hook_id, hook.id);
    assert.equal(data.response.payload, `received ${data.guid}`);
    await rejectsWith(404, () => owner.octokit.rest.orgs.getWebhookDelivery({ org, hook_id: other.id, delivery_id: row.id }));
    await rejectsWith(404, () => owner.octokit.rest.orgs.getWebhookDelivery({ org, hook_id: hook.id, delivery_id: row.id + 1000 }));
    assert.equal((await t.request('GET', `/orgs/${org}/hooks/${hook.id}/deliveries/abc`, { token: owner.token })).status, 404);
  });
});

describe('POST /orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts (orgs/redeliver-webhook-delivery)', () => {
  it('202 {}: the same event (GUID, payload) is sent again as a redelivery, to where the hook points now', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const hook = await hookOn(owner, org, { receiver: r, path: '/original' });
    const [original] = await waitForAttempts(t, hook.id, 1);
    await patchConfig(owner, org, hook.id, { url: `${r.url}/current` });
    const response = await owner.octokit.rest.orgs.redeliverWebhookDelivery({ org, hook_id: hook.id, delivery_id: original.id });
    assert.equal(response.status, 202);
    assert.deepEqual(response.data, {});
    const again = await r.waitFor(fromPath('/current'));
    assert.equal(again.guid, original.guid);
    assert.equal(again.event, 'ping');
    const sent = (await owner.octokit.rest.orgs.getWebhookDelivery({ org, hook_id: hook.id, delivery_id: original.id })).data;
    assert.deepEqual(again.payload, sent.request.payload);
    await waitForAttempts(t, hook.id, 2);
    const [newest, first] = (await owner.octokit.rest.orgs.listWebhookDeliveries({ org, hook_id: hook.id })).data;
    assert.deepEqual([newest.guid, newest.redelivery, first.redelivery], [original.guid, true, false]);
    await rejectsWith(404, () => owner.octokit.rest.orgs.redeliverWebhookDelivery({ org, hook_id: hook.id, delivery_id: newest.id + 1000 }));
  });
});

describe('POST /orgs/{org}/hooks/{hook_id}/pings (orgs/ping-webhook)', () => {
  it('204: a ping to that hook only, recorded as a delivery and no audit event', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const pinged = await hookOn(owner, org, { receiver: r, path: '/pinged' });
    const quiet = await hookOn(owner, org, { receiver: r, path: '/quiet' });
    await r.waitFor(2);
    assert.equal((await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: pinged.id })).status, 204);
    const pings = await r.waitFor(3);
    assert.deepEqual(pings.map((d) => d.path).sort(), ['/pinged', '/pinged', '/quiet']);
    assert.notEqual(pings[2].guid, pings[0].guid);
    assert.equal((await deliveryRows(t, quiet.id)).length, 1);
    assert.deepEqual((await auditEvents(t, { org })).filter((e) => e.action.startsWith('hook.')).map((e) => e.action), ['hook.create', 'hook.create']);
    await rejectsWith(404, () => owner.octokit.rest.orgs.pingWebhook({ org, hook_id: pinged.id + 1000 }));
  });

  it('an inactive hook is not pinged', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const inactive = await hookOn(owner, org, { receiver: r, path: '/off' }, { active: false });
    const active = await hookOn(owner, org, { receiver: r, path: '/on' });
    assert.equal((await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: inactive.id })).status, 204);
    await owner.octokit.rest.orgs.pingWebhook({ org, hook_id: active.id });
    await r.waitFor(2);
    assert.deepEqual(r.deliveries.map((d) => d.path), ['/on', '/on']);
    assert.deepEqual(await deliveryRows(t, inactive.id), []);
  });
});

describe('events delivered to org hooks', () => {
  it('organization member_invited, member_added and member_removed (invitations, memberships, members)', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    await hookOn(owner, org, { receiver: r, path: '/org' }, { events: ['organization'] });
    await r.waitFor(1);
    const [invited, put] = [await t.createUser(`hk${org}-invited`), await t.createUser(`hk${org}-put`)];
    await owner.octokit.rest.orgs.createInvitation({ org, invitee_id: invited.id });
    const memberInvited = await r.waitFor((d) => d.action === 'member_invited');
    assert.equal(memberInvited.event, 'organization');
    assert.equal(memberInvited.payload.invitation.login, invited.login);
    assert.equal(memberInvited.payload.invitation.inviter.login, owner.login);
    assert.equal(memberInvited.payload.user.login, invited.login);
    await owner.octokit.rest.orgs.setMembershipForUser({ org, username: put.login, role: 'admin' });
    await r.waitFor((d) => d.action === 'member_invited' && d.payload.invitation.login === put.login);
    await put.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' });
    const added = await r.waitFor((d) => d.action === 'member_added');
    assert.equal(added.payload.membership.user.login, put.login);
    assert.equal(added.payload.membership.role, 'admin');
    await owner.octokit.rest.orgs.removeMember({ org, username: put.login });
    const removed = await r.waitFor((d) => d.action === 'member_removed');
    assert.equal(removed.payload.membership.user.login, put.login);
    assert.equal(removed.payload.sender.login, owner.login);
    assert.equal(removed.payload.organization.login, org);
  });

  it('org_block blocked and unblocked', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    await hookOn(owner, org, { receiver: r, path: '/blocks' }, { events: ['org_block'] });
    const blocked = await t.createUser(`hk${org}-blocked`);
    await block(t, owner, org, blocked.login);
    await owner.octokit.rest.orgs.unblockUser({ org, username: blocked.login });
    const [, blockedEvent, unblockedEvent] = await r.waitFor(3);
    assert.deepEqual([blockedEvent.event, blockedEvent.action, unblockedEvent.action], ['org_block', 'blocked', 'unblocked']);
    assert.equal(blockedEvent.payload.blocked_user.login, blocked.login);
    assert.equal(unblockedEvent.payload.blocked_user.login, blocked.login);
    assert.equal(unblockedEvent.payload.sender.login, owner.login);
  });

  it('team created; membership added and removed', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    await hookOn(owner, org, { receiver: r, path: '/teams' }, { events: ['team', 'membership'] });
    await r.waitFor(1);
    const member = await t.createUser(`hk${org}-member`);
    await addMember(owner, org, member);
    const { data: team } = await owner.octokit.rest.teams.create({ org, name: 'Hooked Team', privacy: 'closed' });
    const created = await r.waitFor((d) => d.event === 'team');
    assert.equal(created.action, 'created');
    assert.equal(created.payload.team.slug, team.slug);
    assert.equal(created.payload.team.parent, null);
    const { data: child } = await owner.octokit.rest.teams.create({ org, name: 'Hooked Child', parent_team_id: team.id });
    const childCreated = await r.waitFor((d) => d.event === 'team' && d.payload.team.id === child.id);
    assert.deepEqual([childCreated.payload.team.parent.id, childCreated.payload.team.parent.slug], [team.id, team.slug]);
    await owner.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
    const added = await r.waitFor((d) => d.action === 'added' && d.payload.member.login === member.login);
    assert.deepEqual([added.event, added.payload.scope, added.payload.team.id], ['membership', 'team', team.id]);
    await owner.octokit.rest.teams.removeMembershipForUserInOrg({ org, team_slug: team.slug, username: member.login });
    const removed = await r.waitFor((d) => d.action === 'removed');
    assert.equal(removed.payload.member.login, member.login);
    assert.ok(r.deliveries.every((d) => d.event !== 'organization'), 'organization events are not subscribed');
  });

  it('hooks not subscribed to an event, and inactive hooks, receive nothing of it', async (test) => {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    const blocks = await hookOn(owner, org, { receiver: r, path: '/blocks' }, { events: ['org_block'] });
    const teams = await hookOn(owner, org, { receiver: r, path: '/teams' }, { events: ['team'] });
    const inactive = await hookOn(owner, org, { receiver: r, path: '/inactive' }, { events: ['*'], active: false });
    await r.waitFor(2);
    await block(t, owner, org, (await t.createUser(`hk${org}-nobody`)).login);
    await r.waitFor((d) => d.event === 'org_block');
    // Deliveries are sent in the order they were recorded: once the later team event arrived, nothing else is on its way.
    await owner.octokit.rest.teams.create({ org, name: 'Later' });
    await r.waitFor((d) => d.event === 'team');
    assert.deepEqual(r.deliveries.filter(fromPath('/blocks')).map((d) => d.event), ['ping', 'org_block']);
    assert.deepEqual(r.deliveries.filter(fromPath('/teams')).map((d) => d.event), ['ping', 'team']);
    assert.deepEqual(r.deliveries.filter(fromPath('/inactive')), []);
    assert.deepEqual((await deliveryRows(t, blocks.id)).map((d) => d.event), ['ping', 'org_block']);
    assert.deepEqual((await deliveryRows(t, teams.id)).map((d) => d.event), ['ping', 'team']);
    assert.deepEqual(await deliveryRows(t, inactive.id), []);
  });
});

describe('refused delivery targets', () => {
  it('a name resolving to a link-local address, or such an address itself, is recorded as refused without connecting', async () => {
    const { owner, org } = await freshOrg();
    for (const url of ['http://metadata.test/latest/meta-data/', 'http://169.254.169.254/latest/meta-data/']) {
      const { data: hook } = await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url, content_type: 'json' } });
      const [row] = await waitForAttempts(t, hook.id, 1);
      assert.match(row.status ?? '', /^refused: 169\.254\.169\.254 /, url);
      assert.equal(row.status_code, 0);
      const [listed] = (await owner.octokit.rest.orgs.listWebhookDeliveries({ org, hook_id: hook.id, status: 'failure' })).data;
      assert.equal(listed.id, row.id);
    }
    assert.deepEqual(guard.violations, []);
  });

  it('the connect guard itself refuses what the engine would have to: a link-local address, literal or resolved', async () => {
    const refusedConnect = (options: net.NetConnectOpts) =>
      new Promise<Error>((resolve) => net.connect(options).on('error', resolve).on('connect', () => assert.fail('connected')));
    assert.match((await refusedConnect({ host: '169.254.169.254', port: 80 })).message, /connect guard/);
    assert.match((await refusedConnect({ host: 'metadata.test', port: 80, lookup: testLookup })).message, /connect guard/);
    assert.deepEqual(guard.violations.splice(0), ['169.254.169.254', 'metadata.test → 169.254.169.254']);
  });
});

describe('who may use the org hook endpoints', () => {
  /** Every hook endpoint, with real ids. */
  async function endpoints(test: TestContext) {
    const { owner, org } = await freshOrg();
    const r = await receiver(test);
    // Subscribed to nothing the setup below does: only its ping reaches it.
    const hook = await hookOn(owner, org, { receiver: r, path: '/guarded' }, { events: ['push'] });
    const [delivery] = await waitForAttempts(t, hook.id, 1);
    const base = `/orgs/${org}/hooks`;
    const calls: [string, string, unknown?][] = [
      ['GET', base],
      ['POST', base, { name: 'web', config: { url: `${r.url}/intruder` } }],
      ['GET', `${base}/${hook.id}`],
      ['PATCH', `${base}/${hook.id}`, { active: false }],
      ['DELETE', `${base}/${hook.id}`],
      ['GET', `${base}/${hook.id}/config`],
      ['PATCH', `${base}/${hook.id}/config`, { url: `${r.url}/intruder` }],
      ['GET', `${base}/${hook.id}/deliveries`],
      ['GET', `${base}/${hook.id}/deliveries/${delivery.id}`],
      ['POST', `${base}/${hook.id}/deliveries/${delivery.id}/attempts`],
      ['POST', `${base}/${hook.id}/pings`],
    ];
    return { owner, org, hook, calls, r };
  }

  it('404 for members who are not owners and for non-members, on every endpoint; nothing changes', async (test) => {
    const { owner, org, hook, calls, r } = await endpoints(test);
    const member = await t.createUser(`hk${org}-member`);
    await addMember(owner, org, member);
    const outsider = await t.createUser(`hk${org}-outsider`);
    for (const user of [member, outsider]) {
      for (const [method, path, body] of calls) {
        const response = await t.request(method, path, { token: user.token, body });
        assert.equal(response.status, 404, `${user.login} ${method} ${path}: ${response.text}`);
        assert.equal(response.body.message, 'Not Found');
      }
    }
    assert.deepEqual((await owner.octokit.rest.orgs.getWebhook({ org, hook_id: hook.id })).data, hook);
    assert.equal((await deliveryRows(t, hook.id)).length, 1);
    assert.equal(r.deliveries.length, 1);
  });

  it('403 for an owner whose token lacks admin:org_hook (admin:org is not enough), naming the scope; 401 anonymously', async (test) => {
    const { owner, calls } = await endpoints(test);
    const adminOrg = await tokenFor(t, owner.login, ['admin:org', 'repo', 'user']);
    for (const [method, path, body] of calls) {
      const response = await t.request(method, path, { token: adminOrg, body });
      assert.equal(response.status, 403, `${method} ${path}: ${response.text}`);
      assert.equal(response.headers.get('x-accepted-oauth-scopes'), 'admin:org_hook');
      assert.equal((await t.request(method, path, { body })).status, 401, `${method} ${path} anonymously`);
    }
  });
});
