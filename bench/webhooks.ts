/**
 * Webhook benchmark: deliveries fanned out to a loopback receiver, on SQLite and PostgreSQL.
 *
 *   npm run bench:webhooks                       # both stores
 *   node --import tsx bench/webhooks.ts --db sqlite --orgs 10 --hooks 10 --events 1000 --rate 200 --seconds 10 --writes 200 --pace 50 --no-write
 *
 * orghub (dist/cli.js, as `npm start` runs it) runs in a child process on a fresh database, the receiver in another
 * (bench/support/receiver-server.ts: it answers 200 at once and notes each request's arrival on the system clock, as
 * this process notes the API's answers). Every hook is created through `POST /orgs/{org}/hooks`. Per store:
 *   a) throughput: `--events` blocks (`PUT /orgs/{org}/blocks/{username}`, 16 at a time) spread over `--orgs` orgs
 *      with `--hooks` hooks each subscribed to `org_block`: deliveries per second from the first receipt to the last,
 *      of a backlog (recorded by an API-only process, then sent by a new one) and live (answered and sent by one);
 *   b) lag: blocks at a steady `--rate` per second for `--seconds`, spread over `--orgs` other orgs with one hook
 *      each: for each, the time from the API's answer to the receipt of its delivery;
 *   c) `PUT /orgs/{org}/memberships/{username}` (an invitation: an `organization` `member_invited` event), one at a
 *      time, in orgs without hooks and in orgs with `--hooks` hooks subscribed to `organization` (WRITE_MODES).
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
const ORGS = Number(flags.orgs ?? 10);
const HOOKS = Number(flags.hooks ?? 10);
const EVENTS = Number(flags.events ?? 1000);
const RATE = Number(flags.rate ?? 200);
const SECONDS = Number(flags.seconds ?? 10);
const WRITES = Number(flags.writes ?? 200);
const write = !('no-write' in flags);

/** Requests in flight at once while setting up and during the throughput run. */
const CONNECTIONS = 16;
/** A new org's invitations per 24 h (src/invitations/rate-limit.ts): the membership writes spread over orgs of this many. */
const INVITES_PER_ORG = 50;
/** Paced writes: this many per second, each sent at its time (a steady load the server sustains, its deliveries included). */
const PACE = Number(flags.pace ?? 50);
const LAG_EVENTS = RATE * SECONDS;
/** Event `i` of a run blocks user `i / ORGS` in org `i % ORGS`: each user is blocked once per org. */
const USERS = Math.max(Math.ceil(EVENTS / ORGS), Math.ceil(LAG_EVENTS / ORGS), INVITES_PER_ORG);
const DELIVERY_TIMEOUT_MS = 120_000;
/** An orghub process that records deliveries and sends none (README: ORGHUB_WEBHOOK_CONCURRENCY). */
const API_ONLY = { ORGHUB_WEBHOOK_CONCURRENCY: '0' };

const login = (i: number) => `bench-user-${String(i).padStart(5, '0')}`;

interface Bench {
  server: ChildServer;
  receiver: Receiver;
  api: KeepAliveClient;
}

/** Deliveries counted from the first receipt to the last. */
interface Drain {
  deliveries: number;
  seconds: number;
  perSecond: number;
}

interface Live extends Drain {
  /** The blocks' own rate: the API answering them, from the first request to the last answer. */
  writesPerSecond: number;
  /** Server CPU (user + system) per delivery, the blocks' own work included. */
  cpuMicrosPerDelivery: number;
}

/** Deliveries recorded by an API-only process: its hooks, and the receiver's count once it was done. */
interface Backlog {
  hookIds: Set<number>;
  received: number;
}

interface Lag {
  events: number;
  /** The rate the blocks were actually sent at. */
  achievedRate: number;
  p50: number;
  p99: number;
  max: number;
}

interface Latency {
  writes: number;
  p50: number;
  p99: number;
}

