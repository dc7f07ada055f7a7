/**
 * Issue 8 benchmarks, code scanning, on SQLite and PostgreSQL:
 * - `GET /orgs/{org}/code-scanning/alerts?per_page=100` on an org with 100,000 alerts in 100 repositories (p50 < 20 ms);
 * - ingesting a 5,000-result SARIF upload: from `POST …/code-scanning/sarifs` to `processing_status: complete` (< 5 s),
 *   once into an empty repository (5,000 new alerts) and once again (the same results: 5,000 updated instances).
 *
 *   npm run bench -- …  (through bench/run.ts), or
 *   node --import tsx bench/code-scanning.ts --db sqlite --alerts 10000 --requests 50 --no-write   # a quick run
 *
 * The alerts are inserted straight into a fresh database (rows as test/support/alert-rows.ts builds them), then orghub
 * (dist/cli.js, as `npm start` runs it) runs on it in a child process; requests go in sequence over one keep-alive connection. Figures go to
 * stdout and to bench/RESULTS.md (section code-scanning).
 */
import { newAccountRow } from '../src/accounts/store.js';
import { isoSeconds } from '../src/clock.js';
import { insertToken } from '../src/tokens/store.js';
import { alertRow, repositoryRow } from '../test/support/alert-rows.js';
import { encodeSarif, syntheticSarif } from '../test/support/sarif.js';
import { startOrghub } from './support/child.js';
import { freshDatabase, seedDirectly, storesFromArgs, type Seeded, type StoreKind } from './support/database.js';
import { percentile, SequentialClient } from './support/http.js';
import { fmt, machineLine, parseFlags, verdict, writeSection } from './support/results.js';

const flags = parseFlags();
const stores = storesFromArgs(flags.db);
const ALERTS = Number(flags.alerts ?? 100_000);
const REPOSITORIES = Number(flags.repositories ?? 100);
const RESULTS = Number(flags.results ?? 5_000);
const REQUESTS = Number(flags.requests ?? 300);
const WARMUP = Number(flags.warmup ?? 30);
const write = !('no-write' in flags);
const LIST_P50_TARGET_MS = 20;
const INGEST_TARGET_MS = 5_000;
const BATCH = 500;

const ORG = 'bench-org';
const OWNER = 'bench-owner';
const TOKEN = 'ghp_orghubBenchCodeScanningToken000000';
const INGEST_REPOSITORY = 'ingest';

async function seed(databaseUrl: string): Promise<Seeded> {
  return seedDirectly(databaseUrl, async (trx) => {
    const now = isoSeconds(new Date());
    const [owner, org] = await trx
      .insertInto('accounts')
      .values([newAccountRow({ login: OWNER, type: 'User', now }), newAccountRow({ login: ORG, type: 'Organization', settings: '{}', now })])
      .returning('id')
      .execute();
    await trx.insertInto('memberships').values({ org_id: org.id, user_id: owner.id, role: 'admin', state: 'active', public: 0, created_at: now, updated_at: now }).execute();
    await insertToken(trx, owner.id, TOKEN, ['security_events', 'repo'], now);
    await trx.insertInto('repositories').values(repositoryRow(org.id, INGEST_REPOSITORY, now)).execute();
    let rows = 5;
    const perRepository = Math.ceil(ALERTS / REPOSITORIES);
    for (let r = 0; r < REPOSITORIES; r++) {
      const count = Math.min(perRepository, ALERTS - r * perRepository);
      const { id } = await trx.insertInto('repositories').values(repositoryRow(org.id, `repo-${r}`, now, count)).returning('id').executeTakeFirstOrThrow();
      for (let first = 1; first <= count; first += BATCH) {
        const numbers = Array.from({ length: Math.min(BATCH, count - first + 1) }, (_, k) => first + k);
        // Every 4th dismissed, every 9th fixed: the list reads across states.
        await trx.insertInto('code_scanning_alerts').values(numbers.map((n) => alertRow(org.id, id, n, now, n % 4 === 0 ? 'dismissed' : n % 9 === 0 ? 'fixed' : 'open'))).execute();
        rows += numbers.length;
      }
      rows++;
    }
    return rows;
  });
}

interface StoreRun {
  store: StoreKind;
  seeded: Seeded;
  list: { p50: number; p99: number; mean: number };
  ingestNew: number;
  ingestAgain: number;
}

