/**
 * Issue 3 benchmark: `GET /orgs/{org}/members?per_page=100` on an org with 100,000 members, next to an org with
 * 100 members in the same database, measured with a sequential client (one keep-alive connection, one request
 * at a time: the latency one script sees), then briefly under load.
 *
 *   npm run bench:members                       # both stores
 *   node --import tsx bench/members-list.ts --db sqlite --members 100000 --requests 200 --no-write
 *
 * The orgs are seeded straight into a fresh database (batched multi-row inserts in one transaction, counters set
 * as src/memberships/store.ts keeps them), then orghub (dist/cli.js, as `npm start` runs it) is started on it in a child process.
 * Figures go to stdout and to bench/RESULTS.md (section members-list).
 */
import autocannon from 'autocannon';
import { newAccountRow } from '../src/accounts/store.js';
import { isoSeconds } from '../src/clock.js';
import { insertToken } from '../src/tokens/store.js';
import { freshDatabase, seedDirectly, storesFromArgs, type Seeded, type StoreKind } from './support/database.js';
import { startOrghub } from './support/child.js';
import { percentile, SequentialClient } from './support/http.js';
import { fmt, machineLine, parseFlags, verdict, writeSection } from './support/results.js';

const flags = parseFlags();
const stores = storesFromArgs(flags.db);
const MEMBERS = Number(flags.members ?? 100_000);
const SMALL = Number(flags.small ?? 100);
const REQUESTS = Number(flags.requests ?? 200);
const WARMUP = Number(flags.warmup ?? 20);
const LOAD_SECONDS = Number(flags['load-duration'] ?? 5);
const write = !('no-write' in flags);
/** Pending invitations in the big org: not members, skipped by the list's index range. */
const PENDING = Math.round(MEMBERS / 100);
const PER_PAGE = 100;
/** The issue's page 900 of 1,000; the same depth (90%) for other sizes. */
const DEEP_PAGE = Number(flags.page ?? Math.min(900, Math.ceil(0.9 * Math.ceil(MEMBERS / PER_PAGE))));

const OWNER = 'bench-owner';
const BIG = 'bench-big';
const SMALL_ORG = 'bench-small';
const TOKEN = 'ghp_orghubBenchMembersToken00000000000';
const BATCH = 1000;

/**
 * Owner (with a read:org token), BIG with the owner + MEMBERS-1 active members (every 10th public) + PENDING
 * pending invitees, SMALL_ORG with the owner + SMALL-1 of the same users; counters as putMembership keeps them.
 */
async function seed(databaseUrl: string): Promise<Seeded> {
  return seedDirectly(databaseUrl, async (trx) => {
    const now = isoSeconds(new Date());
    let rows = 0;
    const account = (login: string, type: 'User' | 'Organization') =>
      newAccountRow({ login, type, settings: type === 'Organization' ? '{}' : null, now });
    const [owner, big, small] = await trx
      .insertInto('accounts')
      .values([account(OWNER, 'User'), account(BIG, 'Organization'), account(SMALL_ORG, 'Organization')])
      .returning('id')
      .execute();
    await insertToken(trx, owner.id, TOKEN, ['read:org'], now);
    const membership = (orgId: number, userId: number, role: 'admin' | 'member', state: 'active' | 'pending', isPublic: boolean) => ({
      org_id: orgId,
      user_id: userId,
      role,
      state,
      public: isPublic ? (1 as const) : (0 as const),
      created_at: now,
      updated_at: now,
    });
    await trx.insertInto('memberships').values([membership(big.id, owner.id, 'admin', 'active', false), membership(small.id, owner.id, 'admin', 'active', false)]).execute();
    rows += 5;

    const users = MEMBERS - 1 + PENDING;
    let publicMembers = 0;
    for (let first = 0; first < users; first += BATCH) {
      const n = Math.min(BATCH, users - first);
      const ids = await trx
        .insertInto('accounts')
        .values(Array.from({ length: n }, (_, i) => account(`member-${String(first + i + 1).padStart(6, '0')}`, 'User')))
        .returning('id')
        .execute();
      const memberships = ids.map(({ id }, i) => {
        const index = first + i;
        const active = index < MEMBERS - 1;
        const isPublic = active && index % 10 === 0;
        if (isPublic) publicMembers += 1;
        return membership(big.id, id, 'member', active ? 'active' : 'pending', isPublic);
      });
      const inSmall = ids.slice(0, Math.max(0, Math.min(n, SMALL - 1 - first))).map(({ id }) => membership(small.id, id, 'member', 'active', false));
      await trx.insertInto('memberships').values([...memberships, ...inSmall]).execute();
      rows += n * 2 + inSmall.length;
    }
    await trx
      .insertInto('org_counters')
      .values([
        { org_id: big.id, name: 'members', value: MEMBERS },
        { org_id: big.id, name: 'admins', value: 1 },
        { org_id: big.id, name: 'public_members', value: publicMembers },
        { org_id: small.id, name: 'members', value: SMALL },
        { org_id: small.id, name: 'admins', value: 1 },
        { org_id: small.id, name: 'public_members', value: 0 },
      ])
      .execute();
    rows += 6;
    return rows;
  });
}