/** How the membership writes are sent, and which process sends their deliveries. */
const WRITE_MODES = {
  'back to back': 'one process, back to back',
  paced: `one process, ${PACE} writes/s`,
  split: 'API-only process, back to back',
} as const;
type WriteMode = keyof typeof WRITE_MODES;

/** PUT membership latency without hooks and with HOOKS hooks. */
interface WriteCost {
  mode: WriteMode;
  plain: Latency;
  hooked: Latency;
}

interface StoreRun {
  store: StoreKind;
  drain: Drain;
  live: Live;
  lag: Lag;
  writeCosts: WriteCost[];
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

function latency(values: number[]): Latency {
  const s = sorted(values);
  return { writes: s.length, p50: percentile(s, 50), p99: percentile(s, 99) };
}

/**
 * `count` new orgs named `prefix-N`, each with `hooks` hooks subscribed to `events`; resolves once their creation
 * pings arrived (unless `pingsSent` is false: an API-only process sends nothing).
 */
async function orgsWithHooks(bench: Bench, prefix: string, count: number, hooks: number, events: string[], pingsSent = true): Promise<{ orgs: string[]; hookIds: Set<number> }> {
  const orgs = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const hookIds = new Set<number>();
  const received = await bench.receiver.count();
  await inParallel(count, CONNECTIONS, (i) => bench.api.expect('POST', '/admin/organizations', { login: orgs[i], admin: 'admin' }, 201));
  await inParallel(count * hooks, CONNECTIONS, async (i) => {
    const org = orgs[i % count];
    // GitHub refuses a second hook with the same URL and events: each has a path of its own.
    const config = { url: `${bench.receiver.url}/${org}/${i}`, content_type: 'json', secret: 'bench-secret' };
    hookIds.add((await bench.api.json<{ id: number }>('POST', `/orgs/${org}/hooks`, { name: 'web', config, events }, 201)).id);
  });
  // The pings are received before anything is measured, so they neither count nor compete.
  if (pingsSent) await bench.receiver.waitForCount(received + count * hooks, DELIVERY_TIMEOUT_MS);
  return { orgs, hookIds };
}

/** Event `i` of a run over `orgs`. */
const blockOf = (orgs: string[], i: number) => `/orgs/${orgs[i % orgs.length]}/blocks/${login(Math.floor(i / orgs.length))}`;
/** The block a delivery is about, as `blockOf` names it. */
function blockIn(receipt: Receipt): string {
  const payload = JSON.parse(receipt.body) as { organization: { login: string }; blocked_user: { login: string } };
  return `/orgs/${payload.organization.login}/blocks/${payload.blocked_user.login}`;
}

/** `EVENTS` blocks over `orgs`, `CONNECTIONS` at a time; resolves with the API's rate. */
async function block(bench: Bench, orgs: string[]): Promise<number> {
  const started = epochNow();
  await inParallel(EVENTS, CONNECTIONS, (i) => bench.api.expect('PUT', blockOf(orgs, i), undefined, 204));
  return EVENTS / ((epochNow() - started) / 1000);
}

/** Deliveries per second from the first to the last of the `org_block` deliveries to `hookIds` among `receipts`, each checked to arrive once. */
function rate(receipts: Receipt[], hookIds: Set<number>): { seconds: number; perSecond: number } {
  const ours = receipts.filter((r) => r.event === 'org_block' && hookIds.has(r.hookId));
  const expected = EVENTS * HOOKS;
  const distinct = new Set(ours.map((r) => `${r.hookId}/${r.guid}`)).size;
  if (distinct !== expected || ours.length !== expected) throw new Error(`${ours.length} deliveries received, ${distinct} distinct, ${expected} expected`);
  const times = sorted(ours.map((r) => r.at));
  const seconds = (times[times.length - 1] - times[0]) / 1000;
  return { seconds, perSecond: expected / seconds };
}

/** a) A backlog: `EVENTS` blocks over `ORGS` orgs with `HOOKS` hooks each, written to an API-only process (nothing is sent). */
async function recordBacklog(bench: Bench): Promise<Backlog> {
  const { orgs, hookIds } = await orgsWithHooks(bench, 'bench-backlog', ORGS, HOOKS, ['org_block'], false);
  await block(bench, orgs);
  return { hookIds, received: await bench.receiver.count() };
}

/** a) The backlog sent by the process just started: its pings first, then every block's deliveries. */
async function measureDrain(bench: Bench, backlog: Backlog): Promise<Drain> {
  await bench.receiver.waitForCount(backlog.received + backlog.hookIds.size + EVENTS * HOOKS, DELIVERY_TIMEOUT_MS);
  return { deliveries: EVENTS * HOOKS, ...rate(await bench.receiver.receipts(backlog.received), backlog.hookIds) };
}

/** a) `EVENTS` blocks fanned out to `HOOKS` hooks each, sent by the process that answers them, while it does. */
async function measureLive(bench: Bench): Promise<Live> {
  const { orgs, hookIds } = await orgsWithHooks(bench, 'bench-live', ORGS, HOOKS, ['org_block']);
  const received = await bench.receiver.count();
  const cpuBefore = bench.server.cpuSeconds();
  const writesPerSecond = await block(bench, orgs);
  await bench.receiver.waitForCount(received + EVENTS * HOOKS, DELIVERY_TIMEOUT_MS);
  const cpu = bench.server.cpuSeconds() - cpuBefore;
  return { deliveries: EVENTS * HOOKS, ...rate(await bench.receiver.receipts(received), hookIds), writesPerSecond, cpuMicrosPerDelivery: (cpu * 1e6) / (EVENTS * HOOKS) };
}

/** b) `LAG_EVENTS` blocks sent on a fixed schedule (`RATE` per second), each to one hook. */
async function measureLag(bench: Bench): Promise<Lag> {
  const { orgs, hookIds } = await orgsWithHooks(bench, 'bench-lag', ORGS, 1, ['org_block']);
  const received = await bench.receiver.count();
  const answeredAt = new Map<string, number>();
  const blocks: Promise<void>[] = [];
  const started = epochNow();
  for (let i = 0; i < LAG_EVENTS; i++) {
    // An open loop: each block leaves at its time whether or not earlier ones were answered.
    const due = started + (i * 1000) / RATE - epochNow();
    if (due > 0) await sleep(due);
    const path = blockOf(orgs, i);
    blocks.push(bench.api.expect('PUT', path, undefined, 204).then(() => void answeredAt.set(path, epochNow())));
  }
  const sentSeconds = (epochNow() - started) / 1000;
  await Promise.all(blocks);
  await bench.receiver.waitForCount(received + LAG_EVENTS, DELIVERY_TIMEOUT_MS);
  const receipts = (await bench.receiver.receipts(received)).filter((r) => r.event === 'org_block' && hookIds.has(r.hookId));
  const lags = sorted(receipts.map((r) => r.at - answeredAt.get(blockIn(r))!));
  return { events: LAG_EVENTS, achievedRate: LAG_EVENTS / sentSeconds, p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags[lags.length - 1] };
}

/**
 * c) `WRITES` invitations by `PUT /orgs/{org}/memberships/{username}` in orgs without hooks and as many in orgs with
 * `HOOKS`, one request at a time, alternating org by org (`INVITES_PER_ORG` each) after an uncounted warm-up pair.
 * Hook-less orgs come after the hooked org's deliveries arrived, so no hook-less write runs beside sends. `paced`:
 * a write leaves every 1/PACE s (once the previous one is answered), while the previous ones' deliveries are sent. `split`:
 * `bench` is an API-only process, and the deliveries are sent by another.
 */
async function measureWriteCost(bench: Bench, mode: WriteMode): Promise<WriteCost> {
  const paced = mode === 'paced';
  const client = new SequentialClient(bench.server.url, { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` });
  const latencies = { plain: [] as number[], hooked: [] as number[] };
  const pairs = 1 + Math.ceil(WRITES / INVITES_PER_ORG);
  try {
    for (let pair = 0; pair < pairs; pair++) {
      const writes = pair === 0 ? INVITES_PER_ORG : Math.min(INVITES_PER_ORG, WRITES - (pair - 1) * INVITES_PER_ORG);
      for (const kind of ['plain', 'hooked'] as const) {
        const { orgs: [org] } = await orgsWithHooks(bench, `bench-${mode.replace(/ /g, '-')}-${kind}-${pair}`, 1, kind === 'hooked' ? HOOKS : 0, ['organization']);
        const perWrite = kind === 'hooked' ? HOOKS : 0;
        const received = await bench.receiver.count();
        const started = epochNow();
        for (let i = 0; i < writes; i++) {
          if (paced) {
            const due = started + (i * 1000) / PACE - epochNow();
            if (due > 0) await sleep(due);
          }
          const answer = await client.expect('PUT', `/orgs/${org}/memberships/${login(i)}`, { role: 'member' }, 200);
          if (pair > 0) latencies[kind].push(answer.ms);
        }
        await bench.receiver.waitForCount(received + writes * perWrite, DELIVERY_TIMEOUT_MS);
      }
    }
  } finally {
    client.close();
  }
  return { mode, plain: latency(latencies.plain), hooked: latency(latencies.hooked) };
}

const ratio = (cost: WriteCost) => cost.hooked.p50 / cost.plain.p50;

const benchOn = (server: ChildServer, receiver: Receiver): Bench => ({
  server,
  receiver,
  api: new KeepAliveClient(server.url, { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` }, CONNECTIONS),
});

