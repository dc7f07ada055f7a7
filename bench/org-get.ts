/**
 * Issue 2 benchmark: authenticated `GET /orgs/{org}` under load (autocannon, loopback, 50 connections) on
 * SQLite and PostgreSQL, next to a bare Fastify route answering the same bytes with the same content type.
 *
 *   npm run bench:org-get                        # both stores, 10 s per measurement
 *   node --import tsx bench/org-get.ts --db sqlite --duration 5 --connections 50 --warmup 2 --no-write
 *
 * Each server (orghub as `npm start` runs it, dist/cli.js; the bare route, bench/support/bare-server.ts, compiled the same way) runs in its own child
 * process; autocannon runs in this one. Figures go to stdout and to bench/RESULTS.md (section org-get).
 */
import autocannon, { type Result } from 'autocannon';
import { freshDatabase, storesFromArgs, type StoreKind } from './support/database.js';
import { BENCH_ADMIN_TOKEN, startBareRoute, startOrghub, type ChildServer } from './support/child.js';
import { SequentialClient } from './support/http.js';
import { fmt, machineLine, parseFlags, pct, verdict, writeSection } from './support/results.js';

const flags = parseFlags();
const stores = storesFromArgs(flags.db);
const duration = Number(flags.duration ?? 10);
const warmup = Number(flags.warmup ?? 3);
const connections = Number(flags.connections ?? 50);
const write = !('no-write' in flags);

const ORG = 'bench-org';
const OWNER = 'bench-owner';
/** The read:org token of an owner: the full organization with its private fields, the most work GET /orgs/{org} does. */
const SCOPES = ['read:org'];

