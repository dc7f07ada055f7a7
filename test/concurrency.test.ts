import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { openStore, type Store } from '../src/db/connect.js';
import type { Database } from '../src/db/schema.js';
import { AnswerLog, sampleWhileRunning, seededRandom, shuffle, sleep } from './support/concurrency.js';
import { addMember, assertConsistentMembership, assertListsAgree, membershipFacts } from './support/membership.js';
import { startOrghubOn, stopAllProcesses } from './support/processes.js';
import { ADMIN_TOKEN, freshDatabase, startTestServer, suiteStore, type ApiClient, type FreshDatabase, type TestServer, type TestUser } from './support/server.js';

// Requests racing each other on the suite's store: on one in-process server, and spread over two orghub processes
// sharing one database (what a deployment behind a load balancer does).

/** Where a case sends its requests (round robin over `targets`) and the database they all share. */
interface Deployment {
  targets: ApiClient[];
  db: Kysely<Database>;
}

let inProcess: TestServer;
let sharedDatabase: FreshDatabase;
let testStore: Store;
let oneProcess: Deployment;
let twoProcesses: Deployment;

before(async () => {
  inProcess = await startTestServer();
  oneProcess = { targets: [inProcess], db: inProcess.server.ctx.db };
  sharedDatabase = await freshDatabase();
  // One after the other: starting together is the start race's subject (test/start-race.test.ts), not this file's.
  const first = await startOrghubOn(sharedDatabase.url);
  const second = await startOrghubOn(sharedDatabase.url);
  testStore = openStore(sharedDatabase.url);
  twoProcesses = { targets: [first.api, second.api], db: testStore.db };
});
after(async () => {
  await stopAllProcesses();
  await testStore?.close();
  await sharedDatabase?.drop();
  await inProcess?.close();
});

const DEPLOYMENTS = [
  { where: 'on one process', deployment: () => oneProcess },
  { where: `spread over two processes on one ${suiteStore} database`, deployment: () => twoProcesses },
];

const PERMISSIONS = ['read', 'write', 'admin', 'none'] as const;

/** Round `round`'s value of each field: every value differs from the round before (round 0's from the defaults). */
function fieldValues(round: number) {
  return {
    billing_email: `billing-${round}@example.test`,
    default_repository_permission: PERMISSIONS[(round + 1) % PERMISSIONS.length],
    members_can_create_public_pages: round % 2 === 1,
    web_commit_signoff_required: round % 2 === 0,
  };
}

describe('PATCH /orgs/{org} under concurrency', { timeout: 60_000 }, () => {
  for (const { where, deployment } of DEPLOYMENTS) {
    it(`parallel PATCHes of distinct fields lose nothing, ${where}`, async () => {
      const { targets } = deployment();
      const { login: org } = await targets[0].createOrg('patched-in-parallel');
      for (let round = 0; round < 8; round++) {
        const values = fieldValues(round);
        const answers = await Promise.all(
          Object.entries(values).map(([field, value], i) =>
            targets[(round + i) % targets.length].request('PATCH', `/orgs/${org}`, { token: ADMIN_TOKEN, body: { [field]: value } }),
          ),
        );
        assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200], `round ${round}: ${answers.map((a) => a.text).join('\n')}`);
        // Each process answered a write of this round, which empties its read cache: its GET reads the store.
        for (const target of targets) {
          const { body } = await target.request('GET', `/orgs/${org}`, { token: ADMIN_TOKEN });
          const seen = Object.fromEntries(Object.keys(values).map((field) => [field, body[field]]));
          assert.deepEqual(seen, values, `round ${round}, GET on ${target.url}`);
        }
      }
    });
  }
});

interface Creation {
  path: '/admin/users' | '/admin/organizations';
  body: { login: string; admin?: string };
}

const PARALLEL_CREATIONS = 10;
const createsUser = (login: string): Creation => ({ path: '/admin/users', body: { login } });
const createsOrg = (login: string): Creation => ({ path: '/admin/organizations', body: { login, admin: 'admin' } });

/** `login` in a different case each time (logins are case-insensitive, so these all ask for one). */
const caseVariant = (login: string, i: number) => (i % 2 ? login.toUpperCase() : login.toLowerCase());

/**
 * Sends every creation at once, round robin over the targets: exactly one is created (201), and every other one
 * gets what a later, sequential duplicate of its kind gets, a 422 already_exists.
 */
async function assertExactlyOneCreated(targets: ApiClient[], creations: Creation[]): Promise<void> {
  const answers = await Promise.all(creations.map((c, i) => targets[i % targets.length].request('POST', c.path, { token: ADMIN_TOKEN, body: c.body })));
  const statuses = answers.map((a) => a.status);
  assert.deepEqual(
    [...statuses].sort(),
    [201, ...Array(creations.length - 1).fill(422)],
    `answers: ${answers.map((a) => `${a.status} ${a.status === 201 ? a.body.login : a.text}`).join('\n')}`,
  );
  const created = answers.find((a) => a.status === 201)!.body;
  for (const [i, creation] of creations.entries()) {
    if (answers[i].status === 201) continue;
    const sequential = await targets[0].request('POST', creation.path, { token: ADMIN_TOKEN, body: creation.body });
    assert.equal(sequential.status, 422);
    const resource = creation.path === '/admin/users' ? 'User' : 'Organization';
    assert.deepEqual(sequential.body.errors.map((e: any) => [e.resource, e.field, e.code]), [[resource, 'login', 'already_exists']]);
    assert.deepEqual(answers[i].body, sequential.body, `the parallel duplicate answers as a sequential one: ${answers[i].text}`);
  }
  for (const target of targets) {
    const { status, body } = await target.request('GET', `/users/${creations[0].body.login}`, { token: ADMIN_TOKEN });
    assert.equal(status, 200);
    assert.equal(body.id, created.id, 'the account is the one created');
  }
}

