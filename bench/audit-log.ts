/**
 * Issue 9 benchmark: `GET /orgs/{org}/audit-log` on an org with 1,000,000 audit events (and a second org with 100,000
 * beside it in the same table), measured with a sequential client (one keep-alive connection, one request at a time):
 * the newest page, `phrase=action:org.add_member`, `phrase=actor:NAME created:>=DATE`, `phrase=-action:org.update`,
 * a category (`action:team`) and a page reached by following ten `next` cursors.
 *
 *   npm run bench:audit-log                          # both stores
 *   node --import tsx bench/audit-log.ts --db sqlite --events 1000000 --requests 100 --no-write
 *
 * The events are inserted straight into a fresh database in batches (rows built by src/audit/record.ts, as recorded),
 * then ANALYZE (VACUUM ANALYZE on PostgreSQL), then each search's plan is read with EXPLAIN (the benchmark fails if one
 * scans the table), then orghub (dist/cli.js, as `npm start` runs it) runs on it in a child process. Figures go to stdout
 * and to bench/RESULTS.md (section audit-log).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { performance } from 'node:perf_hooks';
import { newAccountRow } from '../src/accounts/store.js';
import { auditEventRow } from '../src/audit/record.js';
import { auditSearch, type AuditLogQuery } from '../src/audit/service.js';
import { auditSearchQuery } from '../src/audit/store.js';
import { isoSeconds, systemClock } from '../src/clock.js';
import { openStore, type DialectName } from '../src/db/connect.js';
import type { Database } from '../src/db/schema.js';
import { insertToken } from '../src/tokens/store.js';
import { freshDatabase, seedDirectly, storesFromArgs, type Seeded, type StoreKind } from './support/database.js';
import { startOrghub } from './support/child.js';
import { percentile, SequentialClient } from './support/http.js';
import { fmt, machineLine, parseFlags, verdict, writeSection } from './support/results.js';

const flags = parseFlags();
const stores = storesFromArgs(flags.db);
const EVENTS = Number(flags.events ?? 1_000_000);
const OTHER_EVENTS = Math.round(EVENTS / 10);
const REQUESTS = Number(flags.requests ?? 100);
const WARMUP = Number(flags.warmup ?? 10);
const write = !('no-write' in flags);
const ACTORS = 200;
const TEAMS = 50;
/** The events span the last 170 days: inside the 180-day retention, half of them inside the default three months. */
const SPAN_DAYS = 170;
const DAY_MS = 86_400_000;
const BATCH = 1000;
const P50_TARGET_MS = 50;

const OWNER = 'bench-owner';
const ORG = 'bench-org';
const OTHER = 'bench-other';
const TOKEN = 'ghp_orghubBenchAuditLogToken0000000000';
const ACTOR = 'actor-007';

/** A plausible org's mix of actions (weights in percent), with the fields each one records. */
const MIX: { action: string; weight: number; user?: boolean; team?: boolean; data?: Record<string, unknown> }[] = [
  { action: 'team.add_member', weight: 25, user: true, team: true },
  { action: 'org.invite_member', weight: 12, user: true, data: { role: 'direct_member' } },
  { action: 'org.add_member', weight: 10, user: true, data: { permission: 'member' } },
  { action: 'team.remove_member', weight: 10, user: true, team: true },
  { action: 'org_credential_authorization.grant', weight: 8, data: { token_scopes: 'repo,read:org' } },
  { action: 'org.update', weight: 5, data: { changes: { description: 'x' } } },
  { action: 'org.update_member', weight: 5, user: true, data: { old_permission: 'member', permission: 'admin' } },
  { action: 'org.publicize_member', weight: 5, user: true },
  { action: 'org.cancel_invitation', weight: 4, user: true },
  { action: 'org.remove_member', weight: 3, user: true, data: { permission: 'member' } },
  { action: 'hook.config_changed', weight: 3, data: { hook_id: 1 } },
  { action: 'team.promote_maintainer', weight: 3, user: true, team: true },
  { action: 'team.create', weight: 2, team: true },
  { action: 'team.rename', weight: 2, team: true },
  { action: 'hook.create', weight: 2, data: { hook_id: 1, active: true } },
  { action: 'org.block_user', weight: 1, user: true },
];
const PICK: (typeof MIX)[number][] = MIX.flatMap((entry) => Array.from({ length: entry.weight }, () => entry));

