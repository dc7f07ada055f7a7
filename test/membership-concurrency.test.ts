import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { addMember, DAY } from './support/membership.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let t: TestServer;

before(async () => {
  t = await startTestServer();
});
after(() => t.close());

/** A small deterministic PRNG (mulberry32), so the interleaving asked for is the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** What the store holds for the org, read straight from the tables. */
async function facts(orgId: number) {
  const { db } = t.server.ctx;
  const count = async (query: Promise<{ n: unknown }>) => Number((await query).n);
  const memberships = db.selectFrom('memberships').where('org_id', '=', orgId);
  const invitations = db.selectFrom('invitations').where('org_id', '=', orgId);
  const counters = Object.fromEntries(
    (await db.selectFrom('org_counters').select(['name', 'value']).where('org_id', '=', orgId).execute()).map((r) => [r.name, Number(r.value)]),
  );
  return {
    counters,
    members: await count(memberships.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'active').where('role', '!=', 'billing_manager').executeTakeFirstOrThrow()),
    admins: await count(memberships.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'active').where('role', '=', 'admin').executeTakeFirstOrThrow()),
    publicMembers: await count(
      memberships.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'active').where('role', '!=', 'billing_manager').where('public', '=', 1).executeTakeFirstOrThrow(),
    ),
    pendingInvitations: await count(invitations.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow()),
    failedInvitations: await count(invitations.select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'failed').executeTakeFirstOrThrow()),
    duplicateMemberships: await db
      .selectFrom('memberships')
      .select(['user_id', (eb) => eb.fn.countAll().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('user_id')
      .having(sql`count(*)`, '>', 1)
      .execute(),
    duplicatePendingInvitations: await db
      .selectFrom('invitations')
      .select(['invitee_id', (eb) => eb.fn.countAll().as('n')])
      .where('org_id', '=', orgId)
      .where('state', '=', 'pending')
      .groupBy('invitee_id')
      .having(sql`count(*)`, '>', 1)
      .execute(),
    pendingRows: (await memberships.select('user_id').where('state', '=', 'pending').execute()).map((r) => r.user_id).sort((a, b) => a - b),
    activeRows: (await memberships.select('user_id').where('state', '=', 'active').execute()).map((r) => r.user_id),
    pendingInvitees: (await invitations.select('invitee_id').where('state', '=', 'pending').execute()).map((r) => r.invitee_id!).sort((a, b) => a - b),
  };
}

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
    const results: PromiseSettledResult<unknown>[] = [];
    const send = async (op: () => Promise<unknown>) => {
      results.push(...(await Promise.allSettled([op()])));
    };
    const next = random(3);
    const pause = () => new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 5)));
    const story = async (u: TestUser, i: number) => {
      await pause();
      await send(() => owners[i % 3].octokit.rest.orgs.createInvitation({ org, invitee_id: u.id }));
      await send(() => u.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org, state: 'active' }));
      if (i < 30) await send(() => owners[(i + 1) % 3].octokit.rest.orgs.removeMembershipForUser({ org, username: u.login }));
      else if (i < 45) await send(() => a1.octokit.rest.orgs.setMembershipForUser({ org, username: u.login, role: 'admin' }));
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
      while (results.length < 100) await new Promise((resolve) => setTimeout(resolve, 1));
      await Promise.all(fight.map(send));
    };

    // While the storm runs, every committed state is sampled: it never has zero owners.
    let storming = true;
    const samples: number[] = [];
    const sampler = (async () => {
      while (storming) {
        samples.push((await facts(orgId)).admins);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await Promise.all([
      ...users.map(story),
      ...shuffle(interlopers, next).map(async (op) => {
        await pause();
        await send(op);
      }),
      turnOnEachOther(),
    ]);
    storming = false;
    await sampler;
    assert.equal(results.length, 200);

    const statuses = results.map((r) => (r.status === 'fulfilled' ? (r.value as { status: number }).status : (r.reason as { status: number }).status));
    const histogram = JSON.stringify(statuses.reduce((m: Record<number, number>, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {}));
    const unexpected = statuses.filter((s) => ![200, 201, 204, 403, 404, 422].includes(s));
    assert.deepEqual(unexpected, [], 'only documented answers, never a server error');
    assert.ok(statuses.filter((s) => s < 300).length >= 100, `most of the work went through: ${histogram}`);
    assert.ok(samples.length > 0 && samples.every((n) => n >= 1), `owners seen during the run: ${samples.join(',')}`);

    const after = await facts(orgId);
    assert.deepEqual(after.duplicateMemberships, [], 'one membership record per user');
    assert.deepEqual(after.duplicatePendingInvitations, [], 'one pending invitation per user');
    assert.ok(after.admins >= 1, 'the org keeps an owner');
    assert.equal(after.counters.members ?? 0, after.members);
    assert.equal(after.counters.admins ?? 0, after.admins);
    assert.equal(after.counters.public_members ?? 0, after.publicMembers);
    assert.equal(after.counters.pending_invitations ?? 0, after.pendingInvitations);
    assert.equal(after.counters.failed_invitations ?? 0, after.failedInvitations);
    assert.deepEqual(after.pendingRows, after.pendingInvitees, 'every pending membership is the pending side of one invitation');
    const active = new Set(after.activeRows);
    assert.ok(after.pendingInvitees.every((id) => !active.has(id)), 'no active member is still invited');

    // The API agrees with the tables.
    const admins = await t.server.ctx.db
      .selectFrom('memberships')
      .select('user_id')
      .where('org_id', '=', orgId)
      .where('state', '=', 'active')
      .where('role', '=', 'admin')
      .execute();
    const survivor = [...owners, ...users].find((u) => admins.some((a) => a.user_id === u.id))!;
    const listed = await survivor.octokit.paginate(survivor.octokit.rest.orgs.listMembers, { org, per_page: 100 });
    assert.equal(listed.length, after.members);
    const pending = await survivor.octokit.paginate(survivor.octokit.rest.orgs.listPendingInvitations, { org, per_page: 100 });
    assert.equal(pending.length, after.pendingInvitations);
  });
});
