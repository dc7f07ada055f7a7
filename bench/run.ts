/**
 * `npm run bench`: every benchmark in turn, each in its own process (they print their figures and rewrite their
 * own section of bench/RESULTS.md). Arguments are passed to each, e.g. `npm run bench -- --db sqlite`.
 */
import { spawnSync } from 'node:child_process';
import { ROOT } from './support/child.js';

const BENCHMARKS = ['bench/org-get.ts', 'bench/members-list.ts', 'bench/webhooks.ts', 'bench/audit-log.ts', 'bench/start.ts', 'bench/working-set.ts', 'bench/installation-token.ts', 'bench/campaigns.ts', 'bench/code-scanning.ts'];

let failed = false;
for (const script of BENCHMARKS) {
  process.stdout.write(`\n### ${script}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
