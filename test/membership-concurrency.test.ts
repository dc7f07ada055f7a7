import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnswerLog, sampleWhileRunning, seededRandom, shuffle, sleep } from './support/concurrency.js';
import { addMember, assertConsistentMembership, assertListsAgree, DAY, membershipFacts } from './support/membership.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;

before(async () => {
  t = await startTestServer();
});
after(() => t.close());

describe('membership concurrency', () => {
  it('200 parallel invitations, acceptances and removals on one org leave a consistent state', async () => {
    const owner = await t.createUser('cc-owner');
    const coOwners = [await t.createUser('cc-admin-1'), await t.createUser('cc-admin-2')];
    const { login: org, id: orgId } = await t.createOrg('cc-org', owner.login);
    for (const admin of coOwners) await addMember(owner, org, admin, 'admin');
    t.clock.advance(32 * DAY); // a month-old org may send 500 invitations a day
    const users: TestUser[] = [];
    for (let i = 0; i < 60; i++) users.push(await t.createUser(`cc-user-${i}`));
    const [a1, a2] = coOwners;
    const owners = [owner, a1, a2];

    // Each user's own story runs in order (invited, accepts, maybe removed or promoted); all stories run at once,
    // with duplicate invitations and role changes for the same users thrown in, and the owners turning on each
    // other once half the answers are in. 200 requests in all.
    const log = new AnswerLog();
    const next = seededRandom(3);
    const pause = () => sleep(Math.floor(next() * 5));
    const story = async (u: TestUser, i: number) => {
      await pause();
      await log.send(() => owners[i % 3].octokit.rest.orgs.createInvitation({ org, invitee_id: u.id }));
      await log.send(() => u.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
      if (i < 30) await log.send(() => owners[(i + 1) % 3].octokit.rest.orgs.removeMembershipForUser({ org, username: u.login }));
      else if (i < 45) await log.send(() => a1.octokit.rest.orgs.setMembershipForUser({ org, username: u.login, role: 'admin' }));
    };
    const interlopers = [
      ...users.slice(0, 20).map((u) => () => a2.octokit.rest.orgs.createInvitation({ org, invitee_id: u.id })),
      ...users.slice(45, 55).map((u) => () => owner.octokit.rest.orgs.setMembershipForUser({ org, username: u.login, role: 'member' })),
    ];
    const fight = [
      () => a1.octokit.rest.orgs.removeMembershipForUser({ org, username: owner.login }),
      () => a2.octokit.rest.orgs.removeMembershipForUser({ org, username: a1.login }),
      () => owner.octokit.rest.orgs.removeMembershipForUser({ org, username: a2.login }),
      () => a2.octokit.rest.orgs.setMembershipForUser({ org, username: owner.login, role: 'member' }),
      () => owner.octokit.rest.orgs.setMembershipForUser({ org, username: a1.login, role: 'member' }),
    ];
    const turnOnEachOther = async () => {
      while (log.answers.length < 100) await sleep(1);
      await Promise.all(fight.map((op) => log.send(op)));
    };

    // While the storm runs, every committed state is sampled: it never has zero owners.
    const sampler = sampleWhileRunning(async () => (await membershipFacts(t.server.ctx.db, orgId)).admins);
    await Promise.all([
      ...users.map(story),
      ...shuffle(interlopers, next).map(async (op) => {
        await pause();
        await log.send(op);
      }),
      turnOnEachOther(),
    ]);
    const samples = await sampler.stop();
    assert.equal(log.answers.length, 200);
    log.assertDocumented([200, 201, 204, 403, 404, 422]);
    assert.ok(samples.length > 0 && samples.every((n) => n >= 1), `owners seen during the run: ${samples.join(',')}`);

    const facts = await membershipFacts(t.server.ctx.db, orgId);
    assertConsistentMembership(facts);
    await assertListsAgree(facts, org, [...owners, ...users]);
  });
});
