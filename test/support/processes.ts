import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, apiClient, type ApiClient } from './server.js';

/** orghub as a user runs it: the CLI in a child process (from the TypeScript sources, through tsx). */
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const START_GATE = fileURLToPath(new URL('./start-gate.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const LISTENING = /orghub listening on (https?:\/\/\S+)/;
/** What start-gate.ts prints once the modules are loaded. */
const HELD_AT_GATE = /orghub loaded, held at the start gate\n/;

/** The environment without any orghub setting of the test run itself (the suite may run on PostgreSQL). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ORGHUB_') && name !== 'PORT' && name !== 'HOST'));
  return { ...env, ...extra };
}

/** Runs the CLI with `args` and `env` on top of `cleanEnv()`, stdio piped; `gated`: held at start-gate.ts. */
export function spawnCli(args: string[], options: { env?: Record<string, string>; cwd: string; gated?: boolean }) {
  const preloads = ['--import', TSX, ...(options.gated ? ['--import', START_GATE] : [])];
  return spawn(process.execPath, [...preloads, CLI, ...args], { env: cleanEnv(options.env), cwd: options.cwd });
}

export interface OrghubProcess {
  child: ChildProcess;
  /** The URL of its listening line. */
  url: string;
  /** Clients of this process (the site admin is ADMIN_TOKEN's, as in-process test servers). */
  api: ApiClient;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects with the output if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** SIGTERM, SIGKILL if it has not exited after a few seconds; resolves with the exit code (null when killed). */
  stop(): Promise<number | null>;
  /** SIGKILL, a crash: nothing is closed or flushed; resolves once it exited. */
  kill(): Promise<void>;
}

const running = new Set<OrghubProcess>();

/** Stops every process started here and not yet stopped: for `after`, so no test leaves one behind. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

function launch(args: string[], options: { env?: Record<string, string>; cwd: string; gated?: boolean }): OrghubProcess {
  const child = spawnCli(args, options);
  if (!options.gated) child.stdin.end();
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    waiters.forEach((w) => w());
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle: OrghubProcess = {
    child,
    url: '',
    api: apiClient(() => handle.url),
    output: () => stdout,
    waitFor: (pattern) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) resolve(match);
        };
        waiters.push(check);
        check();
        void exited.then((code) => reject(new Error(`orghub exited (${code}) before printing ${pattern}:\n${stdout}\n${stderr}`)));
      }),
    async stop() {
      running.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
    async kill() {
      running.delete(handle);
      child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(handle);
  return handle;
}

/** `waitFor(pattern)` within START_TIMEOUT_MS; the process is stopped if it does not come. */
async function expect(orghub: OrghubProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`orghub printed no ${pattern} within ${START_TIMEOUT_MS} ms:\n${orghub.output()}`)), START_TIMEOUT_MS);
  });
  try {
    return await Promise.race([orghub.waitFor(pattern), silence]);
  } catch (error) {
    await orghub.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function listening(orghub: OrghubProcess): Promise<OrghubProcess> {
  [, orghub.url] = await expect(orghub, LISTENING);
  return orghub;
}

/** Starts the CLI and waits (bounded) for its listening line; rejects with its output, exit code included, if it fails. */
export function startOrghubProcess(args: string[], options: { env?: Record<string, string>; cwd: string }): Promise<OrghubProcess> {
  return listening(launch(args, options));
}

/** The settings of a process on `databaseUrl` (a database several may share): port 0, admin token ADMIN_TOKEN. */
const onDatabase = (databaseUrl: string) => ({
  // The database is named, so nothing is written to the working directory.
  cwd: tmpdir(),
  env: { ORGHUB_DATABASE_URL: databaseUrl, ORGHUB_ADMIN_TOKEN: ADMIN_TOKEN, PORT: '0' },
});

/** One orghub process on `databaseUrl`, with `env` (e.g. `ORGHUB_WEBHOOK_*` settings) on top. */
export function startOrghubOn(databaseUrl: string, env: Record<string, string> = {}): Promise<OrghubProcess> {
  const settings = onDatabase(databaseUrl);
  return startOrghubProcess([], { ...settings, env: { ...settings.env, ...env } });
}

/**
 * `count` orghub processes on `databaseUrl` whose start-up (migrations, the site admin's creation) begins at one
 * moment: each is held at the start gate once loaded, and all are let go together. Settles with each process, or
 * why it did not come up (its exit code and output).
 */
export async function startTogether(count: number, databaseUrl: string): Promise<PromiseSettledResult<OrghubProcess>[]> {
  const launched = Array.from({ length: count }, () => launch([], { ...onDatabase(databaseUrl), gated: true }));
  const held = await Promise.allSettled(launched.map((orghub) => expect(orghub, HELD_AT_GATE)));
  const failed = held.find((h): h is PromiseRejectedResult => h.status === 'rejected');
  if (failed) {
    await Promise.all(launched.map((orghub) => orghub.stop()));
    throw failed.reason;
  }
  for (const orghub of launched) orghub.child.stdin!.end('go\n');
  return Promise.allSettled(launched.map(listening));
}
