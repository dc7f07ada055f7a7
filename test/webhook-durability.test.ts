import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { sleep } from './support/concurrency.js';
import { parseLink } from './support/foundation.js';
import { startOrghubOn, stopAllProcesses } from './support/processes.js';
import { ADMIN_TOKEN, freshDatabase, suiteStore, type ApiClient, type FreshDatabase } from './support/server.js';
import { startReceiver, waitUntil, type Receiver } from './support/webhooks.js';

// A delivery is a row written in its change's own transaction (src/events/webhooks.ts), sent once committed by
// whichever process sharing the database claims it (src/hooks/engine.ts): it outlives the process that recorded
// it, and each is sent by exactly one process. Every orghub here is a CLI child process.

/** A process that serves the API and records deliveries but sends none: killed, it dies between answer and send. */
const API_ONLY = { ORGHUB_WEBHOOK_CONCURRENCY: '0' };
/** How long after the expected deliveries nothing more may arrive (a row claimed twice would be sent twice at once). */
const QUIET_MS = 2_000;
const ARRIVAL_TIMEOUT_MS = 15_000;
/** The exactly-once run: in each of ORGS orgs (one hook each), USERS users each blocked and unblocked ROUNDS times in turn. */
const ORGS = 4;
const USERS = 5;
const ROUNDS = 50;

const databases: FreshDatabase[] = [];
const receivers: Receiver[] = [];
after(async () => {
  await stopAllProcesses();
  await Promise.all(receivers.map((r) => r.close()));
  await Promise.all(databases.map((d) => d.drop()));
});

async function freshSetup(): Promise<{ databaseUrl: string; receiver: Receiver }> {
  const database = await freshDatabase();
  databases.push(database);
  const receiver = await startReceiver();
  receivers.push(receiver);
  return { databaseUrl: database.url, receiver };
}

/** A hook on `org` sending `events` to the receiver, created through the API (the admin's token has admin:org_hook). */
async function createHook(api: ApiClient, org: string, receiver: Receiver, events: string[]): Promise<number> {
  const body = { name: 'web', config: { url: `${receiver.url}/${org}`, content_type: 'json', secret: receiver.secret }, events };
  const answer = await api.request('POST', `/orgs/${org}/hooks`, { token: ADMIN_TOKEN, body });
  assert.equal(answer.status, 201, answer.text);
  return answer.body.id;
}

interface ListedAttempt {
  guid: string;
  event: string;
  status_code: number;
}

/** Every attempt the API lists for the hook, following its cursor pages (bounded). */
async function listedAttempts(api: ApiClient, org: string, hookId: number): Promise<ListedAttempt[]> {
  const attempts: ListedAttempt[] = [];
  let path: string | undefined = `/orgs/${org}/hooks/${hookId}/deliveries?per_page=100`;
  for (let page = 0; path && page < 20; page++) {
    const answer = await api.request('GET', path, { token: ADMIN_TOKEN });
    assert.equal(answer.status, 200, answer.text);
    attempts.push(...answer.body);
    const next = parseLink(answer.headers.get('link')).next;
    path = next ? new URL(next).pathname + new URL(next).search : undefined;
  }
  return attempts;
}

/**
 * A target that answers the first request on each connection and resets the connection on the next one, as a target
 * closing an idle kept-alive connection just as a request is sent on it does. Keeps the GUIDs it answered.
 */
