#!/usr/bin/env node
// Compiles src/ into dist/ (tsc -p tsconfig.build.json) and makes dist/cli.js executable (`npm run build`).
// `--if-stale`: only when a source changed since the last build (`prepare`; `npm start` through scripts/start.mjs),
// so a built tree starts at once. Plain JavaScript: it runs before anything is compiled, and in installs without tsx.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Written after a successful build, dated when that build started: a source saved during a build makes it stale. */
const stamp = join(root, 'dist', '.build-stamp');
/** What the build reads. Directories count too: adding, removing or renaming a file changes its directory's time. */
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((name) => join(root, name));

/** The latest modification time under `path` (0 when it does not exist). */
function newestChange(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), stat.mtimeMs);
}

/** Why dist/ must be built, or undefined when it is up to date. */
function staleness() {
  // An installed package ships dist/ without src/: there is nothing to build from.
  if (!existsSync(join(root, 'src'))) return undefined;
  const built = statSync(stamp, { throwIfNoEntry: false });
  if (!built) return 'no finished build yet';
  return inputs.some((input) => newestChange(input) > built.mtimeMs) ? 'sources changed since the last build' : undefined;
}

/** Removes what tsc compiled from sources that are gone (tsc never deletes), so dist/ holds exactly what src/ makes. */
function pruneOrphans(dir = join(root, 'dist')) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) pruneOrphans(path);
    else if (path !== stamp) {
      const source = join(root, 'src', relative(join(root, 'dist'), path).replace(/(\.d\.ts|\.js\.map|\.js)$/, '.ts'));
      if (!existsSync(source)) rmSync(path);
    }
  }
}

function build() {
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    throw new Error('cannot build dist/: TypeScript (a devDependency) is not installed; run `npm install` first');
  }
  const startedAt = new Date();
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc failed (exit ${result.status ?? result.signal}); dist/ is not up to date`);
  pruneOrphans();
  chmodSync(join(root, 'dist', 'cli.js'), 0o755);
  writeFileSync(stamp, '');
  utimesSync(stamp, startedAt, startedAt);
}

export function buildIfStale() {
  const reason = staleness();
  if (!reason) return;
  process.stderr.write(`orghub: ${reason}; compiling dist/ …\n`);
  build();
}

/** Runs `task`; a failure ends the process with its message alone (tsc has printed the details). */
export function orExit(task) {
  try {
    task();
  } catch (error) {
    process.stderr.write(`orghub: ${error.message}\n`);
    process.exit(1);
  }
}

// As a command; scripts/start.mjs imports it instead.
if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) orExit(process.argv.includes('--if-stale') ? buildIfStale : build);
