import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnCli, startOrghubProcess, stopAllProcesses } from './support/processes.js';
import { onPostgres } from './support/server.js';

// `npm start` is a thin shell over the library: these tests run the CLI as a user would, in a child process.
const dirs: string[] = [];
after(async () => {
  await stopAllProcesses();
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orghub-cli-'));
  dirs.push(dir);
  return dir;
}

const startCli = (args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) =>
  startOrghubProcess(args, { env: options.env, cwd: options.cwd ?? tempDir() });

async function getUser(url: string, token: string) {
  const response = await fetch(`${url}/user`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { login: string; site_admin: boolean; url: string; html_url: string } };
}

describe('orghub CLI', { timeout: 60_000 }, () => {
  it('--port 0 --database sqlite:PATH: listens, creates the site admin and prints its ghp_ token once', async () => {
    const dir = tempDir();
    const database = `sqlite:${join(dir, 'nested', 'dir', 'x.db')}`;
    const cli = await startCli(['--port', '0', '--database', database]);
    const [, token] = await cli.waitFor(/Site admin "admin" created with token: (ghp_[A-Za-z0-9]{36})\n/);
    const me = await getUser(cli.url, token);
    assert.equal(me.status, 200);
    assert.equal(me.body.login, 'admin');
    assert.equal(me.body.site_admin, true);
    assert.equal(me.body.url, `${cli.url}/users/admin`);
    assert.match(cli.output(), /\(sqlite\)/);
    assert.equal(await cli.stop(), 0);
    assert.ok(existsSync(join(dir, 'nested', 'dir', 'x.db')), 'the database folder is created if missing');

    // Second start on the same database: no new token is printed, the first one still works.
    const again = await startCli(['--port', '0', '--database', database]);
    assert.equal((await getUser(again.url, token)).status, 200);
    assert.equal(await again.stop(), 0);
    assert.ok(!again.output().includes('ghp_'));
  });

  it('honours ORGHUB_ADMIN_TOKEN, ORGHUB_ADMIN_LOGIN, ORGHUB_DATABASE_URL, ORGHUB_BASE_URL and PORT from the environment', async () => {
    const dir = tempDir();
    const env = {
      PORT: '0',
      ORGHUB_DATABASE_URL: `sqlite:${join(dir, 'env.db')}`,
      ORGHUB_ADMIN_TOKEN: 'ghp_chosenByTheEnvironment0000000000000',
      ORGHUB_ADMIN_LOGIN: 'Root',
      ORGHUB_BASE_URL: 'http://orghub.example.test/api/v3',
      ORGHUB_HTML_URL: 'http://web.example.test',
    };
    const cli = await startCli([], { env });
    const me = await getUser(cli.url, env.ORGHUB_ADMIN_TOKEN);
    assert.equal(me.status, 200);
    assert.equal(me.body.login, 'Root');
    assert.equal(me.body.url, 'http://orghub.example.test/api/v3/users/Root');
    assert.equal(me.body.html_url, 'http://web.example.test/Root');
    assert.equal(await cli.stop(), 0);
    assert.ok(!cli.output().includes('ghp_'), 'a chosen token is not printed');
    assert.ok(existsSync(join(dir, 'env.db')));

    // A configured token unknown to an existing database is attached to its admin.
    const later = await startCli([], { env: { ...env, ORGHUB_ADMIN_TOKEN: 'ghp_aSecondChosenToken00000000000000000' } });
    assert.equal((await getUser(later.url, 'ghp_aSecondChosenToken00000000000000000')).body.login, 'Root');
    assert.equal((await getUser(later.url, env.ORGHUB_ADMIN_TOKEN)).status, 200);
    assert.equal(await later.stop(), 0);
  });

  it('flags win over the environment', async () => {
    const dir = tempDir();
    const cli = await startCli(['--port', '0', '--database', `sqlite:${join(dir, 'flag.db')}`, '--admin-login', 'flagged', '--admin-token', 'ghp_fromTheFlag000000000000000000000000'], {
      env: { PORT: '1', ORGHUB_DATABASE_URL: `sqlite:${join(dir, 'env.db')}`, ORGHUB_ADMIN_LOGIN: 'from-env' },
    });
    assert.equal((await getUser(cli.url, 'ghp_fromTheFlag000000000000000000000000')).body.login, 'flagged');
    assert.equal(await cli.stop(), 0);
    assert.ok(existsSync(join(dir, 'flag.db')) && !existsSync(join(dir, 'env.db')));
  });

  it('stores data in ./data/orghub.db by default', async () => {
    const cwd = tempDir();
    const cli = await startCli(['--port', '0'], { cwd });
    await cli.waitFor(/token: ghp_/);
    assert.equal(await cli.stop(), 0);
    assert.ok(existsSync(join(cwd, 'data', 'orghub.db')));
  });

  it('--help lists every flag and exits 0', async () => {
    const child = spawnCli(['--help'], { cwd: tempDir() });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    for (const flag of ['--port', '--host', '--database', '--base-url', '--html-url', '--admin-login', '--admin-token', '--log-level', '--help']) {
      assert.ok(out.includes(flag), flag);
    }
    for (const variable of ['PORT', 'ORGHUB_DATABASE_URL', 'ORGHUB_ADMIN_TOKEN', 'ORGHUB_ADMIN_LOGIN']) assert.ok(out.includes(variable), variable);
  });

  it('exits non-zero with a message for a bad flag value', async () => {
    const { code, stderr } = await runToExit(['--port', 'eighty']);
    assert.notEqual(code, 0);
    assert.match(stderr, /port/i);
  });

  it('a log level pino does not know: exits non-zero naming the valid levels', async () => {
    for (const [args, env] of [[['--port', '0', '--log-level', 'verbose'], {}], [['--port', '0'], { ORGHUB_LOG_LEVEL: 'verbose' }]] as const) {
      const { code, stderr } = await runToExit([...args], { ...env, ORGHUB_DATABASE_URL: 'sqlite::memory:' });
      assert.notEqual(code, 0);
      assert.equal(stderr, 'orghub: log level "verbose" is not one of fatal, error, warn, info, debug, trace, silent\n');
    }
  });

  it('a PostgreSQL database that does not exist: exits non-zero saying so', { skip: !onPostgres && 'needs PostgreSQL (ORGHUB_DATABASE_URL=postgres://…)' }, async () => {
    const url = new URL(process.env.ORGHUB_DATABASE_URL!);
    url.pathname = '/orghub_no_such_database';
    const { code, stderr } = await runToExit(['--port', '0', '--database', url.toString()]);
    assert.notEqual(code, 0);
    assert.equal(stderr, 'orghub: cannot connect to PostgreSQL database "orghub_no_such_database": database "orghub_no_such_database" does not exist\n');
  });
});

/** Runs the CLI until it exits by itself (a refused start): its exit code and what it wrote to stderr. */
async function runToExit(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli(args, { cwd: tempDir(), env });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}
