/**
 * Webhook benchmark: deliveries fanned out to a loopback receiver, on SQLite and PostgreSQL.
 *
 *   npm run bench:webhooks                       # both stores
 *   node --import tsx bench/webhooks.ts --db sqlite --hooks 10 --events 1000 --rate 200 --seconds 10 --writes 300 --no-write
 *
 * orghub (src/cli.ts) runs in a child process on a fresh database, the receiver in another
 * (bench/support/receiver-server.ts: it answers 200 at once and notes each request's arrival on the system clock, as
 * this process notes the API's answers). Every hook is created through `POST /orgs/{org}/hooks`. Three measurements
 * per store:
 *   a) throughput: `--events` blocks (`PUT /orgs/{org}/blocks/{username}`, 16 at a time) in an org with `--hooks`
 *      hooks subscribed to `org_block`: deliveries per second from the first receipt to the last;
 *   b) lag: blocks at a steady `--rate` per second for `--seconds` in an org with one hook: for each, the time
 *      from the API's answer to the receipt of its delivery;
 *   c) `PUT /orgs/{org}/memberships/{username}` (an invitation, so an `organization` `member_invited` event), one
 *      at a time, in orgs without hooks and in orgs with `--hooks` hooks subscribed to `organization`.
 * Figures go to stdout and to bench/RESULTS.md (section webhooks).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_ADMIN_TOKEN, startOrghub, type ChildServer } from './support/child.js';
import { freshDatabase, storesFromArgs, type StoreKind } from './support/database.js';
import { inParallel, KeepAliveClient, percentile, SequentialClient } from './support/http.js';
import { epochNow, startReceiver, type Receipt, type Receiver } from './support/receiver.js';
import { fmt, machineLine, parseFlags, verdict, writeSection } from './support/results.js';

const flags = parseFlags();
const stores = storesFromArgs(flags.db);
const HOOKS = Number(flags.hooks ?? 10);
const EVENTS = Number(flags.events ?? 1000);
const RATE = Number(flags.rate ?? 200);
const SECONDS = Number(flags.seconds ?? 10);
const WRITES = Number(flags.writes ?? 300);
const write = !('no-write' in flags);

/** Requests in flight at once while setting up and during the throughput run. */
const CONNECTIONS = 16;
/** A new org's invitations per 24 h (src/invitations/rate-limit.ts): the membership writes spread over orgs of this many. */
const INVITES_PER_ORG = 50;
const LAG_EVENTS = RATE * SECONDS;
const USERS = Math.max(EVENTS, LAG_EVENTS, INVITES_PER_ORG);
const DELIVERY_TIMEOUT_MS = 120_000;

const login = (i: number) => `bench-user-${String(i).padStart(5, '0')}`;

interface Bench {
  store: StoreKind;
  server: ChildServer;
  receiver: Receiver;
  api: KeepAliveClient;
}

interface Throughput {
  deliveries: number;
  /** First receipt to last. */
  seconds: number;
  perSecond: number;
  /** The blocks' own rate: the API answering them, from the first request to the last answer. */
  writesPerSecond: number;
  /** Server CPU (user + system) per delivery, the blocks' own work included. */
  cpuMicrosPerDelivery: number;
}

interface Lag {
  events: number;
  /** The rate the blocks were actually sent at. */
  achievedRate: number;
  p50: number;
  p99: number;
  max: number;
}

interface WriteLatency {
  writes: number;
  p50: number;
  p99: number;
}

interface StoreRun {
  store: StoreKind;
  throughput: Throughput;
  lag: Lag;
  plain: WriteLatency;
  hooked: WriteLatency;
}

async function createOrg(bench: Bench, org: string): Promise<void> {
  await bench.api.expect('POST', '/admin/organizations', { login: org, admin: 'admin' }, 201);
}

