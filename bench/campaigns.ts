/**
 * Issue 8 benchmark: `GET /orgs/{org}/campaigns/{campaign_number}` of a campaign over 10,000 code scanning alerts in
 * 50 repositories, its `alert_stats` computed from the alerts' current state on every read, on SQLite and PostgreSQL.
 *
 *   npm run bench:campaigns -- --db postgres --requests 500
 *   node --import tsx bench/campaigns.ts --db sqlite --repositories 5 --requests 50 --no-write   # a quick run
 *
 * The caller is a security manager who is not an owner (the role is checked by a query on every request), over one
 * keep-alive connection in sequence. Figures go to stdout and to bench/RESULTS.md (section campaigns).
 */
import { sql } from 'kysely';
import { newAccountRow } from '../src/accounts/store.js';
import { isoSeconds } from '../src/clock.js';
import { openStore } from '../src/db/connect.js';
import { addCampaignAlerts } from '../src/campaigns/store.js';
import { SECURITY_MANAGER_ROLE_ID } from '../src/organization-roles/roles.js';
import { insertToken } from '../src/tokens/store.js';
import { alertRow, repositoryRow } from '../test/support/alert-rows.js';
import { startOrghub } from './support/child.js';
import { freshDatabase, seedDirectly, storesFromArgs, type Seeded, type StoreKind } from './support/database.js';
import { percentile, SequentialClient } from './support/http.js';
import { fmt, machineLine, parseFlags, verdict, writeSection } from './support/results.js';

const flags = parseFlags();
const stores = storesFromArgs(flags.db);
const REPOSITORIES = Number(flags.repositories ?? 50);
const ALERTS_PER_REPOSITORY = Number(flags['alerts-per-repository'] ?? 200);
const REQUESTS = Number(flags.requests ?? 500);
const WARMUP = Number(flags.warmup ?? 50);
const write = !('no-write' in flags);
const P50_TARGET_MS = 10;
const BATCH = 500;

const ORG = 'bench-org';
const OWNER = 'bench-owner';
const MANAGER = 'bench-security';
const TOKEN = 'ghp_orghubBenchCampaignToken0000000000';
/** The alerts' mix: every 5th dismissed, every 7th fixed, every 3rd of the rest assigned (in progress). */
const stateOf = (i: number) => (i % 5 === 0 ? 'dismissed' : i % 7 === 0 ? 'fixed' : 'open');

interface Expected {
  open_count: number;
  in_progress_count: number;
  closed_count: number;
}

