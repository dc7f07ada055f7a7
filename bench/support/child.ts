import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root, where `src/cli.ts` and `node_modules` live. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The Node flags `npm start` runs the server with (package.json), given to orghub and the bare route alike. */
const SERVER_NODE_FLAGS: string[] = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'))
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

/**
 * orghub exactly as `npm run dev` runs it (src/cli.ts through tsx, in its own process, so the load generator
 * never shares its event loop), on `databaseUrl`, listening on a free loopback port.
 * The primary rate limit is raised so a benchmark does not run into it; every request is still counted.
 */
export function startOrghub(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  return startChild(['src/cli.ts', '--port', '0', '--database', databaseUrl, '--admin-token', BENCH_ADMIN_TOKEN], {
    ORGHUB_RATE_LIMIT: '1000000000',
    ...env,
  });
}

/** A bare Fastify route in its own process answering `GET /orgs/:org` with `body` and `contentType`, nothing else. */
export function startBareRoute(body: Buffer, contentType: string): Promise<ChildServer> {
  return startChild(['bench/support/bare-server.ts'], {
    BENCH_BODY_BASE64: body.toString('base64'),
    BENCH_CONTENT_TYPE: contentType,
  });
}

/** `node --import tsx ARGS` from the package root with `npm start`'s flags, once it printed `listening on URL`. */
export function startChild(args: string[], env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...EXTRA_NODE_FLAGS, '--import', 'tsx', ...args], {
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