/** `count` hooks on `org` subscribed to `events`; resolves with their ids once their creation pings arrived. */
async function createHooks(bench: Bench, org: string, events: string[], count: number): Promise<Set<number>> {
  const received = await bench.receiver.count();
  const ids = new Set<number>();
  await inParallel(count, CONNECTIONS, async (i) => {
    // GitHub refuses a second hook with the same URL and events: each has a path of its own.
    const body = { name: 'web', config: { url: `${bench.receiver.url}/${org}/${i}`, content_type: 'json', secret: 'bench-secret' }, events };
    ids.add((await bench.api.json<{ id: number }>('POST', `/orgs/${org}/hooks`, body, 201)).id);
  });
  // The pings are received before anything is measured, so they neither count nor compete.
  await bench.receiver.waitForCount(received + count, DELIVERY_TIMEOUT_MS);
  return ids;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const blockedLogin = (receipt: Receipt) => (JSON.parse(receipt.body) as { blocked_user: { login: string } }).blocked_user.login;

/** a) `EVENTS` blocks, `CONNECTIONS` at a time, each fanned out to `HOOKS` hooks. */
async function measureThroughput(bench: Bench): Promise<Throughput> {
  const org = 'bench-fanout';
  await createOrg(bench, org);
  const hooks = await createHooks(bench, org, ['org_block'], HOOKS);
  const deliveries = EVENTS * HOOKS;
  const received = await bench.receiver.count();
  const cpuBefore = bench.server.cpuSeconds();
  const started = epochNow();
  await inParallel(EVENTS, CONNECTIONS, (i) => bench.api.expect('PUT', `/orgs/${org}/blocks/${login(i)}`, undefined, 204).then(() => undefined));
  const answered = epochNow();
  await bench.receiver.waitForCount(received + deliveries, DELIVERY_TIMEOUT_MS);
  const cpu = bench.server.cpuSeconds() - cpuBefore;
  const receipts = (await bench.receiver.receipts(received)).filter((r) => r.event === 'org_block' && hooks.has(r.hookId));
  const distinct = new Set(receipts.map((r) => `${r.hookId}/${r.guid}`)).size;
  if (distinct !== deliveries || receipts.length !== deliveries) throw new Error(`${receipts.length} receipts, ${distinct} distinct, ${deliveries} expected`);
  const times = sorted(receipts.map((r) => r.at));
  const seconds = (times[times.length - 1] - times[0]) / 1000;
  return {
    deliveries,
    seconds,
    perSecond: deliveries / seconds,
    writesPerSecond: EVENTS / ((answered - started) / 1000),
    cpuMicrosPerDelivery: (cpu * 1e6) / deliveries,
  };
}

/** b) `LAG_EVENTS` blocks sent on a fixed schedule (`RATE` per second) to an org with one hook. */
async function measureLag(bench: Bench): Promise<Lag> {
  const org = 'bench-lag';
  await createOrg(bench, org);
  const hooks = await createHooks(bench, org, ['org_block'], 1);
  const received = await bench.receiver.count();
  const answeredAt = new Map<string, number>();
  const blocks: Promise<void>[] = [];
  const started = epochNow();
  for (let i = 0; i < LAG_EVENTS; i++) {
    // An open loop: each block leaves at its time whether or not earlier ones were answered.
    const due = started + (i * 1000) / RATE - epochNow();
    if (due > 0) await sleep(due);
    const user = login(i);
    blocks.push(bench.api.expect('PUT', `/orgs/${org}/blocks/${user}`, undefined, 204).then(() => void answeredAt.set(user, epochNow())));
  }
  const sentSeconds = (epochNow() - started) / 1000;
  await Promise.all(blocks);
  await bench.receiver.waitForCount(received + LAG_EVENTS, DELIVERY_TIMEOUT_MS);
  const receipts = (await bench.receiver.receipts(received)).filter((r) => r.event === 'org_block' && hooks.has(r.hookId));
  const lags = sorted(receipts.map((r) => r.at - answeredAt.get(blockedLogin(r))!));
  return { events: LAG_EVENTS, achievedRate: LAG_EVENTS / sentSeconds, p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags[lags.length - 1] };
}

/**
 * c) `WRITES` invitations by `PUT /orgs/{org}/memberships/{username}`, one at a time, alternating per org between an
 * org without hooks and one with `HOOKS`, and waiting for a hooked org's deliveries before the next hook-less org,
 * so each hook-less write runs with no sends in flight. The first pair of orgs warms up and is not counted.
 */
async function measureMembershipWrites(bench: Bench): Promise<{ plain: WriteLatency; hooked: WriteLatency }> {
  const client = new SequentialClient(bench.server.url, { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` });
  const latencies = { plain: [] as number[], hooked: [] as number[] };
  const pairs = 1 + Math.ceil(WRITES / INVITES_PER_ORG);
  try {
    for (let pair = 0; pair < pairs; pair++) {
      const writes = pair === 0 ? INVITES_PER_ORG : Math.min(INVITES_PER_ORG, WRITES - (pair - 1) * INVITES_PER_ORG);
      for (const kind of ['plain', 'hooked'] as const) {
        const org = `bench-${kind}-${pair}`;
        await createOrg(bench, org);
        const hooks = kind === 'hooked' ? await createHooks(bench, org, ['organization'], HOOKS) : new Set<number>();
        const received = await bench.receiver.count();
        for (let i = 0; i < writes; i++) {
          const answer = await client.expect('PUT', `/orgs/${org}/memberships/${login(i)}`, { role: 'member' }, 200);
          if (pair > 0) latencies[kind].push(answer.ms);
        }
        await bench.receiver.waitForCount(received + writes * hooks.size, DELIVERY_TIMEOUT_MS);
      }
    }
  } finally {
    client.close();
  }
  const summary = (values: number[]): WriteLatency => {
    const s = sorted(values);
    return { writes: s.length, p50: percentile(s, 50), p99: percentile(s, 99) };
  };
  return { plain: summary(latencies.plain), hooked: summary(latencies.hooked) };
}

async function runStore(store: StoreKind): Promise<StoreRun> {
  process.stdout.write(`\n== ${store}\n`);
  const db = await freshDatabase(store);
  let receiver: Receiver | undefined;
  let server: ChildServer | undefined;
  try {
    receiver = await startReceiver();
    server = await startOrghub(db.url);
    const bench: Bench = { store, server, receiver, api: new KeepAliveClient(server.url, { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` }, CONNECTIONS) };
    await inParallel(USERS, CONNECTIONS, (i) => bench.api.expect('POST', '/admin/users', { login: login(i), email: `${login(i)}@example.test` }, 201).then(() => undefined));

    const throughput = await measureThroughput(bench);
    process.stdout.write(
      `  throughput  ${fmt(throughput.deliveries)} deliveries (${HOOKS} hooks × ${fmt(EVENTS)} events) in ${fmt(throughput.seconds, 2)} s: ${fmt(throughput.perSecond)} deliveries/s` +
        ` (blocks answered at ${fmt(throughput.writesPerSecond)}/s; server CPU ${fmt(throughput.cpuMicrosPerDelivery)} µs/delivery)\n`,
    );
    const lag = await measureLag(bench);
    process.stdout.write(`  lag         ${fmt(lag.events)} events at ${fmt(lag.achievedRate)}/s: p50 ${fmt(lag.p50, 1)} ms, p99 ${fmt(lag.p99, 1)} ms, max ${fmt(lag.max, 1)} ms\n`);
    const { plain, hooked } = await measureMembershipWrites(bench);
    process.stdout.write(
      `  PUT membership  no hooks p50 ${fmt(plain.p50, 2)} ms p99 ${fmt(plain.p99, 2)} ms;  ${HOOKS} hooks p50 ${fmt(hooked.p50, 2)} ms p99 ${fmt(hooked.p99, 2)} ms  (×${(hooked.p50 / plain.p50).toFixed(2)}, ${plain.writes} writes each)\n`,
    );
    bench.api.close();
    return { store, throughput, lag, plain, hooked };
  } finally {
    await server?.stop();
    await receiver?.stop();
    await db.drop();
  }
}