async function startResettingTarget(): Promise<{ url: string; answered: string[]; server: Server }> {
  const answered: string[] = [];
  const served = new WeakSet<Socket>();
  const server = createServer((request: IncomingMessage, response) => {
    request.resume();
    request.on('end', () => {
      if (served.has(request.socket)) return request.socket.destroy();
      served.add(request.socket);
      answered.push(String(request.headers['x-github-delivery']));
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/reset`, answered, server };
}

const ofEvent = <T extends { event: string }>(deliveries: T[], event: string) => deliveries.filter((d) => d.event === event);

// Bounds for a loaded machine (several suites sharing two cores); on a quiet one the file takes about half a minute.
describe(`webhook deliveries on one ${suiteStore} database shared by processes`, () => {
  it('a delivery recorded by a process killed after its answer and before any send arrives exactly once, sent after the restart', { timeout: 45_000 }, async () => {
    const { databaseUrl, receiver } = await freshSetup();
    const apiOnly = await startOrghubOn(databaseUrl, API_ONLY);
    const { login: org } = await apiOnly.api.createOrg('crashed-org');
    await apiOnly.api.createUser('blocked-user');
    const hookId = await createHook(apiOnly.api, org, receiver, ['org_block']);
    const blocked = await apiOnly.api.request('PUT', `/orgs/${org}/blocks/blocked-user`, { token: ADMIN_TOKEN });
    assert.equal(blocked.status, 204, blocked.text);
    await apiOnly.kill();
    assert.equal(receiver.deliveries.length, 0, 'the killed process sent nothing, not even the creation ping');

    const restarted = await startOrghubOn(databaseUrl);
    // The creation ping and the block, both recorded before the kill.
    await receiver.waitFor(2, ARRIVAL_TIMEOUT_MS);
    await sleep(QUIET_MS);
    const [block] = ofEvent(receiver.deliveries, 'org_block');
    assert.deepEqual(
      receiver.deliveries.map((d) => d.event).sort(),
      ['org_block', 'ping'],
      'each recorded delivery arrived once, and nothing else',
    );
    assert.equal(block.action, 'blocked');
    assert.equal(block.payload.blocked_user.login, 'blocked-user');
    const attempts = (await listedAttempts(restarted.api, org, hookId)).filter((a) => a.guid === block.guid);
    assert.deepEqual(attempts.map((a) => [a.event, a.status_code]), [['org_block', 200]], 'one attempt of it is recorded');
  });

  it('a delivery sent on a kept-alive connection the target reset before answering is sent again on a new one', { timeout: 45_000 }, async () => {
    const database = await freshDatabase();
    databases.push(database);
    const target = await startResettingTarget();
    try {
      const orghub = await startOrghubOn(database.url);
      const { login: org } = await orghub.api.createOrg('reset-org');
      await orghub.api.createUser('reset-user');
      const hook = await orghub.api.request('POST', `/orgs/${org}/hooks`, { token: ADMIN_TOKEN, body: { name: 'web', config: { url: target.url, content_type: 'json' }, events: ['org_block'] } });
      assert.equal(hook.status, 201, hook.text);
      // The ping opens the connection the block's delivery is then sent on.
      await waitUntil(async () => target.answered.length === 1, 'the ping answered', ARRIVAL_TIMEOUT_MS);
      assert.equal((await orghub.api.request('PUT', `/orgs/${org}/blocks/reset-user`, { token: ADMIN_TOKEN })).status, 204);
      await waitUntil(async () => target.answered.length === 2, 'the block answered', ARRIVAL_TIMEOUT_MS);
      const attempts = await waitUntil(async () => {
        const listed = ofEvent(await listedAttempts(orghub.api, org, hook.body.id), 'org_block');
        return listed.length > 0 && listed;
      }, 'the block attempt recorded', ARRIVAL_TIMEOUT_MS);
      assert.deepEqual(attempts.map((a) => [a.guid, a.status_code]), [[target.answered[1], 200]], 'one attempt, answered');
    } finally {
      target.server.closeAllConnections();
      target.server.close();
    }
  });

  it('1,000 events written through two processes are each delivered exactly once', { timeout: 90_000 }, async () => {
    const { databaseUrl, receiver } = await freshSetup();
    const processes = [await startOrghubOn(databaseUrl), await startOrghubOn(databaseUrl)];
    const orgs = Array.from({ length: ORGS }, (_, i) => `shared-org-${i}`);
    const users = Array.from({ length: USERS }, (_, i) => `toggled-${i}`);
    const hookIds: number[] = [];
    for (const [i, org] of orgs.entries()) {
      await processes[i % 2].api.createOrg(org);
      hookIds.push(await createHook(processes[i % 2].api, org, receiver, ['org_block']));
    }
    for (const [i, login] of users.entries()) await processes[i % 2].api.createUser(login);
    await receiver.waitFor(ORGS, ARRIVAL_TIMEOUT_MS);
    // Each user blocked and unblocked in turn in each org, each request through the other process than the one before:
    // each process is woken by its own writes, so both claim and send while the other does.
    const sequences = orgs.flatMap((org) => users.map((login) => ({ org, login })));
    await Promise.all(
      sequences.map(async ({ org, login }, i) => {
        for (let round = 0; round < ROUNDS; round++) {
          const answer = await processes[(i + round) % 2].api.request(round % 2 === 0 ? 'PUT' : 'DELETE', `/orgs/${org}/blocks/${login}`, { token: ADMIN_TOKEN });
          assert.equal(answer.status, 204, answer.text);
        }
      }),
    );
    const expected = sequences.length * ROUNDS;
    assert.equal(expected, 1000);
    await receiver.waitFor(ORGS + expected, 40_000);
    await sleep(QUIET_MS);
    const events = ofEvent(receiver.deliveries, 'org_block');
    assert.equal(events.length, expected, 'no delivery arrived twice, none is missing');
    assert.equal(new Set(events.map((d) => d.guid)).size, expected, 'every X-GitHub-Delivery is distinct');
    for (const { org, login } of sequences) {
      const actions = events.filter((d) => d.payload.organization.login === org && d.payload.blocked_user.login === login).map((d) => d.action);
      assert.deepEqual(
        [actions.filter((a) => a === 'blocked').length, actions.filter((a) => a === 'unblocked').length],
        [ROUNDS / 2, ROUNDS / 2],
        `${org} ${login}: each block and unblock delivered`,
      );
    }
    const attempts = (await Promise.all(orgs.map((org, i) => listedAttempts(processes[1 - (i % 2)].api, org, hookIds[i])))).flat();
    const blockAttempts = ofEvent(attempts, 'org_block');
    assert.equal(blockAttempts.length, expected, 'one attempt is recorded per delivery');
    assert.ok(blockAttempts.every((a) => a.status_code === 200));
  });
});