interface Measured {
  label: string;
  /** Server CPU time per request (µs): what the server itself spends, whatever else the machine runs. */
  cpuMicros: number;
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

interface StoreRun {
  store: StoreKind;
  bodyBytes: number;
  bare: Measured;
  orghub: Measured;
  rateLimitUsed: number;
  requestsSent: number;
}

async function load(label: string, server: ChildServer, path: string, headers: Record<string, string>): Promise<Measured> {
  const options = { url: `${server.url}${path}`, connections, pipelining: 1, headers };
  if (warmup > 0) await autocannon({ ...options, duration: warmup });
  const cpuBefore = server.cpuSeconds();
  const r: Result = await autocannon({ ...options, duration });
  const cpu = server.cpuSeconds() - cpuBefore;
  const measured = {
    label,
    cpuMicros: (cpu * 1e6) / r.requests.total,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
  process.stdout.write(
    `  ${label.padEnd(22)} ${fmt(measured.rps).padStart(8)} req/s   p50 ${fmt(measured.p50, 1).padStart(5)} ms   p99 ${fmt(measured.p99, 1).padStart(5)} ms   server CPU ${fmt(measured.cpuMicros).padStart(4)} µs/req` +
      `   (${fmt(measured.total)} requests${measured.non2xx ? `, ${measured.non2xx} non-2xx` : ''}${measured.errors ? `, ${measured.errors} errors` : ''})\n`,
  );
  if (measured.non2xx || measured.errors) throw new Error(`${label}: ${measured.non2xx} non-2xx answers and ${measured.errors} errors; figures are not valid`);
  return measured;
}

async function runStore(store: StoreKind): Promise<StoreRun> {
  process.stdout.write(`\n== ${store}\n`);
  const db = await freshDatabase(store);
  let orghub: ChildServer | undefined;
  let bare: ChildServer | undefined;
  try {
    orghub = await startOrghub(db.url);
    const admin = new SequentialClient(orghub.url, { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` });
    await admin.json('POST', '/admin/users', { login: OWNER }, 201);
    await admin.json('POST', '/admin/organizations', { login: ORG, admin: OWNER }, 201);
    const { token } = await admin.json<{ token: string }>('POST', `/admin/users/${OWNER}/authorizations`, { scopes: SCOPES }, 201);
    admin.close();

    const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' };
    const path = `/orgs/${ORG}`;
    const client = new SequentialClient(orghub.url, headers);
    const probe = await client.request('GET', path);
    if (probe.status !== 200 || !probe.headers.etag || !probe.headers['x-ratelimit-used'] || !('plan' in JSON.parse(probe.body.toString()))) {
      throw new Error(`probe GET ${path} answered ${probe.status} without the ETag, rate-limit headers or private fields expected`);
    }
    const contentType = String(probe.headers['content-type']);
    process.stdout.write(`  body ${probe.body.length} bytes (${contentType}), ETag and X-RateLimit-* present\n`);

    bare = await startBareRoute(probe.body, contentType);
    const check = await new SequentialClient(bare.url).request('GET', path);
    if (!check.body.equals(probe.body) || check.headers['content-type'] !== contentType) throw new Error('bare route does not answer the same bytes');
    const bareFigures = await load('bare Fastify route', bare, path, headers);
    await bare.stop();
    bare = undefined;

    const orghubFigures = await load(`orghub on ${store}`, orghub, path, headers);
    // Every request was counted: the (batched) rate-limit accounting saw the probe, the warm-up and the measured run.
    await new Promise((r) => setTimeout(r, 500));
    const rate = await client.json<{ resources: { core: { used: number } } }>('GET', '/rate_limit');
    client.close();
    return {
      store,
      bodyBytes: probe.body.length,
      bare: bareFigures,
      orghub: orghubFigures,
      rateLimitUsed: rate.resources.core.used,
      requestsSent: orghubFigures.total,
    };
  } finally {
    await bare?.stop();
    await orghub?.stop();
    await db.drop();
  }
}

const TARGETS: Record<StoreKind, { ratio: number; p99?: number }> = {
  sqlite: { ratio: 0.4, p99: 15 },
  postgres: { ratio: 0.2 },
};

function judge(run: StoreRun) {
  const target = TARGETS[run.store];
  const ratio = run.orghub.rps / run.bare.rps;
  const ok = ratio >= target.ratio && (target.p99 === undefined || run.orghub.p99 < target.p99);
  const text = `≥ ${pct(target.ratio)} of bare${target.p99 ? `, p99 < ${target.p99} ms` : ''}`;
  return { ratio, ok, text };
}

const machine = machineLine();
process.stdout.write(`GET /orgs/{org} benchmark — ${machine}\nautocannon: ${connections} connections, ${warmup} s warm-up + ${duration} s measured per server\n`);
const runs: StoreRun[] = [];
for (const store of stores) runs.push(await runStore(store));

process.stdout.write('\n');
for (const run of runs) {
  const j = judge(run);
  process.stdout.write(`${run.store}: orghub/bare = ${pct(j.ratio)} (${j.text}): ${j.ok ? 'met' : 'MISSED'}; rate limit used ${fmt(run.rateLimitUsed)} after ${fmt(run.requestsSent)} measured requests\n`);
}

if (write) {
  const rows = runs.flatMap((run) => {
    const j = judge(run);
    return [
      `| ${run.store} | bare Fastify route, same ${run.bodyBytes} bytes | ${fmt(run.bare.rps)} | ${fmt(run.bare.p50)} | ${fmt(run.bare.p99)} | ${fmt(run.bare.cpuMicros)} | 100% | |`,
      `| ${run.store} | orghub \`GET /orgs/${ORG}\` | ${fmt(run.orghub.rps)} | ${fmt(run.orghub.p50)} | ${fmt(run.orghub.p99)} | ${fmt(run.orghub.cpuMicros)} | ${pct(j.ratio)} | ${j.text}: ${verdict(j.ok)} |`,
    ];
  });
  writeSection(
    'org-get',
    [
      '## Issue 2: authenticated `GET /orgs/{org}` under load',
      '',
      `Measured ${machine}.`,
      '',
      `autocannon (in the benchmark process) → loopback, ${connections} connections, no pipelining, ${warmup} s warm-up then ${duration} s measured,`,
      `against each server in its own child process: orghub started by \`node dist/cli.js\` (built as \`npm start\` builds it, with its Node flags) on a fresh database`,
      `(SQLite file in a temp folder / a new PostgreSQL database, dropped afterwards), and a bare Fastify route`,
      `(\`bench/support/bare-server.ts\`) answering the very bytes and \`Content-Type\` orghub answered, measured`,
      `just before orghub in the same run. Each request carries an owner's \`read:org\` token, so orghub authenticates`,
      `it (token cache), resolves the org, the caller's membership and the collaborators counter (read cache: one query`,
      `each per second, none in between; see README), counts the request against the rate limit`,
      `(limit raised to 10⁹ so the run never hits it; counts still written in batches), serializes the full`,
      `organization with its private fields and computes its \`ETag\` (no \`If-None-Match\` sent: every answer is a 200 with a body).`,
      'req/s is autocannon\'s mean of per-second samples; latencies are autocannon\'s, in whole milliseconds; server CPU is the',
      'server process\'s user + system time over the measured run divided by the requests served.',
      '',
      '| store | server | req/s | p50 ms | p99 ms | server CPU µs/req | vs bare | target |',
      '|---|---|---:|---:|---:|---:|---:|---|',
      ...rows,
      '',
      ...runs.map((run) => `- ${run.store}: after the run \`GET /rate_limit\` reported ${fmt(run.rateLimitUsed)} requests used (probe + warm-up + ${fmt(run.requestsSent)} measured): accounting was on.`),
      '',
      `Reproduce: \`npm run bench:org-get\` (or \`node --import tsx bench/org-get.ts --db sqlite,postgres --duration ${duration} --connections ${connections}\`).`,
    ].join('\n'),
  );
}
