import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore, type Store } from '../src/db/connect.js';
import { sleep } from './support/concurrency.js';
import { startOrghubOn, stopAllProcesses } from './support/processes.js';
import { ADMIN_TOKEN, freshDatabase, suiteStore, type ApiClient, type FreshDatabase, type RawResponse } from './support/server.js';

// Two orghub processes on one database: each trusts the tokens it looked up until the caller generation moves
// (src/http/auth/authenticator.ts), which every change to what a token stands for does in its own transaction.

let database: FreshDatabase;
let store: Store;
let first: ApiClient;
let second: ApiClient;

before(async () => {
  database = await freshDatabase();
  first = (await startOrghubOn(database.url)).api;
  second = (await startOrghubOn(database.url)).api;
  store = openStore(database.url);
});
after(async () => {
  await stopAllProcesses();
  await store?.close();
  await database?.drop();
});

/** Asks `GET /user` with `token` on `target` until `seen` holds for its answer (at most 5 s). */
async function untilAnswer(target: ApiClient, token: string, seen: (answer: RawResponse) => boolean, expected: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (seen(await target.request('GET', '/user', { token }))) return;
    assert.ok(Date.now() - started < 5_000, `not ${expected} after 5 s`);
    await sleep(20);
  }
}

const untilAnswered = (target: ApiClient, token: string, status: number) => untilAnswer(target, token, (answer) => answer.status === status, `${status}`);

const admin = () => first.octokit(ADMIN_TOKEN);

describe(`tokens trusted across processes on one ${suiteStore} database`, { timeout: 60_000 }, () => {
  it('a token stays trusted while nothing moves the caller generation, longer than authCacheMs', async () => {
    const user = await first.createUser('trust-lasting');
    const bystander = await first.createUser('trust-bystander');
    assert.equal((await second.request('GET', '/user', { token: user.token })).status, 200);
    // Removed behind orghub's back: no change runs through it, so no process is told.
    await store.db.deleteFrom('tokens').where('user_id', '=', user.id).execute();
    await sleep(1_500);
    assert.equal((await second.request('GET', '/user', { token: user.token })).status, 200, 'trusted past the 1 s of authCacheMs');
    assert.equal((await first.request('GET', '/user', { token: user.token })).status, 401, 'a process that never looked it up finds no token');
    // Any change to what tokens stand for, here another user's suspension, makes every process look its tokens up again.
    await admin().request('PUT /users/{username}/suspended', { username: bystander.login });
    await untilAnswered(second, user.token, 401);
  });

  it('a user suspended through one process is refused at once there and soon by the other', async () => {
    const user = await first.createUser('trust-suspended');
    assert.equal((await second.request('GET', '/user', { token: user.token })).status, 200);
    assert.equal((await first.request('GET', '/user', { token: user.token })).status, 200);
    await admin().request('PUT /users/{username}/suspended', { username: user.login });
    assert.equal((await first.request('GET', '/user', { token: user.token })).status, 403);
    await untilAnswered(second, user.token, 403);
    await admin().request('DELETE /users/{username}/suspended', { username: user.login });
    assert.equal((await first.request('GET', '/user', { token: user.token })).status, 200);
    await untilAnswered(second, user.token, 200);
  });

  it('tokens revoked through one process are refused by the other', async () => {
    const user = await first.createUser('trust-revoked');
    assert.equal((await second.request('GET', '/user', { token: user.token })).status, 200);
    await admin().request('DELETE /admin/users/{username}/authorizations', { username: user.login });
    assert.equal((await first.request('GET', '/user', { token: user.token })).status, 401);
    await untilAnswered(second, user.token, 401);
  });

  it('a renamed user is seen under the new login by the other process', async () => {
    const user = await first.createUser('trust-renamed');
    const before = await second.request('GET', '/user', { token: user.token });
    assert.equal(before.body.login, 'trust-renamed');
    await admin().request('PATCH /admin/users/{username}', { username: user.login, login: 'trust-renamed-2' });
    await untilAnswer(second, user.token, (answer) => answer.body?.login === 'trust-renamed-2', 'the new login');
  });
});
