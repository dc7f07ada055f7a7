/**
 * Issue 11 benchmark: orghub on a real working set — one random org (and token) of 10,000 per request, so the
 * per-process caches rarely answer — next to anchors doing one query per request, on SQLite and PostgreSQL.
 *
 *   npm run bench:working-set                    # both stores, every target
 *   node --import tsx bench/working-set.ts --db sqlite --orgs 2000 --runs 1 --duration 4 --only org-get,patch-org --no-write
 *   … --only membership --runs 1 --duration 1 --no-write --keep-db   # keep the seeded database (URL printed) to examine plans
 *
 * The issue asks for wrk (1 thread, 50 connections); wrk is not installed here, so load comes from autocannon in this
 * process (50 connections, 8 for writes; 2 s warm-up then 8 s measured; median of 3 runs, anchor and orghub alternating).
 * The database is seeded straight through the store (the rows the admin API and putMembership write; see seed()),
 * then orghub (dist/cli.js, as `npm start` runs it) and each anchor (bench/support/anchor-server.ts, compiled to plain
 * JavaScript the same way: see startBenchServer) run in their own child processes.
 * Figures go to stdout and to bench/RESULTS.md (section working-set).
 */
import autocannon, { type RawRequest, type Result } from 'autocannon';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { newAccountRow } from '../src/accounts/store.js';
import { isoSeconds } from '../src/clock.js';
import { describeOperation } from '../src/http/openapi.js';
import { defaultOrgSettings } from '../src/orgs/settings.js';
import { startServer } from '../src/server.js';
import { hashToken, insertToken } from '../src/tokens/store.js';
import type { AnchorSpec, BoundValue } from './support/anchor-server.js';
import { freshDatabase, seedDirectly, storesFromArgs, type Seeded, type StoreKind } from './support/database.js';
import { BENCH_ADMIN_TOKEN, startBenchServer, startOrghub, type ChildServer } from './support/child.js';
import { KeepAliveClient } from './support/http.js';
import { fmt, machineLine, parseFlags, pct, verdict, writeSection } from './support/results.js';

// The parts of autocannon's API this benchmark adds to bench/support/autocannon.d.ts: generated requests, a request count.
declare module 'autocannon' {
  export interface RawRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }
  interface Options {
    requests?: { method?: string; setupRequest?: (request: RawRequest) => RawRequest }[];
    amount?: number;
  }
}

const flags = parseFlags();
const stores = storesFromArgs(flags.db);
const ORGS = Number(flags.orgs ?? 10_000);
const MEMBERS = Number(flags.members ?? 100);
const duration = Number(flags.duration ?? 8);
const warmup = Number(flags.warmup ?? 2);
const connections = Number(flags.connections ?? 50);
const writeConnections = Number(flags['write-connections'] ?? 8);
const RUNS = Number(flags.runs ?? 3);
const MEMORY_REQUESTS = Number(flags['memory-requests'] ?? 1_000_000);
const MEMORY_FIRST = Number(flags['memory-first'] ?? 100_000);
const MEMORY_SECONDS = Number(flags['memory-seconds'] ?? 180);
const only = flags.only ? new Set(flags.only.split(',')) : undefined;
const write = !('no-write' in flags);
/** Keep each store's seeded database and print its URL, to look at plans afterwards (`--keep-db`). */
const keepDb = 'keep-db' in flags;
/** Print the statements the write anchors replay (`--statements`). */
const showStatements = 'statements' in flags;

// ---------------------------------------------------------------------------------------------------------------
// The working set: org i has owner i (an admin:org token) and MEMBERS-1 members from a pool of users (each user
// in about 100 orgs, with a read:org token). Logins are lower case, ids explicit (see the capture below).

const orgLogin = (i: number) => `ws-org-${i}`;
const ownerLogin = (i: number) => `ws-owner-${i}`;
const userLogin = (j: number) => `ws-user-${j}`;
/** `ghp_` and 36 base62 characters, as GitHub issues them. */
const tokenOf = (kind: 'o' | 'u', n: number) => `ghp_ws${kind}${String(n).padStart(33, '0')}`;

class WorkingSet {
  readonly pool: number;
  constructor(
    readonly orgs: number,
    readonly members: number,
    /** First account id: orgs, then owners, then pool users, consecutively. */
    readonly idBase: number,
  ) {
    this.pool = members > 1 ? Math.max(members - 1, Math.ceil((orgs * (members - 1)) / 100)) : 0;
  }
  orgId = (i: number) => this.idBase + i;
  ownerId = (i: number) => this.idBase + this.orgs + i;
  userId = (j: number) => this.idBase + 2 * this.orgs + j;
  /** Pool index of org i's t-th member (t < members - 1): consecutive, so distinct within an org. */
  memberOf = (i: number, t: number) => (i * (this.members - 1) + t) % this.pool;
}

