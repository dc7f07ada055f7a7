/**
 * Start-up benchmark: the time from `npm start` to orghub's first answer, on a built tree.
 *
 *   npm run bench:start                                   # both stores, 10 starts per case
 *   node --import tsx bench/start.ts --db sqlite --runs 5 --no-write
 *
 * The tree is built first if stale (scripts/build.mjs --if-stale, as `npm start` does), so every start measured
 * finds `dist/` up to date (and only compares modification times). Each start is a new process group (`npm start -- --port P …` from the package root,
 * with the environment's ORGHUB_* variables cleared); the benchmark polls one URL every 2 ms from the moment it
 * spawned the command (a refused connection is retried) and notes the first 200, then stops the group. Cases:
 * `GET /_orghub/health` (anonymous) and an authenticated `GET /user` (the admin's token, given with
 * `--admin-token`), each on a fresh database (migrations and the admin's creation included) and on an existing one,
 * per store; `node dist/cli.js` without npm on an existing SQLite file, to show npm's own share; and
 * `npm start -- --help` until it exits. Figures go to stdout and to bench/RESULTS.md (section start).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_ADMIN_TOKEN, buildIfStale, ROOT, SERVER_NODE_FLAGS } from './support/child.js';
import { freshDatabase, storesFromArgs, type BenchDatabase, type StoreKind } from './support/database.js';
import { percentile } from './support/http.js';
import { fmt, machineLine, parseFlags, verdict, writeSection } from './support/results.js';

const flags = parseFlags();
const stores = storesFromArgs(flags.db);
const RUNS = Number(flags.runs ?? 10);
const write = !('no-write' in flags);

/** The issue's target: from `npm start` to the first answer on a built tree. */
const TARGET_MS = 1000;
const POLL_MS = 2;
/** A start that has not answered by then is a failure, not a figure. */
const GIVE_UP_MS = 30_000;

type Probe = 'health' | 'user';
const PROBE_PATHS: Record<Probe, string> = { health: '/_orghub/health', user: '/user' };

/** The orghub command a case starts: `npm start` as a user types it, or the node command it runs. */
type Launcher = 'npm start' | 'node dist/cli.js';

interface Case {
  store: StoreKind;
  data: 'fresh' | 'existing';
  launcher: Launcher;
  probe: Probe;
  millis: number[];
  /** CPU milliseconds the process group had used when the first 200 arrived (other load moves these less). */
  cpuMillis: number[];
}

interface Start {
  millis: number;
  cpuMillis: number;
}

// USER_HZ: 100 on every Linux platform Node supports.
const CLOCK_TICKS = 100;

/**
 * User + system CPU time of process group `pgid` (npm, its shells, orghub) from /proc, in ms (NaN without /proc): each live
 * member's own time plus that of its children that already ended (npm's shell), counted once each.
 */
function groupCpuMillis(pgid: number): number {
  let ticks = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return NaN;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command: state, ppid, pgrp … utime, stime, cutime, cstime (fields 14 to 17 of proc(5)).
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/** A free loopback port: the server must listen on a port known before it starts, so polling can begin at once. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The status of one GET, or undefined when nothing listens yet (or the connection broke). */
function statusOf(port: number, path: string, token?: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

// The server runs as a user's `npm start` runs it: ORGHUB_* (and npm's own variables, under `npm run`) from this
// process's environment would change what is measured.
const serverEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(orghub_|npm_)/i.test(name)));

function commandFor(launcher: Launcher, args: string[]): [string, string[]] {
  return launcher === 'npm start' ? ['npm', ['start', '--silent', '--', ...args]] : [process.execPath, [...SERVER_NODE_FLAGS, 'dist/cli.js', ...args]];
}