async function runStore(store: StoreKind): Promise<StoreRun> {
  process.stdout.write(`\n== ${store}\n`);
  const db = await freshDatabase(store);
  let receiver: Receiver | undefined;
  let server: ChildServer | undefined;
  try {
    receiver = await startReceiver();
    // First an API-only process builds a backlog that the next process sends.
    server = await startOrghub(db.url, API_ONLY);
    let bench = benchOn(server, receiver);
    await inParallel(USERS, CONNECTIONS, (i) => bench.api.expect('POST', '/admin/users', { login: login(i), email: `${login(i)}@example.test` }, 201));
    const backlog = await recordBacklog(bench);
    bench.api.close();
    await server.stop();
    server = await startOrghub(db.url);
    bench = benchOn(server, receiver);

    const drain = await measureDrain(bench, backlog);
    process.stdout.write(`  backlog     ${fmt(drain.deliveries)} deliveries (${fmt(EVENTS)} events × ${HOOKS} hooks) sent in ${fmt(drain.seconds, 2)} s: ${fmt(drain.perSecond)} deliveries/s\n`);
    const live = await measureLive(bench);
    process.stdout.write(
      `  live        ${fmt(live.deliveries)} deliveries in ${fmt(live.seconds, 2)} s: ${fmt(live.perSecond)} deliveries/s` +
        ` (blocks answered at ${fmt(live.writesPerSecond)}/s; server CPU ${fmt(live.cpuMicrosPerDelivery)} µs/delivery)\n`,
    );
    const lag = await measureLag(bench);
    process.stdout.write(`  lag         ${fmt(lag.events)} events at ${fmt(lag.achievedRate)}/s: p50 ${fmt(lag.p50, 1)} ms, p99 ${fmt(lag.p99, 1)} ms, max ${fmt(lag.max, 1)} ms\n`);
    const writeCosts = [await measureWriteCost(bench, 'back to back'), await measureWriteCost(bench, 'paced')];
    // Sends kept out of the API's process: the writes go to an API-only process, the running one sends (at its polls).
    const apiOnly = benchOn(await startOrghub(db.url, API_ONLY), receiver);
    try {
      writeCosts.push(await measureWriteCost(apiOnly, 'split'));
    } finally {
      apiOnly.api.close();
      await apiOnly.server.stop();
    }
    for (const cost of writeCosts) {
      process.stdout.write(
        `  PUT membership, ${WRITE_MODES[cost.mode].padEnd(32)}  no hooks p50 ${fmt(cost.plain.p50, 2)} ms p99 ${fmt(cost.plain.p99, 2)} ms;  ${HOOKS} hooks p50 ${fmt(cost.hooked.p50, 2)} ms p99 ${fmt(cost.hooked.p99, 2)} ms  (×${ratio(cost).toFixed(2)}, ${cost.plain.writes} writes each)\n`,
      );
    }
    bench.api.close();
    return { store, drain, live, lag, writeCosts };
  } finally {
    await server?.stop();
    await receiver?.stop();
    await db.drop();
  }
}