/** Deterministic pseudo-random numbers (a run is repeatable). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function seed(databaseUrl: string, now: number): Promise<Seeded> {
  return seedDirectly(databaseUrl, async (trx) => {
    const createdAt = isoSeconds(new Date(now - SPAN_DAYS * DAY_MS));
    let rows = 0;
    const account = (login: string, type: 'User' | 'Organization') => newAccountRow({ login, type, settings: type === 'Organization' ? '{}' : null, now: createdAt });
    const [owner, org, other] = await trx
      .insertInto('accounts')
      .values([account(OWNER, 'User'), account(ORG, 'Organization'), account(OTHER, 'Organization')])
      .returning(['id', 'login'])
      .execute();
    await insertToken(trx, owner.id, TOKEN, ['read:audit_log'], createdAt);
    await trx.insertInto('memberships').values({ org_id: org.id, user_id: owner.id, role: 'admin', state: 'active', public: 0, created_at: createdAt, updated_at: createdAt }).execute();
    const actors = await trx
      .insertInto('accounts')
      .values(Array.from({ length: ACTORS }, (_, i) => account(`actor-${String(i).padStart(3, '0')}`, 'User')))
      .returning(['id', 'login'])
      .execute();
    rows += 4 + ACTORS;
    const total = EVENTS + OTHER_EVENTS;
    const next = random(9);
    for (let first = 0; first < total; first += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, total - first) }, (_, k) => {
        const i = first + k;
        // Every 11th event is the other org's; ids follow time, as recorded events' do.
        const inOther = i % 11 === 10;
        const kind = PICK[Math.floor(next() * PICK.length)];
        const target = inOther ? other : org;
        const team = kind.team ? { team: `${target.login}/team-${String(Math.floor(next() * TEAMS)).padStart(2, '0')}` } : {};
        return auditEventRow({
          action: kind.action,
          actor: actors[Math.floor(next() * ACTORS)],
          org: target,
          user: kind.user ? actors[Math.floor(next() * ACTORS)] : null,
          data: kind.data || kind.team ? { ...kind.data, ...team } : undefined,
          createdAt: isoSeconds(new Date(now - SPAN_DAYS * DAY_MS + Math.floor((i / total) * SPAN_DAYS * DAY_MS))),
        });
      });
      await trx.insertInto('audit_events').values(batch).execute();
      rows += batch.length;
    }
    return rows;
  });
}

interface Entry {
  action: string;
  actor?: string;
  created_at: number;
}

interface Case {
  label: string;
  query: Omit<AuditLogQuery, 'perPage'>;
  /** Every entry of the answer must pass this. */
  check: (entry: Entry) => boolean;
  path: string;
  plan: string;
  latencies: number[];
}