async function seed(store: StoreKind, databaseUrl: string): Promise<{ seeded: Seeded; expected: Expected }> {
  const expected: Expected = { open_count: 0, in_progress_count: 0, closed_count: 0 };
  const seeded = await seedDirectly(databaseUrl, async (trx) => {
    const now = isoSeconds(new Date());
    const [owner, manager, org] = await trx
      .insertInto('accounts')
      .values([
        newAccountRow({ login: OWNER, type: 'User', now }),
        newAccountRow({ login: MANAGER, type: 'User', now }),
        newAccountRow({ login: ORG, type: 'Organization', settings: '{}', now }),
      ])
      .returning('id')
      .execute();
    await trx
      .insertInto('memberships')
      .values([
        { org_id: org.id, user_id: owner.id, role: 'admin', state: 'active', public: 0, created_at: now, updated_at: now },
        { org_id: org.id, user_id: manager.id, role: 'member', state: 'active', public: 0, created_at: now, updated_at: now },
      ])
      .execute();
    await trx.insertInto('org_role_users').values({ org_id: org.id, role_id: SECURITY_MANAGER_ROLE_ID, user_id: manager.id, created_at: now }).execute();
    await insertToken(trx, manager.id, TOKEN, ['security_events'], now);
    const campaign = await trx
      .insertInto('campaigns')
      .values({
        org_id: org.id, number: 1, name: 'Ten thousand alerts', description: 'Every alert of the org', contact_link: null, state: 'open',
        ends_at: '2099-01-01T00:00:00Z', published_at: now, closed_at: null, created_at: now, updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('campaign_managers').values({ campaign_id: campaign.id, user_id: manager.id }).execute();
    await trx.insertInto('org_counters').values({ org_id: org.id, name: 'campaigns', value: 1 }).execute();
    let rows = 9;
    let i = 0;
    for (let r = 0; r < REPOSITORIES; r++) {
      const { id: repositoryId } = await trx.insertInto('repositories').values(repositoryRow(org.id, `repo-${r}`, now, ALERTS_PER_REPOSITORY)).returning('id').executeTakeFirstOrThrow();
      for (let first = 1; first <= ALERTS_PER_REPOSITORY; first += BATCH) {
        const numbers = Array.from({ length: Math.min(BATCH, ALERTS_PER_REPOSITORY - first + 1) }, (_, k) => first + k);
        const states = numbers.map(() => stateOf(i++));
        const alerts = await trx
          .insertInto('code_scanning_alerts')
          .values(numbers.map((n, k) => alertRow(org.id, repositoryId, n, now, states[k])))
          .returning('id')
          .execute();
        const assigned = alerts.filter((_, k) => states[k] === 'open' && k % 3 === 0);
        if (assigned.length) await trx.insertInto('code_scanning_alert_assignees').values(assigned.map((a) => ({ alert_id: a.id, user_id: owner.id, created_at: now }))).execute();
        await addCampaignAlerts(trx, store, campaign.id, alerts.map((a) => a.id));
        for (const [k, state] of states.entries()) {
          if (state !== 'open') expected.closed_count++;
          else if (k % 3 === 0) expected.in_progress_count++;
          else expected.open_count++;
        }
        rows += alerts.length * 2 + assigned.length;
      }
      rows++;
    }
    return rows;
  });
  return { seeded, expected };
}

/**
 * PostgreSQL: VACUUM, as autovacuum does to a long-lived database soon after a bulk write; rows fresh from one big
 * transaction otherwise carry no visibility information, and each read re-checks their transaction's fate.
 */
async function vacuum(databaseUrl: string): Promise<void> {
  const store = openStore(databaseUrl);
  try {
    await sql`VACUUM`.execute(store.db);
  } finally {
    await store.close();
  }
}

interface StoreRun {
  store: StoreKind;
  seeded: Seeded;
  /** orghub's own CPU time per request (the machine's other work does not count; PostgreSQL's server time is not in it). */
  cpuMs: number;
  p50: number;
  p99: number;
  mean: number;
}

async function runStore(store: StoreKind): Promise<StoreRun> {
  process.stdout.write(`\n== ${store}\n`);
  const db = await freshDatabase(store);
  try {
    const { seeded, expected } = await seed(store, db.url);
    if (store === 'postgres') await vacuum(db.url);
    process.stdout.write(`  seeded ${fmt(seeded.rows)} rows (${fmt(REPOSITORIES * ALERTS_PER_REPOSITORY)} alerts in ${REPOSITORIES} repositories) in ${fmt(seeded.ms / 1000, 1)} s\n`);
    const server = await startOrghub(db.url);
    try {
      const client = new SequentialClient(server.url, { authorization: `Bearer ${TOKEN}` });
      const path = `/orgs/${ORG}/campaigns/1`;
      const get = async () => {
        const answer = await client.request('GET', path);
        if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
        const stats = (JSON.parse(answer.body.toString()) as { alert_stats: Expected }).alert_stats;
        if (JSON.stringify(stats) !== JSON.stringify({ open_count: expected.open_count, closed_count: expected.closed_count, in_progress_count: expected.in_progress_count })) {
          throw new Error(`alert_stats ${JSON.stringify(stats)}, expected ${JSON.stringify(expected)}`);
        }
        return answer;
      };
      for (let i = 0; i < WARMUP; i++) await get();
      const latencies: number[] = [];
      const cpuBefore = server.cpuSeconds();
      for (let i = 0; i < REQUESTS; i++) latencies.push((await get()).ms);
      const cpuMs = ((server.cpuSeconds() - cpuBefore) * 1000) / REQUESTS;
      client.close();
      latencies.sort((a, b) => a - b);
      const run = { store, seeded, cpuMs, p50: percentile(latencies, 50), p99: percentile(latencies, 99), mean: latencies.reduce((a, b) => a + b, 0) / latencies.length };
      process.stdout.write(
        `  GET ${path}: p50 ${fmt(run.p50, 2)} ms   p99 ${fmt(run.p99, 2)} ms   mean ${fmt(run.mean, 2)} ms   orghub CPU ${fmt(cpuMs, 2)} ms/req   (stats ${JSON.stringify(expected)})\n`,
      );
      return run;
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

const machine = machineLine();
process.stdout.write(`GET /orgs/{org}/campaigns/{campaign_number} benchmark — ${machine}\n`);
const runs: StoreRun[] = [];
for (const store of stores) runs.push(await runStore(store));
for (const run of runs) process.stdout.write(`${run.store}: p50 < ${P50_TARGET_MS} ms: ${fmt(run.p50, 2)} ms: ${run.p50 < P50_TARGET_MS ? 'met' : 'MISSED'}\n`);

if (write) {
  writeSection(
    'campaigns',
    [
      `## Issue 8: \`GET /orgs/{org}/campaigns/{campaign_number}\` over ${fmt(REPOSITORIES * ALERTS_PER_REPOSITORY)} alerts`,
      '',
      `Measured ${machine}. Indicative: the machine runs other work at the same time.`,
      '',
      `A fresh database per store is seeded directly: one campaign holding ${fmt(REPOSITORIES * ALERTS_PER_REPOSITORY)} code scanning alerts in ${REPOSITORIES} repositories`,
      '(every 5th dismissed, every 7th fixed, every 3rd of the remaining open ones assigned). The caller is a security manager, not an owner,',
      `so the role query runs on every request. ${fmt(REQUESTS)} requests in sequence on one keep-alive connection after ${WARMUP} warm-up ones;`,
      'each answer is checked to carry the expected `alert_stats`, computed by one SQL statement per read. On PostgreSQL the seeded',
      'database is vacuumed first, as autovacuum does soon after a bulk write (unvacuumed, each read re-checks every fresh row).',
      '',
      'orghub CPU is the server process\'s own CPU time per request, which the machine\'s other work does not inflate (on PostgreSQL',
      'the database server\'s time is not in it).',
      '',
      '| store | seeded rows | seed time | p50 | p99 | mean | orghub CPU / request | p50 < 10 ms |',
      '|---|---|---|---|---|---|---|---|',
      ...runs.map(
        (r) =>
          `| ${r.store} | ${fmt(r.seeded.rows)} | ${fmt(r.seeded.ms / 1000, 1)} s | ${fmt(r.p50, 2)} ms | ${fmt(r.p99, 2)} ms | ${fmt(r.mean, 2)} ms | ${fmt(r.cpuMs, 2)} ms | ${verdict(r.p50 < P50_TARGET_MS)} |`,
      ),
    ].join('\n'),
  );
}