function judge(run: StoreRun) {
  return [
    { text: '≥ 1,000 deliveries/s (backlog)', ok: run.drain.perSecond >= 1000, figure: `${fmt(run.drain.perSecond)} deliveries/s` },
    { text: '≥ 1,000 deliveries/s (live)', ok: run.live.perSecond >= 1000, figure: `${fmt(run.live.perSecond)} deliveries/s` },
    { text: `lag p50 < 50 ms at ${RATE} events/s`, ok: run.lag.p50 < 50, figure: `${fmt(run.lag.p50, 1)} ms` },
    { text: `lag p99 < 500 ms at ${RATE} events/s`, ok: run.lag.p99 < 500, figure: `${fmt(run.lag.p99, 1)} ms` },
    // The target is the latency a client sees at a load the process sustains; back to back saturates it (figures shown, not judged).
    ...run.writeCosts.filter((cost) => cost.mode !== 'back to back').map((cost) => ({
      text: `PUT membership p50 with ${HOOKS} hooks ≤ 1.5× none (${WRITE_MODES[cost.mode]})`,
      ok: ratio(cost) <= 1.5,
      figure: `${fmt(cost.hooked.p50, 2)} vs ${fmt(cost.plain.p50, 2)} ms (×${ratio(cost).toFixed(2)})`,
    })),
  ];
}

