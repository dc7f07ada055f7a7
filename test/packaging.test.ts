/**
 * orghub installed as a dependency, as a user installs it: from the tarball `npm pack` makes (what a registry, or
 * `npm install --install-links PATH`, installs) and from a git URL (npm clones it, installs its devDependencies,
 * runs `prepare`, packs and installs the result). Each starts from a copy of the working tree (tracked and untracked
 * files, as git would commit them: uncommitted work is what is tested) in temp folders. Dependencies come from
 * the npm registry, or npm's cache (`--prefer-offline`).
 *
 * Slow (about 2 minutes): the `npm start` cases build three times (10 s each here), the git case takes 70-90 s (npm
 * compiles better-sqlite3's native addon in its clone); both need no database, so they run in the SQLite pass only.
 * The temp projects deny better-sqlite3's install script (`allowScripts`), which would compile it once more; so the
 * installed server is started in the PostgreSQL pass.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, freshDatabase, onPostgres } from './support/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The slow cases below do not touch a database: they run in the suite's SQLite pass only. */
const STORE_INDEPENDENT = 'no database involved: run in the SQLite pass of the suite';
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

// A test run under `npm test` inherits npm's own variables (npm_config_local_prefix names this checkout): the npm
// commands here must see only their temp folders. ORGHUB_* would configure the installed server.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|orghub_)/i.test(name)));
// npm compiles better-sqlite3 in a git dependency's clone: on every core (node-gyp reads JOBS).
env.JOBS = 'max';

let work: string;
/** A copy of the working tree whose dependencies are the checkout's (a symlink): its builds run the checkout's TypeScript. */
let source: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'orghub-packaging-'));
  source = join(work, 'source');
  copyWorkingTree(source);
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, timeoutMs = 300_000): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The working tree as a commit of it would hold it (no node_modules, dist or data: they are ignored). */
function copyWorkingTree(to: string): void {
  const files = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], ROOT).split('\0').filter(Boolean);
  for (const file of files) {
    const from = join(ROOT, file);
    // Regular files only: one deleted in the working tree (still in the index) is not copied.
    if (!lstatSync(from, { throwIfNoEntry: false })?.isFile()) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(from, join(to, file));
  }
}

/** A new project that depends on nothing yet; better-sqlite3's native build is denied (see above), `allowed` approved. */
function newProject(name: string, allowed: string[] = []): string {
  const dir = join(work, name);
  mkdirSync(dir);
  const allowScripts = { 'better-sqlite3': false, ...Object.fromEntries(allowed.map((spec) => [spec, true])) };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', allowScripts }));
  return dir;
}

const install = (project: string, spec: string) => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', spec], project);

/** What every install must give: the `orghub` bin, the library, and its dependencies inside the project. */
function assertUsable(project: string): void {
  const help = spawnSync('npx', ['orghub', '--help'], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: orghub \[options\]/);
  const exported = run('node', ['--input-type=module', '-e', `
    const m = await import('orghub');
    console.log(JSON.stringify({ buildServer: typeof m.buildServer, startServer: typeof m.startServer, ManualClock: typeof m.ManualClock }));
  `], project);
  assert.deepEqual(JSON.parse(exported), { buildServer: 'function', startServer: 'function', ManualClock: 'function' });
  // Found in the project itself, not in a node_modules further up the temp folder's parents.
  for (const dependency of Object.keys(manifest.dependencies)) {
    assert.ok(existsSync(join(project, 'node_modules', dependency, 'package.json')), `${dependency} is installed in the project`);
  }
}

/** Starts the installed bin on a fresh PostgreSQL database; its health and an authenticated GET /user answer 200. */
async function assertServes(project: string): Promise<void> {
  const database = await freshDatabase();
  const server = spawn(join(project, 'node_modules', '.bin', 'orghub'), ['--port', '0', '--database', database.url, '--admin-token', ADMIN_TOKEN], {
    cwd: project,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]);
      });
      server.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      server.once('exit', (code) => reject(new Error(`the installed orghub exited with ${code}:\n${out}`)));
    });
    assert.equal((await fetch(`${url}/_orghub/health`)).status, 200);
    assert.equal((await fetch(`${url}/user`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200);
  } finally {
    server.kill('SIGTERM');
    if (server.exitCode === null) await new Promise((resolve) => server.once('exit', resolve));
    await database.drop();
  }
}