function judge(run: StoreRun) {
  const ratio = run.hooked.p50 / run.plain.p50;
  return [
    { text: '≥ 1,000 deliveries/s', ok: run.throughput.perSecond >= 1000, figure: `${fmt(run.throughput.perSecond)} deliveries/s` },
    { text: `lag p50 < 50 ms at ${RATE} events/s`, ok: run.lag.p50 < 50, figure: `${fmt(run.lag.p50, 1)} ms` },
    { text: `lag p99 < 500 ms at ${RATE} events/s`, ok: run.lag.p99 < 500, figure: `${fmt(run.lag.p99, 1)} ms` },
    { text: `PUT membership p50 with ${HOOKS} hooks ≤ 1.5× none`, ok: ratio <= 1.5, figure: `${fmt(run.hooked.p50, 2)} vs ${fmt(run.plain.p50, 2)} ms (×${ratio.toFixed(2)})` },
  ];
}

const machine = machineLine();
process.stdout.write(`webhooks benchmark — ${machine}\n`);
const runs: StoreRun[] = [];
for (const store of stores) runs.push(await runStore(store));
process.stdout.write('\n');
for (const run of runs) for (const j of judge(run)) process.stdout.write(`${run.store}: ${j.text}: ${j.figure}: ${j.ok ? 'met' : 'MISSED'}\n`);