/** Uploads a SARIF of RESULTS results and waits for `complete`: milliseconds from the upload to the answer saying so. */
async function ingest(client: SequentialClient, sarif: string): Promise<number> {
  const started = performance.now();
  const answer = await client.request('POST', `/repos/${ORG}/${INGEST_REPOSITORY}/code-scanning/sarifs`, { commit_sha: 'b'.repeat(40), ref: 'refs/heads/main', sarif });
  if (answer.status !== 202) throw new Error(`upload answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
  const { id } = JSON.parse(answer.body.toString()) as { id: string };
  for (;;) {
    const status = await client.request('GET', `/repos/${ORG}/${INGEST_REPOSITORY}/code-scanning/sarifs/${id}`);
    const { processing_status: state, errors } = JSON.parse(status.body.toString()) as { processing_status: string; errors: string[] | null };
    if (state === 'complete') return performance.now() - started;
    if (state === 'failed') throw new Error(`upload failed: ${JSON.stringify(errors)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function runStore(store: StoreKind): Promise<StoreRun> {
  process.stdout.write(`\n== ${store}\n`);
  const db = await freshDatabase(store);
  try {
    const seeded = await seed(db.url);
    process.stdout.write(`  seeded ${fmt(seeded.rows)} rows (${fmt(ALERTS)} alerts in ${REPOSITORIES} repositories) in ${fmt(seeded.ms / 1000, 1)} s\n`);
    const server = await startOrghub(db.url, { ORGHUB_SARIF_POLL_MS: '20' });
    try {
      const client = new SequentialClient(server.url, { authorization: `Bearer ${TOKEN}` });
      const path = `/orgs/${ORG}/code-scanning/alerts?per_page=100`;
      const get = async () => {
        const answer = await client.request('GET', path);
        if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
        const items = JSON.parse(answer.body.toString()) as unknown[];
        if (items.length !== 100) throw new Error(`${path} listed ${items.length} alerts, not 100`);
        return answer;
      };
      for (let i = 0; i < WARMUP; i++) await get();
      const latencies: number[] = [];
      for (let i = 0; i < REQUESTS; i++) latencies.push((await get()).ms);
      latencies.sort((a, b) => a - b);
      const list = { p50: percentile(latencies, 50), p99: percentile(latencies, 99), mean: latencies.reduce((a, b) => a + b, 0) / latencies.length };
      process.stdout.write(`  GET ${path}: p50 ${fmt(list.p50, 2)} ms   p99 ${fmt(list.p99, 2)} ms   mean ${fmt(list.mean, 2)} ms\n`);

      const sarif = encodeSarif(syntheticSarif(RESULTS));
      const ingestNew = await ingest(client, sarif);
      process.stdout.write(`  ${fmt(RESULTS)}-result SARIF, new alerts: ${fmt(ingestNew)} ms to complete\n`);
      const ingestAgain = await ingest(client, sarif);
      process.stdout.write(`  ${fmt(RESULTS)}-result SARIF, the same results again: ${fmt(ingestAgain)} ms to complete\n`);
      client.close();
      return { store, seeded, list, ingestNew, ingestAgain };
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

const machine = machineLine();
process.stdout.write(`code scanning benchmark — ${machine}\n`);
const runs: StoreRun[] = [];
for (const store of stores) runs.push(await runStore(store));
for (const run of runs) {
  process.stdout.write(`${run.store}: list p50 < ${LIST_P50_TARGET_MS} ms: ${fmt(run.list.p50, 2)} ms: ${run.list.p50 < LIST_P50_TARGET_MS ? 'met' : 'MISSED'}; `);
  process.stdout.write(`ingest < ${INGEST_TARGET_MS} ms: ${fmt(Math.max(run.ingestNew, run.ingestAgain))} ms: ${Math.max(run.ingestNew, run.ingestAgain) < INGEST_TARGET_MS ? 'met' : 'MISSED'}\n`);
}

if (write) {
  writeSection(
    'code-scanning',
    [
      `## Issue 8: code scanning — the org alert list at ${fmt(ALERTS)} alerts, and ingesting a ${fmt(RESULTS)}-result SARIF`,
      '',
      `Measured ${machine}. Indicative: the machine runs other work at the same time.`,
      '',
      `A fresh database per store is seeded directly with ${fmt(ALERTS)} alerts in ${REPOSITORIES} repositories of one org (every 4th dismissed,`,
      `every 9th fixed). The caller is an owner with \`security_events\`. \`GET /orgs/{org}/code-scanning/alerts?per_page=100\`: ${fmt(REQUESTS)} requests`,
      `in sequence on one keep-alive connection after ${WARMUP} warm-up ones, each checked to list 100 alerts. Ingestion: a SARIF of ${fmt(RESULTS)} results`,
      '(one run, one rule, distinct locations) uploaded through the API into an empty repository, timed from the upload to the first',
      '`GET …/sarifs/{sarif_id}` answering `complete` (polled every 10 ms); then the same file again (every result found, its instance updated).',
      '',
      '| store | seeded rows | list p50 | list p99 | list mean | list p50 < 20 ms | ingest, new alerts | ingest, same results | ingest < 5 s |',
      '|---|---|---|---|---|---|---|---|---|',
      ...runs.map((r) => `| ${r.store} | ${fmt(r.seeded.rows)} | ${fmt(r.list.p50, 2)} ms | ${fmt(r.list.p99, 2)} ms | ${fmt(r.list.mean, 2)} ms | ${verdict(r.list.p50 < LIST_P50_TARGET_MS)} | ${fmt(r.ingestNew)} ms | ${fmt(r.ingestAgain)} ms | ${verdict(Math.max(r.ingestNew, r.ingestAgain) < INGEST_TARGET_MS)} |`),
    ].join('\n'),
  );
}