describe('npm start builds dist/ only when a source changed', { skip: onPostgres && STORE_INDEPENDENT }, () => {
  const COMPILING = /compiling dist\//;
  /** A source the tree is first built with, removed later. */
  let removedLater: string;
  before(() => {
    removedLater = join(source, 'src', 'health', 'removed-later.ts');
    writeFileSync(removedLater, 'export const removedLater = true;\n');
  });
  /** `npm start -- --help` in the copy: what the stale check said, and the usage it printed. */
  function startForHelp(): { stdout: string; stderr: string } {
    const result = spawnSync('npm', ['start', '--silent', '--', '--help'], { cwd: source, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Usage: orghub/);
    return result;
  }

  it('builds a tree without dist/, then starts without building', () => {
    assert.match(startForHelp().stderr, COMPILING);
    assert.ok(existsSync(join(source, 'dist', 'cli.js')));
    assert.doesNotMatch(startForHelp().stderr, COMPILING);
  });

  it('builds again after a source is saved', () => {
    const now = new Date();
    utimesSync(join(source, 'src', 'clock.ts'), now, now);
    assert.match(startForHelp().stderr, COMPILING);
    assert.doesNotMatch(startForHelp().stderr, COMPILING);
  });

  it('builds again after a file under src/ is removed, and drops what it compiled to', () => {
    const output = join(source, 'dist', 'health', 'removed-later.js');
    assert.ok(existsSync(output));
    // Only the directory's modification time tells: no file left is newer than the build.
    rmSync(removedLater);
    assert.match(startForHelp().stderr, COMPILING);
    assert.equal(existsSync(output), false, 'no output of a removed source is left');
  });
});

describe('npm install of the tarball npm pack makes', () => {
  let tarball: string;
  let project: string;
  before(() => {
    // `prepare` (run by npm pack) builds dist/ if stale; nothing is installed into the copy.
    run('npm', ['pack', '--pack-destination', work], source);
    tarball = join(work, `${manifest.name}-${manifest.version}.tgz`);
    project = newProject('from-tarball');
    install(project, tarball);
  });

  it('holds the build, the description and no sources, tests or source maps', () => {
    const listing = run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean).map((entry) => entry.replace(/^package\//, ''));
    for (const needed of ['package.json', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/db/migrate.js', 'openapi/orghub-operations.json']) {
      assert.ok(listing.includes(needed), `${needed} is packed`);
    }
    assert.deepEqual(listing.filter((entry) => /^(src|test|bench|data)\/|\.map$|\.tsbuildinfo$/.test(entry)), []);
    assert.ok(statSync(tarball).size < 2 * 2 ** 20, 'the tarball stays small');
  });

  it('gives the orghub bin (npx orghub --help) and the library (buildServer, startServer)', () => {
    assertUsable(project);
    const cli = join(project, 'node_modules', 'orghub', 'dist', 'cli.js');
    assert.match(readFileSync(cli, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.ok(statSync(cli).mode & 0o111, 'dist/cli.js is executable');
  });

  it('serves: the installed bin answers health and GET /user', { skip: !onPostgres && 'the temp project has no better-sqlite3 addon (its build is denied): started on PostgreSQL only' }, async () => {
    await assertServes(project);
  });
});

describe('npm install git+file://… (a git URL)', { skip: onPostgres && STORE_INDEPENDENT }, () => {
  it('builds dist/ through prepare in npm\'s clone and gives the bin and the library', { timeout: 600_000 }, () => {
    const repo = join(work, 'repo');
    copyWorkingTree(repo);
    assert.equal(existsSync(join(repo, 'dist')), false, 'a clone has no dist/: prepare must build it');
    run('git', ['init', '--quiet'], repo);
    run('git', ['add', '--all'], repo);
    run('git', ['-c', 'user.name=orghub test', '-c', 'user.email=test@example.test', '-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', 'working tree'], repo);
    // npm 11 runs a git dependency's `prepare` only with a warning unless the project approves it, by its URL.
    const spec = `git+file://${repo}`;
    const project = newProject('from-git', [spec]);
    install(project, spec);
    assertUsable(project);
  });
});
