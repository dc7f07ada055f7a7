import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

/** The package root, where `src/`, `dist/` and `node_modules` live. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The Node flags `npm start` runs the server with (package.json), given to orghub and the benchmarks' own servers alike. */
export const SERVER_NODE_FLAGS: string[] = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'))
  .scripts.start.split(/\s+/)
  .filter((word: string) => word.startsWith('--'));
/** More flags for the servers a benchmark starts, e.g. `BENCH_SERVER_NODE_FLAGS=--cpu-prof` to profile them. */
const EXTRA_NODE_FLAGS = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

export interface ChildServer {
  url: string;
  pid: number;
  /** CPU seconds (user + system) the server process has used so far; NaN where /proc is absent. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** User + system CPU time of a process, from /proc (Linux), in seconds. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
// USER_HZ: 100 on every Linux platform Node supports.
const CLOCK_TICKS = 100;

/** Token the benchmarks' site admin gets (a throwaway database per run). */
export const BENCH_ADMIN_TOKEN = 'ghp_orghubBenchAdminToken0000000000000';

/** Builds `dist/` when a source changed since the last build, as `npm start` does first (scripts/start.mjs). */
export function buildIfStale(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed: benchmarks measure the built tree `npm start` runs');
}

let built = false;

/**
 * orghub as `npm start` runs it (dist/cli.js, built first when stale, with `npm start`'s Node flags), in its own
 * process, so the load generator never shares its event loop, on `databaseUrl`, listening on a free loopback port.
 * Not through tsx (`npm run dev`): its loader's helpers cost server time that users' servers do not spend.
 * The primary rate limit is raised so a benchmark does not run into it; every request is still counted.
 */
export function startOrghub(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  if (!built) {
    buildIfStale();
    built = true;
  }
  return startChild(['dist/cli.js', '--port', '0', '--database', databaseUrl, '--admin-token', BENCH_ADMIN_TOKEN], {
    ORGHUB_RATE_LIMIT: '1000000000',
    ...env,
  });
}

/**
 * One of the benchmarks' own servers (`bench/support/*-server.ts`) compiled as orghub is, to plain ES2022 without a
 * loader (esbuild, bundling what it imports of `src/`), so that orghub and its anchors run their code the same way.
 * The bundle goes under node_modules/.cache, where its packages resolve from the package's node_modules.
 */
export function startBenchServer(entry: string, env: Record<string, string>): Promise<ChildServer> {
  const outfile = `node_modules/.cache/orghub-bench/${basename(entry, '.ts')}.mjs`;
  buildSync({ absWorkingDir: ROOT, entryPoints: [entry], outfile, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'es2022', logLevel: 'error' });
  return startChild([outfile], env);
}

/** A bare Fastify route in its own process answering `GET /orgs/:org` with `body` and `contentType`, nothing else. */
export function startBareRoute(body: Buffer, contentType: string): Promise<ChildServer> {
  return startBenchServer('bench/support/bare-server.ts', {
    BENCH_BODY_BASE64: body.toString('base64'),
    BENCH_CONTENT_TYPE: contentType,
  });
}

/** `node SCRIPT ARGS…` (plain JavaScript) from the package root with `npm start`'s flags, once it printed `listening on URL`. */
function startChild(args: string[], env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...EXTRA_NODE_FLAGS, ...args], {
    cwd: ROOT,
    env: { ...process.env, ORGHUB_DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) => reject(new Error(`${args[0]} exited with ${code} before listening:\n${out}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      child.off('exit', onExit);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({ url: match[1], pid: child.pid!, cpuSeconds: () => cpuSecondsOf(child.pid!), stop: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