const machine = machineLine();
process.stdout.write(`webhooks benchmark — ${machine}\n`);
const runs: StoreRun[] = [];
for (const store of stores) runs.push(await runStore(store));
process.stdout.write('\n');
for (const run of runs) for (const j of judge(run)) process.stdout.write(`${run.store}: ${j.text}: ${j.figure}: ${j.ok ? 'met' : 'MISSED'}\n`);

if (write) {
  const cost = (c: WriteCost) => `${fmt(c.plain.p50, 2)} / ${fmt(c.plain.p99, 2)} | ${fmt(c.hooked.p50, 2)} / ${fmt(c.hooked.p99, 2)} | ×${ratio(c).toFixed(2)}`;
  writeSection(
    'webhooks',
    [
      '## Webhooks: deliveries per second, lag, and what hooks cost a write',
      '',
      `Measured ${machine}.`,
      '',
      'orghub runs in a child process (`node dist/cli.js` as `npm start` runs it, with its flags; default webhook settings:',
      '64 deliveries in flight) on a fresh database; the receiver runs in another (`bench/support/receiver-server.ts`,',
      'loopback), answers `200` at once and notes when each request arrived on the system clock, as the benchmark',
      'process notes the API\'s answers. Every hook is created through `POST /orgs/{org}/hooks` (its ping received before',
      'anything is measured). The receiver must see each (hook, `X-GitHub-Delivery`) of the throughput run exactly once.',
      '',
      `- **throughput**: ${fmt(EVENTS)} \`PUT /orgs/{org}/blocks/{username}\` (${CONNECTIONS} at a time) spread over ${ORGS} orgs, each an \`org_block\``,
      `  event fanned out to the org's ${HOOKS} hooks: ${fmt(EVENTS * HOOKS)} deliveries, counted from the first receipt to the last.`,
      '  *Backlog*: the blocks are written to an API-only process (`ORGHUB_WEBHOOK_CONCURRENCY=0`), which is then stopped;',
      '  a process started on the database sends them (what the engine alone does). *Live*: one process answers the',
      '  blocks and sends their deliveries at once (bounded by how fast it answers the blocks).',
      `- **lag**: ${fmt(LAG_EVENTS)} blocks sent on a fixed schedule of ${RATE} per second (an open loop) over ${ORGS} other orgs with one`,
      '  hook each; for each, the time from the API\'s answer (its last byte) to the arrival of its delivery.',
      `- **write latency**: \`PUT /orgs/{org}/memberships/{username}\` inviting a user (an \`organization\` \`member_invited\` event), one`,
      `  request at a time on one keep-alive connection, from sending it to the answer's last byte; ${fmt(WRITES)} writes in orgs`,
      `  without hooks and ${fmt(WRITES)} in orgs with ${HOOKS} hooks subscribed to \`organization\`, alternating org by org (${INVITES_PER_ORG}`,
      '  invitations each, a new org\'s daily limit) after a warm-up pair. *One process, back to back*: each write is sent',
      `  as soon as the previous one is answered, so a hooked write shares its process with the sending of the previous`,
      `  one's ${HOOKS} deliveries (the process saturated: the deliveries cost it more than the writes). *One process, ${PACE} writes/s*:`,
      `  a write leaves every ${fmt(1000 / PACE)} ms, a steady load the process sustains while it sends the earlier writes' deliveries`,
      '  (the write latency a client sees). *API-only process, back to back*: the writes go to a',
      '  process started with `ORGHUB_WEBHOOK_CONCURRENCY=0` while the first process (polling every 250 ms) sends.',
      '  The write target is judged on the last two; back to back is shown, not judged: it measures a saturated process',
      '  (10 deliveries of ~400 µs CPU each behind every write) rather than the latency of a write.',
      '',
      '| store | backlog deliveries/s | live deliveries/s | live: blocks answered/s | live: server CPU µs/delivery | lag p50 ms | lag p99 ms | lag max ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...runs.map(
        (r) =>
          `| ${r.store} | ${fmt(r.drain.perSecond)} | ${fmt(r.live.perSecond)} | ${fmt(r.live.writesPerSecond)} | ${fmt(r.live.cpuMicrosPerDelivery)} | ${fmt(r.lag.p50, 1)} | ${fmt(r.lag.p99, 1)} | ${fmt(r.lag.max, 1)} |`,
      ),
      '',
      `| store | PUT membership | no hooks p50 / p99 ms | ${HOOKS} hooks p50 / p99 ms | ratio of p50s |`,
      '|---|---|---:|---:|---:|',
      ...runs.flatMap((r) => r.writeCosts.map((c) => `| ${r.store} | ${WRITE_MODES[c.mode]} | ${cost(c)} |`)),
      '',
      '| store | target | measured | |',
      '|---|---|---|---|',
      ...runs.flatMap((run) => judge(run).map((j) => `| ${run.store} | ${j.text} | ${j.figure} | ${verdict(j.ok)} |`)),
      '',
      ...runs.map(
        (r) =>
          `- ${r.store}: the backlog's ${fmt(r.drain.deliveries)} deliveries took ${fmt(r.drain.seconds, 2)} s, the live run's ${fmt(r.live.seconds, 2)} s; the lag run's blocks were sent at ${fmt(r.lag.achievedRate)}/s.`,
      ),
      '',
      `Reproduce: \`npm run bench:webhooks\` (or \`node --import tsx bench/webhooks.ts --db sqlite,postgres --orgs ${ORGS} --hooks ${HOOKS} --events ${EVENTS} --rate ${RATE} --seconds ${SECONDS} --writes ${WRITES} --pace ${PACE}\`).`,
    ].join('\n'),
  );
}