describe('POST /admin/users and POST /admin/organizations under concurrency', { timeout: 60_000 }, () => {
  for (const { where, deployment } of DEPLOYMENTS) {
    it(`parallel creation of one user login gives one 201 and the sequential 422 for the rest, ${where}`, async () => {
      await assertExactlyOneCreated(deployment().targets, Array.from({ length: PARALLEL_CREATIONS }, (_, i) => createsUser(caseVariant('Racing-User', i))));
    });

    it(`parallel creation of one organization login gives one 201 and the sequential 422 for the rest, ${where}`, async () => {
      await assertExactlyOneCreated(deployment().targets, Array.from({ length: PARALLEL_CREATIONS }, (_, i) => createsOrg(caseVariant('Racing-Org', i))));
    });

    it(`users and organizations created at once under one login: one 201, the sequential 422 for the rest, ${where}`, async () => {
      const login = 'Racing-Account';
      await assertExactlyOneCreated(deployment().targets, Array.from({ length: PARALLEL_CREATIONS }, (_, i) => (i % 2 ? createsOrg : createsUser)(caseVariant(login, i))));
    });
  }
});

describe('membership changes spread over two processes', { timeout: 90_000 }, () => {
  it('parallel invitations, acceptances, role changes and removals give no server error and a consistent state', async () => {
    const { targets, db } = twoProcesses;
    const [first] = targets;
    const owner = await first.createUser('storm-owner');
    const coOwners = [await first.createUser('storm-admin-1'), await first.createUser('storm-admin-2')];
    const { login: org, id: orgId } = await first.createOrg('storm-org', owner.login);
    for (const admin of coOwners) await addMember(owner, org, admin, 'admin');
    // 32 users: with the owners' invitations and the re-invitations below, within a new org's 50 invitations a day.
    const users: TestUser[] = [];
    for (let i = 0; i < 32; i++) users.push(await first.createUser(`storm-user-${i}`));
    const [a1, a2] = coOwners;
    const owners = [owner, a1, a2];
    /** `user`'s Octokit on process `k` (mod 2): a user's requests alternate between the processes. */
    const on = (k: number, user: TestUser) => targets[k % targets.length].octokit(user.token);

    // Each user's story runs in order (PUT membership, accept, then removed or promoted or left); all stories run
    // at once, with re-invitations, role changes and removals of the same users thrown in on either process, and the
    // owners turning on each other once half the answers are in. 121 requests in all.
    const log = new AnswerLog();
    const next = seededRandom(7);
    const pause = () => sleep(Math.floor(next() * 5));
    const story = async (u: TestUser, i: number) => {
      await pause();
      await log.send(() => on(i, owners[i % 3]).rest.orgs.setMembershipForUser({ org, username: u.login, role: 'member' }));
      await log.send(() => on(i + 1, u).rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
      if (i < 10) await log.send(() => on(i, owners[(i + 1) % 3]).rest.orgs.removeMembershipForUser({ org, username: u.login }));
      else if (i < 20) await log.send(() => on(i + 1, a1).rest.orgs.setMembershipForUser({ org, username: u.login, role: 'admin' }));
    };
    const interlopers = [
      ...users.slice(0, 10).map((u, i) => () => on(i + 1, a2).rest.orgs.setMembershipForUser({ org, username: u.login, role: 'member' })),
      ...users.slice(10, 20).map((u, i) => () => on(i, owner).rest.orgs.setMembershipForUser({ org, username: u.login, role: 'member' })),
      ...users.slice(20, 28).map((u, i) => () => on(i, a2).rest.orgs.setMembershipForUser({ org, username: u.login, role: 'admin' })),
      ...users.slice(28, 32).map((u, i) => () => on(i + 1, a2).rest.orgs.removeMembershipForUser({ org, username: u.login })),
    ];
    const fight = [
      () => on(0, a1).rest.orgs.removeMembershipForUser({ org, username: owner.login }),
      () => on(1, a2).rest.orgs.removeMembershipForUser({ org, username: a1.login }),
      () => on(0, owner).rest.orgs.removeMembershipForUser({ org, username: a2.login }),
      () => on(1, a2).rest.orgs.setMembershipForUser({ org, username: owner.login, role: 'member' }),
      () => on(0, owner).rest.orgs.setMembershipForUser({ org, username: a1.login, role: 'member' }),
    ];
    const turnOnEachOther = async () => {
      while (log.answers.length < 60) await sleep(1);
      await Promise.all(fight.map((op) => log.send(op)));
    };

    // While the storm runs, every committed state is sampled: it never has zero owners.
    const sampler = sampleWhileRunning(async () => (await membershipFacts(db, orgId)).admins);
    await Promise.all([
      ...users.map(story),
      ...shuffle(interlopers, next).map(async (op) => {
        await pause();
        await log.send(op);
      }),
      turnOnEachOther(),
    ]);
    const samples = await sampler.stop();
    assert.equal(log.answers.length, 121);
    log.assertDocumented([200, 201, 204, 403, 404, 422]);
    assert.ok(samples.length > 0 && samples.every((n) => n >= 1), `owners seen during the run: ${samples.join(',')}`);

    const facts = await membershipFacts(db, orgId);
    assertConsistentMembership(facts);
    for (const k of targets.keys()) await assertListsAgree(facts, org, [...owners, ...users], (user) => on(k, user));
  });
});