/** Milliseconds from spawning the command to the first 200 from `probe`, and the CPU time used by then. */
async function timeStart(launcher: Launcher, databaseUrl: string, probe: Probe): Promise<Start> {
  const port = await freePort();
  const [command, args] = commandFor(launcher, ['--port', String(port), '--database', databaseUrl, '--admin-token', BENCH_ADMIN_TOKEN]);
  const started = performance.now();
  // Its own process group: npm, its shell and the server are stopped together.
  const child = spawn(command, args, { cwd: ROOT, env: serverEnv, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  try {
    for (;;) {
      const status = await statusOf(port, PROBE_PATHS[probe], probe === 'user' ? BENCH_ADMIN_TOKEN : undefined);
      if (status === 200) return { millis: performance.now() - started, cpuMillis: groupCpuMillis(child.pid!) };
      if (status !== undefined) throw new Error(`${PROBE_PATHS[probe]} answered ${status}`);
      if (exited) throw new Error(`${command} ${args.join(' ')} exited before answering:\n${stderr}`);
      if (performance.now() - started > GIVE_UP_MS) throw new Error(`no answer within ${GIVE_UP_MS} ms:\n${stderr}`);
      await sleep(POLL_MS);
    }
  } finally {
    if (!exited) process.kill(-child.pid!, 'SIGTERM');
    await exit;
  }
}

/** `--help` from `npm start`, until the command exits. */
function timeHelp(): number {
  const started = performance.now();
  const run = spawnSync('npm', ['start', '--silent', '--', '--help'], { cwd: ROOT, env: serverEnv, encoding: 'utf8' });
  const millis = performance.now() - started;
  if (run.status !== 0 || !run.stdout.includes('Usage: orghub')) throw new Error(`npm start -- --help failed:\n${run.stderr}`);
  return millis;
}

/** The starts of one case, each on its own fresh database or all on one database started (so migrated) once before. */
async function runCase(store: StoreKind, data: Case['data'], launcher: Launcher, probe: Probe): Promise<Case> {
  const starts: Start[] = [];
  const shared = data === 'existing' ? await freshDatabase(store) : undefined;
  try {
    if (shared) await timeStart(launcher, shared.url, 'health');
    for (let i = 0; i < RUNS; i++) {
      const database: BenchDatabase = shared ?? (await freshDatabase(store));
      try {
        starts.push(await timeStart(launcher, database.url, probe));
      } finally {
        if (!shared) await database.drop();
      }
    }
  } finally {
    await shared?.drop();
  }
  const millis = starts.map((s) => s.millis).sort((a, b) => a - b);
  const cpuMillis = starts.map((s) => s.cpuMillis).sort((a, b) => a - b);
  process.stdout.write(
    `${store} ${data} ${launcher} → ${PROBE_PATHS[probe]}: p50 ${fmt(percentile(millis, 50))} ms, max ${fmt(millis.at(-1)!)} ms, CPU p50 ${fmt(percentile(cpuMillis, 50))} ms\n`,
  );
  return { store, data, launcher, probe, millis, cpuMillis };
}

buildIfStale();

const machine = machineLine();
const cases: Case[] = [];
for (const store of stores) {
  for (const data of ['fresh', 'existing'] as const) {
    for (const probe of ['health', 'user'] as const) cases.push(await runCase(store, data, 'npm start', probe));
  }
}
if (stores.includes('sqlite')) {
  for (const probe of ['health', 'user'] as const) cases.push(await runCase('sqlite', 'existing', 'node dist/cli.js', probe));
}
timeHelp();
const help = Array.from({ length: RUNS }, timeHelp).sort((a, b) => a - b);
process.stdout.write(`npm start -- --help: p50 ${fmt(percentile(help, 50))} ms, max ${fmt(help.at(-1)!)} ms\n`);

const p50 = (millis: number[]) => percentile(millis, 50);
const rows = cases.map((c) =>
  `| ${c.store} | ${c.data} | \`${c.launcher}\` | \`GET ${PROBE_PATHS[c.probe]}\` | ${fmt(p50(c.millis))} | ${fmt(c.millis.at(-1)!)} | ${fmt(p50(c.cpuMillis))} | ${c.launcher === 'npm start' ? `p50 < ${fmt(TARGET_MS)} ms: ${verdict(p50(c.millis) < TARGET_MS)}` : ''} |`,
);
rows.push(`| | | \`npm start -- --help\` | (until it exits) | ${fmt(p50(help))} | ${fmt(help.at(-1)!)} | | |`);

const markdown = `
## Issue 10: from \`npm start\` to the first answer

Measured ${machine}.

On a built tree (\`dist/\` up to date, so \`npm start\` only compares modification times before it runs the
server), ${RUNS} starts per row, each a new process group (\`npm start -- --port P --database URL --admin-token T\`
from the package root): the benchmark spawns it, polls the URL every ${POLL_MS} ms (refused connections retried) and
notes the first \`200\`, then stops the group. *fresh*: each start on a new empty database (a SQLite file in a new
folder / a new PostgreSQL database), so migrations and the admin's creation are included; *existing*: every start
on one database created by a start before. \`GET /user\` carries the admin's token. \`node dist/cli.js\` is the
server started without npm (with \`npm start\`'s Node flags) and without the staleness check. *CPU* is the user +
system time the command's processes (npm, its shell, orghub) had used when the first \`200\` arrived, from
\`/proc\`: the work a start costs, which other load on the machine moves less than the wall time.

| store | database | command | first 200 from | p50 ms | max ms | CPU p50 ms | target |
|---|---|---|---|---:|---:|---:|---|
${rows.join('\n')}

Reproduce: \`npm run bench:start\` (or \`node --import tsx bench/start.ts --db sqlite,postgres --runs ${RUNS}\`).
`;
process.stdout.write(markdown);
if (write) writeSection('start', markdown);