const BATCH = 500;

/** Rows as the admin API (createUser, createOrganization, authorizations) and putMembership write them, counters included. */
async function seed(databaseUrl: string, set: WorkingSet): Promise<Seeded> {
  return seedDirectly(databaseUrl, async (trx) => {
    const now = isoSeconds(new Date());
    const settings = JSON.stringify(defaultOrgSettings);
    let rows = 0;
    const inBatches = async <T>(count: number, row: (n: number) => T, insert: (values: T[]) => Promise<unknown>) => {
      for (let first = 0; first < count; first += BATCH) {
        await insert(Array.from({ length: Math.min(BATCH, count - first) }, (_, k) => row(first + k)));
      }
      rows += count;
    };
    const account = (id: number, login: string, type: 'User' | 'Organization') => ({
      id,
      ...newAccountRow({ login, type, settings: type === 'Organization' ? settings : null, now }),
    });
    await inBatches(set.orgs, (i) => account(set.orgId(i), orgLogin(i), 'Organization'), (v) => trx.insertInto('accounts').values(v).execute());
    await inBatches(set.orgs, (i) => account(set.ownerId(i), ownerLogin(i), 'User'), (v) => trx.insertInto('accounts').values(v).execute());
    await inBatches(set.pool, (j) => account(set.userId(j), userLogin(j), 'User'), (v) => trx.insertInto('accounts').values(v).execute());
    for (let i = 0; i < set.orgs; i++) await insertToken(trx, set.ownerId(i), tokenOf('o', i), ['admin:org'], now);
    for (let j = 0; j < set.pool; j++) await insertToken(trx, set.userId(j), tokenOf('u', j), ['read:org'], now);
    rows += set.orgs + set.pool;
    const membership = (orgId: number, userId: number, role: 'admin' | 'member') => ({
      org_id: orgId,
      user_id: userId,
      role,
      state: 'active' as const,
      public: 0 as const,
      created_at: now,
      updated_at: now,
    });
    const perOrg = set.members;
    await inBatches(
      set.orgs * perOrg,
      (n) => {
        const i = Math.floor(n / perOrg);
        const t = n % perOrg;
        return t === 0 ? membership(set.orgId(i), set.ownerId(i), 'admin') : membership(set.orgId(i), set.userId(set.memberOf(i, t - 1)), 'member');
      },
      (v) => trx.insertInto('memberships').values(v).execute(),
    );
    const counters = ['members', 'admins', 'public_members'] as const;
    await inBatches(
      set.orgs * counters.length,
      (n) => {
        const name = counters[n % counters.length];
        return { org_id: set.orgId(Math.floor(n / counters.length)), name, value: name === 'members' ? perOrg : name === 'admins' ? 1 : 0 };
      },
      (v) => trx.insertInto('org_counters').values(v).execute(),
    );
    return rows;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Requests: each target draws a random org (and the token that goes with it) per request.

interface Drawn {
  method: string;
  path: string;
  token: string;
  body?: unknown;
  /** Values the write anchors bind (ids the benchmark knows from seeding, the write's new value). */
  values?: Record<string, string | number>;
}

const random = (n: number) => Math.floor(Math.random() * n);

/** The roles members have now, so every PUT changes one (a PUT that changes nothing writes nothing). */
const roles = new Map<number, 'admin' | 'member'>();

function draws(set: WorkingSet): Record<string, () => Drawn> {
  const someMember = (i: number) => set.memberOf(i, random(set.members - 1));
  return {
    'org-get': () => {
      const i = random(set.orgs);
      return { method: 'GET', path: `/orgs/${orgLogin(i)}`, token: tokenOf('o', i) };
    },
    'org-get-hot': () => ({ method: 'GET', path: `/orgs/${orgLogin(0)}`, token: tokenOf('o', 0) }),
    members: () => {
      const i = random(set.orgs);
      return { method: 'GET', path: `/orgs/${orgLogin(i)}/members?per_page=100`, token: tokenOf('o', i) };
    },
    'user-get': () => {
      const n = random(set.orgs + set.pool);
      return { method: 'GET', path: `/users/${n < set.orgs ? ownerLogin(n) : userLogin(n - set.orgs)}`, token: tokenOf('o', random(set.orgs)) };
    },
    'user-orgs': () => ({ method: 'GET', path: '/user/orgs', token: tokenOf('u', random(set.pool)) }),
    membership: () => {
      const i = random(set.orgs);
      return { method: 'GET', path: `/orgs/${orgLogin(i)}/memberships/${userLogin(someMember(i))}`, token: tokenOf('o', i) };
    },
    'put-membership': () => {
      const i = random(set.orgs);
      const j = someMember(i);
      const key = i * set.pool + j;
      const role = roles.get(key) === 'admin' ? 'member' : 'admin';
      roles.set(key, role);
      return {
        method: 'PUT',
        path: `/orgs/${orgLogin(i)}/memberships/${userLogin(j)}`,
        token: tokenOf('o', i),
        body: { role },
        values: { orgId: set.orgId(i), orgLogin: orgLogin(i), ownerId: set.ownerId(i), ownerLogin: ownerLogin(i), userId: set.userId(j), userLogin: userLogin(j), role },
      };
    },
    'patch-org': () => {
      const i = random(set.orgs);
      const description = `working set ${Date.now().toString(36)}${random(1e9).toString(36)}`;
      return {
        method: 'PATCH',
        path: `/orgs/${orgLogin(i)}`,
        token: tokenOf('o', i),
        body: { description },
        values: { orgId: set.orgId(i), orgLogin: orgLogin(i), ownerId: set.ownerId(i), ownerLogin: ownerLogin(i), description },
      };
    },
  };
}

function generator(draw: () => Drawn, counter: { calls: number }) {
  return (request: RawRequest): RawRequest => {
    counter.calls += 1;
    const d = draw();
    const headers: Record<string, string> = { authorization: `Bearer ${d.token}`, accept: 'application/vnd.github+json' };
    if (d.values) headers['x-bench-values'] = JSON.stringify(d.values);
    if (d.body !== undefined) headers['content-type'] = 'application/json';
    return { ...request, method: d.method, path: d.path, headers, body: d.body === undefined ? undefined : JSON.stringify(d.body) };
  };
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  cpuMicros: number;
  total: number;
}

async function load(label: string, server: ChildServer, draw: () => Drawn, conns: number): Promise<Measured> {
  const counter = { calls: 0 };
  const options = { url: server.url, connections: conns, pipelining: 1, requests: [{ setupRequest: generator(draw, counter) }] };
  if (warmup > 0) await autocannon({ ...options, duration: warmup });
  const cpuBefore = server.cpuSeconds();
  counter.calls = 0;
  const r: Result = await autocannon({ ...options, duration });
  const cpu = server.cpuSeconds() - cpuBefore;
  const m = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuMicros: (cpu * 1e6) / r.requests.total, total: r.requests.total };
  const bad = r.non2xx + r.errors + r.timeouts;
  process.stdout.write(
    `    ${label.padEnd(34)} ${fmt(m.rps).padStart(7)} req/s   p50 ${fmt(m.p50, 1).padStart(5)} ms   p99 ${fmt(m.p99, 1).padStart(5)} ms   CPU ${fmt(m.cpuMicros).padStart(4)} µs/req   (${fmt(m.total)} requests${bad ? `, ${bad} failed: ${JSON.stringify(r.statusCodeStats)}` : ''})\n`,
  );
  if (bad) throw new Error(`${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts; figures are not valid`);
  // Every request was drawn afresh (autocannon calls setupRequest per request, in flight ones included).
  if (counter.calls < m.total) throw new Error(`${label}: ${counter.calls} requests drawn for ${m.total} sent`);
  return m;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
function medianOf(runs: Measured[]): Measured {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMicros: median(runs.map((r) => r.cpuMicros)),
    total: runs.reduce((a, r) => a + r.total, 0),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Anchors

/** The operation's 200 schema as orghub serializes its answers with it (src/http/openapi.ts). */
function responseSchema(operationId: string): unknown {
  const schema = describeOperation(operationId)?.responses['200'];
  if (!schema) throw new Error(`no 200 schema for ${operationId}`);
  return schema;
}

/** `?` placeholders to PostgreSQL's `$n`. */
const forStore = (store: StoreKind, text: string) => (store === 'postgres' ? text.replace(/\?/g, (() => { let n = 0; return () => `$${++n}`; })()) : text);

interface ReadTarget {
  name: string;
  label: string;
  operationId: string;
  route: string;
  sql: string;
  values: BoundValue[];
  many?: boolean;
  present: NonNullable<AnchorSpec['present']>;
  ratio: Record<StoreKind, number>;
  p99?: number;
}

const READS: ReadTarget[] = [
  {
    name: 'org-get',
    label: '`GET /orgs/{org}`',
    operationId: 'orgs/get',
    route: '/orgs/:org',
    // The counters the owners' view shows (plan seats, collaborators) come with the org, in the same query.
    sql:
      "select o.*, coalesce((select value from org_counters where org_id = o.id and name = 'outside_collaborators'), 0) as c_collaborators," +
      " coalesce((select sum(value) from org_counters where org_id = o.id and name in ('members', 'pending_invitations')), 0) as c_filled_seats" +
      " from accounts o where o.login_lower = ? and o.type = 'Organization'",
    values: [{ v: 'org' }],
    present: 'organization-full',
    ratio: { sqlite: 0.8, postgres: 0.6 },
    p99: 15,
  },
  {
    name: 'members',
    label: '`GET /orgs/{org}/members?per_page=100`',
    operationId: 'orgs/list-members',
    route: '/orgs/:org/members',
    sql:
      'select a.id, a.login, a.type, a.site_admin from memberships m join accounts a on a.id = m.user_id' +
      " where m.org_id = (select id from accounts where login_lower = ? and type = 'Organization') and m.state = 'active' order by m.user_id limit 100",
    values: [{ v: 'org' }],
    many: true,
    present: 'simple-users',
    ratio: { sqlite: 0.6, postgres: 0.5 },
  },
  {
    name: 'user-get',
    label: '`GET /users/{username}`',
    operationId: 'users/get-by-username',
    route: '/users/:username',
    sql: 'select * from accounts where login_lower = ?',
    values: [{ v: 'username' }],
    present: 'public-user',
    ratio: { sqlite: 0.6, postgres: 0.5 },
  },
  {
    name: 'user-orgs',
    label: '`GET /user/orgs`',
    operationId: 'orgs/list-for-authenticated-user',
    route: '/user/orgs',
    sql:
      'select o.id, o.login, o.description from tokens t join memberships m on m.user_id = t.user_id and m.state = \'active\'' +
      ' join accounts o on o.id = m.org_id where t.token_hash = ? order by o.id limit 30',
    values: [{ v: 'tokenHash' }],
    many: true,
    present: 'organization-simples',
    ratio: { sqlite: 0.6, postgres: 0.5 },
  },
  {
    name: 'membership',
    label: '`GET /orgs/{org}/memberships/{username}`',
    operationId: 'orgs/get-membership-for-user',
    route: '/orgs/:org/memberships/:username',
    sql:
      'select m.role, m.state, o.id as o_id, o.login as o_login, o.description as o_description, u.id as u_id, u.login as u_login,' +
      ' u.type as u_type, u.site_admin as u_site_admin from memberships m join accounts o on o.id = m.org_id' +
      ' join accounts u on u.id = m.user_id where o.login_lower = ? and u.login_lower = ?',
    values: [{ v: 'org' }, { v: 'username' }],
    present: 'org-membership',
    ratio: { sqlite: 0.6, postgres: 0.5 },
  },
];

interface WriteTarget {
  name: 'put-membership' | 'patch-org';
  label: string;
  method: 'PUT' | 'PATCH';
  route: string;
}

const WRITES: WriteTarget[] = [
  { name: 'put-membership', label: '`PUT /orgs/{org}/memberships/{username}`', method: 'PUT', route: '/orgs/:org/memberships/:username' },
  { name: 'patch-org', label: '`PATCH /orgs/{org}`', method: 'PATCH', route: '/orgs/:org' },
];
const WRITE_TARGET = { ratio: 0.5, p99: 25 };

function startAnchor(spec: AnchorSpec): Promise<ChildServer> {
  return startBenchServer('bench/support/anchor-server.ts', { BENCH_ANCHOR: JSON.stringify(spec) });
}

// ---------------------------------------------------------------------------------------------------------------
// The statements of one write, captured from orghub itself: an in-process server on a small database of the same
// shape, its drivers' query functions wrapped, one request of each kind sent with a token it has not seen yet.

interface Captured {
  sql: string;
  values: unknown[];
}
let capturing: Captured[] | undefined;
let wrapped = false;

function wrapDrivers(): void {
  if (wrapped) return;
  wrapped = true;
  const pgQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    // A text and its values, or a named statement's config (src/db/pg-statements.ts: repeated texts run named).
    const [first, second] = args as [unknown, unknown[] | undefined];
    if (capturing && typeof first === 'string') capturing.push({ sql: first, values: second ?? [] });
    else if (capturing && first && typeof first === 'object' && 'text' in first) {
      const config = first as { text: string; values?: unknown[] };
      capturing.push({ sql: config.text, values: config.values ?? [] });
    }
    return pgQuery.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const probe = new SQLite(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['all', 'get', 'run', 'iterate']) {
    const original = statement[method];
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      if (capturing) capturing.push({ sql: this.source, values: Array.isArray(args[0]) ? args[0] : args });
      return original.apply(this, args);
    };
  }
}

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** A captured value as the anchor binds it: the request's ids, logins, new values and time in place of the captured ones. */
function template(value: unknown, known: Record<string, string | number>): BoundValue {
  if (value === null || value === undefined) return null;
  for (const [name, v] of Object.entries(known)) if (value === v) return { v: name };
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return String(value);
  if (ISO_SECONDS.test(value)) return { v: 'now' };
  let text = value;
  let changed = false;
  // Longest first, so a login inside another is not replaced half; ids (7 distinct digits) inside strings too, e.g. `user:ID`.
  for (const [name, v] of Object.entries(known).sort((a, b) => String(b[1]).length - String(a[1]).length)) {
    if (text.includes(String(v))) {
      text = text.split(String(v)).join(`{{${name}}}`);
      changed = true;
    }
  }
  return changed ? { t: text } : value;
}

async function captureWrites(store: StoreKind): Promise<Record<WriteTarget['name'], { sql: string; values: BoundValue[] }[]>> {
  wrapDrivers();
  const db = await freshDatabase(store);
  const set = new WorkingSet(2 * WRITES.length, 3, 7_000_001);
  try {
    await seed(db.url, set);
    // The rate-limit counts are flushed on a timer, outside any request: not while capturing.
    const server = await startServer({ databaseUrl: db.url, port: 0, adminToken: BENCH_ADMIN_TOKEN, rateLimit: { authenticated: 1e9 }, rateLimitFlushMs: 3_600_000 });
    try {
      const send = async (d: Drawn) => {
        const client = new KeepAliveClient(server.url, { authorization: `Bearer ${d.token}` });
        try {
          await client.expect(d.method, d.path, d.body, 200);
        } finally {
          client.close();
        }
      };
      const drawOrg = (i: number, kind: WriteTarget['name']): Drawn => {
        const j = set.memberOf(i, 0);
        const description = `captured description ${i}`;
        const values: Record<string, string | number> = { orgId: set.orgId(i), orgLogin: orgLogin(i), ownerId: set.ownerId(i), ownerLogin: ownerLogin(i) };
        if (kind === 'patch-org') return { method: 'PATCH', path: `/orgs/${orgLogin(i)}`, token: tokenOf('o', i), body: { description }, values: { ...values, description } };
        return { method: 'PUT', path: `/orgs/${orgLogin(i)}/memberships/${userLogin(j)}`, token: tokenOf('o', i), body: { role: 'admin' }, values: { ...values, userId: set.userId(j), userLogin: userLogin(j) } };
      };
      const out = {} as Record<WriteTarget['name'], { sql: string; values: BoundValue[] }[]>;
      for (const [k, { name }] of WRITES.entries()) {
        // Org 2k+1 warms the server up (first statements prepared, lazy loads done); org 2k is captured, its token new to it.
        await send(drawOrg(2 * k + 1, name));
        const captured: Drawn = drawOrg(2 * k, name);
        capturing = [];
        await send(captured);
        const statements = capturing;
        capturing = undefined;
        const known = { ...captured.values!, tokenHash: hashToken(captured.token) };
        out[name] = statements.filter((s) => !TRANSACTION_CONTROL.test(s.sql)).map((s) => ({ sql: s.sql, values: s.values.map((v) => template(v, known)) }));
      }
      return out;
    } finally {
      await server.close();
    }
  } finally {
    await db.drop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Memory

/** The process's RSS and, of it, the file pages it maps (SQLite maps the database: src/db/connect.ts), in MiB. */
function rssMiB(pid: number): { rss: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kB('VmRSS'), file: kB('RssFile') };
}

interface MemoryRun {
  first: number;
  total: number;
  rssFirst: number;
  rssTotal: number;
  fileFirst: number;
  fileTotal: number;
  seconds: number;
  scaled: boolean;
}

/** Reads of every kind plus one write in ten, drawn at random: RSS after the first MEMORY_FIRST and after the whole run. */
async function memory(server: ChildServer, set: WorkingSet): Promise<MemoryRun> {
  const d = draws(set);
  const reads = ['org-get', 'members', 'user-get', 'user-orgs', 'membership'].map((n) => d[n]);
  const mixed = () => (Math.random() < 0.1 ? (Math.random() < 0.5 ? d['put-membership'] : d['patch-org'])() : reads[random(reads.length)]());
  const run = async (amount: number) => {
    const started = performance.now();
    const r = await autocannon({ url: server.url, connections, pipelining: 1, amount, requests: [{ setupRequest: generator(mixed, { calls: 0 }) }] });
    if (r.non2xx || r.errors || r.timeouts) throw new Error(`mixed run: ${r.non2xx} non-2xx, ${r.errors} errors: ${JSON.stringify(r.statusCodeStats)}`);
    return { seconds: (performance.now() - started) / 1000, total: r.requests.total };
  };
  const first = await run(MEMORY_FIRST);
  const { rss: rssFirst, file: fileFirst } = rssMiB(server.pid);
  // Bounded in time: at the rate of the first part, the rest must fit in MEMORY_SECONDS.
  const rate = first.total / first.seconds;
  const rest = Math.max(0, Math.min(MEMORY_REQUESTS - first.total, Math.floor(rate * MEMORY_SECONDS)));
  const scaled = first.total + rest < MEMORY_REQUESTS;
  process.stdout.write(`    RSS ${fmt(rssFirst, 1)} MiB (file pages ${fmt(fileFirst, 1)}) after ${fmt(first.total)} mixed requests (${fmt(rate)} req/s); ${fmt(rest)} more${scaled ? ` (scaled down from ${fmt(MEMORY_REQUESTS)} in all to stay within ${MEMORY_SECONDS} s)` : ''}\n`);
  const second = await run(rest);
  const { rss: rssTotal, file: fileTotal } = rssMiB(server.pid);
  process.stdout.write(`    RSS ${fmt(rssTotal, 1)} MiB (file pages ${fmt(fileTotal, 1)}) after ${fmt(first.total + second.total)}\n`);
  return { first: first.total, total: first.total + second.total, rssFirst, rssTotal, fileFirst, fileTotal, seconds: first.seconds + second.seconds, scaled };
}

// ---------------------------------------------------------------------------------------------------------------

interface Row {
  target: string;
  anchor: string;
  anchorFigures?: Measured;
  orghub: Measured;
  /** Ratio and p99 bounds; absent: a reference figure. */
  goal?: { ratio: number; p99?: number };
}

interface StoreRun {
  store: StoreKind;
  seeded: { ms: number; rows: number };
  rows: Row[];
  memory?: MemoryRun;
  statements: Partial<Record<WriteTarget['name'], number>>;
}

const wanted = (name: string) => !only || only.has(name);

/** A read anchor must send the body orghub sends (URLs aside, which name each server's own address), or it measures less work. */
async function assertSameAnswer(label: string, anchor: ChildServer, orghub: ChildServer, draw: () => Drawn): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const d = draw();
    const get = async (server: ChildServer) => {
      const response = await fetch(server.url + d.path, { headers: { authorization: `Bearer ${d.token}`, accept: 'application/vnd.github+json' } });
      return (await response.text()).replaceAll(server.url, 'BASE');
    };
    const [fromAnchor, fromOrghub] = [await get(anchor), await get(orghub)];
    if (fromAnchor !== fromOrghub) throw new Error(`${label}: the anchor answers ${d.path} with another body than orghub:\n${fromAnchor.slice(0, 600)}\n---\n${fromOrghub.slice(0, 600)}`);
  }
}

async function compare(label: string, anchor: ChildServer, orghub: ChildServer, draw: () => Drawn, conns: number) {
  const a: Measured[] = [];
  const o: Measured[] = [];
  for (let run = 1; run <= RUNS; run++) {
    a.push(await load(`anchor, run ${run}`, anchor, draw, conns));
    o.push(await load(`orghub, run ${run}`, orghub, draw, conns));
  }
  process.stdout.write(`  ${label}: median orghub/anchor ${pct(median(o.map((m) => m.rps)) / median(a.map((m) => m.rps)))}\n`);
  return { anchor: medianOf(a), orghub: medianOf(o) };
}

async function runStore(store: StoreKind): Promise<StoreRun> {
  process.stdout.write(`\n== ${store}\n`);
  const writes = WRITES.some((w) => wanted(w.name)) ? await captureWrites(store) : undefined;
  const db = await freshDatabase(store);
  const set = new WorkingSet(ORGS, MEMBERS, 1_000_001);
  const d = draws(set);
  let orghub: ChildServer | undefined;
  try {
    const seeded = await seed(db.url, set);
    process.stdout.write(`  seeded ${fmt(seeded.rows)} rows (${fmt(ORGS)} orgs of ${MEMBERS} members, ${fmt(set.pool)} pooled members) in ${fmt(seeded.ms / 1000, 1)} s\n`);
    // The measured path runs without the per-process read cache, so no figure depends on it (ORGHUB_READ_CACHE_MS=0).
    orghub = await startOrghub(db.url, { ORGHUB_READ_CACHE_MS: '0' });
    const rows: Row[] = [];
    for (const target of READS.filter((t) => wanted(t.name))) {
      process.stdout.write(`  ${target.label}\n`);
      const anchor = await startAnchor({
        database: db.url,
        method: 'GET',
        route: target.route,
        kind: 'read',
        sql: forStore(store, target.sql),
        values: target.values,
        many: target.many,
        schema: responseSchema(target.operationId),
        present: target.present,
      });
      try {
        await assertSameAnswer(target.label, anchor, orghub, d[target.name]);
        const figures = await compare(target.label, anchor, orghub, d[target.name], connections);
        rows.push({ target: `${target.label}, random of ${fmt(ORGS)} orgs`, anchor: `Fastify + one ${store === 'sqlite' ? 'prepared better-sqlite3' : '`pg`'} query + response schema`, anchorFigures: figures.anchor, orghub: figures.orghub, goal: { ratio: target.ratio[store], p99: target.p99 } });
        if (target.name === 'org-get') {
          // The hot org as users' single-org tests see it: with the read cache, as by default.
          const cached = await startOrghub(db.url);
          try {
            const hot: Measured[] = [];
            for (let run = 1; run <= RUNS; run++) hot.push(await load(`orghub one hot org, run ${run}`, cached, d['org-get-hot'], connections));
            rows.push({ target: '`GET /orgs/{org}`, one hot org, read cache on (reference)', anchor: 'the random-org anchor above', anchorFigures: figures.anchor, orghub: medianOf(hot) });
          } finally {
            await cached.stop();
          }
        }
      } finally {
        await anchor.stop();
      }
    }
    const statements: StoreRun['statements'] = {};
    for (const target of WRITES.filter((t) => wanted(t.name))) {
      process.stdout.write(`  ${target.label} (${writeConnections} connections)\n`);
      const captured = writes![target.name];
      statements[target.name] = captured.length;
      if (showStatements) for (const s of captured) process.stdout.write(`      ${s.sql}  ${JSON.stringify(s.values)}\n`);
      const anchor = await startAnchor({ database: db.url, method: target.method, route: target.route, kind: 'write', statements: captured.map((s) => ({ sql: s.sql, values: s.values })) });
      try {
        const figures = await compare(target.label, anchor, orghub, d[target.name], writeConnections);
        rows.push({ target: `${target.label}, random of ${fmt(ORGS)} orgs`, anchor: `orghub's ${captured.length} statements in one transaction, ${store === 'sqlite' ? 'better-sqlite3' : '`pg`'}`, anchorFigures: figures.anchor, orghub: figures.orghub, goal: WRITE_TARGET });
      } finally {
        await anchor.stop();
      }
    }
    let memoryRun: MemoryRun | undefined;
    if (wanted('memory')) {
      process.stdout.write(`  memory (mixed requests, ${connections} connections)\n`);
      memoryRun = await memory(orghub, set);
    }
    return { store, seeded, rows, memory: memoryRun, statements };
  } finally {
    await orghub?.stop();
    if (keepDb) process.stdout.write(`  kept ${db.url}\n`);
    else await db.drop();
  }
}

function judge(row: Row) {
  const ratio = row.anchorFigures ? row.orghub.rps / row.anchorFigures.rps : NaN;
  if (!row.goal) return { ratio, ok: undefined, text: 'reference' };
  const ok = ratio >= row.goal.ratio && (row.goal.p99 === undefined || row.orghub.p99 < row.goal.p99);
  return { ratio, ok, text: `≥ ${row.goal.ratio}×${row.goal.p99 ? `, p99 < ${row.goal.p99} ms` : ''}` };
}

const machine = machineLine();
process.stdout.write(
  `Working-set benchmark — ${machine}\nautocannon: ${connections} connections (${writeConnections} for writes), ${warmup} s warm-up + ${duration} s measured, median of ${RUNS}\n`,
);
const runs: StoreRun[] = [];
for (const store of stores) runs.push(await runStore(store));

process.stdout.write('\n');
for (const run of runs) {
  for (const row of run.rows) {
    const j = judge(row);
    process.stdout.write(`${run.store}: ${row.target}: ${fmt(row.orghub.rps)} req/s vs ${fmt(row.anchorFigures?.rps ?? NaN)} (${j.ratio.toFixed(2)}×), p99 ${row.orghub.p99} ms: ${j.ok === undefined ? 'reference' : j.ok ? 'met' : 'MISSED'}\n`);
  }
  if (run.memory) process.stdout.write(`${run.store}: RSS ${fmt(run.memory.rssFirst, 1)} MiB after ${fmt(run.memory.first)} requests, ${fmt(run.memory.rssTotal, 1)} MiB after ${fmt(run.memory.total)}\n`);
}

if (write) {
  const cell = (m: Measured | undefined) => (m ? fmt(m.rps) : '');
  writeSection(
    'working-set',
    [
      '## Issue 11: the uncached path on a real working set, against one-query anchors',
      '',
      `Measured ${machine}.`,
      '',
      `A fresh database per store is seeded straight through the store (batched inserts in one transaction, then ANALYZE; VACUUM ANALYZE on PostgreSQL) with the rows`,
      `the admin API and \`putMembership\` write (accounts with the default settings document, memberships, \`org_counters\`, tokens;`,
      `no audit events): ${fmt(ORGS)} orgs, each with its owner (an \`admin:org\` token) and ${MEMBERS - 1} members drawn from a pool of`,
      `${fmt(new WorkingSet(ORGS, MEMBERS, 0).pool)} users (each in about 100 orgs, a \`read:org\` token each).`,
      `Every request draws a random org and the token that goes with it (autocannon \`setupRequest\`): \`GET /users/{username}\` a random`,
      'user with a random owner\'s token, `GET /user/orgs` a random pooled user\'s token (100 orgs), the membership reads and writes a random',
      'member of the org; each PUT flips that member\'s role (so it always writes), each PATCH sets a new `description`.',
      '',
      `Load: autocannon in the benchmark process (the issue says wrk, which is not installed here), ${connections} connections for reads,`,
      `${writeConnections} for writes, no pipelining, ${warmup} s warm-up then ${duration} s measured, median of ${RUNS} runs with anchor and orghub`,
      'alternating; req/s is autocannon\'s mean of per-second samples, p99 its latency in whole ms. orghub runs as `npm start` runs it',
      '(`node dist/cli.js`, its Node flags), rate limit raised to 10⁹ (still counted). Anchors (`bench/support/anchor-server.ts`, own',
      'process, same flags, bundled by esbuild into plain JavaScript as `tsc` compiles orghub, no loader):',
      'reads are Fastify + one query (a prepared better-sqlite3 statement / one named `pg` query on a pool of 10)',
      'whose row(s) go through orghub\'s own presenters and the operation\'s 200 schema, so that the anchor sends the body orghub sends',
      '(the benchmark checks that, byte for byte, URLs aside, before measuring; the org read also fetches the counters the owner\'s view',
      'shows). Writes replay the statements orghub itself ran for one such',
      'request (captured from the drivers of an in-process orghub on a small database of the same shape, first use of the token, ids,',
      'logins, values and times rebound per request) in one transaction per request through the same driver.',
      '',
      'Every figure but the hot-org reference is measured with the per-process read cache (`src/http/read-cache.ts`) switched off',
      '(`ORGHUB_READ_CACHE_MS=0`): the uncached path, as another process\'s writes leave it; the hot-org reference runs a second orghub',
      'with the default cache (1 s), as a single-org test suite meets it.',
      '',
      '| store | target | anchor | anchor req/s | orghub req/s | ratio | orghub p99 ms | orghub CPU µs/req | target | |',
      '|---|---|---|---:|---:|---:|---:|---:|---|---|',
      ...runs.flatMap((run) =>
        run.rows.map((row) => {
          const j = judge(row);
          return `| ${run.store} | ${row.target} | ${row.anchor} | ${cell(row.anchorFigures)} | ${fmt(row.orghub.rps)} | ${j.ratio.toFixed(2)}× | ${fmt(row.orghub.p99)} | ${fmt(row.orghub.cpuMicros)} | ${j.text} | ${j.ok === undefined ? '' : verdict(j.ok)} |`;
        }),
      ),
      '',
      ...runs.flatMap((run) =>
        run.memory
          ? [
              `- ${run.store} memory (mixed: the five reads, one request in ten a PUT or PATCH): orghub RSS ${fmt(run.memory.rssFirst, 1)} MiB after ${fmt(run.memory.first)} requests,` +
                ` ${fmt(run.memory.rssTotal, 1)} MiB after ${fmt(run.memory.total)} (${((run.memory.rssTotal / run.memory.rssFirst - 1) * 100).toFixed(0)}%; target within 20%: ${verdict(run.memory.rssTotal <= run.memory.rssFirst * 1.2)})` +
                ` (of which file-backed pages, the node binary's and the mapped database's: ${fmt(run.memory.fileFirst, 1)} and ${fmt(run.memory.fileTotal, 1)} MiB)` +
                (run.memory.scaled ? `; scaled down from ${fmt(MEMORY_REQUESTS)} to stay within ${MEMORY_SECONDS} s.` : '.'),
            ]
          : [],
      ),
      ...runs.map((run) => `- ${run.store}: seeding ${fmt(run.seeded.rows)} rows took ${fmt(run.seeded.ms / 1000, 1)} s; statements replayed by the write anchors: ${Object.entries(run.statements).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}.`),
      '',
      `Reproduce: \`npm run bench:working-set\` (or \`node --import tsx bench/working-set.ts --db sqlite,postgres --orgs ${ORGS} --runs ${RUNS} --duration ${duration}\`; \`--only org-get,members,user-get,user-orgs,membership,put-membership,patch-org,memory\`).`,
    ].join('\n'),
  );
}