if (write) {
  writeSection(
    'webhooks',
    [
      '## Webhooks: deliveries per second, lag, and the cost of hooks to a write',
      '',
      `Measured ${machine}.`,
      '',
      'orghub runs in a child process (`node --import tsx src/cli.ts`, default webhook settings: 64 deliveries in flight)',
      'on a fresh database; the receiver in another (`bench/support/receiver-server.ts`, loopback) answers `200` at once',
      'and notes when each request arrived on the system clock, as the benchmark process notes the API\'s answers. Every hook is created through',
      '`POST /orgs/{org}/hooks` (its ping is received before measuring). Every delivery is checked: the receiver must',
      'see each (hook, `X-GitHub-Delivery`) exactly once.',
      '',
      `- **throughput**: ${fmt(EVENTS)} \`PUT /orgs/{org}/blocks/{username}\` (${CONNECTIONS} at a time), each an \`org_block\` event`,
      `  fanned out to ${HOOKS} hooks: ${fmt(EVENTS * HOOKS)} deliveries, counted from the first receipt to the last.`,
      `- **lag**: ${fmt(LAG_EVENTS)} blocks sent on a fixed schedule of ${RATE} per second (an open loop) to an org with one hook;`,
      '  for each, the time from the API\'s answer (last byte) to the arrival of its delivery (matched by `blocked_user`).',
      `- **write latency**: \`PUT /orgs/{org}/memberships/{username}\` inviting a user (an \`organization\` \`member_invited\` event),`,
      `  one request at a time on one keep-alive connection; ${fmt(WRITES)} writes in orgs with no hooks and ${fmt(WRITES)} in orgs with`,
      `  ${HOOKS} hooks subscribed to \`organization\`, alternating org by org (${INVITES_PER_ORG} invitations each, a new org's daily`,
      '  limit) after a warm-up pair; the hooked org\'s deliveries are awaited before the next hook-less org, so hook-less',
      '  writes run with nothing being sent. Latency is from sending the request to the last byte of the answer.',
      '',
      `| store | deliveries/s | blocks answered/s | server CPU µs/delivery | lag p50 ms | lag p99 ms | lag max ms | PUT membership p50 / p99 ms, no hooks | same, ${HOOKS} hooks | ratio of p50s |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...runs.map(
        (r) =>
          `| ${r.store} | ${fmt(r.throughput.perSecond)} | ${fmt(r.throughput.writesPerSecond)} | ${fmt(r.throughput.cpuMicrosPerDelivery)} | ${fmt(r.lag.p50, 1)} | ${fmt(r.lag.p99, 1)} | ${fmt(r.lag.max, 1)} |` +
          ` ${fmt(r.plain.p50, 2)} / ${fmt(r.plain.p99, 2)} | ${fmt(r.hooked.p50, 2)} / ${fmt(r.hooked.p99, 2)} | ×${(r.hooked.p50 / r.plain.p50).toFixed(2)} |`,
      ),
      '',
      '| store | target | measured | |',
      '|---|---|---|---|',
      ...runs.flatMap((run) => judge(run).map((j) => `| ${run.store} | ${j.text} | ${j.figure} | ${verdict(j.ok)} |`)),
      '',
      ...runs.map((r) => `- ${r.store}: lag blocks were sent at ${fmt(r.lag.achievedRate)}/s; the ${fmt(r.throughput.deliveries)} deliveries took ${fmt(r.throughput.seconds, 2)} s.`),
      '',
      `Reproduce: \`npm run bench:webhooks\` (or \`node --import tsx bench/webhooks.ts --db sqlite,postgres --hooks ${HOOKS} --events ${EVENTS} --rate ${RATE} --seconds ${SECONDS} --writes ${WRITES}\`).`,
    ].join('\n'),
  );
}