interface Case {
  label: string;
  path: string;
  /** Expected first id order and length are checked on every answer. */
  expectLength: number;
  /** A `Link` rel="last" to this page is expected (every page of the big org but its last). */
  expectLast?: number;
  latencies: number[];
}

interface Summary {
  label: string;
  p50: number;
  p99: number;
  mean: number;
}

function summarize(c: Case): Summary {
  const sorted = [...c.latencies].sort((a, b) => a - b);
  return { label: c.label, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

function check(c: Case, status: number, body: Buffer, link: string | undefined): void {
  if (status !== 200) throw new Error(`${c.path} answered ${status}: ${body.toString().slice(0, 200)}`);
  const items = JSON.parse(body.toString()) as { id: number }[];
  if (items.length !== c.expectLength) throw new Error(`${c.path} answered ${items.length} members, expected ${c.expectLength}`);
  for (let i = 1; i < items.length; i++) if (items[i].id <= items[i - 1].id) throw new Error(`${c.path} is not in user id order`);
  if (c.expectLast && !link?.includes(`page=${c.expectLast}>; rel="last"`)) throw new Error(`${c.path} has no rel="last" to page ${c.expectLast}: ${link}`);
}

interface StoreRun {
  store: StoreKind;
  seeded: Seeded;
  summaries: Summary[];
  load: { label: string; rps: number; p50: number; p99: number }[];
}

async function runStore(store: StoreKind): Promise<StoreRun> {
  process.stdout.write(`\n== ${store}\n`);
  const db = await freshDatabase(store);
  try {
    const seeded = await seed(db.url);
    process.stdout.write(`  seeded ${fmt(seeded.rows)} rows (${fmt(MEMBERS)} + ${fmt(SMALL)} members, ${fmt(PENDING)} pending) in ${fmt(seeded.ms / 1000, 1)} s\n`);
    const server = await startOrghub(db.url);
    try {
      const headers = { authorization: `Bearer ${TOKEN}` };
      const client = new SequentialClient(server.url, headers);
      const lastPage = Math.ceil(MEMBERS / PER_PAGE);
      const cases: Case[] = [
        { label: `${fmt(SMALL)} members, page 1`, path: `/orgs/${SMALL_ORG}/members?per_page=${PER_PAGE}`, expectLength: Math.min(SMALL, PER_PAGE), latencies: [] },
        { label: `${fmt(MEMBERS)} members, page 1`, path: `/orgs/${BIG}/members?per_page=${PER_PAGE}`, expectLength: PER_PAGE, expectLast: lastPage, latencies: [] },
        { label: `${fmt(MEMBERS)} members, page ${DEEP_PAGE}`, path: `/orgs/${BIG}/members?per_page=${PER_PAGE}&page=${DEEP_PAGE}`, expectLength: PER_PAGE, expectLast: lastPage, latencies: [] },
        { label: `${fmt(MEMBERS)} members, page ${lastPage} (last)`, path: `/orgs/${BIG}/members?per_page=${PER_PAGE}&page=${lastPage}`, expectLength: MEMBERS - (lastPage - 1) * PER_PAGE, latencies: [] },
      ];
      // Warm-up, then rounds that visit every case in turn, so a passing disturbance on the machine hits all alike.
      for (let i = 0; i < WARMUP; i++) for (const c of cases) await client.request('GET', c.path);
      for (let i = 0; i < REQUESTS; i++) {
        for (const c of cases) {
          const answer = await client.request('GET', c.path);
          check(c, answer.status, answer.body, answer.headers.link as string | undefined);
          c.latencies.push(answer.ms);
        }
      }
      client.close();
      const summaries = cases.map(summarize);
      for (const s of summaries) {
        process.stdout.write(`  ${s.label.padEnd(32)} p50 ${fmt(s.p50, 2).padStart(6)} ms   p99 ${fmt(s.p99, 2).padStart(6)} ms   mean ${fmt(s.mean, 2).padStart(6)} ms   (${REQUESTS} sequential requests)\n`);
      }
      const load: StoreRun['load'] = [];
      if (LOAD_SECONDS > 0) {
        for (const c of cases.slice(1, 3)) {
          const r = await autocannon({ url: `${server.url}${c.path}`, connections: 10, duration: LOAD_SECONDS, headers });
          if (r.non2xx || r.errors) throw new Error(`${c.path} under load: ${r.non2xx} non-2xx, ${r.errors} errors`);
          load.push({ label: c.label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 });
          process.stdout.write(`  under load (10 connections, ${LOAD_SECONDS} s) ${c.label}: ${fmt(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms\n`);
        }
      }
      return { store, seeded, summaries, load };
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

function judge(run: StoreRun) {
  const [small, first, deep] = run.summaries;
  // "No slower": the big org's first page within 10% (or 0.2 ms, below what one request's jitter is) of the small one's.
  const flat = first.p50 <= Math.max(small.p50 * 1.1, small.p50 + 0.2);
  return [
    { text: `page 1 p50 < 10 ms`, ok: first.p50 < 10, figure: `${fmt(first.p50, 2)} ms` },
    { text: `page ${DEEP_PAGE} p50 < 25 ms`, ok: deep.p50 < 25, figure: `${fmt(deep.p50, 2)} ms` },
    { text: `page 1 on ${fmt(MEMBERS)} no slower than on ${fmt(SMALL)}`, ok: flat, figure: `${fmt(first.p50, 2)} vs ${fmt(small.p50, 2)} ms (×${(first.p50 / small.p50).toFixed(2)})` },
  ];
}

const machine = machineLine();
process.stdout.write(`GET /orgs/{org}/members benchmark — ${machine}\n`);
const runs: StoreRun[] = [];
for (const store of stores) runs.push(await runStore(store));
process.stdout.write('\n');
for (const run of runs) for (const j of judge(run)) process.stdout.write(`${run.store}: ${j.text}: ${j.figure}: ${j.ok ? 'met' : 'MISSED'}\n`);

if (write) {
  writeSection(
    'members-list',
    [
      '## Issue 3: `GET /orgs/{org}/members?per_page=100` on 100,000 members',
      '',
      `Measured ${machine}.`,
      '',
      `A fresh database per store is seeded directly (batched ${BATCH}-row inserts in one transaction, then ANALYZE; VACUUM ANALYZE on PostgreSQL): the owner`,
      `(a \`read:org\` token), \`${BIG}\` with ${fmt(MEMBERS)} active members (the owner included, every 10th public) and`,
      `${fmt(PENDING)} pending invitees, and \`${SMALL_ORG}\` with ${fmt(SMALL)} active members; \`org_counters\` set as`,
      '`src/memberships/store.ts` keeps them. orghub then runs in a child process (`node dist/cli.js`, built as `npm start` builds it, with its Node flags).',
      `Latency is from one keep-alive connection, one request at a time (${REQUESTS} measured rounds after ${WARMUP} warm-up rounds; each round`,
      'requests every case once, so a disturbance on the shared machine hits all cases alike), from sending the request to the',
      'last byte of the answer; every answer is checked (200, 100 members in id order, `rel="last"`). Then 10 connections',
      `for ${LOAD_SECONDS} s (autocannon) on the big org's first and deep page.`,
      '',
      '| store | list | p50 ms | p99 ms | mean ms |',
      '|---|---|---:|---:|---:|',
      ...runs.flatMap((run) => run.summaries.map((s) => `| ${run.store} | ${s.label} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${fmt(s.mean, 2)} |`)),
      '',
      '| store | target | measured | |',
      '|---|---|---|---|',
      ...runs.flatMap((run) => judge(run).map((j) => `| ${run.store} | ${j.text} | ${j.figure} | ${verdict(j.ok)} |`)),
      '',
      ...runs.map((run) => `- ${run.store}: seeding ${fmt(run.seeded.rows)} rows took ${fmt(run.seeded.ms / 1000, 1)} s.` +
        (run.load.length ? ` Under load (10 connections): ${run.load.map((l) => `${l.label} ${fmt(l.rps)} req/s (p50 ${l.p50} ms, p99 ${l.p99} ms)`).join('; ')}.` : '')),
      '',
      `Reproduce: \`npm run bench:members\` (or \`node --import tsx bench/members-list.ts --db sqlite,postgres --members ${MEMBERS} --requests ${REQUESTS}\`).`,
    ].join('\n'),
  );
}