/** The search's plan, one line per step; throws when it reads the audit events without an index range. */
async function explain(db: Kysely<Database>, dialect: DialectName, orgId: number, query: Omit<AuditLogQuery, 'perPage'>): Promise<string> {
  const search = await auditSearch({ db, clock: systemClock, retentionDays: 180 }, { id: orgId }, { ...query, perPage: 30 });
  const compiled = auditSearchQuery(db, search).compile();
  const result = await db.executeQuery(CompiledQuery.raw(`${dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${compiled.sql}`, [...compiled.parameters]));
  const lines = (result.rows as Record<string, string>[]).map((row) => (dialect === 'sqlite' ? row.detail : row['QUERY PLAN']));
  const scans = lines.filter((line) => (dialect === 'sqlite' ? /^SCAN audit_events\b/.test(line) : /Seq Scan on audit_events/.test(line)));
  if (scans.length) throw new Error(`a full scan for ${JSON.stringify(query)}:\n${lines.join('\n')}`);
  return dialect === 'sqlite' ? lines.join('; ') : lines.filter((line) => /Index|Scan|Filter/.test(line)).map((line) => line.trim().replace(/\s+\(cost=.*$/, '')).join('; ');
}

/** The plans of the org's searches, read on a connection of the benchmark's own. */
async function plansOf(url: string, dialect: DialectName, queries: Omit<AuditLogQuery, 'perPage'>[]): Promise<string[]> {
  const inspector = openStore(url);
  try {
    const { id: orgId } = await inspector.db.selectFrom('accounts').select('id').where('login', '=', ORG).executeTakeFirstOrThrow();
    const plans: string[] = [];
    for (const query of queries) plans.push(await explain(inspector.db, dialect, orgId, query));
    return plans;
  } finally {
    await inspector.close();
  }
}

interface Summary {
  label: string;
  plan: string;
  p50: number;
  p99: number;
  mean: number;
}

interface StoreRun {
  store: StoreKind;
  seeded: Seeded;
  summaries: Summary[];
}

async function runStore(store: StoreKind): Promise<StoreRun> {
  process.stdout.write(`\n== ${store}\n`);
  const db = await freshDatabase(store);
  try {
    const now = Date.now();
    const seeded = await seed(db.url, now);
    process.stdout.write(`  seeded ${fmt(seeded.rows)} rows (${fmt(EVENTS)} + ${fmt(OTHER_EVENTS)} events) in ${fmt(seeded.ms / 1000, 1)} s\n`);
    const since = isoSeconds(new Date(now - 30 * DAY_MS)).slice(0, 10);
    const sinceMs = Date.parse(`${since}T00:00:00Z`);
    const cases: Case[] = ([
      { label: 'newest page', query: {}, check: () => true },
      { label: 'action:org.add_member', query: { phrase: 'action:org.add_member' }, check: (e) => e.action === 'org.add_member' },
      { label: `actor:${ACTOR} created:>=${since}`, query: { phrase: `actor:${ACTOR} created:>=${since}` }, check: (e) => e.actor === ACTOR && e.created_at >= sinceMs },
      { label: '-action:org.update', query: { phrase: '-action:org.update' }, check: (e) => e.action !== 'org.update' },
      { label: 'action:team (category)', query: { phrase: 'action:team' }, check: (e) => e.action.startsWith('team.') },
    ] satisfies Pick<Case, 'label' | 'query' | 'check'>[]).map((c) => ({ ...c, path: `/orgs/${ORG}/audit-log${c.query.phrase ? `?phrase=${encodeURIComponent(c.query.phrase)}` : ''}`, plan: '', latencies: [] }));
    const plans = await plansOf(db.url, store, cases.map((c) => c.query));
    cases.forEach((c, i) => (c.plan = plans[i]));
    const server = await startOrghub(db.url);
    try {
      const client = new SequentialClient(server.url, { authorization: `Bearer ${TOKEN}` });
      const get = async (c: Pick<Case, 'path' | 'check'>) => {
        const answer = await client.request('GET', c.path);
        if (answer.status !== 200) throw new Error(`${c.path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
        const entries = JSON.parse(answer.body.toString()) as Entry[];
        if (entries.length !== 30) throw new Error(`${c.path} answered ${entries.length} events, expected 30`);
        if (!entries.every(c.check)) throw new Error(`${c.path} answered events the phrase excludes`);
        for (let i = 1; i < entries.length; i++) if (entries[i].created_at > entries[i - 1].created_at) throw new Error(`${c.path} is not newest first`);
        return { ...answer, link: String(answer.headers.link ?? '') };
      };
      // The 11th page of action:org.add_member, reached by following `next` ten times: a cursor deep in the list.
      const byCursor = cases[1];
      let path = byCursor.path;
      for (let page = 1; page <= 10; page++) {
        const next = new URL(/<([^>]+)>; rel="next"/.exec((await get({ path, check: byCursor.check })).link)![1]);
        path = next.pathname + next.search;
      }
      const query = { ...byCursor.query, after: new URL(path, server.url).searchParams.get('after')! };
      cases.push({ label: 'action:org.add_member, 11th page (cursor)', query, check: byCursor.check, path, plan: await plansOf(db.url, store, [query]).then(([plan]) => plan), latencies: [] });
      // Warm-up, then rounds that visit every case in turn, so a passing disturbance on the machine hits all alike.
      for (let i = 0; i < WARMUP; i++) for (const c of cases) await get(c);
      for (let i = 0; i < REQUESTS; i++) {
        for (const c of cases) {
          const started = performance.now();
          await get(c);
          c.latencies.push(performance.now() - started);
        }
      }
      client.close();
      const summaries = cases.map((c) => {
        const sorted = [...c.latencies].sort((a, b) => a - b);
        return { label: c.label, plan: c.plan, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
      });
      for (const s of summaries) {
        process.stdout.write(`  ${s.label.padEnd(44)} p50 ${fmt(s.p50, 2).padStart(6)} ms   p99 ${fmt(s.p99, 2).padStart(6)} ms   mean ${fmt(s.mean, 2).padStart(6)} ms\n      plan: ${s.plan}\n`);
      }
      return { store, seeded, summaries };
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

const machine = machineLine();
process.stdout.write(`GET /orgs/{org}/audit-log benchmark — ${machine}\n`);
const runs: StoreRun[] = [];
for (const store of stores) runs.push(await runStore(store));
process.stdout.write('\n');
const judged = runs.flatMap((run) => run.summaries.map((s) => ({ store: run.store, label: s.label, ok: s.p50 < P50_TARGET_MS, figure: `${fmt(s.p50, 2)} ms` })));
for (const j of judged) process.stdout.write(`${j.store}: ${j.label}: p50 < ${P50_TARGET_MS} ms: ${j.figure}: ${j.ok ? 'met' : 'MISSED'}\n`);

if (write) {
  writeSection(
    'audit-log',
    [
      '## Issue 9: `GET /orgs/{org}/audit-log` on 1,000,000 events',
      '',
      `Measured ${machine}.`,
      '',
      `A fresh database per store is seeded directly: \`${ORG}\` with ${fmt(EVENTS)} audit events and \`${OTHER}\` with ${fmt(OTHER_EVENTS)}, interleaved`,
      `in one table over the last ${SPAN_DAYS} days (ids in time order, as recorded), by ${ACTORS} actors, in a mix of ${MIX.length} actions`,
      '(`team.add_member` 25%, `org.invite_member` 12%, `org.add_member` 10%, `org.update` 5% …), rows built by',
      `\`src/audit/record.ts\`, batched ${BATCH}-row inserts in one transaction, then ANALYZE (VACUUM ANALYZE on PostgreSQL). Each search's plan is read with`,
      '`EXPLAIN` (SQLite `EXPLAIN QUERY PLAN`) through the very query builder the server uses; the run fails on any full scan.',
      'orghub then runs in a child process (`node dist/cli.js`, built as `npm start` builds it, with its Node flags), the owner\'s token has `read:audit_log`.',
      `Latency is from one keep-alive connection, one request at a time (${REQUESTS} measured rounds after ${WARMUP} warm-up rounds; each`,
      'round requests every case once), from sending the request to the last byte of the answer; every answer is checked',
      '(200, 30 events, newest first, each one matching the phrase). The cursor case is the 11th page of',
      '`action:org.add_member`, reached by following `rel="next"` ten times.',
      '',
      '| store | search | p50 ms | p99 ms | mean ms | plan |',
      '|---|---|---:|---:|---:|---|',
      ...runs.flatMap((run) => run.summaries.map((s) => `| ${run.store} | \`${s.label}\` | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${fmt(s.mean, 2)} | ${s.plan.replace(/\|/g, '\\|')} |`)),
      '',
      '| store | target | measured | |',
      '|---|---|---|---|',
      ...judged.map((j) => `| ${j.store} | \`${j.label}\` p50 < ${P50_TARGET_MS} ms | ${j.figure} | ${verdict(j.ok)} |`),
      '',
      ...runs.map((run) => `- ${run.store}: seeding ${fmt(run.seeded.rows)} rows took ${fmt(run.seeded.ms / 1000, 1)} s.`),
      '',
      `Reproduce: \`npm run bench:audit-log\` (or \`node --import tsx bench/audit-log.ts --db sqlite,postgres --events ${EVENTS} --requests ${REQUESTS}\`).`,
    ].join('\n'),
  );
}
